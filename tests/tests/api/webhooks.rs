//! Webhooks: subscriptions managed by their owner (and admins of their region), the SSRF guard's
//! refusals, signed deliveries in feed order with retries, redirects as failures, disabling after
//! the last attempt, pings, secret rotation with an overlap, redelivery, and several instances on
//! one database — one of them killed with SIGKILL mid-delivery — delivering every event.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use ormas_tests::receiver::{Receiver, Reply};
use ormas_tests::reqwest::StatusCode;
use ormas_tests::{Session, TEST_JWT_SECRET, TestApp, expect_json, expect_problem, json};
use serde_json::Value;

use crate::changes::integrator;
use crate::register::{create, draft, office};

const WAIT: Duration = Duration::from_secs(30);

/// A server whose dispatcher polls fast and retries within moments, allowed to reach 127.0.0.1.
async fn app() -> TestApp {
    TestApp::spawn_with(fast_dispatcher).await
}

fn fast_dispatcher(c: &mut ormas_api::Config) {
    c.webhooks.poll = Some(Duration::from_millis(50));
    c.webhooks.retry.base = Duration::from_millis(200);
    c.webhooks.timeout = Duration::from_secs(5);
    c.webhooks.allowlist = vec!["http://127.0.0.1".into()];
}

async fn subscribe(app: &TestApp, who: &Session, body: &Value) -> Value {
    expect_json(
        app.post_as("/v1/webhooks", &who.access_token, body).await,
        201,
    )
    .await
}

/// `n` new drafts in Kota Balikpapan: `n` `ormas.created` events.
async fn drafts(app: &TestApp, officer: &Session, from: usize, n: usize) -> Vec<String> {
    drafts_in(app, officer, "64.71", from, n).await
}

async fn drafts_in(
    app: &TestApp,
    officer: &Session,
    region: &str,
    from: usize,
    n: usize,
) -> Vec<String> {
    let mut ids = Vec::new();
    for i in from..from + n {
        let created = create(
            app,
            &officer.access_token,
            &draft(
                &format!("Ormas Uji {i}"),
                &format!("SKT-{i:03}/2023"),
                region,
            ),
        )
        .await;
        ids.push(created["id"].as_str().unwrap().to_owned());
    }
    ids
}

/// The feed's event ids after `after`, in order, as `who` reads them.
async fn feed_ids(app: &TestApp, who: &Session, after: i64) -> Vec<String> {
    let page = expect_json(
        app.get_as(
            &format!("/v1/changes?after={after}&limit=1000"),
            &who.access_token,
        )
        .await,
        200,
    )
    .await;
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn head(app: &TestApp, who: &Session) -> i64 {
    expect_json(
        app.get_as("/v1/changes/snapshot", &who.access_token).await,
        200,
    )
    .await["position"]
        .as_i64()
        .unwrap()
}

async fn deliveries(app: &TestApp, who: &Session, id: &str) -> Vec<Value> {
    expect_json(
        app.get_as(&format!("/v1/webhooks/{id}/deliveries"), &who.access_token)
            .await,
        200,
    )
    .await["items"]
        .as_array()
        .unwrap()
        .clone()
}

/// Verifies a delivery's `webhook-signature` against `secret`, the way a receiver does it from the
/// specification: HMAC-SHA256 over `id.timestamp.body` with the base64-decoded key.
fn signed_by(received: &ormas_tests::receiver::Received, secret: &str) -> bool {
    let expected = ormas_api::webhooks::sign(
        secret,
        &received.id,
        received.timestamp.parse().unwrap(),
        received.body.as_bytes(),
    )
    .unwrap();
    received.signature.split(' ').any(|s| s == expected)
}

#[tokio::test]
async fn subscriptions_belong_to_their_owner_and_the_admins_of_their_region() {
    let app = TestApp::spawn_with(|c| c.webhooks.allowlist = vec!["http://127.0.0.1".into()]).await;
    let siormas = integrator(&app, "siormas", Some("64")).await;
    let other = integrator(&app, "dashboard", Some("64")).await;
    let admin = app.signed_in("admin.64", "admin", Some("64")).await;
    let admin_elsewhere = app.signed_in("admin.31", "admin", Some("31")).await;
    let officer = app.signed_in("officer.64", "officer", Some("64")).await;

    let created = app
        .post_as(
            "/v1/webhooks",
            &siormas.access_token,
            &json!({"url": "http://127.0.0.1:9/hooks", "types": ["ormas.registered", "report.accepted"],
                "region": "64.71", "description": "SIORMAS"}),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let location = created.headers()["location"].to_str().unwrap().to_owned();
    assert!(created.headers().contains_key("etag"));
    let body: Value = created.json().await.unwrap();
    let id = body["id"].as_str().unwrap().to_owned();
    assert_eq!(location, format!("/v1/webhooks/{id}"));
    assert!(body["secret"].as_str().unwrap().starts_with("whsec_"));
    assert_eq!(
        body["types"],
        json!(["ormas.registered", "report.accepted"])
    );
    assert_eq!(body["region_code"], "64.71");
    assert_eq!(body["owner_role"], "integrator");
    assert_eq!(body["enabled"], true);

    // Read back: never the secret; 304 while unchanged.
    let read = app.get_as(&location, &siormas.access_token).await;
    let tag = read.headers()["etag"].to_str().unwrap().to_owned();
    let read: Value = read.json().await.unwrap();
    assert!(read.get("secret").is_none(), "{read}");
    let again = app
        .client
        .get(app.url(&location))
        .bearer_auth(&siormas.access_token)
        .header("If-None-Match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);

    // The owner and the region's admin see it; another integrator and another region's admin
    // do not (404, and not in their lists); other roles may not manage webhooks; nor anonymous.
    for who in [&siormas, &admin] {
        let list = expect_json(app.get_as("/v1/webhooks", &who.access_token).await, 200).await;
        assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");
        expect_json(app.get_as(&location, &who.access_token).await, 200).await;
    }
    for who in [&other, &admin_elsewhere] {
        let list = expect_json(app.get_as("/v1/webhooks", &who.access_token).await, 200).await;
        assert_eq!(list["items"], json!([]));
        expect_problem(
            app.get_as(&location, &who.access_token).await,
            404,
            "not_found",
        )
        .await;
        expect_problem(
            app.post_as(&format!("{location}/ping"), &who.access_token, &json!({}))
                .await,
            404,
            "not_found",
        )
        .await;
        expect_problem(
            app.delete_as(&location, &who.access_token).await,
            404,
            "not_found",
        )
        .await;
    }
    expect_problem(
        app.get_as("/v1/webhooks", &officer.access_token).await,
        403,
        "forbidden",
    )
    .await;
    expect_problem(
        app.post_as(
            "/v1/webhooks",
            &officer.access_token,
            &json!({"url": "https://example.org/"}),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    for (name, role) in [
        ("head.64", "head"),
        ("oversight.64", "oversight"),
        ("pengurus.64", "ormas_rep"),
    ] {
        let who = app.signed_in(name, role, Some("64")).await;
        for response in [
            app.get_as("/v1/webhooks", &who.access_token).await,
            app.get_as(&location, &who.access_token).await,
            app.post_as(
                "/v1/webhooks",
                &who.access_token,
                &json!({"url": "http://127.0.0.1:9/"}),
            )
            .await,
        ] {
            expect_problem(response, 403, "forbidden").await;
        }
    }
    expect_problem(app.get("/v1/webhooks").await, 401, "unauthorized").await;
    expect_problem(app.get(&location).await, 401, "unauthorized").await;

    // Outside the caller's scope: 403.
    expect_problem(
        app.post_as(
            "/v1/webhooks",
            &siormas.access_token,
            &json!({"url": "http://127.0.0.1:9/hooks", "region": "31"}),
        )
        .await,
        403,
        "forbidden",
    )
    .await;

    // Edit (If-Match required), pause, rotate, delete.
    let no_match = app
        .client
        .patch(app.url(&location))
        .bearer_auth(&siormas.access_token)
        .json(&json!({"enabled": false}))
        .send()
        .await
        .unwrap();
    expect_problem(no_match, 428, "precondition_required").await;
    let paused = expect_json(
        app.patch_as(
            &location,
            &admin.access_token,
            &json!({"enabled": false, "description": "paused by the office"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(paused["enabled"], false);
    assert_eq!(paused["disabled_reason"], "paused");
    assert_eq!(paused["version"], 2);
    let rotated = expect_json(
        app.post_as(
            &format!("{location}/rotate-secret"),
            &siormas.access_token,
            &json!({"overlap_hours": 2}),
        )
        .await,
        200,
    )
    .await;
    assert_ne!(rotated["secret"], body["secret"]);
    assert!(
        rotated["previous_secret_valid_until"].is_string(),
        "{rotated}"
    );
    expect_problem(
        app.post_as(
            &format!("{location}/rotate-secret"),
            &siormas.access_token,
            &json!({"overlap_hours": 500}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    let gone = app.delete_as(&location, &siormas.access_token).await;
    assert_eq!(gone.status(), StatusCode::NO_CONTENT);
    expect_problem(
        app.get_as(&location, &siormas.access_token).await,
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn the_ssrf_guard_refuses_every_internal_destination_and_bad_types() {
    // No allow-list: nothing internal is reachable.
    let app = TestApp::spawn().await;
    let siormas = integrator(&app, "siormas", None).await;
    for url in [
        "http://siormas.example.go.id/hooks",
        "ftp://example.org/hooks",
        "https://user:secret@example.org/hooks",
        "https://127.0.0.1/hooks",
        "https://127.1.2.3:8443/hooks",
        "https://localhost/hooks",
        "https://10.0.0.5/hooks",
        "https://172.16.3.4/hooks",
        "https://192.168.1.10/hooks",
        "https://169.254.169.254/latest/meta-data/",
        "https://100.64.0.1/hooks",
        "https://224.0.0.251/hooks",
        "https://0.0.0.0/hooks",
        "https://[::1]/hooks",
        "https://[::ffff:127.0.0.1]/hooks",
        "https://[::ffff:a9fe:a9fe]/hooks",
        "https://[fe80::1]/hooks",
        "https://[fd00::1]/hooks",
        "https://[ff02::1]/hooks",
        "not a url",
    ] {
        let problem = expect_problem(
            app.post_as("/v1/webhooks", &siormas.access_token, &json!({"url": url}))
                .await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(problem["errors"][0]["field"], "url", "{url}: {problem}");
        assert_eq!(
            problem["errors"][0]["code"], "webhook_url_refused",
            "{url}: {problem}"
        );
    }
    // Plain http to an allow-listed origin is accepted only where the deployment says so.
    let problem = expect_problem(
        app.post_as(
            "/v1/webhooks",
            &siormas.access_token,
            &json!({"url": "http://127.0.0.1:9/hooks"}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("https"),
        "{problem}"
    );

    // Unknown types, and types the integrator may not read.
    let problem = expect_problem(
        app.post_as(
            "/v1/webhooks",
            &siormas.access_token,
            &json!({"url": "https://8.8.8.8/hooks", "types": ["ormas.exploded", "complaint.updated"]}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    let codes: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["unknown_event_type", "not_readable"], "{problem}");
    // Nothing was stored by the refusals.
    let list = expect_json(app.get_as("/v1/webhooks", &siormas.access_token).await, 200).await;
    assert_eq!(list["items"], json!([]));
}

#[tokio::test]
async fn a_receiver_that_fails_twice_gets_each_event_once_in_order_signed() {
    let app = app().await;
    let kota = office(&app, "64.71").await;
    let siormas = integrator(&app, "siormas", Some("64")).await;
    let receiver = Receiver::start(Reply::Status(204));
    receiver.script(&[Reply::Status(500), Reply::Status(503)]);
    let after = head(&app, &siormas).await;
    let hook = subscribe(
        &app,
        &siormas,
        &json!({"url": receiver.url, "types": ["ormas.created"]}),
    )
    .await;
    let secret = hook["secret"].as_str().unwrap().to_owned();
    let id = hook["id"].as_str().unwrap().to_owned();

    drafts(&app, &kota.officer, 1, 4).await;
    let expected = feed_ids(&app, &siormas, after).await;
    assert_eq!(expected.len(), 4);

    let received = receiver
        .wait_until(WAIT, "four distinct deliveries", |r| {
            Receiver::distinct_ids(r).len() == 4 && r.len() == 6
        })
        .await;
    // The first event three times (500, 503, then 204), each later one once, in feed order.
    let ids: Vec<&str> = received.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            &expected[0],
            &expected[0],
            &expected[0],
            &expected[1],
            &expected[2],
            &expected[3]
        ]
    );
    for r in &received {
        assert!(signed_by(r, &secret), "{r:?}");
        let event = r.json();
        assert_eq!(event["id"], r.id.as_str());
        assert_eq!(event["type"], "ormas.created");
        assert!(
            event["data"]["organisation"]["name"]
                .as_str()
                .unwrap()
                .starts_with("Ormas Uji")
        );
    }
    // The events' order is the feed's.
    let seqs: Vec<i64> = received
        .iter()
        .map(|r| r.json()["seq"].as_i64().unwrap())
        .collect();
    assert!(seqs.windows(2).all(|w| w[0] <= w[1]), "{seqs:?}");

    // The deliveries say what happened.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let list = deliveries(&app, &siormas, &id).await;
    assert_eq!(list.len(), 4);
    let first = list
        .iter()
        .find(|d| d["message_id"] == expected[0].as_str())
        .unwrap();
    assert_eq!(first["status"], "succeeded");
    assert_eq!(first["attempts"], 3);
    assert_eq!(first["last_status_code"], 204);
    assert!(list.iter().all(|d| d["status"] == "succeeded"), "{list:?}");
    // Newest first, and filtered by status.
    let seqs: Vec<i64> = list
        .iter()
        .map(|d| d["event_seq"].as_i64().unwrap())
        .collect();
    assert!(seqs.windows(2).all(|w| w[0] >= w[1]), "{seqs:?}");
    let pending = expect_json(
        app.get_as(
            &format!("/v1/webhooks/{id}/deliveries?status=pending"),
            &siormas.access_token,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(pending["items"], json!([]));
    let paged = expect_json(
        app.get_as(
            &format!("/v1/webhooks/{id}/deliveries?page_size=3"),
            &siormas.access_token,
        )
        .await,
        200,
    )
    .await;
    let token = paged["next_page_token"].as_str().unwrap();
    let rest = expect_json(
        app.get_as(
            &format!("/v1/webhooks/{id}/deliveries?page_size=3&page_token={token}"),
            &siormas.access_token,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    assert_eq!(rest["next_page_token"], Value::Null);
}

#[tokio::test]
async fn events_outside_the_subscription_or_the_owners_rights_are_not_delivered() {
    let app = app().await;
    let kota = office(&app, "64.71").await;
    let elsewhere = office(&app, "64.01").await;
    let siormas = integrator(&app, "siormas", Some("64")).await;
    let receiver = Receiver::start(Reply::Status(200));
    subscribe(
        &app,
        &siormas,
        &json!({"url": receiver.url, "region": "64.71"}),
    )
    .await;
    drafts_in(&app, &elsewhere.officer, "64.01", 1, 2).await;
    let mine = drafts(&app, &kota.officer, 3, 1).await;
    receiver
        .wait_until(WAIT, "one delivery", |r| !r.is_empty())
        .await;
    // Time for a delivery that should not come, if there were one.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let received = receiver.received();
    assert_eq!(received.len(), 1, "{received:?}");
    assert_eq!(received[0].json()["data"]["id"], mine[0].as_str());
}

#[tokio::test]
async fn a_redirect_fails_the_last_attempt_disables_and_redelivery_sends_again() {
    let app = TestApp::spawn_with(|c| {
        fast_dispatcher(c);
        c.webhooks.retry.max_attempts = 2;
    })
    .await;
    let kota = office(&app, "64.71").await;
    let siormas = integrator(&app, "siormas", Some("64")).await;
    let receiver = Receiver::start(Reply::Redirect);
    let hook = subscribe(&app, &siormas, &json!({"url": receiver.url})).await;
    let id = hook["id"].as_str().unwrap().to_owned();
    let location = format!("/v1/webhooks/{id}");
    drafts(&app, &kota.officer, 1, 2).await;

    // Two attempts, both redirects (never followed): the subscription is disabled, saying why.
    let mut disabled = Value::Null;
    for _ in 0..200 {
        disabled = expect_json(app.get_as(&location, &siormas.access_token).await, 200).await;
        if disabled["enabled"] == false {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(disabled["enabled"], false, "{disabled}");
    let reason = disabled["disabled_reason"].as_str().unwrap();
    assert!(
        reason.contains("failed 2 times") && reason.contains("redirect"),
        "{reason}"
    );
    let received = receiver.received();
    assert_eq!(
        received.len(),
        2,
        "the redirect is not followed and no later event is sent"
    );
    assert_eq!(received[0].id, received[1].id);
    let list = deliveries(&app, &siormas, &id).await;
    let failed: Vec<&Value> = list.iter().filter(|d| d["status"] == "failed").collect();
    assert_eq!(failed.len(), 1, "{list:?}");
    assert_eq!(failed[0]["last_status_code"], 302);
    assert_eq!(failed[0]["attempts"], 2);
    assert!(list.iter().any(|d| d["status"] == "pending"));

    // The receiver is fixed; the office re-enables and redelivers the given-up event.
    receiver.answer(Reply::Status(200));
    let failed_id = failed[0]["id"].as_str().unwrap().to_owned();
    expect_problem(
        app.post_as(
            &format!("{location}/deliveries/nope/redeliver"),
            &siormas.access_token,
            &json!({}),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    let queued = expect_json(
        app.post_as(
            &format!("{location}/deliveries/{failed_id}/redeliver"),
            &siormas.access_token,
            &json!({}),
        )
        .await,
        202,
    )
    .await;
    assert_eq!(queued["status"], "pending");
    let enabled = expect_json(
        app.patch_as(&location, &siormas.access_token, &json!({"enabled": true}))
            .await,
        200,
    )
    .await;
    assert_eq!(enabled["disabled_reason"], Value::Null);
    let received = receiver
        .wait_until(WAIT, "both events delivered", |r| {
            Receiver::distinct_ids(r).len() == 2 && r.len() == 4
        })
        .await;
    assert_eq!(
        received[2].id, received[0].id,
        "the given-up event goes first"
    );
}

#[tokio::test]
async fn a_ping_and_a_rotation_sign_with_both_secrets_during_the_overlap() {
    let app = app().await;
    let siormas = integrator(&app, "siormas", Some("64")).await;
    let kota = office(&app, "64.71").await;
    let receiver = Receiver::start(Reply::Status(200));
    let hook = subscribe(&app, &siormas, &json!({"url": receiver.url})).await;
    let id = hook["id"].as_str().unwrap().to_owned();
    let old = hook["secret"].as_str().unwrap().to_owned();
    let ping = expect_json(
        app.post_as(
            &format!("/v1/webhooks/{id}/ping"),
            &siormas.access_token,
            &json!({}),
        )
        .await,
        202,
    )
    .await;
    assert_eq!(ping["type"], "webhook.ping");
    let received = receiver
        .wait_until(WAIT, "the ping", |r| !r.is_empty())
        .await;
    assert_eq!(received[0].id, ping["message_id"].as_str().unwrap());
    assert_eq!(received[0].json()["type"], "webhook.ping");
    assert!(signed_by(&received[0], &old));

    let rotated = expect_json(
        app.post_as(
            &format!("/v1/webhooks/{id}/rotate-secret"),
            &siormas.access_token,
            &json!({}),
        )
        .await,
        200,
    )
    .await;
    let new = rotated["secret"].as_str().unwrap().to_owned();
    drafts(&app, &kota.officer, 1, 1).await;
    let received = receiver
        .wait_until(WAIT, "the event", |r| r.len() == 2)
        .await;
    assert_eq!(
        received[1].signature.split(' ').count(),
        2,
        "{:?}",
        received[1]
    );
    assert!(signed_by(&received[1], &old) && signed_by(&received[1], &new));

    // Without an overlap, only the new secret signs.
    let rotated = expect_json(
        app.post_as(
            &format!("/v1/webhooks/{id}/rotate-secret"),
            &siormas.access_token,
            &json!({"overlap_hours": 0}),
        )
        .await,
        200,
    )
    .await;
    let newest = rotated["secret"].as_str().unwrap().to_owned();
    drafts(&app, &kota.officer, 2, 1).await;
    let received = receiver
        .wait_until(WAIT, "the event", |r| r.len() == 3)
        .await;
    assert!(signed_by(&received[2], &newest));
    assert!(!signed_by(&received[2], &new) && !signed_by(&received[2], &old));
}

#[tokio::test]
async fn two_instances_on_one_database_deliver_each_event_exactly_once() {
    let app = app().await;
    let second = app.another_instance(fast_dispatcher);
    let kota = office(&app, "64.71").await;
    let siormas = integrator(&app, "siormas", Some("64")).await;
    let receiver = Receiver::start(Reply::Status(200));
    let after = head(&app, &siormas).await;
    subscribe(
        &app,
        &siormas,
        &json!({"url": receiver.url, "types": ["ormas.created"]}),
    )
    .await;
    // Writes through both instances.
    drafts(&app, &kota.officer, 1, 10).await;
    drafts(&second, &kota.officer, 11, 10).await;
    let expected = feed_ids(&app, &siormas, after).await;
    assert_eq!(expected.len(), 20);
    receiver
        .wait_until(WAIT, "twenty deliveries", |r| r.len() >= 20)
        .await;
    // Time for a duplicate to show, if there were one.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let received = receiver.received();
    let ids: Vec<String> = received.iter().map(|r| r.id.clone()).collect();
    assert_eq!(ids, expected, "each event exactly once, in feed order");
    drop(second);
}

/// A server process of its own on `database`, dispatching webhooks; its address.
fn instance(database: &str, data_dir: &std::path::Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ormas-test-instance"))
        .env_clear()
        .env("DATABASE_URL", database)
        .env("ORMAS_BIND", "127.0.0.1:0")
        .env("ORMAS_DATA_DIR", data_dir)
        .env("ORMAS_JWT_SECRET", TEST_JWT_SECRET)
        .env("ORMAS_WORKERS", "1")
        .env("ORMAS_STATS_REFRESH_SECS", "0")
        .env("ORMAS_CHANGES_PRUNE_SECS", "0")
        .env("ORMAS_WEBHOOK_POLL_MS", "50")
        .env("ORMAS_WEBHOOK_TIMEOUT_SECS", "3")
        .env("ORMAS_WEBHOOK_LEASE_SECS", "4")
        .env("ORMAS_WEBHOOK_RETRY_BASE_SECS", "1")
        .env("ORMAS_WEBHOOK_ALLOWLIST", "http://127.0.0.1")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start an instance");
    let mut line = String::new();
    let stdout = child.stdout.take().expect("stdout");
    std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line)
        .expect("instance address");
    (child, line.trim().to_owned())
}

/// The process id in the lease of the only subscription (`pid{N}-…`), once one is held.
fn lease_holder(database: &str) -> Option<u32> {
    use diesel::prelude::*;
    use ormas_persistence::schema::webhook_subscriptions::dsl as s;
    let mut conn = diesel::pg::PgConnection::establish(database).ok()?;
    let owner: Option<String> = s::webhook_subscriptions
        .select(s::lease_owner)
        .first(&mut conn)
        .ok()?;
    owner?.strip_prefix("pid")?.split('-').next()?.parse().ok()
}

#[tokio::test]
async fn killing_an_instance_mid_delivery_loses_no_event() {
    // This instance takes the writes; its dispatcher stays off (two processes deliver).
    let app = TestApp::spawn_with(|c| c.webhooks.allowlist = vec!["http://127.0.0.1".into()]).await;
    if !app.database.is_postgres() {
        // Several instances share a PostgreSQL database; on SQLite, see the in-process test above.
        return;
    }
    let url = app.database.url();
    let kota = office(&app, "64.71").await;
    let siormas = integrator(&app, "siormas", Some("64")).await;
    let receiver = Receiver::start(Reply::Status(200));
    // The first delivery stalls: its sender is killed while it waits for the answer.
    receiver.script(&[Reply::Stall(Duration::from_secs(2), 200)]);
    let after = head(&app, &siormas).await;
    subscribe(
        &app,
        &siormas,
        &json!({"url": receiver.url, "types": ["ormas.created"]}),
    )
    .await;
    drafts(&app, &kota.officer, 1, 5).await;

    let dir = app.data_dir.join("instances");
    let mut a = instance(&url, &dir.join("a"));
    let mut b = instance(&url, &dir.join("b"));
    receiver
        .wait_until(WAIT, "the first delivery", |r| !r.is_empty())
        .await;
    let holder = lease_holder(&url).expect("a lease is held while delivering");
    let (killed, survivor) = if holder == a.0.id() {
        (&mut a, &mut b)
    } else {
        assert_eq!(holder, b.0.id(), "the lease names one of the two instances");
        (&mut b, &mut a)
    };
    killed.0.kill().expect("SIGKILL"); // SIGKILL on Unix
    killed.0.wait().expect("reaped");
    // More changes after the kill, through the surviving instance's API.
    let survivor_app = survivor.1.clone();
    let response = app
        .client
        .post(format!("{survivor_app}/v1/ormas"))
        .bearer_auth(&kota.officer.access_token)
        .json(&draft("Ormas Uji 6", "SKT-006/2023", "64.71"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    drafts(&app, &kota.officer, 7, 2).await;
    let expected = feed_ids(&app, &siormas, after).await;
    assert_eq!(expected.len(), 8);

    let received = receiver
        .wait_until(WAIT, "all eight events", |r| {
            Receiver::distinct_ids(r).len() == 8
        })
        .await;
    // A receiver that dedupes on webhook-id has every event once, in feed order; only the one in
    // flight at the kill came twice.
    assert_eq!(Receiver::distinct_ids(&received), expected);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let ids: Vec<String> = receiver.received().into_iter().map(|r| r.id).collect();
    let mut twice = vec![expected[0].clone()];
    twice.extend(expected.iter().cloned());
    assert_eq!(
        ids, twice,
        "the killed instance's delivery again, then each event once"
    );

    // SIGTERM stops the survivor cleanly: it exits 0 and gives its lease back.
    let pid = survivor.0.id().to_string();
    let signalled = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(signalled.success());
    let mut exit = None;
    for _ in 0..200 {
        exit = survivor.0.try_wait().unwrap();
        if exit.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let Some(exit) = exit else {
        let _ = survivor.0.kill();
        panic!("the instance did not stop within 10 s of SIGTERM");
    };
    assert!(exit.success(), "{exit:?}");
    assert_eq!(lease_holder(&url), None);
}
