//! Complaints: public intake with a tracking code, internal complaints and monitoring findings,
//! the staff list, and triage (dismiss, or send to a case).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use ormas_domain::Action;
use ormas_domain::oversight::{
    CaseState, ComplaintSource, ComplaintState, ComplaintStep, TRACKING_CODE_BYTES, TrackingCode,
    apply_complaint,
};
use ormas_persistence::audit::{self as audit_log, AuditRow};
use ormas_persistence::in_write_transaction;
use ormas_persistence::oversight::{
    self, CaseRow, ComplaintAttachmentRow, ComplaintFilter, ComplaintRow,
};

use super::dto::{
    Complaint, ComplaintPage, ComplaintQuery, ComplaintReceipt, ComplaintTracking, DismissRequest,
    FileComplaintRequest, OpenCaseRequest, PublicComplaintRequest,
};
use super::{
    COMPLAINT, Subject, case_event, check_subject, complaint_not_found, conflict, issue,
    list_region, refused, sees_identity,
};
use crate::audit::{self, Outcome};
use crate::auth::{Principal, random_bytes, token_hash};
use crate::clock::now_utc;
use crate::error::{ApiError, FieldIssue, Text};
use crate::extract::{OptionalJson, ValidJson, ValidQuery};
use crate::routes::ormas::documents::{file_response, receive_only_file, stored_path};
use crate::routes::paging;
use crate::routes::representation::represent_view_get;
use crate::routes::{IfMatch, IfNoneMatch, represent, represent_get, require_current_version};
use crate::state::AppState;

/// The audit row of a response that shows a complaint's reporter (UU 27/2022).
fn identity_read(principal: &Principal, row: &ComplaintRow) -> AuditRow {
    audit::on(
        audit::event(Some(principal), "complaint.read_identity", Outcome::Success),
        "complaint",
        &row.id,
        Some(&row.region_code),
    )
}

fn has_reporter(row: &ComplaintRow) -> bool {
    row.reporter_name.is_some() || row.reporter_contact.is_some()
}

/// Field issues the register cannot tell: the source's agency, a date in the future.
fn own_issues(request: &FileComplaintRequest, today: chrono::NaiveDate) -> Vec<FieldIssue> {
    let mut issues = Vec::new();
    let referral = request.source == ComplaintSource::AgencyReferral;
    if referral && request.referring_agency.is_none() {
        issues.push(issue(
            "referring_agency",
            "required",
            "instansi perujuk wajib diisi untuk rujukan instansi",
            "the referring agency is required for an agency referral",
        ));
    }
    if !referral && request.referring_agency.is_some() {
        issues.push(issue(
            "referring_agency",
            "not_a_referral",
            "hanya untuk sumber agency_referral",
            "only for the source agency_referral",
        ));
    }
    if request.occurred_on.is_some_and(|d| d > today) {
        issues.push(issue(
            "occurred_on",
            "in_the_future",
            "tidak boleh di masa depan",
            "must not be in the future",
        ));
    }
    issues
}

fn trimmed(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
}

/// Checks and stores a complaint; returns it with its tracking code (shown once).
async fn file(
    state: &AppState,
    principal: Option<&Principal>,
    request: FileComplaintRequest,
) -> Result<(ComplaintRow, Option<String>, TrackingCode), ApiError> {
    let today = state.config.today();
    let mut issues = own_issues(&request, today);
    let code = TrackingCode::from_bytes(&random_bytes::<TRACKING_CODE_BYTES>());
    let at = now_utc();
    let row = ComplaintRow {
        id: uuid::Uuid::now_v7().to_string(),
        tracking_hash: token_hash(code.normalised()),
        region_code: request.region_code.clone(),
        registration_id: request.ormas_id.clone(),
        organisation_name: trimmed(request.organisation_name),
        organisation_address: trimmed(request.organisation_address),
        category: request.category.as_str().to_owned(),
        source: request.source.as_str().to_owned(),
        referring_agency: request.referring_agency.map(|a| a.as_str().to_owned()),
        description: request.description.trim().to_owned(),
        occurred_on: request.occurred_on,
        reporter_name: trimmed(request.reporter_name),
        reporter_contact: trimmed(request.reporter_contact),
        state: ComplaintState::Received.as_str().to_owned(),
        dismiss_reason: None,
        decided_on: None,
        case_id: None,
        created_by: principal.map(|p| p.id.clone()),
        version: 1,
        created_at: at,
        updated_at: at,
    };
    let trail = audit::on(
        audit::event(principal, "complaint.file", Outcome::Success),
        "complaint",
        &row.id,
        Some(&row.region_code),
    );
    // Staff who may see reporters see what they filed; the answer is audited like any read.
    let read = principal
        .filter(|p| sees_identity(p, &row.region_code) && has_reporter(&row))
        .map(|p| identity_read(p, &row));
    let public = principal.is_none();
    let stored = row.clone();
    let outcome = state
        .db(move |conn| {
            in_write_transaction(conn, |conn| {
                let subject = Subject {
                    region_code: &stored.region_code,
                    ormas_id: stored.registration_id.as_deref(),
                    organisation_name: stored.organisation_name.as_deref(),
                    organisation_address: stored.organisation_address.as_deref(),
                    regency_only: true,
                    registered_only: public,
                };
                let (mut found, registration) = check_subject(conn, &subject)?;
                issues.append(&mut found);
                if !issues.is_empty() {
                    return Ok(Err(issues));
                }
                oversight::insert_complaint(conn, &stored)?;
                audit_log::record(conn, &trail)?;
                if let Some(read) = &read {
                    audit_log::record(conn, read)?;
                }
                let name = match registration {
                    Some(reg) => register_name(conn, &reg.organisation_id)?,
                    None => None,
                };
                Ok(Ok(name))
            })
        })
        .await?;
    let name = outcome.map_err(ApiError::validation)?;
    Ok((row, name, code))
}

fn register_name(
    conn: &mut ormas_persistence::AnyConnection,
    organisation_id: &str,
) -> ormas_persistence::PersistenceResult<Option<String>> {
    Ok(ormas_persistence::register::find_organisation(conn, organisation_id)?.map(|o| o.name))
}

/// File a complaint as a member of the public.
#[utoipa::path(
    tag = "oversight",
    operation_id = "filePublicComplaint",
    summary = "File a complaint (no account needed)",
    description = "A complaint about a registered ormas (its id on the public register) or about an \
organisation by name and address (unregistered ormas are overseen too), in a kabupaten/kota, in one \
of the categories of UU 16/2017 Ps 59 (`GET /v1/reference/complaint_categories`). The reporter's \
name and contact are optional and never shown to the public or the ormas. Answers 201 with a \
tracking code of 80 random bits, shown only this once: keep it to follow the complaint at \
`GET /v1/public/complaints/{tracking_code}`. Limited per client address \
(`ORMAS_RATE_LIMIT_COMPLAINTS_PER_HOUR`, default 5 an hour; 429 with `Retry-After`). Needs no \
authentication.",
    request_body(content = PublicComplaintRequest, content_type = "application/json"),
    security(()),
    responses(
        (status = 201, description = "Received; the tracking code is shown only now.", body = ComplaintReceipt),
        (status = 400, response = ormas_openapi::responses::MalformedJson),
        (status = 413, response = ormas_openapi::responses::PayloadTooLarge),
        (status = 415, response = ormas_openapi::responses::UnsupportedMediaType),
        (status = 422, description = "A field is invalid: an unknown category, a blank or too long description, a region that is not a kabupaten/kota, an unknown ormas, both or neither of `ormas_id` and `organisation_name`.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many complaints from this address.", body = ormas_openapi::Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u32, description = "Seconds until another complaint is accepted."))),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[post("/v1/public/complaints")]
pub async fn file_public_complaint(
    state: web::Data<AppState>,
    body: ValidJson<PublicComplaintRequest>,
) -> Result<HttpResponse, ApiError> {
    let (row, _, code) = file(&state, None, body.0.into()).await?;
    Ok(HttpResponse::Created().json(ComplaintReceipt {
        tracking_code: code.to_string(),
        state: ComplaintState::Received,
        received_on: row.created_at.date(),
    }))
}

/// Follow a complaint by its tracking code.
#[utoipa::path(
    tag = "oversight",
    operation_id = "trackPublicComplaint",
    summary = "Follow a complaint by its tracking code",
    description = "The complaint's state (`received`, `dismissed`, `in_case`) and dates only: never \
its notes, who handles it, the reporter or the description. Case and dashes of the code do not \
matter. A malformed and an unknown code get the same 404. Needs no authentication.",
    params(("tracking_code" = String, Path, description = "The code received when filing.", example = "7K3M-Q9ZD-2XWA-HB4E"), IfNoneMatch),
    security(()),
    responses(
        (status = 200, description = "The complaint's state.", body = ComplaintTracking, headers(("ETag" = String, description = "A digest of this representation."), ("Location" = String, description = "Its URL, with the code as it is printed (`XXXX-XXXX-XXXX-XXXX`)."))),
        (status = 304, response = ormas_openapi::responses::NotModified),
        (status = 404, description = "No complaint has this code.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests from this address.", body = ormas_openapi::Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u32, description = "Seconds until it may be tried again."))),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/public/complaints/{tracking_code}")]
pub async fn track_public_complaint(
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let typed = path.into_inner();
    let hash = tracking_hash(&typed);
    let found = state
        .db(move |conn| oversight::find_complaint_by_tracking_hash(conn, &hash))
        .await?;
    let (row, case_state, case_closed_on) = found.ok_or_else(unknown_code)?;
    let complaint_state: ComplaintState = row.state.parse().map_err(ApiError::internal)?;
    let closed_on = match complaint_state {
        ComplaintState::Dismissed => row.decided_on,
        ComplaintState::InCase if case_state.as_deref() == Some(CaseState::Closed.as_str()) => {
            case_closed_on
        }
        _ => None,
    };
    // A code that matched is well formed; it reads back as printed, whatever the case or dashes.
    let code = TrackingCode::parse(&typed).map_err(|_| unknown_code())?;
    represent_view_get(
        &req,
        format!("/v1/public/complaints/{code}"),
        &ComplaintTracking {
            state: complaint_state,
            received_on: row.created_at.date(),
            updated_on: row
                .updated_at
                .date()
                .max(case_closed_on.unwrap_or_default()),
            closed_on,
        },
    )
}

/// File an internal complaint or a monitoring finding.
#[utoipa::path(
    tag = "oversight",
    operation_id = "fileComplaint",
    summary = "File an internal complaint or monitoring finding",
    description = "A complaint's fields and its `source` (`public` for one received at the office, \
`monitoring`, `media`, `agency_referral` with the `referring_agency`), in a kabupaten/kota of the \
caller's scope. The reporter is shown only to `oversight` and `head` (and that answer is audited). \
Roles: `officer`, `oversight`.",
    request_body(content = FileComplaintRequest, content_type = "application/json"),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 201, description = "The complaint.", body = Complaint, headers(("ETag" = String, description = "Its version and a digest of this representation; send it back in `If-Match`."), ("Location" = String, description = "Its URL."))),
        (status = 400, response = ormas_openapi::responses::MalformedJson),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not file complaints, or the region is outside the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 413, response = ormas_openapi::responses::PayloadTooLarge),
        (status = 415, response = ormas_openapi::responses::UnsupportedMediaType),
        (status = 422, description = "A field is invalid.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[post("/v1/complaints")]
pub async fn file_complaint(
    state: web::Data<AppState>,
    principal: Principal,
    body: ValidJson<FileComplaintRequest>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::FileComplaint)?;
    let request = body.0;
    list_region(&principal, Some(request.region_code.clone()))?;
    let (row, name, _) = file(&state, Some(&principal), request).await?;
    let reveal = sees_identity(&principal, &row.region_code);
    represent(StatusCode::CREATED, &Complaint::build(row, name, reveal)?)
}

/// List complaints.
#[utoipa::path(
    tag = "oversight",
    operation_id = "listComplaints",
    summary = "List complaints",
    description = "Complaints in the caller's region subtree, ordered by region then id, filtered \
by state, category and ormas. Reporters are shown only to `oversight` and `head`, and every page \
that shows them is audited (one entry per complaint shown). Roles: staff within their region.",
    params(ComplaintQuery),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "One page.", body = ComplaintPage),
        (status = 400, description = "A query parameter is invalid.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not read complaints, or the region is outside the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/complaints")]
pub async fn list_complaints(
    state: web::Data<AppState>,
    principal: Principal,
    query: ValidQuery<ComplaintQuery>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::ReadComplaints)?;
    let query = query.0;
    let page_size = query.page_size.unwrap_or(50);
    let filter = ComplaintFilter {
        region: list_region(&principal, query.region)?,
        state: query.state.map(|s| s.as_str().to_owned()),
        category: query.category.map(|c| c.as_str().to_owned()),
        registration_id: query.ormas,
        after: query
            .page_token
            .as_deref()
            .map(paging::decode_pair)
            .transpose()?,
        limit: page_size + 1,
    };
    let rows = state
        .db(move |conn| oversight::list_complaints(conn, &filter))
        .await?;
    let (rows, next_page_token) = paging::split(rows, page_size, |(c, _)| {
        paging::pair(&c.region_code, &c.id)
    });
    let reads: Vec<AuditRow> = rows
        .iter()
        .filter(|(c, _)| sees_identity(&principal, &c.region_code) && has_reporter(c))
        .map(|(c, _)| identity_read(&principal, c))
        .collect();
    record_reads(&state, reads).await?;
    let items = rows
        .into_iter()
        .map(|(c, name)| {
            let reveal = sees_identity(&principal, &c.region_code);
            Complaint::build(c, name, reveal)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(ComplaintPage {
        items,
        next_page_token,
    }))
}

async fn record_reads(state: &AppState, reads: Vec<AuditRow>) -> Result<(), ApiError> {
    if reads.is_empty() {
        return Ok(());
    }
    state
        .db(move |conn| {
            in_write_transaction(conn, |conn| {
                for read in &reads {
                    audit_log::record(conn, read)?;
                }
                Ok(())
            })
        })
        .await
}

/// Loads a complaint the caller may see (staff in scope; others 404).
async fn load_visible_complaint(
    state: &AppState,
    principal: &Principal,
    id: String,
) -> Result<(ComplaintRow, Option<String>), ApiError> {
    principal.require(Action::ReadComplaints)?;
    let lookup = id.clone();
    state
        .db(move |conn| oversight::find_complaint(conn, &lookup))
        .await?
        .filter(|(c, _)| principal.covers(Some(&c.region_code)))
        .ok_or_else(|| complaint_not_found(&id))
}

/// Get a complaint.
#[utoipa::path(
    tag = "oversight",
    operation_id = "getComplaint",
    summary = "Get a complaint",
    description = "One complaint. The reporter is shown only to `oversight` and `head` of its \
region, and every such answer is audited; others see `reporter_masked: true`. Roles: staff within \
their region.",
    params(("id" = String, Path, description = "The complaint's id."), IfNoneMatch),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The complaint.", body = Complaint, headers(("ETag" = String, description = "Its version and a digest of this representation; send it back in `If-Match`."), ("Location" = String, description = "Its URL."))),
        (status = 304, response = ormas_openapi::responses::NotModified),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not read complaints.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such complaint in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/complaints/{id}")]
pub async fn get_complaint(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (row, name) = load_visible_complaint(&state, &principal, path.into_inner()).await?;
    let reveal = sees_identity(&principal, &row.region_code);
    if reveal && has_reporter(&row) {
        record_reads(&state, vec![identity_read(&principal, &row)]).await?;
    }
    let lookup = row.id.clone();
    let attachments = state
        .db(move |conn| oversight::attachments_of(conn, &lookup))
        .await?;
    let mut complaint = Complaint::build(row, name, reveal)?;
    complaint.attachments = attachments.into_iter().map(Into::into).collect();
    represent_get(&req, &complaint)
}

/// Most attachments one complaint may have.
pub const MAX_ATTACHMENTS: usize = 5;

fn attachments_dir(state: &AppState) -> std::path::PathBuf {
    state.config.data_dir.join("complaint-attachments")
}

fn unknown_code() -> ApiError {
    ApiError::not_found(Text::new(
        "Tidak ada pengaduan dengan kode ini.",
        "No complaint has this code.",
    ))
}

/// The hash a typed tracking code is looked up by; a malformed code is looked up too (as typed),
/// so that it takes as long as an unknown one.
fn tracking_hash(typed: &str) -> String {
    match TrackingCode::parse(typed) {
        Ok(code) => token_hash(code.normalised()),
        Err(_) => token_hash(typed),
    }
}

/// Attach a photo or PDF to one's complaint.
#[utoipa::path(
    tag = "oversight",
    operation_id = "attachToPublicComplaint",
    summary = "Attach a photo or PDF to a complaint",
    description = "`multipart/form-data` with `file`: PDF, JPEG or PNG, recognised by their bytes \
(anything else: 415), at most `ORMAS_DOCUMENT_LIMIT` (10 MB by default; 413 above), like documents. \
The tracking code is the complainant's only key: an unknown or malformed code is 404. At most 5 per \
complaint, while it is `received` (409 otherwise). Needs no authentication.",
    params(("tracking_code" = String, Path, description = "The code received when filing.", example = "7K3M-Q9ZD-2XWA-HB4E")),
    request_body(content = super::dto::AttachmentUpload, content_type = "multipart/form-data"),
    security(()),
    responses(
        (status = 201, description = "Stored.", body = super::dto::ComplaintAttachment),
        (status = 400, description = "The form cannot be read.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No complaint has this code.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The complaint has 5 attachments already, or is no longer `received`.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The file is over the size limit.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not multipart, or the file is not a PDF, JPEG or PNG.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 422, description = "No file was sent.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests from this address.", body = ormas_openapi::Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u32, description = "Seconds until it may be tried again."))),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[post("/v1/public/complaints/{tracking_code}/attachments")]
pub async fn attach_to_public_complaint(
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let hash = tracking_hash(&path.into_inner());
    let found = state
        .db(move |conn| oversight::find_complaint_by_tracking_hash(conn, &hash))
        .await?;
    let (complaint, _, _) = found.ok_or_else(unknown_code)?;
    let lookup = complaint.id.clone();
    let count = state
        .db(move |conn| oversight::attachments_of(conn, &lookup))
        .await?
        .len();
    if count >= MAX_ATTACHMENTS || complaint.state != ComplaintState::Received.as_str() {
        return Err(conflict(
            format!(
                "Pengaduan hanya dapat dilampiri paling banyak {MAX_ATTACHMENTS} berkas selama berstatus received."
            ),
            format!(
                "A complaint takes at most {MAX_ATTACHMENTS} attachments, while it is received."
            ),
        ));
    }
    let file = receive_only_file(&state, &req, payload, attachments_dir(&state)).await?;
    let row = ComplaintAttachmentRow {
        id: uuid::Uuid::now_v7().to_string(),
        complaint_id: complaint.id.clone(),
        filename: file.filename,
        content_type: file.content_type.to_owned(),
        size_bytes: i64::try_from(file.size).unwrap_or(i64::MAX),
        sha256: file.sha256,
        uploaded_at: now_utc(),
    };
    let trail = audit::on(
        audit::event(None, "complaint.attach_file", Outcome::Success),
        "complaint",
        &complaint.id,
        Some(&complaint.region_code),
    );
    let stored = row.clone();
    state
        .db(move |conn| {
            in_write_transaction(conn, |conn| {
                oversight::insert_attachment(conn, &stored)?;
                audit_log::record(conn, &trail)
            })
        })
        .await?;
    Ok(HttpResponse::Created().json(super::dto::ComplaintAttachment::from(row)))
}

/// Download a complaint's attachment.
#[utoipa::path(
    tag = "oversight",
    operation_id = "getComplaintAttachment",
    summary = "Download a complaint's attachment",
    description = "The file itself, with its checked content type. Roles: staff within their region.",
    params(
        ("id" = String, Path, description = "The complaint's id."),
        ("attachment_id" = String, Path, description = "The attachment's id."),
        IfNoneMatch,
    ),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The file, as an attachment with its checked type.", content(
            (ormas_openapi::File = "application/pdf"), (ormas_openapi::File = "image/jpeg"),
            (ormas_openapi::File = "image/png")),
            headers(("ETag" = String, description = "A digest of the file, its type and its name."))),
        (status = 304, response = ormas_openapi::responses::FileNotModified),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not read complaints.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such complaint or attachment in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/complaints/{id}/attachments/{attachment_id}")]
pub async fn get_complaint_attachment(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(String, String)>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (id, attachment_id) = path.into_inner();
    let (row, _) = load_visible_complaint(&state, &principal, id).await?;
    let attachments = state
        .db(move |conn| oversight::attachments_of(conn, &row.id))
        .await?;
    let attachment = attachments
        .into_iter()
        .find(|a| a.id == attachment_id)
        .ok_or_else(|| {
            ApiError::not_found(Text::new(
                format!("Lampiran {attachment_id} tidak ditemukan."),
                format!("No attachment {attachment_id}."),
            ))
        })?;
    let file = stored_path(&attachments_dir(&state), &attachment.sha256);
    file_response(
        &req,
        file,
        &attachment.sha256,
        &attachment.content_type,
        &attachment.filename,
    )
    .await
}

/// The complaint after a triage step, and what the step wrote.
struct Triage {
    updated: ComplaintRow,
    expected_version: i32,
    trail: AuditRow,
}

/// The common start of a triage step: the role, the complaint in scope, `If-Match`, the rule.
async fn triage(
    state: &AppState,
    principal: &Principal,
    id: String,
    req: &HttpRequest,
    step: ComplaintStep,
    reason: Option<&str>,
) -> Result<(Triage, Option<String>), ApiError> {
    principal.require(Action::TriageComplaint)?;
    let (row, name) = load_visible_complaint(state, principal, id).await?;
    require_current_version(req, row.version)?;
    let from: ComplaintState = row.state.parse().map_err(ApiError::internal)?;
    let to = apply_complaint(from, step, reason).map_err(|e| refused(COMPLAINT, e))?;
    let trail = audit::on(
        audit::event(
            Some(principal),
            &format!("complaint.{}", step.as_str()),
            Outcome::Success,
        ),
        "complaint",
        &row.id,
        Some(&row.region_code),
    );
    let updated = ComplaintRow {
        state: to.as_str().to_owned(),
        decided_on: Some(state.config.today()),
        version: row.version + 1,
        updated_at: now_utc(),
        ..row.clone()
    };
    Ok((
        Triage {
            updated,
            expected_version: row.version,
            trail,
        },
        name,
    ))
}

/// Dismiss a complaint.
#[utoipa::path(
    tag = "oversight",
    operation_id = "dismissComplaint",
    summary = "Dismiss a complaint",
    description = "From `received` to `dismissed`, with the reason (required); the complainant's \
tracking answer shows it closed, never the reason. The answer masks the reporter (read the \
complaint to see it). Roles: `oversight`, `head`.",
    params(("id" = String, Path, description = "The complaint's id."), IfMatch),
    request_body(content = DismissRequest, content_type = "application/json"),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The complaint, dismissed.", body = Complaint, headers(("ETag" = String, description = "Its version and a digest of this representation; send it back in `If-Match`."), ("Location" = String, description = "Its URL."))),
        (status = 400, response = ormas_openapi::responses::MalformedJson),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not triage complaints.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such complaint in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Only a received complaint can be dismissed; or it changed meanwhile.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 413, response = ormas_openapi::responses::PayloadTooLarge),
        (status = 415, response = ormas_openapi::responses::UnsupportedMediaType),
        (status = 422, description = "The reason is missing.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[post("/v1/complaints/{id}/dismiss")]
pub async fn dismiss_complaint(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
    body: OptionalJson<DismissRequest>,
) -> Result<HttpResponse, ApiError> {
    let reason = body.0.reason.map(|r| r.trim().to_owned());
    let (mut triage, name) = triage(
        &state,
        &principal,
        path.into_inner(),
        &req,
        ComplaintStep::Dismiss,
        reason.as_deref(),
    )
    .await?;
    triage.updated.dismiss_reason = reason;
    let Triage {
        updated,
        expected_version,
        trail,
    } = triage;
    let stored = updated.clone();
    state
        .db(move |conn| {
            in_write_transaction(conn, |conn| {
                oversight::update_complaint(conn, &stored, expected_version)?;
                audit_log::record(conn, &trail)?;
                Ok(())
            })
        })
        .await?;
    represent(StatusCode::OK, &Complaint::build(updated, name, false)?)
}

/// What attaching a complaint to a case may find wrong.
enum Refusal {
    UnknownCase,
    Closed,
    OtherSubject,
}

/// Whether a case concerns what a complaint concerns.
fn same_subject(case: &CaseRow, complaint: &ComplaintRow) -> bool {
    match (&case.registration_id, &complaint.registration_id) {
        (Some(a), Some(b)) => a == b,
        (None, None) => case
            .organisation_name
            .as_deref()
            .zip(complaint.organisation_name.as_deref())
            .is_some_and(|(a, b)| a.trim().eq_ignore_ascii_case(b.trim())),
        _ => false,
    }
}

/// Send a complaint to a case.
#[utoipa::path(
    tag = "oversight",
    operation_id = "openCaseFromComplaint",
    summary = "Open a case from a complaint, or attach it to one",
    description = "From `received` to `in_case`. With `case_id`: attaches the complaint to that case, \
which must concern the same ormas (or organisation), lie in the caller's scope and not be closed. \
Without: opens a new case (state `open`, led by the caller) about what the complaint concerns. Both \
are written to the case's timeline. The answer masks the reporter. Roles: `oversight`, `head`.",
    params(("id" = String, Path, description = "The complaint's id."), IfMatch),
    request_body(content = Option<OpenCaseRequest>, content_type = "application/json", description = "Optional: no body is `{}` (a new case)."),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The complaint, with its case.", body = Complaint, headers(("ETag" = String, description = "Its version and a digest of this representation; send it back in `If-Match`."), ("Location" = String, description = "Its URL."))),
        (status = 400, response = ormas_openapi::responses::MalformedJson),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not triage complaints.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such complaint in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Only a received complaint can be sent to a case; the case is closed or concerns another ormas; or it changed meanwhile.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 413, response = ormas_openapi::responses::PayloadTooLarge),
        (status = 415, response = ormas_openapi::responses::UnsupportedMediaType),
        (status = 422, description = "No such case in the caller's scope, or the body is invalid.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[post("/v1/complaints/{id}/open-case")]
pub async fn open_case(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
    body: OptionalJson<OpenCaseRequest>,
) -> Result<HttpResponse, ApiError> {
    let request = body.0;
    let (triage, name) = triage(
        &state,
        &principal,
        path.into_inner(),
        &req,
        ComplaintStep::OpenCase,
        None,
    )
    .await?;
    let Triage {
        mut updated,
        expected_version,
        trail,
    } = triage;
    let at = now_utc();
    let title = request
        .title
        .map(|t| t.trim().to_owned())
        .unwrap_or_else(|| {
            let about = name
                .clone()
                .or_else(|| updated.organisation_name.clone())
                .unwrap_or_default();
            format!("Pengaduan {}: {about}", updated.category)
        });
    let new_case = CaseRow {
        id: uuid::Uuid::now_v7().to_string(),
        region_code: updated.region_code.clone(),
        registration_id: updated.registration_id.clone(),
        organisation_name: updated.organisation_name.clone(),
        organisation_address: updated.organisation_address.clone(),
        title,
        summary: None,
        lead_officer_id: Some(principal.id.clone()),
        state: CaseState::Open.as_str().to_owned(),
        recommended_outcome: None,
        outcome: None,
        closing_note: None,
        closed_on: None,
        created_by: Some(principal.id.clone()),
        version: 1,
        created_at: at,
        updated_at: at,
    };
    let scope = principal.clone();
    let complaint = updated.clone();
    let case_id = state
        .db(move |conn| {
            in_write_transaction(conn, |conn| {
                let mut complaint = complaint;
                let case = match &request.case_id {
                    Some(id) => {
                        let Some((case, _)) = oversight::find_case(conn, id)?
                            .filter(|(c, _)| scope.covers(Some(&c.region_code)))
                        else {
                            return Ok(Err(Refusal::UnknownCase));
                        };
                        if case.state == CaseState::Closed.as_str() {
                            return Ok(Err(Refusal::Closed));
                        }
                        if !same_subject(&case, &complaint) {
                            return Ok(Err(Refusal::OtherSubject));
                        }
                        case
                    }
                    None => {
                        oversight::insert_case(conn, &new_case)?;
                        oversight::insert_case_event(
                            conn,
                            &case_event(
                                &scope,
                                &new_case.id,
                                "case.create",
                                (None, Some(CaseState::Open.as_str())),
                                None,
                            ),
                        )?;
                        audit_log::record(
                            conn,
                            &audit::on(
                                audit::event(Some(&scope), "case.create", Outcome::Success),
                                "case",
                                &new_case.id,
                                Some(&new_case.region_code),
                            ),
                        )?;
                        new_case
                    }
                };
                complaint.case_id = Some(case.id.clone());
                oversight::update_complaint(conn, &complaint, expected_version)?;
                oversight::insert_case_event(
                    conn,
                    &case_event(
                        &scope,
                        &case.id,
                        "complaint.attach",
                        (None, None),
                        Some(complaint.id.clone()),
                    ),
                )?;
                audit_log::record(conn, &trail)?;
                Ok(Ok(case.id))
            })
        })
        .await?
        .map_err(|refusal| match refusal {
            Refusal::UnknownCase => ApiError::validation(vec![issue(
                "case_id",
                "unknown_case",
                "tidak ada kasus dengan id ini di wilayah Anda",
                "no case with this id in your scope",
            )]),
            Refusal::Closed => conflict(
                "Kasus itu sudah ditutup; pengaduan tidak dapat dilampirkan.".into(),
                "That case is closed; a complaint cannot be attached to it.".into(),
            ),
            Refusal::OtherSubject => conflict(
                "Kasus itu mengenai ormas lain; lampirkan hanya pada kasus ormas yang sama.".into(),
                "That case concerns another ormas; attach only to a case of the same ormas.".into(),
            ),
        })?;
    updated.case_id = Some(case_id);
    represent(StatusCode::OK, &Complaint::build(updated, name, false)?)
}
