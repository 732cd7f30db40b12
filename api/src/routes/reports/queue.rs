//! The offices' report queue: reports by region, period, state and lateness, and the reports that
//! are missing.

use actix_web::{HttpResponse, get, web};
use chrono::NaiveDate;
use ormas_domain::reporting::{Period, ReportState};
use ormas_domain::{Action, Role};
use ormas_persistence::reports::{self, ReportQueueFilter, UnfiledFilter};
use serde::Deserialize;
use utoipa::IntoParams;
use validator::Validate;

use super::dto::{QueueState, ReportQueueItem, ReportQueuePage};
use crate::auth::Principal;
use crate::error::{ApiError, FieldIssue, Text};
use crate::extract::ValidQuery;
use crate::routes::dto::validate_region_code;
use crate::routes::paging;
use crate::state::AppState;

/// Filters of the report queue.
#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQueueQuery {
    /// Only this region's subtree (within the caller's scope; default: the caller's region).
    #[validate(custom(function = "validate_region_code"))]
    #[param(pattern = r"^[0-9]{2}(\.[0-9]{2}){0,2}$")]
    pub region: Option<String>,
    /// Only this period. With `overdue` or `state=missing`, the period examined (default: the
    /// last period already due).
    #[param(pattern = r"^(19|2[0-9])[0-9]{2}(-S[12])?$")]
    pub period: Option<String>,
    /// A report state, or `missing` for registered ormas that have not started the period's report.
    #[param(inline)]
    pub state: Option<QueueState>,
    /// `true`: first submitted after the due date; `false`: submitted on time.
    pub late: Option<bool>,
    /// `true`: registered ormas that had not submitted the period's report by its due date and
    /// still have not (items are `missing` or `draft`).
    pub overdue: Option<bool>,
    /// 1 to 200 (default 50).
    #[validate(range(min = 1, max = 200))]
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub page_size: Option<i64>,
    /// The `next_page_token` of the previous page.
    #[param(pattern = "^(?:[2-6][0-9a-f]|7[0-9a-e]|1f){1,512}$")]
    pub page_token: Option<String>,
}

fn query_issue(field: &str, code: &str, id: &str, en: &str) -> ApiError {
    ApiError::invalid_query(vec![FieldIssue::new(field, code, Text::new(id, en))])
}

/// The report queue.
#[utoipa::path(
    tag = "reports",
    operation_id = "listReports",
    summary = "The report queue",
    description = "Reports in the caller's region subtree, ordered by region then id, filtered by \
period, state and lateness. With `overdue=true` or `state=missing` the list is instead, for one \
period (default: the last one already due), every registered ormas expected to report for it \
(registered by the period's last day) that has not submitted it: items in state `missing` (no \
report started) or `draft`, ordered by region then registration. Roles: staff and integrators \
within their region; a representative sees only its own ormas.",
    params(ReportQueueQuery),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "One page.", body = ReportQueuePage),
        (status = 400, description = "A query parameter is invalid.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The region is outside the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/reports")]
pub async fn list_reports(
    state: web::Data<AppState>,
    principal: Principal,
    query: ValidQuery<ReportQueueQuery>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::ReadReports)?;
    let query = query.0;
    let region = match query.region.clone() {
        Some(region) if principal.role == Role::OrmasRep || principal.covers(Some(&region)) => {
            Some(region)
        }
        Some(_) => {
            return Err(ApiError::forbidden(Text::new(
                "Wilayah itu berada di luar wilayah kewenangan Anda.",
                "That region lies outside your scope.",
            )));
        }
        None => principal.region(),
    };
    let own = (principal.role == Role::OrmasRep).then(|| principal.ormas_id.clone());
    let period = query
        .period
        .as_deref()
        .map(|p| {
            Period::parse(p).map_err(|e| {
                query_issue(
                    "period",
                    "invalid_period",
                    &format!("periode tidak valid: {e}"),
                    &format!("is not a period: {e}"),
                )
            })
        })
        .transpose()?;
    let page_size = query.page_size.unwrap_or(50);
    let after = query
        .page_token
        .as_deref()
        .map(paging::decode_pair)
        .transpose()?;
    let today = state.config.today();
    let policy = state.config.reporting;
    let unfiled_mode = query.overdue == Some(true) || query.state == Some(QueueState::Missing);

    if unfiled_mode {
        let Some(period) = period.or_else(|| policy.last_due_period(today)) else {
            return Ok(HttpResponse::Ok().json(ReportQueuePage {
                items: Vec::new(),
                next_page_token: None,
            }));
        };
        let due_on = policy.due_on(&period);
        // Nothing is overdue or missing before the due date has passed; an overdue report is
        // unsubmitted, so never submitted, accepted, returned or late.
        let submitted_state = matches!(
            query.state,
            Some(QueueState::Submitted | QueueState::Accepted | QueueState::Returned)
        );
        if due_on >= today || query.late == Some(true) || submitted_state {
            return Ok(HttpResponse::Ok().json(ReportQueuePage {
                items: Vec::new(),
                next_page_token: None,
            }));
        }
        let filter = UnfiledFilter {
            region,
            registration_id: own,
            period: period.to_string(),
            period_end: period.end().min(today),
            today,
            only_without_report: query.state == Some(QueueState::Missing),
            only_with_report: query.state == Some(QueueState::Draft),
            after,
            limit: page_size + 1,
        };
        let rows = state
            .db(move |conn| reports::list_unfiled(conn, &filter))
            .await?;
        let (rows, next) = paging::split(rows, page_size, |(reg, _, _)| {
            paging::pair(&reg.region_code, &reg.id)
        });
        let items = rows
            .into_iter()
            .map(|(reg, org, report)| ReportQueueItem {
                report_id: report.as_ref().map(|r| r.id.clone()),
                registration_id: reg.id,
                ormas_name: org.name,
                region_code: reg.region_code,
                period: period.to_string(),
                due_on: report.as_ref().map_or(due_on, |r| r.due_on),
                state: if report.is_some() {
                    QueueState::Draft
                } else {
                    QueueState::Missing
                },
                first_submitted_on: None,
                late: false,
                overdue: true,
                receipt_number: None,
            })
            .collect();
        Ok(HttpResponse::Ok().json(ReportQueuePage {
            items,
            next_page_token: next,
        }))
    } else {
        let filter = ReportQueueFilter {
            region,
            registration_id: own,
            period: period.map(|p| p.to_string()),
            state: query.state.map(|s| {
                match s {
                    QueueState::Draft => "draft",
                    QueueState::Submitted => "submitted",
                    QueueState::Accepted => "accepted",
                    QueueState::Returned => "returned",
                    QueueState::Missing => "missing",
                }
                .to_owned()
            }),
            late: query.late,
            after,
            limit: page_size + 1,
        };
        let rows = state
            .db(move |conn| reports::list_reports(conn, &filter))
            .await?;
        let (rows, next) = paging::split(rows, page_size, |(r, _, _)| {
            paging::pair(&r.region_code, &r.id)
        });
        let mut items = Vec::with_capacity(rows.len());
        for (report, _, org) in rows {
            let state = report.state()?;
            items.push(queue_item(report, org.name, state, today));
        }
        Ok(HttpResponse::Ok().json(ReportQueuePage {
            items,
            next_page_token: next,
        }))
    }
}

fn queue_item(
    report: ormas_persistence::reports::ReportRow,
    ormas_name: String,
    state: ReportState,
    today: NaiveDate,
) -> ReportQueueItem {
    ReportQueueItem {
        overdue: ormas_domain::reporting::is_overdue(
            report.first_submitted_on,
            report.due_on,
            today,
        ),
        report_id: Some(report.id),
        registration_id: report.registration_id,
        ormas_name,
        region_code: report.region_code,
        period: report.period,
        due_on: report.due_on,
        state: state.into(),
        first_submitted_on: report.first_submitted_on,
        late: report.late,
        receipt_number: report.receipt_number,
    }
}
