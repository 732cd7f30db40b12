//! The lifecycle of a registration: submit, return, approve, reject, dissolve. Each endpoint is a
//! handler naming its step; the shared mechanism is [`crate::routes::lifecycle`], and the rules are
//! `ormas_domain::registration::apply`.

use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::Datelike;
use ormas_domain::registration::{
    Transition, TransitionContext, TransitionError, apply, effective_state,
};
use ormas_domain::visits::{VisitFacts, check_verification};
use ormas_domain::{Action, HolidayCalendar};
use ormas_persistence::register::{self, EventRow, OrganisationRow, RegistrationRow};
use ormas_persistence::{AnyConnection, PersistenceResult, reference, visits};
use utoipa_actix_web::service_config::ServiceConfig;

use super::dto::{Ormas, TransitionRequest};
use super::{completeness, event, not_found, visible};
use crate::auth::Principal;
use crate::clock::now_utc;
use crate::error::{ApiError, ErrorKind, FieldIssue, Text};
use crate::extract::OptionalJson;
use crate::routes::IfMatch;
use crate::routes::lifecycle::{
    Env, Lifecycle, Noun, StepResponses, Target, codes, not_allowed, reason_required,
    role_not_permitted, transition,
};
use crate::state::AppState;

/// The registration lifecycle, for [`transition`].
pub struct Registrations;

/// A registration with what its rule needs: the holidays ahead, and whether its board and
/// documents are complete.
pub struct Loaded {
    registration: RegistrationRow,
    organisation: OrganisationRow,
    calendar: HolidayCalendar,
    board_complete: bool,
    missing_documents: Vec<String>,
    /// The field visits, when the deployment requires a verification visit before approval.
    visits: Vec<VisitFacts>,
}

/// The write a step decided: the registration as changed, its history entry, and whether it gets
/// the next Buku Induk number.
pub struct Change {
    updated: RegistrationRow,
    expected_version: i32,
    organisation: OrganisationRow,
    history: EventRow,
    issues_number: bool,
}

/// The registration as written, with its completeness for the answer.
pub struct Saved {
    registration: RegistrationRow,
    organisation: OrganisationRow,
    board_complete: bool,
    missing_documents: Vec<String>,
}

const NOUN: Noun = Noun {
    id: "ormas",
    en: "a registration",
    name: "registration",
};

fn refused(error: TransitionError) -> ApiError {
    match error {
        TransitionError::NotAllowed {
            from,
            transition,
            allowed,
        } => not_allowed(NOUN, from.as_str(), transition.as_str(), &codes(&allowed)),
        TransitionError::RoleNotPermitted { role, transition } => {
            role_not_permitted(NOUN, role, transition.as_str())
        }
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
        TransitionError::ReasonRequired => reason_required(),
        TransitionError::DateOutOfRange => ApiError::internal("deadline out of range"),
    }
}

impl Lifecycle for Registrations {
    type Loaded = Loaded;
    type Step = Transition;
    type Body = TransitionRequest;
    type Change = Change;
    type Saved = Saved;
    type View = Ormas;

    const NAME: &'static str = "ormas";
    const NOUN: Noun = NOUN;

    fn action(step: Transition) -> Action {
        step.action()
    }

    fn find(conn: &mut AnyConnection, id: &str, env: &Env) -> PersistenceResult<Option<Loaded>> {
        let Some((registration, organisation)) = register::find_registration(conn, id)? else {
            return Ok(None);
        };
        let calendar = reference::holiday_calendar_from(conn, env.today)?;
        let ids = std::slice::from_ref(&registration.id);
        let (board_complete, missing_documents) =
            completeness(conn, ids, &env.config.required_documents)?
                .remove(&registration.id)
                .unwrap_or_default();
        let visits = if env.config.require_verification_visit {
            crate::routes::ormas::visits::facts(&visits::visits_of_registration(
                conn,
                &registration.id,
            )?)
        } else {
            Vec::new()
        };
        Ok(Some(Loaded {
            registration,
            organisation,
            calendar,
            board_complete,
            missing_documents,
            visits,
        }))
    }

    fn visible(principal: &Principal, loaded: &Loaded) -> bool {
        let reg = &loaded.registration;
        visible(principal, &reg.id, &reg.region_code)
    }

    fn not_found(id: &str) -> ApiError {
        not_found(id)
    }

    fn target(loaded: &Loaded) -> Target {
        let reg = &loaded.registration;
        Target {
            id: reg.id.clone(),
            region_code: reg.region_code.clone(),
            version: reg.version,
        }
    }

    fn decide(
        loaded: Loaded,
        step: Transition,
        body: TransitionRequest,
        principal: &Principal,
        env: &Env,
    ) -> Result<Change, ApiError> {
        let reg = loaded.registration;
        let stored = reg.state()?;
        let from = effective_state(stored, reg.revision_due, reg.suspended_until, env.today);
        let ctx = TransitionContext {
            role: principal.role,
            today: env.today,
            calendar: &loaded.calendar,
            board_complete: loaded.board_complete,
            missing_documents: &loaded.missing_documents,
            reason: body.reason.as_deref(),
        };
        let outcome = apply(stored, reg.revision_due, step, &ctx).map_err(refused)?;
        if step == Transition::Approve {
            check_verification(
                env.config.require_verification_visit,
                &loaded.visits,
                env.today,
            )
            .map_err(|_| {
                ApiError::new(ErrorKind::Conflict).with_detail(Text::new(
                    "Kantor ini menyetujui hanya setelah kunjungan lapangan menemukan sekretariat \
                     (verification_visit_required); catat kunjungan dengan POST /v1/ormas/{id}/visits.",
                    "This office approves only after a field visit found the secretariat \
                     (verification_visit_required); record one with POST /v1/ormas/{id}/visits.",
                ))
            })?;
        }
        let mut updated = RegistrationRow {
            state: outcome.to.as_str().to_owned(),
            verification_due: outcome.verification_due,
            revision_due: outcome.revision_due,
            version: reg.version + 1,
            updated_at: now_utc(),
            ..reg.clone()
        };
        if step == Transition::Submit {
            updated.submitted_on = Some(env.today);
        }
        let mut history = event(principal, &reg.id, step.as_str());
        history.from_state = Some(from.as_str().to_owned());
        history.to_state = Some(outcome.to.as_str().to_owned());
        history.reason = body.reason;
        if !body.document_notes.is_empty() {
            history.notes = serde_json::to_string(&body.document_notes).ok();
        }
        Ok(Change {
            updated,
            expected_version: reg.version,
            organisation: loaded.organisation,
            history,
            issues_number: outcome.issues_number,
        })
    }

    fn write(conn: &mut AnyConnection, change: Change, env: &Env) -> PersistenceResult<Saved> {
        let Change {
            mut updated,
            expected_version,
            organisation,
            mut history,
            issues_number,
        } = change;
        if issues_number {
            let today = env.today;
            let seq =
                register::next_registration_sequence(conn, &updated.region_code, today.year())?;
            let number = env.config.registration_number_pattern.format(
                seq.max(0) as u32,
                &updated.region_code,
                today,
            );
            updated.registration_number = Some(number.clone());
            updated.registration_date = Some(today);
            history.registration_number = Some(number);
        }
        // A stale version rolls back the sequence's advance with it: no number is skipped.
        register::update_registration(conn, &updated, expected_version)?;
        register::insert_event(conn, &history)?;
        let ids = std::slice::from_ref(&updated.id);
        let (board_complete, missing_documents) =
            completeness(conn, ids, &env.config.required_documents)?
                .remove(&updated.id)
                .unwrap_or_default();
        Ok(Saved {
            registration: updated,
            organisation,
            board_complete,
            missing_documents,
        })
    }

    fn view(saved: Saved, env: &Env) -> Result<Ormas, ApiError> {
        let reg = &saved.registration;
        let current = effective_state(
            reg.state()?,
            reg.revision_due,
            reg.suspended_until,
            env.today,
        );
        Ormas::build(
            reg,
            &saved.organisation,
            current,
            env.today,
            saved.board_complete,
            saved.missing_documents,
        )
    }
}

/// Submit a registration.
#[utoipa::path(
    tag = "ormas",
    operation_id = "submitOrmas",
    summary = "Submit a registration",
    description = "From `draft` or `needs_revision` to `submitted`; needs ketua, sekretaris and bendahara on the board and every required document. Sets `verification_due` 15 working days ahead. Roles: `ormas_rep` (its own), `officer`.",
    params(("id" = String, Path, description = "The registration's id."), IfMatch),
    request_body(content = Option<TransitionRequest>, content_type = "application/json", description = "Optional: no body, or an empty one, is `{}`."),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 422, description = "A reason is missing, or the board or documents are incomplete.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        StepResponses<Registrations>,
    )
)]
#[post("/v1/ormas/{id}/submit")]
pub async fn submit(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
    body: OptionalJson<TransitionRequest>,
) -> Result<HttpResponse, ApiError> {
    let step = Transition::Submit;
    transition::<Registrations>(&state, principal, path.into_inner(), &req, body.0, step).await
}

/// Return a registration for revision.
#[utoipa::path(
    tag = "ormas",
    operation_id = "returnOrmas",
    summary = "Return a registration for revision",
    description = "From `submitted` to `needs_revision`, with a reason and optional notes per document. Sets `revision_due` 15 working days ahead; past it the registration lapses. Roles: `officer`.",
    params(("id" = String, Path, description = "The registration's id."), IfMatch),
    request_body(content = Option<TransitionRequest>, content_type = "application/json", description = "Optional: no body, or an empty one, is `{}`."),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 422, description = "A reason is missing, or the board or documents are incomplete.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        StepResponses<Registrations>,
    )
)]
#[post("/v1/ormas/{id}/return")]
pub async fn return_ormas(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
    body: OptionalJson<TransitionRequest>,
) -> Result<HttpResponse, ApiError> {
    let step = Transition::Return;
    transition::<Registrations>(&state, principal, path.into_inner(), &req, body.0, step).await
}

/// Approve a registration.
#[utoipa::path(
    tag = "ormas",
    operation_id = "approveOrmas",
    summary = "Approve a registration",
    description = "From `submitted` to `registered`: issues the next number of the region's Buku Induk for the year (gap-free, safe under concurrent approvals) and the registration date. Roles: `head`.",
    params(("id" = String, Path, description = "The registration's id."), IfMatch),
    request_body(content = Option<TransitionRequest>, content_type = "application/json", description = "Optional: no body, or an empty one, is `{}`."),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 422, description = "A reason is missing, or the board or documents are incomplete.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        StepResponses<Registrations>,
    )
)]
#[post("/v1/ormas/{id}/approve")]
pub async fn approve(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
    body: OptionalJson<TransitionRequest>,
) -> Result<HttpResponse, ApiError> {
    let step = Transition::Approve;
    transition::<Registrations>(&state, principal, path.into_inner(), &req, body.0, step).await
}

/// Reject a registration.
#[utoipa::path(
    tag = "ormas",
    operation_id = "rejectOrmas",
    summary = "Reject a registration",
    description = "From `submitted` or `needs_revision` to `rejected`, with a reason. Roles: `officer`, `head`.",
    params(("id" = String, Path, description = "The registration's id."), IfMatch),
    request_body(content = Option<TransitionRequest>, content_type = "application/json", description = "Optional: no body, or an empty one, is `{}`."),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 422, description = "A reason is missing, or the board or documents are incomplete.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        StepResponses<Registrations>,
    )
)]
#[post("/v1/ormas/{id}/reject")]
pub async fn reject(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
    body: OptionalJson<TransitionRequest>,
) -> Result<HttpResponse, ApiError> {
    let step = Transition::Reject;
    transition::<Registrations>(&state, principal, path.into_inner(), &req, body.0, step).await
}

/// Record a dissolution.
#[utoipa::path(
    tag = "ormas",
    operation_id = "dissolveOrmas",
    summary = "Record a dissolution",
    description = "From `registered` to `dissolved` (self-dissolved, or found gone from its address), with a reason. Roles: `head`.",
    params(("id" = String, Path, description = "The registration's id."), IfMatch),
    request_body(content = Option<TransitionRequest>, content_type = "application/json", description = "Optional: no body, or an empty one, is `{}`."),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 422, description = "A reason is missing, or the board or documents are incomplete.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        StepResponses<Registrations>,
    )
)]
#[post("/v1/ormas/{id}/dissolve")]
pub async fn dissolve(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
    body: OptionalJson<TransitionRequest>,
) -> Result<HttpResponse, ApiError> {
    let step = Transition::Dissolve;
    transition::<Registrations>(&state, principal, path.into_inner(), &req, body.0, step).await
}

/// Registers this module's handlers; their order is the order of their paths in the OpenAPI
/// document.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(submit)
        .service(return_ormas)
        .service(approve)
        .service(reject)
        .service(dissolve);
}
