//! The national volume of grant proposals for `seed --scale`: a few thousand a year over the
//! registered badan hukum ormas, for the last three fiscal years, in realistic states (past years
//! mostly accounted for, some with their LPJ overdue; this year spread along the lifecycle).

use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;
use ormas_domain::grants::{GrantState, lpj_due_on};

use crate::grants::GrantRow;
use crate::schema::{grant_proposals, organisations, registrations};
use crate::{AnyConnection, Backend, PersistenceResult};

/// 32 columns a row: 500 rows stay below SQLite's limit of bound variables.
const ROWS_PER_INSERT: usize = 500;

/// Writes the grants; returns how many.
pub(crate) fn sprinkle_grants(
    conn: &mut AnyConnection,
    today: NaiveDate,
    registrations_total: usize,
    seed: u64,
) -> PersistenceResult<usize> {
    let per_year = (registrations_total / 150).clamp(50, 4_000);
    let years = [today.year() - 2, today.year() - 1, today.year()];
    let recipients: Vec<(String, String)> = registrations::table
        .inner_join(organisations::table)
        .filter(registrations::state.eq("registered"))
        .filter(organisations::kind.eq_any(["perkumpulan", "yayasan"]))
        .order(registrations::id.asc())
        .limit((per_year * years.len()) as i64)
        .select((registrations::id, registrations::region_code))
        .load(conn)?;
    if recipients.is_empty() {
        return Ok(0);
    }
    let mut state = seed | 1;
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        state >> 33
    };
    let at = today.and_hms_opt(8, 0, 0).unwrap_or_default();
    let mut rows = Vec::with_capacity(recipients.len());
    for (i, (registration_id, region_code)) in recipients.into_iter().enumerate() {
        let fiscal_year = years[i % years.len()];
        let roll = next() % 100;
        let grant_state = if fiscal_year < today.year() {
            match roll {
                0..=6 => GrantState::Rejected,
                7..=14 => GrantState::Disbursed,
                15..=18 => GrantState::AccountabilitySubmitted,
                _ => GrantState::Accounted,
            }
        } else {
            match roll {
                0..=9 => GrantState::Draft,
                10..=24 => GrantState::Submitted,
                25..=29 => GrantState::Returned,
                30..=44 => GrantState::Verified,
                45..=49 => GrantState::Rejected,
                50..=59 => GrantState::Approved,
                60..=69 => GrantState::AgreementSigned,
                _ => GrantState::Disbursed,
            }
        };
        let requested = (5 + (next() % 96) as i64) * 1_000_000;
        let recommended = requested - (next() % 3) as i64 * 1_000_000 / 2;
        let rank = |s: GrantState| {
            [
                GrantState::Submitted,
                GrantState::Verified,
                GrantState::Approved,
                GrantState::AgreementSigned,
                GrantState::Disbursed,
                GrantState::AccountabilitySubmitted,
                GrantState::Accounted,
            ]
            .iter()
            .position(|x| *x == s)
        };
        let reached = |s: GrantState| match (rank(grant_state), rank(s)) {
            (Some(a), Some(b)) => a >= b,
            _ => {
                grant_state == GrantState::Rejected
                    && matches!(s, GrantState::Submitted | GrantState::Verified)
            }
        };
        let start = NaiveDate::from_ymd_opt(fiscal_year, 2, 1)
            .unwrap_or(today)
            .min(today);
        let on = |days: u64| (start + chrono::Days::new(days)).min(today);
        rows.push(GrantRow {
            // UUIDv7-shaped, unique by index, spread by the generator.
            id: format!(
                "{:08x}-{:04x}-7{:03x}-8{:03x}-{:012x}",
                next() as u32,
                next() & 0xffff,
                next() & 0xfff,
                next() & 0xfff,
                i
            ),
            registration_id,
            region_code,
            fiscal_year,
            state: grant_state.as_str().to_owned(),
            title: "Kegiatan sosial kemasyarakatan".into(),
            purpose: "Kegiatan ormas yang dibiayai hibah daerah.".into(),
            requested_amount: requested,
            budget_lines: format!(
                r#"[{{"description":"Kegiatan","unit":"paket","quantity":1,"unit_price":{requested}}}]"#
            ),
            bank_account: r#"{"bank":"Bank Pembangunan Daerah","number":"0000000000","holder":"Rekening ormas"}"#.into(),
            document_ids: "[]".into(),
            submitted_on: reached(GrantState::Submitted).then(|| on(0)),
            reason: (grant_state == GrantState::Rejected).then(|| "Pagu hibah telah habis.".into()),
            recommended_amount: reached(GrantState::Verified).then_some(recommended),
            verification: None,
            decree_number: reached(GrantState::Approved).then(|| format!("188.45/{i}/HK/{fiscal_year}")),
            decree_date: reached(GrantState::Approved).then(|| on(30)),
            approved_amount: reached(GrantState::Approved).then_some(recommended),
            agreement_number: reached(GrantState::AgreementSigned).then(|| format!("900/{i}/NPHD/{fiscal_year}")),
            agreement_date: reached(GrantState::AgreementSigned).then(|| on(45)),
            disbursed_on: reached(GrantState::Disbursed).then(|| on(60)),
            disbursed_amount: reached(GrantState::Disbursed).then_some(recommended),
            lpj_due_on: lpj_due_on(fiscal_year, (1, 10)),
            lpj_spent_amount: reached(GrantState::AccountabilitySubmitted).then_some(recommended),
            lpj_returned_amount: reached(GrantState::AccountabilitySubmitted).then_some(0),
            lpj: None,
            lpj_submitted_on: reached(GrantState::AccountabilitySubmitted).then(|| on(300)),
            lpj_accepted_on: reached(GrantState::Accounted).then(|| on(320)),
            created_by: None,
            version: 1,
            created_at: at,
            updated_at: at,
        });
    }
    crate::in_write_transaction(conn, |conn| {
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            crate::on_backend!(conn, |c| diesel::insert_into(grant_proposals::table)
                .values(chunk)
                .execute(c))?;
        }
        Ok(())
    })?;
    if Backend::of(conn) == Backend::Postgres {
        diesel::connection::SimpleConnection::batch_execute(conn, "ANALYZE grant_proposals;")?;
    }
    Ok(rows.len())
}
