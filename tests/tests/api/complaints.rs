//! Complaints: public intake with a tracking code, the reporter kept from every public answer and
//! from officers, the rate limit, bad input, and triage.

use ormas_domain::oversight::TrackingCode;
use ormas_tests::fixtures::OrmasFixture;
use ormas_tests::{Session, TestApp, expect_json, expect_problem, json};
use serde_json::Value;

const REPORTER: &str = "Budi Rahasia";
const CONTACT: &str = "0812-7777-RAHASIA";

fn public_complaint(ormas: &str) -> Value {
    json!({
        "region_code": "64.71",
        "ormas_id": ormas,
        "category": "public_order",
        "description": "Anggota berseragam menutup jalan setiap malam minggu.",
        "occurred_on": "2026-11-28",
        "reporter_name": REPORTER,
        "reporter_contact": CONTACT
    })
}

async fn file_public(app: &TestApp, body: &Value) -> Value {
    expect_json(app.post_json("/v1/public/complaints", body).await, 201).await
}

async fn text(response: ormas_tests::reqwest::Response, status: u16) -> String {
    assert_eq!(response.status().as_u16(), status);
    response.text().await.unwrap()
}

fn is_code(code: &str) -> bool {
    let groups: Vec<&str> = code.split('-').collect();
    groups.len() == 4
        && groups.iter().all(|g| {
            g.len() == 4
                && g.chars()
                    .all(|c| "0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains(c))
        })
}

#[tokio::test]
async fn a_public_complaint_is_tracked_by_its_code_and_its_reporter_stays_hidden() {
    let app = TestApp::spawn().await;
    let ormas = OrmasFixture::registered("64.71").insert(&app).await;
    let receipt = file_public(&app, &public_complaint(&ormas)).await;
    let code = receipt["tracking_code"].as_str().unwrap().to_owned();
    assert!(is_code(&code), "{code}");
    assert_eq!(receipt["state"], "received");
    assert_eq!(receipt.as_object().unwrap().len(), 3, "{receipt}");

    // The complainant follows it: state and dates only, however the code is typed.
    for typed in [code.clone(), code.replace('-', "").to_lowercase()] {
        let tracked = expect_json(
            app.get(&format!("/v1/public/complaints/{typed}")).await,
            200,
        )
        .await;
        assert_eq!(tracked["state"], "received");
        assert!(tracked["received_on"].is_string());
        assert!(tracked["closed_on"].is_null());
        let keys: Vec<&String> = tracked.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 4, "{tracked}");
    }
    // Unknown and malformed codes: the same 404.
    let unknown = expect_problem(
        app.get("/v1/public/complaints/0000-0000-0000-0000").await,
        404,
        "not_found",
    )
    .await;
    let malformed = expect_problem(
        app.get("/v1/public/complaints/not-a-code").await,
        404,
        "not_found",
    )
    .await;
    assert_eq!(unknown["detail"], malformed["detail"]);

    // No public answer carries the reporter.
    for path in [
        format!("/v1/public/complaints/{code}"),
        "/v1/public/ormas".to_owned(),
        "/v1/public/ormas?region=64.71".to_owned(),
    ] {
        let body = text(app.get(&path).await, 200).await;
        assert!(
            !body.contains("Rahasia") && !body.contains("RAHASIA"),
            "{path}: {body}"
        );
        assert!(!body.contains("menutup jalan"), "{path}: {body}");
    }

    // An officer of the region sees the complaint, not who filed it.
    let officer = app
        .signed_in("officer.6471", "officer", Some("64.71"))
        .await;
    let list = expect_json(
        app.get_as("/v1/complaints", &officer.access_token).await,
        200,
    )
    .await;
    let item = &list["items"][0];
    assert!(item["reporter_name"].is_null() && item["reporter_contact"].is_null());
    assert_eq!(item["reporter_masked"], true);
    let id = item["id"].as_str().unwrap().to_owned();
    let body = text(
        app.get_as(&format!("/v1/complaints/{id}"), &officer.access_token)
            .await,
        200,
    )
    .await;
    assert!(
        !body.contains("Rahasia") && !body.contains("RAHASIA"),
        "{body}"
    );

    // Oversight and head of the region see it, and each such answer is audited.
    for (name, role) in [("oversight.6471", "oversight"), ("head.6471", "head")] {
        let session = app.signed_in(name, role, Some("64.71")).await;
        let complaint = expect_json(
            app.get_as(&format!("/v1/complaints/{id}"), &session.access_token)
                .await,
            200,
        )
        .await;
        assert_eq!(complaint["reporter_name"], REPORTER);
        assert_eq!(complaint["reporter_contact"], CONTACT);
        assert_eq!(complaint["reporter_masked"], false);
    }
    let admin = app.signed_in("admin.6471", "admin", Some("64.71")).await;
    let audit = expect_json(
        app.get_as(
            "/v1/audit?action=complaint.read_identity",
            &admin.access_token,
        )
        .await,
        200,
    )
    .await;
    let reads = audit["items"].as_array().unwrap();
    assert_eq!(reads.len(), 2, "{audit}");
    assert!(reads.iter().all(|e| e["target_id"] == id.as_str()));
    let audit_text = audit.to_string();
    assert!(!audit_text.contains("Rahasia"), "{audit_text}");
}

#[tokio::test]
async fn tracking_codes_cannot_be_predicted() {
    let app = TestApp::spawn().await;
    let ormas = OrmasFixture::registered("64.71").insert(&app).await;
    let mut codes = Vec::new();
    for _ in 0..2 {
        let receipt = file_public(&app, &public_complaint(&ormas)).await;
        codes.push(receipt["tracking_code"].as_str().unwrap().to_owned());
    }
    let bytes: Vec<[u8; 10]> = codes
        .iter()
        .map(|c| {
            assert!(is_code(c), "{c}");
            TrackingCode::parse(c).unwrap().bytes()
        })
        .collect();
    // 80 bits each (16 base32 characters), differing in about half of them.
    assert_eq!(codes[0].replace('-', "").len() * 5, 80);
    let differing: u32 = bytes[0]
        .iter()
        .zip(bytes[1].iter())
        .map(|(a, b)| (a ^ b).count_ones())
        .sum();
    assert!(differing >= 16, "{codes:?} differ in {differing} bits");
    let common_prefix = codes[0]
        .chars()
        .zip(codes[1].chars())
        .take_while(|(a, b)| a == b)
        .count();
    assert!(common_prefix < 8, "{codes:?}");
}

#[tokio::test]
async fn the_sixth_public_complaint_within_an_hour_is_refused() {
    let app = TestApp::spawn_with(|c| c.rate_limits.complaints_per_hour = 5).await;
    let body = json!({
        "region_code": "64.71",
        "organisation_name": "Laskar Pemuda Sejahtera",
        "organisation_address": "Jl. Mulawarman No. 5",
        "category": "other",
        "description": "Spanduk tanpa izin."
    });
    for _ in 0..5 {
        file_public(&app, &body).await;
    }
    let response = app.post_json("/v1/public/complaints", &body).await;
    let wait: u64 = response
        .headers()
        .get("retry-after")
        .expect("Retry-After")
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=720).contains(&wait), "{wait}");
    expect_problem(response, 429, "too_many_requests").await;
    // Following a complaint is not counted against filing.
    assert_eq!(
        app.get("/v1/public/complaints/0000-0000-0000-0000")
            .await
            .status(),
        404
    );
}

fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn bad_complaints_are_422_naming_the_field() {
    let app = TestApp::spawn().await;
    let ormas = OrmasFixture::registered("64.71").insert(&app).await;
    let with = |change: &dyn Fn(&mut Value)| {
        let mut body = public_complaint(&ormas);
        change(&mut body);
        body
    };
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "unknown category",
            with(&|b| b["category"] = json!("arson")),
            "category",
        ),
        (
            "description too long",
            with(&|b| b["description"] = json!("x".repeat(5001))),
            "description",
        ),
        (
            "blank description",
            with(&|b| b["description"] = json!("   ")),
            "description",
        ),
        (
            "a province",
            with(&|b| b["region_code"] = json!("64")),
            "region_code",
        ),
        (
            "a kecamatan",
            with(&|b| b["region_code"] = json!("64.71.01")),
            "region_code",
        ),
        (
            "unknown ormas",
            with(&|b| b["ormas_id"] = json!("no-such-ormas")),
            "ormas_id",
        ),
        (
            "both ormas and organisation",
            with(&|b| {
                b["organisation_name"] = json!("Laskar");
                b["organisation_address"] = json!("Jl. A");
            }),
            "organisation_name",
        ),
        (
            "neither ormas nor organisation",
            with(&|b| {
                b.as_object_mut().unwrap().remove("ormas_id");
            }),
            "ormas_id",
        ),
        (
            "organisation without address",
            with(&|b| {
                b.as_object_mut().unwrap().remove("ormas_id");
                b["organisation_name"] = json!("Laskar");
            }),
            "organisation_address",
        ),
        (
            "in the future",
            with(&|b| b["occurred_on"] = json!("2999-01-01")),
            "occurred_on",
        ),
    ];
    for (label, body, field) in cases {
        let problem = expect_problem(
            app.post_json("/v1/public/complaints", &body).await,
            422,
            "validation_failed",
        )
        .await;
        assert!(
            fields(&problem).iter().any(|f| f == field),
            "{label}: {problem}"
        );
    }
    // 5,000 characters are fine.
    file_public(&app, &with(&|b| b["description"] = json!("x".repeat(5000)))).await;

    // Staff filings: a referral names its agency.
    let officer = app
        .signed_in("officer.6471", "officer", Some("64.71"))
        .await;
    let mut staff = public_complaint(&ormas);
    staff["source"] = json!("agency_referral");
    let problem = expect_problem(
        app.post_as("/v1/complaints", &officer.access_token, &staff)
            .await,
        422,
        "validation_failed",
    )
    .await;
    assert!(fields(&problem).contains(&"referring_agency".to_owned()));
    staff["referring_agency"] = json!("polri");
    let filed = expect_json(
        app.post_as("/v1/complaints", &officer.access_token, &staff)
            .await,
        201,
    )
    .await;
    assert_eq!(filed["source"], "agency_referral");
    assert_eq!(filed["reporter_masked"], true);
    assert!(filed["reporter_name"].is_null());
    // Outside the officer's region.
    staff["region_code"] = json!("64.01");
    expect_problem(
        app.post_as("/v1/complaints", &officer.access_token, &staff)
            .await,
        403,
        "forbidden",
    )
    .await;
}

async fn staff_complaint(app: &TestApp, session: &Session, body: Value) -> String {
    let filed = expect_json(
        app.post_as("/v1/complaints", &session.access_token, &body)
            .await,
        201,
    )
    .await;
    filed["id"].as_str().unwrap().to_owned()
}

fn about(ormas: &str) -> Value {
    json!({
        "region_code": "64.71",
        "ormas_id": ormas,
        "category": "attribute_misuse",
        "source": "monitoring",
        "description": "Atribut menyerupai seragam Polri."
    })
}

#[tokio::test]
async fn triage_dismisses_or_sends_to_a_case() {
    let app = TestApp::spawn().await;
    let ormas = OrmasFixture::registered("64.71").insert(&app).await;
    let other = OrmasFixture::registered("64.71")
        .named("Ormas Lain")
        .insert(&app)
        .await;
    let oversight = app
        .signed_in("oversight.6471", "oversight", Some("64.71"))
        .await;
    let officer = app
        .signed_in("officer.6471", "officer", Some("64.71"))
        .await;
    let token = &oversight.access_token;

    // Dismiss: a reason is needed, only once.
    let receipt = file_public(&app, &public_complaint(&ormas)).await;
    let code = receipt["tracking_code"].as_str().unwrap().to_owned();
    let list = expect_json(
        app.get_as("/v1/complaints?state=received", token).await,
        200,
    )
    .await;
    let first = list["items"][0]["id"].as_str().unwrap().to_owned();
    expect_problem(
        app.post_as(
            &format!("/v1/complaints/{first}/dismiss"),
            token,
            &json!({}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    expect_problem(
        app.post_as(
            &format!("/v1/complaints/{first}/dismiss"),
            &officer.access_token,
            &json!({"reason": "x"}),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    let dismissed = expect_json(
        app.post_as(
            &format!("/v1/complaints/{first}/dismiss"),
            token,
            &json!({"reason": "Bukan kewenangan Kesbangpol."}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(dismissed["state"], "dismissed");
    assert_eq!(dismissed["allowed_steps"], json!([]));
    let problem = expect_problem(
        app.post_as(
            &format!("/v1/complaints/{first}/dismiss"),
            token,
            &json!({"reason": "again"}),
        )
        .await,
        409,
        "conflict",
    )
    .await;
    assert!(
        problem["detail"].as_str().unwrap().contains("dismissed"),
        "{problem}"
    );
    expect_problem(
        app.post_as(
            &format!("/v1/complaints/{first}/open-case"),
            token,
            &json!({}),
        )
        .await,
        409,
        "conflict",
    )
    .await;
    let tracked = expect_json(app.get(&format!("/v1/public/complaints/{code}")).await, 200).await;
    assert_eq!(tracked["state"], "dismissed");
    assert!(tracked["closed_on"].is_string());
    assert!(!tracked.to_string().contains("kewenangan"));

    // Open a case from one complaint, attach a second about the same ormas.
    let second = staff_complaint(&app, &officer, about(&ormas)).await;
    let opened = expect_json(
        app.post_as(
            &format!("/v1/complaints/{second}/open-case"),
            token,
            &json!({}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(opened["state"], "in_case");
    let case_id = opened["case_id"].as_str().unwrap().to_owned();
    let third = staff_complaint(&app, &officer, about(&ormas)).await;
    let attached = expect_json(
        app.post_as(
            &format!("/v1/complaints/{third}/open-case"),
            token,
            &json!({"case_id": case_id}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(attached["case_id"], case_id.as_str());
    let case = expect_json(
        app.get_as(&format!("/v1/oversight/cases/{case_id}"), token)
            .await,
        200,
    )
    .await;
    assert_eq!(case["state"], "open");
    assert_eq!(case["ormas_id"], ormas.as_str());
    let ids: Vec<&str> = case["complaints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![second.as_str(), third.as_str()]);
    let history = expect_json(
        app.get_as(&format!("/v1/oversight/cases/{case_id}/history"), token)
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
        ["case.create", "complaint.attach", "complaint.attach"]
    );

    // Not onto a case about another ormas, nor an unknown one.
    let fourth = staff_complaint(&app, &officer, about(&other)).await;
    expect_problem(
        app.post_as(
            &format!("/v1/complaints/{fourth}/open-case"),
            token,
            &json!({"case_id": case_id}),
        )
        .await,
        409,
        "conflict",
    )
    .await;
    expect_problem(
        app.post_as(
            &format!("/v1/complaints/{fourth}/open-case"),
            token,
            &json!({"case_id": "no-such-case"}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    // Filters.
    let in_case = expect_json(
        app.get_as(
            &format!("/v1/complaints?state=in_case&ormas={ormas}"),
            token,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(in_case["items"].as_array().unwrap().len(), 2);
    let by_category = expect_json(
        app.get_as("/v1/complaints?category=public_order", token)
            .await,
        200,
    )
    .await;
    assert_eq!(by_category["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn complaints_are_for_staff_of_the_region_only() {
    let app = TestApp::spawn().await;
    let ormas = OrmasFixture::registered("64.71").insert(&app).await;
    file_public(&app, &public_complaint(&ormas)).await;
    let oversight = app
        .signed_in("oversight.6471", "oversight", Some("64.71"))
        .await;
    let list = expect_json(
        app.get_as("/v1/complaints", &oversight.access_token).await,
        200,
    )
    .await;
    let id = list["items"][0]["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/complaints/{id}");

    let elsewhere = app
        .signed_in("oversight.6401", "oversight", Some("64.01"))
        .await;
    expect_problem(
        app.get_as(&path, &elsewhere.access_token).await,
        404,
        "not_found",
    )
    .await;
    let none = expect_json(
        app.get_as("/v1/complaints", &elsewhere.access_token).await,
        200,
    )
    .await;
    assert_eq!(none["items"], json!([]));
    expect_problem(
        app.get_as("/v1/complaints?region=64.71", &elsewhere.access_token)
            .await,
        403,
        "forbidden",
    )
    .await;
    let province = app.signed_in("oversight.64", "oversight", Some("64")).await;
    let seen = expect_json(app.get_as(&path, &province.access_token).await, 200).await;
    assert_eq!(seen["reporter_name"], REPORTER);

    let rep = app.signed_in("rep", "ormas_rep", None).await;
    expect_problem(app.get_as(&path, &rep.access_token).await, 403, "forbidden").await;
    expect_problem(
        app.get_as("/v1/complaints", &rep.access_token).await,
        403,
        "forbidden",
    )
    .await;
    expect_problem(app.get(&path).await, 401, "unauthorized").await;
}

async fn attach(
    app: &TestApp,
    code: &str,
    bytes: Vec<u8>,
    name: &str,
) -> ormas_tests::reqwest::Response {
    use ormas_tests::reqwest::multipart::{Form, Part};
    let form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_owned()));
    app.client
        .post(app.url(&format!("/v1/public/complaints/{code}/attachments")))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

const PNG: &[u8] = &[
    0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D,
];

#[tokio::test]
async fn a_complainant_attaches_photos_checked_by_their_bytes() {
    let app = TestApp::spawn_with(|c| c.document_limit = 1024).await;
    let ormas = OrmasFixture::registered("64.71").insert(&app).await;
    let receipt = file_public(&app, &public_complaint(&ormas)).await;
    let code = receipt["tracking_code"].as_str().unwrap().to_owned();

    let stored = expect_json(attach(&app, &code, PNG.to_vec(), "foto.png").await, 201).await;
    assert_eq!(stored["content_type"], "image/png");
    assert_eq!(stored["filename"], "foto.png");
    // Judged by the bytes, not the name; the same size limit as documents.
    expect_problem(
        attach(&app, &code, b"MZ\x90\x00 not a photo".to_vec(), "foto.png").await,
        415,
        "unsupported_media_type",
    )
    .await;
    let mut big = b"%PDF-1.4\n".to_vec();
    big.resize(2048, b' ');
    expect_problem(
        attach(&app, &code, big, "besar.pdf").await,
        413,
        "payload_too_large",
    )
    .await;
    // Only with a real code.
    expect_problem(
        attach(&app, "0000-0000-0000-0000", PNG.to_vec(), "foto.png").await,
        404,
        "not_found",
    )
    .await;
    for _ in 0..4 {
        expect_json(attach(&app, &code, PNG.to_vec(), "foto.png").await, 201).await;
    }
    expect_problem(
        attach(&app, &code, PNG.to_vec(), "foto.png").await,
        409,
        "conflict",
    )
    .await;

    // Staff of the region read them; others do not.
    let officer = app
        .signed_in("officer.6471", "officer", Some("64.71"))
        .await;
    let list = expect_json(
        app.get_as("/v1/complaints", &officer.access_token).await,
        200,
    )
    .await;
    let id = list["items"][0]["id"].as_str().unwrap().to_owned();
    let complaint = expect_json(
        app.get_as(&format!("/v1/complaints/{id}"), &officer.access_token)
            .await,
        200,
    )
    .await;
    let attachments = complaint["attachments"].as_array().unwrap();
    assert_eq!(attachments.len(), 5);
    let path = format!(
        "/v1/complaints/{id}/attachments/{}",
        attachments[0]["id"].as_str().unwrap()
    );
    let file = app.get_as(&path, &officer.access_token).await;
    assert_eq!(file.status(), 200);
    assert_eq!(file.headers()["content-type"], "image/png");
    assert_eq!(file.bytes().await.unwrap().as_ref(), PNG);
    let elsewhere = app
        .signed_in("officer.6401", "officer", Some("64.01"))
        .await;
    expect_problem(
        app.get_as(&path, &elsewhere.access_token).await,
        404,
        "not_found",
    )
    .await;
    let rep = app.signed_in("rep", "ormas_rep", None).await;
    expect_problem(app.get_as(&path, &rep.access_token).await, 403, "forbidden").await;
}

#[tokio::test]
async fn the_oversight_reference_lists_are_served() {
    let app = TestApp::spawn().await;
    for (list, count, first) in [
        ("complaint_categories", 8, "attribute_misuse"),
        ("complaint_sources", 4, "public"),
        ("complaint_states", 3, "received"),
        ("agencies", 8, "kesbangpol"),
        ("case_states", 4, "open"),
        ("case_outcomes", 6, "no_violation"),
    ] {
        let body = expect_json(app.get(&format!("/v1/reference/{list}")).await, 200).await;
        let items = body["items"].as_array().unwrap();
        assert_eq!(items.len(), count, "{list}");
        assert_eq!(items[0]["code"], first, "{list}");
        assert!(
            items
                .iter()
                .all(|i| i["label_id"].is_string() && i["label_en"].is_string())
        );
    }
    expect_problem(
        app.get("/v1/reference/sanctions_galore").await,
        404,
        "not_found",
    )
    .await;
}
