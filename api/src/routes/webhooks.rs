//! Webhook subscriptions: `/v1/webhooks`, their secrets, pings and deliveries.
//!
//! A subscription receives the changes feed's events ([`crate::routes::changes`]) that its
//! creator may read, of the chosen types and region, signed per Standard Webhooks; how they are
//! delivered is in [`crate::webhooks`]. Integrators manage their own subscriptions; admins (and
//! the super admin) also see and manage those within their region.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use ormas_domain::Action;
use ormas_domain::access::Role;
use ormas_domain::changes::{all_event_types, readable_event_types};
use ormas_persistence::webhooks::{self as store, DeliveryRow, SubscriptionRow, SubscriptionScope};
use ormas_persistence::{audit as audit_log, in_write_transaction};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::audit::{self, Outcome as AuditOutcome};
use crate::auth::Principal;
use crate::clock::now_utc;
use crate::error::{ApiError, FieldIssue, Text};
use crate::extract::{ValidJson, ValidQuery};
use crate::routes::changes::ChangeEventType;
use crate::routes::dto::{optional_i64, utc, validate_region_code};
use crate::routes::ormas::list::scoped_region;
use crate::routes::paging;
use crate::routes::{
    RequiredIfMatch, Resource, represent, represent_get, require_matching_version,
};
use crate::state::AppState;
use crate::webhooks::{check_url, new_secret, resolve};

/// A subscription to the changes feed.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193b3c4-5d6e-7f80-9a1b-2c3d4e5f6a70", "url": "https://siormas.example.go.id/hooks/ormas",
    "description": "SIORMAS", "types": ["ormas.registered", "report.accepted"], "region_code": "64",
    "enabled": true, "disabled_reason": null, "disabled_at": null, "owner_role": "integrator",
    "previous_secret_valid_until": null, "created_at": "2026-12-04T03:04:05Z",
    "updated_at": "2026-12-04T03:04:05Z", "version": 1
}))]
pub struct Webhook {
    pub id: String,
    /// Where deliveries are `POST`ed.
    pub url: String,
    #[schema(required = true)]
    pub description: Option<String>,
    /// The event types delivered; empty: every type the creator may read.
    #[schema(value_type = Vec<ChangeEventType>)]
    pub types: Vec<String>,
    /// The region subtree delivered; `null`: the nation.
    #[schema(required = true)]
    pub region_code: Option<String>,
    /// `false` when paused, or disabled after a delivery was given up (`disabled_reason` says
    /// which and why).
    pub enabled: bool,
    #[schema(required = true)]
    pub disabled_reason: Option<String>,
    #[schema(required = true)]
    pub disabled_at: Option<DateTime<Utc>>,
    /// The role of the account or client that created it: deliveries carry what it may read.
    pub owner_role: String,
    /// After a rotation, until when the previous secret still signs too.
    #[schema(required = true)]
    pub previous_secret_valid_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl Webhook {
    fn build(row: &SubscriptionRow) -> Webhook {
        let now = now_utc();
        Webhook {
            id: row.id.clone(),
            url: row.url.clone(),
            description: row.description.clone(),
            types: row.types(),
            region_code: row.region_code.clone(),
            enabled: row.enabled,
            disabled_reason: row.disabled_reason.clone(),
            disabled_at: row.disabled_at.map(utc),
            owner_role: row.owner_role.clone(),
            previous_secret_valid_until: row
                .previous_secret_until
                .filter(|until| *until > now && row.previous_secret.is_some())
                .map(utc),
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
            version: row.version,
        }
    }
}

impl Resource for Webhook {
    fn location(&self) -> String {
        format!("/v1/webhooks/{}", self.id)
    }
    fn version(&self) -> Option<i32> {
        Some(self.version)
    }
}

/// A subscription with its signing secret: answered only when it is created or its secret
/// rotated. Keep the secret: it is never shown again.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookWithSecret {
    #[serde(flatten)]
    pub webhook: Webhook,
    /// The Standard Webhooks secret (`whsec_` and base64): verify `webhook-signature` with it.
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    pub secret: String,
}

impl Resource for WebhookWithSecret {
    fn location(&self) -> String {
        self.webhook.location()
    }
    fn version(&self) -> Option<i32> {
        Some(self.webhook.version)
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookList {
    pub items: Vec<Webhook>,
}

/// A new subscription.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"url": "https://siormas.example.go.id/hooks/ormas",
    "types": ["ormas.registered"], "region": "64", "description": "SIORMAS"}))]
pub struct CreateWebhook {
    /// An absolute `https` URL (plain `http` only to an origin the deployment allow-lists) whose
    /// host resolves to public addresses only.
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub url: String,
    /// The event types to deliver (default: every type the caller may read).
    #[serde(default)]
    #[validate(length(max = 200))]
    #[schema(value_type = Vec<ChangeEventType>, max_items = 200)]
    pub types: Vec<String>,
    /// Only this region's subtree (within the caller's scope; default: the caller's region).
    #[validate(custom(function = "validate_region_code"))]
    #[schema(pattern = r"^[0-9]{2}(\.[0-9]{2}){0,2}$")]
    pub region: Option<String>,
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub description: Option<String>,
}

/// Changes to a subscription; absent fields stay as they are.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct UpdateWebhook {
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub url: Option<String>,
    #[validate(length(max = 200))]
    #[schema(value_type = Option<Vec<ChangeEventType>>, max_items = 200)]
    pub types: Option<Vec<String>>,
    #[validate(custom(function = "validate_region_code"))]
    #[schema(pattern = r"^[0-9]{2}(\.[0-9]{2}){0,2}$")]
    pub region: Option<String>,
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub description: Option<String>,
    /// `false` pauses deliveries; `true` resumes them, also after the subscription was disabled
    /// (the given-up delivery stays `failed`: redeliver it if it is still wanted).
    pub enabled: Option<bool>,
}

/// How long the previous secret keeps signing after a rotation.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct RotateSecret {
    /// Hours during which both secrets sign (0 to 168, default 24): time to deploy the new one.
    #[serde(deserialize_with = "optional_i64")]
    #[validate(range(min = 0, max = 168))]
    #[schema(minimum = 0, maximum = 168, default = 24)]
    pub overlap_hours: Option<i64>,
}

/// One event's delivery to a subscription.
#[derive(Debug, Serialize, ToSchema)]
pub struct Delivery {
    pub id: String,
    /// The `webhook-id` header: the event's id, the same on every attempt.
    pub message_id: String,
    /// The event's position in the feed (a ping: the position it was sent at).
    pub event_seq: i64,
    /// The event's type, or `webhook.ping`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// `pending` (waiting for its turn or its retry), `succeeded`, or `failed` (given up; the
    /// subscription was disabled).
    #[schema(value_type = DeliveryStatus)]
    pub status: String,
    pub attempts: i32,
    /// When it is tried next (pending only).
    #[schema(required = true)]
    pub next_attempt_at: Option<DateTime<Utc>>,
    #[schema(required = true)]
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// The receiver's last status code (`null`: no answer).
    #[schema(required = true)]
    pub last_status_code: Option<i32>,
    /// What went wrong on the last attempt.
    #[schema(required = true)]
    pub last_error: Option<String>,
    #[schema(required = true)]
    pub delivered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// The states of a delivery.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    Pending,
    Succeeded,
    Failed,
}

impl DeliveryStatus {
    fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => store::PENDING,
            DeliveryStatus::Succeeded => store::SUCCEEDED,
            DeliveryStatus::Failed => store::FAILED,
        }
    }
}

impl From<DeliveryRow> for Delivery {
    fn from(row: DeliveryRow) -> Self {
        let pending = row.status == store::PENDING;
        Delivery {
            id: row.id,
            message_id: row.message_id,
            event_seq: row.event_seq,
            event_type: row.event_type,
            status: row.status,
            attempts: row.attempts,
            next_attempt_at: pending.then(|| utc(row.next_attempt_at)),
            last_attempt_at: row.last_attempt_at.map(utc),
            last_status_code: row.last_status_code,
            last_error: row.last_error,
            delivered_at: row.delivered_at.map(utc),
            created_at: utc(row.created_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryPage {
    /// Newest first.
    pub items: Vec<Delivery>,
    /// The next page's token; `null` on the last page.
    #[schema(required = true)]
    pub next_page_token: Option<String>,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    /// Only deliveries in this state.
    #[param(value_type = Option<DeliveryStatus>)]
    pub status: Option<DeliveryStatus>,
    /// 1 to 200 (default 50).
    #[validate(range(min = 1, max = 200))]
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub page_size: Option<i64>,
    /// The `next_page_token` of the previous page.
    #[param(pattern = r"^(?:[2-6][0-9a-f]|7[0-9a-e]|1f){1,512}$")]
    pub page_token: Option<String>,
}

fn not_found(id: &str) -> ApiError {
    ApiError::not_found(Text::new(
        format!("Webhook {id} tidak ditemukan."),
        format!("No webhook {id}."),
    ))
}

/// Whether the caller may see and manage `row`: its creator, or an admin whose scope covers the
/// subscription's region.
fn manages(principal: &Principal, row: &SubscriptionRow) -> bool {
    row.owner_id == principal.id
        || (matches!(principal.role, Role::Admin | Role::SuperAdmin)
            && principal.covers(row.region_code.as_deref()))
}

async fn load(
    state: &AppState,
    principal: &Principal,
    id: String,
) -> Result<SubscriptionRow, ApiError> {
    principal.require(Action::ManageWebhooks)?;
    let lookup = id.clone();
    state
        .db(move |conn| store::find_subscription(conn, &lookup))
        .await?
        .filter(|row| manages(principal, row))
        .ok_or_else(|| not_found(&id))
}

/// The types as asked: each a known type the caller may read (422 naming the others).
fn checked_types(principal: &Principal, types: Vec<String>) -> Result<Vec<String>, ApiError> {
    let known = all_event_types();
    let readable = readable_event_types(principal.role);
    let mut issues = Vec::new();
    for (i, t) in types.iter().enumerate() {
        if !known.contains(&t.as_str()) {
            issues.push(FieldIssue::new(
                format!("types[{i}]"),
                "unknown_event_type",
                Text::new(
                    format!("jenis peristiwa tidak dikenal: {t}"),
                    format!("unknown event type: {t}"),
                ),
            ));
        } else if !readable.contains(&t.as_str()) {
            issues.push(FieldIssue::new(
                format!("types[{i}]"),
                "not_readable",
                Text::new(
                    format!("peran {} tidak boleh membaca {t}", principal.role),
                    format!("the role {} may not read {t}", principal.role),
                ),
            ));
        }
    }
    if !issues.is_empty() {
        return Err(ApiError::validation(issues));
    }
    let mut types = types;
    types.sort();
    types.dedup();
    Ok(types)
}

/// The URL as given, checked as written and resolved: 422 `webhook_url_refused` saying why.
async fn checked_url(state: &AppState, text: &str) -> Result<String, ApiError> {
    let allowlist = &state.config.webhooks.allowlist;
    let refused = |en: String| {
        ApiError::validation(vec![FieldIssue::new(
            "url",
            "webhook_url_refused",
            Text::new(
                format!("URL ditolak: {en}"),
                format!("the URL is refused: {en}"),
            ),
        )])
    };
    let url = check_url(text.trim(), allowlist).map_err(|why| refused(why.to_owned()))?;
    resolve(&url, allowlist).await.map_err(refused)?;
    Ok(url.to_string())
}

/// Saves an edited subscription (still at version `expected`) with its audit row.
async fn save(
    state: &AppState,
    principal: &Principal,
    action: &str,
    row: &SubscriptionRow,
    expected: i32,
) -> Result<(), ApiError> {
    let trail = audit::on(
        audit::event(Some(principal), action, AuditOutcome::Success),
        "webhook",
        &row.id,
        row.region_code.as_deref(),
    );
    let stored = row.clone();
    state
        .db(move |conn| {
            in_write_transaction(conn, |conn| {
                store::update_subscription(conn, &stored, expected)?;
                audit_log::record(conn, &trail)?;
                Ok(())
            })
        })
        .await
}

/// Create a subscription.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "createWebhook",
    summary = "Subscribe to the changes feed",
    description = "Delivers every new event of the changes feed that the caller may read, of the \
given types, in the region's subtree, to `url`: a `POST` with the event as `GET /v1/changes` lists \
it, signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature: \
v1,<base64 HMAC-SHA256 of id.timestamp.body>` with the secret's key, the base64 after `whsec_`). \
Deliveries start from the feed's position now, one at a time and in feed order; a 2xx answer is a \
delivery, anything else (a redirect included) is retried with exponential backoff for about three \
days, after which the subscription is disabled with the reason. The receiver should dedupe on \
`webhook-id`: delivery is at least once. The URL must be `https` (plain `http` only to an origin \
on the deployment's allow-list) and its host must resolve to public addresses only (no loopback, \
private, link-local, CGNAT or multicast address, IPv4-mapped forms included); redirects are never \
followed. The answer carries the signing secret, shown only now. Roles: `integrator`, `admin`, \
`super_admin`.",
    request_body(content = CreateWebhook, content_type = "application/json"),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 201, description = "The subscription with its secret.", body = WebhookWithSecret, headers(("ETag" = String, description = "Its version and a digest of this representation; send it back in `If-Match`."), ("Location" = String, description = "Its URL."))),
        (status = 400, response = ormas_openapi::responses::MalformedJson),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not manage webhooks, or the region is outside the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 413, response = ormas_openapi::responses::PayloadTooLarge),
        (status = 415, response = ormas_openapi::responses::UnsupportedMediaType),
        (status = 422, description = "A field is invalid: the URL is refused (`webhook_url_refused`, with the reason), or an event type is unknown or not readable by the caller.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[post("/v1/webhooks")]
pub async fn create_webhook(
    state: web::Data<AppState>,
    principal: Principal,
    body: ValidJson<CreateWebhook>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::ManageWebhooks)?;
    let request = body.0;
    let region = scoped_region(&principal, request.region)?;
    let types = checked_types(&principal, request.types)?;
    let url = checked_url(&state, &request.url).await?;
    let at = now_utc();
    let secret = new_secret();
    let mut row = SubscriptionRow {
        id: uuid::Uuid::now_v7().to_string(),
        owner_id: principal.id.clone(),
        owner_role: principal.role.to_string(),
        owner_region: principal.region(),
        url,
        description: request.description,
        event_types: serde_json::to_string(&types).map_err(ApiError::internal)?,
        region_code: region,
        secret: secret.clone(),
        previous_secret: None,
        previous_secret_until: None,
        enabled: true,
        disabled_reason: None,
        disabled_at: None,
        cursor_seq: 0,
        lease_owner: None,
        lease_until: None,
        version: 1,
        created_at: at,
        updated_at: at,
    };
    let trail = audit::on(
        audit::event(Some(&principal), "webhook.create", AuditOutcome::Success),
        "webhook",
        &row.id,
        row.region_code.as_deref(),
    );
    let stored = row.clone();
    let cursor = state
        .db(move |conn| {
            in_write_transaction(conn, |conn| {
                // From now on: the feed's position as this subscription is created.
                let mut stored = stored;
                stored.cursor_seq = ormas_persistence::changes::position(conn)?.head;
                store::insert_subscription(conn, &stored)?;
                audit_log::record(conn, &trail)?;
                Ok(stored.cursor_seq)
            })
        })
        .await?;
    row.cursor_seq = cursor;
    represent(
        StatusCode::CREATED,
        &WebhookWithSecret {
            webhook: Webhook::build(&row),
            secret,
        },
    )
}

/// List subscriptions.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "listWebhooks",
    summary = "List webhook subscriptions",
    description = "An integrator's own subscriptions; an admin's, those within its region (the \
super admin's: all). Secrets are never listed. Roles: `integrator`, `admin`, `super_admin`.",
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The subscriptions, oldest first.", body = WebhookList),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not manage webhooks.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/webhooks")]
pub async fn list_webhooks(
    state: web::Data<AppState>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::ManageWebhooks)?;
    let scope = if matches!(principal.role, Role::Admin | Role::SuperAdmin) {
        SubscriptionScope::Region(principal.region())
    } else {
        SubscriptionScope::Owner(principal.id.clone())
    };
    let rows = state
        .db(move |conn| store::list_subscriptions(conn, &scope))
        .await?;
    Ok(HttpResponse::Ok().json(WebhookList {
        items: rows
            .iter()
            .filter(|row| manages(&principal, row))
            .map(Webhook::build)
            .collect(),
    }))
}

/// Read a subscription.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "getWebhook",
    summary = "Read a webhook subscription",
    description = "Its settings and whether it is enabled (or why it was disabled); never its \
secret. Roles: its creator; an admin within its region.",
    params(("id" = String, Path, description = "The subscription's id."), crate::routes::IfNoneMatch),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The subscription.", body = Webhook, headers(("ETag" = String, description = "Its version and a digest of this representation; send it back in `If-Match`."), ("Location" = String, description = "Its URL."))),
        (status = 304, response = ormas_openapi::responses::NotModified),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not manage webhooks.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription that the caller manages.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/webhooks/{id}")]
pub async fn get_webhook(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let row = load(&state, &principal, path.into_inner()).await?;
    represent_get(&req, &Webhook::build(&row))
}

/// Edit a subscription.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "updateWebhook",
    summary = "Edit, pause or resume a webhook subscription",
    description = "Changes the URL (checked again), the types, the region or the description; \
`enabled` pauses or resumes it (resuming also re-enables a subscription disabled after a given-up \
delivery; later events wait behind nothing, the given-up one stays `failed`). Roles: its creator; \
an admin within its region.",
    params(("id" = String, Path, description = "The subscription's id."), RequiredIfMatch),
    request_body(content = UpdateWebhook, content_type = "application/json"),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The subscription as changed.", body = Webhook, headers(("ETag" = String, description = "Its version and a digest of this representation; send it back in `If-Match`."), ("Location" = String, description = "Its URL."))),
        (status = 400, description = "The body is not valid JSON, or `If-Match` is malformed.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not manage webhooks, or the region is outside the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription that the caller manages.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "It changed meanwhile.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 413, response = ormas_openapi::responses::PayloadTooLarge),
        (status = 415, response = ormas_openapi::responses::UnsupportedMediaType),
        (status = 422, description = "A field is invalid (the URL refused, an unknown or unreadable type).", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 428, response = ormas_openapi::responses::PreconditionRequired),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[patch("/v1/webhooks/{id}")]
pub async fn update_webhook(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
    body: ValidJson<UpdateWebhook>,
) -> Result<HttpResponse, ApiError> {
    let mut row = load(&state, &principal, path.into_inner()).await?;
    require_matching_version(&req, row.version)?;
    let request = body.0;
    let expected = row.version;
    if let Some(url) = request.url {
        row.url = checked_url(&state, &url).await?;
    }
    if let Some(types) = request.types {
        row.event_types = serde_json::to_string(&checked_types(&principal, types)?)
            .map_err(ApiError::internal)?;
    }
    if let Some(region) = request.region {
        row.region_code = scoped_region(&principal, Some(region))?;
    }
    if let Some(description) = request.description {
        row.description = Some(description);
    }
    let at = now_utc();
    match request.enabled {
        Some(true) if !row.enabled => {
            row.enabled = true;
            row.disabled_reason = None;
            row.disabled_at = None;
        }
        Some(false) if row.enabled => {
            row.enabled = false;
            row.disabled_reason = Some("paused".into());
            row.disabled_at = Some(at);
        }
        _ => {}
    }
    row.version += 1;
    row.updated_at = at;
    save(&state, &principal, "webhook.update", &row, expected).await?;
    represent(StatusCode::OK, &Webhook::build(&row))
}

/// Delete a subscription.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "deleteWebhook",
    summary = "Delete a webhook subscription",
    description = "Stops its deliveries and removes their history. Roles: its creator; an admin \
within its region.",
    params(("id" = String, Path, description = "The subscription's id.")),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 204, description = "Deleted."),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not manage webhooks.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription that the caller manages.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[delete("/v1/webhooks/{id}")]
pub async fn delete_webhook(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let row = load(&state, &principal, path.into_inner()).await?;
    let trail = audit::on(
        audit::event(Some(&principal), "webhook.delete", AuditOutcome::Success),
        "webhook",
        &row.id,
        row.region_code.as_deref(),
    );
    state
        .db(move |conn| {
            in_write_transaction(conn, |conn| {
                store::delete_subscription(conn, &row.id)?;
                audit_log::record(conn, &trail)?;
                Ok(())
            })
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Rotate a subscription's secret.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "rotateWebhookSecret",
    summary = "Rotate a webhook's signing secret",
    description = "Issues a new secret, shown only in this answer. For `overlap_hours` (default 24) \
every delivery carries two signatures in `webhook-signature`, one by each secret, so the receiver \
can switch without losing a delivery. Roles: its creator; an admin within its region.",
    params(("id" = String, Path, description = "The subscription's id.")),
    request_body(content = RotateSecret, content_type = "application/json"),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The subscription with its new secret.", body = WebhookWithSecret, headers(("ETag" = String, description = "Its version and a digest of this representation; send it back in `If-Match`."), ("Location" = String, description = "Its URL."))),
        (status = 400, response = ormas_openapi::responses::MalformedJson),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not manage webhooks.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription that the caller manages.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "It changed meanwhile: try again.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 413, response = ormas_openapi::responses::PayloadTooLarge),
        (status = 415, response = ormas_openapi::responses::UnsupportedMediaType),
        (status = 422, description = "`overlap_hours` is out of range.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[post("/v1/webhooks/{id}/rotate-secret")]
pub async fn rotate_webhook_secret(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    body: ValidJson<RotateSecret>,
) -> Result<HttpResponse, ApiError> {
    let mut row = load(&state, &principal, path.into_inner()).await?;
    let overlap = body.0.overlap_hours.unwrap_or(24);
    let at = now_utc();
    let secret = new_secret();
    let expected = row.version;
    row.previous_secret = (overlap > 0).then(|| row.secret.clone());
    row.previous_secret_until = (overlap > 0).then(|| at + chrono::Duration::hours(overlap));
    row.secret = secret.clone();
    row.version += 1;
    row.updated_at = at;
    save(&state, &principal, "webhook.rotate_secret", &row, expected).await?;
    represent(
        StatusCode::OK,
        &WebhookWithSecret {
            webhook: Webhook::build(&row),
            secret,
        },
    )
}

/// Send a test delivery.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "pingWebhook",
    summary = "Send a test delivery",
    description = "Queues a `webhook.ping` delivery (`{\"id\", \"type\": \"webhook.ping\", \
\"occurred_at\", \"data\": {\"webhook\"}}`), signed like every other, after the events already \
queued; follow it in the deliveries. Roles: its creator; an admin within its region.",
    params(("id" = String, Path, description = "The subscription's id.")),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 202, description = "The queued delivery.", body = Delivery),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not manage webhooks.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription that the caller manages.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[post("/v1/webhooks/{id}/ping")]
pub async fn ping_webhook(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let row = load(&state, &principal, path.into_inner()).await?;
    let at = now_utc();
    let message_id = uuid::Uuid::now_v7().to_string();
    let payload = serde_json::json!({
        "id": message_id,
        "type": "webhook.ping",
        "occurred_at": utc(at),
        "data": {"webhook": format!("/v1/webhooks/{}", row.id)},
    });
    let sub = row.id.clone();
    let delivery = state
        .db(move |conn| {
            in_write_transaction(conn, |conn| {
                let cursor = store::find_subscription(conn, &sub)?
                    .map_or(row.cursor_seq, |current| current.cursor_seq);
                let delivery = DeliveryRow {
                    id: uuid::Uuid::now_v7().to_string(),
                    subscription_id: sub,
                    message_id,
                    event_seq: cursor,
                    event_type: "webhook.ping".into(),
                    payload: payload.to_string(),
                    status: store::PENDING.into(),
                    attempts: 0,
                    next_attempt_at: at,
                    last_attempt_at: None,
                    last_status_code: None,
                    last_error: None,
                    delivered_at: None,
                    created_at: at,
                };
                store::enqueue(conn, &delivery)?;
                Ok(delivery)
            })
        })
        .await?;
    Ok(HttpResponse::Accepted().json(Delivery::from(delivery)))
}

/// List a subscription's deliveries.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "listWebhookDeliveries",
    summary = "List a webhook's deliveries",
    description = "Newest first: each event's status, attempts, the receiver's last status code \
and error, and when it is tried next. Roles: its creator; an admin within its region.",
    params(("id" = String, Path, description = "The subscription's id."), DeliveryQuery),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "A page of deliveries.", body = DeliveryPage),
        (status = 400, description = "A query parameter is invalid.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not manage webhooks.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription that the caller manages.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/webhooks/{id}/deliveries")]
pub async fn list_webhook_deliveries(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    query: ValidQuery<DeliveryQuery>,
) -> Result<HttpResponse, ApiError> {
    let row = load(&state, &principal, path.into_inner()).await?;
    let query = query.0;
    let before = match query.page_token.as_deref() {
        None => None,
        Some(token) => {
            let (seq, id) = paging::decode_pair(token)?;
            Some((seq.parse::<i64>().map_err(|_| paging::invalid_token())?, id))
        }
    };
    let size = query.page_size.unwrap_or(50);
    let status = query.status.map(DeliveryStatus::as_str);
    let mut rows = state
        .db(move |conn| store::list_deliveries(conn, &row.id, status, before, size + 1))
        .await?;
    let more = i64::try_from(rows.len()).unwrap_or(i64::MAX) > size;
    rows.truncate(usize::try_from(size).unwrap_or(50));
    let next_page_token = more
        .then(|| rows.last())
        .flatten()
        .map(|last| paging::encode(&paging::pair(&last.event_seq.to_string(), &last.id)));
    Ok(HttpResponse::Ok().json(DeliveryPage {
        items: rows.into_iter().map(Delivery::from).collect(),
        next_page_token,
    }))
}

/// Deliver an event again.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "redeliverWebhookDelivery",
    summary = "Deliver an event again",
    description = "Puts the delivery back in the queue, due now (with the same `webhook-id`): \
a given-up one after the receiver was fixed, or a delivered one the receiver lost. It goes out in \
feed order, before later events still waiting. Roles: its creator; an admin within its region.",
    params(
        ("id" = String, Path, description = "The subscription's id."),
        ("delivery" = String, Path, description = "The delivery's id."),
    ),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 202, description = "The delivery, queued again.", body = Delivery),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not manage webhooks.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription that the caller manages, or no such delivery of it.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[post("/v1/webhooks/{id}/deliveries/{delivery}/redeliver")]
pub async fn redeliver_webhook_delivery(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, delivery) = path.into_inner();
    let row = load(&state, &principal, id).await?;
    let at = now_utc();
    let lookup = delivery.clone();
    let found = state
        .db(move |conn| {
            in_write_transaction(conn, |conn| {
                if store::find_delivery(conn, &row.id, &lookup)?.is_none() {
                    return Ok(None);
                }
                store::redeliver(conn, &lookup, at)?;
                store::find_delivery(conn, &row.id, &lookup)
            })
        })
        .await?;
    let found = found.ok_or_else(|| {
        ApiError::not_found(Text::new(
            format!("Pengiriman {delivery} tidak ditemukan."),
            format!("No delivery {delivery} of this webhook."),
        ))
    })?;
    Ok(HttpResponse::Accepted().json(Delivery::from(found)))
}

/// Registers this module's handlers; their order is the order of their paths in the OpenAPI
/// document.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(create_webhook)
        .service(list_webhooks)
        .service(get_webhook)
        .service(update_webhook)
        .service(delete_webhook)
        .service(rotate_webhook_secret)
        .service(ping_webhook)
        .service(list_webhook_deliveries)
        .service(redeliver_webhook_delivery);
}
