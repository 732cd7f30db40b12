//! `Idempotency-Key` on every `POST`: retries replay the first answer, another request under the
//! same key is a 422, a retry racing the first a 409 (or a replay), keys belong to their caller
//! and expire.

use std::time::Duration;

use ormas_tests::fixtures::{OrmasFixture, day};
use ormas_tests::reqwest::Response;
use ormas_tests::{TestApp, expect_json, expect_problem, json};
use serde_json::Value;

use crate::register::{complete, create, draft, office};
use crate::reports::representative;

async fn post_keyed(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
    key: &str,
    body: &Value,
) -> Response {
    let mut request = app
        .client
        .post(app.url(path))
        .header("Idempotency-Key", key)
        .json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

/// Status, the headers a replay repeats, whether it says it is one, and the body.
async fn answer(response: Response) -> (u16, Option<String>, Option<String>, bool, Value) {
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let location = header("location");
    let etag = header("etag");
    let replayed = header("idempotency-replayed").as_deref() == Some("true");
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, location, etag, replayed, body)
}

fn report(period: &str) -> Value {
    let date = if period.ends_with("S1") {
        "2025-03-14"
    } else {
        "2025-09-14"
    };
    json!({
        "period": period,
        "activities": [{"date": date, "place": "Balikpapan", "description": "Bakti sosial."}],
        "finances": {"income": {"dues": 2400000, "donations": 1500000}, "spending": 3100000},
        "changes": {"board": null, "address": null},
        "signatories": {"ketua": "H. Abdul Rahman", "sekretaris": "Siti Aminah"}
    })
}

async fn report_count(app: &TestApp, token: &str, ormas: &str) -> usize {
    let list = expect_json(
        app.get_as(&format!("/v1/ormas/{ormas}/reports"), token)
            .await,
        200,
    )
    .await;
    list["items"].as_array().unwrap().len()
}

/// An ormas with a bound representative, and the representative's token.
async fn reporting_ormas(app: &TestApp) -> (String, String) {
    let officer = app
        .signed_in("officer.6471", "officer", Some("64.71"))
        .await;
    let ormas = OrmasFixture::registered("64.71").insert(app).await;
    let rep = representative(app, &officer, "rep.one", &ormas).await;
    app.clock.pin(Some(day("2026-01-10")));
    (ormas, rep.access_token)
}

#[tokio::test]
async fn a_retried_report_creation_answers_the_same_201_and_creates_one_report() {
    let app = TestApp::spawn().await;
    let (ormas, token) = reporting_ormas(&app).await;
    let path = format!("/v1/ormas/{ormas}/reports");
    let key = "3b0e6f8a-1c2d-4e5f-8a9b-0c1d2e3f4a5b";

    let first = answer(post_keyed(&app, &path, Some(&token), key, &report("2025-S2")).await).await;
    assert_eq!(first.0, 201, "{}", first.4);
    assert!(first.1.is_some() && first.2.is_some(), "Location and ETag");
    assert!(!first.3, "the first answer is not a replay");

    let retry = answer(post_keyed(&app, &path, Some(&token), key, &report("2025-S2")).await).await;
    assert_eq!(retry.0, 201);
    assert_eq!((&retry.1, &retry.2), (&first.1, &first.2));
    assert!(retry.3, "Idempotency-Replayed: true");
    assert_eq!(retry.4, first.4);
    assert_eq!(report_count(&app, &token, &ormas).await, 1);

    // Without a key, the same request runs again (and meets the existing draft).
    let again = app.post_as(&path, &token, &report("2025-S2")).await;
    assert_eq!(again.status(), 409);
    assert_eq!(report_count(&app, &token, &ormas).await, 1);

    // A refreshed token of the same account is the same caller: the retry replays.
    let rep = app.login("rep.one", ormas_tests::PASSWORD).await;
    let refreshed = expect_json(
        app.post_json(
            "/v1/auth/refresh",
            &json!({"refresh_token": rep.refresh_token}),
        )
        .await,
        200,
    )
    .await;
    let refreshed = refreshed["access_token"].as_str().unwrap();
    let replay =
        answer(post_keyed(&app, &path, Some(refreshed), key, &report("2025-S2")).await).await;
    assert_eq!((replay.0, replay.3), (201, true));
    assert_eq!(replay.4, first.4);
}

#[tokio::test]
async fn the_same_key_with_another_request_is_422() {
    let app = TestApp::spawn().await;
    let (ormas, token) = reporting_ormas(&app).await;
    let path = format!("/v1/ormas/{ormas}/reports");
    let key = "reuse-1";
    let first = post_keyed(&app, &path, Some(&token), key, &report("2025-S2")).await;
    assert_eq!(first.status(), 201);
    let problem = expect_problem(
        post_keyed(&app, &path, Some(&token), key, &report("2025-S1")).await,
        422,
        "idempotency_key_reused",
    )
    .await;
    assert_eq!(problem["type"], "urn:ormas:problem:idempotency_key_reused");
    // Another path under the same key too.
    expect_problem(
        post_keyed(&app, "/v1/ormas", Some(&token), key, &report("2025-S2")).await,
        422,
        "idempotency_key_reused",
    )
    .await;
    assert_eq!(report_count(&app, &token, &ormas).await, 1);
}

#[tokio::test]
async fn a_retried_approval_issues_one_number_and_answers_the_same_body() {
    let app = crate::register::app().await;
    let kota = office(&app, "64.71").await;
    let id = create(
        &app,
        &kota.officer.access_token,
        &draft("Ormas Idempoten", "SKT-IDEM-1", "64.71"),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    complete(&app, &kota.officer.access_token, &id).await;
    let submit = format!("/v1/ormas/{id}/submit");
    let submitted = post_keyed(
        &app,
        &submit,
        Some(&kota.officer.access_token),
        "submit-1",
        &json!({}),
    )
    .await;
    assert_eq!(submitted.status(), 200);
    app.clock.pin(Some(day("2026-11-22")));

    let approve = format!("/v1/ormas/{id}/approve");
    let head = &kota.head.access_token;
    let first = answer(post_keyed(&app, &approve, Some(head), "approve-1", &json!({})).await).await;
    assert_eq!(first.0, 200, "{}", first.4);
    assert_eq!(first.4["registration_number"], "001/SKM/64.71/XI/2026");
    let retry = answer(post_keyed(&app, &approve, Some(head), "approve-1", &json!({})).await).await;
    assert_eq!((retry.0, retry.3), (200, true));
    assert_eq!(retry.4, first.4, "the same body");
    assert_eq!(retry.2, first.2, "the same ETag");

    // Without the key the retry is refused by the lifecycle: no second number either.
    let unkeyed = app.post_as(&approve, head, &json!({})).await;
    assert_eq!(unkeyed.status(), 409);
    let now = expect_json(app.get_as(&format!("/v1/ormas/{id}"), head).await, 200).await;
    assert_eq!(now["registration_number"], "001/SKM/64.71/XI/2026");
    // The register's next number is the second: the retry took none.
    let next = create(
        &app,
        &kota.officer.access_token,
        &draft("Ormas Berikutnya", "SKT-IDEM-3", "64.71"),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    complete(&app, &kota.officer.access_token, &next).await;
    expect_json(
        app.post_as(
            &format!("/v1/ormas/{next}/submit"),
            &kota.officer.access_token,
            &json!({}),
        )
        .await,
        200,
    )
    .await;
    let second = expect_json(
        app.post_as(&format!("/v1/ormas/{next}/approve"), head, &json!({}))
            .await,
        200,
    )
    .await;
    assert_eq!(second["registration_number"], "002/SKM/64.71/XI/2026");
}

#[tokio::test]
async fn a_concurrent_duplicate_creates_one_record() {
    let app = TestApp::spawn().await;
    let (ormas, token) = reporting_ormas(&app).await;
    let path = format!("/v1/ormas/{ormas}/reports");
    let body = report("2025-S2");
    let barrier = tokio::sync::Barrier::new(2);
    let fire = || async {
        barrier.wait().await;
        answer(post_keyed(&app, &path, Some(&token), "race-1", &body).await).await
    };
    let (a, b) = tokio::join!(fire(), fire());
    let (winner, other) = if a.0 == 201 && !a.3 { (a, b) } else { (b, a) };
    assert_eq!((winner.0, winner.3), (201, false), "one runs: {}", winner.4);
    match other.0 {
        409 => assert_eq!(other.4["code"], "idempotency_key_in_progress"),
        201 => {
            assert!(other.3, "a replay");
            assert_eq!((&other.1, &other.4), (&winner.1, &winner.4));
        }
        status => panic!("unexpected {status}: {}", other.4),
    }
    assert_eq!(report_count(&app, &token, &ormas).await, 1);
    // Once the first has finished, a retry replays it.
    let retry = answer(post_keyed(&app, &path, Some(&token), "race-1", &body).await).await;
    assert_eq!((retry.0, retry.3), (201, true));
    assert_eq!(retry.4, winner.4);
}

#[tokio::test]
async fn keys_belong_to_their_caller() {
    let app = TestApp::spawn().await;
    let (ormas, token) = reporting_ormas(&app).await;
    let officer = app.login("officer.6471", ormas_tests::PASSWORD).await;
    let key = "shared-key";
    let first = post_keyed(
        &app,
        &format!("/v1/ormas/{ormas}/reports"),
        Some(&token),
        key,
        &report("2025-S2"),
    )
    .await;
    assert_eq!(first.status(), 201);
    // The officer's request under the same key is its own: it runs (not a 422, not a replay).
    let other = answer(
        post_keyed(
            &app,
            "/v1/ormas",
            Some(&officer.access_token),
            key,
            &json!({"name": ""}),
        )
        .await,
    )
    .await;
    assert_eq!(other.0, 422, "{}", other.4);
    assert_eq!(other.4["code"], "validation_failed");
    assert!(!other.3);
    // A 4xx answer is kept too: the retry replays it.
    let retry = answer(
        post_keyed(
            &app,
            "/v1/ormas",
            Some(&officer.access_token),
            key,
            &json!({"name": ""}),
        )
        .await,
    )
    .await;
    assert_eq!((retry.0, retry.3), (422, true));
    assert_eq!(retry.4, other.4);

    // Anonymous callers are told apart by their address: a login under the same key runs.
    let login = post_keyed(
        &app,
        "/v1/auth/login",
        None,
        key,
        &json!({"username": "rep.one", "password": ormas_tests::PASSWORD}),
    )
    .await;
    assert_eq!(login.status(), 200);
    assert!(login.headers().get("idempotency-replayed").is_none());
}

#[tokio::test]
async fn malformed_keys_are_400_and_nothing_runs() {
    let app = TestApp::spawn().await;
    let (ormas, token) = reporting_ormas(&app).await;
    let path = format!("/v1/ormas/{ormas}/reports");
    for key in [String::new(), "two words".into(), "k".repeat(256)] {
        let problem = expect_problem(
            post_keyed(&app, &path, Some(&token), &key, &report("2025-S2")).await,
            400,
            "bad_request",
        )
        .await;
        assert_eq!(problem["errors"][0]["field"], "Idempotency-Key");
    }
    let twice = app
        .client
        .post(app.url(&path))
        .bearer_auth(&token)
        .header("Idempotency-Key", "a")
        .header("Idempotency-Key", "b")
        .json(&report("2025-S2"))
        .send()
        .await
        .unwrap();
    expect_problem(twice, 400, "bad_request").await;
    assert_eq!(report_count(&app, &token, &ormas).await, 0);
    // The longest key is fine.
    let longest = post_keyed(
        &app,
        &path,
        Some(&token),
        &"k".repeat(255),
        &report("2025-S2"),
    )
    .await;
    assert_eq!(longest.status(), 201);
}

#[tokio::test]
async fn an_expired_key_runs_anew() {
    let app = TestApp::spawn_with(|c| c.idempotency_ttl = Duration::from_millis(300)).await;
    let (ormas, token) = reporting_ormas(&app).await;
    let path = format!("/v1/ormas/{ormas}/reports");
    let first = post_keyed(&app, &path, Some(&token), "expiring", &report("2025-S2")).await;
    assert_eq!(first.status(), 201);
    tokio::time::sleep(Duration::from_millis(600)).await;
    // Not a replay: the request runs again and meets the draft it created.
    let again =
        answer(post_keyed(&app, &path, Some(&token), "expiring", &report("2025-S2")).await).await;
    assert_eq!(again.0, 409, "{}", again.4);
    assert!(!again.3);
    // And the key now holds that new answer; another request under it is refused.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let other = post_keyed(&app, &path, Some(&token), "expiring", &report("2025-S1")).await;
    assert_eq!(other.status(), 201, "expired again: a new request runs");
}

/// The account id (`sub`) of an access token.
fn subject(token: &str) -> String {
    use base64::Engine;
    let payload = token.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    claims["sub"].as_str().unwrap().to_owned()
}

/// Leaves `key` "in progress" for the token's account since `since`, for this request, as an
/// instance that died mid-request leaves it.
async fn leave_in_progress(
    app: &TestApp,
    token: &str,
    key: &str,
    since: chrono::NaiveDateTime,
    (path, body): (&str, &Value),
) {
    use ormas_persistence::idempotency::{self, Fingerprint, IdempotencyRow};
    use sha2::Digest;
    let digest = sha2::Sha256::digest(serde_json::to_vec(body).unwrap());
    let target = app.database.target();
    let row = IdempotencyRow::claim(
        &format!("sub:{}", subject(token)),
        key,
        &Fingerprint {
            method: "POST".into(),
            path: path.to_owned(),
            content_type: "application/json".into(),
            body_sha256: digest.iter().map(|b| format!("{b:02x}")).collect(),
        },
        since,
        since + chrono::TimeDelta::hours(24),
    );
    tokio::task::spawn_blocking(move || {
        let mut conn = target.connect().unwrap();
        idempotency::claim(&mut conn, &row, since).unwrap();
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn a_key_left_in_progress_by_a_dead_instance_is_free_again_after_a_while() {
    let app = TestApp::spawn().await;
    let (ormas, token) = reporting_ormas(&app).await;
    let path = format!("/v1/ormas/{ormas}/reports");
    let now = chrono::Utc::now().naive_utc();
    // Claimed a moment ago: that request may still be running, so a retry waits (409).
    let body = report("2025-S2");
    leave_in_progress(&app, &token, "recent", now, (&path, &body)).await;
    let busy = post_keyed(&app, &path, Some(&token), "recent", &report("2025-S2")).await;
    expect_problem(busy, 409, "idempotency_key_in_progress").await;
    // Claimed ten minutes ago and never completed: its instance died; the retry runs.
    let ten_minutes_ago = now - chrono::TimeDelta::minutes(10);
    leave_in_progress(&app, &token, "abandoned", ten_minutes_ago, (&path, &body)).await;
    let retried = post_keyed(&app, &path, Some(&token), "abandoned", &report("2025-S2")).await;
    assert_eq!(retried.status(), 201);
    let replay =
        answer(post_keyed(&app, &path, Some(&token), "abandoned", &report("2025-S2")).await).await;
    assert_eq!((replay.0, replay.3), (201, true), "and is kept for replays");
}

#[tokio::test]
async fn multipart_uploads_replay_the_same_bytes() {
    let app = crate::register::app().await;
    let kota = office(&app, "64.71").await;
    let token = &kota.officer.access_token;
    let id = create(&app, token, &draft("Ormas Unggah", "SKT-IDEM-2", "64.71")).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let boundary = "ormas-test-boundary";
    let pdf = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"type\"\r\n\r\ncover_letter\r\n\
--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"surat.pdf\"\r\n\
Content-Type: application/pdf\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(pdf);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let send = |body: Vec<u8>| {
        app.client
            .post(app.url(&format!("/v1/ormas/{id}/documents")))
            .bearer_auth(token)
            .header("Idempotency-Key", "upload-1")
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
            .send()
    };
    let first = answer(send(body.clone()).await.unwrap()).await;
    assert_eq!(first.0, 201, "{}", first.4);
    let retry = answer(send(body).await.unwrap()).await;
    assert_eq!((retry.0, retry.3), (201, true));
    assert_eq!(retry.4, first.4);
    let documents = expect_json(
        app.get_as(&format!("/v1/ormas/{id}/documents"), token)
            .await,
        200,
    )
    .await;
    let count = documents["items"]
        .as_array()
        .map(Vec::len)
        .unwrap_or_else(|| documents.as_array().map_or(0, Vec::len));
    assert_eq!(count, 1, "{documents}");
}

#[tokio::test]
async fn requests_without_a_key_are_untouched() {
    let app = TestApp::spawn().await;
    let (ormas, token) = reporting_ormas(&app).await;
    let response = app
        .post_as(
            &format!("/v1/ormas/{ormas}/reports"),
            &token,
            &report("2025-S2"),
        )
        .await;
    assert_eq!(response.status(), 201);
    assert!(response.headers().get("idempotency-replayed").is_none());
}
