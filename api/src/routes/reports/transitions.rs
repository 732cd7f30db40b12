//! The report lifecycle: submit, accept (with a receipt number), return. Each endpoint is a handler
//! naming its step; the shared mechanism is [`crate::routes::lifecycle`], and the rules are
//! `ormas_domain::reporting::apply_report`.

use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::Datelike;
use ormas_domain::Action;
use ormas_domain::reporting::{
    ReportError, ReportTransition, allowed_report_transitions, apply_report, is_late,
    missing_signatories, receipt_number,
};
use ormas_persistence::register::OrganisationRow;
use ormas_persistence::reports::{self, ReportRow, ReportWithOrmas};
use ormas_persistence::{AnyConnection, PersistenceResult};

use super::dto::{Report, ReportContent, ReportTransitionRequest};
use super::not_found;
use crate::auth::Principal;
use crate::clock::now_utc;
use crate::error::{ApiError, FieldIssue, Text};
use crate::extract::OptionalJson;
use crate::routes::IfMatch;
use crate::routes::lifecycle::{
    Env, Lifecycle, Noun, StepResponses, Target, codes, not_allowed, reason_required,
    role_not_permitted, transition,
};
use crate::routes::ormas::visible;
use crate::state::AppState;

/// The report lifecycle, for [`transition`].
pub struct Reports;

/// The write a step decided: the report as changed, and whether it gets a receipt number.
pub struct Change {
    updated: ReportRow,
    expected_version: i32,
    organisation: OrganisationRow,
    issues_receipt: bool,
}

const NOUN: Noun = Noun {
    id: "laporan",
    en: "a report",
    name: "report",
};

fn refused(error: ReportError) -> ApiError {
    match error {
        ReportError::NotAllowed { from, transition } => not_allowed(
            NOUN,
            from.as_str(),
            transition.as_str(),
            &codes(allowed_report_transitions(from)),
        ),
        ReportError::RoleNotPermitted { role, transition } => {
            role_not_permitted(NOUN, role, transition.as_str())
        }
        ReportError::ReasonRequired => reason_required(),
    }
}

/// Field errors for the signatories a report still lacks.
fn signatory_issues(content: &ReportContent) -> Vec<FieldIssue> {
    let signatories = &content.signatories;
    missing_signatories(
        signatories.ketua.as_deref(),
        signatories.sekretaris.as_deref(),
    )
    .into_iter()
    .map(|position| {
        FieldIssue::new(
            format!("signatories.{position}"),
            "required",
            Text::new(
                "laporan harus ditandatangani ketua dan sekretaris",
                "the report must be signed by the ketua and the sekretaris",
            ),
        )
    })
    .collect()
}

impl Lifecycle for Reports {
    type Loaded = ReportWithOrmas;
    type Step = ReportTransition;
    type Body = ReportTransitionRequest;
    type Change = Change;
    type Saved = (ReportRow, OrganisationRow);
    type View = Report;

    const NAME: &'static str = "report";
    const NOUN: Noun = NOUN;

    fn action(step: ReportTransition) -> Action {
        step.action()
    }

    fn find(
        conn: &mut AnyConnection,
        id: &str,
        _: &Env,
    ) -> PersistenceResult<Option<ReportWithOrmas>> {
        reports::find_report(conn, id)
    }

    fn visible(principal: &Principal, (_, reg, _): &ReportWithOrmas) -> bool {
        visible(principal, &reg.id, &reg.region_code)
    }

    fn not_found(id: &str) -> ApiError {
        not_found(id)
    }

    fn target((report, _, _): &ReportWithOrmas) -> Target {
        Target {
            id: report.id.clone(),
            region_code: report.region_code.clone(),
            version: report.version,
        }
    }

    fn decide(
        (row, _, organisation): ReportWithOrmas,
        step: ReportTransition,
        body: ReportTransitionRequest,
        principal: &Principal,
        env: &Env,
    ) -> Result<Change, ApiError> {
        let from = row.state()?;
        let to =
            apply_report(from, step, principal.role, body.reason.as_deref()).map_err(refused)?;
        let today = env.today;
        let mut updated = ReportRow {
            state: to.as_str().to_owned(),
            version: row.version + 1,
            updated_at: now_utc(),
            ..row.clone()
        };
        match step {
            ReportTransition::Submit => {
                let content: ReportContent = serde_json::from_str(&row.content).unwrap_or_default();
                let issues = signatory_issues(&content);
                if !issues.is_empty() {
                    return Err(ApiError::validation(issues));
                }
                // Lateness is judged on the first submission: a return and resubmission is not late.
                if updated.first_submitted_on.is_none() {
                    updated.first_submitted_on = Some(today);
                    updated.late = is_late(today, row.due_on);
                }
                updated.submitted_on = Some(today);
            }
            ReportTransition::Accept => {
                updated.accepted_on = Some(today);
                updated.accepted_by = Some(principal.id.clone());
            }
            ReportTransition::Return => {
                updated.return_reason = body.reason;
            }
        }
        Ok(Change {
            updated,
            expected_version: row.version,
            organisation,
            issues_receipt: step == ReportTransition::Accept,
        })
    }

    fn write(
        conn: &mut AnyConnection,
        change: Change,
        env: &Env,
    ) -> PersistenceResult<(ReportRow, OrganisationRow)> {
        let Change {
            mut updated,
            expected_version,
            organisation,
            issues_receipt,
        } = change;
        if issues_receipt {
            let today = env.today;
            let seq = reports::next_receipt_sequence(conn, &updated.region_code, today.year())?;
            updated.receipt_number = Some(receipt_number(
                seq.max(0) as u32,
                &updated.region_code,
                today,
            ));
        }
        // A stale version rolls back the sequence's advance with it: no receipt number is skipped.
        reports::update_report(conn, &updated, expected_version)?;
        Ok((updated, organisation))
    }

    fn view(
        (row, organisation): (ReportRow, OrganisationRow),
        env: &Env,
    ) -> Result<Report, ApiError> {
        Report::build(&row, &organisation, env.today)
    }
}

/// Submit a report.
#[utoipa::path(
    tag = "reports",
    operation_id = "submitReport",
    summary = "Submit a report",
    description = "From `draft` or `returned` to `submitted`; needs the ketua and sekretaris as signatories. The first submission after the due date marks the report `late` (allowed). Roles: `ormas_rep` (its own ormas), `officer`.",
    params(("id" = String, Path, description = "The report's id."), IfMatch),
    request_body(content = Option<ReportTransitionRequest>, content_type = "application/json", description = "Optional: no body, or an empty one, is `{}`."),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 422, description = "A signatory is missing, or the body is invalid.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        StepResponses<Reports>,
    )
)]
#[post("/v1/reports/{id}/submit")]
pub async fn submit_report(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
    body: OptionalJson<ReportTransitionRequest>,
) -> Result<HttpResponse, ApiError> {
    let step = ReportTransition::Submit;
    transition::<Reports>(&state, principal, path.into_inner(), &req, body.0, step).await
}

/// Accept a report.
#[utoipa::path(
    tag = "reports",
    operation_id = "acceptReport",
    summary = "Accept a report",
    description = "From `submitted` to `accepted`: issues the next receipt (STTL) number of the office's sequence for the year, `{seq:04}/STTL/{region}/{roman month}/{year}`. A representative cannot accept (403). Roles: `officer`.",
    params(("id" = String, Path, description = "The report's id."), IfMatch),
    request_body(content = Option<ReportTransitionRequest>, content_type = "application/json", description = "Optional: no body, or an empty one, is `{}`."),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 422, description = "The body is invalid.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        StepResponses<Reports>,
    )
)]
#[post("/v1/reports/{id}/accept")]
pub async fn accept_report(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
    body: OptionalJson<ReportTransitionRequest>,
) -> Result<HttpResponse, ApiError> {
    let step = ReportTransition::Accept;
    transition::<Reports>(&state, principal, path.into_inner(), &req, body.0, step).await
}

/// Return a report.
#[utoipa::path(
    tag = "reports",
    operation_id = "returnReport",
    summary = "Return a report",
    description = "From `submitted` to `returned`, with a reason; the ormas corrects it and submits again. Roles: `officer`.",
    params(("id" = String, Path, description = "The report's id."), IfMatch),
    request_body(content = Option<ReportTransitionRequest>, content_type = "application/json", description = "Optional: no body, or an empty one, is `{}`."),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 422, description = "A reason is missing, or the body is invalid.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        StepResponses<Reports>,
    )
)]
#[post("/v1/reports/{id}/return")]
pub async fn return_report(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
    body: OptionalJson<ReportTransitionRequest>,
) -> Result<HttpResponse, ApiError> {
    let step = ReportTransition::Return;
    transition::<Reports>(&state, principal, path.into_inner(), &req, body.0, step).await
}
