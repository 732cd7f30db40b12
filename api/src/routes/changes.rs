//! Following the changes feed: `GET /v1/changes` and `GET /v1/changes/snapshot`.
//!
//! How events are written is in [`crate::changes`] and [`ormas_persistence::changes`]; here they
//! are read, in position order, within the caller's region and rights.

use std::time::{Duration, Instant};

use actix_web::{HttpResponse, get, web};
use ormas_domain::Action;
use ormas_domain::changes::{all_event_types, readable_event_types};
use ormas_persistence::changes::{self, ChangeFilter, ChangeRow, FeedPosition};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::auth::Principal;
use crate::error::{ApiError, ErrorKind, FieldIssue, Text};
use crate::extract::ValidQuery;
use crate::routes::dto::{utc, validate_region_code};
use crate::routes::ormas::list::scoped_region;
use crate::state::AppState;

/// The type of an event: the resource, then what happened to it.
pub struct ChangeEventType;

impl utoipa::PartialSchema for ChangeEventType {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(all_event_types()))
            .description(Some(
                "What happened: `ormas.created`, `ormas.submitted`, `ormas.registered`, \
                 `board.replaced`, `report.accepted`, `sanction.issued`, … A resource's step \
                 without a name of its own is `{resource}.updated`.",
            ))
            .into()
    }
}

impl ToSchema for ChangeEventType {}

/// One change of the register.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193b3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b", "seq": 1042, "type": "ormas.registered",
    "subject": "/v1/ormas/0193b3c4-0000-7000-8000-000000000010", "region_code": "64.71",
    "occurred_at": "2026-11-22T03:04:05Z", "actor": "head",
    "data": {"id": "0193b3c4-0000-7000-8000-000000000010", "state": "registered"}
}))]
pub struct ChangeEvent {
    /// The event's id (UUIDv7): the same in the feed and in webhook deliveries.
    pub id: String,
    /// Its position in the feed: strictly increasing, never reused.
    pub seq: i64,
    #[serde(rename = "type")]
    #[schema(schema_with = <ChangeEventType as utoipa::PartialSchema>::schema)]
    pub event_type: String,
    /// The changed resource's path (`GET` it for its current state).
    pub subject: String,
    /// The region of the record changed.
    #[schema(required = true)]
    pub region_code: Option<String>,
    pub occurred_at: chrono::DateTime<chrono::Utc>,
    /// The role that made the change (`officer`, `head`, `ormas_rep`, …), never the person;
    /// `null` for the system.
    #[schema(required = true)]
    pub actor: Option<String>,
    /// The resource as its `GET` showed it to an integrator right after the change (personal data
    /// masked); `{"id", "deleted": true}` for a removed one.
    #[schema(value_type = Object)]
    pub data: Value,
}

/// A page of the feed, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangePage {
    pub items: Vec<ChangeEvent>,
    /// Where to continue: pass it as `after` (the last item's position, or `after` itself on an
    /// empty page).
    pub next_after: i64,
    /// The feed's last position when this page was read; `next_after < head` means more may
    /// follow at once (events the caller may not read or filtered out count too).
    pub head: i64,
}

/// Where to start following the feed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeSnapshot {
    /// The feed's last position now: an integrator that loaded a full export taken after this
    /// call follows with `GET /v1/changes?after={position}` and misses nothing (events it has
    /// already applied may come again; apply them by `seq`, idempotently).
    pub position: i64,
    /// Positions up to this one are past retention; asking for them answers 410.
    pub oldest_available_after: i64,
    /// How many days the feed keeps its events.
    pub retention_days: u32,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChangeQuery {
    /// The position the caller has seen (default 0: from the beginning of what is kept).
    #[validate(range(min = 0))]
    #[param(minimum = 0, default = 0)]
    pub after: Option<i64>,
    /// 1 to 1000 (default 100).
    #[validate(range(min = 1, max = 1000))]
    #[param(minimum = 1, maximum = 1000, default = 100)]
    pub limit: Option<i64>,
    /// Only these event types, comma-separated (e.g. `ormas.registered,report.accepted`).
    #[validate(length(min = 1, max = 2000))]
    #[param(
        min_length = 1,
        max_length = 2000,
        pattern = r"^[a-z_]+\.[a-z_]+(,[a-z_]+\.[a-z_]+)*$"
    )]
    pub types: Option<String>,
    /// Only this region's subtree (within the caller's scope; default: the caller's region).
    #[validate(custom(function = "validate_region_code"))]
    #[param(pattern = r"^[0-9]{2}(\.[0-9]{2}){0,2}$")]
    pub region: Option<String>,
    /// Long poll: when nothing is new, wait up to this many seconds for an event (0 to 30,
    /// default 0).
    #[validate(range(min = 0, max = 30))]
    #[param(minimum = 0, maximum = 30, default = 0)]
    pub wait: Option<u64>,
}

impl From<ChangeRow> for ChangeEvent {
    fn from(row: ChangeRow) -> Self {
        ChangeEvent {
            id: row.id,
            seq: row.seq,
            event_type: row.event_type,
            subject: row.subject,
            region_code: row.region_code,
            occurred_at: utc(row.occurred_at),
            actor: row.actor_role,
            data: serde_json::from_str(&row.data).unwrap_or(Value::Null),
        }
    }
}

fn expired(after: i64, position: FeedPosition) -> ApiError {
    ApiError::new(ErrorKind::FeedPositionExpired).with_detail(Text::new(
        format!(
            "Peristiwa setelah posisi {after} sudah dihapus (masa simpan; tersedia setelah {}). \
             Muat ulang ekspor lengkap lalu ikuti umpan dari posisi GET /v1/changes/snapshot.",
            position.pruned_through
        ),
        format!(
            "The events after position {after} are past retention (kept: after {}). Reload the \
             full export, then follow the feed from the position of GET /v1/changes/snapshot.",
            position.pruned_through
        ),
    ))
}

/// Parses `types`: each one a known event type (400 naming the unknown ones).
fn parse_types(types: Option<&str>) -> Result<Vec<String>, ApiError> {
    let Some(types) = types else {
        return Ok(Vec::new());
    };
    let known = all_event_types();
    let mut out = Vec::new();
    let mut issues = Vec::new();
    for t in types.split(',') {
        if known.contains(&t) {
            out.push(t.to_owned());
        } else {
            issues.push(FieldIssue::new(
                "types",
                "unknown_event_type",
                Text::new(
                    format!("jenis peristiwa tidak dikenal: {t}"),
                    format!("unknown event type: {t}"),
                ),
            ));
        }
    }
    if issues.is_empty() {
        Ok(out)
    } else {
        Err(ApiError::new(ErrorKind::InvalidQuery).with_errors(issues))
    }
}

/// Follow the changes feed.
#[utoipa::path(
    tag = "changes",
    operation_id = "listChanges",
    summary = "Follow the changes feed",
    description = "Every change of the register after position `after`, oldest first: registrations \
and organisations, boards, documents' metadata, reports, sanctions, oversight complaints and cases, \
grant proposals, attribute permits and consultations, each with the resource as its `GET` showed it \
to an integrator right after the change. Each event is written in the transaction of its change, so \
none is lost and none describes a change that did not happen. **Gap-safe**: a reader that has seen \
position N never later sees an event with a smaller position appear, so `after` = the last position \
seen is a complete cursor. Within the caller's region subtree, and only the types of resources the \
caller may read (integrators: registrations, boards, organisations, reports, sanctions, grants, \
permits). `wait` long-polls. A position past retention answers 410: reload the export, then follow \
from `GET /v1/changes/snapshot`. Roles: staff and integrators.",
    params(ChangeQuery),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "One page of events.", body = ChangePage),
        (status = 400, description = "A query parameter is invalid (an unknown event type in `types` is named in `errors`).", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not read the feed, or the region is outside the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 410, description = "`after` is older than the feed keeps (`feed_position_expired`): resynchronise from a full export.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/changes")]
pub async fn list_changes(
    state: web::Data<AppState>,
    principal: Principal,
    query: ValidQuery<ChangeQuery>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::ReadChanges)?;
    let query = query.0;
    let region = scoped_region(&principal, query.region)?;
    let readable: Vec<String> = readable_event_types(principal.role)
        .into_iter()
        .map(str::to_owned)
        .collect();
    let readable = (readable.len() < all_event_types().len()).then_some(readable);
    let after = query.after.unwrap_or(0);
    let filter = ChangeFilter {
        after,
        limit: query.limit.unwrap_or(100),
        types: parse_types(query.types.as_deref())?,
        readable,
        region,
    };
    let deadline = Instant::now() + Duration::from_secs(query.wait.unwrap_or(0));
    loop {
        let read = filter.clone();
        let (position, rows) = state
            .db(move |conn| {
                let position = changes::position(conn)?;
                if read.after < position.pruned_through {
                    return Ok((position, None));
                }
                // Read after the position: every event at or below it has committed.
                let rows = changes::list(conn, &read)?;
                Ok((position, Some(rows)))
            })
            .await?;
        let rows = rows.ok_or_else(|| expired(after, position))?;
        if rows.is_empty() && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(250)).await;
            continue;
        }
        let next_after = rows.last().map_or(after, |r| r.seq);
        return Ok(HttpResponse::Ok().json(ChangePage {
            items: rows.into_iter().map(ChangeEvent::from).collect(),
            next_after,
            head: position.head,
        }));
    }
}

/// Where to start following the feed.
#[utoipa::path(
    tag = "changes",
    operation_id = "getChangesSnapshot",
    summary = "Where to start following the feed",
    description = "The feed's last position now. A new integrator calls this, then loads the full \
export (`GET /v1/exports/ormas`, which also names its position), then follows `GET /v1/changes` \
from that position: nothing is missed. Roles: staff and integrators.",
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The position.", body = ChangeSnapshot),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not read the feed.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/changes/snapshot")]
pub async fn get_changes_snapshot(
    state: web::Data<AppState>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::ReadChanges)?;
    let position = state.db(changes::position).await?;
    Ok(HttpResponse::Ok().json(ChangeSnapshot {
        position: position.head,
        oldest_available_after: position.pruned_through,
        retention_days: state.config.changes_retention_days,
    }))
}

/// Registers this module's handlers; their order is the order of their paths in the OpenAPI
/// document.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_changes).service(get_changes_snapshot);
}
