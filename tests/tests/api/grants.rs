//! Grant proposals (usulan hibah) over HTTP: eligibility naming every unmet condition, the budget
//! that must add up, the lifecycle from draft to the accepted LPJ, the LPJ's due date and the
//! derived `lpj_overdue`, and who may see and do what.

use ormas_persistence::grants::{self, GrantRow};
use ormas_persistence::register::{self, BoardMemberRow, DocumentRow};
use ormas_tests::fixtures::{OrmasFixture, day};
use ormas_tests::{TestApp, expect_json, expect_problem, json};
use serde_json::Value;

use crate::reports::representative;

/// Makes a fixture grant-ready: an AHU decree, a full board, a domicile letter and the proposal's
/// documents; returns the ids of the proposal letter, the budget, the board decree and an LPJ.
pub(crate) async fn grant_ready(app: &TestApp, registration: &str, ahu: bool) -> Vec<String> {
    let target = app.database.target();
    let registration = registration.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut conn = target.connect().expect("connect");
        ormas_persistence::in_write_transaction(&mut conn, |conn| {
            let (reg, mut org) = register::find_registration(conn, &registration)?.expect("reg");
            if ahu {
                org.ahu_number = Some("AHU-0012345.AH.01.07.TAHUN 2019".into());
                org.ahu_date = Some(day("2019-05-02"));
                register::update_organisation(conn, &org, org.version)?;
            }
            let members: Vec<BoardMemberRow> = ["ketua", "sekretaris", "bendahara"]
                .iter()
                .enumerate()
                .map(|(i, position)| BoardMemberRow {
                    id: uuid::Uuid::now_v7().to_string(),
                    registration_id: reg.id.clone(),
                    ordinal: i as i32,
                    position: (*position).into(),
                    name: format!("Pengurus {i}"),
                    nik: format!("647101010190000{i}"),
                    phone: None,
                    term_ends_on: None,
                })
                .collect();
            register::replace_board(conn, &reg.id, &members)?;
            let mut ids = Vec::new();
            for doc_type in [
                "domicile_letter",
                "grant_proposal_letter",
                "grant_budget",
                "board_decree",
                "grant_lpj",
            ] {
                let row = DocumentRow {
                    id: uuid::Uuid::now_v7().to_string(),
                    registration_id: reg.id.clone(),
                    doc_type: doc_type.into(),
                    filename: format!("{doc_type}.pdf"),
                    content_type: "application/pdf".into(),
                    size_bytes: 10,
                    sha256: "0".repeat(64),
                    uploaded_by: None,
                    uploaded_at: day("2026-01-05").and_hms_opt(0, 0, 0).unwrap(),
                };
                register::insert_document(conn, &row)?;
                if doc_type != "domicile_letter" {
                    ids.push(row.id);
                }
            }
            Ok(ids)
        })
        .expect("grant-ready")
    })
    .await
    .expect("task")
}

/// The name a lone fixture gets (`insert_all` numbers them).
pub(crate) const FIXTURE: &str = "Perkumpulan Uji 64.71 0";

pub(crate) fn proposal(registration: &str, holder: &str, fiscal_year: i32) -> Value {
    json!({
        "registration_id": registration,
        "fiscal_year": fiscal_year,
        "title": "Pelatihan kewirausahaan pemuda",
        "purpose": "Pelatihan tiga hari bagi 40 pemuda.",
        "requested_amount": 20_000_000,
        "budget_lines": [
            {"description": "Konsumsi peserta", "unit": "orang-hari", "quantity": 120, "unit_price": 50_000},
            {"description": "Honor narasumber", "unit": "orang", "quantity": 4, "unit_price": 2_500_000},
            {"description": "Modul", "unit": "paket", "quantity": 40, "unit_price": 100_000}
        ],
        "bank_account": {"bank": "Bank Kaltimtara", "number": "0011223344", "holder": holder}
    })
}

async fn step(
    app: &TestApp,
    token: &str,
    id: &str,
    name: &str,
    body: Value,
) -> ormas_tests::reqwest::Response {
    app.post_as(&format!("/v1/grant-proposals/{id}/{name}"), token, &body)
        .await
}

fn codes(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_grant_from_draft_to_the_accepted_lpj_and_its_overdue_day() {
    let app = TestApp::spawn().await;
    app.clock.pin(Some(day("2026-02-02")));
    let officer = app
        .signed_in("hibah.petugas", "officer", Some("64.71"))
        .await;
    let head = app.signed_in("hibah.kepala", "head", Some("64.71")).await;
    let elsewhere = app.signed_in("hibah.paser", "officer", Some("64.01")).await;
    let ormas = OrmasFixture::registered("64.71").insert(&app).await;
    let other = OrmasFixture::registered("64.71")
        .named("Yayasan Lain")
        .insert(&app)
        .await;
    let docs = grant_ready(&app, &ormas, true).await;
    let rep = representative(&app, &officer, "hibah.rep", &ormas).await;
    let other_rep = representative(&app, &officer, "hibah.rep.lain", &other).await;
    let name = FIXTURE.to_owned();

    // The budget must add up to the amount exactly: 422 pointing at the field.
    let mut wrong = proposal(&ormas, &name, 2026);
    wrong["requested_amount"] = json!(21_000_000);
    let problem = expect_problem(
        app.post_as("/v1/grant-proposals", &rep.access_token, &wrong)
            .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "budget_lines");
    assert_eq!(problem["errors"][0]["code"], "budget_mismatch");
    // The account must be the ormas's.
    let problem = expect_problem(
        app.post_as(
            "/v1/grant-proposals",
            &rep.access_token,
            &proposal(&ormas, "Budi Santoso", 2026),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "bank_account.holder");
    // Anonymous: 401; a head may not write a proposal: 403.
    let anonymous = app
        .client
        .post(app.url("/v1/grant-proposals"))
        .json(&proposal(&ormas, &name, 2026))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    expect_problem(
        app.post_as(
            "/v1/grant-proposals",
            &head.access_token,
            &proposal(&ormas, &name, 2026),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    // Another ormas's representative cannot ask for this one: 404.
    expect_problem(
        app.post_as(
            "/v1/grant-proposals",
            &other_rep.access_token,
            &proposal(&ormas, &name, 2026),
        )
        .await,
        404,
        "not_found",
    )
    .await;

    let created = app
        .post_as(
            "/v1/grant-proposals",
            &rep.access_token,
            &proposal(&ormas, &name, 2026),
        )
        .await;
    assert_eq!(created.status(), 201);
    assert!(created.headers().get("location").is_some());
    let created: Value = created.json().await.unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["state"], "draft");
    assert_eq!(created["lpj_due_on"], "2027-01-10");
    // One open proposal per fiscal year.
    let problem = expect_problem(
        app.post_as(
            "/v1/grant-proposals",
            &rep.access_token,
            &proposal(&ormas, &name, 2026),
        )
        .await,
        409,
        "not_eligible",
    )
    .await;
    assert_eq!(codes(&problem), ["open_proposal_this_year"]);

    // Who sees it: its own representative and the region's staff; not another ormas's
    // representative, nor another region's officer (404).
    let path = format!("/v1/grant-proposals/{id}");
    expect_json(app.get_as(&path, &rep.access_token).await, 200).await;
    expect_problem(
        app.get_as(&path, &other_rep.access_token).await,
        404,
        "not_found",
    )
    .await;
    expect_problem(
        app.get_as(&path, &elsewhere.access_token).await,
        404,
        "not_found",
    )
    .await;
    assert_eq!(
        app.client
            .get(app.url(&path))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    let listed = expect_json(
        app.get_as("/v1/grant-proposals", &other_rep.access_token)
            .await,
        200,
    )
    .await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 0);
    let listed = expect_json(
        app.get_as("/v1/grant-proposals", &elsewhere.access_token)
            .await,
        200,
    )
    .await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 0);

    // Submitting needs the documents.
    let problem = expect_problem(
        step(&app, &rep.access_token, &id, "submit", json!({})).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(
        codes(&problem),
        ["missing_document", "missing_document", "missing_document"]
    );
    // PATCH with If-Match: a budget that no longer adds up is refused, then the documents.
    let problem = expect_problem(
        app.patch_as(
            &path,
            &rep.access_token,
            &json!({"requested_amount": 30_000_000}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "budget_lines");
    let no_match = app
        .patch_without_if_match(&path, &rep.access_token, &json!({"title": "x"}))
        .await;
    assert_eq!(no_match.status(), 428);
    let patched = expect_json(
        app.patch_as(
            &path,
            &rep.access_token,
            &json!({"document_ids": &docs[..3]}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(patched["version"], 2);

    // Each step has its role.
    expect_problem(
        step(&app, &head.access_token, &id, "submit", json!({})).await,
        403,
        "forbidden",
    )
    .await;
    let submitted = expect_json(
        step(&app, &rep.access_token, &id, "submit", json!({})).await,
        200,
    )
    .await;
    assert_eq!(submitted["state"], "submitted");
    expect_problem(
        app.patch_as(&path, &rep.access_token, &json!({"title": "x"}))
            .await,
        409,
        "conflict",
    )
    .await;
    let verify = json!({"recommended_amount": 26_000_000, "notes": "Disesuaikan.", "team": ["Drs. Yusuf Hadi"]});
    expect_problem(
        step(&app, &rep.access_token, &id, "verify", verify.clone()).await,
        403,
        "forbidden",
    )
    .await;
    // The recommendation cannot exceed the request.
    let problem = expect_problem(
        step(&app, &officer.access_token, &id, "verify", verify).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "recommended_amount");
    let verified = expect_json(step(&app, &officer.access_token, &id, "verify", json!({"recommended_amount": 18_000_000, "notes": "Honor disesuaikan.", "team": ["Drs. Yusuf Hadi", "Rina"]})).await, 200).await;
    assert_eq!(verified["state"], "verified");
    assert_eq!(verified["verification"]["team"][1], "Rina");
    // Approving is the head's, at most the recommendation.
    let approve = json!({"decree_number": "188.45/412/HK/2026", "decree_date": "2026-02-02", "approved_amount": 18_000_000});
    expect_problem(
        step(&app, &officer.access_token, &id, "approve", approve.clone()).await,
        403,
        "forbidden",
    )
    .await;
    let problem = expect_problem(step(&app, &head.access_token, &id, "approve", json!({"decree_number": "x", "decree_date": "2026-02-02", "approved_amount": 18_000_001})).await, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "approved_amount");
    // A step its state does not allow: 409.
    expect_problem(
        step(
            &app,
            &officer.access_token,
            &id,
            "disbursement",
            json!({"disbursed_on": "2026-02-02", "amount": 1}),
        )
        .await,
        409,
        "conflict",
    )
    .await;
    // A step with a stale If-Match: 412.
    let stale = app
        .client
        .post(app.url(&format!("/v1/grant-proposals/{id}/approve")))
        .bearer_auth(&head.access_token)
        .header("If-Match", "\"1\"")
        .json(&approve)
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 412);
    let approved = expect_json(
        step(&app, &head.access_token, &id, "approve", approve).await,
        200,
    )
    .await;
    assert_eq!(approved["approved_amount"], 18_000_000);
    let signed = expect_json(
        step(
            &app,
            &head.access_token,
            &id,
            "agreement",
            json!({"agreement_number": "900/77/NPHD/2026", "agreement_date": "2026-02-02"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(signed["state"], "agreement_signed");
    let problem = expect_problem(
        step(
            &app,
            &officer.access_token,
            &id,
            "disbursement",
            json!({"disbursed_on": "2026-02-02", "amount": 18_000_001}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "amount");
    let disbursed = expect_json(
        step(
            &app,
            &officer.access_token,
            &id,
            "disbursement",
            json!({"disbursed_on": "2026-02-02", "amount": 18_000_000}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(disbursed["state"], "disbursed");

    // The LPJ is due on 10 January of the next year; on the 11th the proposal reads lpj_overdue.
    app.clock.pin(Some(day("2027-01-10")));
    let due_day = expect_json(app.get_as(&path, &rep.access_token).await, 200).await;
    assert_eq!(due_day["state"], "disbursed");
    assert_eq!(due_day["lpj_overdue"], false);
    app.clock.pin(Some(day("2027-01-11")));
    let late = expect_json(app.get_as(&path, &rep.access_token).await, 200).await;
    assert_eq!(late["state"], "lpj_overdue");
    assert_eq!(late["recorded_state"], "disbursed");
    assert_eq!(late["lpj_overdue"], true);
    for query in [
        "lpj_overdue=true",
        "state=lpj_overdue",
        "fiscal_year=2026&lpj_overdue=true",
    ] {
        let listed = expect_json(
            app.get_as(
                &format!("/v1/grant-proposals?{query}"),
                &officer.access_token,
            )
            .await,
            200,
        )
        .await;
        assert_eq!(listed["items"].as_array().unwrap().len(), 1, "{query}");
    }
    for query in ["lpj_overdue=false", "state=disbursed", "fiscal_year=2025"] {
        let listed = expect_json(
            app.get_as(
                &format!("/v1/grant-proposals?{query}"),
                &officer.access_token,
            )
            .await,
            200,
        )
        .await;
        assert_eq!(listed["items"].as_array().unwrap().len(), 0, "{query}");
    }

    // The overview's grant totals, for the office and per child region of the province.
    let province = app
        .signed_in("hibah.statistik", "officer", Some("64"))
        .await;
    let stats = expect_json(
        app.get_as("/v1/stats/overview?region=64", &province.access_token)
            .await,
        200,
    )
    .await;
    let year = &stats["grants"]["by_fiscal_year"][0];
    assert_eq!(year["fiscal_year"], 2026);
    assert_eq!(year["proposals"], 1);
    assert_eq!(year["requested_amount"], 20_000_000);
    assert_eq!(year["approved_amount"], 18_000_000);
    assert_eq!(year["disbursed_amount"], 18_000_000);
    assert_eq!(year["accounted_amount"], 0);
    assert_eq!(year["lpj_overdue"], 1);
    assert_eq!(year["lpj_overdue_amount"], 18_000_000);
    assert_eq!(stats["grants"]["regions"][0]["code"], "64.71");
    assert_eq!(
        stats["grants"]["regions"][0]["by_fiscal_year"][0]["lpj_overdue"],
        1
    );

    // Spent + returned must equal the disbursed amount.
    let problem = expect_problem(step(&app, &rep.access_token, &id, "accountability", json!({"spent_amount": 17_000_000, "returned_amount": 500_000, "document_ids": [&docs[3]]})).await, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "spent_amount");
    let problem = expect_problem(step(&app, &rep.access_token, &id, "accountability", json!({"spent_amount": 17_500_000, "returned_amount": 500_000, "document_ids": [&docs[0]]})).await, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "document_ids");
    // A registered ormas uploads its LPJ to its document store (checked by its bytes).
    let lpj = expect_json(
        crate::register::upload(
            &app,
            &rep.access_token,
            &ormas,
            "grant_lpj",
            "lpj.pdf",
            b"%PDF-1.4\n%%EOF\n".to_vec(),
        )
        .await,
        201,
    )
    .await;
    let lpj_id = lpj["id"].as_str().unwrap().to_owned();
    let filed = expect_json(step(&app, &rep.access_token, &id, "accountability", json!({"spent_amount": 17_500_000, "returned_amount": 500_000, "document_ids": [&lpj_id], "notes": "Sisa disetor ke kas daerah."})).await, 200).await;
    assert_eq!(filed["state"], "lpj_overdue");
    assert_eq!(filed["recorded_state"], "accountability_submitted");
    expect_problem(
        step(
            &app,
            &rep.access_token,
            &id,
            "accept-accountability",
            json!({}),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    let accounted = expect_json(
        step(
            &app,
            &officer.access_token,
            &id,
            "accept-accountability",
            json!({}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(accounted["state"], "accounted");
    assert_eq!(accounted["lpj_overdue"], false);

    let history = expect_json(
        app.get_as(&format!("{path}/history"), &rep.access_token)
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
            "update",
            "submit",
            "verify",
            "approve",
            "agreement",
            "disbursement",
            "accountability",
            "accept_accountability"
        ]
    );
}

/// A grant of `fiscal_year` written straight into the database in `state`, its LPJ due on
/// 10 January of the next year.
async fn earlier_grant(app: &TestApp, registration: &str, fiscal_year: i32, state: &str) {
    let target = app.database.target();
    let registration = registration.to_owned();
    let state = state.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut conn = target.connect().expect("connect");
        let at = day("2025-03-01").and_hms_opt(0, 0, 0).unwrap();
        let (reg, _) = register::find_registration(&mut conn, &registration)
            .unwrap()
            .unwrap();
        grants::insert_grant(
            &mut conn,
            &GrantRow {
                id: uuid::Uuid::now_v7().to_string(),
                registration_id: reg.id,
                region_code: reg.region_code,
                fiscal_year,
                state,
                title: "Hibah lama".into(),
                purpose: "x".into(),
                requested_amount: 10_000_000,
                budget_lines: "[]".into(),
                bank_account: r#"{"bank":"x","number":"12345","holder":"x"}"#.into(),
                document_ids: "[]".into(),
                submitted_on: None,
                reason: None,
                recommended_amount: Some(10_000_000),
                verification: None,
                decree_number: None,
                decree_date: None,
                approved_amount: Some(10_000_000),
                agreement_number: None,
                agreement_date: None,
                disbursed_on: Some(day("2025-03-01")),
                disbursed_amount: Some(10_000_000),
                lpj_due_on: ormas_domain::grants::lpj_due_on(fiscal_year, (1, 10)),
                lpj_spent_amount: None,
                lpj_returned_amount: None,
                lpj: None,
                lpj_submitted_on: None,
                lpj_accepted_on: None,
                created_by: None,
                version: 1,
                created_at: at,
                updated_at: at,
            },
        )
        .unwrap();
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn who_may_not_ask_for_a_grant_hears_every_reason() {
    let app = TestApp::spawn().await;
    app.clock.pin(Some(day("2026-12-03")));
    let officer = app
        .signed_in("hibah.syarat", "officer", Some("64.71"))
        .await;
    let province = app.signed_in("hibah.provinsi", "officer", Some("64")).await;

    // Without legal entity: not_badan_hukum (and nothing on file: no board, no domicile letter).
    let skt = OrmasFixture::registered("64.71")
        .skt_until("2028-01-01")
        .insert(&app)
        .await;
    let problem = expect_problem(
        app.post_as(
            "/v1/grant-proposals",
            &officer.access_token,
            &proposal(&skt, FIXTURE, 2027),
        )
        .await,
        409,
        "not_eligible",
    )
    .await;
    assert_eq!(
        codes(&problem),
        ["not_badan_hukum", "no_local_board", "no_domicile_letter"]
    );
    assert_eq!(problem["errors"][0]["field"], "registration_id");
    let ready_skt = OrmasFixture::registered("64.71")
        .skt_until("2028-01-01")
        .insert(&app)
        .await;
    grant_ready(&app, &ready_skt, false).await;
    let problem = expect_problem(
        app.post_as(
            "/v1/grant-proposals",
            &officer.access_token,
            &proposal(&ready_skt, FIXTURE, 2027),
        )
        .await,
        409,
        "not_eligible",
    )
    .await;
    assert_eq!(codes(&problem), ["not_badan_hukum"]);

    // A badan hukum without its AHU decree on record.
    let no_ahu = OrmasFixture::registered("64.71").insert(&app).await;
    grant_ready(&app, &no_ahu, false).await;
    let problem = expect_problem(
        app.post_as(
            "/v1/grant-proposals",
            &officer.access_token,
            &proposal(&no_ahu, FIXTURE, 2027),
        )
        .await,
        409,
        "not_eligible",
    )
    .await;
    assert_eq!(codes(&problem), ["no_legal_entity_decree"]);

    // Suspended: sanctioned.
    let suspended = OrmasFixture::registered("64.71")
        .in_state("suspended")
        .insert(&app)
        .await;
    grant_ready(&app, &suspended, true).await;
    let problem = expect_problem(
        app.post_as(
            "/v1/grant-proposals",
            &officer.access_token,
            &proposal(&suspended, FIXTURE, 2027),
        )
        .await,
        409,
        "not_eligible",
    )
    .await;
    assert_eq!(codes(&problem), ["sanctioned"]);

    // An overdue LPJ from 2025 blocks a 2027 proposal; once accepted it no longer does.
    let late = OrmasFixture::registered("64.71").insert(&app).await;
    grant_ready(&app, &late, true).await;
    earlier_grant(&app, &late, 2025, "disbursed").await;
    let name = FIXTURE.to_owned();
    let problem = expect_problem(
        app.post_as(
            "/v1/grant-proposals",
            &officer.access_token,
            &proposal(&late, &name, 2027),
        )
        .await,
        409,
        "not_eligible",
    )
    .await;
    assert_eq!(codes(&problem), ["lpj_overdue"]);
    let listed = expect_json(
        app.get_as(
            "/v1/grant-proposals?state=lpj_overdue&fiscal_year=2025",
            &officer.access_token,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(listed["items"][0]["state"], "lpj_overdue");

    let fine = OrmasFixture::registered("64.71").insert(&app).await;
    grant_ready(&app, &fine, true).await;
    earlier_grant(&app, &fine, 2025, "accounted").await;
    let name = FIXTURE.to_owned();
    // Asked of the province's office, it is not registered there.
    let mut to_province = proposal(&fine, &name, 2027);
    to_province["region_code"] = json!("64");
    let problem = expect_problem(
        app.post_as("/v1/grant-proposals", &province.access_token, &to_province)
            .await,
        409,
        "not_eligible",
    )
    .await;
    assert_eq!(codes(&problem), ["not_registered_in_region"]);
    // A fiscal year already past.
    let problem = expect_problem(
        app.post_as(
            "/v1/grant-proposals",
            &officer.access_token,
            &proposal(&fine, &name, 2025),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "fiscal_year");
    let created = expect_json(
        app.post_as(
            "/v1/grant-proposals",
            &officer.access_token,
            &proposal(&fine, &name, 2027),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(created["lpj_due_on"], "2028-01-10");
}

#[tokio::test]
async fn a_region_may_ask_for_years_as_a_legal_entity() {
    let app = TestApp::spawn_with(|config| config.grants.min_legal_entity_years = 10).await;
    app.clock.pin(Some(day("2026-12-03")));
    let officer = app.signed_in("hibah.tahun", "officer", Some("64.71")).await;
    let ormas = OrmasFixture::registered("64.71").insert(&app).await;
    grant_ready(&app, &ormas, true).await;
    let name = FIXTURE.to_owned();
    let problem = expect_problem(
        app.post_as(
            "/v1/grant-proposals",
            &officer.access_token,
            &proposal(&ormas, &name, 2027),
        )
        .await,
        409,
        "not_eligible",
    )
    .await;
    assert_eq!(codes(&problem), ["legal_entity_too_recent"]);
}

#[tokio::test]
async fn a_returned_proposal_is_corrected_resubmitted_and_then_rejected_by_the_head() {
    let app = TestApp::spawn().await;
    app.clock.pin(Some(day("2026-02-02")));
    let officer = app
        .signed_in("hibah.petugas", "officer", Some("64.71"))
        .await;
    let head = app.signed_in("hibah.kepala", "head", Some("64.71")).await;
    let ormas = OrmasFixture::registered("64.71").insert(&app).await;
    let docs = grant_ready(&app, &ormas, true).await;
    let rep = representative(&app, &officer, "hibah.rep", &ormas).await;
    let mut body = proposal(&ormas, FIXTURE, 2026);
    body["document_ids"] = json!(&docs[..3]);
    let created = expect_json(
        app.post_as("/v1/grant-proposals", &rep.access_token, &body)
            .await,
        201,
    )
    .await;
    let id = created["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/grant-proposals/{id}");
    expect_json(
        step(&app, &rep.access_token, &id, "submit", json!({})).await,
        200,
    )
    .await;

    // Returning needs a reason and is the officer's.
    expect_problem(
        step(
            &app,
            &officer.access_token,
            &id,
            "return",
            json!({"reason": " "}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    expect_problem(
        step(
            &app,
            &head.access_token,
            &id,
            "return",
            json!({"reason": "Lengkapi RAB."}),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    let returned = expect_json(
        step(
            &app,
            &officer.access_token,
            &id,
            "return",
            json!({"reason": "Lengkapi RAB."}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(returned["state"], "returned");
    let corrected = expect_json(
        app.patch_as(
            &path,
            &rep.access_token,
            &json!({"title": "Pelatihan kewirausahaan pemuda 2026"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(corrected["state"], "returned");
    expect_json(
        step(&app, &rep.access_token, &id, "submit", json!({})).await,
        200,
    )
    .await;
    expect_json(
        step(
            &app,
            &officer.access_token,
            &id,
            "verify",
            json!({"recommended_amount": 18_000_000, "notes": "Disesuaikan.", "team": ["Rina"]}),
        )
        .await,
        200,
    )
    .await;

    // Rejecting is the head's, with a reason; a rejected proposal moves no further.
    expect_problem(
        step(
            &app,
            &officer.access_token,
            &id,
            "reject",
            json!({"reason": "Anggaran habis."}),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    let rejected = expect_json(
        step(
            &app,
            &head.access_token,
            &id,
            "reject",
            json!({"reason": "Anggaran habis."}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(rejected["state"], "rejected");
    expect_problem(
        step(&app, &rep.access_token, &id, "submit", json!({})).await,
        409,
        "conflict",
    )
    .await;
}
