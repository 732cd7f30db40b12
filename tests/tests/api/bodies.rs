//! Actions whose fields are all optional take no body: a bare `curl -X POST` or a `fetch()`
//! without one reads as `{}`. A body that is there must still be JSON.

use ormas_tests::fixtures::{OrmasFixture, day, insert_all};
use ormas_tests::reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE};
use ormas_tests::{TestApp, expect_json, expect_problem, json};

#[tokio::test]
async fn transitions_accept_no_body_as_an_empty_object() {
    let app = TestApp::spawn().await;
    let head = app.signed_in("head.6471", "head", Some("64.71")).await;
    let officer = app
        .signed_in("officer.6471", "officer", Some("64.71"))
        .await;
    let ids = insert_all(
        &app,
        vec![
            OrmasFixture::registered("64.71").in_state("submitted"),
            OrmasFixture::registered("64.71").in_state("submitted"),
            OrmasFixture::registered("64.71").submitted("2026-S1", "2026-07-20"),
        ],
    )
    .await;
    app.clock.pin(Some(day("2026-08-03")));
    let post = |path: String, token: &str| app.client.post(app.url(&path)).bearer_auth(token);

    // No body and no Content-Type at all: approved.
    let approved = expect_json(
        post(format!("/v1/ormas/{}/approve", ids[0]), &head.access_token)
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_eq!(approved["state"], "registered");
    assert_eq!(approved["registration_number"], "001/SKM/64.71/VIII/2026");

    // No body is `{}`, which a rejection refuses for its missing reason (422, not 415).
    let problem = expect_problem(
        post(format!("/v1/ormas/{}/reject", ids[1]), &head.access_token)
            .send()
            .await
            .unwrap(),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "reason");

    // A body of another media type is still refused, empty or not by its length.
    expect_problem(
        post(format!("/v1/ormas/{}/reject", ids[1]), &head.access_token)
            .header(CONTENT_TYPE, "text/plain")
            .body("reason=Fiktif")
            .send()
            .await
            .unwrap(),
        415,
        "unsupported_media_type",
    )
    .await;
    // Broken JSON is still a 400, and a JSON body is read as before.
    expect_problem(
        post(format!("/v1/ormas/{}/reject", ids[1]), &head.access_token)
            .header(CONTENT_TYPE, "application/json")
            .body("{\"reason\": ")
            .send()
            .await
            .unwrap(),
        400,
        "malformed_json",
    )
    .await;
    let rejected = expect_json(
        post(format!("/v1/ormas/{}/reject", ids[1]), &head.access_token)
            .json(&json!({"reason": "Fiktif"}))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_eq!(rejected["state"], "rejected");

    // A report: `Content-Length: 0`, whatever the Content-Type, is `{}` too.
    let page = expect_json(
        app.get_as(
            &format!("/v1/ormas/{}/reports", ids[2]),
            &officer.access_token,
        )
        .await,
        200,
    )
    .await;
    let report = page["items"][0]["id"].as_str().unwrap().to_owned();
    let accepted = expect_json(
        post(
            format!("/v1/reports/{report}/accept"),
            &officer.access_token,
        )
        .header(CONTENT_TYPE, "text/plain")
        .header(CONTENT_LENGTH, "0")
        .send()
        .await
        .unwrap(),
        200,
    )
    .await;
    assert_eq!(accepted["state"], "accepted");
    assert_eq!(accepted["receipt_number"], "0001/STTL/64.71/VIII/2026");
    // An empty JSON body (Content-Type set, nothing sent) reaches the rule: accepted is final.
    expect_problem(
        post(
            format!("/v1/reports/{report}/return"),
            &officer.access_token,
        )
        .header(CONTENT_TYPE, "application/json")
        .send()
        .await
        .unwrap(),
        409,
        "conflict",
    )
    .await;
}
