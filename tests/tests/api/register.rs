//! The register: lifecycle, deadlines, numbers, board, documents, scoping and the public register.

use chrono::NaiveDate;
use ormas_tests::reqwest::multipart::{Form, Part};
use ormas_tests::{Session, TestApp, expect_json, expect_problem, json};
use serde_json::Value;

const NIKS: [&str; 3] = ["6471011203850001", "6471014506900002", "6471012001880003"];

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

pub(crate) fn draft(name: &str, skt: &str, region: &str) -> Value {
    json!({
        "name": name, "abbreviation": "ABC", "kind": "tidak_berbadan_hukum",
        "skt_number": skt, "skt_issued_on": "2023-05-10", "skt_issuer": "Kementerian Dalam Negeri",
        "npwp": "01.234.567.8-901.000", "founded_on": "2019-08-17", "fields": ["sosial", "kepemudaan"],
        "region_code": region, "address": "Jl. Jenderal Sudirman No. 1", "phone": "+62 542 123456",
        "email": "sekretariat@example.org", "board_term_ends_on": "2028-12-31"
    })
}

pub(crate) fn board() -> Value {
    json!({"members": [
        {"position": "ketua", "name": "Budi Santoso", "nik": NIKS[0], "phone": "+62 812 3456 7890"},
        {"position": "sekretaris", "name": "Siti Aminah", "nik": NIKS[1]},
        {"position": "bendahara", "name": "Andi Wijaya", "nik": NIKS[2]}
    ]})
}

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";

pub(crate) async fn upload(
    app: &TestApp,
    token: &str,
    id: &str,
    doc_type: &str,
    name: &str,
    bytes: Vec<u8>,
) -> ormas_tests::reqwest::Response {
    let form = Form::new()
        .text("type", doc_type.to_owned())
        .part("file", Part::bytes(bytes).file_name(name.to_owned()));
    app.client
        .post(app.url(&format!("/v1/ormas/{id}/documents")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

/// An app whose registrations need only one document, to keep fixtures short.
pub(crate) async fn app() -> TestApp {
    TestApp::spawn_with(|c| c.required_documents = vec!["cover_letter".into()]).await
}

pub(crate) async fn create(app: &TestApp, token: &str, body: &Value) -> Value {
    expect_json(app.post_as("/v1/ormas", token, body).await, 201).await
}

/// Board and the required document, ready to submit.
pub(crate) async fn complete(app: &TestApp, token: &str, id: &str) {
    expect_json(
        app.put_as(&format!("/v1/ormas/{id}/board"), token, &board())
            .await,
        200,
    )
    .await;
    expect_json(
        upload(app, token, id, "cover_letter", "surat.pdf", PDF.to_vec()).await,
        201,
    )
    .await;
}

pub(crate) async fn transition(
    app: &TestApp,
    token: &str,
    id: &str,
    name: &str,
    body: Value,
) -> ormas_tests::reqwest::Response {
    app.post_as(&format!("/v1/ormas/{id}/{name}"), token, &body)
        .await
}

pub(crate) struct Office {
    pub(crate) officer: Session,
    pub(crate) head: Session,
}

pub(crate) async fn office(app: &TestApp, region: &str) -> Office {
    let tag = region.replace('.', "");
    Office {
        officer: app
            .signed_in(&format!("officer.{tag}"), "officer", Some(region))
            .await,
        head: app
            .signed_in(&format!("head.{tag}"), "head", Some(region))
            .await,
    }
}

#[tokio::test]
async fn the_whole_lifecycle_with_deadlines_across_nyepi_and_idul_fitri() {
    let app = app().await;
    let kota = office(&app, "64.71").await;
    let rep = app.signed_in("ketua.ppl", "ormas_rep", None).await;
    app.clock.pin(Some(day("2026-03-16")));

    let created = create(
        &app,
        &rep.access_token,
        &draft("Pemuda Peduli Lingkungan", "SKT-001/2023", "64.71"),
    )
    .await;
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["state"], "draft");
    assert_eq!(created["organisation"]["skt_expires_on"], "2028-05-10");
    assert_eq!(created["organisation"]["npwp"], "012345678901000");
    assert_eq!(created["board_complete"], false);
    assert_eq!(created["missing_documents"], json!(["cover_letter"]));
    assert_eq!(created["allowed_transitions"], json!(["submit"]));
    // The representative is bound to its draft.
    let me = expect_json(app.get_as("/v1/me", &rep.access_token).await, 200).await;
    assert_eq!(me["ormas_id"], id.as_str());

    // Not yet complete: the board and the documents are named.
    let problem = expect_problem(
        transition(&app, &rep.access_token, &id, "submit", json!({})).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["code"], "incomplete_board");
    complete(&app, &rep.access_token, &id).await;

    // Submitted on Monday 16 March 2026: 15 working days skip 18–24 March and Good Friday.
    let submitted = expect_json(
        transition(&app, &rep.access_token, &id, "submit", json!({})).await,
        200,
    )
    .await;
    assert_eq!(submitted["state"], "submitted");
    assert_eq!(submitted["submitted_on"], "2026-03-16");
    assert_eq!(submitted["verification_due"], "2026-04-14");
    assert_eq!(submitted["verification_overdue"], false);
    app.clock.pin(Some(day("2026-04-15")));
    let overdue = expect_json(
        app.get_as(&format!("/v1/ormas/{id}"), &kota.officer.access_token)
            .await,
        200,
    )
    .await;
    assert_eq!(overdue["verification_overdue"], true);
    let listed = expect_json(
        app.get_as(
            "/v1/ormas?verification_overdue=true",
            &kota.officer.access_token,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);

    // Returned with notes; 15 working days to fix.
    app.clock.pin(Some(day("2026-04-15")));
    let returned = expect_json(
        transition(&app, &kota.officer.access_token, &id, "return", json!({"reason": "SK kepengurusan belum ditandatangani", "document_notes": [{"document": "board_decree", "note": "Tanda tangan ketua"}]})).await,
        200,
    )
    .await;
    assert_eq!(returned["state"], "needs_revision");
    assert_eq!(returned["revision_due"], "2026-05-07");
    assert_eq!(returned["verification_due"], json!(null));

    let resubmitted = expect_json(
        transition(&app, &rep.access_token, &id, "submit", json!({})).await,
        200,
    )
    .await;
    assert_eq!(resubmitted["state"], "submitted");

    // Only the head approves; the number comes from the region's Buku Induk.
    expect_problem(
        transition(&app, &kota.officer.access_token, &id, "approve", json!({})).await,
        403,
        "forbidden",
    )
    .await;
    expect_problem(
        transition(&app, &rep.access_token, &id, "approve", json!({})).await,
        403,
        "forbidden",
    )
    .await;
    app.clock.pin(Some(day("2026-11-22")));
    let approved = expect_json(
        transition(&app, &kota.head.access_token, &id, "approve", json!({})).await,
        200,
    )
    .await;
    assert_eq!(approved["state"], "registered");
    assert_eq!(approved["registration_number"], "001/SKM/64.71/XI/2026");
    assert_eq!(approved["registration_date"], "2026-11-22");
    assert_eq!(approved["allowed_transitions"], json!(["dissolve"]));

    // Applicants cannot edit a registered ormas; officers may still correct contact data.
    let edit = app
        .patch_as(
            &format!("/v1/ormas/{id}"),
            &rep.access_token,
            &json!({"phone": "+62 542 000000"}),
        )
        .await;
    expect_problem(edit, 409, "conflict").await;
    let corrected = expect_json(
        app.patch_as(
            &format!("/v1/ormas/{id}"),
            &kota.officer.access_token,
            &json!({"phone": "+62 542 765432"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(corrected["phone"], "+62 542 765432");
    let identity = app
        .patch_as(
            &format!("/v1/ormas/{id}"),
            &kota.officer.access_token,
            &json!({"name": "Renamed"}),
        )
        .await;
    expect_problem(identity, 409, "identity_read_only").await;

    expect_problem(
        transition(&app, &kota.head.access_token, &id, "dissolve", json!({})).await,
        422,
        "validation_failed",
    )
    .await;
    let dissolved = expect_json(
        transition(
            &app,
            &kota.head.access_token,
            &id,
            "dissolve",
            json!({"reason": "Membubarkan diri"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(dissolved["state"], "dissolved");

    let history = expect_json(
        app.get_as(&format!("/v1/ormas/{id}/history"), &rep.access_token)
            .await,
        200,
    )
    .await;
    let actions: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "create",
            "board",
            "document_add",
            "submit",
            "return",
            "submit",
            "approve",
            "update",
            "dissolve"
        ]
    );
    let ret = &history["items"][4];
    assert_eq!(
        (ret["from_state"].as_str(), ret["to_state"].as_str()),
        (Some("submitted"), Some("needs_revision"))
    );
    assert_eq!(ret["reason"], "SK kepengurusan belum ditandatangani");
    assert_eq!(ret["notes"][0]["document"], "board_decree");
    assert_eq!(ret["actor_id"], kota.officer.user_id.as_str());
    assert_eq!(
        history["items"][6]["registration_number"],
        "001/SKM/64.71/XI/2026"
    );
}

#[tokio::test]
async fn illegal_transitions_are_409_naming_the_state() {
    let app = app().await;
    let kota = office(&app, "64.71").await;
    let id = create(
        &app,
        &kota.officer.access_token,
        &draft("Ormas A", "SKT-A", "64.71"),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for name in ["approve", "return", "dissolve"] {
        let token = if name == "return" {
            &kota.officer.access_token
        } else {
            &kota.head.access_token
        };
        let problem = expect_problem(
            transition(&app, token, &id, name, json!({"reason": "x"})).await,
            409,
            "conflict",
        )
        .await;
        let detail = problem["detail"].as_str().unwrap();
        assert!(
            detail.contains("draft") && detail.contains("submit"),
            "{detail}"
        );
    }
    complete(&app, &kota.officer.access_token, &id).await;
    expect_json(
        transition(&app, &kota.officer.access_token, &id, "submit", json!({})).await,
        200,
    )
    .await;
    expect_problem(
        transition(&app, &kota.officer.access_token, &id, "submit", json!({})).await,
        409,
        "conflict",
    )
    .await;
    expect_problem(
        transition(
            &app,
            &kota.officer.access_token,
            &id,
            "reject",
            json!({"reason": "  "}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    expect_problem(
        transition(&app, &kota.officer.access_token, &id, "return", json!({})).await,
        422,
        "validation_failed",
    )
    .await;
    expect_json(
        transition(
            &app,
            &kota.head.access_token,
            &id,
            "reject",
            json!({"reason": "Fiktif"}),
        )
        .await,
        200,
    )
    .await;
    for name in ["submit", "approve", "return", "reject", "dissolve"] {
        let token = if name == "approve" || name == "dissolve" {
            &kota.head.access_token
        } else {
            &kota.officer.access_token
        };
        expect_problem(
            transition(&app, token, &id, name, json!({"reason": "x"})).await,
            409,
            "conflict",
        )
        .await;
    }
    // Unknown transitions are not endpoints.
    expect_problem(
        transition(&app, &kota.head.access_token, &id, "revive", json!({})).await,
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn a_returned_registration_lapses_the_day_after_its_window() {
    let app = app().await;
    let kota = office(&app, "64.71").await;
    let id = create(
        &app,
        &kota.officer.access_token,
        &draft("Ormas L", "SKT-L", "64.71"),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    complete(&app, &kota.officer.access_token, &id).await;
    app.clock.pin(Some(day("2026-03-16")));
    expect_json(
        transition(&app, &kota.officer.access_token, &id, "submit", json!({})).await,
        200,
    )
    .await;
    let returned = expect_json(
        transition(
            &app,
            &kota.officer.access_token,
            &id,
            "return",
            json!({"reason": "Lengkapi"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(returned["revision_due"], "2026-04-14");

    app.clock.pin(Some(day("2026-04-14")));
    let on_due_day = expect_json(
        app.get_as(&format!("/v1/ormas/{id}"), &kota.officer.access_token)
            .await,
        200,
    )
    .await;
    assert_eq!(on_due_day["state"], "needs_revision");
    app.clock.pin(Some(day("2026-04-15")));
    let lapsed = expect_json(
        app.get_as(&format!("/v1/ormas/{id}"), &kota.officer.access_token)
            .await,
        200,
    )
    .await;
    assert_eq!(lapsed["state"], "lapsed");
    assert_eq!(lapsed["allowed_transitions"], json!([]));
    let listed = expect_json(
        app.get_as("/v1/ormas?state=lapsed", &kota.officer.access_token)
            .await,
        200,
    )
    .await;
    assert_eq!(listed["items"][0]["id"], id.as_str());
    let none = expect_json(
        app.get_as("/v1/ormas?state=needs_revision", &kota.officer.access_token)
            .await,
        200,
    )
    .await;
    assert_eq!(none["items"], json!([]));
    expect_problem(
        transition(&app, &kota.officer.access_token, &id, "submit", json!({})).await,
        409,
        "conflict",
    )
    .await;
}

#[tokio::test]
async fn documents_are_checked_by_their_bytes_and_size() {
    let app = app().await;
    let kota = office(&app, "64.71").await;
    let token = &kota.officer.access_token;
    let id = create(&app, token, &draft("Ormas D", "SKT-D", "64.71")).await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let fake = upload(
        &app,
        token,
        &id,
        "cover_letter",
        "surat.pdf",
        b"I am only text pretending".to_vec(),
    )
    .await;
    expect_problem(fake, 415, "unsupported_media_type").await;
    let big = vec![b'%'; 11 * 1024 * 1024];
    let mut big_pdf = PDF.to_vec();
    big_pdf.extend_from_slice(&big);
    expect_problem(
        upload(&app, token, &id, "cover_letter", "besar.pdf", big_pdf).await,
        413,
        "payload_too_large",
    )
    .await;
    expect_problem(
        upload(&app, token, &id, "selfie", "a.pdf", PDF.to_vec()).await,
        422,
        "validation_failed",
    )
    .await;
    let not_multipart = app
        .post_as(
            &format!("/v1/ormas/{id}/documents"),
            token,
            &json!({"type": "cover_letter"}),
        )
        .await;
    expect_problem(not_multipart, 415, "unsupported_media_type").await;

    let png = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0].to_vec();
    let stored = expect_json(
        upload(&app, token, &id, "office_photo", "kantor.jpg", png.clone()).await,
        201,
    )
    .await;
    assert_eq!(
        stored["content_type"], "image/png",
        "judged by bytes, not the .jpg name"
    );
    assert_eq!(stored["size_bytes"], png.len());
    let doc_id = stored["id"].as_str().unwrap();
    let content = app
        .get_as(&format!("/v1/documents/{doc_id}/content"), token)
        .await;
    assert_eq!(content.headers()["content-type"], "image/png");
    assert_eq!(content.bytes().await.unwrap().to_vec(), png);
    let meta = expect_json(
        app.get_as(&format!("/v1/documents/{doc_id}"), token).await,
        200,
    )
    .await;
    assert_eq!(meta["sha256"].as_str().unwrap().len(), 64);
    let listed = expect_json(
        app.get_as(&format!("/v1/ormas/{id}/documents"), token)
            .await,
        200,
    )
    .await;
    assert_eq!(listed["missing"], json!(["cover_letter"]));
    // Stored under the data directory by content hash.
    let sha = meta["sha256"].as_str().unwrap();
    assert!(
        app.data_dir
            .join("documents")
            .join(&sha[..2])
            .join(sha)
            .is_file()
    );

    let response = app
        .delete_as(&format!("/v1/documents/{doc_id}"), token)
        .await;
    assert_eq!(response.status().as_u16(), 204);
    expect_problem(
        app.get_as(&format!("/v1/documents/{doc_id}"), token).await,
        404,
        "not_found",
    )
    .await;
    assert!(
        !app.data_dir
            .join("documents")
            .join(&sha[..2])
            .join(sha)
            .exists()
    );

    // Not after submission.
    complete(&app, token, &id).await;
    let listed = expect_json(
        app.get_as(&format!("/v1/ormas/{id}/documents"), token)
            .await,
        200,
    )
    .await;
    let doc_id = listed["items"][0]["id"].as_str().unwrap().to_owned();
    expect_json(transition(&app, token, &id, "submit", json!({})).await, 200).await;
    expect_problem(
        app.delete_as(&format!("/v1/documents/{doc_id}"), token)
            .await,
        409,
        "conflict",
    )
    .await;
    expect_problem(
        upload(&app, token, &id, "npwp", "n.pdf", PDF.to_vec()).await,
        409,
        "conflict",
    )
    .await;
}

#[tokio::test]
async fn nik_and_npwp_are_validated_field_by_field() {
    let app = app().await;
    let kota = office(&app, "64.71").await;
    let token = &kota.officer.access_token;
    let mut body = draft("Ormas N", "SKT-N", "64.71");
    body["npwp"] = json!("12345");
    let problem = expect_problem(
        app.post_as("/v1/ormas", token, &body).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "npwp");
    body["npwp"] = json!("01.234.567.8-901.00X");
    let problem = expect_problem(
        app.post_as("/v1/ormas", token, &body).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["code"], "invalid_npwp");
    let mut badan = draft("Ormas B", "SKT-B", "64.71");
    badan["kind"] = json!("yayasan");
    let problem = expect_problem(
        app.post_as("/v1/ormas", token, &badan).await,
        422,
        "validation_failed",
    )
    .await;
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"ahu_number") && fields.contains(&"skt_number"),
        "{fields:?}"
    );
    let mut far = draft("Ormas F", "SKT-F", "64.71");
    far["district_code"] = json!("64.01.01");
    let problem = expect_problem(
        app.post_as("/v1/ormas", token, &far).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["code"], "district_outside_region");

    let id = create(&app, token, &draft("Ormas N", "SKT-N", "64.71")).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let cases = [
        ("647101120385000", "invalid_nik"),
        ("9971011203850001", "invalid_nik"),
        ("6471013213850001", "invalid_nik"),
        ("6471011203850000", "invalid_nik"),
        ("64710112038500AB", "invalid_nik"),
    ];
    for (nik, code) in cases {
        let mut members = board();
        members["members"][1]["nik"] = json!(nik);
        let response = app
            .put_as(&format!("/v1/ormas/{id}/board"), token, &members)
            .await;
        let problem = expect_problem(response, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["field"], "members[1].nik", "{nik}");
        assert_eq!(problem["errors"][0]["code"], code, "{nik}");
        // The NIK never appears in the answer.
        assert!(!problem.to_string().contains(nik), "{problem}");
    }
}

#[tokio::test]
async fn concurrent_approvals_never_duplicate_a_number() {
    let app = app().await;
    let kota = office(&app, "64.71").await;
    let mut ids = Vec::new();
    for i in 0..8 {
        let id = create(
            &app,
            &kota.officer.access_token,
            &draft(&format!("Ormas {i}"), &format!("SKT-C-{i}"), "64.71"),
        )
        .await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        complete(&app, &kota.officer.access_token, &id).await;
        expect_json(
            transition(&app, &kota.officer.access_token, &id, "submit", json!({})).await,
            200,
        )
        .await;
        ids.push(id);
    }
    app.clock.pin(Some(day("2026-11-22")));
    let approvals =
        ids.iter().map(|id| {
            let app = &app;
            let token = kota.head.access_token.clone();
            async move {
                expect_json(transition(app, &token, id, "approve", json!({})).await, 200).await
            }
        });
    // The same registration approved twice at once: exactly one wins.
    let twice = async {
        let (a, b) = tokio::join!(
            transition(&app, &kota.head.access_token, &ids[0], "approve", json!({})),
            transition(&app, &kota.head.access_token, &ids[0], "approve", json!({}))
        );
        (a.status().as_u16(), b.status().as_u16())
    };
    let (results, (a, b)) = tokio::join!(futures_util::future::join_all(approvals.skip(1)), twice);
    let mut statuses = [a, b];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409]);
    let mut numbers: Vec<String> = results
        .iter()
        .map(|r| r["registration_number"].as_str().unwrap().to_owned())
        .collect();
    let first = expect_json(
        app.get_as(&format!("/v1/ormas/{}", ids[0]), &kota.head.access_token)
            .await,
        200,
    )
    .await;
    numbers.push(first["registration_number"].as_str().unwrap().to_owned());
    numbers.sort();
    let expected: Vec<String> = (1..=8)
        .map(|n| format!("{n:03}/SKM/64.71/XI/2026"))
        .collect();
    assert_eq!(numbers, expected, "gap-free and unique");
}

#[tokio::test]
async fn others_registrations_are_not_found() {
    let app = app().await;
    let kota = office(&app, "64.71").await;
    let paser = office(&app, "64.01").await;
    let province = app.signed_in("officer.64", "officer", Some("64")).await;
    let rep_a = app.signed_in("rep.a", "ormas_rep", None).await;
    let rep_b = app.signed_in("rep.b", "ormas_rep", None).await;
    let a = create(
        &app,
        &rep_a.access_token,
        &draft("Ormas A", "SKT-RA", "64.71"),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let b = create(
        &app,
        &rep_b.access_token,
        &draft("Ormas B", "SKT-RB", "64.71"),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let p = create(
        &app,
        &paser.officer.access_token,
        &draft("Ormas P", "SKT-P", "64.01"),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    expect_problem(
        app.get_as(&format!("/v1/ormas/{b}"), &rep_a.access_token)
            .await,
        404,
        "not_found",
    )
    .await;
    expect_problem(
        app.get_as(&format!("/v1/ormas/{b}/board"), &rep_a.access_token)
            .await,
        404,
        "not_found",
    )
    .await;
    let own = expect_json(app.get_as("/v1/ormas", &rep_a.access_token).await, 200).await;
    assert_eq!(own["items"].as_array().unwrap().len(), 1);
    assert_eq!(own["items"][0]["id"], a.as_str());

    expect_problem(
        app.get_as(&format!("/v1/ormas/{p}"), &kota.officer.access_token)
            .await,
        404,
        "not_found",
    )
    .await;
    expect_problem(
        transition(&app, &kota.head.access_token, &p, "approve", json!({})).await,
        404,
        "not_found",
    )
    .await;
    expect_json(
        app.get_as(&format!("/v1/ormas/{p}"), &province.access_token)
            .await,
        200,
    )
    .await;
    let all = expect_json(app.get_as("/v1/ormas", &province.access_token).await, 200).await;
    assert_eq!(all["items"].as_array().unwrap().len(), 3);
    let kota_list = expect_json(
        app.get_as("/v1/ormas", &kota.officer.access_token).await,
        200,
    )
    .await;
    assert_eq!(kota_list["items"].as_array().unwrap().len(), 2);
    expect_problem(
        app.get_as("/v1/ormas?region=64.01", &kota.officer.access_token)
            .await,
        403,
        "forbidden",
    )
    .await;
    // An officer cannot create in another kabupaten.
    expect_problem(
        app.post_as(
            "/v1/ormas",
            &kota.officer.access_token,
            &draft("X", "SKT-X", "64.01"),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    // A representative represents one ormas.
    expect_problem(
        app.post_as(
            "/v1/ormas",
            &rep_a.access_token,
            &draft("Y", "SKT-Y", "64.71"),
        )
        .await,
        409,
        "conflict",
    )
    .await;
}

#[tokio::test]
async fn personal_data_is_masked_for_integrators_and_never_public() {
    let app = app().await;
    let kota = office(&app, "64.71").await;
    let admin = app.signed_in("admin.6471", "admin", Some("64.71")).await;
    let id = create(
        &app,
        &kota.officer.access_token,
        &draft("Ormas Publik", "SKT-PUB", "64.71"),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    complete(&app, &kota.officer.access_token, &id).await;
    expect_json(
        transition(&app, &kota.officer.access_token, &id, "submit", json!({})).await,
        200,
    )
    .await;
    app.clock.pin(Some(day("2026-11-22")));
    let approved = expect_json(
        transition(&app, &kota.head.access_token, &id, "approve", json!({})).await,
        200,
    )
    .await;
    let number = approved["registration_number"].as_str().unwrap().to_owned();

    let staff_view = expect_json(
        app.get_as(&format!("/v1/ormas/{id}/board"), &kota.officer.access_token)
            .await,
        200,
    )
    .await;
    assert_eq!(staff_view["members"][0]["nik"], NIKS[0]);
    assert_eq!(staff_view["masked"], false);

    let client = expect_json(
        app.post_as(
            "/v1/clients",
            &admin.access_token,
            &json!({"client_id": "sync.6471", "name": "Sync"}),
        )
        .await,
        201,
    )
    .await;
    let token = expect_json(
        app.post_json("/v1/auth/token", &json!({"grant_type": "client_credentials", "client_id": "sync.6471", "client_secret": client["client_secret"]})).await,
        200,
    )
    .await["access_token"].as_str().unwrap().to_owned();
    let masked = expect_json(
        app.get_as(&format!("/v1/ormas/{id}/board"), &token).await,
        200,
    )
    .await;
    assert_eq!(masked["members"][0]["nik"], "6471********0001");
    assert_eq!(masked["masked"], true);
    expect_problem(
        app.get_as(&format!("/v1/ormas/{id}/documents"), &token)
            .await,
        403,
        "forbidden",
    )
    .await;

    let mut public_bodies = Vec::new();
    let list = expect_json(app.get("/v1/public/ormas?q=publik").await, 200).await;
    assert_eq!(list["items"][0]["registration_number"], number.as_str());
    public_bodies.push(list);
    public_bodies.push(expect_json(app.get(&format!("/v1/public/ormas/{id}")).await, 200).await);
    let encoded = number.replace('/', "%2F");
    let verified = expect_json(app.get(&format!("/v1/public/verify/{encoded}")).await, 200).await;
    assert_eq!(verified["valid"], true);
    public_bodies.push(verified);
    let raw = expect_json(app.get(&format!("/v1/public/verify/{number}")).await, 200).await;
    assert_eq!(raw["ormas"]["id"], id.as_str());
    for body in &public_bodies {
        let text = body.to_string();
        for nik in NIKS {
            assert!(!text.contains(nik), "a NIK in a public answer: {text}");
        }
        assert!(
            !text.contains("812 3456"),
            "a personal phone in a public answer: {text}"
        );
    }
    expect_problem(
        app.get("/v1/public/verify/999%2FSKM%2F64.71%2FXI%2F2026")
            .await,
        404,
        "not_found",
    )
    .await;
    // Drafts are not public.
    let draft_id = create(
        &app,
        &kota.officer.access_token,
        &draft("Ormas Draf", "SKT-DRAF", "64.71"),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    expect_problem(
        app.get(&format!("/v1/public/ormas/{draft_id}")).await,
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn the_same_legal_identity_is_one_organisation_nationally() {
    let app = app().await;
    let kota = office(&app, "64.71").await;
    let kalteng = office(&app, "62").await;
    let a = create(
        &app,
        &kota.officer.access_token,
        &draft("Ormas Nasional", "SKT 123 / 2023", "64.71"),
    )
    .await;
    let b = create(
        &app,
        &kalteng.officer.access_token,
        &draft("Ormas Nasional Kalteng", "skt 123/2023", "62"),
    )
    .await;
    assert_eq!(a["organisation"]["id"], b["organisation"]["id"]);
    assert_ne!(a["id"], b["id"]);
    let c = create(
        &app,
        &kota.officer.access_token,
        &draft("Ormas Lain", "SKT-999", "64.71"),
    )
    .await;
    assert_ne!(a["organisation"]["id"], c["organisation"]["id"]);
}

#[tokio::test]
async fn lists_filter_and_paginate() {
    let app = app().await;
    let kota = office(&app, "64.71").await;
    let token = &kota.officer.access_token;
    for (i, name) in ["Alpha Muda", "Beta Sosial", "Gamma Pemuda", "Delta Budaya"]
        .iter()
        .enumerate()
    {
        let mut body = draft(name, &format!("SKT-LF-{i}"), "64.71");
        if i == 3 {
            body["fields"] = json!(["budaya"]);
        }
        create(&app, token, &body).await;
    }
    let found = expect_json(app.get_as("/v1/ormas?q=PEMUDA", token).await, 200).await;
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
    let by_field = expect_json(app.get_as("/v1/ormas?field=budaya", token).await, 200).await;
    assert_eq!(by_field["items"][0]["organisation"]["name"], "Delta Budaya");
    let drafts = expect_json(
        app.get_as("/v1/ormas?state=draft&kind=tidak_berbadan_hukum", token)
            .await,
        200,
    )
    .await;
    assert_eq!(drafts["items"].as_array().unwrap().len(), 4);
    let expiring = expect_json(
        app.get_as("/v1/ormas?skt_expiring_before=2028-06-01", token)
            .await,
        200,
    )
    .await;
    assert_eq!(expiring["items"].as_array().unwrap().len(), 4);
    let none = expect_json(
        app.get_as("/v1/ormas?skt_expiring_before=2028-01-01", token)
            .await,
        200,
    )
    .await;
    assert_eq!(none["items"], json!([]));
    app.clock.pin(Some(day("2029-01-01")));
    let ended = expect_json(
        app.get_as("/v1/ormas?board_term_ended=true", token).await,
        200,
    )
    .await;
    assert_eq!(ended["items"].as_array().unwrap().len(), 4);

    let mut seen = Vec::new();
    let mut path = "/v1/ormas?page_size=3".to_owned();
    loop {
        let page = expect_json(app.get_as(&path, token).await, 200).await;
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o["id"].as_str().unwrap().to_owned()),
        );
        match page["next_page_token"].as_str() {
            Some(t) => path = format!("/v1/ormas?page_size=3&page_token={t}"),
            None => break,
        }
    }
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(seen, sorted);
    assert_eq!(seen.len(), 4);
}

#[tokio::test]
async fn stale_versions_and_representative_binding() {
    let app = app().await;
    let kota = office(&app, "64.71").await;
    let token = &kota.officer.access_token;
    let created = app
        .post_as("/v1/ormas", token, &draft("Ormas V", "SKT-V", "64.71"))
        .await;
    assert_eq!(ormas_tests::etag_version(&created.headers()["etag"]), 1);
    let id = expect_json(created, 201).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let stale = app
        .client
        .patch(app.url(&format!("/v1/ormas/{id}")))
        .bearer_auth(token)
        .header("if-match", "\"9\"")
        .json(&json!({"address": "x"}))
        .send()
        .await
        .unwrap();
    expect_problem(stale, 412, "precondition_failed").await;
    let fresh = app
        .client
        .patch(app.url(&format!("/v1/ormas/{id}")))
        .bearer_auth(token)
        .header("if-match", "\"1\"")
        .json(&json!({"address": "Jl. Baru 2", "fields": ["sosial"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(ormas_tests::etag_version(&fresh.headers()["etag"]), 2);
    let body = expect_json(fresh, 200).await;
    assert_eq!(body["address"], "Jl. Baru 2");
    assert_eq!(body["organisation"]["fields"], json!(["sosial"]));

    // An officer binds a self-registered representative to the ormas.
    let rep = app.signed_in("pengurus.v", "ormas_rep", None).await;
    expect_problem(
        app.get_as(&format!("/v1/ormas/{id}"), &rep.access_token)
            .await,
        404,
        "not_found",
    )
    .await;
    let bind = app
        .put_as(
            &format!("/v1/users/{}/ormas", rep.user_id),
            token,
            &json!({"ormas_id": id}),
        )
        .await;
    assert_eq!(bind.status().as_u16(), 204);
    expect_json(
        app.get_as(&format!("/v1/ormas/{id}"), &rep.access_token)
            .await,
        200,
    )
    .await;
    let paser = app
        .signed_in("officer.6401", "officer", Some("64.01"))
        .await;
    let other = app
        .put_as(
            &format!("/v1/users/{}/ormas", rep.user_id),
            &paser.access_token,
            &json!({"ormas_id": id}),
        )
        .await;
    expect_problem(other, 404, "not_found").await;
}

#[tokio::test]
async fn an_identity_cannot_be_dated_in_the_future() {
    let app = app().await;
    app.clock.pin(Some(day("2026-12-03")));
    let officer = app
        .signed_in("officer.6471", "officer", Some("64.71"))
        .await;
    let mut body = draft("Masa Depan", "SKT-FUTURE-1", "64.71");
    body["founded_on"] = json!("2026-12-04");
    body["skt_issued_on"] = json!("2027-01-01");
    let problem = expect_problem(
        app.post_as("/v1/ormas", &officer.access_token, &body).await,
        422,
        "validation_failed",
    )
    .await;
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["founded_on", "skt_issued_on"], "{problem}");
    assert_eq!(problem["errors"][0]["code"], "in_future");
    // Today is fine.
    body["founded_on"] = json!("2026-12-03");
    body["skt_issued_on"] = json!("2026-12-03");
    create(&app, &officer.access_token, &body).await;
}
