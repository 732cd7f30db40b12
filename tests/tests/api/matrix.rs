//! Every role × every protected endpoint (98: 35, 15 of complaints and cases, 4 of field visits, 8 of sanctions, the dashboard, 12 of attribute permits, 14 of grant proposals, 6 of consultations, the changes feed and its snapshot, the bulk export; replying to a consultation, open to both sides, is checked in consultations.rs), against the permission matrix in `ormas_domain::access`.

use ormas_domain::{Action, Role, allows};
use ormas_tests::fixtures::OrmasFixture;
use ormas_tests::{PASSWORD, TestApp, expect_json, json};
use serde_json::Value;

struct Endpoint {
    method: &'static str,
    path: String,
    body: Option<Value>,
    action: Action,
}

fn endpoints(
    tag: &str,
    officer_id: &str,
    ormas_id: &str,
    registered: &str,
    report: &str,
) -> Vec<Endpoint> {
    let ep = |method, path: String, body: Option<Value>, action| Endpoint {
        method,
        path,
        body,
        action,
    };
    vec![
        ep("GET", "/v1/me".into(), None, Action::ReadSelf),
        ep("GET", "/v1/users".into(), None, Action::ReadUsers),
        ep(
            "GET",
            format!("/v1/users/{officer_id}"),
            None,
            Action::ReadUsers,
        ),
        ep(
            "POST",
            "/v1/users".into(),
            Some(
                json!({"username": format!("new.{tag}"), "password": PASSWORD, "display_name": "x", "role": "officer", "region_code": "64.71"}),
            ),
            Action::ManageUsers,
        ),
        ep(
            "PATCH",
            format!("/v1/users/{officer_id}"),
            Some(json!({"display_name": format!("by {tag}")})),
            Action::ManageUsers,
        ),
        ep("GET", "/v1/clients".into(), None, Action::ManageClients),
        ep(
            "POST",
            "/v1/clients".into(),
            Some(
                json!({"client_id": format!("client.{tag}"), "name": "x", "region_code": "64.71"}),
            ),
            Action::ManageClients,
        ),
        ep("GET", "/v1/audit".into(), None, Action::ReadAudit),
        ep(
            "POST",
            "/v1/calendar/holidays".into(),
            Some(
                json!({"date": format!("2031-01-{:02}", tag.len() + 1), "kind": "cuti_bersama", "name_id": "x", "name_en": "x"}),
            ),
            Action::EditCalendar,
        ),
        ep(
            "DELETE",
            "/v1/calendar/holidays/2031-12-31".into(),
            None,
            Action::EditCalendar,
        ),
        ep("GET", "/v1/ormas".into(), None, Action::ReadRegistrations),
        ep(
            "GET",
            format!("/v1/ormas/{ormas_id}"),
            None,
            Action::ReadRegistrations,
        ),
        ep(
            "GET",
            format!("/v1/ormas/{ormas_id}/history"),
            None,
            Action::ReadRegistrations,
        ),
        ep(
            "GET",
            format!("/v1/ormas/{ormas_id}/documents"),
            None,
            Action::ReadPersonalData,
        ),
        ep(
            "POST",
            "/v1/ormas".into(),
            Some(
                json!({"name": format!("Matrix {tag}"), "kind": "tidak_berbadan_hukum", "skt_number": format!("SKT-M-{tag}"),
                "skt_issued_on": "2024-01-01", "skt_issuer": "Kemendagri", "region_code": "64.71", "address": "Jl. Matrix"}),
            ),
            Action::CreateRegistration,
        ),
        ep(
            "PATCH",
            format!("/v1/ormas/{ormas_id}"),
            Some(json!({"address": format!("Jl. {tag}")})),
            Action::EditRegistration,
        ),
        ep(
            "POST",
            format!("/v1/ormas/{ormas_id}/submit"),
            Some(json!({})),
            Action::SubmitRegistration,
        ),
        ep(
            "POST",
            format!("/v1/ormas/{ormas_id}/return"),
            Some(json!({"reason": "x"})),
            Action::ReturnRegistration,
        ),
        ep(
            "POST",
            format!("/v1/ormas/{ormas_id}/approve"),
            Some(json!({})),
            Action::ApproveRegistration,
        ),
        ep(
            "POST",
            format!("/v1/ormas/{ormas_id}/reject"),
            Some(json!({"reason": "x"})),
            Action::RejectRegistration,
        ),
        ep(
            "POST",
            format!("/v1/ormas/{ormas_id}/dissolve"),
            Some(json!({"reason": "x"})),
            Action::DissolveRegistration,
        ),
        ep(
            "GET",
            format!("/v1/users/{officer_id}/ormas"),
            None,
            Action::BindRepresentative,
        ),
        ep(
            "PUT",
            format!("/v1/users/{officer_id}/ormas"),
            Some(json!({"ormas_id": ormas_id})),
            Action::BindRepresentative,
        ),
        ep(
            "GET",
            format!("/v1/ormas/{registered}/status"),
            None,
            Action::ReadRegistrations,
        ),
        ep(
            "GET",
            format!("/v1/ormas/{registered}/reports"),
            None,
            Action::ReadReports,
        ),
        ep(
            "POST",
            format!("/v1/ormas/{registered}/reports"),
            Some(json!({"period": "2026-S1"})),
            Action::WriteReport,
        ),
        ep("GET", "/v1/reports".into(), None, Action::ReadReports),
        ep(
            "GET",
            format!("/v1/reports/{report}"),
            None,
            Action::ReadReports,
        ),
        ep(
            "PATCH",
            format!("/v1/reports/{report}"),
            Some(json!({"changes": {"address": format!("Jl. {tag}")}})),
            Action::WriteReport,
        ),
        ep(
            "POST",
            format!("/v1/reports/{report}/submit"),
            Some(json!({})),
            Action::WriteReport,
        ),
        ep(
            "POST",
            format!("/v1/reports/{report}/accept"),
            Some(json!({})),
            Action::AcceptReport,
        ),
        ep(
            "POST",
            format!("/v1/reports/{report}/return"),
            Some(json!({"reason": "x"})),
            Action::ReturnReport,
        ),
        ep(
            "GET",
            "/v1/stats/overview".into(),
            None,
            Action::ReadStatistics,
        ),
        ep(
            "GET",
            "/v1/stats/overview.csv".into(),
            None,
            Action::ReadStatistics,
        ),
        // Oversight: complaints and cases (issue 12).
        ep(
            "POST",
            "/v1/complaints".into(),
            Some(
                json!({"region_code": "64.71", "ormas_id": registered, "category": "other", "source": "monitoring", "description": format!("by {tag}")}),
            ),
            Action::FileComplaint,
        ),
        ep("GET", "/v1/complaints".into(), None, Action::ReadComplaints),
        ep(
            "GET",
            "/v1/complaints/no-such-complaint".into(),
            None,
            Action::ReadComplaints,
        ),
        ep(
            "GET",
            "/v1/complaints/no-such-complaint/attachments/no-such-file".into(),
            None,
            Action::ReadComplaints,
        ),
        ep(
            "POST",
            "/v1/complaints/no-such-complaint/dismiss".into(),
            Some(json!({"reason": "x"})),
            Action::TriageComplaint,
        ),
        ep(
            "POST",
            "/v1/complaints/no-such-complaint/open-case".into(),
            Some(json!({})),
            Action::TriageComplaint,
        ),
        ep("GET", "/v1/oversight/cases".into(), None, Action::ReadCases),
        ep(
            "POST",
            "/v1/oversight/cases".into(),
            Some(
                json!({"region_code": "64.71", "ormas_id": registered, "title": format!("by {tag}")}),
            ),
            Action::RunCases,
        ),
        ep(
            "GET",
            "/v1/oversight/cases/no-such-case".into(),
            None,
            Action::ReadCases,
        ),
        ep(
            "PATCH",
            "/v1/oversight/cases/no-such-case".into(),
            Some(json!({"title": "x"})),
            Action::RunCases,
        ),
        ep(
            "PUT",
            "/v1/oversight/cases/no-such-case/members".into(),
            Some(json!({"members": []})),
            Action::RunCases,
        ),
        ep(
            "POST",
            "/v1/oversight/cases/no-such-case/investigate".into(),
            Some(json!({})),
            Action::RunCases,
        ),
        ep(
            "POST",
            "/v1/oversight/cases/no-such-case/recommend".into(),
            Some(json!({"outcome": "guidance"})),
            Action::RunCases,
        ),
        ep(
            "POST",
            "/v1/oversight/cases/no-such-case/close".into(),
            Some(json!({"outcome": "guidance"})),
            Action::RunCases,
        ),
        ep(
            "GET",
            "/v1/oversight/cases/no-such-case/history".into(),
            None,
            Action::ReadCases,
        ),
        // End of oversight: complaints and cases.
        // Field visits (issue 12).
        ep(
            "GET",
            format!("/v1/ormas/{registered}/visits"),
            None,
            Action::ReadCases,
        ),
        ep(
            "POST",
            format!("/v1/ormas/{registered}/visits"),
            Some(
                json!({"visited_on": "2026-01-05", "finding": "secretariat_found",
                "team": [{"agency": "kesbangpol", "name": "x"}]}),
            ),
            Action::RecordVisit,
        ),
        ep(
            "GET",
            "/v1/oversight/cases/no-such-case/visits".into(),
            None,
            Action::ReadCases,
        ),
        ep(
            "POST",
            "/v1/oversight/cases/no-such-case/visits".into(),
            Some(
                json!({"visited_on": "2026-01-05", "finding": "secretariat_found",
                "team": [{"agency": "kesbangpol", "name": "x"}]}),
            ),
            Action::RunCases,
        ),
        // Sanctions (issue 12). `/v1/sanctions/{id}` names no sanction: a permitted role hears
        // 404 (or 428 without If-Match), a forbidden one 403 first.
        ep(
            "GET",
            format!("/v1/ormas/{registered}/sanctions"),
            None,
            Action::ReadSanctions,
        ),
        ep(
            "POST",
            format!("/v1/ormas/{registered}/sanctions"),
            Some(
                json!({"kind": "written_warning", "violation": "x", "demanded_remedy": "x",
                "letter_number": format!("W/{tag}"), "letter_date": "2026-03-13"}),
            ),
            Action::IssueWarning,
        ),
        ep(
            "POST",
            format!("/v1/ormas/{registered}/sanctions"),
            Some(
                json!({"kind": "activity_suspension", "violation": "x", "decree_number": "x",
                "decree_date": "2026-03-13", "issuing_authority": "kemendagri",
                "period_start": "2026-03-13"}),
            ),
            Action::RecordSanctionDecision,
        ),
        ep("GET", "/v1/sanctions".into(), None, Action::ReadSanctions),
        ep(
            "GET",
            "/v1/sanctions/matrix-sanction".into(),
            None,
            Action::ReadSanctions,
        ),
        ep(
            "POST",
            "/v1/sanctions/matrix-sanction/compliance".into(),
            Some(json!({"compliance": "complied"})),
            Action::RecordCompliance,
        ),
        ep(
            "POST",
            "/v1/sanctions/matrix-sanction/lift".into(),
            Some(json!({"decree_number": "x", "decree_date": "2026-03-13"})),
            Action::RecordSanctionDecision,
        ),
        ep(
            "POST",
            "/v1/sanctions/matrix-sanction/answer".into(),
            Some(json!({"statement": "x"})),
            Action::AnswerWarning,
        ),
        ep(
            "GET",
            "/v1/oversight/dashboard".into(),
            None,
            Action::ReadOversightDashboard,
        ),
        // Attribute permits (issue 13). `matrix-permit` names no request: a permitted role hears
        // 404 (or 428), a forbidden one 403 first.
        ep(
            "GET",
            "/v1/attribute-permits".into(),
            None,
            Action::ReadAttributePermits,
        ),
        ep(
            "POST",
            "/v1/attribute-permits".into(),
            Some(json!({"registration_id": registered, "purpose": "x",
                "vendor": {"name": "x", "address": "x"},
                "items": [{"kind": "pin", "description": "x", "colours": ["merah"], "quantity": 1}]})),
            Action::WriteAttributePermit,
        ),
        ep(
            "GET",
            "/v1/attribute-permits/matrix-permit".into(),
            None,
            Action::ReadAttributePermits,
        ),
        ep(
            "PATCH",
            "/v1/attribute-permits/matrix-permit".into(),
            Some(json!({"purpose": "x"})),
            Action::WriteAttributePermit,
        ),
        ep(
            "GET",
            "/v1/attribute-permits/matrix-permit/history".into(),
            None,
            Action::ReadAttributePermits,
        ),
        ep(
            "GET",
            "/v1/attribute-permits/matrix-permit/items/1/design".into(),
            None,
            Action::ReadAttributePermits,
        ),
        ep(
            "PUT",
            "/v1/attribute-permits/matrix-permit/items/1/design".into(),
            Some(json!({})),
            Action::WriteAttributePermit,
        ),
        ep(
            "POST",
            "/v1/attribute-permits/matrix-permit/submit".into(),
            Some(json!({})),
            Action::WriteAttributePermit,
        ),
        ep(
            "POST",
            "/v1/attribute-permits/matrix-permit/review".into(),
            Some(json!({"items": []})),
            Action::ReviewAttributePermit,
        ),
        ep(
            "POST",
            "/v1/attribute-permits/matrix-permit/return".into(),
            Some(json!({"notes": "x"})),
            Action::ReviewAttributePermit,
        ),
        ep(
            "POST",
            "/v1/attribute-permits/matrix-permit/approve".into(),
            Some(json!({})),
            Action::ApproveAttributePermit,
        ),
        ep(
            "POST",
            "/v1/attribute-permits/matrix-permit/refuse".into(),
            Some(json!({"ground": "x", "items": [1]})),
            Action::RefuseAttributePermit,
        ),
        ep(
            "GET",
            "/v1/grant-proposals".into(),
            None,
            Action::ReadGrants,
        ),
        ep(
            "POST",
            "/v1/grant-proposals".into(),
            Some(
                json!({"registration_id": "matrix-none", "fiscal_year": 2027, "title": "x",
                "purpose": "x", "requested_amount": 1,
                "budget_lines": [{"description": "x", "unit": "x", "quantity": 1, "unit_price": 1}],
                "bank_account": {"bank": "x", "number": "12345", "holder": "x"}}),
            ),
            Action::WriteGrantProposal,
        ),
        ep(
            "GET",
            "/v1/grant-proposals/matrix-grant".into(),
            None,
            Action::ReadGrants,
        ),
        ep(
            "GET",
            "/v1/grant-proposals/matrix-grant/history".into(),
            None,
            Action::ReadGrants,
        ),
        ep(
            "PATCH",
            "/v1/grant-proposals/matrix-grant".into(),
            Some(json!({"title": "x"})),
            Action::WriteGrantProposal,
        ),
        ep(
            "POST",
            "/v1/grant-proposals/matrix-grant/submit".into(),
            Some(json!({})),
            Action::WriteGrantProposal,
        ),
        ep(
            "POST",
            "/v1/grant-proposals/matrix-grant/verify".into(),
            Some(json!({"recommended_amount": 1, "notes": "x", "team": ["x"]})),
            Action::VerifyGrantProposal,
        ),
        ep(
            "POST",
            "/v1/grant-proposals/matrix-grant/return".into(),
            Some(json!({"reason": "x"})),
            Action::VerifyGrantProposal,
        ),
        ep(
            "POST",
            "/v1/grant-proposals/matrix-grant/approve".into(),
            Some(json!({"decree_number": "x", "decree_date": "2026-01-02", "approved_amount": 1})),
            Action::DecideGrantProposal,
        ),
        ep(
            "POST",
            "/v1/grant-proposals/matrix-grant/reject".into(),
            Some(json!({"reason": "x"})),
            Action::DecideGrantProposal,
        ),
        ep(
            "POST",
            "/v1/grant-proposals/matrix-grant/agreement".into(),
            Some(json!({"agreement_number": "x", "agreement_date": "2026-01-02"})),
            Action::DecideGrantProposal,
        ),
        ep(
            "POST",
            "/v1/grant-proposals/matrix-grant/disbursement".into(),
            Some(json!({"disbursed_on": "2026-01-02", "amount": 1})),
            Action::AdministerGrant,
        ),
        ep(
            "POST",
            "/v1/grant-proposals/matrix-grant/accountability".into(),
            Some(json!({"spent_amount": 1, "returned_amount": 0, "document_ids": ["x"]})),
            Action::WriteGrantProposal,
        ),
        ep(
            "POST",
            "/v1/grant-proposals/matrix-grant/accept-accountability".into(),
            Some(json!({})),
            Action::AdministerGrant,
        ),
        ep(
            "GET",
            "/v1/consultations".into(),
            None,
            Action::ReadConsultations,
        ),
        ep(
            "POST",
            "/v1/consultations".into(),
            Some(json!({"topic": "pendirian", "subject": "x", "message": "x", "region": "64.71"})),
            Action::AskConsultation,
        ),
        ep(
            "GET",
            "/v1/consultations/matrix-consultation".into(),
            None,
            Action::ReadConsultations,
        ),
        ep(
            "POST",
            "/v1/consultations/matrix-consultation/close".into(),
            None,
            Action::AskConsultation,
        ),
        ep(
            "PUT",
            "/v1/consultations/matrix-consultation/assignment".into(),
            Some(json!({"officer_id": officer_id})),
            Action::AnswerConsultation,
        ),
        ep(
            "GET",
            "/v1/consultations/matrix-consultation/attachments/x".into(),
            None,
            Action::ReadConsultations,
        ),
        // Integration (issue 14): the changes feed and the bulk export.
        ep(
            "GET",
            "/v1/changes?after=0&limit=1".into(),
            None,
            Action::ReadChanges,
        ),
        ep(
            "GET",
            "/v1/changes/snapshot".into(),
            None,
            Action::ReadChanges,
        ),
        ep(
            "GET",
            "/v1/exports/ormas?format=csv".into(),
            None,
            Action::ExportRegister,
        ),
        // Last: it ends the session.
        ep("POST", "/v1/auth/logout".into(), None, Action::ReadSelf),
    ]
}

async fn call(app: &TestApp, endpoint: &Endpoint, token: Option<&str>) -> (u16, String) {
    let mut request = app
        .client
        .request(endpoint.method.parse().unwrap(), app.url(&endpoint.path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = &endpoint.body {
        request = request.json(body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

#[tokio::test]
async fn every_role_against_every_endpoint() {
    let app = TestApp::spawn().await;
    let officer_id = app
        .create_account("target.officer", "officer", Some("64.71"))
        .await;
    // A holiday that the allowed roles may delete (the first to try deletes it; later ones get 404).
    let root = app.signed_in("root", "super_admin", None).await;
    expect_json(
        app.post_as(
            "/v1/calendar/holidays",
            &root.access_token,
            &json!({"date": "2031-12-31", "kind": "cuti_bersama", "name_id": "x", "name_en": "x"}),
        )
        .await,
        201,
    )
    .await;
    let admin = app.signed_in("admin.64", "admin", Some("64")).await;
    // A draft in Kota Balikpapan, made by an officer outside the matrix.
    let maker = app.signed_in("maker.6471", "officer", Some("64.71")).await;
    let ormas = expect_json(
        app.post_as(
            "/v1/ormas",
            &maker.access_token,
            &json!({"name": "Matrix Ormas", "kind": "tidak_berbadan_hukum",
            "skt_number": "SKT-MATRIX", "skt_issued_on": "2024-01-01", "skt_issuer": "Kemendagri",
            "region_code": "64.71", "address": "Jl. Matrix"}),
        )
        .await,
        201,
    )
    .await;
    let ormas_id = ormas["id"].as_str().unwrap().to_owned();
    // A registered ormas with a draft report.
    let registered = OrmasFixture::registered("64.71").insert(&app).await;
    let report = expect_json(
        app.post_as(
            &format!("/v1/ormas/{registered}/reports"),
            &maker.access_token,
            &json!({"period": "2026-S2", "signatories": {"ketua": "A", "sekretaris": "B"}}),
        )
        .await,
        201,
    )
    .await;
    let report_id = report["id"].as_str().unwrap().to_owned();
    let created = expect_json(
        app.post_as(
            "/v1/clients",
            &admin.access_token,
            &json!({"client_id": "matrix.client", "name": "x"}),
        )
        .await,
        201,
    )
    .await;
    let token = expect_json(
        app.post_json(
            "/v1/auth/token",
            &json!({"grant_type": "client_credentials", "client_id": "matrix.client", "client_secret": created["client_secret"]}),
        )
        .await,
        200,
    )
    .await;
    let integrator_token = token["access_token"].as_str().unwrap().to_owned();

    let mut tokens: Vec<(Role, String)> = vec![(Role::Integrator, integrator_token)];
    for role in Role::ALL.iter().copied().filter(|r| *r != Role::Integrator) {
        let region = match role {
            Role::SuperAdmin | Role::OrmasRep => None,
            _ => Some("64"),
        };
        let session = app
            .signed_in(
                &format!("matrix.{}", role.as_str().replace('_', "")),
                role.as_str(),
                region,
            )
            .await;
        tokens.push((role, session.access_token));
    }
    assert_eq!(tokens.len(), Role::ALL.len());

    let mut checked = 0;
    for (role, token) in &tokens {
        for endpoint in endpoints(
            role.as_str(),
            &officer_id,
            &ormas_id,
            &registered,
            &report_id,
        ) {
            let (status, body) = call(&app, &endpoint, Some(token)).await;
            let label = format!(
                "{role} {} {} → {status}: {body}",
                endpoint.method, endpoint.path
            );
            if allows(*role, endpoint.action) {
                // Authorised: whatever else the state or the data say, not 401 or 403.
                assert!(status != 401 && status != 403, "allowed, yet {label}");
            } else {
                assert_eq!(status, 403, "forbidden, yet {label}");
                assert!(body.contains("\"code\":\"forbidden\""), "{label}");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, Role::ALL.len() * 98);

    // Without a token, every protected endpoint is 401.
    for endpoint in endpoints("anonymous", &officer_id, &ormas_id, &registered, &report_id) {
        let (status, _) = call(&app, &endpoint, None).await;
        assert_eq!(status, 401, "{} {}", endpoint.method, endpoint.path);
    }
}
