//! Oversight cases: the lifecycle with its outcomes, the team, If-Match, region scope, roles and
//! the timeline.

use ormas_tests::fixtures::OrmasFixture;
use ormas_tests::{Session, TestApp, expect_json, expect_problem, json};
use serde_json::Value;

async fn create_case(app: &TestApp, session: &Session, body: Value) -> Value {
    expect_json(
        app.post_as("/v1/oversight/cases", &session.access_token, &body)
            .await,
        201,
    )
    .await
}

async fn step(
    app: &TestApp,
    session: &Session,
    id: &str,
    name: &str,
    body: Value,
) -> reqwest::Response {
    app.post_as(
        &format!("/v1/oversight/cases/{id}/{name}"),
        &session.access_token,
        &body,
    )
    .await
}

use ormas_tests::reqwest;

#[tokio::test]
async fn a_case_moves_through_its_lifecycle_and_its_history_lists_every_move() {
    let app = TestApp::spawn().await;
    let ormas = OrmasFixture::registered("64.71").insert(&app).await;
    let oversight = app
        .signed_in("oversight.6471", "oversight", Some("64.71"))
        .await;
    let case = create_case(
        &app,
        &oversight,
        json!({"region_code": "64.71", "ormas_id": ormas, "title": "Dugaan penyalahgunaan atribut"}),
    )
    .await;
    let id = case["id"].as_str().unwrap().to_owned();
    assert_eq!(case["state"], "open");
    assert_eq!(case["lead_officer_id"], oversight.user_id.as_str());
    assert_eq!(case["allowed_steps"], json!(["investigate"]));

    // Illegal moves name the state and what it allows.
    let problem = expect_problem(
        step(
            &app,
            &oversight,
            &id,
            "recommend",
            json!({"outcome": "guidance"}),
        )
        .await,
        409,
        "conflict",
    )
    .await;
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("open") && detail.contains("investigate"),
        "{detail}"
    );
    expect_problem(
        step(
            &app,
            &oversight,
            &id,
            "close",
            json!({"outcome": "guidance"}),
        )
        .await,
        409,
        "conflict",
    )
    .await;

    let investigating = expect_json(
        step(&app, &oversight, &id, "investigate", json!({})).await,
        200,
    )
    .await;
    assert_eq!(investigating["state"], "investigating");
    // Recommending needs the outcome.
    let problem = expect_problem(
        step(&app, &oversight, &id, "recommend", json!({"note": "x"})).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "outcome");
    expect_problem(
        step(
            &app,
            &oversight,
            &id,
            "recommend",
            json!({"outcome": "fine"}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    let recommended = expect_json(
        step(
            &app,
            &oversight,
            &id,
            "recommend",
            json!({"outcome": "guidance", "note": "Cukup pembinaan."}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(recommended["state"], "recommendation");
    assert_eq!(recommended["recommended_outcome"], "guidance");
    // The head asks for more: back to the inquiry, then a new recommendation.
    expect_json(
        step(
            &app,
            &oversight,
            &id,
            "investigate",
            json!({"note": "Periksa saksi lagi."}),
        )
        .await,
        200,
    )
    .await;
    expect_json(
        step(
            &app,
            &oversight,
            &id,
            "recommend",
            json!({"outcome": "written_warning"}),
        )
        .await,
        200,
    )
    .await;
    expect_problem(
        step(&app, &oversight, &id, "close", json!({})).await,
        422,
        "validation_failed",
    )
    .await;
    let closed = expect_json(
        step(
            &app,
            &oversight,
            &id,
            "close",
            json!({"outcome": "written_warning", "note": "Peringatan tertulis I."}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(closed["state"], "closed");
    assert_eq!(closed["outcome"], "written_warning");
    assert_eq!(closed["closing_note"], "Peringatan tertulis I.");
    assert!(closed["closed_on"].is_string());
    assert_eq!(closed["allowed_steps"], json!([]));
    // Closed is final.
    for name in ["investigate", "recommend", "close"] {
        expect_problem(
            step(&app, &oversight, &id, name, json!({"outcome": "guidance"})).await,
            409,
            "conflict",
        )
        .await;
    }
    expect_problem(
        app.patch_as(
            &format!("/v1/oversight/cases/{id}"),
            &oversight.access_token,
            &json!({"title": "x"}),
        )
        .await,
        409,
        "conflict",
    )
    .await;

    let history = expect_json(
        app.get_as(
            &format!("/v1/oversight/cases/{id}/history"),
            &oversight.access_token,
        )
        .await,
        200,
    )
    .await;
    let moves: Vec<(String, Value, Value)> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert_eq!(e["actor_id"], oversight.user_id.as_str());
            (
                e["action"].as_str().unwrap().to_owned(),
                e["from_state"].clone(),
                e["to_state"].clone(),
            )
        })
        .collect();
    let expected = [
        ("case.create", Value::Null, json!("open")),
        ("case.investigate", json!("open"), json!("investigating")),
        (
            "case.recommend",
            json!("investigating"),
            json!("recommendation"),
        ),
        (
            "case.investigate",
            json!("recommendation"),
            json!("investigating"),
        ),
        (
            "case.recommend",
            json!("investigating"),
            json!("recommendation"),
        ),
        ("case.close", json!("recommendation"), json!("closed")),
    ];
    assert_eq!(moves.len(), expected.len(), "{history}");
    for (got, want) in moves.iter().zip(expected.iter()) {
        assert_eq!((got.0.as_str(), &got.1, &got.2), (want.0, &want.1, &want.2));
    }
    assert_eq!(history["items"][3]["note"], "Periksa saksi lagi.");

    // Every write is audited.
    let admin = app.signed_in("admin.6471", "admin", Some("64.71")).await;
    let audit = expect_json(
        app.get_as(&format!("/v1/audit?target={id}"), &admin.access_token)
            .await,
        200,
    )
    .await;
    assert_eq!(audit["items"].as_array().unwrap().len(), 6, "{audit}");
}

#[tokio::test]
async fn editing_a_case_and_its_team_needs_if_match() {
    let app = TestApp::spawn().await;
    let oversight = app
        .signed_in("oversight.6471", "oversight", Some("64.71"))
        .await;
    let case = create_case(
        &app,
        &oversight,
        json!({"region_code": "64.71", "organisation_name": "Laskar Pemuda Sejahtera", "organisation_address": "Jl. Mulawarman No. 5", "title": "Penutupan jalan"}),
    )
    .await;
    let id = case["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/oversight/cases/{id}");
    assert_eq!(case["organisation_name"], "Laskar Pemuda Sejahtera");
    assert!(case["ormas_id"].is_null());

    expect_problem(
        app.patch_without_if_match(&path, &oversight.access_token, &json!({"title": "x"}))
            .await,
        428,
        "precondition_required",
    )
    .await;
    let stale = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&oversight.access_token)
        .header("if-match", "\"7\"")
        .json(&json!({"title": "x"}))
        .send()
        .await
        .unwrap();
    expect_problem(stale, 412, "precondition_failed").await;
    let changed = expect_json(
        app.patch_as(
            &path,
            &oversight.access_token,
            &json!({"summary": "Klarifikasi 10 Desember."}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(changed["summary"], "Klarifikasi 10 Desember.");
    assert_eq!(changed["title"], "Penutupan jalan");
    assert_eq!(changed["version"], 2);
    // A lead officer must be staff of the region.
    let elsewhere = app
        .create_account("officer.6401", "officer", Some("64.01"))
        .await;
    expect_problem(
        app.patch_as(
            &path,
            &oversight.access_token,
            &json!({"lead_officer_id": elsewhere}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;

    // The team: by agency, members from other agencies without accounts.
    let members = json!({"members": [
        {"agency": "kesbangpol", "name": "Dra. Rina Wulandari", "position": "Kabid Ormas", "user_id": oversight.user_id},
        {"agency": "polri", "name": "AKP Hendra Saputra", "position": "Kasat Intelkam"},
        {"agency": "satpol_pp", "name": "Yusuf"}
    ]});
    let put = |if_match: Option<&str>, body: &Value| {
        let mut request = app
            .client
            .put(app.url(&format!("{path}/members")))
            .bearer_auth(&oversight.access_token)
            .json(body);
        if let Some(tag) = if_match {
            request = request.header("if-match", tag);
        }
        request.send()
    };
    expect_problem(
        put(None, &members).await.unwrap(),
        428,
        "precondition_required",
    )
    .await;
    expect_problem(
        put(Some("\"1\""), &members).await.unwrap(),
        412,
        "precondition_failed",
    )
    .await;
    expect_problem(
        put(
            Some("\"2\""),
            &json!({"members": [{"agency": "fbi", "name": "x"}]}),
        )
        .await
        .unwrap(),
        422,
        "validation_failed",
    )
    .await;
    let problem = expect_problem(
        put(
            Some("\"2\""),
            &json!({"members": [{"agency": "tni", "name": "x", "user_id": "nobody"}]}),
        )
        .await
        .unwrap(),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "members[0].user_id");
    let team = expect_json(put(Some("\"2\""), &members).await.unwrap(), 200).await;
    let agencies: Vec<&str> = team["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["agency"].as_str().unwrap())
        .collect();
    assert_eq!(agencies, ["kesbangpol", "polri", "satpol_pp"]);
    assert!(team["members"][1]["user_id"].is_null());
    let read = expect_json(app.get_as(&path, &oversight.access_token).await, 200).await;
    assert_eq!(read["members"], team["members"]);
    let history = expect_json(
        app.get_as(&format!("{path}/history"), &oversight.access_token)
            .await,
        200,
    )
    .await;
    let actions: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["case.create", "case.update", "case.members"]);
}

#[tokio::test]
async fn cases_are_seen_in_their_region_and_by_its_province() {
    let app = TestApp::spawn().await;
    let ormas = OrmasFixture::registered("64.71").insert(&app).await;
    let balikpapan = app
        .signed_in("oversight.6471", "oversight", Some("64.71"))
        .await;
    let case = create_case(
        &app,
        &balikpapan,
        json!({"region_code": "64.71", "ormas_id": ormas, "title": "Kasus Balikpapan"}),
    )
    .await;
    let path = format!("/v1/oversight/cases/{}", case["id"].as_str().unwrap());

    let paser = app
        .signed_in("oversight.6401", "oversight", Some("64.01"))
        .await;
    expect_problem(
        app.get_as(&path, &paser.access_token).await,
        404,
        "not_found",
    )
    .await;
    expect_problem(
        app.get_as(&format!("{path}/history"), &paser.access_token)
            .await,
        404,
        "not_found",
    )
    .await;
    expect_problem(
        step(
            &app,
            &paser,
            case["id"].as_str().unwrap(),
            "investigate",
            json!({}),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    let none = expect_json(
        app.get_as("/v1/oversight/cases", &paser.access_token).await,
        200,
    )
    .await;
    assert_eq!(none["items"], json!([]));
    expect_problem(
        app.get_as("/v1/oversight/cases?region=64.71", &paser.access_token)
            .await,
        403,
        "forbidden",
    )
    .await;
    // Nor open one there.
    expect_problem(
        app.post_as(
            "/v1/oversight/cases",
            &paser.access_token,
            &json!({"region_code": "64.71", "ormas_id": ormas, "title": "x"}),
        )
        .await,
        403,
        "forbidden",
    )
    .await;

    let province = app.signed_in("oversight.64", "oversight", Some("64")).await;
    expect_json(app.get_as(&path, &province.access_token).await, 200).await;
    let listed = expect_json(
        app.get_as(
            &format!("/v1/oversight/cases?region=64.71&state=open&ormas={ormas}"),
            &province.access_token,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    let closed = expect_json(
        app.get_as("/v1/oversight/cases?state=closed", &province.access_token)
            .await,
        200,
    )
    .await;
    assert_eq!(closed["items"], json!([]));

    // Officers read cases but do not run them; representatives and anonymous callers get nothing.
    let officer = app
        .signed_in("officer.6471", "officer", Some("64.71"))
        .await;
    expect_json(app.get_as(&path, &officer.access_token).await, 200).await;
    expect_problem(
        step(
            &app,
            &officer,
            case["id"].as_str().unwrap(),
            "investigate",
            json!({}),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    expect_problem(
        app.post_as(
            "/v1/oversight/cases",
            &officer.access_token,
            &json!({"region_code": "64.71", "ormas_id": ormas, "title": "x"}),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    let rep = app.signed_in("rep", "ormas_rep", None).await;
    expect_problem(app.get_as(&path, &rep.access_token).await, 403, "forbidden").await;
    expect_problem(app.get(&path).await, 401, "unauthorized").await;
    expect_problem(app.get("/v1/oversight/cases").await, 401, "unauthorized").await;
}

#[tokio::test]
async fn bad_cases_are_422_naming_the_field() {
    let app = TestApp::spawn().await;
    let oversight = app.signed_in("oversight.64", "oversight", Some("64")).await;
    for (body, field) in [
        (json!({"region_code": "64.71", "title": "x"}), "ormas_id"),
        (
            json!({"region_code": "64.71", "organisation_name": "Laskar", "title": "x"}),
            "organisation_address",
        ),
        (
            json!({"region_code": "64.71", "ormas_id": "nope", "title": "x"}),
            "ormas_id",
        ),
        (
            json!({"region_code": "64.71.01", "organisation_name": "L", "organisation_address": "A", "title": "x"}),
            "region_code",
        ),
        (
            json!({"region_code": "64.71", "organisation_name": "L", "organisation_address": "A", "title": "  "}),
            "title",
        ),
    ] {
        let problem = expect_problem(
            app.post_as("/v1/oversight/cases", &oversight.access_token, &body)
                .await,
            422,
            "validation_failed",
        )
        .await;
        assert!(
            problem["errors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["field"] == field),
            "{body}: {problem}"
        );
    }
    // A province's team may open a case at the province level.
    create_case(
        &app,
        &oversight,
        json!({"region_code": "64", "organisation_name": "Jaringan Lintas Kabupaten", "organisation_address": "Samarinda", "title": "Kegiatan lintas kabupaten"}),
    )
    .await;
}
