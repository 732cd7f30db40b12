//! Attribute permits over HTTP: the checklist per item, a flag blocking approval, the answer
//! deadline across Nyepi and Idul Fitri 2026, gap-free permit numbers under concurrent approvals,
//! eligibility, design bytes, and who sees and does what.

use futures_util::future::join_all;
use ormas_tests::fixtures::{OrmasFixture, day, insert_all};
use ormas_tests::reqwest::multipart::{Form, Part};
use ormas_tests::{Session, TestApp, expect_json, expect_problem, json};
use serde_json::Value;

use crate::register::office;
use crate::reports::representative;

const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];

fn request(ormas: &str, items: usize) -> Value {
    let items: Vec<Value> = (0..items)
        .map(|i| {
            json!({"kind": if i == 0 { "seragam" } else { "bendera" },
                "description": format!("Butir {}", i + 1), "colours": ["hijau", "putih"], "quantity": 100})
        })
        .collect();
    json!({
        "registration_id": ormas, "purpose": "Musyawarah Daerah", "event_name": "Musda IV",
        "event_date": "2026-05-02",
        "vendor": {"name": "CV Sablon Borneo", "address": "Jl. Sudirman 12, Balikpapan"},
        "items": items
    })
}

fn checklist(flag: Option<&str>) -> Value {
    let mut item = serde_json::Map::new();
    for q in [
        "resembles_government_or_security_forces",
        "foreign_symbol_without_permit",
        "resembles_other_ormas",
        "resembles_political_party",
        "separatist_or_banned_symbol",
    ] {
        item.insert(
            q.into(),
            json!({"yes": Some(q) == flag, "note": if Some(q) == flag { Some("Menyerupai lambang Polri") } else { None }}),
        );
    }
    Value::Object(item)
}

async fn create(app: &TestApp, token: &str, ormas: &str, items: usize) -> String {
    let created = expect_json(
        app.post_as("/v1/attribute-permits", token, &request(ormas, items))
            .await,
        201,
    )
    .await;
    assert_eq!(created["state"], "draft");
    created["id"].as_str().unwrap().to_owned()
}

async fn put_design(
    app: &TestApp,
    token: &str,
    id: &str,
    n: usize,
    bytes: &[u8],
) -> ormas_tests::reqwest::Response {
    let form = Form::new().part("file", Part::bytes(bytes.to_vec()).file_name("desain.png"));
    app.client
        .put(app.url(&format!("/v1/attribute-permits/{id}/items/{n}/design")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn step(
    app: &TestApp,
    token: &str,
    id: &str,
    name: &str,
    body: Value,
) -> ormas_tests::reqwest::Response {
    app.post_as(&format!("/v1/attribute-permits/{id}/{name}"), token, &body)
        .await
}

/// A submitted request of `items` items with their designs.
async fn submitted(app: &TestApp, token: &str, ormas: &str, items: usize) -> String {
    let id = create(app, token, ormas, items).await;
    for n in 1..=items {
        expect_json(put_design(app, token, &id, n, PNG).await, 200).await;
    }
    expect_json(step(app, token, &id, "submit", json!({})).await, 200).await;
    id
}

async fn setup() -> (TestApp, String, Session, Session) {
    let app = TestApp::spawn().await;
    app.clock.pin(Some(day("2026-03-13")));
    let ids = insert_all(&app, vec![OrmasFixture::registered("64.71")]).await;
    let o = office(&app, "64.71").await;
    (app, ids[0].clone(), o.officer, o.head)
}

#[tokio::test]
async fn a_flagged_item_blocks_approval_and_a_clean_checklist_issues_a_numbered_permit() {
    let (app, ormas, officer, head) = setup().await;
    let rep = representative(&app, &officer, "rep.atribut", &ormas).await;
    let id = create(&app, &rep.access_token, &ormas, 2).await;
    // Submission needs every design; bad bytes are refused like documents.
    let missing = expect_problem(
        step(&app, &rep.access_token, &id, "submit", json!({})).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(missing["errors"][0]["field"], "items[0].design");
    expect_problem(
        put_design(&app, &rep.access_token, &id, 1, b"not an image").await,
        415,
        "unsupported_media_type",
    )
    .await;
    expect_problem(
        put_design(&app, &rep.access_token, &id, 3, PNG).await,
        404,
        "not_found",
    )
    .await;
    for n in [1, 2] {
        expect_json(put_design(&app, &rep.access_token, &id, n, PNG).await, 200).await;
    }
    let design = app
        .get_as(
            &format!("/v1/attribute-permits/{id}/items/1/design"),
            &officer.access_token,
        )
        .await;
    assert_eq!(design.status(), 200);
    assert_eq!(design.headers()["content-type"], "image/png");
    let sent = expect_json(
        step(&app, &rep.access_token, &id, "submit", json!({})).await,
        200,
    )
    .await;
    assert_eq!(sent["state"], "submitted");
    // Friday 13 March 2026 + 7 working days, across Nyepi (19 March), its cuti bersama and Idul
    // Fitri with its cuti bersama: 31 March, not 24 March.
    assert_eq!(sent["answer_due_on"], "2026-03-31");
    assert_eq!(sent["overdue"], false);

    // Every question of every item must be answered.
    let mut partial = checklist(None);
    partial
        .as_object_mut()
        .unwrap()
        .remove("resembles_political_party");
    let incomplete = expect_problem(
        step(
            &app,
            &officer.access_token,
            &id,
            "review",
            json!({"items": [checklist(None), partial]}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(
        incomplete["errors"][0]["field"],
        "items[1].resembles_political_party"
    );
    let only_one = expect_problem(
        step(
            &app,
            &officer.access_token,
            &id,
            "review",
            json!({"items": [checklist(None)]}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(only_one["errors"].as_array().unwrap().len(), 5);
    // A representative cannot review; an officer cannot approve.
    expect_problem(
        step(&app, &rep.access_token, &id, "review", json!({"items": []})).await,
        403,
        "forbidden",
    )
    .await;
    expect_problem(
        step(&app, &officer.access_token, &id, "approve", json!({})).await,
        403,
        "forbidden",
    )
    .await;

    let flagged = json!({"items": [checklist(None), checklist(Some("resembles_government_or_security_forces"))]});
    let reviewed = expect_json(
        step(&app, &officer.access_token, &id, "review", flagged).await,
        200,
    )
    .await;
    assert_eq!(reviewed["state"], "reviewed");
    assert_eq!(reviewed["flagged_items"], json!([2]));
    let blocked = expect_problem(
        step(&app, &head.access_token, &id, "approve", json!({})).await,
        409,
        "conflict",
    )
    .await;
    assert_eq!(
        blocked["errors"][0]["field"],
        "items[1].resembles_government_or_security_forces"
    );
    assert_eq!(blocked["errors"][0]["code"], "flagged");

    // Returned, the design corrected, submitted and reviewed clean again: approved with a number.
    let returned = expect_json(
        step(
            &app,
            &officer.access_token,
            &id,
            "return",
            json!({"notes": "Ganti lambang butir 2."}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(returned["state"], "returned");
    expect_problem(
        step(
            &app,
            &officer.access_token,
            &id,
            "return",
            json!({"notes": "lagi"}),
        )
        .await,
        409,
        "conflict",
    )
    .await;
    expect_json(put_design(&app, &rep.access_token, &id, 2, PNG).await, 200).await;
    expect_json(
        step(&app, &rep.access_token, &id, "submit", json!({})).await,
        200,
    )
    .await;
    let clean = json!({"items": [checklist(None), checklist(None)]});
    expect_json(
        step(&app, &officer.access_token, &id, "review", clean).await,
        200,
    )
    .await;
    let approved = expect_json(
        step(&app, &head.access_token, &id, "approve", json!({})).await,
        200,
    )
    .await;
    assert_eq!(approved["state"], "approved");
    assert_eq!(approved["permit_number"], "0001/IPA/64.71/III/2026");
    assert_eq!(approved["valid_from"], "2026-03-13");
    assert_eq!(approved["valid_until"], "2026-09-12");

    let history = expect_json(
        app.get_as(
            &format!("/v1/attribute-permits/{id}/history"),
            &rep.access_token,
        )
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
    assert_eq!(actions.first(), Some(&"attribute_permit.create"));
    assert_eq!(actions.last(), Some(&"attribute_permit.approve"));
    assert!(actions.contains(&"attribute_permit.return"));
    assert_eq!(
        history["items"].as_array().unwrap().last().unwrap()["note"],
        "0001/IPA/64.71/III/2026"
    );
}

#[tokio::test]
async fn refusal_names_the_ground_and_the_items_and_the_queue_shows_overdue_requests() {
    let (app, ormas, officer, head) = setup().await;
    let id = submitted(&app, &officer.access_token, &ormas, 2).await;
    let other = submitted(&app, &officer.access_token, &ormas, 1).await;
    expect_problem(
        step(
            &app,
            &head.access_token,
            &id,
            "refuse",
            json!({"ground": "Menyerupai lambang partai."}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    expect_problem(
        step(
            &app,
            &head.access_token,
            &id,
            "refuse",
            json!({"items": [1]}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    let refused = expect_json(
        step(
            &app,
            &head.access_token,
            &id,
            "refuse",
            json!({"ground": "Menyerupai lambang partai.", "items": [2]}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(refused["state"], "refused");
    assert_eq!(refused["refused_items"], json!([2]));
    assert_eq!(refused["refusal_ground"], "Menyerupai lambang partai.");

    let queue = expect_json(
        app.get_as("/v1/attribute-permits?overdue=true", &officer.access_token)
            .await,
        200,
    )
    .await;
    assert_eq!(queue["items"].as_array().unwrap().len(), 0);
    app.clock.pin(Some(day("2026-04-01")));
    let queue = expect_json(
        app.get_as("/v1/attribute-permits?overdue=true", &officer.access_token)
            .await,
        200,
    )
    .await;
    let items = queue["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], other.as_str());
    assert_eq!(items[0]["overdue"], true);
    let refused = expect_json(
        app.get_as("/v1/attribute-permits?state=refused", &officer.access_token)
            .await,
        200,
    )
    .await;
    assert_eq!(refused["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_suspended_ormas_is_refused_with_sanctioned() {
    let app = TestApp::spawn().await;
    let ids = insert_all(
        &app,
        vec![OrmasFixture::registered("64.71").in_state("suspended")],
    )
    .await;
    let o = office(&app, "64.71").await;
    let problem = expect_problem(
        app.post_as(
            "/v1/attribute-permits",
            &o.officer.access_token,
            &request(&ids[0], 1),
        )
        .await,
        409,
        "not_eligible",
    )
    .await;
    assert_eq!(problem["errors"][0]["code"], "sanctioned");
    assert_eq!(problem["errors"][0]["field"], "registration_id");
}

#[tokio::test]
async fn others_see_nothing_and_roles_are_checked() {
    let (app, ormas, officer, _) = setup().await;
    let ids = insert_all(
        &app,
        vec![
            OrmasFixture::registered("64.71").named("Ormas Lain"),
            OrmasFixture::registered("64.72"),
        ],
    )
    .await;
    let id = create(&app, &officer.access_token, &ormas, 1).await;
    let path = format!("/v1/attribute-permits/{id}");
    // Anonymous: 401.
    assert_eq!(app.get(&path).await.status(), 401);
    assert_eq!(
        app.post_json("/v1/attribute-permits", &request(&ormas, 1))
            .await
            .status(),
        401
    );
    // Another ormas's representative: 404, and its queue is its own only.
    let stranger = representative(&app, &officer, "rep.lain", &ids[0]).await;
    expect_problem(
        app.get_as(&path, &stranger.access_token).await,
        404,
        "not_found",
    )
    .await;
    expect_problem(
        app.post_as(
            "/v1/attribute-permits",
            &stranger.access_token,
            &request(&ormas, 1),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    let own = expect_json(
        app.get_as("/v1/attribute-permits", &stranger.access_token)
            .await,
        200,
    )
    .await;
    assert_eq!(own["items"].as_array().unwrap().len(), 0);
    // Another region's officer: 404 on the request, 403 on the region's queue.
    let samarinda = office(&app, "64.72").await;
    expect_problem(
        app.get_as(&path, &samarinda.officer.access_token).await,
        404,
        "not_found",
    )
    .await;
    expect_problem(
        step(
            &app,
            &samarinda.officer.access_token,
            &id,
            "submit",
            json!({}),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    expect_problem(
        app.get_as(
            "/v1/attribute-permits?region=64.71",
            &samarinda.officer.access_token,
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    expect_problem(
        app.post_as(
            "/v1/attribute-permits",
            &samarinda.officer.access_token,
            &request(&ormas, 1),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    let _ = &ids[1];
    // Wrong role: the head does not write requests; an integrator reads only.
    expect_problem(
        app.post_as(
            "/v1/attribute-permits",
            &samarinda.head.access_token,
            &request(&ids[1], 1),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    // Bad input points at the field; PATCH needs If-Match.
    let mut bad = request(&ormas, 1);
    bad["items"][0]["kind"] = json!("topi");
    bad["items"][0]["quantity"] = json!(0);
    let invalid = expect_problem(
        app.post_as("/v1/attribute-permits", &officer.access_token, &bad)
            .await,
        422,
        "validation_failed",
    )
    .await;
    assert!(
        invalid["errors"][0]["field"]
            .as_str()
            .unwrap()
            .starts_with("items[0]")
    );
    expect_problem(
        app.patch_without_if_match(
            &path,
            &officer.access_token,
            &json!({"purpose": "Pelantikan"}),
        )
        .await,
        428,
        "precondition_required",
    )
    .await;
    let edited = expect_json(
        app.patch_as(
            &path,
            &officer.access_token,
            &json!({"purpose": "Pelantikan pengurus"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(edited["purpose"], "Pelantikan pengurus");
    assert_eq!(edited["version"], 2);
}

#[tokio::test]
async fn permit_numbers_are_gap_free_under_concurrent_approvals() {
    let app = TestApp::spawn_with(|c| c.workers = Some(2)).await;
    app.clock.pin(Some(day("2026-03-13")));
    let ids = insert_all(&app, vec![OrmasFixture::registered("64.71")]).await;
    let o = office(&app, "64.71").await;
    let mut permits = Vec::new();
    for _ in 0..8 {
        let id = submitted(&app, &o.officer.access_token, &ids[0], 1).await;
        expect_json(
            step(
                &app,
                &o.officer.access_token,
                &id,
                "review",
                json!({"items": [checklist(None)]}),
            )
            .await,
            200,
        )
        .await;
        permits.push(id);
    }
    let responses = join_all(
        permits
            .iter()
            .map(|id| step(&app, &o.head.access_token, id, "approve", json!({}))),
    )
    .await;
    let mut numbers = Vec::new();
    for response in responses {
        let body = expect_json(response, 200).await;
        numbers.push(body["permit_number"].as_str().unwrap().to_owned());
    }
    numbers.sort();
    let expected: Vec<String> = (1..=8)
        .map(|n| format!("{n:04}/IPA/64.71/III/2026"))
        .collect();
    assert_eq!(numbers, expected);
}

#[tokio::test]
async fn a_suspension_after_submission_stops_the_approval_with_sanctioned() {
    let (app, ormas, officer, head) = setup().await;
    let id = submitted(&app, &officer.access_token, &ormas, 1).await;
    expect_json(
        step(
            &app,
            &officer.access_token,
            &id,
            "review",
            json!({"items": [checklist(None)]}),
        )
        .await,
        200,
    )
    .await;
    let suspension = json!({
        "kind": "activity_suspension", "violation": "Peringatan tidak dipatuhi.",
        "decree_number": "220-77 Tahun 2026", "decree_date": "2026-03-13",
        "issuing_authority": "kemendagri", "period_start": "2026-03-13", "period_end": "2026-06-30",
        "serious": true, "justification": "Atribut menyerupai Polri dipakai dalam pawai."
    });
    expect_json(
        app.post_as(
            &format!("/v1/ormas/{ormas}/sanctions"),
            &head.access_token,
            &suspension,
        )
        .await,
        201,
    )
    .await;
    let refused = expect_problem(
        step(&app, &head.access_token, &id, "approve", json!({})).await,
        409,
        "not_eligible",
    )
    .await;
    assert_eq!(refused["errors"][0]["code"], "sanctioned");
    let still = expect_json(
        app.get_as(&format!("/v1/attribute-permits/{id}"), &head.access_token)
            .await,
        200,
    )
    .await;
    assert_eq!(still["state"], "reviewed");
    assert_eq!(still["permit_number"], serde_json::Value::Null);
}

#[tokio::test]
async fn the_deadline_and_validity_are_settings_and_the_queue_pages() {
    let app = TestApp::spawn_with(|c| {
        c.attribute_permits.answer_working_days = 3;
        c.attribute_permits.validity_months = 12;
    })
    .await;
    app.clock.pin(Some(day("2026-03-13")));
    let ids = insert_all(&app, vec![OrmasFixture::registered("64.71")]).await;
    let o = office(&app, "64.71").await;
    let id = submitted(&app, &o.officer.access_token, &ids[0], 1).await;
    let _second = submitted(&app, &o.officer.access_token, &ids[0], 1).await;
    let got = expect_json(
        app.get_as(
            &format!("/v1/attribute-permits/{id}"),
            &o.officer.access_token,
        )
        .await,
        200,
    )
    .await;
    // Friday 13 March + 3 working days: 16, 17 March, then (past the Nyepi and Idul Fitri holidays
    // and their cuti bersama, 18–24 March) the 25th.
    assert_eq!(got["answer_due_on"], "2026-03-25");
    expect_json(
        step(
            &app,
            &o.officer.access_token,
            &id,
            "review",
            json!({"items": [checklist(None)]}),
        )
        .await,
        200,
    )
    .await;
    let approved = expect_json(
        step(&app, &o.head.access_token, &id, "approve", json!({})).await,
        200,
    )
    .await;
    assert_eq!(approved["valid_until"], "2027-03-12");
    let first = expect_json(
        app.get_as("/v1/attribute-permits?page_size=1", &o.officer.access_token)
            .await,
        200,
    )
    .await;
    assert_eq!(first["items"].as_array().unwrap().len(), 1);
    let token = first["next_page_token"].as_str().unwrap();
    let second = expect_json(
        app.get_as(
            &format!("/v1/attribute-permits?page_size=1&page_token={token}"),
            &o.officer.access_token,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(second["items"].as_array().unwrap().len(), 1);
    assert_ne!(second["items"][0]["id"], first["items"][0]["id"]);
    assert!(second["next_page_token"].is_null());
    expect_problem(
        app.get_as(
            "/v1/attribute-permits?state=pending",
            &o.officer.access_token,
        )
        .await,
        400,
        "invalid_query",
    )
    .await;
}
