//! Creating, reading, editing, deleting subscriptions, and rotating their secrets.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use ormas_domain::Action;
use ormas_domain::access::Role;
use ormas_persistence::webhooks::{self as store, SubscriptionRow, SubscriptionScope};
use ormas_persistence::{audit as audit_log, in_write_transaction};

use super::dto::*;
use super::*;
use crate::audit::{self, Outcome as AuditOutcome};
use crate::auth::Principal;
use crate::clock::now_utc;
use crate::error::ApiError;
use crate::extract::ValidJson;
use crate::routes::ormas::list::scoped_region;
use crate::routes::{RequiredIfMatch, represent, represent_get, require_matching_version};
use crate::state::AppState;
use crate::webhooks::new_secret;

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
