//! The changes feed: an event per change written with it, gap-safe order under concurrent
//! writers, scoping by region and rights, the snapshot position, retention.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use diesel::connection::SimpleConnection;
use ormas_tests::{Session, TestApp, expect_json, expect_problem, json};
use serde_json::Value;

use crate::register::{app, complete, create, draft, office, transition};

async fn page(app: &TestApp, who: &Session, query: &str) -> Value {
    expect_json(
        app.get_as(&format!("/v1/changes{query}"), &who.access_token)
            .await,
        200,
    )
    .await
}

/// Every event after `after` the caller may read, following `next_after`.
async fn all_after(app: &TestApp, who: &Session, after: i64, extra: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut after = after;
    loop {
        let page = page(app, who, &format!("?after={after}&limit=1000{extra}")).await;
        let items = page["items"].as_array().unwrap().clone();
        if items.is_empty() {
            return out;
        }
        after = page["next_after"].as_i64().unwrap();
        out.extend(items);
    }
}

/// An integrator's service client (national when `region` is `None`), signed in with client
/// credentials.
pub(crate) async fn integrator(app: &TestApp, client_id: &str, region: Option<&str>) -> Session {
    let admin = app
        .signed_in(&format!("root.{client_id}"), "super_admin", None)
        .await;
    let created = expect_json(
        app.post_as(
            "/v1/clients",
            &admin.access_token,
            &json!({"client_id": client_id, "name": "SIORMAS", "region_code": region}),
        )
        .await,
        201,
    )
    .await;
    let token = expect_json(
        app.post_json(
            "/v1/auth/token",
            &json!({"grant_type": "client_credentials", "client_id": client_id, "client_secret": created["client_secret"]}),
        )
        .await,
        200,
    )
    .await;
    Session {
        user_id: created["id"].as_str().unwrap().to_owned(),
        username: client_id.to_owned(),
        access_token: token["access_token"].as_str().unwrap().to_owned(),
        refresh_token: String::new(),
    }
}

fn types(events: &[Value]) -> Vec<&str> {
    events.iter().map(|e| e["type"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn each_step_of_a_registration_is_an_event_with_the_resource_after_it() {
    let app = app().await;
    let kota = office(&app, "64.71").await;
    let rep = app.signed_in("ketua.ppl", "ormas_rep", None).await;
    let integrator = integrator(&app, "siormas", None).await;
    let start = expect_json(
        app.get_as("/v1/changes/snapshot", &integrator.access_token)
            .await,
        200,
    )
    .await["position"]
        .as_i64()
        .unwrap();

    let id = create(
        &app,
        &rep.access_token,
        &draft("Pemuda Peduli Lingkungan", "SKT-001/2023", "64.71"),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    complete(&app, &rep.access_token, &id).await;
    expect_json(
        transition(&app, &rep.access_token, &id, "submit", json!({})).await,
        200,
    )
    .await;
    let approved = expect_json(
        transition(&app, &kota.head.access_token, &id, "approve", json!({})).await,
        200,
    )
    .await;

    // Staff see every event, documents included, in order.
    let staff = all_after(&app, &kota.officer, start, "").await;
    assert_eq!(
        types(&staff),
        [
            "ormas.created",
            "board.replaced",
            "document.added",
            "ormas.submitted",
            "ormas.registered"
        ]
    );
    let seqs: Vec<i64> = staff.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert_eq!(seqs, ((start + 1)..=(start + 5)).collect::<Vec<_>>());
    let registered = &staff[4];
    assert_eq!(registered["subject"], format!("/v1/ormas/{id}"));
    assert_eq!(registered["region_code"], "64.71");
    assert_eq!(registered["actor"], "head");
    // The representation is the GET's, after the change.
    assert_eq!(registered["data"]["state"], "registered");
    assert_eq!(
        registered["data"]["registration_number"],
        approved["registration_number"]
    );
    assert_eq!(staff[0]["actor"], "ormas_rep");
    assert_eq!(staff[0]["data"]["state"], "draft");
    // The board reaches the feed with the NIK masked, whoever reads it.
    let board = &staff[1];
    assert_eq!(board["subject"], format!("/v1/ormas/{id}/board"));
    let text = board["data"].to_string();
    assert!(text.contains("Budi Santoso"));
    assert!(!text.contains("6471011203850001"), "{text}");

    // An integrator sees what it may GET: not the documents.
    let integrated = all_after(&app, &integrator, start, "").await;
    assert_eq!(
        types(&integrated),
        [
            "ormas.created",
            "board.replaced",
            "ormas.submitted",
            "ormas.registered"
        ]
    );
    // A filter by type, and the long poll answering at once when something is there.
    let only = all_after(&app, &integrator, start, "&types=ormas.registered&wait=5").await;
    assert_eq!(types(&only), ["ormas.registered"]);
    let head = page(&app, &integrator, &format!("?after={}", start + 5)).await;
    assert_eq!(head["items"], json!([]));
    assert_eq!(head["next_after"], start + 5);
    assert_eq!(head["head"], start + 5);
}

#[tokio::test]
async fn the_feed_is_scoped_by_region_and_role_and_checks_its_query() {
    let app = app().await;
    let kota = office(&app, "64.71").await;
    let other = office(&app, "63.71").await;
    let id = create(
        &app,
        &kota.officer.access_token,
        &draft("Pemuda Peduli Lingkungan", "SKT-001/2023", "64.71"),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let province = app.signed_in("admin.64", "admin", Some("64")).await;
    assert_eq!(
        types(&all_after(&app, &province, 0, "").await),
        ["ormas.created"]
    );
    assert_eq!(
        types(&all_after(&app, &kota.officer, 0, "&region=64.71").await),
        ["ormas.created"]
    );
    // Another region's office sees nothing of it, and may not ask for it.
    assert!(all_after(&app, &other.officer, 0, "").await.is_empty());
    expect_problem(
        app.get_as("/v1/changes?region=64.71", &other.officer.access_token)
            .await,
        403,
        "forbidden",
    )
    .await;
    // A representative, even of this very ormas, does not follow the feed; nor does anyone anonymous.
    let rep = app.signed_in("ketua.ppl", "ormas_rep", None).await;
    expect_problem(
        app.get_as("/v1/changes", &rep.access_token).await,
        403,
        "forbidden",
    )
    .await;
    expect_problem(
        app.get_as("/v1/changes/snapshot", &rep.access_token).await,
        403,
        "forbidden",
    )
    .await;
    expect_problem(app.get("/v1/changes").await, 401, "unauthorized").await;
    expect_problem(app.get("/v1/changes/snapshot").await, 401, "unauthorized").await;
    // Bad input.
    let problem = expect_problem(
        app.get_as(
            "/v1/changes?types=ormas.registered,ormas.teleported",
            &kota.officer.access_token,
        )
        .await,
        400,
        "invalid_query",
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "types");
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("ormas.teleported")
    );
    for bad in [
        "after=-1",
        "limit=0",
        "limit=1001",
        "wait=31",
        "region=6",
        "after=x",
    ] {
        expect_problem(
            app.get_as(&format!("/v1/changes?{bad}"), &kota.officer.access_token)
                .await,
            400,
            "invalid_query",
        )
        .await;
    }
    let _ = id;
}

/// Eight writers each change their own draft 200 times while a reader polls: the reader sees
/// every position exactly once, in order, with no gap, and its list equals the table.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_never_make_a_reader_miss_or_repeat_an_event() {
    const WRITERS: usize = 8;
    const WRITES: usize = 200;
    let app = Arc::new(
        TestApp::spawn_with(|c| {
            c.workers = Some(4);
            c.pool.max_size = 8;
        })
        .await,
    );
    let officer = app
        .signed_in("officer.6471", "officer", Some("64.71"))
        .await;
    let reader = integrator(&app, "siormas", None).await;
    let mut drafts = Vec::new();
    for w in 0..WRITERS {
        let body = draft(
            &format!("Ormas Penulis {w}"),
            &format!("SKT-{w:03}/2023"),
            "64.71",
        );
        drafts.push(
            create(&app, &officer.access_token, &body).await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let start = page(&app, &reader, "?after=0&limit=1").await["head"]
        .as_i64()
        .unwrap();

    let done = Arc::new(AtomicBool::new(false));
    let polling = {
        let (app, done, token) = (app.clone(), done.clone(), reader.access_token.clone());
        tokio::spawn(async move {
            let mut seen: Vec<i64> = Vec::new();
            let mut after = start;
            loop {
                let finished = done.load(Ordering::SeqCst);
                let page = expect_json(
                    app.get_as(&format!("/v1/changes?after={after}&limit=1000"), &token)
                        .await,
                    200,
                )
                .await;
                for item in page["items"].as_array().unwrap() {
                    let seq = item["seq"].as_i64().unwrap();
                    // Dense and in order: the next position is always the one after the last.
                    assert_eq!(seq, after + 1, "a gap or a repeat after {after}");
                    after = seq;
                    seen.push(seq);
                }
                if finished && page["items"].as_array().unwrap().is_empty() {
                    return seen;
                }
            }
        })
    };
    let writers: Vec<_> = drafts
        .iter()
        .enumerate()
        .map(|(w, id)| {
            let (app, token, id) = (app.clone(), officer.access_token.clone(), id.clone());
            tokio::spawn(async move {
                let path = format!("/v1/ormas/{id}");
                let mut tag = app.get_as(&path, &token).await.headers()["etag"].clone();
                for n in 0..WRITES {
                    let response = app
                        .client
                        .patch(app.url(&path))
                        .bearer_auth(&token)
                        .header("If-Match", tag.clone())
                        .json(&json!({"address": format!("Jl. Penulis {w} No. {n}")}))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(response.status(), 200, "writer {w} write {n}");
                    tag = response.headers()["etag"].clone();
                }
            })
        })
        .collect();
    for writer in writers {
        writer.await.unwrap();
    }
    done.store(true, Ordering::SeqCst);
    let seen = polling.await.unwrap();
    assert_eq!(seen.len(), WRITERS * WRITES);

    // The table holds exactly those positions, once each, and nothing else after the start.
    let mut conn = app.database.target().connect().unwrap();
    #[derive(diesel::QueryableByName)]
    struct Seq {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        seq: i64,
    }
    use diesel::RunQueryDsl;
    let stored: Vec<i64> = diesel::sql_query(format!(
        "SELECT seq FROM change_events WHERE seq > {start} ORDER BY seq"
    ))
    .load::<Seq>(&mut conn)
    .unwrap()
    .into_iter()
    .map(|s| s.seq)
    .collect();
    assert_eq!(stored, seen);
    let distinct: BTreeSet<i64> = seen.iter().copied().collect();
    assert_eq!(distinct.len(), seen.len());
    // Each writer's events describe its own draft, in its order.
    let events = all_after(&app, &reader, start, "").await;
    for id in &drafts {
        let addresses: Vec<String> = events
            .iter()
            .filter(|e| e["subject"] == format!("/v1/ormas/{id}"))
            .map(|e| e["data"]["address"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(addresses.len(), WRITES);
        let w = addresses[0]
            .trim_start_matches("Jl. Penulis ")
            .split(' ')
            .next()
            .unwrap()
            .to_owned();
        for (n, address) in addresses.iter().enumerate() {
            assert_eq!(address, &format!("Jl. Penulis {w} No. {n}"));
        }
    }
}

/// A write that fails leaves no event; a refused step neither.
#[tokio::test]
async fn a_refused_or_rolled_back_write_leaves_no_event() {
    let app = app().await;
    let kota = office(&app, "64.71").await;
    let id = create(
        &app,
        &kota.officer.access_token,
        &draft("Pemuda Peduli Lingkungan", "SKT-001/2023", "64.71"),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/v1/ormas/{id}");
    let old_tag = app
        .get_as(&path, &kota.officer.access_token)
        .await
        .headers()["etag"]
        .clone();
    expect_json(
        app.patch_as(
            &path,
            &kota.officer.access_token,
            &json!({"address": "Jl. Baru"}),
        )
        .await,
        200,
    )
    .await;
    let before = page(&app, &kota.officer, "").await["head"]
        .as_i64()
        .unwrap();
    // Incomplete: submission refused (422); approval of a draft refused (409); a stale If-Match (412).
    expect_problem(
        transition(&app, &kota.officer.access_token, &id, "submit", json!({})).await,
        422,
        "validation_failed",
    )
    .await;
    transition(&app, &kota.head.access_token, &id, "approve", json!({})).await;
    let stale = app
        .client
        .patch(app.url(&format!("/v1/ormas/{id}")))
        .bearer_auth(&kota.officer.access_token)
        .header("If-Match", old_tag)
        .json(&json!({"address": "Jl. Lain"}))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 412);
    assert_eq!(
        page(&app, &kota.officer, "").await["head"]
            .as_i64()
            .unwrap(),
        before
    );
}

#[tokio::test]
async fn a_position_past_retention_answers_410_with_where_to_resync_from() {
    let app = TestApp::spawn_with(|c| {
        c.required_documents = vec!["cover_letter".into()];
        c.changes_retention_days = 30;
        c.changes_prune_every = Some(std::time::Duration::from_millis(200));
    })
    .await;
    let kota = office(&app, "64.71").await;
    for n in 0..3 {
        create(
            &app,
            &kota.officer.access_token,
            &draft(
                &format!("Ormas Lama {n}"),
                &format!("SKT-{n}/2023"),
                "64.71",
            ),
        )
        .await;
    }
    // The first two events are a year old: the pruner removes them.
    let mut conn = app.database.target().connect().unwrap();
    conn.batch_execute(
        "UPDATE change_events SET occurred_at = '2025-01-01 00:00:00' WHERE seq <= 2",
    )
    .unwrap();
    let mut snapshot = Value::Null;
    for _ in 0..50 {
        snapshot = expect_json(
            app.get_as("/v1/changes/snapshot", &kota.officer.access_token)
                .await,
            200,
        )
        .await;
        if snapshot["oldest_available_after"] == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(snapshot["oldest_available_after"], 2);
    assert_eq!(snapshot["position"], 3);
    assert_eq!(snapshot["retention_days"], 30);
    for after in [0, 1] {
        let problem = expect_problem(
            app.get_as(
                &format!("/v1/changes?after={after}"),
                &kota.officer.access_token,
            )
            .await,
            410,
            "feed_position_expired",
        )
        .await;
        assert!(problem["detail"].as_str().unwrap().contains("snapshot"));
    }
    // From the oldest kept position on, the feed reads on.
    let rest = all_after(&app, &kota.officer, 2, "").await;
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0]["seq"], 3);
}

/// Every write operation of the contract is either a change of the register — whose successful
/// answers the whole HTTP suite checks wrote an event (`Config::require_events`, on in every test
/// server: a write path that forgets its events answers 500 and fails its test) — or one of these,
/// which change no register data. A new write operation lands on the checked side unless it is
/// listed here, with its reason.
#[test]
fn every_write_operation_of_the_spec_is_checked_for_its_events_or_exempt_by_name() {
    let spec: Value = serde_json::from_str(&ormas_api::openapi_json().unwrap()).unwrap();
    let exempt: BTreeSet<&str> = [
        // Signing in, tokens, self-registration of an account, one's own password.
        "login",
        "logout",
        "refreshTokens",
        "register",
        "clientCredentialsToken",
        "changeOwnPassword",
        // Accounts, their binding to an ormas, and API clients.
        "createUser",
        "updateUser",
        "bindRepresentative",
        "createClient",
        "updateClient",
        "rotateClientSecret",
        // The holiday calendar and its due-date calculator.
        "computeDueDate",
        "addHoliday",
        "deleteHoliday",
        // Webhook subscriptions: they carry the feed, they are not in it.
        "createWebhook",
        "updateWebhook",
        "deleteWebhook",
        "rotateWebhookSecret",
        "pingWebhook",
        "redeliverWebhookDelivery",
    ]
    .into();
    let mut checked = Vec::new();
    let mut not_exempt = BTreeSet::new();
    for (path, operations) in spec["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            if !["post", "put", "patch", "delete"].contains(&method.as_str()) {
                continue;
            }
            let id = operation["operationId"].as_str().unwrap();
            if ormas_domain::changes::changes_register(path) {
                assert!(
                    !exempt.contains(id),
                    "{id} ({method} {path}) is checked, not exempt"
                );
                checked.push(id.to_owned());
            } else {
                not_exempt.insert(id);
            }
        }
    }
    assert_eq!(
        not_exempt, exempt,
        "the writes that are not checked for events"
    );
    assert!(checked.len() >= 50, "{checked:?}");
}
