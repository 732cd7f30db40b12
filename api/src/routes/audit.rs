//! Reading the audit log.

use actix_web::{HttpResponse, get, web};
use ormas_domain::Action;
use ormas_persistence::audit::{self as audit_log, AuditFilter, AuditRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::auth::Principal;
use crate::error::ApiError;
use crate::extract::ValidQuery;
use crate::routes::dto::utc;
use crate::routes::paging;
use crate::state::AppState;

/// One audited event.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193b3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b", "occurred_at": "2026-11-22T03:04:05Z",
    "actor_id": "0193b3c4-0000-7000-8000-000000000001", "actor_name": "admin.64", "action": "user.create",
    "target_type": "user", "target_id": "0193b3c4-0000-7000-8000-000000000002", "region_code": "64.71",
    "request_id": "trace-42", "outcome": "success", "detail": "role officer"
}))]
pub struct AuditEvent {
    pub id: String,
    pub occurred_at: chrono::DateTime<chrono::Utc>,
    #[schema(required = true)]
    pub actor_id: Option<String>,
    #[schema(required = true)]
    pub actor_name: Option<String>,
    /// What happened, e.g. `auth.login`, `user.update`, `calendar.holiday.add`.
    pub action: String,
    #[schema(required = true)]
    pub target_type: Option<String>,
    #[schema(required = true)]
    pub target_id: Option<String>,
    #[schema(required = true)]
    pub region_code: Option<String>,
    #[schema(required = true)]
    pub request_id: Option<String>,
    /// `success`, `denied` or `failure`.
    pub outcome: String,
    #[schema(required = true)]
    pub detail: Option<String>,
}

/// A page of events, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditEvent>,
    #[schema(required = true)]
    pub next_page_token: Option<String>,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only events about this record (an id).
    #[validate(length(min = 1, max = 100))]
    #[param(min_length = 1, max_length = 100)]
    pub target: Option<String>,
    /// Only events by this account or client (an id).
    #[validate(length(min = 1, max = 100))]
    #[param(min_length = 1, max_length = 100)]
    pub actor: Option<String>,
    /// Only this action, e.g. `auth.login`.
    #[validate(length(min = 1, max = 100))]
    #[param(min_length = 1, max_length = 100)]
    pub action: Option<String>,
    /// 1 to 200 (default 50).
    #[validate(range(min = 1, max = 200))]
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub page_size: Option<i64>,
    /// The `next_page_token` of the previous page (an event id).
    #[param(pattern = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
    pub page_token: Option<String>,
}

impl From<AuditRow> for AuditEvent {
    fn from(row: AuditRow) -> Self {
        AuditEvent {
            id: row.id,
            occurred_at: utc(row.occurred_at),
            actor_id: row.actor_id,
            actor_name: row.actor_name,
            action: row.action,
            target_type: row.target_type,
            target_id: row.target_id,
            region_code: row.region_code,
            request_id: row.request_id,
            outcome: row.outcome,
            detail: row.detail,
        }
    }
}

/// Read the audit log.
#[utoipa::path(
    tag = "audit",
    operation_id = "listAuditEvents",
    summary = "Read the audit log",
    description = "Authentication events and every change, newest first, for records in the \
caller's region subtree (a national caller also sees events without a region). Roles: \
`super_admin`, `admin`.",
    params(AuditQuery),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "One page of events.", body = AuditPage),
        (status = 400, description = "A query parameter is invalid.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not read the audit log.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/audit")]
pub async fn list_audit(
    state: web::Data<AppState>,
    principal: Principal,
    query: ValidQuery<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::ReadAudit)?;
    let query = query.0;
    let page_size = query.page_size.unwrap_or(50);
    if let Some(token) = &query.page_token
        && (uuid::Uuid::parse_str(token).is_err() || token.len() != 36)
    {
        return Err(paging::invalid_token());
    }
    let filter = AuditFilter {
        region: principal.region(),
        target: query.target,
        actor: query.actor,
        action: query.action,
        before: query.page_token,
        limit: page_size + 1,
    };
    let mut rows = state.db(move |conn| audit_log::list(conn, &filter)).await?;
    // The cursor is the last event's id itself (a UUIDv7, ordered by time).
    let next_page_token = if rows.len() as i64 > page_size {
        rows.truncate(page_size as usize);
        rows.last().map(|r| r.id.clone())
    } else {
        None
    };
    Ok(HttpResponse::Ok().json(AuditPage {
        items: rows.into_iter().map(AuditEvent::from).collect(),
        next_page_token,
    }))
}

/// Registers this module's handlers; their order is the order of their paths in the OpenAPI
/// document.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_audit);
}
