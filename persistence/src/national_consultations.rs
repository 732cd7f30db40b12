//! `seed --scale national`: consultations over the generated register, about 6 % of the registered
//! ormas with a thread (tens of thousands nationally), in every state, on their own random stream
//! so the register is unchanged. One inactive account stands for the askers (it cannot sign in).

use chrono::{Days, NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::consultations::{ConsultationMessageRow, ConsultationRow};
use crate::schema::{consultation_messages, consultations, registrations, users};
use crate::{AnyConnection, PersistenceResult};

const ROWS_PER_INSERT: usize = 1_000;
const TOPICS: [&str; 8] = [
    "pendirian",
    "pendaftaran",
    "kepengurusan",
    "ad_art",
    "hibah",
    "pelaporan",
    "sengketa_internal",
    "lainnya",
];

/// splitmix64, its own stream.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }
}

fn uuid(rng: &mut Rng, at: NaiveDateTime) -> String {
    let millis = (at.and_utc().timestamp_millis().max(0) as u64) & 0xffff_ffff_ffff;
    let a = rng.next();
    let b = rng.next();
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        millis >> 16,
        millis & 0xffff,
        0x7000 | (a & 0x0fff),
        0x8000 | ((a >> 12) & 0x3fff),
        b & 0xffff_ffff_ffff
    )
}

/// Writes the threads and their messages; returns how many threads.
pub fn sprinkle_consultations(
    conn: &mut AnyConnection,
    seed: u64,
    today: NaiveDate,
) -> PersistenceResult<usize> {
    let mut rng = Rng(seed ^ 0xc045_u64.wrapping_mul(0x9e37_79b9_7f4a_7c15));
    let registered: Vec<(String, String)> = registrations::table
        .filter(registrations::state.eq("registered"))
        .select((registrations::id, registrations::region_code))
        .order(registrations::id.asc())
        .load(conn)?;
    let midnight = today.and_hms_opt(9, 0, 0).unwrap_or_default();
    let asker = uuid(&mut rng, midnight);
    diesel::insert_into(users::table)
        .values((
            users::id.eq(&asker),
            users::username.eq("penanya.nasional"),
            users::username_key.eq("penanya.nasional"),
            users::display_name.eq("Penanya (data nasional)"),
            users::password_hash.eq("!"),
            users::role.eq("ormas_rep"),
            users::active.eq(false),
            users::token_version.eq(1),
            users::version.eq(1),
            users::created_at.eq(midnight),
            users::updated_at.eq(midnight),
        ))
        .execute(conn)?;
    let mut threads = Vec::new();
    let mut messages = Vec::new();
    for (registration, region) in registered {
        if rng.below(1000) >= 60 {
            continue;
        }
        let opened_ago = rng.below(365);
        let opened_on = today - Days::new(opened_ago);
        let at = opened_on
            .and_hms_opt(8 + rng.below(8) as u32, 0, 0)
            .unwrap_or_default();
        let id = uuid(&mut rng, at);
        // Weekday-only approximation of working days; holidays shift a few due days by a day.
        let answer_after = match rng.below(10) {
            0 if opened_ago > 10 => None,
            _ if opened_ago < 2 && rng.below(2) == 0 => None,
            n => Some((n % 6).min(opened_ago)),
        };
        let due = opened_on + Days::new(5);
        let answered_on = answer_after.map(|d| opened_on + Days::new(d));
        let state = match (answered_on, rng.below(4)) {
            (None, _) => "open",
            (Some(_), 0) => "open",
            (Some(_), 1) => "closed",
            _ => "answered",
        };
        let count = match (answered_on, state) {
            (None, _) => 1,
            (Some(_), "open") => 3,
            _ => 2,
        };
        let last_at = answered_on
            .map(|d| d.and_hms_opt(10, 0, 0).unwrap_or_default())
            .unwrap_or(at);
        threads.push(ConsultationRow {
            id: id.clone(),
            region_code: region,
            registration_id: Some(registration),
            asker_id: asker.clone(),
            topic: TOPICS[rng.below(8) as usize].into(),
            subject: "Konsultasi kelembagaan".into(),
            state: state.into(),
            opened_on,
            first_answer_due_on: due,
            first_answered_at: answered_on.map(|d| d.and_hms_opt(10, 0, 0).unwrap_or_default()),
            first_answered_on: answered_on,
            first_answer_working_days: answer_after.map(|d| d as i32),
            last_answered_on: answered_on,
            last_message_at: last_at,
            message_count: count,
            assigned_to: None,
            closed_on: (state == "closed").then_some(answered_on.unwrap_or(opened_on)),
            closed_by: (state == "closed").then(|| asker.clone()),
            version: count,
            created_at: at,
            updated_at: last_at,
        });
        for k in 0..count {
            let side = if k == 1 { "office" } else { "asker" };
            messages.push(ConsultationMessageRow {
                id: uuid(&mut rng, at + chrono::TimeDelta::minutes(i64::from(k))),
                consultation_id: id.clone(),
                side: side.into(),
                author_id: None,
                author_name: if side == "office" {
                    "Kesbangpol"
                } else {
                    "Pengurus"
                }
                .into(),
                body: "Mohon penjelasan.".into(),
                created_at: at,
            });
        }
    }
    let written = threads.len();
    crate::in_write_transaction(conn, |conn| {
        match conn {
            AnyConnection::Postgresql(c) => {
                diesel::copy_from(consultations::table)
                    .from_insertable(&threads)
                    .execute(c)?;
                diesel::copy_from(consultation_messages::table)
                    .from_insertable(&messages)
                    .execute(c)?;
            }
            AnyConnection::Sqlite(c) => {
                for chunk in threads.chunks(ROWS_PER_INSERT) {
                    diesel::insert_into(consultations::table)
                        .values(chunk)
                        .execute(c)?;
                }
                for chunk in messages.chunks(ROWS_PER_INSERT * 3) {
                    diesel::insert_into(consultation_messages::table)
                        .values(chunk)
                        .execute(c)?;
                }
            }
        }
        Ok(())
    })?;
    if crate::Backend::of(conn) == crate::Backend::Postgres {
        diesel::connection::SimpleConnection::batch_execute(
            conn,
            "ANALYZE consultations; ANALYZE consultation_messages;",
        )?;
    }
    Ok(written)
}
