//! The steps of a thread: a reply (the asker's or the office's), the asker's close, and the
//! assignment to an officer. The rule is `ormas_domain::consultations::apply` over the state as of
//! today (an automatically closed thread takes no more replies).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, post, put, web};
use ormas_domain::consultations::{
    ConsultationError, ConsultationEvent, ConsultationSide, ConsultationState, apply,
};
use ormas_domain::{Action, RegionCode, Role, Scope, allows, working_days_between};
use ormas_persistence::audit as audit_log;
use ormas_persistence::consultations::{
    self, ConsultationAttachmentRow, ConsultationEventRow, ConsultationMessageRow, ConsultationRow,
};
use ormas_persistence::{identity, in_write_transaction, reference};

use super::dto::{Assignment, CloseConsultation, Consultation, NewMessage};
use super::{check_attachments, event_row, load_visible, store_attachments};
use crate::audit::{self, Outcome};
use crate::auth::Principal;
use crate::clock::now_utc;
use crate::error::{ApiError, ErrorKind, FieldIssue, Text};
use crate::extract::{OptionalJson, ValidJson};
use crate::routes::{
    IfMatch, RequiredIfMatch, represent, require_current_version, require_matching_version,
};
use crate::state::AppState;

fn closed() -> ApiError {
    ApiError::new(ErrorKind::Conflict).with_detail(Text::new(
        "Konsultasi ini sudah ditutup; buka konsultasi baru.",
        "This consultation is closed; open a new one.",
    ))
}

fn refused(error: ConsultationError) -> ApiError {
    match error {
        ConsultationError::Closed => closed(),
    }
}

/// What a step writes: the thread as changed, and what it appends.
struct Write {
    updated: ConsultationRow,
    expected: i32,
    message: Option<ConsultationMessageRow>,
    attachments: Vec<ConsultationAttachmentRow>,
    event: ConsultationEventRow,
    audit_action: &'static str,
    /// Set the first answer's working days inside the transaction (the calendar is read there).
    first_answer: bool,
}

/// Saves a step in one transaction (the versioned update, the message, its attachments, the
/// event, the audit row) and answers the thread as it now is.
async fn save(
    state: &AppState,
    principal: &Principal,
    ormas_name: Option<String>,
    write: Write,
    status: StatusCode,
) -> Result<HttpResponse, ApiError> {
    let trail = audit::on(
        audit::event(Some(principal), write.audit_action, Outcome::Success),
        "consultation",
        &write.updated.id,
        Some(&write.updated.region_code),
    );
    let (row, thread) = state
        .db(move |conn| {
            in_write_transaction(conn, |conn| {
                let mut updated = write.updated;
                if write.first_answer
                    && let Some(answered) = updated.first_answered_on
                {
                    let calendar = reference::holiday_calendar_from(conn, updated.opened_on)?;
                    let days = working_days_between(updated.opened_on, answered, &calendar);
                    updated.first_answer_working_days =
                        Some(days.clamp(0, i64::from(i32::MAX)) as i32);
                }
                consultations::update_consultation(conn, &updated, write.expected)?;
                consultations::append(
                    conn,
                    write.message.as_ref(),
                    &write.attachments,
                    &write.event,
                )?;
                audit_log::record(conn, &trail)?;
                let thread = consultations::thread_of(conn, &updated.id)?;
                Ok((updated, thread))
            })
        })
        .await?;
    let policy = state.config.consultations;
    let view = Consultation::build(&row, ormas_name, &thread, &policy, state.config.today())?;
    represent(status, &view)
}

/// Reply in a consultation.
#[utoipa::path(
    tag = "consultations",
    operation_id = "postConsultationMessage",
    summary = "Reply in a consultation",
    description = "Appends a message with up to five attachments (PDF, JPEG or PNG judged by \
their bytes, base64). The office's reply (`officer`, `head`) makes the thread `answered` (the \
first one records the service level); the asker's reply (`ormas_rep`) makes it `open` again. A \
closed thread, including one closed automatically, takes no replies (409). Roles: `ormas_rep` \
(its own threads), `officer` and `head` (within their region).",
    params(("id" = String, Path, description = "The consultation's id."), IfMatch),
    request_body(content = NewMessage, content_type = "application/json"),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 201, description = "The thread with the new message.", body = Consultation, headers(("ETag" = String, description = "Its version and a digest of this representation; send it back in `If-Match`."), ("Location" = String, description = "The thread's URL."))),
        (status = 400, description = "The body is not valid JSON, or `If-Match` is malformed.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may neither ask nor answer.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such consultation in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The thread is closed, or changed meanwhile.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 413, response = ormas_openapi::responses::PayloadTooLarge),
        (status = 415, response = ormas_openapi::responses::UnsupportedMediaType),
        (status = 422, description = "A field is invalid, or an attachment is not valid base64, too large, or no PDF, JPEG or PNG.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[post("/v1/consultations/{id}/messages")]
pub async fn post_message(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
    body: ValidJson<NewMessage>,
) -> Result<HttpResponse, ApiError> {
    let side = if allows(principal.role, Action::AskConsultation) {
        ConsultationSide::Asker
    } else {
        principal.require(Action::AnswerConsultation)?;
        ConsultationSide::Office
    };
    let (row, name) = load_visible(&state, &principal, path.into_inner()).await?;
    require_current_version(&req, row.version)?;
    let request = body.0;
    let checked = check_attachments(&request.attachments, state.config.document_limit)?;
    let today = state.config.today();
    let policy = state.config.consultations;
    let (current, _) = policy.state_on(row.state()?, row.last_answered_on, today);
    let event = match side {
        ConsultationSide::Asker => ConsultationEvent::AskerReplies,
        ConsultationSide::Office => ConsultationEvent::OfficeReplies,
    };
    let next = apply(current, event).map_err(refused)?;
    let at = now_utc();
    let message = ConsultationMessageRow {
        id: uuid::Uuid::now_v7().to_string(),
        consultation_id: row.id.clone(),
        side: side.as_str().to_owned(),
        author_id: Some(principal.id.clone()),
        author_name: principal.name.clone(),
        body: request.body.trim().to_owned(),
        created_at: at,
    };
    let attachments = store_attachments(&state, checked, &row.id, &message.id, at).await?;
    let mut updated = ConsultationRow {
        state: next.as_str().to_owned(),
        last_message_at: at,
        message_count: row.message_count + 1,
        version: row.version + 1,
        updated_at: at,
        ..row.clone()
    };
    let mut first_answer = false;
    if side == ConsultationSide::Office {
        updated.last_answered_on = Some(today);
        if updated.first_answered_on.is_none() {
            updated.first_answered_on = Some(today);
            updated.first_answered_at = Some(at);
            first_answer = true;
        }
    }
    let action = match side {
        ConsultationSide::Asker => "asker_replied",
        ConsultationSide::Office => "office_replied",
    };
    let write = Write {
        event: event_row(&principal, &row.id, action, None, at),
        updated,
        expected: row.version,
        message: Some(message),
        attachments,
        audit_action: match side {
            ConsultationSide::Asker => "consultation.reply",
            ConsultationSide::Office => "consultation.answer",
        },
        first_answer,
    };
    save(&state, &principal, name, write, StatusCode::CREATED).await
}

/// Close a consultation.
#[utoipa::path(
    tag = "consultations",
    operation_id = "closeConsultation",
    summary = "Close a consultation",
    description = "The asker closes the thread (from `open` or `answered`), with an optional note. \
A thread also reads closed on its own `ORMAS_CONSULTATION_AUTO_CLOSE_DAYS` (default 14) days \
after an answer the asker did not reply to; closing it again is a 409. Roles: `ormas_rep` (its own \
threads).",
    params(("id" = String, Path, description = "The consultation's id."), IfMatch),
    request_body(content = Option<CloseConsultation>, content_type = "application/json", description = "Optional: no body, or an empty one, is `{}`."),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The closed thread.", body = Consultation, headers(("ETag" = String, description = "Its version and a digest of this representation; send it back in `If-Match`."), ("Location" = String, description = "Its URL."))),
        (status = 400, description = "The body is not valid JSON, or `If-Match` is malformed.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "Only the asker closes.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such consultation in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The thread is already closed, or changed meanwhile.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 413, response = ormas_openapi::responses::PayloadTooLarge),
        (status = 415, response = ormas_openapi::responses::UnsupportedMediaType),
        (status = 422, description = "The note is invalid.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[post("/v1/consultations/{id}/close")]
pub async fn close_consultation(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
    body: OptionalJson<CloseConsultation>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::AskConsultation)?;
    let (row, name) = load_visible(&state, &principal, path.into_inner()).await?;
    require_current_version(&req, row.version)?;
    let today = state.config.today();
    let policy = state.config.consultations;
    let (current, _) = policy.state_on(row.state()?, row.last_answered_on, today);
    let next = apply(current, ConsultationEvent::AskerCloses).map_err(refused)?;
    let at = now_utc();
    let updated = ConsultationRow {
        state: next.as_str().to_owned(),
        closed_on: Some(today),
        closed_by: Some(principal.id.clone()),
        version: row.version + 1,
        updated_at: at,
        ..row.clone()
    };
    let note = body.0.note.map(|n| n.trim().to_owned());
    let write = Write {
        event: event_row(&principal, &row.id, "closed", note, at),
        updated,
        expected: row.version,
        message: None,
        attachments: Vec::new(),
        audit_action: "consultation.close",
        first_answer: false,
    };
    save(&state, &principal, name, write, StatusCode::OK).await
}

fn not_an_officer() -> ApiError {
    ApiError::validation(vec![FieldIssue::new(
        "officer_id",
        "not_an_officer_of_the_office",
        Text::new(
            "bukan akun petugas (officer) aktif yang wilayahnya mencakup kantor konsultasi ini",
            "is not an active officer whose region covers this consultation's office",
        ),
    )])
}

/// Assign a consultation.
#[utoipa::path(
    tag = "consultations",
    operation_id = "assignConsultation",
    summary = "Assign a consultation to an officer",
    description = "Names the officer who answers the thread: an active `officer` account whose \
region covers the thread's office (422 otherwise). Replaces an earlier assignment; a closed thread \
cannot be assigned (409). `If-Match` is required. Roles: `officer`, `head` (within their region).",
    params(("id" = String, Path, description = "The consultation's id."), RequiredIfMatch),
    request_body(content = Assignment, content_type = "application/json"),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The thread as assigned.", body = Consultation, headers(("ETag" = String, description = "Its version and a digest of this representation; send it back in `If-Match`."), ("Location" = String, description = "Its URL."))),
        (status = 400, description = "The body is not valid JSON, or `If-Match` is malformed.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not answer consultations.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such consultation in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The thread is closed, or changed meanwhile.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 428, response = ormas_openapi::responses::PreconditionRequired),
        (status = 413, response = ormas_openapi::responses::PayloadTooLarge),
        (status = 415, response = ormas_openapi::responses::UnsupportedMediaType),
        (status = 422, description = "The account is no active officer of a region covering the thread's office.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[put("/v1/consultations/{id}/assignment")]
pub async fn assign_consultation(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
    body: ValidJson<Assignment>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::AnswerConsultation)?;
    let (row, name) = load_visible(&state, &principal, path.into_inner()).await?;
    require_matching_version(&req, row.version)?;
    let today = state.config.today();
    let policy = state.config.consultations;
    let (current, _) = policy.state_on(row.state()?, row.last_answered_on, today);
    if current == ConsultationState::Closed {
        return Err(closed());
    }
    let officer_id = body.0.officer_id;
    let lookup = officer_id.clone();
    let officer = state
        .db(move |conn| identity::find_user(conn, &lookup))
        .await?;
    let thread_region = RegionCode::parse(&row.region_code).map_err(ApiError::internal)?;
    let covers = officer.as_ref().is_some_and(|user| {
        user.active
            && user.role == Role::Officer.as_str()
            && user
                .region_code
                .as_deref()
                .and_then(|code| RegionCode::parse(code).ok())
                .is_some_and(|code| Scope::Region(code).covers(&thread_region))
    });
    if !covers {
        return Err(not_an_officer());
    }
    let at = now_utc();
    let updated = ConsultationRow {
        assigned_to: Some(officer_id.clone()),
        version: row.version + 1,
        updated_at: at,
        ..row.clone()
    };
    let write = Write {
        event: event_row(&principal, &row.id, "assigned", Some(officer_id), at),
        updated,
        expected: row.version,
        message: None,
        attachments: Vec::new(),
        audit_action: "consultation.assign",
        first_answer: false,
    };
    save(&state, &principal, name, write, StatusCode::OK).await
}
