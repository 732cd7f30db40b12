//! Pings, the deliveries' history, and redelivery.

use actix_web::{HttpResponse, get, post, web};
use ormas_persistence::in_write_transaction;
use ormas_persistence::webhooks::{self as store, DeliveryRow};

use super::dto::*;
use super::*;
use crate::auth::Principal;
use crate::clock::now_utc;
use crate::error::{ApiError, Text};
use crate::extract::ValidQuery;
use crate::routes::dto::utc;
use crate::routes::paging;
use crate::state::AppState;

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
