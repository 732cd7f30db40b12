//! Bad bytes and out-of-range values answer 400/422 naming the field, never 500 (issue 10 §3), and
//! concurrent writers on SQLite never surface `database is locked`.

use ormas_tests::{TestApp, expect_json, expect_problem, json};

use crate::register::{app, create, draft, office};

#[tokio::test]
async fn control_characters_are_refused_at_the_edge_naming_the_field() {
    let app = app().await;
    let login = app
        .post_json(
            "/v1/auth/login",
            &json!({"username": "super\u{0}admin", "password": "x"}),
        )
        .await;
    let problem = expect_problem(login, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "username");
    assert_eq!(problem["errors"][0]["code"], "control_character");

    let query = expect_problem(
        app.get("/v1/public/ormas?q=a%00b").await,
        400,
        "invalid_query",
    )
    .await;
    assert_eq!(query["errors"][0]["field"], "q");
    expect_problem(app.get("/v1/public/verify/%00").await, 400, "bad_request").await;
    expect_problem(app.get("/v1/public/ormas/%1b").await, 400, "bad_request").await;

    let kota = office(&app, "64.71").await;
    let token = &kota.officer.access_token;
    let mut body = draft("Ormas\u{7}Bel", "SKT-B", "64.71");
    let refused = expect_problem(
        app.post_as("/v1/ormas", token, &body).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(refused["errors"][0]["field"], "name");
    // Whitespace-only names are blank, not empty strings stored; duplicate fields are one.
    let mut blank = draft("   ", "SKT-W", "64.71");
    blank["address"] = json!(" \t ");
    let refused = expect_problem(
        app.post_as("/v1/ormas", token, &blank).await,
        422,
        "validation_failed",
    )
    .await;
    let fields: Vec<_> = refused["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["address", "name"]);
    let mut twice = draft("Ormas Dua Kali", "SKT-D", "64.71");
    twice["fields"] = json!(["sosial", "sosial", "kepemudaan"]);
    assert_eq!(
        create(&app, token, &twice).await["organisation"]["fields"],
        json!(["sosial", "kepemudaan"])
    );
    // Free text keeps its line breaks and tabs.
    body["name"] = json!("Ormas Baik");
    body["address"] = json!("Jl. Satu No. 1\nRT 02\tRW 03");
    let created = create(&app, token, &body).await;
    assert_eq!(created["address"], "Jl. Satu No. 1\nRT 02\tRW 03");
}

#[tokio::test]
async fn dates_and_page_tokens_out_of_range_are_client_errors() {
    let app = app().await;
    let kota = office(&app, "64.71").await;
    let token = &kota.officer.access_token;
    for date in ["-9999-01-01", "9999-12-31", "1899-12-31", "+10000-01-01"] {
        let mut body = draft("Ormas Tanggal", "SKT-T", "64.71");
        body["founded_on"] = json!(date);
        let problem = expect_problem(
            app.post_as("/v1/ormas", token, &body).await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(problem["errors"][0]["field"], "founded_on", "{date}");
        assert_eq!(problem["errors"][0]["code"], "date_out_of_range", "{date}");
    }
    let query = expect_problem(
        app.get_as("/v1/ormas?skt_expiring_before=-9999-01-01", token)
            .await,
        400,
        "invalid_query",
    )
    .await;
    assert_eq!(query["errors"][0]["field"], "skt_expiring_before");
    for bad in ["ff00", "00", "7f", "zz", "abc", "e29c93"] {
        for path in ["/v1/ormas", "/v1/public/ormas", "/v1/regions"] {
            let response = app.get_as(&format!("{path}?page_token={bad}"), token).await;
            expect_problem(response, 400, "invalid_query").await;
        }
    }
    // A token the server issued still works.
    let first = expect_json(app.get("/v1/regions?page_size=2").await, 200).await;
    let next = first["next_page_token"].as_str().unwrap();
    expect_json(
        app.get(&format!("/v1/regions?page_size=2&page_token={next}"))
            .await,
        200,
    )
    .await;
}

#[tokio::test]
async fn sixteen_parallel_refreshes_of_one_token_never_fail_with_a_lock() {
    let app = TestApp::spawn().await;
    let session = app
        .signed_in("officer.6471", "officer", Some("64.71"))
        .await;
    let attempts = (0..16).map(|_| {
        let app = &app;
        let refresh = session.refresh_token.clone();
        async move {
            app.post_json("/v1/auth/refresh", &json!({"refresh_token": refresh}))
                .await
                .status()
                .as_u16()
        }
    });
    let statuses = futures_util::future::join_all(attempts).await;
    assert_eq!(
        statuses.iter().filter(|&&s| s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|&s| s == 200 || s == 401),
        "{statuses:?}"
    );
}
