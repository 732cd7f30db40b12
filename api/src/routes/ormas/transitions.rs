//! The lifecycle: submit, return, approve, reject, dissolve.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::Datelike;
use ormas_domain::registration::{Transition, TransitionContext, TransitionError, apply};
use ormas_persistence::audit as audit_log;
use ormas_persistence::reference;
use ormas_persistence::register::{self, RegistrationRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use super::dto::Ormas;
use super::{completeness, current_state, event, load_visible, respond};
use crate::audit::{self, Outcome};
use crate::auth::Principal;
use crate::error::{ApiError, ErrorKind, FieldIssue, Text};
use crate::extract::ValidJson;
use crate::routes::{etag, require_current_version};
use crate::state::AppState;

/// A note on one document, for the applicant to act on.
#[derive(Debug, Clone, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentNote {
    /// A document type (or the id of an uploaded document).
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub document: String,
    #[validate(length(min = 1, max = 1000))]
    #[schema(min_length = 1, max_length = 1000)]
    pub note: String,
}

/// What a transition needs besides the registration: a reason (return, reject, dissolve) and, for a
/// return, notes per document.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "SK kepengurusan belum ditandatangani.", "document_notes": [{"document": "board_decree", "note": "Tanda tangan ketua belum ada."}]}))]
pub struct TransitionRequest {
    /// Required to return, reject and dissolve.
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: Option<String>,
    /// With a return: what to fix in which document.
    #[serde(default)]
    #[validate(length(max = 50), nested)]
    #[schema(max_items = 50)]
    pub document_notes: Vec<DocumentNote>,
}

fn transition_error(error: TransitionError) -> ApiError {
    match error {
        TransitionError::NotAllowed {
            from,
            transition,
            allowed,
        } => {
            let allowed: Vec<&str> = allowed.iter().map(|t| t.as_str()).collect();
            let list = if allowed.is_empty() {
                "-".to_owned()
            } else {
                allowed.join(", ")
            };
            ApiError::new(ErrorKind::Conflict).with_detail(Text::new(
                format!(
                    "Tidak dapat {} ormas berstatus {}; yang diizinkan dari status ini: {list}.",
                    transition.as_str(),
                    from.as_str()
                ),
                format!(
                    "Cannot {} a registration in state {}; allowed from this state: {list}.",
                    transition.as_str(),
                    from.as_str()
                ),
            ))
        }
        TransitionError::RoleNotPermitted { role, transition } => ApiError::forbidden(Text::new(
            format!(
                "Peran {role} tidak dapat melakukan {}.",
                transition.as_str()
            ),
            format!("The role {role} cannot {}.", transition.as_str()),
        )),
        TransitionError::IncompleteBoard => ApiError::validation(vec![FieldIssue::new(
            "board",
            "incomplete_board",
            Text::new(
                "pengurus harus memuat ketua, sekretaris, dan bendahara",
                "the board needs a ketua, a sekretaris and a bendahara",
            ),
        )]),
        TransitionError::MissingDocuments(missing) => ApiError::validation(
            missing
                .into_iter()
                .map(|doc| {
                    FieldIssue::new(
                        format!("documents.{doc}"),
                        "missing_document",
                        Text::new(
                            "dokumen wajib belum diunggah",
                            "a required document is missing",
                        ),
                    )
                })
                .collect(),
        ),
        TransitionError::ReasonRequired => ApiError::validation(vec![FieldIssue::new(
            "reason",
            "required",
            Text::new("alasan wajib diisi", "a reason is required"),
        )]),
        TransitionError::DateOutOfRange => ApiError::internal("deadline out of range"),
    }
}

async fn perform(
    state: web::Data<AppState>,
    principal: Principal,
    id: String,
    req: HttpRequest,
    body: TransitionRequest,
    transition: Transition,
) -> Result<HttpResponse, ApiError> {
    // A role that may never take this step hears so first, whatever the registration.
    principal.require(transition.action())?;
    let (reg, org) = load_visible(&state, &principal, id).await?;
    require_current_version(&req, reg.version)?;
    let today = state.config.today();
    let required = state.config.required_documents.clone();
    let stored_state = reg.state()?;
    let from = current_state(&state, &reg)?;
    let lookup_id = reg.id.clone();
    let (calendar, completeness) = state
        .db(move |conn| {
            let calendar = reference::holiday_calendar_from(conn, today)?;
            let completeness = completeness(conn, std::slice::from_ref(&lookup_id), &required)?;
            Ok((calendar, completeness))
        })
        .await?;
    let (board_complete, missing) = completeness.get(&reg.id).cloned().unwrap_or_default();
    let reason = body.reason.as_deref();
    let ctx = TransitionContext {
        role: principal.role,
        today,
        calendar: &calendar,
        board_complete,
        missing_documents: &missing,
        reason,
    };
    let outcome =
        apply(stored_state, reg.revision_due, transition, &ctx).map_err(transition_error)?;

    let mut updated = RegistrationRow {
        state: outcome.to.as_str().to_owned(),
        verification_due: outcome.verification_due,
        revision_due: outcome.revision_due,
        version: reg.version + 1,
        updated_at: crate::clock::now_utc(),
        ..reg.clone()
    };
    if transition == Transition::Submit {
        updated.submitted_on = Some(today);
    }
    let mut history = event(&principal, &reg.id, transition.as_str());
    history.from_state = Some(from.as_str().to_owned());
    history.to_state = Some(outcome.to.as_str().to_owned());
    history.reason = body.reason.clone();
    if !body.document_notes.is_empty() {
        history.notes = serde_json::to_string(&body.document_notes).ok();
    }
    let trail = audit::on(
        audit::event(
            Some(&principal),
            &format!("ormas.{}", transition.as_str()),
            Outcome::Success,
        ),
        "ormas",
        &reg.id,
        Some(&reg.region_code),
    );
    let pattern = state.config.registration_number_pattern.clone();
    let expected = reg.version;
    let issues_number = outcome.issues_number;
    let saved = state
        .db(move |conn| {
            ormas_persistence::in_write_transaction(conn, |conn| {
                if issues_number {
                    let seq = register::next_registration_sequence(
                        conn,
                        &updated.region_code,
                        today.year(),
                    )?;
                    let number = pattern.format(seq.max(0) as u32, &updated.region_code, today);
                    updated.registration_number = Some(number.clone());
                    updated.registration_date = Some(today);
                    history.registration_number = Some(number);
                }
                // A stale version rolls back the sequence's advance with it: no number is skipped.
                register::update_registration(conn, &updated, expected)?;
                register::insert_event(conn, &history)?;
                audit_log::record(conn, &trail)?;
                Ok(updated)
            })
        })
        .await?;
    let ormas: Ormas = respond(&state, saved, org).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(ormas.version)))
        .json(ormas))
}

macro_rules! transition_endpoint {
    ($fn_name:ident, $path:literal, $transition:expr, $op:literal, $summary:literal, $roles:literal) => {
        #[doc = $summary]
        #[utoipa::path(
            tag = "ormas",
            operation_id = $op,
            summary = $summary,
            description = $roles,
            params(
                ("id" = String, Path, description = "The registration's id."),
                ("If-Match" = Option<String>, Header, nullable = false, description = "The `ETag` last read.", pattern = r#"^(W/)?("[0-9]+"|[0-9]+)$|^\*$"#),
            ),
            request_body(content = TransitionRequest, content_type = "application/json"),
            security(("bearer" = []), ("client_credentials" = [])),
            responses(
                (status = 200, description = "The registration after the transition.", body = Ormas, headers(("ETag" = String, description = "Its new version."))),
                (status = 400, description = "The body is not valid JSON, or `If-Match` is malformed.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
                (status = 401, response = ormas_openapi::responses::Unauthorized),
                (status = 403, description = "The role may not perform this transition.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
                (status = 404, description = "No such registration in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
                (status = 409, description = "The current state does not allow this transition (the detail names the state and what it allows), or it changed meanwhile (a race lost without `If-Match`).", body = ormas_openapi::Problem, content_type = "application/problem+json"),
                (status = 412, description = "`If-Match` names an older version.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
                (status = 413, response = ormas_openapi::responses::PayloadTooLarge),
                (status = 415, response = ormas_openapi::responses::UnsupportedMediaType),
                (status = 422, description = "A reason is missing, or the board or documents are incomplete.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
                (status = 500, response = ormas_openapi::responses::ServerError),
                (status = 503, response = ormas_openapi::responses::Unavailable),
            )
        )]
        #[post($path)]
        pub async fn $fn_name(
            state: web::Data<AppState>,
            principal: Principal,
            path: web::Path<String>,
            req: HttpRequest,
            body: ValidJson<TransitionRequest>,
        ) -> Result<HttpResponse, ApiError> {
            perform(state, principal, path.into_inner(), req, body.0, $transition).await
        }
    };
}

transition_endpoint!(
    submit,
    "/v1/ormas/{id}/submit",
    Transition::Submit,
    "submitOrmas",
    "Submit a registration",
    "From `draft` or `needs_revision` to `submitted`; needs ketua, sekretaris and bendahara on the board and every required document. Sets `verification_due` 15 working days ahead. Roles: `ormas_rep` (its own), `officer`."
);
transition_endpoint!(
    return_ormas,
    "/v1/ormas/{id}/return",
    Transition::Return,
    "returnOrmas",
    "Return a registration for revision",
    "From `submitted` to `needs_revision`, with a reason and optional notes per document. Sets `revision_due` 15 working days ahead; past it the registration lapses. Roles: `officer`."
);
transition_endpoint!(
    approve,
    "/v1/ormas/{id}/approve",
    Transition::Approve,
    "approveOrmas",
    "Approve a registration",
    "From `submitted` to `registered`: issues the next number of the region's Buku Induk for the year (gap-free, safe under concurrent approvals) and the registration date. Roles: `head`."
);
transition_endpoint!(
    reject,
    "/v1/ormas/{id}/reject",
    Transition::Reject,
    "rejectOrmas",
    "Reject a registration",
    "From `submitted` or `needs_revision` to `rejected`, with a reason. Roles: `officer`, `head`."
);
transition_endpoint!(
    dissolve,
    "/v1/ormas/{id}/dissolve",
    Transition::Dissolve,
    "dissolveOrmas",
    "Record a dissolution",
    "From `registered` to `dissolved` (self-dissolved, or found gone from its address), with a reason. Roles: `head`."
);

/// Registers this module's handlers; their order is the order of their paths in the OpenAPI
/// document.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(submit)
        .service(return_ormas)
        .service(approve)
        .service(reject)
        .service(dissolve);
}
