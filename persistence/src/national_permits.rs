//! `seed --scale national`: attribute permit requests over the registered ormas (about one in
//! ten asks), in every state, with gap-free permit numbers per office and year and the matching
//! sequences, so the permit queue is benchmarked at scale.

use chrono::{Datelike, Days, NaiveDate};
use diesel::prelude::*;
use ormas_domain::HolidayCalendar;
use ormas_domain::permits::{
    DEFAULT_ANSWER_WORKING_DAYS, DEFAULT_VALIDITY_MONTHS, answer_due_on, permit_number, valid_until,
};

use crate::national::{NationalOptions, Rng, at, mix, uuid_v7};
use crate::permits::{self, PermitRow};
use crate::schema::{attribute_permit_sequences, registrations};
use crate::{AnyConnection, Backend, PersistenceResult, on_backend};
use diesel::connection::SimpleConnection;

/// The states of generated requests, with their weights.
const STATES: [(&str, u64); 6] = [
    ("draft", 8),
    ("submitted", 10),
    ("reviewed", 5),
    ("returned", 4),
    ("approved", 65),
    ("refused", 8),
];

const ITEMS: &str = r#"[{"kind":"seragam","description":"Kemeja organisasi","colours":["hijau","putih"],"quantity":100,"design":null},{"kind":"bendera","description":"Bendera organisasi","colours":["hijau"],"quantity":10,"design":null}]"#;

fn clean_checklist() -> String {
    let answer = r#"{"yes":false,"note":null}"#;
    let item = format!(
        r#"{{"resembles_government_or_security_forces":{answer},"foreign_symbol_without_permit":{answer},"resembles_other_ormas":{answer},"resembles_political_party":{answer},"separatist_or_banned_symbol":{answer}}}"#
    );
    format!("[{item},{item}]")
}

/// Writes the requests and the permit number sequences; returns how many requests.
pub(crate) fn sprinkle_permits(
    conn: &mut AnyConnection,
    options: &NationalOptions,
    calendar: &HolidayCalendar,
) -> PersistenceResult<usize> {
    let today = options.today;
    let mut rng = Rng::new(mix(options.seed, u64::MAX - 7));
    let registered: Vec<(String, String)> = registrations::table
        .filter(registrations::state.eq("registered"))
        .select((registrations::id, registrations::region_code))
        .order(registrations::id.asc())
        .load(conn)?;
    let checklist = clean_checklist();
    let mut rows: Vec<PermitRow> = Vec::new();
    for (id, region) in &registered {
        if !rng.chance(0.1) {
            continue;
        }
        let weights: u64 = STATES.iter().map(|(_, w)| w).sum();
        let mut pick = rng.below(weights);
        let state = STATES
            .iter()
            .find(|(_, w)| {
                if pick < *w {
                    true
                } else {
                    pick -= w;
                    false
                }
            })
            .map_or("draft", |(s, _)| *s);
        // Waiting requests are recent (some overdue); decided ones spread over the last year.
        let submitted = match state {
            "submitted" | "reviewed" => today - Days::new(rng.below(20)),
            _ => today - Days::new(20 + rng.below(340)),
        };
        let created = submitted - Days::new(1 + rng.below(10));
        let moment = at(created, &mut rng);
        let waiting = state != "draft";
        let decided = matches!(state, "approved" | "refused")
            .then(|| today.min(submitted + Days::new(1 + rng.below(10))));
        let reviewed = matches!(state, "reviewed" | "approved" | "refused");
        rows.push(PermitRow {
            id: uuid_v7(moment, &mut rng),
            registration_id: id.clone(),
            region_code: region.clone(),
            state: state.into(),
            purpose: "Atribut untuk kegiatan organisasi".into(),
            event_name: Some("Musyawarah Daerah".into()),
            event_date: Some(submitted + Days::new(30)),
            vendor_name: "CV Konveksi Nusantara".into(),
            vendor_address: "Jl. Merdeka No. 1".into(),
            items: ITEMS.into(),
            checklist: reviewed.then(|| checklist.clone()),
            first_submitted_on: waiting.then_some(submitted),
            submitted_on: waiting.then_some(submitted),
            answer_due_on: if waiting {
                answer_due_on(submitted, DEFAULT_ANSWER_WORKING_DAYS, calendar).ok()
            } else {
                None
            },
            reviewed_on: reviewed.then_some(decided.unwrap_or(submitted)),
            reviewed_by: None,
            decided_on: decided,
            decided_by: None,
            permit_number: None,
            valid_from: None,
            valid_until: None,
            return_notes: (state == "returned").then(|| "Lengkapi desain.".into()),
            refusal_ground: (state == "refused").then(|| "Menyerupai lambang instansi.".into()),
            refused_items: (state == "refused").then(|| "[2]".into()),
            created_by: None,
            created_at: moment,
            updated_at: moment,
            version: 1,
        });
    }
    // Numbers follow the approval dates within each office and year, with no gap.
    let mut approved: Vec<usize> = (0..rows.len())
        .filter(|&i| rows[i].state == "approved")
        .collect();
    approved.sort_by(|&a, &b| {
        let key = |i: usize| {
            (
                rows[i].region_code.clone(),
                rows[i].decided_on,
                rows[i].id.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
    let mut sequences: Vec<(String, i32, i32)> = Vec::new();
    for i in approved {
        let on: NaiveDate = rows[i].decided_on.unwrap_or(today);
        let region = rows[i].region_code.clone();
        let seq = match sequences.last_mut() {
            Some((r, y, n)) if *r == region && *y == on.year() => {
                *n += 1;
                *n
            }
            _ => {
                sequences.push((region.clone(), on.year(), 1));
                1
            }
        };
        rows[i].permit_number = Some(permit_number(seq as u32, &region, on));
        rows[i].valid_from = Some(on);
        rows[i].valid_until = Some(valid_until(on, DEFAULT_VALIDITY_MONTHS));
    }
    permits::insert_permits(conn, &rows)?;
    for chunk in sequences.chunks(500) {
        let values: Vec<_> = chunk
            .iter()
            .map(|(region, year, last)| {
                (
                    attribute_permit_sequences::region_code.eq(region.clone()),
                    attribute_permit_sequences::year.eq(*year),
                    attribute_permit_sequences::last_number.eq(*last),
                )
            })
            .collect();
        on_backend!(conn, |c| diesel::insert_into(
            attribute_permit_sequences::table
        )
        .values(&values)
        .execute(c))?;
    }
    if Backend::of(conn) == Backend::Postgres {
        conn.batch_execute("ANALYZE attribute_permits;")?;
    }
    log::info!(
        "generated register: {} attribute permit requests",
        rows.len()
    );
    Ok(rows.len())
}
