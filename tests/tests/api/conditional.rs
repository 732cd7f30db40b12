//! One shape for every single resource: `ETag` and `Location` on its `GET` and on every answer to a
//! write; `If-None-Match` → 304 on the `GET` while the representation is the one the client holds
//! (the `ETag` carries a digest, so a change that needs no new version, like the board completing a
//! registration, still answers 200); `If-Match` compares the version.

use ormas_tests::fixtures::{OrmasFixture, day, insert_all};
use ormas_tests::reqwest::multipart::{Form, Part};
use ormas_tests::reqwest::{Response, StatusCode};
use ormas_tests::{TestApp, etag_version, expect_json, expect_problem, json};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";

fn etag(response: &Response) -> String {
    response.headers()["etag"].to_str().unwrap().to_owned()
}

fn location(response: &Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

async fn get_if_none_match(app: &TestApp, path: &str, token: &str, tag: &str) -> Response {
    app.client
        .get(app.url(path))
        .bearer_auth(token)
        .header("If-None-Match", tag)
        .send()
        .await
        .unwrap()
}

/// 304: no body, the same ETag and the resource's URL.
async fn expect_not_modified(response: Response, tag: &str, url: &str) {
    assert_eq!(response.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(etag(&response), tag);
    assert_eq!(location(&response), url);
    assert_eq!(response.text().await.unwrap(), "");
}

#[tokio::test]
async fn a_registration_answers_etag_and_location_everywhere_and_304_when_unchanged() {
    let app = TestApp::spawn_with(|c| c.required_documents = vec!["cover_letter".into()]).await;
    let officer = app
        .signed_in("officer.6471", "officer", Some("64.71"))
        .await;
    let other = app
        .signed_in("officer.6401", "officer", Some("64.01"))
        .await;
    let token = &officer.access_token;
    let created = app
        .post_as(
            "/v1/ormas",
            token,
            &json!({"name": "Ormas Etag", "kind": "tidak_berbadan_hukum", "skt_number": "SKT-E",
                "skt_issued_on": "2023-05-10", "skt_issuer": "Kementerian Dalam Negeri",
                "region_code": "64.71", "address": "Jl. Uji No. 1"}),
        )
        .await;
    let (created_tag, url) = (etag(&created), location(&created));
    let body = expect_json(created, 201).await;
    assert_eq!(url, format!("/v1/ormas/{}", body["id"].as_str().unwrap()));
    assert_eq!(body["allowed_transitions"], json!(["submit"]));

    // The GET shows the same representation, so the same ETag; a copy held is not sent again.
    let fetched = app.get_as(&url, token).await;
    assert_eq!(etag(&fetched), created_tag);
    assert_eq!(location(&fetched), url);
    expect_json(fetched, 200).await;
    expect_not_modified(
        get_if_none_match(&app, &url, token, &created_tag).await,
        &created_tag,
        &url,
    )
    .await;
    let weak = format!("\"other\", W/{created_tag}");
    expect_not_modified(
        get_if_none_match(&app, &url, token, &weak).await,
        &created_tag,
        &url,
    )
    .await;
    // Another region's officer holding the tag still hears 404, never 304.
    expect_problem(
        get_if_none_match(&app, &url, &other.access_token, &created_tag).await,
        404,
        "not_found",
    )
    .await;

    // The board completes the registration without a new version: the digest moves, so 200.
    let board = json!({"members": [
        {"position": "ketua", "name": "Budi Santoso", "nik": "6471011203850001"},
        {"position": "sekretaris", "name": "Siti Aminah", "nik": "6471014506900002"},
        {"position": "bendahara", "name": "Andi Wijaya", "nik": "6471012001880003"}
    ]});
    expect_json(
        app.client
            .put(app.url(&format!("{url}/board")))
            .bearer_auth(token)
            .json(&board)
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    let after_board = get_if_none_match(&app, &url, token, &created_tag).await;
    let board_tag = etag(&after_board);
    assert_ne!(board_tag, created_tag);
    assert_eq!(etag_version(&after_board.headers()["etag"]), 1);
    let shown = expect_json(after_board, 200).await;
    assert_eq!(shown["board_complete"], true);

    // If-Match compares the version: the full ETag read works, the answer names the new one.
    let patched = app
        .client
        .patch(app.url(&url))
        .bearer_auth(token)
        .header("If-Match", &board_tag)
        .json(&json!({"address": "Jl. Uji No. 2"}))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&patched), url);
    assert_eq!(etag_version(&patched.headers()["etag"]), 2);
    expect_json(patched, 200).await;
    let stale = app
        .client
        .patch(app.url(&url))
        .bearer_auth(token)
        .header("If-Match", &board_tag)
        .json(&json!({"address": "Jl. Uji No. 3"}))
        .send()
        .await
        .unwrap();
    expect_problem(stale, 412, "precondition_failed").await;

    // A document, then a transition: its answer has the same shape.
    let form = Form::new()
        .text("type", "cover_letter")
        .part("file", Part::bytes(PDF.to_vec()).file_name("surat.pdf"));
    let uploaded = app
        .client
        .post(app.url(&format!("{url}/documents")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let (document_tag, document_url) = (etag(&uploaded), location(&uploaded));
    let document = expect_json(uploaded, 201).await;
    assert_eq!(
        document_url,
        format!("/v1/documents/{}", document["id"].as_str().unwrap())
    );
    expect_not_modified(
        get_if_none_match(&app, &document_url, token, &document_tag).await,
        &document_tag,
        &document_url,
    )
    .await;
    let submitted = app
        .post_as(&format!("{url}/submit"), token, &json!({}))
        .await;
    assert_eq!(location(&submitted), url);
    assert_eq!(etag_version(&submitted.headers()["etag"]), 3);
    let submitted_tag = etag(&submitted);
    let body = expect_json(submitted, 200).await;
    assert_eq!(body["state"], "submitted");
    assert_eq!(
        body["allowed_transitions"],
        json!(["return", "approve", "reject"])
    );
    expect_not_modified(
        get_if_none_match(&app, &url, token, &submitted_tag).await,
        &submitted_tag,
        &url,
    )
    .await;
}

#[tokio::test]
async fn reports_and_accounts_answer_304_when_unchanged() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin.6471", "admin", Some("64.71")).await;
    let officer = app
        .signed_in("officer.6471", "officer", Some("64.71"))
        .await;
    let ids = insert_all(
        &app,
        vec![OrmasFixture::registered("64.71").submitted("2026-S1", "2026-07-20")],
    )
    .await;
    app.clock.pin(Some(day("2026-08-03")));
    let token = &officer.access_token;
    let page = expect_json(
        app.get_as(&format!("/v1/ormas/{}/reports", ids[0]), token)
            .await,
        200,
    )
    .await;
    let url = format!("/v1/reports/{}", page["items"][0]["id"].as_str().unwrap());
    let fetched = app.get_as(&url, token).await;
    let tag = etag(&fetched);
    assert_eq!(location(&fetched), url);
    expect_json(fetched, 200).await;
    expect_not_modified(get_if_none_match(&app, &url, token, &tag).await, &tag, &url).await;
    let accepted = app
        .post_as(&format!("{url}/accept"), token, &json!({}))
        .await;
    assert_eq!(location(&accepted), url);
    assert_eq!(etag_version(&accepted.headers()["etag"]), 2);
    let body = expect_json(accepted, 200).await;
    assert_eq!(body["allowed_transitions"], json!([]));
    // The copy held before the acceptance is stale: 200 with the new one.
    let refreshed = get_if_none_match(&app, &url, token, &tag).await;
    assert_eq!(refreshed.status(), StatusCode::OK);
    assert_eq!(expect_json(refreshed, 200).await["state"], "accepted");

    let account = format!("/v1/users/{}", officer.user_id);
    let fetched = app.get_as(&account, &admin.access_token).await;
    let tag = etag(&fetched);
    assert_eq!(etag_version(&fetched.headers()["etag"]), 1);
    assert_eq!(location(&fetched), account);
    expect_not_modified(
        get_if_none_match(&app, &account, &admin.access_token, &tag).await,
        &tag,
        &account,
    )
    .await;
}
