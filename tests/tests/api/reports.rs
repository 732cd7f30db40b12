//! Reports: drafts per period, the lifecycle with receipt numbers, lateness, the queue with the
//! missing reports, and the status that follows from them.

use ormas_tests::fixtures::{OrmasFixture, day};
use ormas_tests::{Session, TestApp, expect_json, expect_problem, json};
use serde_json::Value;

fn content() -> Value {
    json!({
        "activities": [{"date": "2026-03-14", "place": "Balikpapan", "description": "Bakti sosial."}],
        "finances": {"income": {"dues": 2400000, "donations": 1500000}, "spending": 3100000},
        "changes": {"board": null, "address": null},
        "signatories": {"ketua": "H. Abdul Rahman", "sekretaris": "Siti Aminah"}
    })
}

/// A report for `period` whose activity falls within it.
fn report_for(period: &str) -> Value {
    let mut body = content();
    body["period"] = json!(period);
    if let Some((year, half)) = period.split_once("-S") {
        let month = if half == "2" { "09" } else { "03" };
        body["activities"][0]["date"] = json!(format!("{year}-{month}-14"));
    }
    body
}

/// A representative bound to `ormas_id`.
pub(crate) async fn representative(
    app: &TestApp,
    officer: &Session,
    name: &str,
    ormas_id: &str,
) -> Session {
    let rep = app.signed_in(name, "ormas_rep", None).await;
    let response = app
        .put_as(
            &format!("/v1/users/{}/ormas", rep.user_id),
            &officer.access_token,
            &json!({"ormas_id": ormas_id}),
        )
        .await;
    assert_eq!(response.status(), 204);
    rep
}

async fn create_report(app: &TestApp, token: &str, ormas: &str, period: &str) -> Value {
    expect_json(
        app.post_as(
            &format!("/v1/ormas/{ormas}/reports"),
            token,
            &report_for(period),
        )
        .await,
        201,
    )
    .await
}

async fn step(app: &TestApp, token: &str, report: &str, name: &str) -> Value {
    expect_json(
        app.post_as(&format!("/v1/reports/{report}/{name}"), token, &json!({}))
            .await,
        200,
    )
    .await
}

async fn status(app: &TestApp, token: &str, ormas: &str) -> Value {
    expect_json(
        app.get_as(&format!("/v1/ormas/{ormas}/status"), token)
            .await,
        200,
    )
    .await
}

#[tokio::test]
async fn an_accepted_report_keeps_an_ormas_active_for_twelve_months() {
    let app = TestApp::spawn().await;
    let officer = app
        .signed_in("officer.6471", "officer", Some("64.71"))
        .await;
    let ormas = OrmasFixture::registered("64.71").insert(&app).await;
    let rep = representative(&app, &officer, "rep.one", &ormas).await;

    app.clock.pin(Some(day("2026-01-10")));
    let before = status(&app, &rep.access_token, &ormas).await;
    assert_eq!(before["activity"], "inactive");
    assert_eq!(before["reasons"], json!(["no_recent_report"]));
    assert_eq!(before["next_report"]["period"], "2025-S1");
    assert_eq!(before["next_report"]["overdue"], true);

    let report = create_report(&app, &rep.access_token, &ormas, "2025-S2").await;
    assert_eq!(report["state"], "draft");
    assert_eq!(report["due_on"], "2026-01-30");
    let id = report["id"].as_str().unwrap();
    let submitted = step(&app, &rep.access_token, id, "submit").await;
    assert_eq!(submitted["late"], false);
    // A representative cannot accept its own report.
    expect_problem(
        app.post_as(
            &format!("/v1/reports/{id}/accept"),
            &rep.access_token,
            &json!({}),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    let accepted = step(&app, &officer.access_token, id, "accept").await;
    assert_eq!(accepted["state"], "accepted");
    assert_eq!(accepted["accepted_on"], "2026-01-10");
    assert_eq!(accepted["receipt_number"], "0001/STTL/64.71/I/2026");

    let now = status(&app, &rep.access_token, &ormas).await;
    assert_eq!(now["activity"], "active", "{now}");
    assert_eq!(now["reasons"], json!([]));
    assert_eq!(
        now["last_accepted_report"],
        json!({"period": "2025-S2", "accepted_on": "2026-01-10"})
    );
    // 2025-S1 was never filed: still the next (overdue) report.
    assert_eq!(now["next_report"]["period"], "2025-S1");

    // Eleven months later: still active (the 2026-S1 report is overdue by then, which is shown).
    app.clock.pin(Some(day("2026-12-10")));
    let eleven = status(&app, &officer.access_token, &ormas).await;
    assert_eq!(eleven["activity"], "active", "{eleven}");
    assert_eq!(eleven["next_report"]["overdue"], true);
    // Thirteen months later: inactive, no recent report.
    app.clock.pin(Some(day("2027-02-10")));
    let thirteen = status(&app, &officer.access_token, &ormas).await;
    assert_eq!(thirteen["activity"], "inactive");
    assert_eq!(thirteen["reasons"], json!(["no_recent_report"]));
    // The same dates through `as_of`, from any day.
    let past = expect_json(
        app.get_as(
            &format!("/v1/ormas/{ormas}/status?as_of=2026-12-10"),
            &officer.access_token,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(past["activity"], "active");
    assert_eq!(past["as_of"], "2026-12-10");
    let before_acceptance = expect_json(
        app.get_as(
            &format!("/v1/ormas/{ormas}/status?as_of=2026-01-09"),
            &officer.access_token,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(before_acceptance["activity"], "inactive");
}

#[tokio::test]
async fn an_expired_skt_is_inactive_even_with_fresh_reports() {
    let app = TestApp::spawn().await;
    let officer = app
        .signed_in("officer.6471", "officer", Some("64.71"))
        .await;
    let ormas = OrmasFixture::registered("64.71")
        .skt_until("2026-10-31")
        .reported("2026-S1", "2026-08-20")
        .insert(&app)
        .await;
    app.clock.pin(Some(day("2026-11-22")));
    let s = status(&app, &officer.access_token, &ormas).await;
    assert_eq!(s["activity"], "inactive");
    assert_eq!(s["reasons"], json!(["skt_expired"]));
    assert_eq!(s["legal_basis_valid_until"], "2026-10-31");
    // The day it expires it still counts.
    let on_the_day = expect_json(
        app.get_as(
            &format!("/v1/ormas/{ormas}/status?as_of=2026-10-31"),
            &officer.access_token,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(on_the_day["activity"], "active");
    for bad in ["3001-01-01", "tomorrow", "2026-02-30"] {
        expect_problem(
            app.get_as(
                &format!("/v1/ormas/{ormas}/status?as_of={bad}"),
                &officer.access_token,
            )
            .await,
            400,
            "invalid_query",
        )
        .await;
    }
    // A board whose term ended adds its reason.
    let both = OrmasFixture::registered("64.71")
        .skt_until("2026-10-31")
        .board_until("2026-06-30")
        .reported("2026-S1", "2026-08-20")
        .insert(&app)
        .await;
    let s = status(&app, &officer.access_token, &both).await;
    assert_eq!(s["reasons"], json!(["skt_expired", "board_term_ended"]));
    assert_eq!(s["board_term_ends_on"], "2026-06-30");
}

#[tokio::test]
async fn periods_are_checked_and_one_report_per_period() {
    let app = TestApp::spawn().await;
    let officer = app
        .signed_in("officer.6471", "officer", Some("64.71"))
        .await;
    let ormas = OrmasFixture::registered("64.71").insert(&app).await;
    app.clock.pin(Some(day("2026-11-22")));
    let path = format!("/v1/ormas/{ormas}/reports");
    // A period that has not begun.
    let future = expect_problem(
        app.post_as(&path, &officer.access_token, &report_for("2027-S1"))
            .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(future["errors"][0]["field"], "period");
    assert_eq!(future["errors"][0]["code"], "period_not_started");
    for (period, code) in [
        ("2026-S3", "invalid_period"),
        ("26-S1", "invalid_period"),
        ("2026", "wrong_cadence"),
    ] {
        let body = expect_problem(
            app.post_as(&path, &officer.access_token, &report_for(period))
                .await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(body["errors"][0]["code"], code, "{period}");
    }
    // The current period has begun: allowed. A second for it: 409.
    create_report(&app, &officer.access_token, &ormas, "2026-S2").await;
    expect_problem(
        app.post_as(&path, &officer.access_token, &report_for("2026-S2"))
            .await,
        409,
        "conflict",
    )
    .await;
    // An activity outside the period, and money beyond any realistic amount (or JavaScript's
    // exact integers): refused, naming the field.
    let mut outside = report_for("2026-S1");
    outside["activities"][0]["date"] = json!("2026-07-01");
    let body = expect_problem(
        app.post_as(&path, &officer.access_token, &outside).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "activities[0].date");
    assert_eq!(body["errors"][0]["code"], "outside_period");
    let mut rich = report_for("2026-S1");
    rich["finances"]["income"]["dues"] = json!(9_007_199_254_740_993_i64);
    let body = expect_problem(
        app.post_as(&path, &officer.access_token, &rich).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "finances.income.dues");
    // Bad content: negative money, unknown attachment, unknown field.
    let mut bad = report_for("2026-S1");
    bad["finances"]["spending"] = json!(-5);
    bad["activities"][0]["document_ids"] = json!(["no-such-document"]);
    expect_problem(
        app.post_as(&path, &officer.access_token, &bad).await,
        422,
        "validation_failed",
    )
    .await;
    let mut attachment = report_for("2026-S1");
    attachment["activities"][0]["document_ids"] = json!(["no-such-document"]);
    let body = expect_problem(
        app.post_as(&path, &officer.access_token, &attachment).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "activities[0].document_ids[0]");
    // Only registered ormas report.
    let draft = OrmasFixture::registered("64.71")
        .in_state("draft")
        .insert(&app)
        .await;
    expect_problem(
        app.post_as(
            &format!("/v1/ormas/{draft}/reports"),
            &officer.access_token,
            &report_for("2026-S1"),
        )
        .await,
        409,
        "conflict",
    )
    .await;
}

#[tokio::test]
async fn late_and_missing_sit_on_the_right_side_of_the_due_date() {
    let app = TestApp::spawn().await;
    let officer = app
        .signed_in("officer.6471", "officer", Some("64.71"))
        .await;
    let on_time = OrmasFixture::registered("64.71").insert(&app).await;
    let late = OrmasFixture::registered("64.71").insert(&app).await;
    let silent = OrmasFixture::registered("64.71").insert(&app).await;
    let drafted = OrmasFixture::registered("64.71").insert(&app).await;
    // Registered after 2026-S1 ended: not expected for it.
    OrmasFixture::registered("64.71")
        .registered_on("2026-07-15")
        .insert(&app)
        .await;
    let token = &officer.access_token;

    app.clock.pin(Some(day("2026-07-30")));
    let a = create_report(&app, token, &on_time, "2026-S1").await;
    let submitted = step(&app, token, a["id"].as_str().unwrap(), "submit").await;
    assert_eq!(submitted["late"], false, "the due day itself is on time");
    create_report(&app, token, &drafted, "2026-S1").await;
    let b = create_report(&app, token, &late, "2026-S1").await;
    // On the due date nothing is overdue yet.
    let queue = expect_json(
        app.get_as("/v1/reports?overdue=true&period=2026-S1", token)
            .await,
        200,
    )
    .await;
    assert_eq!(queue["items"], json!([]));

    app.clock.pin(Some(day("2026-07-31")));
    let submitted = step(&app, token, b["id"].as_str().unwrap(), "submit").await;
    assert_eq!(submitted["late"], true, "the day after is late");
    let overdue = expect_json(
        app.get_as("/v1/reports?overdue=true&region=64.71", token)
            .await,
        200,
    )
    .await;
    let mut found: Vec<(String, String)> = overdue["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            assert_eq!(i["period"], "2026-S1");
            assert_eq!(i["overdue"], true);
            (
                i["registration_id"].as_str().unwrap().to_owned(),
                i["state"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    found.sort();
    let mut expected = vec![
        (silent.clone(), "missing".to_owned()),
        (drafted.clone(), "draft".to_owned()),
    ];
    expected.sort();
    assert_eq!(found, expected);
    let missing = expect_json(app.get_as("/v1/reports?state=missing", token).await, 200).await;
    assert_eq!(missing["items"].as_array().unwrap().len(), 1);
    assert_eq!(missing["items"][0]["registration_id"], json!(silent));
    assert_eq!(missing["items"][0]["report_id"], Value::Null);
    let lates = expect_json(app.get_as("/v1/reports?late=true", token).await, 200).await;
    assert_eq!(lates["items"].as_array().unwrap().len(), 1);
    assert_eq!(lates["items"][0]["registration_id"], json!(late));
    let submitted = expect_json(
        app.get_as("/v1/reports?state=submitted&period=2026-S1", token)
            .await,
        200,
    )
    .await;
    assert_eq!(submitted["items"].as_array().unwrap().len(), 2);
    // The list filter agrees.
    let list = expect_json(
        app.get_as("/v1/ormas?report_overdue=true", token).await,
        200,
    )
    .await;
    let mut ids: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    ids.sort();
    let mut want = vec![silent.as_str(), drafted.as_str()];
    want.sort();
    assert_eq!(ids, want);
    // Queue filters are checked.
    expect_problem(
        app.get_as("/v1/reports?period=2026-S9", token).await,
        400,
        "invalid_query",
    )
    .await;
    // An overdue report is unsubmitted, so never accepted.
    let none = expect_json(
        app.get_as("/v1/reports?overdue=true&state=accepted", token)
            .await,
        200,
    )
    .await;
    assert_eq!(none["items"], json!([]));
}

#[tokio::test]
async fn the_due_date_moves_with_an_annual_cadence() {
    let app = TestApp::spawn_with(|c| {
        c.reporting.cadence = ormas_domain::Cadence::Annual;
    })
    .await;
    let officer = app
        .signed_in("officer.6471", "officer", Some("64.71"))
        .await;
    let ormas = OrmasFixture::registered("64.71").insert(&app).await;
    let token = &officer.access_token;
    app.clock.pin(Some(day("2027-01-30")));
    // Semester periods are refused under annual reporting.
    let body = expect_problem(
        app.post_as(
            &format!("/v1/ormas/{ormas}/reports"),
            token,
            &report_for("2026-S2"),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(body["errors"][0]["code"], "wrong_cadence");
    let report = create_report(&app, token, &ormas, "2026").await;
    assert_eq!(report["due_on"], "2027-01-30");
    // 2026's report is not yet overdue on its due date; 2025's is.
    let s = status(&app, token, &ormas).await;
    assert_eq!(s["next_report"]["period"], "2025");
    assert_eq!(s["next_report"]["due_on"], "2026-01-30");
    let id = report["id"].as_str().unwrap();
    app.clock.pin(Some(day("2027-01-31")));
    let submitted = step(&app, token, id, "submit").await;
    assert_eq!(submitted["late"], true);
}

#[tokio::test]
async fn returned_reports_are_corrected_and_resubmitted() {
    let app = TestApp::spawn().await;
    let officer = app
        .signed_in("officer.6471", "officer", Some("64.71"))
        .await;
    let ormas = OrmasFixture::registered("64.71").insert(&app).await;
    let rep = representative(&app, &officer, "rep.two", &ormas).await;
    app.clock.pin(Some(day("2026-07-20")));
    let mut unsigned = report_for("2026-S1");
    unsigned["signatories"] = json!({"ketua": "H. Abdul Rahman"});
    let report = expect_json(
        app.post_as(
            &format!("/v1/ormas/{ormas}/reports"),
            &rep.access_token,
            &unsigned,
        )
        .await,
        201,
    )
    .await;
    let id = report["id"].as_str().unwrap().to_owned();
    // Both signatories are needed.
    let body = expect_problem(
        app.post_as(
            &format!("/v1/reports/{id}/submit"),
            &rep.access_token,
            &json!({}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "signatories.sekretaris");
    // Stale version: 412; the right one edits.
    let stale = app
        .client
        .patch(app.url(&format!("/v1/reports/{id}")))
        .bearer_auth(&rep.access_token)
        .header("If-Match", "\"7\"")
        .json(&json!({"signatories": {"ketua": "A", "sekretaris": "B"}}))
        .send()
        .await
        .unwrap();
    expect_problem(stale, 412, "precondition_failed").await;
    let edited = app
        .client
        .patch(app.url(&format!("/v1/reports/{id}")))
        .bearer_auth(&rep.access_token)
        .header("If-Match", "\"1\"")
        .json(&json!({"signatories": {"ketua": "A", "sekretaris": "B"}}))
        .send()
        .await
        .unwrap();
    let edited = expect_json(edited, 200).await;
    assert_eq!(edited["version"], 2);
    assert_eq!(edited["activities"][0]["place"], "Balikpapan");
    step(&app, &rep.access_token, &id, "submit").await;
    // Submitted: no edits, no second submit; returning needs a reason.
    expect_problem(
        app.patch_as(&format!("/v1/reports/{id}"), &rep.access_token, &json!({}))
            .await,
        409,
        "conflict",
    )
    .await;
    expect_problem(
        app.post_as(
            &format!("/v1/reports/{id}/submit"),
            &rep.access_token,
            &json!({}),
        )
        .await,
        409,
        "conflict",
    )
    .await;
    expect_problem(
        app.post_as(
            &format!("/v1/reports/{id}/return"),
            &officer.access_token,
            &json!({}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    let returned = expect_json(
        app.post_as(
            &format!("/v1/reports/{id}/return"),
            &officer.access_token,
            &json!({"reason": "Rincian belanja belum ada."}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(returned["state"], "returned");
    assert_eq!(returned["return_reason"], "Rincian belanja belum ada.");
    // Resubmitted after the due date: lateness stays with the first submission.
    app.clock.pin(Some(day("2026-08-15")));
    let again = step(&app, &rep.access_token, &id, "submit").await;
    assert_eq!(again["late"], false);
    assert_eq!(again["first_submitted_on"], "2026-07-20");
    assert_eq!(again["submitted_on"], "2026-08-15");
    let accepted = step(&app, &officer.access_token, &id, "accept").await;
    assert_eq!(accepted["receipt_number"], "0001/STTL/64.71/VIII/2026");
    assert_eq!(accepted["allowed_transitions"], json!([]));
    let listed = expect_json(
        app.get_as(&format!("/v1/ormas/{ormas}/reports"), &rep.access_token)
            .await,
        200,
    )
    .await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn others_reports_are_not_found() {
    let app = TestApp::spawn().await;
    let officer = app
        .signed_in("officer.6471", "officer", Some("64.71"))
        .await;
    let other_officer = app
        .signed_in("officer.6472", "officer", Some("64.72"))
        .await;
    let ours = OrmasFixture::registered("64.71").insert(&app).await;
    let theirs = OrmasFixture::registered("64.71").insert(&app).await;
    let rep = representative(&app, &officer, "rep.three", &ours).await;
    app.clock.pin(Some(day("2026-11-22")));
    let report = create_report(&app, &officer.access_token, &theirs, "2026-S1").await;
    let id = report["id"].as_str().unwrap();
    // Another ormas's representative and another region's officer: 404, not 403.
    for token in [&rep.access_token, &other_officer.access_token] {
        expect_problem(
            app.get_as(&format!("/v1/reports/{id}"), token).await,
            404,
            "not_found",
        )
        .await;
        expect_problem(
            app.post_as(&format!("/v1/reports/{id}/submit"), token, &json!({}))
                .await,
            404,
            "not_found",
        )
        .await;
    }
    expect_problem(
        app.post_as(
            &format!("/v1/ormas/{theirs}/reports"),
            &rep.access_token,
            &report_for("2026-S2"),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    // The representative's queue holds only its own ormas.
    let queue = expect_json(
        app.get_as("/v1/reports?state=missing", &rep.access_token)
            .await,
        200,
    )
    .await;
    let items = queue["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["registration_id"], json!(ours));
    // Another region's queue is forbidden to an officer.
    expect_problem(
        app.get_as("/v1/reports?region=64.72", &officer.access_token)
            .await,
        403,
        "forbidden",
    )
    .await;
    // Heads, oversight and integrators read but do not write.
    let head = app.signed_in("head.6471", "head", Some("64.71")).await;
    expect_json(
        app.get_as(&format!("/v1/reports/{id}"), &head.access_token)
            .await,
        200,
    )
    .await;
    expect_problem(
        app.post_as(
            &format!("/v1/ormas/{theirs}/reports"),
            &head.access_token,
            &report_for("2026-S2"),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
}

#[tokio::test]
async fn activities_attach_documents_uploaded_for_reports() {
    use ormas_tests::reqwest::multipart::{Form, Part};
    let app = TestApp::spawn().await;
    let officer = app
        .signed_in("officer.6471", "officer", Some("64.71"))
        .await;
    let ormas = OrmasFixture::registered("64.71").insert(&app).await;
    let other = OrmasFixture::registered("64.71").insert(&app).await;
    app.clock.pin(Some(day("2026-11-22")));
    let upload = |id: String, doc_type: &'static str| {
        let form = Form::new().text("type", doc_type).part(
            "file",
            Part::bytes(b"%PDF-1.4\n%%EOF\n".to_vec()).file_name("foto.pdf"),
        );
        app.client
            .post(app.url(&format!("/v1/ormas/{id}/documents")))
            .bearer_auth(&officer.access_token)
            .multipart(form)
            .send()
    };
    // A registered ormas uploads report attachments, not registration documents.
    let document = expect_json(
        upload(ormas.clone(), "report_attachment").await.unwrap(),
        201,
    )
    .await;
    expect_problem(
        upload(ormas.clone(), "cover_letter").await.unwrap(),
        409,
        "conflict",
    )
    .await;
    let foreign = expect_json(
        upload(other.clone(), "report_attachment").await.unwrap(),
        201,
    )
    .await;

    let mut body = report_for("2026-S2");
    body["activities"][0]["document_ids"] = json!([document["id"]]);
    let report = create_report_with(&app, &officer.access_token, &ormas, &body).await;
    assert_eq!(
        report["activities"][0]["document_ids"],
        json!([document["id"]])
    );
    // Another ormas's document is refused.
    let id = report["id"].as_str().unwrap();
    let refused = expect_problem(
        app.patch_as(
            &format!("/v1/reports/{id}"),
            &officer.access_token,
            &json!({"activities": [{"date": "2026-09-01", "place": "x", "description": "y", "document_ids": [foreign["id"]]}]}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(refused["errors"][0]["code"], "unknown_document");
}

async fn create_report_with(app: &TestApp, token: &str, ormas: &str, body: &Value) -> Value {
    expect_json(
        app.post_as(&format!("/v1/ormas/{ormas}/reports"), token, body)
            .await,
        201,
    )
    .await
}
