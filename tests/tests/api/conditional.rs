//! One shape for every single resource: `ETag` and `Location` on its `GET` and on every answer to a
//! write; `If-None-Match` → 304 on the `GET` while the representation is the one the client holds
//! (the `ETag` carries a digest, so a change that needs no new version, like the board completing a
//! registration, still answers 200); `If-Match` compares the version.

use ormas_tests::fixtures::{OrmasFixture, day, insert_all};
use ormas_tests::reqwest::multipart::{Form, Part};
use ormas_tests::reqwest::{Response, StatusCode};
use ormas_tests::{TestApp, etag_version, expect_json, expect_problem, json};
use serde_json::Value;

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

/// A draft in Kota Balikpapan, as an officer there creates it.
async fn create_draft(app: &TestApp, token: &str, name: &str, skt: &str) -> Response {
    app.post_as(
        "/v1/ormas",
        token,
        &json!({"name": name, "kind": "tidak_berbadan_hukum", "skt_number": skt,
            "skt_issued_on": "2023-05-10", "skt_issuer": "Kementerian Dalam Negeri",
            "region_code": "64.71", "address": "Jl. Uji No. 1"}),
    )
    .await
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
    let created = create_draft(&app, token, "Ormas Etag", "SKT-E").await;
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

    // The board is part of the registration: replacing it raises the version (and the digest).
    let board = json!({"members": [
        {"position": "ketua", "name": "Budi Santoso", "nik": "6471011203850001"},
        {"position": "sekretaris", "name": "Siti Aminah", "nik": "6471014506900002"},
        {"position": "bendahara", "name": "Andi Wijaya", "nik": "6471012001880003"}
    ]});
    expect_json(
        app.put_as(&format!("{url}/board"), token, &board).await,
        200,
    )
    .await;
    let after_board = get_if_none_match(&app, &url, token, &created_tag).await;
    let board_tag = etag(&after_board);
    assert_ne!(board_tag, created_tag);
    assert_eq!(etag_version(&after_board.headers()["etag"]), 2);
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
    assert_eq!(etag_version(&patched.headers()["etag"]), 3);
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
    assert_eq!(etag_version(&submitted.headers()["etag"]), 4);
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

async fn put_with(app: &TestApp, path: &str, token: &str, tag: &str, body: &Value) -> Response {
    app.client
        .put(app.url(path))
        .bearer_auth(token)
        .header("If-Match", tag)
        .json(body)
        .send()
        .await
        .unwrap()
}

fn members(ketua: &str) -> Value {
    json!({"members": [
        {"position": "ketua", "name": ketua, "nik": "6471011203850001"},
        {"position": "sekretaris", "name": "Siti Aminah", "nik": "6471014506900002"},
        {"position": "bendahara", "name": "Andi Wijaya", "nik": "6471012001880003"}
    ]})
}

/// Issue 10 §5: `PUT /v1/ormas/{id}/board` needs `If-Match` with the registration's version, and
/// raises it, so two officers replacing the board from the same read do not overwrite each other.
#[tokio::test]
async fn replacing_the_board_requires_if_match_with_the_registrations_version() {
    let app = TestApp::spawn().await;
    let first = app.signed_in("officer.a", "officer", Some("64.71")).await;
    let second = app.signed_in("officer.b", "officer", Some("64.71")).await;
    let created = create_draft(&app, &first.access_token, "Ormas Papan", "SKT-B").await;
    let url = location(&created);
    let board_url = format!("{url}/board");
    expect_json(created, 201).await;

    // The board's ETag names the registration's version, with its own URL; 304 while unchanged.
    let read = app.get_as(&board_url, &first.access_token).await;
    let tag = etag(&read);
    assert_eq!(location(&read), board_url);
    assert_eq!(etag_version(&read.headers()["etag"]), 1);
    expect_json(read, 200).await;
    expect_not_modified(
        get_if_none_match(&app, &board_url, &first.access_token, &tag).await,
        &tag,
        &board_url,
    )
    .await;

    // Without If-Match: 428, and nothing is written; a weak tag never matches a write.
    expect_problem(
        app.put_without_if_match(&board_url, &first.access_token, &members("Budi"))
            .await,
        428,
        "precondition_required",
    )
    .await;
    expect_problem(
        put_with(
            &app,
            &board_url,
            &first.access_token,
            &format!("W/{tag}"),
            &members("Budi"),
        )
        .await,
        412,
        "precondition_failed",
    )
    .await;
    let unchanged = expect_json(app.get_as(&board_url, &first.access_token).await, 200).await;
    assert_eq!(unchanged["members"], json!([]));

    // Two officers read the same version; the first one's board is kept, the second hears 412.
    let theirs = etag(&app.get_as(&board_url, &second.access_token).await);
    assert_eq!(theirs, tag);
    let replaced = put_with(
        &app,
        &board_url,
        &first.access_token,
        &tag,
        &members("Budi"),
    )
    .await;
    let new_tag = etag(&replaced);
    assert_eq!(etag_version(&replaced.headers()["etag"]), 2);
    assert_eq!(location(&replaced), board_url);
    let body = expect_json(replaced, 200).await;
    assert_eq!(body["members"][0]["name"], "Budi");
    assert_eq!(body["complete"], true);
    expect_problem(
        put_with(
            &app,
            &board_url,
            &second.access_token,
            &theirs,
            &members("Joko"),
        )
        .await,
        412,
        "precondition_failed",
    )
    .await;
    let kept = expect_json(app.get_as(&board_url, &second.access_token).await, 200).await;
    assert_eq!(kept["members"][0]["name"], "Budi");

    // The registration moved to the same version: its ETag and the board's are interchangeable
    // for If-Match, and the old one is stale for a PATCH too.
    let registration = app.get_as(&url, &second.access_token).await;
    assert_eq!(etag_version(&registration.headers()["etag"]), 2);
    let registration_tag = etag(&registration);
    expect_problem(
        app.client
            .patch(app.url(&url))
            .bearer_auth(&second.access_token)
            .header("If-Match", &tag)
            .json(&json!({"address": "Jl. Uji No. 2"}))
            .send()
            .await
            .unwrap(),
        412,
        "precondition_failed",
    )
    .await;
    let again = put_with(
        &app,
        &board_url,
        &second.access_token,
        &registration_tag,
        &members("Joko"),
    )
    .await;
    assert_eq!(etag_version(&again.headers()["etag"]), 3);
    assert_ne!(etag(&again), new_tag);
    expect_json(again, 200).await;
    // `*` matches any current version.
    let any = put_with(&app, &board_url, &first.access_token, "*", &members("Rina")).await;
    assert_eq!(etag_version(&any.headers()["etag"]), 4);
    expect_json(any, 200).await;
}

/// Issue 10 §5: `PUT /v1/users/{id}/ormas` needs `If-Match` with the account's version (read with
/// `GET /v1/users/{id}/ormas` or `GET /v1/users/{id}`), and binding raises it.
#[tokio::test]
async fn binding_a_representative_requires_if_match_with_the_accounts_version() {
    let app = TestApp::spawn().await;
    let officer = app.signed_in("officer.a", "officer", Some("64.71")).await;
    let admin = app.signed_in("root", "super_admin", None).await;
    let token = &officer.access_token;
    let created = create_draft(&app, token, "Ormas Ikat", "SKT-I").await;
    let ormas_id = expect_json(created, 201).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let rep = app
        .signed_in("pengurus.ikat", "ormas_rep", Some("64.71"))
        .await;
    let path = format!("/v1/users/{}/ormas", rep.user_id);
    let account = format!("/v1/users/{}", rep.user_id);
    let bind = json!({"ormas_id": ormas_id});

    // The binding reads with the account's version; a representative cannot read it.
    let read = app.get_as(&path, token).await;
    let tag = etag(&read);
    assert_eq!(location(&read), path);
    let version = etag_version(&read.headers()["etag"]);
    assert_eq!(expect_json(read, 200).await, json!({"ormas_id": null}));
    let by_admin = app.get_as(&account, &admin.access_token).await;
    assert_eq!(etag_version(&by_admin.headers()["etag"]), version);
    expect_problem(app.get_as(&path, &rep.access_token).await, 403, "forbidden").await;

    // Without If-Match: 428 and still unbound; with a weak tag or a stale one: 412.
    expect_problem(
        app.put_without_if_match(&path, token, &bind).await,
        428,
        "precondition_required",
    )
    .await;
    expect_problem(
        put_with(&app, &path, token, &format!("W/{tag}"), &bind).await,
        412,
        "precondition_failed",
    )
    .await;
    expect_problem(
        put_with(&app, &path, token, &format!("\"{}\"", version - 1), &bind).await,
        412,
        "precondition_failed",
    )
    .await;
    expect_problem(
        app.get_as(&format!("/v1/ormas/{ormas_id}"), &rep.access_token)
            .await,
        404,
        "not_found",
    )
    .await;

    // With the current one: 204 naming the account's new version, and the binding holds.
    let bound = put_with(&app, &path, token, &tag, &bind).await;
    assert_eq!(bound.status(), StatusCode::NO_CONTENT);
    let bound_tag = etag(&bound);
    assert_eq!(etag_version(&bound.headers()["etag"]), version + 1);
    let after = app.get_as(&path, token).await;
    assert_eq!(etag(&after), bound_tag);
    assert_eq!(expect_json(after, 200).await, json!({"ormas_id": ormas_id}));
    let by_admin = app.get_as(&account, &admin.access_token).await;
    assert_eq!(etag_version(&by_admin.headers()["etag"]), version + 1);
    expect_json(
        app.get_as(&format!("/v1/ormas/{ormas_id}"), &rep.access_token)
            .await,
        200,
    )
    .await;

    // The tag read before binding is stale now: unbinding with it is 412, with the new one 204.
    let unbind = json!({"ormas_id": null});
    expect_problem(
        put_with(&app, &path, token, &tag, &unbind).await,
        412,
        "precondition_failed",
    )
    .await;
    let unbound = put_with(&app, &path, token, &bound_tag, &unbind).await;
    assert_eq!(unbound.status(), StatusCode::NO_CONTENT);
    assert_eq!(etag_version(&unbound.headers()["etag"]), version + 2);
    // A PATCH of the account in between makes a binding read before it stale too.
    let before_patch = etag(&app.get_as(&path, token).await);
    expect_json(
        app.patch_as(
            &account,
            &admin.access_token,
            &json!({"display_name": "Pengurus"}),
        )
        .await,
        200,
    )
    .await;
    expect_problem(
        put_with(&app, &path, token, &before_patch, &bind).await,
        412,
        "precondition_failed",
    )
    .await;
}

/// The board's version is compared and set inside the write: of eight editors replacing it at once
/// from the same read, exactly one succeeds and the others hear 412, on both backends.
#[tokio::test]
async fn concurrent_board_replacements_from_one_read_keep_exactly_one() {
    let app = TestApp::spawn_with(|c| c.workers = Some(2)).await;
    let officer = app.signed_in("officer.a", "officer", Some("64.71")).await;
    let token = &officer.access_token;
    let created = create_draft(&app, token, "Ormas Serentak", "SKT-S").await;
    let url = location(&created);
    let board_url = format!("{url}/board");
    expect_json(created, 201).await;
    let tag = etag(&app.get_as(&board_url, token).await);
    let names: Vec<String> = (0..8).map(|i| format!("Ketua {i}")).collect();
    let bodies: Vec<Value> = names.iter().map(|name| members(name)).collect();
    let answers = futures_util::future::join_all(
        bodies
            .iter()
            .map(|body| put_with(&app, &board_url, token, &tag, body)),
    )
    .await;
    let mut statuses: Vec<u16> = answers.iter().map(|r| r.status().as_u16()).collect();
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 412, 412, 412, 412, 412, 412, 412]);
    let board = expect_json(app.get_as(&board_url, token).await, 200).await;
    assert_eq!(board["members"].as_array().unwrap().len(), 3);
    let registration = app.get_as(&url, token).await;
    assert_eq!(etag_version(&registration.headers()["etag"]), 2);
}

/// GET paths of the spec with a parameter that answer a list or a history, not one resource's
/// representation: the walk below skips them. A new path with a parameter is either here or
/// walked.
const NOT_SINGLE_RESOURCES: &[&str] = &[
    "/v1/attribute-permits/{id}/history",
    "/v1/grant-proposals/{id}/history",
    "/v1/ormas/{id}/documents",
    "/v1/ormas/{id}/history",
    "/v1/ormas/{id}/reports",
    "/v1/ormas/{id}/sanctions",
    "/v1/ormas/{id}/visits",
    "/v1/oversight/cases/{id}/history",
    "/v1/oversight/cases/{id}/visits",
    "/v1/webhooks/{id}/deliveries",
];

/// Single resources whose path has no parameter.
const SINGLETONS: &[&str] = &["/v1/me"];

/// The spec's single-resource `GET`s: every `GET` path with a parameter that is not a list, every
/// one whose 200 documents an `ETag`, and the singletons.
fn single_resource_gets(spec: &Value) -> Vec<String> {
    let paths = spec["paths"].as_object().unwrap();
    let mut found: Vec<String> = paths
        .iter()
        .filter(|(_, item)| item.get("get").is_some())
        .filter(|(path, item)| {
            let etag = item["get"]["responses"]["200"]["headers"]
                .get("ETag")
                .is_some();
            (path.contains('{') && !NOT_SINGLE_RESOURCES.contains(&path.as_str()))
                || etag
                || SINGLETONS.contains(&path.as_str())
        })
        .map(|(path, _)| path.clone())
        .collect();
    found.sort();
    found
}

/// One single-resource `GET` to walk: the spec's path, a concrete one, and who reads it.
struct Walked {
    template: &'static str,
    path: String,
    token: Option<String>,
}

async fn conditional_get(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
    tag: Option<&str>,
) -> Response {
    let mut request = app.client.get(app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(tag) = tag {
        request = request.header("If-None-Match", tag);
    }
    request.send().await.unwrap()
}

/// Every single-resource `GET` of the spec answers an `ETag`, and 304 with no body and the same
/// `ETag` (and `Location`, where it sends one) to `If-None-Match` naming it. The walk creates one
/// of everything through the API (the register's fixtures where the API has no way in); a path of
/// the spec that the walk does not know fails the test, so a new resource cannot forget its
/// `ETag`.
#[tokio::test]
async fn every_single_resource_get_in_the_spec_answers_an_etag_and_304() {
    use base64::Engine;
    use ormas_tests::reqwest::multipart::{Form, Part};

    let app = TestApp::spawn().await;
    app.clock.pin(Some(day("2026-02-02")));
    let spec = expect_json(app.get("/openapi.json").await, 200).await;
    let admin = app.signed_in("admin.6471", "admin", Some("64.71")).await;
    let office = crate::register::office(&app, "64.71").await;
    let oversight = app.signed_in("tim.6471", "oversight", Some("64.71")).await;
    let officer = office.officer.access_token.clone();

    // A registered ormas with a number, ready for a grant, with a representative and a report.
    let registered = insert_all(
        &app,
        vec![
            OrmasFixture::registered("64.71")
                .numbered()
                .submitted("2025-S2", "2026-01-20"),
        ],
    )
    .await
    .remove(0);
    crate::grants::grant_ready(&app, &registered, true).await;
    let rep = crate::reports::representative(&app, &office.officer, "rep.walk", &registered).await;
    let reports = expect_json(
        app.get_as(&format!("/v1/ormas/{registered}/reports"), &officer)
            .await,
        200,
    )
    .await;
    let report = reports["items"][0]["id"].as_str().unwrap().to_owned();

    // A draft with a document.
    let draft = expect_json(
        create_draft(&app, &officer, "Ormas Jalan", "SKT-J").await,
        201,
    )
    .await;
    let draft_id = draft["id"].as_str().unwrap().to_owned();
    let organisation = draft["organisation"]["id"].as_str().unwrap().to_owned();
    let form = Form::new()
        .text("type", "cover_letter")
        .part("file", Part::bytes(PDF.to_vec()).file_name("surat.pdf"));
    let uploaded = app
        .client
        .post(app.url(&format!("/v1/ormas/{draft_id}/documents")))
        .bearer_auth(&officer)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let document = expect_json(uploaded, 201).await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // The services: an attribute permit with its design, a grant proposal, a consultation with an
    // attachment.
    let png: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
    let permit = expect_json(
        app.post_as(
            "/v1/attribute-permits",
            &rep.access_token,
            &json!({"registration_id": registered, "purpose": "Musyawarah Daerah",
                "vendor": {"name": "CV Sablon Borneo", "address": "Jl. Sudirman 12"},
                "items": [{"kind": "bendera", "description": "Bendera", "colours": ["hijau"], "quantity": 10}]}),
        )
        .await,
        201,
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let design = app
        .client
        .put(app.url(&format!("/v1/attribute-permits/{permit}/items/1/design")))
        .bearer_auth(&rep.access_token)
        .multipart(Form::new().part("file", Part::bytes(png.to_vec()).file_name("desain.png")))
        .send()
        .await
        .unwrap();
    expect_json(design, 200).await;
    let grant = expect_json(
        app.post_as(
            "/v1/grant-proposals",
            &rep.access_token,
            &crate::grants::proposal(&registered, crate::grants::FIXTURE, 2026),
        )
        .await,
        201,
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let content = base64::engine::general_purpose::STANDARD.encode(png);
    let consultation = expect_json(
        app.post_as(
            "/v1/consultations",
            &rep.access_token,
            &json!({"topic": "kepengurusan", "subject": "Pergantian ketua", "message": "Apa yang dilaporkan?",
                "attachments": [{"filename": "sk.png", "content_base64": content}]}),
        )
        .await,
        201,
    )
    .await;
    let consultation_id = consultation["id"].as_str().unwrap().to_owned();
    let consultation_attachment = consultation["messages"][0]["attachments"][0]["url"]
        .as_str()
        .unwrap()
        .to_owned();

    // Oversight: a public complaint with a photo, a case, a written warning.
    let receipt = expect_json(
        app.post_json(
            "/v1/public/complaints",
            &json!({"region_code": "64.71", "ormas_id": registered, "category": "public_order",
                "description": "Anggota berseragam menutup jalan.", "occurred_on": "2026-01-28"}),
        )
        .await,
        201,
    )
    .await;
    let tracking = receipt["tracking_code"].as_str().unwrap().to_owned();
    let photo = app
        .client
        .post(app.url(&format!("/v1/public/complaints/{tracking}/attachments")))
        .multipart(Form::new().part("file", Part::bytes(png.to_vec()).file_name("foto.png")))
        .send()
        .await
        .unwrap();
    let photo = expect_json(photo, 201).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let complaints = expect_json(app.get_as("/v1/complaints", &officer).await, 200).await;
    let complaint = complaints["items"][0]["id"].as_str().unwrap().to_owned();
    let case = expect_json(
        app.post_as(
            "/v1/oversight/cases",
            &oversight.access_token,
            &json!({"region_code": "64.71", "ormas_id": registered, "title": "Pawai beratribut"}),
        )
        .await,
        201,
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let sanction = expect_json(
        app.post_as(
            &format!("/v1/ormas/{registered}/sanctions"),
            &office.head.access_token,
            &json!({"kind": "written_warning", "case_id": case,
                "violation": "Atribut menyerupai lambang Polri.", "demanded_remedy": "Hentikan.",
                "letter_number": "300/112/KESBANG/II/2026", "letter_date": "2026-02-02"}),
        )
        .await,
        201,
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // A webhook subscription (a public address: no delivery is attempted, the dispatcher is off).
    let webhook = expect_json(
        app.post_as(
            "/v1/webhooks",
            &admin.access_token,
            &json!({"url": "https://8.8.8.8/hooks"}),
        )
        .await,
        201,
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let staff = |template, path: String| Walked {
        template,
        path,
        token: Some(officer.clone()),
    };
    let anonymous = |template, path: String| Walked {
        template,
        path,
        token: None,
    };
    let walked = vec![
        staff("/v1/me", "/v1/me".into()),
        Walked {
            template: "/v1/webhooks/{id}",
            path: format!("/v1/webhooks/{webhook}"),
            token: Some(admin.access_token.clone()),
        },
        Walked {
            template: "/v1/users/{id}",
            path: format!("/v1/users/{}", office.officer.user_id),
            token: Some(admin.access_token.clone()),
        },
        staff(
            "/v1/users/{id}/ormas",
            format!("/v1/users/{}/ormas", rep.user_id),
        ),
        anonymous("/v1/regions/{code}", "/v1/regions/64.71".into()),
        anonymous("/v1/reference/{list}", "/v1/reference/fields".into()),
        staff("/v1/ormas/{id}", format!("/v1/ormas/{draft_id}")),
        staff(
            "/v1/ormas/{id}/board",
            format!("/v1/ormas/{draft_id}/board"),
        ),
        staff(
            "/v1/ormas/{id}/status",
            format!("/v1/ormas/{registered}/status"),
        ),
        staff(
            "/v1/organisations/{id}",
            format!("/v1/organisations/{organisation}"),
        ),
        staff("/v1/documents/{id}", format!("/v1/documents/{document}")),
        staff(
            "/v1/documents/{id}/content",
            format!("/v1/documents/{document}/content"),
        ),
        staff("/v1/reports/{id}", format!("/v1/reports/{report}")),
        staff(
            "/v1/attribute-permits/{id}",
            format!("/v1/attribute-permits/{permit}"),
        ),
        staff(
            "/v1/attribute-permits/{id}/items/{number}/design",
            format!("/v1/attribute-permits/{permit}/items/1/design"),
        ),
        staff(
            "/v1/grant-proposals/{id}",
            format!("/v1/grant-proposals/{grant}"),
        ),
        staff(
            "/v1/consultations/{id}",
            format!("/v1/consultations/{consultation_id}"),
        ),
        staff(
            "/v1/consultations/{id}/attachments/{attachment_id}",
            consultation_attachment,
        ),
        staff("/v1/complaints/{id}", format!("/v1/complaints/{complaint}")),
        staff(
            "/v1/complaints/{id}/attachments/{attachment_id}",
            format!("/v1/complaints/{complaint}/attachments/{photo}"),
        ),
        staff(
            "/v1/oversight/cases/{id}",
            format!("/v1/oversight/cases/{case}"),
        ),
        staff("/v1/sanctions/{id}", format!("/v1/sanctions/{sanction}")),
        anonymous(
            "/v1/public/ormas/{id}",
            format!("/v1/public/ormas/{registered}"),
        ),
        anonymous(
            "/v1/public/verify/{registration_number}",
            "/v1/public/verify/000/SKM/64.71/FIXTURE".into(),
        ),
        anonymous(
            "/v1/public/complaints/{tracking_code}",
            format!("/v1/public/complaints/{tracking}"),
        ),
        anonymous(
            "/v1/public/exports/ormas.csv",
            "/v1/public/exports/ormas.csv".into(),
        ),
        anonymous(
            "/v1/public/exports/datapackage.json",
            "/v1/public/exports/datapackage.json".into(),
        ),
    ];

    // The walk and the spec name the same paths.
    let expected = single_resource_gets(&spec);
    let known: Vec<&str> = walked.iter().map(|w| w.template).collect();
    let missing: Vec<&String> = expected
        .iter()
        .filter(|p| !known.contains(&p.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "single-resource GETs of the spec that the walk does not cover (walk them here, or list \
them in NOT_SINGLE_RESOURCES if they answer a list): {missing:?}"
    );
    let stale: Vec<&&str> = known
        .iter()
        .chain(NOT_SINGLE_RESOURCES)
        .filter(|p| spec["paths"].get(**p).and_then(|i| i.get("get")).is_none())
        .collect();
    assert!(
        stale.is_empty(),
        "walked or listed, but no GET in the spec: {stale:?}"
    );

    let mut failures = Vec::new();
    for w in &walked {
        let token = w.token.as_deref();
        let first = conditional_get(&app, &w.path, token, None).await;
        let status = first.status();
        let Some(tag) = first
            .headers()
            .get("etag")
            .map(|t| t.to_str().unwrap().to_owned())
        else {
            failures.push(format!(
                "{} ({}): {status} without an ETag",
                w.template, w.path
            ));
            continue;
        };
        let location = first.headers().get("location").cloned();
        let body = first.bytes().await.unwrap();
        if status != StatusCode::OK || body.is_empty() {
            failures.push(format!(
                "{} ({}): {status}, {} bytes",
                w.template,
                w.path,
                body.len()
            ));
            continue;
        }
        let again = conditional_get(&app, &w.path, token, Some(&tag)).await;
        let again_tag = again
            .headers()
            .get("etag")
            .map(|t| t.to_str().unwrap().to_owned());
        let again_location = again.headers().get("location").cloned();
        let again_status = again.status();
        let again_body = again.bytes().await.unwrap();
        if again_status != StatusCode::NOT_MODIFIED
            || again_tag.as_deref() != Some(tag.as_str())
            || again_location != location
            || !again_body.is_empty()
        {
            failures.push(format!(
                "{} ({}): If-None-Match {tag} → {again_status}, ETag {again_tag:?}, Location \
{again_location:?} (was {location:?}), {} bytes",
                w.template,
                w.path,
                again_body.len()
            ));
        }
        // The spec documents what the server does: the ETag on the 200, and the 304.
        let operation = &spec["paths"][w.template]["get"];
        let takes_if_none_match = operation["parameters"]
            .as_array()
            .is_some_and(|ps| ps.iter().any(|p| p["name"] == "If-None-Match"));
        if operation["responses"]["200"]["headers"]
            .get("ETag")
            .is_none()
            || operation["responses"].get("304").is_none()
            || !takes_if_none_match
        {
            failures.push(format!(
                "{}: the spec documents no ETag, no 304 or no If-None-Match",
                w.template
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
