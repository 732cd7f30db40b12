//! Creating, reading and editing reports.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use ormas_domain::Action;
use ormas_domain::registration::RegistrationState;
use ormas_domain::reporting::{Period, ReportState};
use ormas_persistence::audit as audit_log;
use ormas_persistence::in_write_transaction;
use ormas_persistence::register;
use ormas_persistence::reports::{self, ReportRow};

use super::dto::{CreateReport, Report, ReportContent, ReportPage, UpdateReport};
use super::{attachment_issues, load_visible_report, period_issues};
use crate::audit::{self, Outcome};
use crate::auth::Principal;
use crate::clock::now_utc;
use crate::error::{ApiError, ErrorKind, FieldIssue, Text};
use crate::extract::ValidJson;
use crate::routes::ormas::{current_state, load_visible};
use crate::routes::{
    IfNoneMatch, RequiredIfMatch, represent, represent_get, require_matching_version,
};
use crate::state::AppState;

fn period_issue(code: &str, id: &str, en: &str) -> ApiError {
    ApiError::validation(vec![FieldIssue::new("period", code, Text::new(id, en))])
}

/// Start a report.
#[utoipa::path(
    tag = "reports",
    operation_id = "createReport",
    summary = "Start a report for a period",
    description = "Creates the draft report of a registered ormas for a period of the deployment's \
cadence (`YYYY-S1`/`YYYY-S2`, or `YYYY` under annual reporting) that has begun. One report per \
ormas and period: a second answers 409. Its due date (period end + 30 days by default) is fixed now. \
Roles: `ormas_rep` (its own ormas), `officer` (within its region).",
    params(("id" = String, Path, description = "The registration's id.")),
    request_body(content = CreateReport, content_type = "application/json"),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 201, description = "The new draft.", body = Report, headers(("ETag" = String, description = "Its version and a digest of this representation; send it back in `If-Match`."), ("Location" = String, description = "Its URL."))),
        (status = 400, response = ormas_openapi::responses::MalformedJson),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not write reports.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such registration in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The ormas is not registered, or already has a report for the period.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 413, response = ormas_openapi::responses::PayloadTooLarge),
        (status = 415, response = ormas_openapi::responses::UnsupportedMediaType),
        (status = 422, description = "The period is malformed, of the wrong cadence or has not begun; or a field or attachment is invalid.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[post("/v1/ormas/{id}/reports")]
pub async fn create_report(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    body: ValidJson<CreateReport>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::WriteReport)?;
    let request = body.0;
    let (reg, org) = load_visible(&state, &principal, path.into_inner()).await?;
    let today = state.config.today();
    let policy = state.config.reporting;
    let period = Period::parse(request.period.trim()).map_err(|e| {
        period_issue(
            "invalid_period",
            &format!("periode tidak valid: {e}"),
            &format!("is not a period: {e}"),
        )
    })?;
    if period.cadence() != policy.cadence {
        return Err(period_issue(
            "wrong_cadence",
            &format!(
                "laporan di sini bersifat {}; gunakan periode seperti {}",
                policy.cadence,
                policy.current_period(today)
            ),
            &format!(
                "reports here are {}; use a period such as {}",
                policy.cadence,
                policy.current_period(today)
            ),
        ));
    }
    if !policy.has_started(&period, today) {
        return Err(period_issue(
            "period_not_started",
            &format!("periode {period} belum dimulai (mulai {})", period.start()),
            &format!(
                "the period {period} has not begun (it starts {})",
                period.start()
            ),
        ));
    }
    let current = current_state(&state, &reg)?;
    if current != RegistrationState::Registered {
        return Err(ApiError::new(ErrorKind::Conflict).with_detail(Text::new(
            format!("Hanya ormas terdaftar yang melapor; ormas ini berstatus {current}."),
            format!("Only registered ormas report; this one is {current}."),
        )));
    }
    let outside = period_issues(&period, &request.activities);
    if !outside.is_empty() {
        return Err(ApiError::validation(outside));
    }
    let content = ReportContent {
        activities: request.activities,
        finances: request.finances,
        changes: request.changes,
        signatories: request.signatories,
    };
    let at = now_utc();
    let row = ReportRow {
        id: uuid::Uuid::now_v7().to_string(),
        registration_id: reg.id.clone(),
        region_code: reg.region_code.clone(),
        period: period.to_string(),
        due_on: policy.due_on(&period),
        state: ReportState::Draft.as_str().to_owned(),
        content: serde_json::to_string(&content).map_err(ApiError::internal)?,
        first_submitted_on: None,
        submitted_on: None,
        late: false,
        accepted_on: None,
        accepted_by: None,
        receipt_number: None,
        return_reason: None,
        created_by: Some(principal.id.clone()),
        version: 1,
        created_at: at,
        updated_at: at,
    };
    let trail = audit::on(
        audit::event(Some(&principal), "report.create", Outcome::Success),
        "report",
        &row.id,
        Some(&row.region_code),
    );
    let stored = row.clone();
    let activities = content.activities.clone();
    let result = state
        .db(move |conn| {
            in_write_transaction(conn, |conn| {
                let documents = register::list_documents(conn, &stored.registration_id)?;
                let issues = attachment_issues(&activities, &documents);
                if !issues.is_empty() {
                    return Ok(Err(issues));
                }
                reports::insert_report(conn, &stored)?;
                audit_log::record(conn, &trail)?;
                Ok(Ok(()))
            })
        })
        .await
        .map_err(|e| {
            if e.kind == ErrorKind::Conflict {
                ApiError::new(ErrorKind::Conflict).with_detail(Text::new(
                    format!("Ormas ini sudah memiliki laporan periode {period}."),
                    format!("This ormas already has a report for {period}."),
                ))
            } else {
                e
            }
        })?;
    result.map_err(ApiError::validation)?;
    let report = Report::build(&row, &org, today)?;
    represent(StatusCode::CREATED, &report)
}

/// List an ormas's reports.
#[utoipa::path(
    tag = "reports",
    operation_id = "listOrmasReports",
    summary = "List an ormas's reports",
    description = "Every report of one registration, newest period first. Roles: staff and \
integrators within their region; a representative, its own ormas.",
    params(("id" = String, Path, description = "The registration's id.")),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "Its reports (one page holds them all).", body = ReportPage),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 404, description = "No such registration in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/ormas/{id}/reports")]
pub async fn list_ormas_reports(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::ReadReports)?;
    let (reg, org) = load_visible(&state, &principal, path.into_inner()).await?;
    let rows = state
        .db(move |conn| reports::reports_of(conn, &reg.id))
        .await?;
    let today = state.config.today();
    let items = rows
        .iter()
        .map(|row| Report::build(row, &org, today))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(ReportPage {
        items,
        next_page_token: None,
    }))
}

/// Get a report.
#[utoipa::path(
    tag = "reports",
    operation_id = "getReport",
    summary = "Get a report",
    description = "One report with its content, lateness and the transitions its state allows. \
Roles: staff and integrators within their region; a representative, its own ormas's.",
    params(("id" = String, Path, description = "The report's id."), IfNoneMatch),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The report.", body = Report, headers(("ETag" = String, description = "Its version and a digest of this representation; send it back in `If-Match`."), ("Location" = String, description = "Its URL."))),
        (status = 304, response = ormas_openapi::responses::NotModified),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 404, description = "No such report in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/reports/{id}")]
pub async fn get_report(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (row, _, org) = load_visible_report(&state, &principal, path.into_inner()).await?;
    let report = Report::build(&row, &org, state.config.today())?;
    represent_get(&req, &report)
}

/// Edit a report.
#[utoipa::path(
    tag = "reports",
    operation_id = "updateReport",
    summary = "Edit a draft or returned report",
    description = "Replaces the parts given (activities, finances, changes, signatories) while the \
report is a draft or returned; `If-Match` guards against lost updates. Roles: `ormas_rep` (its \
own ormas), `officer` (within its region).",
    params(
        ("id" = String, Path, description = "The report's id."),
        RequiredIfMatch,
    ),
    request_body(content = UpdateReport, content_type = "application/json"),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The report as changed.", body = Report, headers(("ETag" = String, description = "Its version and a digest of this representation; send it back in `If-Match`."), ("Location" = String, description = "Its URL."))),
        (status = 400, description = "The body is not valid JSON, or `If-Match` is malformed.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not write reports.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such report in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The report is submitted or accepted, or changed meanwhile (a race lost without `If-Match`).", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 428, response = ormas_openapi::responses::PreconditionRequired),
        (status = 413, response = ormas_openapi::responses::PayloadTooLarge),
        (status = 415, response = ormas_openapi::responses::UnsupportedMediaType),
        (status = 422, description = "A field or attachment is invalid.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[patch("/v1/reports/{id}")]
pub async fn update_report(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
    body: ValidJson<UpdateReport>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::WriteReport)?;
    let (row, _, org) = load_visible_report(&state, &principal, path.into_inner()).await?;
    require_matching_version(&req, row.version)?;
    let current = row.state()?;
    if !matches!(current, ReportState::Draft | ReportState::Returned) {
        return Err(ApiError::new(ErrorKind::Conflict).with_detail(Text::new(
            format!("Laporan berstatus {current} tidak dapat diubah; hanya draft atau returned."),
            format!("A report in state {current} cannot be changed; only draft or returned."),
        )));
    }
    let request = body.0;
    let mut content: ReportContent = serde_json::from_str(&row.content).unwrap_or_default();
    if let Some(activities) = request.activities {
        let period = Period::parse(&row.period).map_err(ApiError::internal)?;
        let outside = period_issues(&period, &activities);
        if !outside.is_empty() {
            return Err(ApiError::validation(outside));
        }
        content.activities = activities;
    }
    if let Some(finances) = request.finances {
        content.finances = finances;
    }
    if let Some(changes) = request.changes {
        content.changes = changes;
    }
    if let Some(signatories) = request.signatories {
        content.signatories = signatories;
    }
    let updated = ReportRow {
        content: serde_json::to_string(&content).map_err(ApiError::internal)?,
        version: row.version + 1,
        updated_at: now_utc(),
        ..row.clone()
    };
    let trail = audit::on(
        audit::event(Some(&principal), "report.update", Outcome::Success),
        "report",
        &row.id,
        Some(&row.region_code),
    );
    let expected = row.version;
    let stored = updated.clone();
    let result = state
        .db(move |conn| {
            in_write_transaction(conn, |conn| {
                let documents = register::list_documents(conn, &stored.registration_id)?;
                let issues = attachment_issues(&content.activities, &documents);
                if !issues.is_empty() {
                    return Ok(Err(issues));
                }
                reports::update_report(conn, &stored, expected)?;
                audit_log::record(conn, &trail)?;
                Ok(Ok(()))
            })
        })
        .await?;
    result.map_err(ApiError::validation)?;
    let report = Report::build(&updated, &org, state.config.today())?;
    represent(StatusCode::OK, &report)
}
