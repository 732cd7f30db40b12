//! Consultations: the thread's lifecycle, the first answer's deadline in working days, the
//! automatic close, assignment, attachments, scope and roles.

use base64::Engine;
use ormas_tests::fixtures::{OrmasFixture, day};
use ormas_tests::{Session, TestApp, expect_json, expect_problem, json};
use serde_json::Value;

use crate::reports::representative;

const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn question() -> Value {
    json!({
        "topic": "kepengurusan",
        "subject": "Pergantian ketua",
        "message": "Ketua kami mengundurkan diri. Apa yang harus dilaporkan?"
    })
}

struct World {
    officer: Session,
    other_officer: Session,
    head: Session,
    rep_a: Session,
    rep_b: Session,
}

async fn world(app: &TestApp) -> World {
    let officer = app
        .signed_in("officer.6471", "officer", Some("64.71"))
        .await;
    let other_officer = app
        .signed_in("officer.6401", "officer", Some("64.01"))
        .await;
    let head = app.signed_in("head.6471", "head", Some("64.71")).await;
    let a = OrmasFixture::registered("64.71")
        .named("Perkumpulan Peduli Balikpapan")
        .insert(app)
        .await;
    let b = OrmasFixture::registered("64.71")
        .named("Perkumpulan Lain")
        .insert(app)
        .await;
    let rep_a = representative(app, &officer, "rep.a", &a).await;
    let rep_b = representative(app, &officer, "rep.b", &b).await;
    World {
        officer,
        other_officer,
        head,
        rep_a,
        rep_b,
    }
}

async fn open(app: &TestApp, rep: &Session, body: &Value) -> Value {
    expect_json(
        app.post_as("/v1/consultations", &rep.access_token, body)
            .await,
        201,
    )
    .await
}

async fn reply(app: &TestApp, who: &Session, id: &str, text: &str) -> reqwest::Response {
    app.post_as(
        &format!("/v1/consultations/{id}/messages"),
        &who.access_token,
        &json!({"body": text}),
    )
    .await
}

async fn get(app: &TestApp, who: &Session, id: &str) -> Value {
    expect_json(
        app.get_as(&format!("/v1/consultations/{id}"), &who.access_token)
            .await,
        200,
    )
    .await
}

async fn queue_ids(app: &TestApp, who: &Session, query: &str) -> Vec<String> {
    let page = expect_json(
        app.get_as(&format!("/v1/consultations?{query}"), &who.access_token)
            .await,
        200,
    )
    .await;
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_first_answer_deadline_skips_weekends_and_holidays() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    // Tuesday 17 March 2026: the 18th–20th and 23rd–24th are Nyepi, Idul Fitri and cuti bersama,
    // the 21st–22nd a weekend: the three working days are 25, 26 and 27 March.
    app.clock.pin(Some(day("2026-03-17")));
    let thread = open(&app, &w.rep_a, &question()).await;
    let id = thread["id"].as_str().unwrap().to_owned();
    assert_eq!(thread["state"], "open");
    assert_eq!(thread["first_answer_due_on"], "2026-03-27");
    assert_eq!(thread["region_code"], "64.71");
    assert!(
        thread["ormas_name"]
            .as_str()
            .unwrap()
            .starts_with("Perkumpulan Peduli Balikpapan")
    );
    assert_eq!(thread["overdue"], false);
    assert_eq!(thread["messages"].as_array().unwrap().len(), 1);
    assert_eq!(thread["messages"][0]["side"], "asker");

    app.clock.pin(Some(day("2026-03-27")));
    assert_eq!(get(&app, &w.officer, &id).await["overdue"], false);
    assert!(queue_ids(&app, &w.officer, "overdue=true").await.is_empty());
    app.clock.pin(Some(day("2026-03-30")));
    assert_eq!(get(&app, &w.officer, &id).await["overdue"], true);
    assert_eq!(
        queue_ids(&app, &w.officer, "overdue=true").await,
        [id.as_str()]
    );
    assert!(
        queue_ids(&app, &w.officer, "overdue=false")
            .await
            .is_empty()
    );

    // The late first answer: four working days (25, 26, 27, 30 March), late, no longer overdue.
    let answered = expect_json(reply(&app, &w.officer, &id, "Laporkan SK baru.").await, 201).await;
    assert_eq!(answered["state"], "answered");
    assert_eq!(answered["first_answer_working_days"], 4);
    assert_eq!(answered["answered_late"], true);
    assert_eq!(answered["overdue"], false);
    assert!(queue_ids(&app, &w.officer, "overdue=true").await.is_empty());
}

#[tokio::test]
async fn an_answer_makes_it_answered_a_reply_open_and_the_asker_closes() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    app.clock.pin(Some(day("2026-06-01")));
    let id = open(&app, &w.rep_a, &question()).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let answered = expect_json(reply(&app, &w.head, &id, "Silakan lapor.").await, 201).await;
    assert_eq!(answered["state"], "answered");
    assert_eq!(answered["first_answer_working_days"], 0);
    assert_eq!(answered["auto_closes_on"], "2026-06-15");
    assert_eq!(answered["messages"][1]["side"], "office");
    let reopened = expect_json(reply(&app, &w.rep_a, &id, "Dokumen apa?").await, 201).await;
    assert_eq!(reopened["state"], "open");
    assert_eq!(reopened["auto_closes_on"], Value::Null);
    assert_eq!(
        queue_ids(&app, &w.officer, "state=open").await,
        [id.as_str()]
    );

    // Only the asker closes; a stale If-Match is 412.
    expect_problem(
        app.post_as(
            &format!("/v1/consultations/{id}/close"),
            &w.officer.access_token,
            &json!({}),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    let stale = app
        .client
        .post(app.url(&format!("/v1/consultations/{id}/close")))
        .bearer_auth(&w.rep_a.access_token)
        .header("If-Match", "\"1\"")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 412);
    let closed = expect_json(
        app.post_as(
            &format!("/v1/consultations/{id}/close"),
            &w.rep_a.access_token,
            &json!({"note": "Terima kasih."}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(closed["state"], "closed");
    assert_eq!(closed["closure"], "by_asker");
    assert_eq!(closed["closed_on"], "2026-06-01");
    let actions: Vec<&str> = closed["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["opened", "office_replied", "asker_replied", "closed"]
    );
    expect_problem(reply(&app, &w.officer, &id, "Lagi.").await, 409, "conflict").await;
    expect_problem(
        app.post_as(
            &format!("/v1/consultations/{id}/close"),
            &w.rep_a.access_token,
            &json!({}),
        )
        .await,
        409,
        "conflict",
    )
    .await;
    assert_eq!(queue_ids(&app, &w.officer, "state=closed").await, [id]);
}

#[tokio::test]
async fn an_answer_without_reply_closes_itself_after_the_configured_days() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    app.clock.pin(Some(day("2026-06-01")));
    let id = open(&app, &w.rep_a, &question()).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    expect_json(reply(&app, &w.officer, &id, "Jawaban.").await, 201).await;
    app.clock.pin(Some(day("2026-06-14")));
    assert_eq!(get(&app, &w.rep_a, &id).await["state"], "answered");
    assert_eq!(
        queue_ids(&app, &w.officer, "state=answered").await,
        [id.as_str()]
    );
    assert!(queue_ids(&app, &w.officer, "state=closed").await.is_empty());

    app.clock.pin(Some(day("2026-06-15")));
    let thread = get(&app, &w.rep_a, &id).await;
    assert_eq!(thread["state"], "closed");
    assert_eq!(thread["closure"], "automatic");
    assert_eq!(thread["closed_on"], "2026-06-15");
    assert!(
        queue_ids(&app, &w.officer, "state=answered")
            .await
            .is_empty()
    );
    assert_eq!(
        queue_ids(&app, &w.officer, "state=closed").await,
        [id.as_str()]
    );
    expect_problem(
        reply(&app, &w.rep_a, &id, "Masih ada?").await,
        409,
        "conflict",
    )
    .await;
}

#[tokio::test]
async fn the_auto_close_days_are_a_setting() {
    let app = TestApp::spawn_with(|c| c.consultations.auto_close_days = 2).await;
    let w = world(&app).await;
    app.clock.pin(Some(day("2026-06-01")));
    let id = open(&app, &w.rep_a, &question()).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    expect_json(reply(&app, &w.officer, &id, "Jawaban.").await, 201).await;
    app.clock.pin(Some(day("2026-06-03")));
    assert_eq!(get(&app, &w.rep_a, &id).await["state"], "closed");
}

#[tokio::test]
async fn scope_other_ormas_other_region_anonymous_and_integrator() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let id = open(&app, &w.rep_a, &question()).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/v1/consultations/{id}");
    // Another ormas's representative and another region's officer: 404, and not in their queue.
    for who in [&w.rep_b, &w.other_officer] {
        expect_problem(app.get_as(&path, &who.access_token).await, 404, "not_found").await;
        expect_problem(reply(&app, who, &id, "x").await, 404, "not_found").await;
        assert!(queue_ids(&app, who, "").await.is_empty());
    }
    expect_problem(
        app.post_as(&format!("{path}/close"), &w.rep_b.access_token, &json!({}))
            .await,
        404,
        "not_found",
    )
    .await;
    assert_eq!(queue_ids(&app, &w.rep_a, "").await, [id.as_str()]);
    assert_eq!(queue_ids(&app, &w.head, "").await, [id.as_str()]);
    // A province officer sees it; a region outside the caller's scope is 403 in the queue.
    let province = app.signed_in("officer.64", "officer", Some("64")).await;
    assert_eq!(get(&app, &province, &id).await["id"], id.as_str());
    expect_problem(
        app.get_as("/v1/consultations?region=63", &w.officer.access_token)
            .await,
        403,
        "forbidden",
    )
    .await;
    // Anonymous: 401.
    assert_eq!(app.get(&path).await.status(), 401);
    assert_eq!(app.get("/v1/consultations").await.status(), 401);
    assert_eq!(
        app.post_json("/v1/consultations", &question())
            .await
            .status(),
        401
    );
    // Roles that neither ask nor answer: 403 on a reply; staff may not open.
    let admin = app.signed_in("admin.6471", "admin", Some("64.71")).await;
    let oversight = app.signed_in("team.6471", "oversight", Some("64.71")).await;
    for who in [&admin, &oversight] {
        expect_problem(reply(&app, who, &id, "x").await, 403, "forbidden").await;
        assert_eq!(get(&app, who, &id).await["id"], id.as_str());
    }
    expect_problem(
        app.post_as("/v1/consultations", &w.officer.access_token, &question())
            .await,
        403,
        "forbidden",
    )
    .await;
}

#[tokio::test]
async fn integrators_may_not_read_consultations() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let id = open(&app, &w.rep_a, &question()).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let admin = app.signed_in("admin.64", "admin", Some("64")).await;
    let created = expect_json(
        app.post_as(
            "/v1/clients",
            &admin.access_token,
            &json!({"client_id": "siormas", "name": "SIORMAS"}),
        )
        .await,
        201,
    )
    .await;
    let token = expect_json(
        app.post_json(
            "/v1/auth/token",
            &json!({"grant_type": "client_credentials", "client_id": "siormas", "client_secret": created["client_secret"]}),
        )
        .await,
        200,
    )
    .await;
    let token = token["access_token"].as_str().unwrap();
    for path in [
        "/v1/consultations".to_owned(),
        format!("/v1/consultations/{id}"),
    ] {
        expect_problem(app.get_as(&path, token).await, 403, "forbidden").await;
    }
    expect_problem(
        app.post_as(
            &format!("/v1/consultations/{id}/messages"),
            token,
            &json!({"body": "x"}),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
}

#[tokio::test]
async fn a_person_forming_an_ormas_names_the_office() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let person = app.signed_in("calon.pendiri", "ormas_rep", None).await;
    let stranger = app.signed_in("calon.lain", "ormas_rep", None).await;
    let problem = expect_problem(
        app.post_as("/v1/consultations", &person.access_token, &question())
            .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "region");
    assert_eq!(problem["errors"][0]["code"], "required");
    let mut body = question();
    body["region"] = json!("64.99");
    let problem = expect_problem(
        app.post_as("/v1/consultations", &person.access_token, &body)
            .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["code"], "unknown_region");
    body["region"] = json!("64.71");
    body["topic"] = json!("pendirian");
    let thread = open(&app, &person, &body).await;
    let id = thread["id"].as_str().unwrap().to_owned();
    assert_eq!(thread["ormas_id"], Value::Null);
    assert_eq!(thread["region_code"], "64.71");
    assert_eq!(get(&app, &w.officer, &id).await["topic"], "pendirian");
    assert_eq!(
        queue_ids(&app, &w.officer, "topic=pendirian").await,
        [id.as_str()]
    );
    assert!(queue_ids(&app, &w.officer, "topic=hibah").await.is_empty());
    assert_eq!(queue_ids(&app, &person, "").await, [id.as_str()]);
    assert!(queue_ids(&app, &stranger, "").await.is_empty());
    expect_problem(
        app.get_as(&format!("/v1/consultations/{id}"), &stranger.access_token)
            .await,
        404,
        "not_found",
    )
    .await;
    // A bound representative may not ask another region's office.
    let mut elsewhere = question();
    elsewhere["region"] = json!("64.01");
    let problem = expect_problem(
        app.post_as("/v1/consultations", &w.rep_a.access_token, &elsewhere)
            .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["code"], "not_own_region");
}

#[tokio::test]
async fn bad_input_is_refused_with_the_field() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    for (patch, field) in [
        (json!({"topic": "politik"}), "topic"),
        (json!({"subject": "   "}), "subject"),
        (json!({"message": ""}), "message"),
    ] {
        let mut body = question();
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let problem = expect_problem(
            app.post_as("/v1/consultations", &w.rep_a.access_token, &body)
                .await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
    expect_problem(
        app.get_as("/v1/consultations?state=pending", &w.officer.access_token)
            .await,
        400,
        "invalid_query",
    )
    .await;
}

#[tokio::test]
async fn attachments_are_checked_by_their_bytes() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let mut body = question();
    body["attachments"] = json!([{"filename": "sk.png", "content_base64": b64(PNG)}]);
    let thread = open(&app, &w.rep_a, &body).await;
    let id = thread["id"].as_str().unwrap().to_owned();
    let attachment = &thread["messages"][0]["attachments"][0];
    assert_eq!(attachment["content_type"], "image/png");
    assert_eq!(attachment["size_bytes"], PNG.len());
    let url = attachment["url"].as_str().unwrap().to_owned();
    let download = app.get_as(&url, &w.officer.access_token).await;
    assert_eq!(download.status(), 200);
    assert_eq!(download.headers()["content-type"], "image/png");
    assert_eq!(download.bytes().await.unwrap().as_ref(), PNG);
    expect_problem(
        app.get_as(&url, &w.rep_b.access_token).await,
        404,
        "not_found",
    )
    .await;

    for (content, code) in [
        (b64(b"<html>not a document</html>"), "unsupported_file_type"),
        ("%%% not base64".to_owned(), "invalid_base64"),
    ] {
        let problem = expect_problem(
            app.post_as(
                &format!("/v1/consultations/{id}/messages"),
                &w.officer.access_token,
                &json!({"body": "Lampiran", "attachments": [
                    {"filename": "ok.png", "content_base64": b64(PNG)},
                    {"filename": "x.pdf", "content_base64": content}
                ]}),
            )
            .await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(
            problem["errors"][0]["field"],
            "attachments[1].content_base64"
        );
        assert_eq!(problem["errors"][0]["code"], code);
    }
    // Nothing was written by the refused replies.
    assert_eq!(get(&app, &w.officer, &id).await["message_count"], 1);
}

#[tokio::test]
async fn assignment_only_to_an_officer_of_a_region_covering_the_thread() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let id = open(&app, &w.rep_a, &question()).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/v1/consultations/{id}/assignment");
    let province = app.signed_in("officer.64", "officer", Some("64")).await;
    // Without If-Match: 428.
    let response = app
        .put_without_if_match(
            &path,
            &w.head.access_token,
            &json!({"officer_id": w.officer.user_id}),
        )
        .await;
    assert_eq!(response.status(), 428);
    let with_tag = |who: &Session, officer: &str| {
        let request = app
            .client
            .put(app.url(&path))
            .bearer_auth(&who.access_token)
            .header("If-Match", "*")
            .json(&json!({"officer_id": officer}));
        async move { request.send().await.unwrap() }
    };
    for officer in [
        w.other_officer.user_id.as_str(),
        w.head.user_id.as_str(),
        w.rep_a.user_id.as_str(),
        "no-such-account",
    ] {
        let problem =
            expect_problem(with_tag(&w.head, officer).await, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["field"], "officer_id");
        assert_eq!(problem["errors"][0]["code"], "not_an_officer_of_the_office");
    }
    expect_problem(
        with_tag(&w.rep_a, &w.officer.user_id).await,
        403,
        "forbidden",
    )
    .await;
    expect_problem(
        with_tag(&w.other_officer, &w.other_officer.user_id).await,
        404,
        "not_found",
    )
    .await;
    // The thread's own office and the province above it both cover it.
    for officer in [&province, &w.officer] {
        let assigned = expect_json(with_tag(&w.head, &officer.user_id).await, 200).await;
        assert_eq!(assigned["assigned_to"], officer.user_id.as_str());
    }
    assert_eq!(
        queue_ids(
            &app,
            &w.officer,
            &format!("assigned_to={}", w.officer.user_id)
        )
        .await,
        [id.as_str()]
    );
    assert!(
        queue_ids(
            &app,
            &w.officer,
            &format!("assigned_to={}", province.user_id)
        )
        .await
        .is_empty()
    );
}

#[tokio::test]
async fn a_suspended_ormas_may_still_consult() {
    let app = TestApp::spawn().await;
    let officer = app
        .signed_in("officer.6471", "officer", Some("64.71"))
        .await;
    let suspended = OrmasFixture::registered("64.71")
        .in_state("suspended")
        .insert(&app)
        .await;
    let rep = representative(&app, &officer, "rep.s", &suspended).await;
    let mut body = question();
    body["topic"] = json!("sengketa_internal");
    let thread = open(&app, &rep, &body).await;
    assert_eq!(thread["ormas_id"], suspended.as_str());
}

#[tokio::test]
async fn the_topics_are_a_reference_list() {
    let app = TestApp::spawn().await;
    let list = expect_json(app.get("/v1/reference/consultation_topics").await, 200).await;
    let codes: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "pendirian",
            "pendaftaran",
            "kepengurusan",
            "ad_art",
            "hibah",
            "pelaporan",
            "sengketa_internal",
            "lainnya"
        ]
    );
}

#[tokio::test]
async fn the_statistics_show_the_median_first_answer_and_overdue_per_office() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let paser = OrmasFixture::registered("64.01").insert(&app).await;
    let rep_paser = representative(&app, &w.other_officer, "rep.paser", &paser).await;
    // Monday 1 June 2026: four threads in Kota Balikpapan, one in Kabupaten Paser.
    app.clock.pin(Some(day("2026-06-01")));
    let mut kota = Vec::new();
    for _ in 0..4 {
        kota.push(
            open(&app, &w.rep_a, &question()).await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let in_paser = open(&app, &rep_paser, &question()).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Answered after 0, 2 and 5 working days (1 June is the Pancasila holiday: the 2nd and 3rd
    // are the first two working days, the 8th the fifth); the fourth is never answered.
    expect_json(reply(&app, &w.officer, &kota[0], "a").await, 201).await;
    app.clock.pin(Some(day("2026-06-03")));
    expect_json(reply(&app, &w.officer, &kota[1], "b").await, 201).await;
    expect_json(reply(&app, &w.other_officer, &in_paser, "c").await, 201).await;
    app.clock.pin(Some(day("2026-06-08")));
    expect_json(reply(&app, &w.head, &kota[2], "d").await, 201).await;

    let overview = expect_json(
        app.get_as("/v1/stats/overview?region=64.71", &w.officer.access_token)
            .await,
        200,
    )
    .await;
    let c = &overview["consultations"];
    assert_eq!(c["first_answer_days"], 3);
    assert_eq!(c["answered"], 3);
    assert_eq!(c["median_first_answer_working_days"], 2.0);
    assert_eq!(c["overdue"], 1);
    assert_eq!(c["offices"].as_array().unwrap().len(), 1);
    assert_eq!(c["offices"][0]["region_code"], "64.71");

    let province = app.signed_in("officer.64", "officer", Some("64")).await;
    let overview = expect_json(
        app.get_as("/v1/stats/overview?region=64", &province.access_token)
            .await,
        200,
    )
    .await;
    let offices = overview["consultations"]["offices"].as_array().unwrap();
    assert_eq!(offices.len(), 2);
    assert_eq!(offices[0]["region_code"], "64.01");
    assert_eq!(offices[0]["answered"], 1);
    assert_eq!(offices[0]["overdue"], 0);
    assert_eq!(offices[1]["median_first_answer_working_days"], 2.0);
    assert_eq!(overview["consultations"]["answered"], 4);
}

#[tokio::test]
async fn blank_texts_are_422_naming_the_field_even_in_unicode_spaces() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let mut body = question();
    body["subject"] = json!("\u{a0}\u{2003}");
    body["attachments"] =
        json!([{"filename": "\u{a0}", "content_base64": b64(b"%PDF-1.4\n%%EOF\n")}]);
    let problem = expect_problem(
        app.post_as("/v1/consultations", &w.rep_a.access_token, &body)
            .await,
        422,
        "validation_failed",
    )
    .await;
    let fields: Vec<(&str, &str)> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    assert!(fields.contains(&("subject", "blank")), "{problem}");
    assert!(
        fields.contains(&("attachments[0].filename", "blank")),
        "{problem}"
    );
    let opened = open(&app, &w.rep_a, &question()).await;
    let id = opened["id"].as_str().unwrap();
    let problem = expect_problem(
        reply(&app, &w.officer, id, "\u{3000}").await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["code"], "blank", "{problem}");
}
