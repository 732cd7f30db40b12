//! Binding a representative's account to the ormas it acts for.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, put, web};
use ormas_domain::{Action, Role};
use ormas_persistence::audit as audit_log;
use ormas_persistence::identity::{self, UserRow};
use ormas_persistence::register::{self, RegistrationRow};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::dto::Binding;
use crate::audit::{self, Outcome};
use crate::auth::Principal;
use crate::error::{ApiError, Text};
use crate::extract::ValidJson;
use crate::routes::ormas::{not_found, visible};
use crate::routes::{
    IfNoneMatch, RequiredIfMatch, Resource, etag_of, represent_get, require_matching_version,
};
use crate::state::AppState;

/// The ormas a representative's account acts for, as read. The binding is part of the account:
/// its `ETag` names the account's version, to send back in `If-Match` when binding.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"ormas_id": "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"}))]
pub struct BindingState {
    /// The registration the account acts for; `null` when unbound.
    #[schema(required = true)]
    pub ormas_id: Option<String>,
    #[serde(skip)]
    user_id: String,
    #[serde(skip)]
    version: i32,
}

impl Resource for BindingState {
    fn location(&self) -> String {
        format!("/v1/users/{}/ormas", self.user_id)
    }

    fn version(&self) -> Option<i32> {
        Some(self.version)
    }
}

fn no_such_rep() -> ApiError {
    ApiError::not_found(Text::new(
        "Akun perwakilan tidak ditemukan.",
        "No such representative account.",
    ))
}

/// The account, if it is a representative's (404 otherwise).
fn representative(user: Option<UserRow>) -> Result<UserRow, ApiError> {
    user.filter(|u| u.role == Role::OrmasRep.as_str())
        .ok_or_else(no_such_rep)
}

/// The region of the ormas the representative `user` is bound to now, which must be the
/// caller's: nobody moves a representative bound by another office (403); an unbound one,
/// self-registered, is anyone's to bind within its region (404 outside it).
fn current_region(
    principal: &Principal,
    user: &UserRow,
    current: Option<RegistrationRow>,
) -> Result<Option<String>, ApiError> {
    let current_region = match current {
        Some(reg) if principal.covers(Some(&reg.region_code)) => Some(reg.region_code),
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
    Ok(current_region)
}

/// Get a representative's binding.
#[utoipa::path(
    tag = "users",
    operation_id = "getRepresentativeBinding",
    summary = "Get a representative's binding",
    description = "The ormas an `ormas_rep` account acts for (`null` when unbound), with an `ETag` \
naming the account's version: send it back in `If-Match` to `PUT /v1/users/{id}/ormas`. The same \
representatives as the `PUT` can be read: bound within the caller's scope (403 when bound by \
another office), or unbound. Roles: `super_admin`, `admin`, `officer`.",
    params(("id" = String, Path, description = "The representative's account id."), IfNoneMatch),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The binding.", body = BindingState,
            headers(("ETag" = String, description = "Its version and a digest of this representation; send it back in `If-Match`."), ("Location" = String, description = "Its URL."))),
        (status = 304, response = ormas_openapi::responses::NotModified),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not bind representatives, or the representative is bound to an ormas outside the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such representative in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/users/{id}/ormas")]
pub async fn get_representative_binding(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::BindRepresentative)?;
    let user_id = path.into_inner();
    let (user, current) = state
        .db(move |conn| {
            let user = identity::find_user(conn, &user_id)?;
            let current = match user.as_ref().and_then(|u| u.ormas_id.clone()) {
                Some(id) => register::find_registration(conn, &id)?,
                None => None,
            };
            Ok((user, current))
        })
        .await?;
    let user = representative(user)?;
    current_region(&principal, &user, current.map(|(reg, _)| reg))?;
    represent_get(
        &req,
        &BindingState {
            ormas_id: user.ormas_id,
            user_id: user.id,
            version: user.version,
        },
    )
}

/// Bind a representative to its ormas.
#[utoipa::path(
    tag = "users",
    operation_id = "bindRepresentative",
    summary = "Bind a representative to its ormas",
    description = "Sets the ormas an `ormas_rep` account acts for (after checking the person \
represents it), or unbinds it with `ormas_id` null. The new registration must be in the \
caller's scope, and so must the ormas the representative is bound to now: a representative bound \
by another office is not the caller's to move (403). Both are audited in the regions concerned. \
The binding is part of the account: send the `ETag` of `GET /v1/users/{id}/ormas` (or of \
`GET /v1/users/{id}`) in `If-Match` (428 without it, 412 when stale); the account's version \
rises, and the answer's `ETag` names the new one. Roles: `super_admin`, `admin`, `officer`.",
    params(
        ("id" = String, Path, description = "The representative's account id."),
        RequiredIfMatch,
    ),
    request_body(content = Binding, content_type = "application/json"),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 204, description = "Bound (or unbound).",
            headers(("ETag" = String, description = "The binding's new version and a digest of its representation; send it back in `If-Match`."))),
        (status = 400, description = "The body is not valid JSON, or `If-Match` is malformed.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not bind representatives, or the representative is bound to an ormas outside the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such representative or registration in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The binding changed meanwhile (a race lost without `If-Match`).", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version of the account.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 428, response = ormas_openapi::responses::PreconditionRequired),
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
    req: HttpRequest,
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
    let user = representative(user)?;
    let new_region = match (&ormas_id, registration) {
        (Some(id), Some((reg, _))) if visible(&principal, &reg.id, &reg.region_code) => {
            Some(reg.region_code)
        }
        (Some(id), _) => return Err(not_found(id)),
        (None, _) => None,
    };
    let current_region = current_region(&principal, &user, current.map(|(reg, _)| reg))?;
    require_matching_version(&req, user.version)?;
    if user.ormas_id == ormas_id {
        let unchanged = BindingState {
            ormas_id,
            user_id: user.id,
            version: user.version,
        };
        return Ok(HttpResponse::NoContent()
            .insert_header((header::ETAG, etag_of(&unchanged)?))
            .finish());
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
    let expected_version = user.version;
    let bound = BindingState {
        ormas_id: ormas_id.clone(),
        user_id: user.id.clone(),
        version: user.version + 1,
    };
    let changed = state
        .db(move |conn| {
            ormas_persistence::in_write_transaction(conn, |conn| {
                // Guarded by the binding and the version read above: a concurrent change makes
                // this a no-op, answered 412 (409 without If-Match), instead of overwriting it.
                if !identity::rebind_ormas(
                    conn,
                    &user.id,
                    expected_version,
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
    Ok(HttpResponse::NoContent()
        .insert_header((header::ETAG, etag_of(&bound)?))
        .finish())
}

/// Registers this module's handlers; their order is the order of their paths in the OpenAPI
/// document.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_representative_binding)
        .service(bind_representative);
}
