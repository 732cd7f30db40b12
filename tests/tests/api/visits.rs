//! Field visits: what the last visit found decides `secretariat_not_found` on the status, the list
//! filters and the statistics; a deployment may require a verification visit before approval.

use ormas_tests::fixtures::{OrmasFixture, day};
use ormas_tests::{TestApp, expect_json, expect_problem, json};
use serde_json::Value;

use crate::register::upload;

const TODAY: &str = "2026-11-20";

fn visit(on: &str, finding: &str) -> Value {
    json!({
        "visited_on": on,
        "team": [
            {"agency": "kesbangpol", "name": "Dewi Lestari", "position": "Analis Kebijakan"},
            {"agency": "polri", "name": "Iptu Rahmat Hidayat"}
        ],
        "finding": finding,
        "activities_observed": finding == "secretariat_found",
        "notes": "Berita Acara ditandatangani."
    })
}

/// Records a visit and expects 201.
async fn record(app: &TestApp, token: &str, ormas: &str, body: &Value) -> Value {
    expect_json(
        app.post_as(&format!("/v1/ormas/{ormas}/visits"), token, body)
            .await,
        201,
    )
    .await
}

async fn status(app: &TestApp, token: &str, ormas: &str, as_of: Option<&str>) -> Value {
    let path = match as_of {
        Some(date) => format!("/v1/ormas/{ormas}/status?as_of={date}"),
        None => format!("/v1/ormas/{ormas}/status"),
    };
    expect_json(app.get_as(&path, token).await, 200).await
}

async fn listed(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    let page = expect_json(app.get_as(&format!("/v1/ormas?{query}"), token).await, 200).await;
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_visit_that_finds_nothing_makes_the_ormas_inactive_until_it_is_found_again() {
    let app = TestApp::spawn().await;
    app.clock.pin(Some(day(TODAY)));
    let oversight = app
        .signed_in("oversight.6471", "oversight", Some("64.71"))
        .await;
    let officer = app
        .signed_in("officer.6471", "officer", Some("64.71"))
        .await;
    let ormas = OrmasFixture::registered("64.71")
        .reported("2026-S1", "2026-08-10")
        .insert(&app)
        .await;
    let token = &oversight.access_token;
    assert_eq!(
        status(&app, token, &ormas, None).await["activity"],
        "active"
    );

    let recorded = record(
        &app,
        token,
        &ormas,
        &visit("2026-11-18", "secretariat_not_found"),
    )
    .await;
    assert_eq!(recorded["purpose"], "re_registration");
    assert_eq!(recorded["ormas_id"], ormas);
    assert_eq!(
        recorded["address"], "Jl. Uji No. 1",
        "the registration's address by default"
    );
    assert_eq!(recorded["team"][1]["agency"], "polri");

    let now = status(&app, token, &ormas, None).await;
    assert_eq!(now["activity"], "inactive", "{now}");
    assert_eq!(now["reasons"], json!(["secretariat_not_found"]));
    // Before the visit, the status did not know.
    let before = status(&app, token, &ormas, Some("2026-11-17")).await;
    assert_eq!(before["reasons"], json!([]), "{before}");
    // The list filters and the statistics say the same.
    assert!(
        listed(&app, token, "activity=inactive")
            .await
            .contains(&ormas)
    );
    assert!(
        !listed(&app, token, "activity=active")
            .await
            .contains(&ormas)
    );
    assert_eq!(
        listed(&app, token, "secretariat_not_found=true").await,
        vec![ormas.clone()]
    );
    let stats = expect_json(
        app.get_as("/v1/stats/overview?region=64.71", token).await,
        200,
    )
    .await;
    assert_eq!(
        stats["totals"]["inactive_reasons"]["secretariat_not_found"], 1,
        "{stats}"
    );
    let visits = expect_json(
        app.get_as(&format!("/v1/ormas/{ormas}/visits"), &officer.access_token)
            .await,
        200,
    )
    .await;
    assert_eq!(visits["secretariat_missing_since"], "2026-11-18");
    assert_eq!(visits["items"].as_array().unwrap().len(), 1);

    // A later visit finds it: active again.
    record(
        &app,
        token,
        &ormas,
        &visit("2026-11-19", "secretariat_found"),
    )
    .await;
    let again = status(&app, token, &ormas, None).await;
    assert_eq!(again["activity"], "active", "{again}");
    assert!(
        listed(&app, token, "secretariat_not_found=true")
            .await
            .is_empty()
    );
    // As of the day between, it was missing.
    let between = status(&app, token, &ormas, Some("2026-11-18")).await;
    assert_eq!(between["reasons"], json!(["secretariat_not_found"]));

    // Found missing once more; then the office records the new address: cleared.
    record(
        &app,
        token,
        &ormas,
        &visit("2026-11-20", "secretariat_not_found"),
    )
    .await;
    assert_eq!(
        status(&app, token, &ormas, None).await["reasons"],
        json!(["secretariat_not_found"])
    );
    let patched = app
        .patch_as(
            &format!("/v1/ormas/{ormas}"),
            &officer.access_token,
            &json!({"address": "Jl. Baru No. 7, Balikpapan"}),
        )
        .await;
    assert_eq!(patched.status(), 200);
    let moved = status(&app, token, &ormas, None).await;
    assert_eq!(moved["activity"], "active", "{moved}");

    // Every visit is in the registration's history.
    let history = expect_json(
        app.get_as(&format!("/v1/ormas/{ormas}/history"), &officer.access_token)
            .await,
        200,
    )
    .await;
    let visits_in_history = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "visit")
        .count();
    assert_eq!(visits_in_history, 3, "{history}");
}

#[tokio::test]
async fn a_moved_secretariat_counts_as_found_and_visits_of_submitted_ones_verify() {
    let app = TestApp::spawn().await;
    app.clock.pin(Some(day(TODAY)));
    let officer = app
        .signed_in("officer.6471", "officer", Some("64.71"))
        .await;
    let submitted = OrmasFixture::registered("64.71")
        .in_state("submitted")
        .insert(&app)
        .await;
    let mut body = visit("2026-11-19", "secretariat_moved");
    body["new_address"] = json!("Jl. Ahmad Yani No. 3, Balikpapan");
    body["latitude"] = json!(-1.2654);
    body["longitude"] = json!(116.8312);
    let recorded = record(&app, &officer.access_token, &submitted, &body).await;
    assert_eq!(recorded["purpose"], "verification");
    assert_eq!(recorded["new_address"], "Jl. Ahmad Yani No. 3, Balikpapan");
    assert_eq!(recorded["latitude"], -1.2654);
    let visits = expect_json(
        app.get_as(
            &format!("/v1/ormas/{submitted}/visits"),
            &officer.access_token,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(visits["secretariat_missing_since"], Value::Null);
}

#[tokio::test]
async fn approval_waits_for_a_visit_that_found_the_secretariat_when_the_office_requires_one() {
    let app = TestApp::spawn_with(|c| c.require_verification_visit = true).await;
    app.clock.pin(Some(day(TODAY)));
    let officer = app
        .signed_in("officer.6471", "officer", Some("64.71"))
        .await;
    let head = app.signed_in("head.6471", "head", Some("64.71")).await;
    let ormas = OrmasFixture::registered("64.71")
        .in_state("submitted")
        .insert(&app)
        .await;
    let approve_path = format!("/v1/ormas/{ormas}/approve");
    let empty = json!({});
    let approve = || app.post_as(&approve_path, &head.access_token, &empty);
    let refused = expect_problem(approve().await, 409, "conflict").await;
    assert!(
        refused["detail"]
            .as_str()
            .unwrap()
            .contains("verification_visit_required"),
        "{refused}"
    );
    record(
        &app,
        &officer.access_token,
        &ormas,
        &visit("2026-11-18", "secretariat_not_found"),
    )
    .await;
    expect_problem(approve().await, 409, "conflict").await;
    record(
        &app,
        &officer.access_token,
        &ormas,
        &visit("2026-11-19", "secretariat_found"),
    )
    .await;
    let approved = expect_json(approve().await, 200).await;
    assert_eq!(approved["state"], "registered");
}

#[tokio::test]
async fn without_the_setting_approval_needs_no_visit() {
    let app = TestApp::spawn().await;
    let head = app.signed_in("head.6471", "head", Some("64.71")).await;
    let ormas = OrmasFixture::registered("64.71")
        .in_state("submitted")
        .insert(&app)
        .await;
    let approved = expect_json(
        app.post_as(
            &format!("/v1/ormas/{ormas}/approve"),
            &head.access_token,
            &json!({}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(approved["state"], "registered");
}

#[tokio::test]
async fn bad_visits_are_refused_with_every_field_named() {
    let app = TestApp::spawn().await;
    app.clock.pin(Some(day(TODAY)));
    let oversight = app
        .signed_in("oversight.6471", "oversight", Some("64.71"))
        .await;
    let ormas = OrmasFixture::registered("64.71").insert(&app).await;
    let post = |body: Value| {
        let path = format!("/v1/ormas/{ormas}/visits");
        let token = oversight.access_token.clone();
        let app = &app;
        async move { app.post_as(&path, &token, &body).await }
    };
    let fields = |problem: &Value| -> Vec<String> {
        problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap().to_owned())
            .collect()
    };

    let mut body = visit("2026-11-21", "secretariat_moved");
    body["team"][0]["agency"] = json!("fbi");
    body["latitude"] = json!(-1.2);
    body["photo_document_ids"] = json!(["0193b3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b"]);
    let problem = expect_problem(post(body).await, 422, "validation_failed").await;
    let named = fields(&problem);
    for field in [
        "visited_on",
        "new_address",
        "latitude",
        "team[0].agency",
        "photo_document_ids[0]",
    ] {
        assert!(named.iter().any(|f| f == field), "{field}: {problem}");
    }

    let mut no_team = visit("2026-11-19", "secretariat_found");
    no_team["team"] = json!([]);
    let problem = expect_problem(post(no_team).await, 422, "validation_failed").await;
    assert!(
        fields(&problem).iter().any(|f| f.starts_with("team")),
        "{problem}"
    );

    let mut unexpected = visit("2026-11-19", "secretariat_not_found");
    unexpected["new_address"] = json!("Jl. Lain");
    let problem = expect_problem(post(unexpected).await, 422, "validation_failed").await;
    assert_eq!(fields(&problem), ["new_address"]);

    let mut unknown = visit("2026-11-19", "secretariat_found");
    unknown["finding"] = json!("somewhere");
    let response = post(unknown).await;
    assert_eq!(response.status(), 422);

    let mut extra = visit("2026-11-19", "secretariat_found");
    extra["verdict"] = json!("ok");
    assert_eq!(post(extra).await.status(), 422);

    // Nothing was stored.
    let visits = expect_json(
        app.get_as(
            &format!("/v1/ormas/{ormas}/visits"),
            &oversight.access_token,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(visits["items"], json!([]));
}

#[tokio::test]
async fn only_staff_who_visit_record_visits_within_their_region() {
    let app = TestApp::spawn().await;
    app.clock.pin(Some(day(TODAY)));
    let ormas = OrmasFixture::registered("64.71").insert(&app).await;
    let draft = OrmasFixture::registered("64.71")
        .in_state("draft")
        .insert(&app)
        .await;
    let path = format!("/v1/ormas/{ormas}/visits");
    let body = visit("2026-11-19", "secretariat_found");

    for (name, role, region) in [
        ("head.6471", "head", Some("64.71")),
        ("admin.6471", "admin", Some("64.71")),
        ("integrator.6471", "integrator", Some("64.71")),
    ] {
        let session = app.signed_in(name, role, region).await;
        expect_problem(
            app.post_as(&path, &session.access_token, &body).await,
            403,
            "forbidden",
        )
        .await;
    }
    let rep = app.signed_in("rep.6471", "ormas_rep", None).await;
    expect_problem(
        app.post_as(&path, &rep.access_token, &body).await,
        403,
        "forbidden",
    )
    .await;
    expect_problem(app.get_as(&path, &rep.access_token).await, 403, "forbidden").await;

    // Another kabupaten's oversight team does not see the ormas; the province's does.
    let other = app
        .signed_in("oversight.6401", "oversight", Some("64.01"))
        .await;
    expect_problem(
        app.post_as(&path, &other.access_token, &body).await,
        404,
        "not_found",
    )
    .await;
    expect_problem(
        app.get_as(&path, &other.access_token).await,
        404,
        "not_found",
    )
    .await;
    let province = app.signed_in("oversight.64", "oversight", Some("64")).await;
    expect_json(app.post_as(&path, &province.access_token, &body).await, 201).await;

    // Anonymous callers.
    let anonymous = app.post_json(&path, &body).await;
    assert_eq!(anonymous.status(), 401);

    // A draft has not been submitted: nothing to verify yet.
    expect_problem(
        app.post_as(
            &format!("/v1/ormas/{draft}/visits"),
            &province.access_token,
            &body,
        )
        .await,
        409,
        "conflict",
    )
    .await;
}

#[tokio::test]
async fn the_team_uploads_its_photos_and_attaches_them() {
    let app = TestApp::spawn().await;
    app.clock.pin(Some(day(TODAY)));
    let oversight = app
        .signed_in("oversight.6471", "oversight", Some("64.71"))
        .await;
    let ormas = OrmasFixture::registered("64.71").insert(&app).await;
    let png = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0].to_vec();
    let photo = expect_json(
        upload(
            &app,
            &oversight.access_token,
            &ormas,
            "visit_photo",
            "sekretariat.png",
            png.clone(),
        )
        .await,
        201,
    )
    .await;
    // The oversight team uploads photos of its visits, not the registration's own documents.
    let refused = upload(
        &app,
        &oversight.access_token,
        &ormas,
        "cover_letter",
        "surat.png",
        png,
    )
    .await;
    assert_eq!(refused.status(), 403);

    let mut body = visit("2026-11-19", "secretariat_found");
    body["photo_document_ids"] = json!([photo["id"]]);
    let recorded = record(&app, &oversight.access_token, &ormas, &body).await;
    assert_eq!(recorded["photo_document_ids"], json!([photo["id"]]));
}

#[tokio::test]
async fn a_case_visit_counts_for_the_ormas_and_lands_in_the_case_timeline() {
    let app = TestApp::spawn().await;
    app.clock.pin(Some(day(TODAY)));
    let oversight = app
        .signed_in("oversight.6471", "oversight", Some("64.71"))
        .await;
    let token = &oversight.access_token;
    let ormas = OrmasFixture::registered("64.71")
        .reported("2026-S1", "2026-08-10")
        .insert(&app)
        .await;
    let case = expect_json(
        app.post_as(
            "/v1/oversight/cases",
            token,
            &json!({"region_code": "64.71", "ormas_id": ormas, "title": "Sekretariat fiktif"}),
        )
        .await,
        201,
    )
    .await;
    let case_id = case["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/oversight/cases/{case_id}/visits");
    let recorded = expect_json(
        app.post_as(&path, token, &visit("2026-11-19", "secretariat_not_found"))
            .await,
        201,
    )
    .await;
    assert_eq!(recorded["purpose"], "oversight");
    assert_eq!(recorded["case_id"], case_id.as_str());
    assert_eq!(recorded["ormas_id"], ormas.as_str());
    assert_eq!(
        status(&app, token, &ormas, None).await["reasons"],
        json!(["secretariat_not_found"])
    );
    let listed = expect_json(app.get_as(&path, token).await, 200).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    // The ormas's own list of visits includes the case's.
    let of_ormas = expect_json(
        app.get_as(&format!("/v1/ormas/{ormas}/visits"), token)
            .await,
        200,
    )
    .await;
    assert_eq!(of_ormas["items"][0]["case_id"], case_id.as_str());
    let history = expect_json(
        app.get_as(&format!("/v1/oversight/cases/{case_id}/history"), token)
            .await,
        200,
    )
    .await;
    assert!(
        history["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "visit"),
        "{history}"
    );

    // Another kabupaten's team cannot see or visit the case; officers read but do not run it.
    let other = app
        .signed_in("oversight.6401", "oversight", Some("64.01"))
        .await;
    expect_problem(
        app.get_as(&path, &other.access_token).await,
        404,
        "not_found",
    )
    .await;
    let body = visit("2026-11-20", "secretariat_found");
    expect_problem(
        app.post_as(&path, &other.access_token, &body).await,
        404,
        "not_found",
    )
    .await;
    let officer = app
        .signed_in("officer.6471", "officer", Some("64.71"))
        .await;
    expect_json(app.get_as(&path, &officer.access_token).await, 200).await;
    expect_problem(
        app.post_as(&path, &officer.access_token, &body).await,
        403,
        "forbidden",
    )
    .await;
}

#[tokio::test]
async fn a_case_about_an_unregistered_organisation_is_visited_at_its_address() {
    let app = TestApp::spawn().await;
    app.clock.pin(Some(day(TODAY)));
    let oversight = app
        .signed_in("oversight.6471", "oversight", Some("64.71"))
        .await;
    let token = &oversight.access_token;
    let case = expect_json(
        app.post_as(
            "/v1/oversight/cases",
            token,
            &json!({"region_code": "64.71", "organisation_name": "Laskar Tanpa Nama",
                "organisation_address": "Jl. Mawar 9, Balikpapan", "title": "Ormas tak terdaftar"}),
        )
        .await,
        201,
    )
    .await;
    let case_id = case["id"].as_str().unwrap();
    let path = format!("/v1/oversight/cases/{case_id}/visits");
    let recorded = expect_json(
        app.post_as(&path, token, &visit("2026-11-19", "secretariat_found"))
            .await,
        201,
    )
    .await;
    assert_eq!(recorded["ormas_id"], Value::Null);
    assert_eq!(recorded["address"], "Jl. Mawar 9, Balikpapan");
    // No registration: no photos to attach.
    let mut with_photo = visit("2026-11-19", "secretariat_found");
    with_photo["photo_document_ids"] = json!(["0193b3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b"]);
    expect_problem(
        app.post_as(&path, token, &with_photo).await,
        422,
        "validation_failed",
    )
    .await;
    // A closed case is visited no more.
    for (name, body) in [
        ("investigate", json!({})),
        ("recommend", json!({"outcome": "no_violation"})),
        ("close", json!({"outcome": "no_violation"})),
    ] {
        expect_json(
            app.post_as(
                &format!("/v1/oversight/cases/{case_id}/{name}"),
                token,
                &body,
            )
            .await,
            200,
        )
        .await;
    }
    expect_problem(
        app.post_as(&path, token, &visit("2026-11-20", "secretariat_found"))
            .await,
        409,
        "conflict",
    )
    .await;
}
