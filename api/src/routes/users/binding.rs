//! Binding a representative's account to the ormas it acts for.

use actix_web::{HttpResponse, put, web};
use ormas_domain::{Action, Role};
use ormas_persistence::audit as audit_log;
use ormas_persistence::identity;
use ormas_persistence::register;
use utoipa_actix_web::service_config::ServiceConfig;

use super::dto::Binding;
use crate::audit::{self, Outcome};
use crate::auth::Principal;
use crate::error::{ApiError, Text};
use crate::extract::ValidJson;
use crate::routes::ormas::{not_found, visible};
use crate::state::AppState;

/// Bind a representative to its ormas.
#[utoipa::path(
    tag = "users",
    operation_id = "bindRepresentative",
    summary = "Bind a representative to its ormas",
    description = "Sets the ormas an `ormas_rep` account acts for (after checking the person \
represents it). The registration must be in the caller's region. Roles: `officer`, `admin`.",
    params(("id" = String, Path, description = "The representative's account id.")),
    request_body(content = Binding, content_type = "application/json"),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 204, description = "Bound (or unbound)."),
        (status = 400, response = ormas_openapi::responses::MalformedJson),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not bind representatives.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such representative or registration in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 413, response = ormas_openapi::responses::PayloadTooLarge),
        (status = 415, response = ormas_openapi::responses::UnsupportedMediaType),
        (status = 422, description = "A field is invalid.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[put("/v1/users/{id}/ormas")]
pub async fn bind_representative(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    body: ValidJson<Binding>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::BindRepresentative)?;
    let user_id = path.into_inner();
    let ormas_id = body.0.ormas_id;
    let lookup_user = user_id.clone();
    let lookup_ormas = ormas_id.clone();
    let (user, registration) = state
        .db(move |conn| {
            let user = identity::find_user(conn, &lookup_user)?;
            let registration = match &lookup_ormas {
                Some(id) => register::find_registration(conn, id)?,
                None => None,
            };
            Ok((user, registration))
        })
        .await?;
    let user = user
        .filter(|u| u.role == Role::OrmasRep.as_str())
        .ok_or_else(|| {
            ApiError::not_found(Text::new(
                "Akun perwakilan tidak ditemukan.",
                "No such representative account.",
            ))
        })?;
    let region = match (&ormas_id, registration) {
        (Some(id), Some((reg, _))) if visible(&principal, &reg.id, &reg.region_code) => {
            Some(reg.region_code)
        }
        (Some(id), _) => return Err(not_found(id)),
        (None, _) => None,
    };
    if region.is_none()
        && !principal.covers(user.region_code.as_deref())
        && principal.region().is_some()
    {
        return Err(ApiError::not_found(Text::new(
            "Akun perwakilan tidak ditemukan.",
            "No such representative account.",
        )));
    }
    let trail = audit::detail(
        audit::on(
            audit::event(Some(&principal), "user.bind_ormas", Outcome::Success),
            "user",
            &user.id,
            region.as_deref(),
        ),
        format!("ormas: {}", ormas_id.as_deref().unwrap_or("none")),
    );
    state
        .db(move |conn| {
            ormas_persistence::in_write_transaction(conn, |conn| {
                identity::bind_ormas(conn, &user.id, ormas_id.as_deref())?;
                audit_log::record(conn, &trail)
            })
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Registers this module's handlers; their order is the order of their paths in the OpenAPI
/// document.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(bind_representative);
}
