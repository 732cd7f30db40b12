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
represents it), or unbinds it with `ormas_id` null. The new registration must be in the \
caller's scope, and so must the ormas the representative is bound to now: a representative bound \
by another office is not the caller's to move (403). Both are audited in the regions concerned. \
Roles: `super_admin`, `admin`, `officer`.",
    params(("id" = String, Path, description = "The representative's account id.")),
    request_body(content = Binding, content_type = "application/json"),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 204, description = "Bound (or unbound)."),
        (status = 400, response = ormas_openapi::responses::MalformedJson),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not bind representatives, or the representative is bound to an ormas outside the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such representative or registration in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The binding changed meanwhile.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
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
    let (user, current, registration) = state
        .db(move |conn| {
            let user = identity::find_user(conn, &lookup_user)?;
            let current = match user.as_ref().and_then(|u| u.ormas_id.clone()) {
                Some(id) => register::find_registration(conn, &id)?,
                None => None,
            };
            let registration = match &lookup_ormas {
                Some(id) => register::find_registration(conn, id)?,
                None => None,
            };
            Ok((user, current, registration))
        })
        .await?;
    let no_such_rep = || {
        ApiError::not_found(Text::new(
            "Akun perwakilan tidak ditemukan.",
            "No such representative account.",
        ))
    };
    let user = user
        .filter(|u| u.role == Role::OrmasRep.as_str())
        .ok_or_else(no_such_rep)?;
    let new_region = match (&ormas_id, registration) {
        (Some(id), Some((reg, _))) if visible(&principal, &reg.id, &reg.region_code) => {
            Some(reg.region_code)
        }
        (Some(id), _) => return Err(not_found(id)),
        (None, _) => None,
    };
    // Where the representative is bound now must be the caller's: nobody moves a representative
    // bound by another office (an unbound one, self-registered, is anyone's to bind).
    let current_region = match current {
        Some((reg, _)) if principal.covers(Some(&reg.region_code)) => Some(reg.region_code),
        Some(_) => {
            return Err(ApiError::forbidden(Text::new(
                "Perwakilan ini terikat pada ormas di luar wilayah kewenangan Anda.",
                "This representative is bound to an ormas outside your scope.",
            )));
        }
        None if user.ormas_id.is_some() => None,
        None if user.region_code.is_some() && !principal.covers(user.region_code.as_deref()) => {
            return Err(no_such_rep());
        }
        None => None,
    };
    if user.ormas_id == ormas_id {
        return Ok(HttpResponse::NoContent().finish());
    }
    let detail = format!(
        "ormas: {} -> {}",
        user.ormas_id.as_deref().unwrap_or("none"),
        ormas_id.as_deref().unwrap_or("none")
    );
    let mut regions: Vec<Option<String>> = vec![current_region, new_region];
    regions.dedup();
    regions.retain(Option::is_some);
    if regions.is_empty() {
        regions.push(None);
    }
    let action = if ormas_id.is_some() {
        "user.bind_ormas"
    } else {
        "user.unbind_ormas"
    };
    let trails: Vec<_> = regions
        .iter()
        .map(|region| {
            audit::detail(
                audit::on(
                    audit::event(Some(&principal), action, Outcome::Success),
                    "user",
                    &user.id,
                    region.as_deref(),
                ),
                detail.clone(),
            )
        })
        .collect();
    let expected_binding = user.ormas_id.clone();
    let changed = state
        .db(move |conn| {
            ormas_persistence::in_write_transaction(conn, |conn| {
                // Guarded by the binding read above: a concurrent rebinding makes this a no-op,
                // answered 409, instead of overwriting it.
                if !identity::rebind_ormas(
                    conn,
                    &user.id,
                    expected_binding.as_deref(),
                    ormas_id.as_deref(),
                )? {
                    return Ok(false);
                }
                for trail in &trails {
                    audit_log::record(conn, trail)?;
                }
                Ok(true)
            })
        })
        .await?;
    if !changed {
        return Err(ApiError::stale_version());
    }
    Ok(HttpResponse::NoContent().finish())
}

/// Registers this module's handlers; their order is the order of their paths in the OpenAPI
/// document.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(bind_representative);
}
