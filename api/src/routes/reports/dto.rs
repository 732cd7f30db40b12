//! Contract types of reports.

use chrono::{DateTime, NaiveDate, Utc};
use ormas_domain::reporting::{
    ReportState, ReportTransition, allowed_report_transitions, is_overdue,
};
use ormas_persistence::register::OrganisationRow;
use ormas_persistence::reports::ReportRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::error::ApiError;
use crate::routes::Resource;
use crate::routes::dto::{integral_i64, utc, validate_not_blank};

/// One activity of the period.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportActivity {
    /// The day it took place (within the period).
    pub date: NaiveDate,
    #[validate(length(min = 1, max = 200), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 200)]
    pub place: String,
    #[validate(length(min = 1, max = 2000), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 2000)]
    pub description: String,
    /// Ids of documents of type `report_attachment` uploaded to the ormas
    /// (`POST /v1/ormas/{id}/documents`).
    #[serde(default)]
    #[validate(length(max = 20))]
    #[schema(max_items = 20)]
    pub document_ids: Vec<String>,
}

/// Income of the period by source, in whole rupiah.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ReportIncome {
    /// Iuran anggota.
    #[validate(range(min = 0, max = 1_000_000_000_000_000_i64))]
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    #[serde(deserialize_with = "integral_i64")]
    pub dues: i64,
    /// Sumbangan masyarakat.
    #[validate(range(min = 0, max = 1_000_000_000_000_000_i64))]
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    #[serde(deserialize_with = "integral_i64")]
    pub donations: i64,
    /// Hasil usaha.
    #[validate(range(min = 0, max = 1_000_000_000_000_000_i64))]
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    #[serde(deserialize_with = "integral_i64")]
    pub business: i64,
    /// Bantuan/hibah pemerintah.
    #[validate(range(min = 0, max = 1_000_000_000_000_000_i64))]
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    #[serde(deserialize_with = "integral_i64")]
    pub government_grants: i64,
    /// Sumbangan asing.
    #[validate(range(min = 0, max = 1_000_000_000_000_000_i64))]
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    #[serde(deserialize_with = "integral_i64")]
    pub foreign_donations: i64,
}

/// The financial summary of the period, in whole rupiah.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ReportFinances {
    #[validate(nested)]
    pub income: ReportIncome,
    #[validate(range(min = 0, max = 1_000_000_000_000_000_i64))]
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    #[serde(deserialize_with = "integral_i64")]
    pub spending: i64,
}

/// Changes during the period; `null` for none.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ReportChanges {
    /// A change of board (who, since when, the decree).
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub board: Option<String>,
    /// A change of address.
    #[validate(length(min = 1, max = 500))]
    #[schema(min_length = 1, max_length = 500)]
    pub address: Option<String>,
}

/// Who signs the report; both are needed to submit.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ReportSignatories {
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub ketua: Option<String>,
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub sekretaris: Option<String>,
}

/// What a report says, as stored.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ReportContent {
    pub activities: Vec<ReportActivity>,
    pub finances: ReportFinances,
    pub changes: ReportChanges,
    pub signatories: ReportSignatories,
}

/// A new report for a period.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "period": "2026-S1",
    "activities": [{"date": "2026-03-14", "place": "Balikpapan", "description": "Bakti sosial di Kelurahan Gunung Samarinda.", "document_ids": []}],
    "finances": {"income": {"dues": 2400000, "donations": 1500000, "business": 0, "government_grants": 0, "foreign_donations": 0}, "spending": 3100000},
    "changes": {"board": null, "address": null},
    "signatories": {"ketua": "H. Abdul Rahman", "sekretaris": "Siti Aminah"}
}))]
pub struct CreateReport {
    /// `YYYY-S1` / `YYYY-S2` under semester reporting, `YYYY` under annual; a period that has begun.
    #[schema(pattern = r"^(19|2[0-9])[0-9]{2}(-S[12])?$")]
    pub period: String,
    #[serde(default)]
    #[validate(length(max = 100), nested)]
    #[schema(max_items = 100)]
    pub activities: Vec<ReportActivity>,
    #[serde(default)]
    #[validate(nested)]
    pub finances: ReportFinances,
    #[serde(default)]
    #[validate(nested)]
    pub changes: ReportChanges,
    #[serde(default)]
    #[validate(nested)]
    pub signatories: ReportSignatories,
}

/// Changes to a draft or returned report; absent parts stay as they are, given parts replace.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"signatories": {"ketua": "H. Abdul Rahman", "sekretaris": "Siti Aminah"}}))]
pub struct UpdateReport {
    #[validate(length(max = 100), nested)]
    #[schema(max_items = 100)]
    pub activities: Option<Vec<ReportActivity>>,
    #[validate(nested)]
    pub finances: Option<ReportFinances>,
    #[validate(nested)]
    pub changes: Option<ReportChanges>,
    #[validate(nested)]
    pub signatories: Option<ReportSignatories>,
}

/// What a report transition needs: a reason to return.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Laporan keuangan belum memuat rincian belanja."}))]
pub struct ReportTransitionRequest {
    /// Required to return.
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: Option<String>,
}

/// A semester (or annual) report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Report {
    pub id: String,
    /// The registration (ormas) it reports for.
    pub registration_id: String,
    pub ormas_name: String,
    pub region_code: String,
    #[schema(pattern = r"^[0-9]{4}(-S[12])?$")]
    pub period: String,
    /// Due date: the period's end plus the configured days (30 by default), fixed at creation.
    pub due_on: NaiveDate,
    pub state: ReportState,
    /// First submitted after the due date.
    pub late: bool,
    /// Not submitted yet and the due date has passed.
    pub overdue: bool,
    #[schema(required = true)]
    pub first_submitted_on: Option<NaiveDate>,
    #[schema(required = true)]
    pub submitted_on: Option<NaiveDate>,
    #[schema(required = true)]
    pub accepted_on: Option<NaiveDate>,
    /// The receipt (STTL) number, once accepted.
    #[schema(required = true)]
    pub receipt_number: Option<String>,
    /// Why it was last returned.
    #[schema(required = true)]
    pub return_reason: Option<String>,
    pub activities: Vec<ReportActivity>,
    pub finances: ReportFinances,
    pub changes: ReportChanges,
    pub signatories: ReportSignatories,
    /// The transitions its state allows now, for any role: the caller's role may still forbid
    /// some (the endpoint answers 403), as `GET /v1/me` and the roles in each step's description
    /// tell.
    pub allowed_transitions: Vec<ReportTransition>,
    /// Send it back in `If-Match`.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Report {
    pub fn build(
        row: &ReportRow,
        org: &OrganisationRow,
        today: NaiveDate,
    ) -> Result<Report, ApiError> {
        let state = row.state()?;
        let content: ReportContent = serde_json::from_str(&row.content).unwrap_or_default();
        Ok(Report {
            id: row.id.clone(),
            registration_id: row.registration_id.clone(),
            ormas_name: org.name.clone(),
            region_code: row.region_code.clone(),
            period: row.period.clone(),
            due_on: row.due_on,
            state,
            late: row.late,
            overdue: is_overdue(row.first_submitted_on, row.due_on, today),
            first_submitted_on: row.first_submitted_on,
            submitted_on: row.submitted_on,
            accepted_on: row.accepted_on,
            receipt_number: row.receipt_number.clone(),
            return_reason: row.return_reason.clone(),
            activities: content.activities,
            finances: content.finances,
            changes: content.changes,
            signatories: content.signatories,
            allowed_transitions: allowed_report_transitions(state).to_vec(),
            version: row.version,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
        })
    }
}

impl Resource for Report {
    fn location(&self) -> String {
        format!("/v1/reports/{}", self.id)
    }

    fn version(&self) -> Option<i32> {
        Some(self.version)
    }
}

/// A page of reports.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportPage {
    pub items: Vec<Report>,
    /// Pass as `page_token` for the next page; `null` on the last.
    #[schema(required = true)]
    pub next_page_token: Option<String>,
}

/// Where an item of the queue stands: a report's state, or `missing` when none was started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum QueueState {
    Draft,
    Submitted,
    Accepted,
    Returned,
    /// A registered ormas expected to report for the period has not started a report.
    Missing,
}

impl From<ReportState> for QueueState {
    fn from(state: ReportState) -> Self {
        match state {
            ReportState::Draft => QueueState::Draft,
            ReportState::Submitted => QueueState::Submitted,
            ReportState::Accepted => QueueState::Accepted,
            ReportState::Returned => QueueState::Returned,
        }
    }
}

/// One line of an office's report queue: a report, or the absence of one.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportQueueItem {
    /// `null` when missing.
    #[schema(required = true)]
    pub report_id: Option<String>,
    pub registration_id: String,
    pub ormas_name: String,
    pub region_code: String,
    #[schema(pattern = r"^[0-9]{4}(-S[12])?$")]
    pub period: String,
    pub due_on: NaiveDate,
    pub state: QueueState,
    #[schema(required = true)]
    pub first_submitted_on: Option<NaiveDate>,
    /// First submitted after the due date.
    pub late: bool,
    /// Not submitted and past the due date.
    pub overdue: bool,
    #[schema(required = true)]
    pub receipt_number: Option<String>,
}

/// A page of the report queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportQueuePage {
    pub items: Vec<ReportQueueItem>,
    /// Pass as `page_token` for the next page; `null` on the last.
    #[schema(required = true)]
    pub next_page_token: Option<String>,
}
