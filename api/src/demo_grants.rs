//! Demo grant proposals: one in every state (and one whose LPJ is overdue), over the demo's
//! registered badan hukum ormas, with their history. Runs once per database.

use chrono::{Datelike, NaiveDate};
use ormas_domain::grants::{GrantState, lpj_due_on};
use ormas_persistence::grants::{self, GrantEventRow, GrantRow};
use ormas_persistence::{DatabaseTarget, in_write_transaction, seed};

use crate::clock::now_utc;

const DEMO_GRANTS_SEED: &str = "demo/grants";

/// The demo's proposals; returns how many were written (0 when already seeded).
pub fn seed_demo_grants(target: &DatabaseTarget, today: NaiveDate) -> Result<usize, String> {
    let mut conn = target.connect().map_err(|e| e.to_string())?;
    if seed::is_recorded(&mut conn, DEMO_GRANTS_SEED).map_err(|e| e.to_string())? {
        return Ok(0);
    }
    // Every stored state, then a disbursed grant of last year whose LPJ is overdue.
    let plan: Vec<(GrantState, i32)> = [
        GrantState::Draft,
        GrantState::Submitted,
        GrantState::Returned,
        GrantState::Verified,
        GrantState::Approved,
        GrantState::Rejected,
        GrantState::AgreementSigned,
        GrantState::Disbursed,
        GrantState::AccountabilitySubmitted,
        GrantState::Accounted,
    ]
    .iter()
    // Proposals still being judged ask from next year's budget; decided ones from this year's.
    .map(|s| {
        let pending = matches!(
            s,
            GrantState::Draft | GrantState::Submitted | GrantState::Returned | GrantState::Verified
        );
        (*s, today.year() + i32::from(pending))
    })
    .chain([(GrantState::Disbursed, today.year() - 1)])
    .collect();
    let recipients =
        grants::badan_hukum_registered(&mut conn, plan.len() as i64).map_err(|e| e.to_string())?;
    let written = in_write_transaction(&mut conn, |conn| {
        let mut written = 0;
        for ((state, fiscal_year), (reg, org)) in plan.iter().zip(&recipients) {
            let row = demo_row(
                *state,
                *fiscal_year,
                &reg.id,
                &reg.region_code,
                &org.name,
                today,
            );
            grants::insert_grant(conn, &row)?;
            grants::insert_grant_event(
                conn,
                &GrantEventRow {
                    id: uuid::Uuid::now_v7().to_string(),
                    grant_id: row.id.clone(),
                    occurred_at: row.created_at,
                    actor_id: None,
                    action: "create".into(),
                    from_state: None,
                    to_state: Some(row.state.clone()),
                    notes: Some(r#"{"source":"demo"}"#.into()),
                },
            )?;
            written += 1;
        }
        seed::record(conn, DEMO_GRANTS_SEED)?;
        Ok(written)
    })
    .map_err(|e| e.to_string())?;
    Ok(written)
}

/// A proposal of 20 million rupiah in `state`, with everything its earlier steps recorded.
fn demo_row(
    state: GrantState,
    fiscal_year: i32,
    registration_id: &str,
    region_code: &str,
    ormas_name: &str,
    today: NaiveDate,
) -> GrantRow {
    use GrantState::*;
    let at = now_utc();
    let reached = |s: GrantState| {
        let order = [
            Submitted,
            Verified,
            Approved,
            AgreementSigned,
            Disbursed,
            AccountabilitySubmitted,
            Accounted,
        ];
        let rank = |x: GrantState| order.iter().position(|o| *o == x);
        match (rank(state), rank(s)) {
            (Some(a), Some(b)) => a >= b,
            _ => state == Rejected && matches!(s, Submitted | Verified),
        }
    };
    let day = |n: u64| today - chrono::Days::new(n);
    let bank = serde_json::json!({"bank": "Bank Kaltimtara", "number": "0011223344", "holder": ormas_name});
    let budget = serde_json::json!([
        {"description": "Konsumsi peserta", "unit": "orang-hari", "quantity": 120, "unit_price": 50000},
        {"description": "Honor narasumber", "unit": "orang", "quantity": 4, "unit_price": 2500000},
        {"description": "Modul dan alat tulis", "unit": "paket", "quantity": 40, "unit_price": 100000}
    ]);
    let verified = reached(Verified);
    GrantRow {
        id: uuid::Uuid::now_v7().to_string(),
        registration_id: registration_id.to_owned(),
        region_code: region_code.to_owned(),
        fiscal_year,
        state: state.as_str().to_owned(),
        title: "Pelatihan kewirausahaan pemuda".into(),
        purpose: "Pelatihan tiga hari bagi 40 pemuda di wilayah sekretariat.".into(),
        requested_amount: 20_000_000,
        budget_lines: budget.to_string(),
        bank_account: bank.to_string(),
        document_ids: "[]".into(),
        submitted_on: reached(Submitted).then(|| day(90)),
        reason: match state {
            Returned => Some("RAB belum memuat rincian honor narasumber.".into()),
            Rejected => Some("Pagu hibah tahun anggaran ini telah habis.".into()),
            _ => None,
        },
        recommended_amount: verified.then_some(18_000_000),
        verification: verified.then(|| {
            serde_json::json!({"notes": "Honor disesuaikan dengan standar biaya daerah.", "team": ["Drs. Yusuf Hadi", "Rina Marlina, S.E."], "verified_on": day(80)}).to_string()
        }),
        decree_number: reached(Approved).then(|| format!("188.45/{}/HK/{}", 400 + fiscal_year % 100, today.year())),
        decree_date: reached(Approved).then(|| day(70)),
        approved_amount: reached(Approved).then_some(18_000_000),
        agreement_number: reached(AgreementSigned).then(|| format!("900/77/NPHD/{}", today.year())),
        agreement_date: reached(AgreementSigned).then(|| day(60)),
        disbursed_on: reached(Disbursed).then(|| day(50)),
        disbursed_amount: reached(Disbursed).then_some(18_000_000),
        lpj_due_on: lpj_due_on(fiscal_year, (1, 10)),
        lpj_spent_amount: reached(AccountabilitySubmitted).then_some(17_500_000),
        lpj_returned_amount: reached(AccountabilitySubmitted).then_some(500_000),
        lpj: reached(AccountabilitySubmitted)
            .then(|| r#"{"document_ids":[],"notes":"Sisa dana disetor ke kas daerah."}"#.into()),
        lpj_submitted_on: reached(AccountabilitySubmitted).then(|| day(20)),
        lpj_accepted_on: reached(Accounted).then(|| day(10)),
        created_by: None,
        version: 1,
        created_at: at,
        updated_at: at,
    }
}
