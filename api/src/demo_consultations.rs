//! Demo consultations for `seed --demo`: threads of the demo representative `pengurus.demo` (a
//! person forming an ormas, bound to none) with the offices of Kota Balikpapan and Kabupaten
//! Paser, in every state: open, overdue, answered, reopened by a reply, closed by the asker,
//! closed automatically, and assigned to an officer.

use chrono::{Days, NaiveDate};
use ormas_domain::consultations::{ConsultationPolicy, ConsultationSide, ConsultationTopic};
use ormas_domain::working_days_between;
use ormas_persistence::consultations::{
    self, ConsultationEventRow, ConsultationMessageRow, ConsultationRow,
};
use ormas_persistence::{AnyConnection, identity, in_write_transaction, reference, seed};

use crate::clock::now_utc;
use ormas_domain::auth::username_key;

const DEMO_CONSULTATIONS_SEED: &str = "demo/consultations-1";

/// (office, topic, subject, days ago opened, days ago answered, asker replied after, closed by
/// asker, assigned to the office's officer)
type Scenario = (
    &'static str,
    ConsultationTopic,
    &'static str,
    u64,
    Option<u64>,
    bool,
    bool,
    bool,
);

const SCENARIOS: &[Scenario] = &[
    (
        "64.71",
        ConsultationTopic::Pendirian,
        "Syarat akta pendirian perkumpulan",
        0,
        None,
        false,
        false,
        false,
    ),
    (
        "64.71",
        ConsultationTopic::Pendaftaran,
        "Dokumen untuk SKM",
        12,
        None,
        false,
        false,
        true,
    ),
    (
        "64.71",
        ConsultationTopic::AdArt,
        "Perubahan AD/ART setelah musyawarah",
        6,
        Some(2),
        false,
        false,
        true,
    ),
    (
        "64.71",
        ConsultationTopic::Hibah,
        "Syarat usulan hibah tahun depan",
        9,
        Some(5),
        true,
        false,
        false,
    ),
    (
        "64.71",
        ConsultationTopic::Kepengurusan,
        "Pergantian bendahara",
        30,
        Some(25),
        false,
        true,
        false,
    ),
    (
        "64.01",
        ConsultationTopic::Pelaporan,
        "Format laporan semester",
        40,
        Some(35),
        false,
        false,
        false,
    ),
    (
        "64.01",
        ConsultationTopic::SengketaInternal,
        "Dua kepengurusan mengaku sah",
        3,
        None,
        false,
        false,
        false,
    ),
];

/// Seeds the demo threads once (recorded as a seed); later runs do nothing.
pub fn seed_demo_consultations(
    conn: &mut AnyConnection,
    today: NaiveDate,
    policy: &ConsultationPolicy,
) -> Result<usize, String> {
    if seed::is_recorded(conn, DEMO_CONSULTATIONS_SEED).map_err(|e| e.to_string())? {
        return Ok(0);
    }
    let Some(asker) = identity::find_user_by_username(conn, &username_key("pengurus.demo"))
        .map_err(|e| e.to_string())?
    else {
        return Ok(0);
    };
    let calendar = reference::holiday_calendar_from(conn, today - Days::new(400))
        .map_err(|e| e.to_string())?;
    let at = now_utc();
    in_write_transaction(conn, |conn| {
        for (office, topic, subject, opened_ago, answered_ago, replied, closed, assigned) in
            SCENARIOS.iter().copied()
        {
            let opened_on = today - Days::new(opened_ago);
            let officer = identity::find_user_by_username(
                conn,
                &username_key(&format!("officer.{}", office.replace('.', ""))),
            )?;
            let id = uuid::Uuid::now_v7().to_string();
            let answered_on = answered_ago.map(|ago| today - Days::new(ago));
            let mut row = ConsultationRow {
                id: id.clone(),
                region_code: office.into(),
                registration_id: None,
                asker_id: asker.id.clone(),
                topic: topic.as_str().into(),
                subject: subject.into(),
                state: "open".into(),
                opened_on,
                first_answer_due_on: policy
                    .first_answer_due_on(opened_on, &calendar)
                    .unwrap_or(opened_on),
                first_answered_at: answered_on.map(|_| at),
                first_answered_on: answered_on,
                first_answer_working_days: answered_on
                    .map(|on| working_days_between(opened_on, on, &calendar) as i32),
                last_answered_on: answered_on,
                last_message_at: at,
                message_count: 1,
                assigned_to: assigned
                    .then(|| officer.as_ref().map(|o| o.id.clone()))
                    .flatten(),
                closed_on: closed.then_some(today),
                closed_by: closed.then(|| asker.id.clone()),
                version: 1,
                created_at: at,
                updated_at: at,
            };
            let mut messages = vec![(
                ConsultationSide::Asker,
                "Mohon penjelasan, apa saja yang perlu kami siapkan?",
            )];
            if answered_on.is_some() {
                messages.push((
                    ConsultationSide::Office,
                    "Silakan siapkan dokumen berikut dan datang ke kantor kami.",
                ));
                row.state = "answered".into();
            }
            if replied {
                messages.push((
                    ConsultationSide::Asker,
                    "Terima kasih. Apakah salinan cukup, atau harus asli?",
                ));
                row.state = "open".into();
            }
            if closed {
                row.state = "closed".into();
            }
            row.message_count = messages.len() as i32;
            consultations::insert_consultation(conn, &row)?;
            for (k, (side, body)) in messages.into_iter().enumerate() {
                let office_author = officer
                    .as_ref()
                    .map(|o| (o.id.clone(), o.display_name.clone()));
                let (author_id, author_name) = match side {
                    ConsultationSide::Asker => (Some(asker.id.clone()), asker.display_name.clone()),
                    ConsultationSide::Office => office_author
                        .map(|(i, n)| (Some(i), n))
                        .unwrap_or((None, "Kesbangpol".into())),
                };
                let message = ConsultationMessageRow {
                    id: uuid::Uuid::now_v7().to_string(),
                    consultation_id: id.clone(),
                    side: side.as_str().into(),
                    author_id: author_id.clone(),
                    author_name: author_name.clone(),
                    body: body.into(),
                    created_at: at,
                };
                let action = match (k, side) {
                    (0, _) => "opened",
                    (_, ConsultationSide::Asker) => "asker_replied",
                    (_, ConsultationSide::Office) => "office_replied",
                };
                let event = ConsultationEventRow {
                    id: uuid::Uuid::now_v7().to_string(),
                    consultation_id: id.clone(),
                    occurred_at: at,
                    actor_id: author_id,
                    actor_name: Some(author_name),
                    action: action.into(),
                    detail: Some("demo data".into()),
                };
                consultations::append(conn, Some(&message), &[], &event)?;
            }
        }
        seed::record(conn, DEMO_CONSULTATIONS_SEED)
    })
    .map_err(|e| e.to_string())?;
    Ok(SCENARIOS.len())
}
