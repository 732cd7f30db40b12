//! Repositories for consultation threads, their messages, attachments and events.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use ormas_domain::consultations::ConsultationState;

use crate::schema::{
    consultation_attachments, consultation_events, consultation_messages, consultations,
    organisations, registrations,
};
use crate::sql::{after_pair, in_subtree};
use crate::{AnyConnection, PersistenceResult};

/// A thread as stored (its state is the stored one; the automatic close is derived on read).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = consultations, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct ConsultationRow {
    pub id: String,
    pub region_code: String,
    pub registration_id: Option<String>,
    pub asker_id: String,
    pub topic: String,
    pub subject: String,
    pub state: String,
    pub opened_on: NaiveDate,
    pub first_answer_due_on: NaiveDate,
    pub first_answered_at: Option<NaiveDateTime>,
    pub first_answered_on: Option<NaiveDate>,
    pub first_answer_working_days: Option<i32>,
    pub last_answered_on: Option<NaiveDate>,
    pub last_message_at: NaiveDateTime,
    pub message_count: i32,
    pub assigned_to: Option<String>,
    pub closed_on: Option<NaiveDate>,
    pub closed_by: Option<String>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl ConsultationRow {
    /// The stored state ([`PersistenceError::Corrupt`](crate::PersistenceError::Corrupt) when it
    /// names none).
    pub fn state(&self) -> PersistenceResult<ConsultationState> {
        Ok(self.state.parse()?)
    }
}

/// One message of a thread.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = consultation_messages, treat_none_as_default_value = false)]
pub struct ConsultationMessageRow {
    pub id: String,
    pub consultation_id: String,
    pub side: String,
    pub author_id: Option<String>,
    pub author_name: String,
    pub body: String,
    pub created_at: NaiveDateTime,
}

/// A file attached to a message (its bytes live in the document store by SHA-256).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = consultation_attachments)]
pub struct ConsultationAttachmentRow {
    pub id: String,
    pub consultation_id: String,
    pub message_id: String,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub created_at: NaiveDateTime,
}

/// An assignment, a close or another step of a thread.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = consultation_events)]
pub struct ConsultationEventRow {
    pub id: String,
    pub consultation_id: String,
    pub occurred_at: NaiveDateTime,
    pub actor_id: Option<String>,
    pub actor_name: Option<String>,
    pub action: String,
    pub detail: Option<String>,
}

/// A thread with the name of the ormas asking (none for a person forming one).
pub type ConsultationWithOrmas = (ConsultationRow, Option<String>);

/// A thread's messages (oldest first), attachments and events (oldest first).
#[derive(Debug, Clone, Default)]
pub struct Thread {
    pub messages: Vec<ConsultationMessageRow>,
    pub attachments: Vec<ConsultationAttachmentRow>,
    pub events: Vec<ConsultationEventRow>,
}

pub fn insert_consultation(
    conn: &mut AnyConnection,
    row: &ConsultationRow,
) -> PersistenceResult<()> {
    diesel::insert_into(consultations::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Saves a changed thread when its `version` is still `expected_version`
/// ([`PersistenceError::StaleVersion`](crate::PersistenceError::StaleVersion) otherwise).
pub fn update_consultation(
    conn: &mut AnyConnection,
    row: &ConsultationRow,
    expected_version: i32,
) -> PersistenceResult<()> {
    crate::sql::update_if_version!(conn, consultations, row, expected_version)
}

/// Appends a message with its attachments and an event, in the caller's transaction.
pub fn append(
    conn: &mut AnyConnection,
    message: Option<&ConsultationMessageRow>,
    attachments: &[ConsultationAttachmentRow],
    event: &ConsultationEventRow,
) -> PersistenceResult<()> {
    if let Some(message) = message {
        diesel::insert_into(consultation_messages::table)
            .values(message)
            .execute(conn)?;
    }
    // A message carries at most a handful of files: one insert each (a multi-row insert needs
    // a per-backend helper on AnyConnection).
    for attachment in attachments {
        diesel::insert_into(consultation_attachments::table)
            .values(attachment)
            .execute(conn)?;
    }
    diesel::insert_into(consultation_events::table)
        .values(event)
        .execute(conn)?;
    Ok(())
}

pub fn find_consultation(
    conn: &mut AnyConnection,
    id: &str,
) -> PersistenceResult<Option<ConsultationWithOrmas>> {
    Ok(consultations::table
        .left_join(registrations::table.inner_join(organisations::table))
        .filter(consultations::id.eq(id))
        .select((ConsultationRow::as_select(), organisations::name.nullable()))
        .first(conn)
        .optional()?)
}

/// The messages, attachments and events of one thread: three queries, whatever its length.
pub fn thread_of(conn: &mut AnyConnection, id: &str) -> PersistenceResult<Thread> {
    let messages = consultation_messages::table
        .filter(consultation_messages::consultation_id.eq(id))
        .order(consultation_messages::id.asc())
        .select(ConsultationMessageRow::as_select())
        .load(conn)?;
    let attachments = consultation_attachments::table
        .filter(consultation_attachments::consultation_id.eq(id))
        .order(consultation_attachments::id.asc())
        .select(ConsultationAttachmentRow::as_select())
        .load(conn)?;
    let events = consultation_events::table
        .filter(consultation_events::consultation_id.eq(id))
        .order(consultation_events::id.asc())
        .select(ConsultationEventRow::as_select())
        .load(conn)?;
    Ok(Thread {
        messages,
        attachments,
        events,
    })
}

pub fn find_attachment(
    conn: &mut AnyConnection,
    consultation_id: &str,
    attachment_id: &str,
) -> PersistenceResult<Option<ConsultationAttachmentRow>> {
    Ok(consultation_attachments::table
        .filter(consultation_attachments::consultation_id.eq(consultation_id))
        .filter(consultation_attachments::id.eq(attachment_id))
        .select(ConsultationAttachmentRow::as_select())
        .first(conn)
        .optional()?)
}

/// Who may see a representative's threads.
#[derive(Debug, Clone)]
pub enum Asker {
    /// Threads of this registration (a representative bound to an ormas).
    Ormas(String),
    /// Threads this account opened without an ormas (a person forming one).
    Person(String),
}

/// Which threads the queue lists. The state filter reads the derived state: `closed` includes an
/// `answered` thread whose last answer is on or before `auto_close_cutoff`, `answered` excludes it.
#[derive(Debug, Clone)]
pub struct ConsultationFilter {
    pub region: Option<String>,
    pub asker: Option<Asker>,
    pub state: Option<ConsultationState>,
    /// `Some(true)`: unanswered past the first-answer due day and not closed.
    pub overdue: Option<bool>,
    pub assigned_to: Option<String>,
    pub topic: Option<String>,
    pub today: NaiveDate,
    pub auto_close_cutoff: NaiveDate,
    /// The `(region_code, id)` of the last row of the previous page.
    pub after: Option<(String, String)>,
    pub limit: i64,
}

/// Threads of the queue, ordered by region then id (ids are time-ordered: oldest first).
pub fn list_consultations(
    conn: &mut AnyConnection,
    filter: &ConsultationFilter,
) -> PersistenceResult<Vec<ConsultationWithOrmas>> {
    let mut query = consultations::table
        .left_join(registrations::table.inner_join(organisations::table))
        .select((ConsultationRow::as_select(), organisations::name.nullable()))
        .order((consultations::region_code.asc(), consultations::id.asc()))
        .limit(filter.limit)
        .into_boxed();
    if let Some(region) = &filter.region {
        query = query.filter(in_subtree!(consultations::region_code, region.clone()));
    }
    match &filter.asker {
        Some(Asker::Ormas(id)) => {
            query = query.filter(consultations::registration_id.eq(id.clone()));
        }
        Some(Asker::Person(id)) => {
            query = query
                .filter(consultations::registration_id.is_null())
                .filter(consultations::asker_id.eq(id.clone()));
        }
        None => {}
    }
    let cutoff = filter.auto_close_cutoff;
    match filter.state {
        Some(ConsultationState::Open) => {
            query = query.filter(consultations::state.eq("open"));
        }
        Some(ConsultationState::Answered) => {
            query = query.filter(consultations::state.eq("answered")).filter(
                consultations::last_answered_on
                    .is_null()
                    .or(consultations::last_answered_on.gt(cutoff)),
            );
        }
        Some(ConsultationState::Closed) => {
            query = query.filter(
                consultations::state.eq("closed").or(consultations::state
                    .eq("answered")
                    .and(consultations::last_answered_on.le(cutoff))),
            );
        }
        None => {}
    }
    match filter.overdue {
        Some(true) => {
            query = query
                .filter(consultations::first_answered_on.is_null())
                .filter(consultations::state.ne("closed"))
                .filter(consultations::first_answer_due_on.lt(filter.today));
        }
        Some(false) => {
            query = query.filter(
                consultations::first_answered_on
                    .is_not_null()
                    .or(consultations::state.eq("closed"))
                    .or(consultations::first_answer_due_on.ge(filter.today)),
            );
        }
        None => {}
    }
    if let Some(assignee) = &filter.assigned_to {
        query = query.filter(consultations::assigned_to.eq(assignee.clone()));
    }
    if let Some(topic) = &filter.topic {
        query = query.filter(consultations::topic.eq(topic.clone()));
    }
    if let Some(after) = &filter.after {
        query = query.filter(after_pair!(
            consultations::region_code,
            consultations::id,
            after.clone()
        ));
    }
    Ok(query.load(conn)?)
}

/// The service level of the offices in a region's subtree: per office (thread region), the
/// working days each first answer took, and how many threads are overdue today.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServiceLevelFacts {
    /// `(region_code, working days to the first answer)`, for answered threads opened on or after
    /// `since`.
    pub answer_days: Vec<(String, i32)>,
    /// `(region_code, threads overdue today)`.
    pub overdue: Vec<(String, i64)>,
}

pub fn service_level_facts(
    conn: &mut AnyConnection,
    region: Option<&str>,
    since: NaiveDate,
    today: NaiveDate,
) -> PersistenceResult<ServiceLevelFacts> {
    let mut answered = consultations::table
        .filter(consultations::opened_on.ge(since))
        .filter(consultations::first_answer_working_days.is_not_null())
        .select((
            consultations::region_code,
            consultations::first_answer_working_days.assume_not_null(),
        ))
        .into_boxed();
    let mut overdue = consultations::table
        .filter(consultations::first_answered_on.is_null())
        .filter(consultations::state.ne("closed"))
        .filter(consultations::first_answer_due_on.lt(today))
        .group_by(consultations::region_code)
        .select((consultations::region_code, diesel::dsl::count_star()))
        .into_boxed();
    if let Some(region) = region {
        answered = answered.filter(in_subtree!(consultations::region_code, region.to_owned()));
        overdue = overdue.filter(in_subtree!(consultations::region_code, region.to_owned()));
    }
    Ok(ServiceLevelFacts {
        answer_days: answered.load(conn)?,
        overdue: overdue.load(conn)?,
    })
}
