use ormas_tests::{TestApp, expect_json, expect_problem};

#[tokio::test]
async fn health_answers_without_the_database() {
    let app = TestApp::spawn_without_database().await;
    let body = expect_json(app.get("/health").await, 200).await;
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn ready_reports_the_backend() {
    let app = TestApp::spawn().await;
    let body = expect_json(app.get("/ready").await, 200).await;
    assert_eq!(body["status"], "ready");
    let expected = if app.database.is_postgres() {
        "postgres"
    } else {
        "sqlite"
    };
    assert_eq!(body["database"], expected);
}

#[tokio::test]
async fn ready_is_503_with_retry_after_when_the_database_is_unreachable() {
    let app = TestApp::spawn_without_database().await;
    let response = app.get("/ready").await;
    assert_eq!(response.headers()["retry-after"], "5");
    expect_problem(response, 503, "service_unavailable").await;
    // Data endpoints answer the same way, never a 500.
    let response = app.get("/v1/regions").await;
    assert!(response.headers().contains_key("retry-after"));
    expect_problem(response, 503, "service_unavailable").await;
}

#[tokio::test]
async fn ready_turns_503_when_a_postgres_database_goes_away() {
    let app = TestApp::spawn().await;
    if !app.database.is_postgres() {
        return; // An open SQLite file cannot go away underneath its connections.
    }
    expect_json(app.get("/ready").await, 200).await;
    app.database.drop_now();
    expect_problem(app.get("/ready").await, 503, "service_unavailable").await;
}

#[tokio::test]
async fn request_id_is_echoed_or_generated() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .get(app.url("/health"))
        .header("x-request-id", "trace-42.a:b_c")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "trace-42.a:b_c");

    let generated = app.get("/health").await;
    let id = generated.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");

    // An unusable id (too long, or with spaces) is replaced, not echoed.
    for bad in ["x".repeat(200), "has space".to_owned()] {
        let response = app
            .client
            .get(app.url("/health"))
            .header("x-request-id", &bad)
            .send()
            .await
            .unwrap();
        let echoed = response.headers()["x-request-id"].to_str().unwrap();
        assert_ne!(echoed, bad);
        assert!(uuid::Uuid::parse_str(echoed).is_ok());
    }

    // Errors carry the id in the body too.
    let response = app
        .client
        .get(app.url("/v1/regions/00"))
        .header("x-request-id", "req-404")
        .send()
        .await
        .unwrap();
    let problem = expect_problem(response, 404, "not_found").await;
    assert_eq!(problem["request_id"], "req-404");
}

#[tokio::test]
async fn docs_are_served_from_the_binary() {
    let app = TestApp::spawn().await;
    let redirect = app.get("/docs").await;
    assert_eq!(redirect.status().as_u16(), 308);
    assert_eq!(redirect.headers()["location"], "/docs/");

    let page = app.get("/docs/").await;
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "{html}");

    // The UI's assets come from the binary, not a CDN.
    for asset in [
        "/docs/swagger-ui-bundle.js",
        "/docs/swagger-ui.css",
        "/docs/swagger-initializer.js",
    ] {
        let response = app.get(asset).await;
        assert_eq!(response.status().as_u16(), 200, "{asset}");
    }
    let init = app
        .get("/docs/swagger-initializer.js")
        .await
        .text()
        .await
        .unwrap();
    assert!(init.contains("/openapi.json"), "{init}");
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "{html}"
    );

    expect_problem(app.get("/docs/no-such-file.js").await, 404, "not_found").await;
}

/// Pooled connections used a moment ago are trusted without a `SELECT 1`; when the server has
/// closed them (a restart), each fails one request at most and is discarded, and the service
/// recovers by itself.
#[tokio::test]
async fn connections_the_server_closed_are_discarded_after_one_failure() {
    use diesel::connection::SimpleConnection;
    let app = TestApp::spawn().await;
    if !app.database.is_postgres() {
        return; // Nothing closes an SQLite file's connections.
    }
    // Warm the pool: several connections, all just handed back.
    let warm = (0..8).map(|_| app.get("/v1/regions?level=province"));
    for response in futures_util::future::join_all(warm).await {
        assert_eq!(response.status(), 200);
    }
    let url = app.database.url();
    let admin = ormas_tests::postgres_admin_url().unwrap();
    let name = url.rsplit('/').next().unwrap().to_owned();
    tokio::task::spawn_blocking(move || {
        let mut conn = <diesel::pg::PgConnection as diesel::Connection>::establish(&admin).unwrap();
        conn.batch_execute(&format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = '{name}' AND pid <> pg_backend_pid()"
        ))
        .unwrap();
    })
    .await
    .unwrap();
    let mut failures = 0;
    let mut statuses = Vec::new();
    for _ in 0..10 {
        let status = app
            .get("/v1/regions?level=province")
            .await
            .status()
            .as_u16();
        statuses.push(status);
        if status != 200 {
            failures += 1;
        }
    }
    // At most one failure per pooled connection (4), each a 503, then every request succeeds.
    assert!(failures <= 4, "{statuses:?}");
    assert!(
        statuses.iter().all(|s| [200, 503].contains(s)),
        "{statuses:?}"
    );
    let first_ok = statuses.iter().position(|s| *s == 200).unwrap();
    assert!(
        statuses[first_ok..].iter().all(|s| *s == 200),
        "{statuses:?}"
    );
}
