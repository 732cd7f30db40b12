//! Webhook subscriptions: `/v1/webhooks`, their secrets, pings and deliveries.
//!
//! A subscription receives the changes feed's events ([`crate::routes::changes`]) that its
//! creator may read, of the chosen types and region, signed per Standard Webhooks; how they are
//! delivered is in [`crate::webhooks`]. Integrators manage their own subscriptions; admins (and
//! the super admin) also see and manage those within their region.

pub mod crud;
pub mod deliveries;
pub mod dto;

use ormas_domain::Action;
use ormas_domain::changes::{all_event_types, readable_event_types};
use ormas_persistence::webhooks::{self as store, SubscriptionRow};
use ormas_persistence::{audit as audit_log, in_write_transaction};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::audit::{self, Outcome as AuditOutcome};
use crate::auth::Principal;
use crate::error::{ApiError, FieldIssue, Text};
use crate::state::AppState;
use crate::webhooks::{check_url, resolve};

pub(crate) fn not_found(id: &str) -> ApiError {
    ApiError::not_found(Text::new(
        format!("Webhook {id} tidak ditemukan."),
        format!("No webhook {id}."),
    ))
}

/// Whether the caller may see and manage `row`: its creator, or an admin whose scope covers the
/// subscription's region.
pub(crate) fn manages(principal: &Principal, row: &SubscriptionRow) -> bool {
    ormas_domain::webhooks::may_manage(
        principal.role,
        row.owner_id == principal.id,
        principal.covers(row.region_code.as_deref()),
    )
}

pub(crate) async fn load(
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
pub(crate) fn checked_types(
    principal: &Principal,
    types: Vec<String>,
) -> Result<Vec<String>, ApiError> {
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
pub(crate) async fn checked_url(state: &AppState, text: &str) -> Result<String, ApiError> {
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
pub(crate) async fn save(
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

/// Registers this module's handlers; their order is the order of their paths in the OpenAPI
/// document.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(crud::create_webhook)
        .service(crud::list_webhooks)
        .service(crud::get_webhook)
        .service(crud::update_webhook)
        .service(crud::delete_webhook)
        .service(crud::rotate_webhook_secret)
        .service(deliveries::ping_webhook)
        .service(deliveries::list_webhook_deliveries)
        .service(deliveries::redeliver_webhook_delivery);
}
