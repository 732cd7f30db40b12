//! Opening, reading and listing consultations, and their attachments' bytes.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use ormas_domain::consultations::{ConsultationSide, ConsultationState};
use ormas_domain::{Action, Role};
use ormas_persistence::audit as audit_log;
use ormas_persistence::consultations::{
    self, Asker, ConsultationFilter, ConsultationMessageRow, ConsultationRow,
};
use ormas_persistence::{in_write_transaction, reference, register};

use super::dto::{
    Consultation, ConsultationPage, ConsultationQuery, ConsultationSummary, OpenConsultation,
};
use super::{check_attachments, documents_root, event_row, load_visible, store_attachments};
use crate::audit::{self, Outcome};
use crate::auth::Principal;
use crate::clock::now_utc;
use crate::error::{ApiError, FieldIssue, Text};
use crate::extract::{ValidJson, ValidQuery};
use crate::routes::ormas::documents::{file_response, stored_path};
use crate::routes::{IfNoneMatch, paging, represent, represent_get};
use crate::state::AppState;

fn region_issue(code: &str, id: &str, en: &str) -> ApiError {
    ApiError::validation(vec![FieldIssue::new("region", code, Text::new(id, en))])
}

/// Open a consultation.
#[utoipa::path(
    tag = "consultations",
    operation_id = "openConsultation",
    summary = "Open a consultation",
    description = "Opens a question-and-answer thread with the office: a topic from \
`GET /v1/reference/consultation_topics`, a subject, the first message and up to five attachments \
(PDF, JPEG or PNG judged by their bytes, base64). A representative bound to an ormas asks the \
office of its registration's region; an account bound to none (a person forming an ormas) names \
the office's `region`. The first answer is due `ORMAS_CONSULTATION_FIRST_ANSWER_DAYS` (default 3) \
working days later, skipping weekends, holidays and cuti bersama. Consultations are not refused \
for sanctions. Roles: `ormas_rep`.",
    request_body(content = OpenConsultation, content_type = "application/json"),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 201, description = "The new thread.", body = Consultation, headers(("ETag" = String, description = "Its version and a digest of this representation; send it back in `If-Match`."), ("Location" = String, description = "Its URL."))),
        (status = 400, response = ormas_openapi::responses::MalformedJson),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not ask.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 413, response = ormas_openapi::responses::PayloadTooLarge),
        (status = 415, response = ormas_openapi::responses::UnsupportedMediaType),
        (status = 422, description = "A field is invalid, the region is missing, unknown or not the ormas's own, or an attachment is not valid base64, too large, or no PDF, JPEG or PNG.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[post("/v1/consultations")]
pub async fn open_consultation(
    state: web::Data<AppState>,
    principal: Principal,
    body: ValidJson<OpenConsultation>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::AskConsultation)?;
    let request = body.0;
    let checked = check_attachments(&request.attachments, state.config.document_limit)?;
    let (registration_id, region_code, ormas_name) = match principal.ormas_id.clone() {
        Some(ormas_id) => {
            let lookup = ormas_id.clone();
            let found = state
                .db(move |conn| register::find_registration(conn, &lookup))
                .await?;
            let Some((reg, org)) = found else {
                return Err(ApiError::forbidden(Text::new(
                    "Akun ini terikat pada ormas yang tidak ada lagi.",
                    "This account is bound to an ormas that no longer exists.",
                )));
            };
            if request
                .region
                .as_ref()
                .is_some_and(|r| r != &reg.region_code)
            {
                return Err(region_issue(
                    "not_own_region",
                    &format!(
                        "ormas Anda terdaftar di {}; kosongkan atau isi itu",
                        reg.region_code
                    ),
                    &format!(
                        "your ormas is registered in {}; omit it or give that",
                        reg.region_code
                    ),
                ));
            }
            (Some(reg.id), reg.region_code, Some(org.name))
        }
        None => {
            let Some(region) = request.region.clone() else {
                return Err(region_issue(
                    "required",
                    "wajib diisi: wilayah kantor yang ditanya",
                    "required: the region of the office asked",
                ));
            };
            let lookup = region.clone();
            let known = state
                .db(move |conn| reference::find_region(conn, &lookup))
                .await?;
            if known.is_none() {
                return Err(region_issue(
                    "unknown_region",
                    "wilayah tidak dikenal",
                    "is not a known region",
                ));
            }
            (None, region, None)
        }
    };
    let today = state.config.today();
    let policy = state.config.consultations;
    let at = now_utc();
    let id = uuid::Uuid::now_v7().to_string();
    let message = ConsultationMessageRow {
        id: uuid::Uuid::now_v7().to_string(),
        consultation_id: id.clone(),
        side: ConsultationSide::Asker.as_str().to_owned(),
        author_id: Some(principal.id.clone()),
        author_name: principal.name.clone(),
        body: request.message.trim().to_owned(),
        created_at: at,
    };
    let attachments = store_attachments(&state, checked, &id, &message.id, at).await?;
    let mut row = ConsultationRow {
        id: id.clone(),
        region_code,
        registration_id,
        asker_id: principal.id.clone(),
        topic: request.topic.as_str().to_owned(),
        subject: request.subject.trim().to_owned(),
        state: ConsultationState::Open.as_str().to_owned(),
        opened_on: today,
        first_answer_due_on: today,
        first_answered_at: None,
        first_answered_on: None,
        first_answer_working_days: None,
        last_answered_on: None,
        last_message_at: at,
        message_count: 1,
        assigned_to: None,
        closed_on: None,
        closed_by: None,
        version: 1,
        created_at: at,
        updated_at: at,
    };
    let event = event_row(&principal, &id, "opened", None, at);
    let trail = audit::on(
        audit::event(Some(&principal), "consultation.open", Outcome::Success),
        "consultation",
        &id,
        Some(&row.region_code),
    );
    let saved = state
        .db(move |conn| {
            in_write_transaction(conn, |conn| {
                let calendar = reference::holiday_calendar_from(conn, today)?;
                row.first_answer_due_on =
                    policy.first_answer_due_on(today, &calendar).map_err(|_| {
                        ormas_persistence::PersistenceError::Refused(
                            "first answer due day out of range",
                        )
                    })?;
                consultations::insert_consultation(conn, &row)?;
                consultations::append(conn, Some(&message), &attachments, &event)?;
                audit_log::record(conn, &trail)?;
                let thread = consultations::thread_of(conn, &row.id)?;
                Ok((row, thread))
            })
        })
        .await?;
    let (row, thread) = saved;
    let view = Consultation::build(&row, ormas_name, &thread, &policy, today)?;
    represent(StatusCode::CREATED, &view)
}

/// The consultation queue.
#[utoipa::path(
    tag = "consultations",
    operation_id = "listConsultations",
    summary = "The consultation queue",
    description = "Threads in the caller's region subtree (default: the caller's region), ordered \
by office region then id (oldest first), filtered by the state as of today (`closed` includes the \
threads that closed automatically), `overdue` (no first answer by its due day), `assigned_to` and \
`topic`. Roles: staff within their region; a representative sees only its own ormas's threads (an \
unbound one, the threads it opened). Integrators: 403.",
    params(ConsultationQuery),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "One page.", body = ConsultationPage),
        (status = 400, description = "A query parameter is invalid.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not read consultations, or the region is outside the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/consultations")]
pub async fn list_consultations(
    state: web::Data<AppState>,
    principal: Principal,
    query: ValidQuery<ConsultationQuery>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::ReadConsultations)?;
    let query = query.0;
    let representative = principal.role == Role::OrmasRep;
    let region = match query.region.clone() {
        Some(region) if representative || principal.covers(Some(&region)) => Some(region),
        Some(_) => {
            return Err(ApiError::forbidden(Text::new(
                "Wilayah itu berada di luar wilayah kewenangan Anda.",
                "That region lies outside your scope.",
            )));
        }
        None => principal.region(),
    };
    let asker = representative.then(|| match &principal.ormas_id {
        Some(ormas) => Asker::Ormas(ormas.clone()),
        None => Asker::Person(principal.id.clone()),
    });
    let page_size = query.page_size.unwrap_or(50);
    let after = query
        .page_token
        .as_deref()
        .map(paging::decode_pair)
        .transpose()?;
    let today = state.config.today();
    let policy = state.config.consultations;
    let filter = ConsultationFilter {
        region,
        asker,
        state: query.state,
        overdue: query.overdue,
        assigned_to: query.assigned_to,
        topic: query.topic.map(|t| t.as_str().to_owned()),
        today,
        auto_close_cutoff: policy.auto_close_cutoff(today),
        after,
        limit: page_size + 1,
    };
    let rows = state
        .db(move |conn| consultations::list_consultations(conn, &filter))
        .await?;
    let (rows, next) = paging::split(rows, page_size, |(r, _)| {
        paging::pair(&r.region_code, &r.id)
    });
    let items = rows
        .into_iter()
        .map(|(row, name)| ConsultationSummary::build(&row, name, &policy, today))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(ConsultationPage {
        items,
        next_page_token: next,
    }))
}

/// Get a consultation.
#[utoipa::path(
    tag = "consultations",
    operation_id = "getConsultation",
    summary = "Get a consultation with its messages",
    description = "One thread with its messages (and their attachments), events, state as of \
today and service level. Roles: staff within their region; a representative, its own ormas's \
threads. Integrators: 403.",
    params(("id" = String, Path, description = "The consultation's id."), IfNoneMatch),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The thread.", body = Consultation, headers(("ETag" = String, description = "Its version and a digest of this representation; send it back in `If-Match`."), ("Location" = String, description = "Its URL."))),
        (status = 304, response = ormas_openapi::responses::NotModified),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not read consultations.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such consultation in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/consultations/{id}")]
pub async fn get_consultation(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (row, name) = load_visible(&state, &principal, path.into_inner()).await?;
    let id = row.id.clone();
    let thread = state
        .db(move |conn| consultations::thread_of(conn, &id))
        .await?;
    let policy = state.config.consultations;
    let view = Consultation::build(&row, name, &thread, &policy, state.config.today())?;
    represent_get(&req, &view)
}

/// Download an attachment.
#[utoipa::path(
    tag = "consultations",
    operation_id = "getConsultationAttachment",
    summary = "Download an attachment of a consultation",
    description = "The bytes of a file attached to a message, with its checked content type. \
Roles: those who may read the thread.",
    params(
        ("id" = String, Path, description = "The consultation's id."),
        ("attachment_id" = String, Path, description = "The attachment's id."),
        IfNoneMatch,
    ),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The file.", content(
            (ormas_openapi::File = "application/pdf"),
            (ormas_openapi::File = "image/jpeg"),
            (ormas_openapi::File = "image/png"),
        ), headers(("ETag" = String, description = "A digest of the file, its type and its name."))),
        (status = 304, response = ormas_openapi::responses::FileNotModified),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not read consultations.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such consultation or attachment in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/consultations/{id}/attachments/{attachment_id}")]
pub async fn get_attachment_content(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(String, String)>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (id, attachment_id) = path.into_inner();
    let (row, _) = load_visible(&state, &principal, id).await?;
    let lookup = attachment_id.clone();
    let found = state
        .db(move |conn| consultations::find_attachment(conn, &row.id, &lookup))
        .await?;
    let Some(attachment) = found else {
        return Err(ApiError::not_found(Text::new(
            format!("Lampiran {attachment_id} tidak ditemukan."),
            format!("No attachment {attachment_id}."),
        )));
    };
    let path = stored_path(&documents_root(&state), &attachment.sha256);
    file_response(
        &req,
        path,
        &attachment.sha256,
        &attachment.content_type,
        &attachment.filename,
    )
    .await
}
