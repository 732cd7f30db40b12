//! The report lifecycle: submit, accept (with a receipt number), return.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::Datelike;
use ormas_domain::reporting::{
    ReportError, ReportTransition, apply_report, is_late, missing_signatories, receipt_number,
};
use ormas_persistence::audit as audit_log;
use ormas_persistence::in_write_transaction;
use ormas_persistence::reports::{self, ReportRow};

use super::dto::{Report, ReportContent, ReportTransitionRequest};
use super::load_visible_report;
use crate::audit::{self, Outcome};
use crate::auth::Principal;
use crate::clock::now_utc;
use crate::error::{ApiError, ErrorKind, FieldIssue, Text};
use crate::extract::ValidJson;
use crate::routes::{etag, require_current_version};
use crate::state::AppState;

fn report_error(error: ReportError) -> ApiError {
    match error {
        ReportError::NotAllowed { from, transition } => {
            let allowed: Vec<&str> = ormas_domain::reporting::allowed_report_transitions(from)
                .iter()
                .map(|t| t.as_str())
                .collect();
            let list = if allowed.is_empty() {
                "-".to_owned()
            } else {
                allowed.join(", ")
            };
            ApiError::new(ErrorKind::Conflict).with_detail(Text::new(
                format!(
                    "Tidak dapat {transition} laporan berstatus {from}; yang diizinkan dari status ini: {list}."
                ),
                format!(
                    "Cannot {transition} a report in state {from}; allowed from this state: {list}."
                ),
            ))
        }
        ReportError::RoleNotPermitted { role, transition } => ApiError::forbidden(Text::new(
            format!("Peran {role} tidak dapat melakukan {transition} laporan."),
            format!("The role {role} cannot {transition} a report."),
        )),
        ReportError::ReasonRequired => ApiError::validation(vec![FieldIssue::new(
            "reason",
            "required",
            Text::new("alasan wajib diisi", "a reason is required"),
        )]),
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

async fn perform(
    state: web::Data<AppState>,
    principal: Principal,
    id: String,
    req: HttpRequest,
    body: ReportTransitionRequest,
    transition: ReportTransition,
) -> Result<HttpResponse, ApiError> {
    // A role that may never take this step hears so first, whatever the report.
    principal.require(transition.action())?;
    let (row, _, org) = load_visible_report(&state, &principal, id).await?;
    require_current_version(&req, row.version)?;
    let from = row.state()?;
    let to = apply_report(from, transition, principal.role, body.reason.as_deref())
        .map_err(report_error)?;
    let today = state.config.today();
    let mut updated = ReportRow {
        state: to.as_str().to_owned(),
        version: row.version + 1,
        updated_at: now_utc(),
        ..row.clone()
    };
    match transition {
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
            updated.return_reason = body.reason.clone();
        }
    }
    let trail = audit::on(
        audit::event(
            Some(&principal),
            &format!("report.{}", transition.as_str()),
            Outcome::Success,
        ),
        "report",
        &row.id,
        Some(&row.region_code),
    );
    let expected = row.version;
    let saved = state
        .db(move |conn| {
            in_write_transaction(conn, |conn| {
                if transition == ReportTransition::Accept {
                    let seq =
                        reports::next_receipt_sequence(conn, &updated.region_code, today.year())?;
                    updated.receipt_number = Some(receipt_number(
                        seq.max(0) as u32,
                        &updated.region_code,
                        today,
                    ));
                }
                // A stale version rolls back the sequence's advance with it: no receipt number
                // is skipped.
                reports::update_report(conn, &updated, expected)?;
                audit_log::record(conn, &trail)?;
                Ok(updated)
            })
        })
        .await?;
    let report = Report::build(&saved, &org, today)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(report.version)))
        .json(report))
}

macro_rules! report_transition_endpoint {
    ($fn_name:ident, $path:literal, $transition:expr, $op:literal, $summary:literal, $roles:literal, $unprocessable:literal) => {
        #[doc = $summary]
        #[utoipa::path(
            tag = "reports",
            operation_id = $op,
            summary = $summary,
            description = $roles,
            params(
                ("id" = String, Path, description = "The report's id."),
                ("If-Match" = Option<String>, Header, nullable = false, description = "The `ETag` last read.", pattern = r#"^(W/)?("[0-9]+"|[0-9]+)$|^\*$"#),
            ),
            request_body(content = ReportTransitionRequest, content_type = "application/json"),
            security(("bearer" = []), ("client_credentials" = [])),
            responses(
                (status = 200, description = "The report after the transition.", body = Report, headers(("ETag" = String, description = "Its new version."))),
                (status = 400, description = "The body is not valid JSON, or `If-Match` is malformed.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
                (status = 401, response = ormas_openapi::responses::Unauthorized),
                (status = 403, description = "The role may not perform this transition.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
                (status = 404, description = "No such report in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
                (status = 409, description = "The current state does not allow this transition (the detail names the state and what it allows), or it changed meanwhile (a race lost without `If-Match`).", body = ormas_openapi::Problem, content_type = "application/problem+json"),
                (status = 412, description = "`If-Match` names an older version.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
                (status = 413, response = ormas_openapi::responses::PayloadTooLarge),
                (status = 415, response = ormas_openapi::responses::UnsupportedMediaType),
                (status = 422, description = $unprocessable, body = ormas_openapi::Problem, content_type = "application/problem+json"),
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
            body: ValidJson<ReportTransitionRequest>,
        ) -> Result<HttpResponse, ApiError> {
            perform(state, principal, path.into_inner(), req, body.0, $transition).await
        }
    };
}

report_transition_endpoint!(
    submit_report,
    "/v1/reports/{id}/submit",
    ReportTransition::Submit,
    "submitReport",
    "Submit a report",
    "From `draft` or `returned` to `submitted`; needs the ketua and sekretaris as signatories. The first submission after the due date marks the report `late` (allowed). Roles: `ormas_rep` (its own ormas), `officer`.",
    "A signatory is missing, or the body is invalid."
);
report_transition_endpoint!(
    accept_report,
    "/v1/reports/{id}/accept",
    ReportTransition::Accept,
    "acceptReport",
    "Accept a report",
    "From `submitted` to `accepted`: issues the next receipt (STTL) number of the office's sequence for the year, `{seq:04}/STTL/{region}/{roman month}/{year}`. A representative cannot accept (403). Roles: `officer`.",
    "The body is invalid."
);
report_transition_endpoint!(
    return_report,
    "/v1/reports/{id}/return",
    ReportTransition::Return,
    "returnReport",
    "Return a report",
    "From `submitted` to `returned`, with a reason; the ormas corrects it and submits again. Roles: `officer`.",
    "A reason is missing, or the body is invalid."
);
