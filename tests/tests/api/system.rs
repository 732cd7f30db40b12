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
