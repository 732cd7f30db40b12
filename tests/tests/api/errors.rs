//! Every error, wherever it arises, is an RFC 9457 problem document.

use ormas_tests::{TestApp, expect_problem, json};

const DUE_DATE: &str = "/v1/calendar/due-date";

#[tokio::test]
async fn unknown_path_is_404() {
    let app = TestApp::spawn().await;
    for path in [
        "/nope",
        "/v1",
        "/v1/regionz",
        "/v1/regions/64/extra",
        "/docsx",
    ] {
        expect_problem(app.get(path).await, 404, "not_found").await;
    }
}

#[tokio::test]
async fn wrong_method_is_405_with_allow() {
    let app = TestApp::spawn().await;
    let cases = [
        ("DELETE", "/v1/regions/64", "GET"),
        ("POST", "/v1/regions", "GET"),
        ("PUT", "/health", "GET"),
        ("GET", DUE_DATE, "POST"),
        ("PATCH", "/v1/calendar/holidays", "GET, POST"),
        ("PUT", "/v1/calendar/holidays/2026-03-19", "DELETE"),
    ];
    for (method, path, allow) in cases {
        let response = app
            .client
            .request(method.parse().unwrap(), app.url(path))
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["allow"], allow, "{method} {path}");
        expect_problem(response, 405, "method_not_allowed").await;
    }
}

#[tokio::test]
async fn oversized_body_is_413() {
    let app = TestApp::spawn_with(|c| c.body_limit = 4096).await;
    let padding = "x".repeat(5000);
    let body = json!({"from": "2026-03-16", "working_days": 1, "padding": padding});
    expect_problem(
        app.post_json(DUE_DATE, &body).await,
        413,
        "payload_too_large",
    )
    .await;

    // The same without a Content-Length: the limit holds while streaming.
    let chunks: Vec<Result<String, std::io::Error>> =
        (0..10).map(|_| Ok("x".repeat(1000))).collect();
    let response = app
        .client
        .post(app.url(DUE_DATE))
        .header("content-type", "application/json")
        .body(ormas_tests::reqwest::Body::wrap_stream(
            futures_util::stream::iter(chunks),
        ))
        .send()
        .await
        .unwrap();
    expect_problem(response, 413, "payload_too_large").await;
}

#[tokio::test]
async fn wrong_content_type_is_415() {
    let app = TestApp::spawn().await;
    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        None,
    ] {
        let mut request = app
            .client
            .post(app.url(DUE_DATE))
            .body(r#"{"from": "2026-03-16", "working_days": 1}"#);
        if let Some(ct) = content_type {
            request = request.header("content-type", ct);
        }
        let response = request.send().await.unwrap();
        expect_problem(response, 415, "unsupported_media_type").await;
    }
    // A JSON subtype with parameters is accepted.
    let response = app
        .client
        .post(app.url(DUE_DATE))
        .header("content-type", "application/json; charset=utf-8")
        .body(r#"{"from": "2026-03-16", "working_days": 1}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
}

#[tokio::test]
async fn malformed_json_is_400() {
    let app = TestApp::spawn().await;
    for body in [
        r#"{"from": "2026-03-16", "#,
        "not json",
        "",
        "[1, 2",
        r#"{"from": "2026-03-16"} trailing"#,
    ] {
        let response = app
            .client
            .post(app.url(DUE_DATE))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        expect_problem(response, 400, "malformed_json").await;
    }
}

#[tokio::test]
async fn wrong_fields_are_422_naming_the_field() {
    let app = TestApp::spawn().await;
    let cases = [
        (json!({"working_days": 1}), "from", "required"),
        (json!({"from": "2026-03-16"}), "working_days", "required"),
        (
            json!({"from": "2026-02-30", "working_days": 1}),
            "from",
            "invalid_type",
        ),
        (
            json!({"from": "16/03/2026", "working_days": 1}),
            "from",
            "invalid_type",
        ),
        (
            json!({"from": "2026-03-16", "working_days": "15"}),
            "working_days",
            "invalid_type",
        ),
        (
            json!({"from": "2026-03-16", "working_days": 1001}),
            "working_days",
            "range",
        ),
        (
            json!({"from": "2026-03-16", "working_days": -1}),
            "working_days",
            "range",
        ),
        (
            json!({"from": "2026-03-16", "working_days": 1, "extra": true}),
            "extra",
            "unknown_field",
        ),
        (json!([1, 2]), "", "invalid_type"),
    ];
    for (body, field, code) in cases {
        let problem = expect_problem(
            app.post_json(DUE_DATE, &body).await,
            422,
            "validation_failed",
        )
        .await;
        let errors = problem["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 1, "{body}: {problem}");
        assert_eq!(errors[0]["field"], field, "{body}: {problem}");
        assert_eq!(errors[0]["code"], code, "{body}: {problem}");
        assert!(errors[0]["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
}

#[tokio::test]
async fn bad_query_is_400_naming_the_parameter() {
    let app = TestApp::spawn().await;
    let cases = [
        ("/v1/regions?level=planet", "level"),
        ("/v1/regions?page_size=0", "page_size"),
        ("/v1/regions?page_size=abc", "page_size"),
        ("/v1/regions?page_size=1001", "page_size"),
        ("/v1/regions?parent=6", "parent"),
        ("/v1/regions?page_token=%%%", "page_token"),
        ("/v1/regions?page_token=bm90LWEtY29kZQ", "page_token"),
        ("/v1/calendar/holidays?year=abc", "year"),
        ("/v1/calendar/holidays?year=99999", "year"),
    ];
    for (path, field) in cases {
        let problem = expect_problem(app.get(path).await, 400, "invalid_query").await;
        assert_eq!(problem["errors"][0]["field"], field, "{path}: {problem}");
    }
}

#[tokio::test]
async fn messages_follow_accept_language() {
    let app = TestApp::spawn().await;
    let indonesian = expect_problem(app.get("/v1/regions/99").await, 404, "not_found").await;
    assert_eq!(indonesian["title"], "Tidak ditemukan");
    assert!(
        indonesian["detail"]
            .as_str()
            .unwrap()
            .contains("tidak ditemukan")
    );

    let response = app
        .client
        .get(app.url("/v1/regions/99"))
        .header("accept-language", "en-US,en;q=0.9")
        .send()
        .await
        .unwrap();
    let english = expect_problem(response, 404, "not_found").await;
    assert_eq!(english["title"], "Not found");
    assert_eq!(english["detail"], "No region has the code 99.");

    let response = app
        .client
        .post(app.url(DUE_DATE))
        .header("accept-language", "en")
        .json(&json!({"from": "2026-03-16", "working_days": 5000}))
        .send()
        .await
        .unwrap();
    let problem = expect_problem(response, 422, "validation_failed").await;
    assert_eq!(
        problem["errors"][0]["message"],
        "must be between 0 and 1000"
    );
}
