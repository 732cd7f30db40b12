//! Liveness and readiness.

use actix_web::{HttpResponse, get, web};
use ormas_persistence::Backend;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::ApiError;
use crate::state::AppState;

/// The process is alive.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: String,
}

/// The service can answer requests that need the database.
#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    #[schema(example = "ready")]
    pub status: String,
    /// The database backend in use.
    #[schema(example = "sqlite")]
    pub database: DatabaseKind,
}

#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DatabaseKind {
    Sqlite,
    Postgres,
}

/// Liveness: answers 200 while the process runs, whatever the database does.
#[utoipa::path(
    tag = "system",
    operation_id = "health",
    security(()),
    summary = "Liveness",
    description = "Answers 200 while the process is running. Needs no authentication.",
    responses(
        (status = 200, description = "The process is alive.", body = Health),
    )
)]
#[get("/health")]
pub async fn health() -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: "ok".into(),
    })
}

/// Readiness: answers 200 when the database answers a query, 503 with `Retry-After` otherwise.
#[utoipa::path(
    tag = "system",
    operation_id = "ready",
    security(()),
    summary = "Readiness",
    description = "Answers 200 when the database answers a query within the pool timeout, and 503 \
with `Retry-After` when it does not. Needs no authentication. Load balancers route traffic on it.",
    responses(
        (status = 200, description = "The database answers.", body = Readiness),
        (status = 503, description = "The database does not answer.", body = ormas_openapi::Problem,
            content_type = "application/problem+json",
            headers(("Retry-After" = u32, description = "Seconds to wait before retrying."))),
    )
)]
#[get("/ready")]
pub async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let backend = state
        .db(|conn| {
            use diesel::connection::SimpleConnection;
            conn.batch_execute("SELECT 1")
                .map_err(ormas_persistence::PersistenceError::from)?;
            Ok(Backend::of(conn))
        })
        .await?;
    Ok(HttpResponse::Ok().json(Readiness {
        status: "ready".into(),
        database: match backend {
            Backend::Sqlite => DatabaseKind::Sqlite,
            Backend::Postgres => DatabaseKind::Postgres,
        },
    }))
}

/// Registers this module's handlers; their order is the order of their paths in the OpenAPI
/// document.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health).service(ready);
}
