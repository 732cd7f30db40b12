//! A registration's history: every transition and change.

use actix_web::{HttpResponse, get, web};
use ormas_persistence::register;

use super::dto::{History, HistoryEntry};
use super::load_visible;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::state::AppState;

/// A registration's history.
#[utoipa::path(
    tag = "ormas",
    operation_id = "getOrmasHistory",
    summary = "A registration's history",
    description = "Every transition and change, oldest first: who, when, from which state to which, \
the reason, notes and the registration number issued. Roles: staff and integrators within their \
region; a representative, its own ormas.",
    params(("id" = String, Path, description = "The registration's id.")),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The history.", body = History),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 404, description = "No such registration in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/ormas/{id}/history")]
pub async fn get_history(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (reg, _) = load_visible(&state, &principal, path.into_inner()).await?;
    let events = state
        .db(move |conn| register::list_events(conn, &reg.id))
        .await?;
    Ok(HttpResponse::Ok().json(History {
        items: events.into_iter().map(HistoryEntry::from).collect(),
    }))
}
