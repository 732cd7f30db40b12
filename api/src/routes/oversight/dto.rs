//! Contract types of complaints and oversight cases.

use chrono::{DateTime, NaiveDate, Utc};
use ormas_domain::oversight::{
    Agency, CaseOutcome, CaseState, ComplaintCategory, ComplaintSource, ComplaintState,
    allowed_case_steps, allowed_complaint_steps,
};
use ormas_persistence::oversight::{
    CaseEventRow, CaseMemberRow, CaseRow, ComplaintAttachmentRow, ComplaintRow,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::error::ApiError;
use crate::routes::Resource;
use crate::routes::dto::{utc, validate_not_blank, validate_region_code};

/// A complaint from the public (no account needed). It concerns either a registered ormas (its id on
/// the public register) or an organisation by name and address, never both.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "region_code": "64.71",
    "ormas_id": null,
    "organisation_name": "Laskar Pemuda Sejahtera",
    "organisation_address": "Jl. Mulawarman No. 5, Balikpapan",
    "category": "public_order",
    "description": "Anggota berseragam menutup jalan dan memungut uang dari pengendara setiap malam minggu.",
    "occurred_on": "2026-11-28",
    "reporter_name": "Budi Santoso",
    "reporter_contact": "0812 5555 0101"
}))]
pub struct PublicComplaintRequest {
    /// The kabupaten/kota where it happened.
    #[validate(custom(function = "validate_region_code"))]
    #[schema(pattern = r"^[0-9]{2}\.[0-9]{2}$")]
    pub region_code: String,
    /// The id of a registered ormas, as the public register shows it.
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64)]
    pub ormas_id: Option<String>,
    /// An organisation that is not (or not known to be) registered.
    #[validate(length(min = 1, max = 300), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 300)]
    pub organisation_name: Option<String>,
    /// Its address (needed with `organisation_name`).
    #[validate(length(min = 1, max = 500), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 500)]
    pub organisation_address: Option<String>,
    /// A code from `GET /v1/reference/complaint_categories`.
    pub category: ComplaintCategory,
    /// What happened (at most 5,000 characters).
    #[validate(length(min = 1, max = 5000), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 5000)]
    pub description: String,
    /// When it happened (not in the future).
    pub occurred_on: Option<NaiveDate>,
    /// Optional; personal data, never shown to the ormas nor to the public.
    #[validate(length(min = 1, max = 200), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 200)]
    pub reporter_name: Option<String>,
    /// Optional phone or e-mail; personal data.
    #[validate(length(min = 1, max = 200), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 200)]
    pub reporter_contact: Option<String>,
}

/// An internal complaint or monitoring finding, filed by staff: a public complaint's fields and
/// where it came from.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "region_code": "64.71",
    "ormas_id": "0193a7e4-0000-7000-8000-000000000001",
    "category": "attribute_misuse",
    "source": "agency_referral",
    "referring_agency": "polri",
    "description": "Atribut menyerupai seragam Polri dipakai pada kegiatan 20 November.",
    "occurred_on": "2026-11-20"
}))]
pub struct FileComplaintRequest {
    #[validate(custom(function = "validate_region_code"))]
    #[schema(pattern = r"^[0-9]{2}\.[0-9]{2}$")]
    pub region_code: String,
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64)]
    pub ormas_id: Option<String>,
    #[validate(length(min = 1, max = 300), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 300)]
    pub organisation_name: Option<String>,
    #[validate(length(min = 1, max = 500), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 500)]
    pub organisation_address: Option<String>,
    pub category: ComplaintCategory,
    pub source: ComplaintSource,
    /// Required when `source` is `agency_referral`.
    pub referring_agency: Option<Agency>,
    #[validate(length(min = 1, max = 5000), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 5000)]
    pub description: String,
    pub occurred_on: Option<NaiveDate>,
    #[validate(length(min = 1, max = 200), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 200)]
    pub reporter_name: Option<String>,
    #[validate(length(min = 1, max = 200), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 200)]
    pub reporter_contact: Option<String>,
}

impl From<PublicComplaintRequest> for FileComplaintRequest {
    fn from(p: PublicComplaintRequest) -> Self {
        FileComplaintRequest {
            region_code: p.region_code,
            ormas_id: p.ormas_id,
            organisation_name: p.organisation_name,
            organisation_address: p.organisation_address,
            category: p.category,
            source: ComplaintSource::Public,
            referring_agency: None,
            description: p.description,
            occurred_on: p.occurred_on,
            reporter_name: p.reporter_name,
            reporter_contact: p.reporter_contact,
        }
    }
}

/// What a complainant receives, once: the tracking code (it cannot be recovered).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"tracking_code": "7K3M-Q9ZD-2XWA-HB4E", "state": "received", "received_on": "2026-12-03"}))]
pub struct ComplaintReceipt {
    /// `XXXX-XXXX-XXXX-XXXX`; keep it: it is shown only now. Case and dashes do not matter.
    #[schema(pattern = "^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$")]
    pub tracking_code: String,
    pub state: ComplaintState,
    pub received_on: NaiveDate,
}

/// A complaint as its complainant may follow it: its state and dates only.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"state": "in_case", "received_on": "2026-12-03", "updated_on": "2026-12-05", "closed_on": null}))]
pub struct ComplaintTracking {
    pub state: ComplaintState,
    pub received_on: NaiveDate,
    pub updated_on: NaiveDate,
    /// The day it was dismissed, or the day its case was closed.
    #[schema(required = true)]
    pub closed_on: Option<NaiveDate>,
}

/// A complaint as staff see it. The reporter's name and contact are shown only to `oversight` and
/// `head` of the region (and every such answer is audited); for everyone else they are `null` and
/// `reporter_masked` is true.
#[derive(Debug, Serialize, ToSchema)]
pub struct Complaint {
    pub id: String,
    pub region_code: String,
    /// The registration it concerns, if registered.
    #[schema(required = true)]
    pub ormas_id: Option<String>,
    /// The registered ormas's name, or the organisation named in the complaint.
    #[schema(required = true)]
    pub organisation_name: Option<String>,
    #[schema(required = true)]
    pub organisation_address: Option<String>,
    pub category: ComplaintCategory,
    pub source: ComplaintSource,
    #[schema(required = true)]
    pub referring_agency: Option<Agency>,
    pub description: String,
    #[schema(required = true)]
    pub occurred_on: Option<NaiveDate>,
    #[schema(required = true)]
    pub reporter_name: Option<String>,
    #[schema(required = true)]
    pub reporter_contact: Option<String>,
    /// True when a reporter's name or contact exists but is withheld from this caller.
    pub reporter_masked: bool,
    pub state: ComplaintState,
    #[schema(required = true)]
    pub dismiss_reason: Option<String>,
    /// The day it was dismissed or sent to a case.
    #[schema(required = true)]
    pub decided_on: Option<NaiveDate>,
    #[schema(required = true)]
    pub case_id: Option<String>,
    /// Triage steps its state allows (`dismiss`, `open_case`).
    pub allowed_steps: Vec<String>,
    /// Photos and PDFs sent with it (empty in lists; read the complaint for them).
    pub attachments: Vec<ComplaintAttachment>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Complaint {
    /// The complaint, with the reporter shown only when `reveal`.
    pub fn build(
        row: ComplaintRow,
        ormas_name: Option<String>,
        reveal: bool,
    ) -> Result<Self, ApiError> {
        let state: ComplaintState = row.state.parse().map_err(ApiError::internal)?;
        let has_reporter = row.reporter_name.is_some() || row.reporter_contact.is_some();
        Ok(Complaint {
            id: row.id,
            region_code: row.region_code,
            ormas_id: row.registration_id,
            organisation_name: ormas_name.or(row.organisation_name),
            organisation_address: row.organisation_address,
            category: row.category.parse().map_err(ApiError::internal)?,
            source: row.source.parse().map_err(ApiError::internal)?,
            referring_agency: row
                .referring_agency
                .map(|a| a.parse())
                .transpose()
                .map_err(ApiError::internal)?,
            description: row.description,
            occurred_on: row.occurred_on,
            reporter_name: row.reporter_name.filter(|_| reveal),
            reporter_contact: row.reporter_contact.filter(|_| reveal),
            reporter_masked: has_reporter && !reveal,
            state,
            dismiss_reason: row.dismiss_reason,
            decided_on: row.decided_on,
            case_id: row.case_id,
            allowed_steps: allowed_complaint_steps(state)
                .iter()
                .map(|s| s.as_str().to_owned())
                .collect(),
            attachments: Vec::new(),
            version: row.version,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
        })
    }
}

/// A photo or PDF sent with a complaint (its bytes at `GET /v1/complaints/{id}/attachments/{attachment_id}`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ComplaintAttachment {
    pub id: String,
    pub filename: String,
    /// `application/pdf`, `image/jpeg` or `image/png`, from the file's bytes.
    pub content_type: String,
    pub size_bytes: i64,
    pub uploaded_at: DateTime<Utc>,
}

impl From<ComplaintAttachmentRow> for ComplaintAttachment {
    fn from(row: ComplaintAttachmentRow) -> Self {
        ComplaintAttachment {
            id: row.id,
            filename: row.filename,
            content_type: row.content_type,
            size_bytes: row.size_bytes,
            uploaded_at: utc(row.uploaded_at),
        }
    }
}

/// The multipart form of an attachment (for the contract; the handler reads the stream).
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct AttachmentUpload {
    /// PDF, JPEG or PNG.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

impl Resource for Complaint {
    fn location(&self) -> String {
        format!("/v1/complaints/{}", self.id)
    }

    fn version(&self) -> Option<i32> {
        Some(self.version)
    }
}

/// A page of complaints.
#[derive(Debug, Serialize, ToSchema)]
pub struct ComplaintPage {
    pub items: Vec<Complaint>,
    #[schema(required = true)]
    pub next_page_token: Option<String>,
}

/// Filters of the complaint list.
#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ComplaintQuery {
    /// Only this region's subtree (within the caller's scope; default: the caller's region).
    #[validate(custom(function = "validate_region_code"))]
    #[param(pattern = r"^[0-9]{2}(\.[0-9]{2}){0,2}$")]
    pub region: Option<String>,
    #[param(inline)]
    pub state: Option<ComplaintState>,
    #[param(inline)]
    pub category: Option<ComplaintCategory>,
    /// Only complaints about this registration.
    #[validate(length(min = 1, max = 64))]
    #[param(min_length = 1, max_length = 64)]
    pub ormas: Option<String>,
    /// 1 to 200 (default 50).
    #[validate(range(min = 1, max = 200))]
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub page_size: Option<i64>,
    /// The `next_page_token` of the previous page.
    #[param(pattern = "^(?:[2-6][0-9a-f]|7[0-9a-e]|1f){1,512}$")]
    pub page_token: Option<String>,
}

/// Dismiss a complaint.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Sama dengan pengaduan yang sudah ditangani dalam kasus lain."}))]
pub struct DismissRequest {
    /// Why it is not pursued (required).
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: Option<String>,
}

/// Send a complaint to a case: an existing case about the same ormas, or a new one.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"case_id": null, "title": "Penutupan jalan oleh Laskar Pemuda Sejahtera"}))]
pub struct OpenCaseRequest {
    /// An open case of the same ormas (or organisation) in the caller's scope; none: a new case.
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64)]
    pub case_id: Option<String>,
    /// The new case's title (default: from the complaint).
    #[validate(length(min = 1, max = 300), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 300)]
    pub title: Option<String>,
}

/// A new oversight case.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "region_code": "64.71",
    "ormas_id": "0193a7e4-0000-7000-8000-000000000001",
    "title": "Dugaan penyalahgunaan atribut Polri",
    "summary": "Rujukan Polres Balikpapan, 20 November 2026.",
    "lead_officer_id": null
}))]
pub struct CreateCaseRequest {
    /// Its kabupaten/kota (or province).
    #[validate(custom(function = "validate_region_code"))]
    #[schema(pattern = r"^[0-9]{2}(\.[0-9]{2})?$")]
    pub region_code: String,
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64)]
    pub ormas_id: Option<String>,
    #[validate(length(min = 1, max = 300), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 300)]
    pub organisation_name: Option<String>,
    #[validate(length(min = 1, max = 500), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 500)]
    pub organisation_address: Option<String>,
    #[validate(length(min = 1, max = 300), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 300)]
    pub title: String,
    #[validate(length(min = 1, max = 5000))]
    #[schema(min_length = 1, max_length = 5000)]
    pub summary: Option<String>,
    /// An account of the region (default: the caller).
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64)]
    pub lead_officer_id: Option<String>,
}

/// Changes to a case (absent fields stay).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"summary": "Klarifikasi pengurus dijadwalkan 10 Desember."}))]
pub struct UpdateCaseRequest {
    #[validate(length(min = 1, max = 300), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 300)]
    pub title: Option<String>,
    #[validate(length(min = 1, max = 5000))]
    #[schema(min_length = 1, max_length = 5000)]
    pub summary: Option<String>,
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64)]
    pub lead_officer_id: Option<String>,
}

/// A member of a case's team.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseMember {
    pub agency: Agency,
    #[validate(length(min = 1, max = 200), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// Rank or position in the agency.
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub position: Option<String>,
    /// The member's account here, if any (members from other agencies need none).
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64)]
    pub user_id: Option<String>,
}

impl From<CaseMemberRow> for CaseMember {
    fn from(row: CaseMemberRow) -> Self {
        CaseMember {
            agency: row.agency.parse().unwrap_or(Agency::Other),
            name: row.name,
            position: row.position,
            user_id: row.user_id,
        }
    }
}

/// The whole team of a case.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"members": [
    {"agency": "kesbangpol", "name": "Dra. Rina Wulandari", "position": "Kabid Ormas", "user_id": null},
    {"agency": "polri", "name": "AKP Hendra Saputra", "position": "Kasat Intelkam Polresta", "user_id": null}
]}))]
pub struct CaseMembersRequest {
    #[validate(length(max = 50), nested)]
    #[schema(max_items = 50)]
    pub members: Vec<CaseMember>,
}

/// The body of a case step: the outcome (required to recommend and to close) and a note.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"outcome": "written_warning", "note": "Terbukti memakai atribut menyerupai Polri."}))]
pub struct CaseStepRequest {
    pub outcome: Option<CaseOutcome>,
    #[validate(length(min = 1, max = 5000))]
    #[schema(min_length = 1, max_length = 5000)]
    pub note: Option<String>,
}

/// A complaint as a case lists it (no reporter).
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseComplaint {
    pub id: String,
    pub category: ComplaintCategory,
    pub source: ComplaintSource,
    #[schema(required = true)]
    pub occurred_on: Option<NaiveDate>,
    pub received_at: DateTime<Utc>,
}

/// An oversight case.
#[derive(Debug, Serialize, ToSchema)]
pub struct Case {
    pub id: String,
    pub region_code: String,
    #[schema(required = true)]
    pub ormas_id: Option<String>,
    #[schema(required = true)]
    pub organisation_name: Option<String>,
    #[schema(required = true)]
    pub organisation_address: Option<String>,
    pub title: String,
    #[schema(required = true)]
    pub summary: Option<String>,
    #[schema(required = true)]
    pub lead_officer_id: Option<String>,
    pub state: CaseState,
    #[schema(required = true)]
    pub recommended_outcome: Option<CaseOutcome>,
    #[schema(required = true)]
    pub outcome: Option<CaseOutcome>,
    #[schema(required = true)]
    pub closing_note: Option<String>,
    #[schema(required = true)]
    pub closed_on: Option<NaiveDate>,
    /// Steps its state allows (`investigate`, `recommend`, `close`).
    pub allowed_steps: Vec<String>,
    /// The complaints that led to it (empty in lists).
    pub complaints: Vec<CaseComplaint>,
    /// The team (empty in lists).
    pub members: Vec<CaseMember>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn outcome(code: Option<String>) -> Result<Option<CaseOutcome>, ApiError> {
    code.map(|c| c.parse())
        .transpose()
        .map_err(ApiError::internal)
}

impl Case {
    pub fn build(
        row: CaseRow,
        ormas_name: Option<String>,
        complaints: Vec<ComplaintRow>,
        members: Vec<CaseMemberRow>,
    ) -> Result<Self, ApiError> {
        let state: CaseState = row.state.parse().map_err(ApiError::internal)?;
        let complaints = complaints
            .into_iter()
            .map(|c| {
                Ok(CaseComplaint {
                    id: c.id,
                    category: c.category.parse().map_err(ApiError::internal)?,
                    source: c.source.parse().map_err(ApiError::internal)?,
                    occurred_on: c.occurred_on,
                    received_at: utc(c.created_at),
                })
            })
            .collect::<Result<Vec<_>, ApiError>>()?;
        Ok(Case {
            id: row.id,
            region_code: row.region_code,
            ormas_id: row.registration_id,
            organisation_name: ormas_name.or(row.organisation_name),
            organisation_address: row.organisation_address,
            title: row.title,
            summary: row.summary,
            lead_officer_id: row.lead_officer_id,
            state,
            recommended_outcome: outcome(row.recommended_outcome)?,
            outcome: outcome(row.outcome)?,
            closing_note: row.closing_note,
            closed_on: row.closed_on,
            allowed_steps: allowed_case_steps(state)
                .iter()
                .map(|s| s.as_str().to_owned())
                .collect(),
            complaints,
            members: members.into_iter().map(CaseMember::from).collect(),
            version: row.version,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
        })
    }
}

impl Resource for Case {
    fn location(&self) -> String {
        format!("/v1/oversight/cases/{}", self.id)
    }

    fn version(&self) -> Option<i32> {
        Some(self.version)
    }
}

/// A page of cases.
#[derive(Debug, Serialize, ToSchema)]
pub struct CasePage {
    pub items: Vec<Case>,
    #[schema(required = true)]
    pub next_page_token: Option<String>,
}

/// Filters of the case list.
#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseQuery {
    /// Only this region's subtree (within the caller's scope; default: the caller's region).
    #[validate(custom(function = "validate_region_code"))]
    #[param(pattern = r"^[0-9]{2}(\.[0-9]{2}){0,2}$")]
    pub region: Option<String>,
    #[param(inline)]
    pub state: Option<CaseState>,
    /// Only cases about this registration.
    #[validate(length(min = 1, max = 64))]
    #[param(min_length = 1, max_length = 64)]
    pub ormas: Option<String>,
    /// 1 to 200 (default 50).
    #[validate(range(min = 1, max = 200))]
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub page_size: Option<i64>,
    #[param(pattern = "^(?:[2-6][0-9a-f]|7[0-9a-e]|1f){1,512}$")]
    pub page_token: Option<String>,
}

/// One entry of a case's timeline.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseEvent {
    pub id: String,
    /// The account that acted.
    #[schema(required = true)]
    pub actor_id: Option<String>,
    pub at: DateTime<Utc>,
    /// `case.create`, `case.update`, `case.members`, `case.investigate`, `case.recommend`,
    /// `case.close`, `complaint.attach`.
    pub action: String,
    #[schema(required = true)]
    pub from_state: Option<CaseState>,
    #[schema(required = true)]
    pub to_state: Option<CaseState>,
    #[schema(required = true)]
    pub note: Option<String>,
}

impl CaseEvent {
    pub fn build(row: CaseEventRow) -> Self {
        CaseEvent {
            id: row.id,
            actor_id: row.actor_id,
            at: utc(row.at),
            action: row.action,
            from_state: row.from_state.and_then(|s| s.parse().ok()),
            to_state: row.to_state.and_then(|s| s.parse().ok()),
            note: row.note,
        }
    }
}

/// A case's timeline, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseHistory {
    pub items: Vec<CaseEvent>,
}
