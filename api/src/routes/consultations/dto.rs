//! Contract types of consultations.

use chrono::{DateTime, NaiveDate, Utc};
use ormas_domain::consultations::{
    ConsultationClosure, ConsultationPolicy, ConsultationSide, ConsultationState,
    ConsultationTopic, first_answer_overdue,
};
use ormas_persistence::consultations::{
    ConsultationAttachmentRow, ConsultationEventRow, ConsultationMessageRow, ConsultationRow,
    Thread,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::error::ApiError;
use crate::routes::Resource;
use crate::routes::dto::{utc, validate_not_blank, validate_region_code};

/// A file attached to a message: a PDF, JPEG or PNG (judged by its bytes), base64-encoded.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAttachment {
    #[validate(length(min = 1, max = 200), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 200, example = "akta-pendirian.pdf")]
    pub filename: String,
    /// The file's bytes in standard base64 (the JSON body limit, `ORMAS_BODY_LIMIT`, bounds it;
    /// `ORMAS_DOCUMENT_LIMIT` bounds each decoded file).
    #[validate(length(min = 1))]
    #[schema(min_length = 1, example = "JVBERi0xLjQKJcfsj6IK")]
    pub content_base64: String,
}

/// A new consultation.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "topic": "kepengurusan",
    "subject": "Pergantian ketua sebelum masa bakti berakhir",
    "message": "Ketua kami mengundurkan diri. Apakah SK kepengurusan baru harus dilaporkan dan dokumen apa yang diperlukan?",
    "attachments": []
}))]
pub struct OpenConsultation {
    pub topic: ConsultationTopic,
    #[validate(length(min = 1, max = 200), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 200)]
    pub subject: String,
    /// The question.
    #[validate(length(min = 1, max = 5000), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 5000)]
    pub message: String,
    /// The office asked, for a person forming an ormas (an account bound to none): required then,
    /// and must be absent or the ormas's own region otherwise.
    #[validate(custom(function = "validate_region_code"))]
    #[schema(pattern = r"^[0-9]{2}(\.[0-9]{2}){0,2}$", example = "64.71")]
    pub region: Option<String>,
    #[serde(default)]
    #[validate(length(max = 5), nested)]
    #[schema(max_items = 5)]
    pub attachments: Vec<NewAttachment>,
}

/// A reply in a thread.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "body": "Ya, laporkan SK kepengurusan baru dengan berita acara rapat pergantian.",
    "attachments": []
}))]
pub struct NewMessage {
    #[validate(length(min = 1, max = 5000), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 5000)]
    pub body: String,
    #[serde(default)]
    #[validate(length(max = 5), nested)]
    #[schema(max_items = 5)]
    pub attachments: Vec<NewAttachment>,
}

/// Closing a thread (by its asker).
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"note": "Terima kasih, sudah jelas."}))]
pub struct CloseConsultation {
    /// An optional closing note (kept in the thread's events).
    #[validate(length(min = 1, max = 1000))]
    #[schema(min_length = 1, max_length = 1000)]
    pub note: Option<String>,
}

/// Who answers a thread.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"officer_id": "019388a0-7b1e-7c4d-9a55-3f1f0e2b8c11"}))]
pub struct Assignment {
    /// The account of an active `officer` whose region covers the thread's office.
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub officer_id: String,
}

/// An attached file's metadata (its bytes at `url`).
#[derive(Debug, Serialize, ToSchema)]
pub struct Attachment {
    pub id: String,
    pub filename: String,
    /// `application/pdf`, `image/jpeg` or `image/png`, from the file's bytes.
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    /// Where to download it.
    pub url: String,
}

impl From<&ConsultationAttachmentRow> for Attachment {
    fn from(row: &ConsultationAttachmentRow) -> Self {
        Attachment {
            id: row.id.clone(),
            filename: row.filename.clone(),
            content_type: row.content_type.clone(),
            size_bytes: row.size_bytes,
            sha256: row.sha256.clone(),
            url: format!(
                "/v1/consultations/{}/attachments/{}",
                row.consultation_id, row.id
            ),
        }
    }
}

/// One message.
#[derive(Debug, Serialize, ToSchema)]
pub struct Message {
    pub id: String,
    pub side: ConsultationSide,
    pub author_id: Option<String>,
    pub author_name: String,
    pub body: String,
    pub attachments: Vec<Attachment>,
    pub created_at: DateTime<Utc>,
}

/// An assignment, a close or another step of the thread.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsultationEvent {
    /// `opened`, `asker_replied`, `office_replied`, `assigned` or `closed`.
    pub action: String,
    pub actor_id: Option<String>,
    pub actor_name: Option<String>,
    /// The officer assigned, or the closing note.
    pub detail: Option<String>,
    pub occurred_at: DateTime<Utc>,
}

impl From<&ConsultationEventRow> for ConsultationEvent {
    fn from(row: &ConsultationEventRow) -> Self {
        ConsultationEvent {
            action: row.action.clone(),
            actor_id: row.actor_id.clone(),
            actor_name: row.actor_name.clone(),
            detail: row.detail.clone(),
            occurred_at: utc(row.occurred_at),
        }
    }
}

/// A thread as the queue lists it: its state and service level as of today.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsultationSummary {
    pub id: String,
    /// The office asked.
    pub region_code: String,
    /// The ormas asking; `null` for a person forming one.
    pub ormas_id: Option<String>,
    pub ormas_name: Option<String>,
    pub asker_id: String,
    pub topic: ConsultationTopic,
    pub subject: String,
    /// As of today: an answered thread without the asker's reply for
    /// `ORMAS_CONSULTATION_AUTO_CLOSE_DAYS` days reads `closed` (`closure` = `automatic`).
    pub state: ConsultationState,
    pub closure: Option<ConsultationClosure>,
    pub opened_on: NaiveDate,
    /// `ORMAS_CONSULTATION_FIRST_ANSWER_DAYS` working days after opening (weekends, holidays
    /// and cuti bersama skipped).
    pub first_answer_due_on: NaiveDate,
    pub first_answered_at: Option<DateTime<Utc>>,
    /// Working days from opening to the first answer.
    pub first_answer_working_days: Option<i32>,
    /// No answer yet, not closed, and the due day has passed.
    pub overdue: bool,
    /// The first answer came after its due day.
    pub answered_late: bool,
    /// The day of the office's last reply.
    pub last_answered_on: Option<NaiveDate>,
    /// While answered: the day it reads closed unless the asker replies.
    pub auto_closes_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    pub assigned_to: Option<String>,
    pub message_count: i32,
    pub last_message_at: DateTime<Utc>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ConsultationSummary {
    pub fn build(
        row: &ConsultationRow,
        ormas_name: Option<String>,
        policy: &ConsultationPolicy,
        today: NaiveDate,
    ) -> Result<Self, ApiError> {
        let stored = row.state()?;
        let (state, closure) = policy.state_on(stored, row.last_answered_on, today);
        Ok(ConsultationSummary {
            id: row.id.clone(),
            region_code: row.region_code.clone(),
            ormas_id: row.registration_id.clone(),
            ormas_name,
            asker_id: row.asker_id.clone(),
            topic: row.topic.parse().map_err(ApiError::internal)?,
            subject: row.subject.clone(),
            state,
            closure,
            opened_on: row.opened_on,
            first_answer_due_on: row.first_answer_due_on,
            first_answered_at: row.first_answered_at.map(utc),
            first_answer_working_days: row.first_answer_working_days,
            overdue: first_answer_overdue(
                state,
                row.first_answered_on,
                row.first_answer_due_on,
                today,
            ),
            answered_late: row
                .first_answered_on
                .is_some_and(|on| on > row.first_answer_due_on),
            last_answered_on: row.last_answered_on,
            auto_closes_on: match (state, row.last_answered_on) {
                (ConsultationState::Answered, Some(day)) => Some(policy.auto_closes_on(day)),
                _ => None,
            },
            closed_on: match closure {
                Some(ConsultationClosure::Automatic) => {
                    row.last_answered_on.map(|d| policy.auto_closes_on(d))
                }
                _ => row.closed_on,
            },
            assigned_to: row.assigned_to.clone(),
            message_count: row.message_count,
            last_message_at: utc(row.last_message_at),
            version: row.version,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
        })
    }
}

/// A thread with its messages and events.
#[derive(Debug, Serialize, ToSchema)]
pub struct Consultation {
    #[serde(flatten)]
    pub summary: ConsultationSummary,
    /// Oldest first.
    pub messages: Vec<Message>,
    /// Oldest first.
    pub events: Vec<ConsultationEvent>,
}

impl Consultation {
    pub fn build(
        row: &ConsultationRow,
        ormas_name: Option<String>,
        thread: &Thread,
        policy: &ConsultationPolicy,
        today: NaiveDate,
    ) -> Result<Self, ApiError> {
        let messages = thread
            .messages
            .iter()
            .map(|m: &ConsultationMessageRow| {
                Ok(Message {
                    id: m.id.clone(),
                    side: m.side.parse().map_err(ApiError::internal)?,
                    author_id: m.author_id.clone(),
                    author_name: m.author_name.clone(),
                    body: m.body.clone(),
                    attachments: thread
                        .attachments
                        .iter()
                        .filter(|a| a.message_id == m.id)
                        .map(Attachment::from)
                        .collect(),
                    created_at: utc(m.created_at),
                })
            })
            .collect::<Result<Vec<_>, ApiError>>()?;
        Ok(Consultation {
            summary: ConsultationSummary::build(row, ormas_name, policy, today)?,
            messages,
            events: thread.events.iter().map(ConsultationEvent::from).collect(),
        })
    }
}

impl Resource for Consultation {
    fn location(&self) -> String {
        format!("/v1/consultations/{}", self.summary.id)
    }

    fn version(&self) -> Option<i32> {
        Some(self.summary.version)
    }
}

/// One page of the queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsultationPage {
    pub items: Vec<ConsultationSummary>,
    pub next_page_token: Option<String>,
}

/// Filters of the consultation queue.
#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConsultationQuery {
    /// Only this region's subtree (within the caller's scope; default: the caller's region).
    #[validate(custom(function = "validate_region_code"))]
    #[param(pattern = r"^[0-9]{2}(\.[0-9]{2}){0,2}$")]
    pub region: Option<String>,
    /// The state as of today (an automatically closed thread is `closed`).
    #[param(inline)]
    pub state: Option<ConsultationState>,
    /// `true`: no first answer, not closed, past its due day; `false`: the others.
    pub overdue: Option<bool>,
    /// Only threads assigned to this account.
    #[validate(length(min = 1, max = 100))]
    #[param(min_length = 1, max_length = 100)]
    pub assigned_to: Option<String>,
    #[param(inline)]
    pub topic: Option<ConsultationTopic>,
    /// 1 to 200 (default 50).
    #[validate(range(min = 1, max = 200))]
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub page_size: Option<i64>,
    /// The `next_page_token` of the previous page.
    #[param(pattern = "^(?:[2-6][0-9a-f]|7[0-9a-e]|1f){1,512}$")]
    pub page_token: Option<String>,
}
