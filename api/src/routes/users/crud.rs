//! Listing, creating, reading and changing accounts.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use ormas_domain::auth::{check_password, username_key};
use ormas_domain::{Action, GrantError, Role, check_grant};
use ormas_persistence::audit as audit_log;
use ormas_persistence::identity::{self, UserFilter, UserRow};
use ormas_persistence::reference;

use super::dto::{CreateUser, UpdateUser, UserPage, UserQuery};
use super::{grant_error, parse_scope, unknown_region, visible_user};
use crate::audit::{self, Outcome};
use crate::auth::{self, Principal};
use crate::clock::now_utc;
use crate::error::{ApiError, ErrorKind, Text};
use crate::extract::{ValidJson, ValidQuery};
use crate::routes::auth::{password_issue, username_taken};
use crate::routes::dto::User;
use crate::routes::{
    IfNoneMatch, RequiredIfMatch, paging, represent, represent_get, require_matching_version,
};
use crate::state::AppState;

/// List accounts.
#[utoipa::path(
    tag = "users",
    operation_id = "listUsers",
    summary = "List accounts",
    description = "Accounts in the caller's region subtree, ordered by username. Roles: `super_admin`, `admin`.",
    params(UserQuery),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "One page of accounts.", body = UserPage),
        (status = 400, description = "A query parameter is invalid.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not read accounts, or the region is outside the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/users")]
pub async fn list_users(
    state: web::Data<AppState>,
    principal: Principal,
    query: ValidQuery<UserQuery>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::ReadUsers)?;
    let query = query.0;
    let region = match query.region {
        Some(region) if principal.covers(Some(&region)) => Some(region),
        Some(_) => return Err(grant_error(GrantError::OutsideScope)),
        None => principal.region(),
    };
    let page_size = query.page_size.unwrap_or(50);
    let after = query
        .page_token
        .as_deref()
        .map(paging::decode)
        .transpose()?;
    let filter = UserFilter {
        region,
        role: query.role.map(|r| r.as_str().to_owned()),
        active: query.active,
        q: query.q,
        after,
        limit: page_size + 1,
    };
    let rows = state
        .db(move |conn| identity::list_users(conn, &filter))
        .await?;
    let (rows, next_page_token) = paging::split(rows, page_size, |r| r.username_key.clone());
    let items = rows
        .into_iter()
        .map(User::from_row)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(UserPage {
        items,
        next_page_token,
    }))
}

/// Create an account.
#[utoipa::path(
    tag = "users",
    operation_id = "createUser",
    summary = "Create an account",
    description = "Creates an account in the caller's region subtree with a role no higher than the \
caller's. Roles: `super_admin`, `admin`.",
    request_body(content = CreateUser, content_type = "application/json"),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 201, description = "The account.", body = User,
            headers(("ETag" = String, description = "Its version and a digest of this representation; send it back in `If-Match`."), ("Location" = String, description = "Its URL."))),
        (status = 400, response = ormas_openapi::responses::MalformedJson),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not manage accounts, the role granted is above the caller's, or the region is outside its scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The username is taken.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 413, response = ormas_openapi::responses::PayloadTooLarge),
        (status = 415, response = ormas_openapi::responses::UnsupportedMediaType),
        (status = 422, description = "A field is missing or invalid, or the region does not exist.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[post("/v1/users")]
pub async fn create_user(
    state: web::Data<AppState>,
    principal: Principal,
    body: ValidJson<CreateUser>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::ManageUsers)?;
    let request = body.0;
    let role: Role = request.role;
    let scope = parse_scope(request.region_code.as_deref())?;
    check_grant(principal.role, &principal.scope, role, &scope).map_err(grant_error)?;
    check_password(&request.password, &request.username)
        .map_err(|p| ApiError::validation(vec![password_issue(p)]))?;
    let password = request.password.clone();
    let hash = web::block(move || auth::hash_password(&password)).await??;
    let at = now_utc();
    let row = UserRow {
        id: uuid::Uuid::now_v7().to_string(),
        username_key: username_key(&request.username),
        username: request.username,
        display_name: request.display_name,
        email: request.email,
        password_hash: hash,
        role: role.as_str().to_owned(),
        region_code: request.region_code,
        ormas_id: None,
        active: true,
        token_version: 1,
        version: 1,
        created_at: at,
        updated_at: at,
    };
    let event = audit::detail(
        audit::on(
            audit::event(Some(&principal), "user.create", Outcome::Success),
            "user",
            &row.id,
            row.region_code.as_deref(),
        ),
        format!("role {}", row.role),
    );
    let stored = row.clone();
    let created = state
        .db(move |conn| {
            ormas_persistence::in_write_transaction(conn, |conn| {
                if !reference::region_known(conn, stored.region_code.as_deref())? {
                    return Ok(false);
                }
                identity::insert_user(conn, &stored)?;
                audit_log::record(conn, &event)?;
                Ok(true)
            })
        })
        .await
        .map_err(|e| {
            if e.kind == ErrorKind::Conflict {
                username_taken()
            } else {
                e
            }
        })?;
    if !created {
        return Err(unknown_region("region_code"));
    }
    let user = User::from_row(row)?;
    represent(StatusCode::CREATED, &user)
}

/// Get an account.
#[utoipa::path(
    tag = "users",
    operation_id = "getUser",
    summary = "Get an account",
    description = "One account in the caller's region subtree; others answer 404. Roles: `super_admin`, `admin`.",
    params(("id" = String, Path, description = "The account's id."), IfNoneMatch),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The account.", body = User,
            headers(("ETag" = String, description = "Its version and a digest of this representation; send it back in `If-Match`."), ("Location" = String, description = "Its URL."))),
        (status = 304, response = ormas_openapi::responses::NotModified),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not read accounts.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/users/{id}")]
pub async fn get_user(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::ReadUsers)?;
    let row = visible_user(&state, &principal, path.into_inner()).await?;
    let user = User::from_row(row)?;
    represent_get(&req, &user)
}

/// Change an account.
#[utoipa::path(
    tag = "users",
    operation_id = "updateUser",
    summary = "Change an account",
    description = "Changes the given fields. A new password, role, region or active flag ends the \
account's sessions and invalidates its access tokens at once. Send the `ETag` in `If-Match` to \
avoid overwriting a concurrent change (412 when stale). Nobody changes their own role, region or \
active flag, grants a role above their own, or moves an account outside their scope. Accounts are \
deactivated, never deleted. Roles: `super_admin`, `admin`.",
    params(
        ("id" = String, Path, description = "The account's id."),
        RequiredIfMatch,
    ),
    request_body(content = UpdateUser, content_type = "application/json"),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The changed account.", body = User,
            headers(("ETag" = String, description = "Its version and a digest of this representation; send it back in `If-Match`."), ("Location" = String, description = "Its URL."))),
        (status = 400, response = ormas_openapi::responses::MalformedJson),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The change is not the caller's to make.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The account changed meanwhile (a race lost without `If-Match`).", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 428, response = ormas_openapi::responses::PreconditionRequired),
        (status = 413, response = ormas_openapi::responses::PayloadTooLarge),
        (status = 415, response = ormas_openapi::responses::UnsupportedMediaType),
        (status = 422, description = "A field is invalid, or the region does not exist.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[patch("/v1/users/{id}")]
pub async fn update_user(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
    body: ValidJson<UpdateUser>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::ManageUsers)?;
    let change = body.0;
    let current = visible_user(&state, &principal, path.into_inner()).await?;
    require_matching_version(&req, current.version)?;
    let current_role = current.role()?;
    let current_scope = parse_scope(current.region_code.as_deref())?;
    // The caller must be able to manage the account as it is, and as it will be.
    check_grant(
        principal.role,
        &principal.scope,
        current_role,
        &current_scope,
    )
    .map_err(grant_error)?;
    let role = change.role.unwrap_or(current_role);
    let region = change
        .region_code
        .clone()
        .unwrap_or(current.region_code.clone());
    let scope = parse_scope(region.as_deref())?;
    let access_changes = change.password.is_some()
        || role != current_role
        || region != current.region_code
        || change.active.is_some_and(|a| a != current.active);
    if current.id == principal.id
        && (role != current_role || region != current.region_code || change.active == Some(false))
    {
        return Err(ApiError::forbidden(Text::new(
            "Anda tidak dapat mengubah peran, wilayah, atau status aktif akun Anda sendiri.",
            "You cannot change your own role, region or active flag.",
        )));
    }
    if current.id == principal.id && change.password.is_some() {
        return Err(ApiError::forbidden(Text::new(
            "Ubah kata sandi Anda sendiri melalui POST /v1/me/password, dengan kata sandi saat ini.",
            "Change your own password with POST /v1/me/password, giving the current one.",
        )));
    }
    check_grant(principal.role, &principal.scope, role, &scope).map_err(grant_error)?;
    if let Some(password) = &change.password {
        check_password(password, &current.username)
            .map_err(|p| ApiError::validation(vec![password_issue(p)]))?;
    }
    let password_hash = match change.password.clone() {
        Some(password) => web::block(move || auth::hash_password(&password)).await??,
        None => current.password_hash.clone(),
    };
    let at = now_utc();
    let updated = UserRow {
        display_name: change
            .display_name
            .clone()
            .unwrap_or(current.display_name.clone()),
        email: change.email.clone().unwrap_or(current.email.clone()),
        password_hash,
        role: role.as_str().to_owned(),
        region_code: region.clone(),
        active: change.active.unwrap_or(current.active),
        token_version: current.token_version + i32::from(access_changes),
        version: current.version + 1,
        updated_at: at,
        ..current.clone()
    };
    let mut changed_fields = Vec::new();
    for (name, present) in [
        ("display_name", change.display_name.is_some()),
        ("email", change.email.is_some()),
        ("password", change.password.is_some()),
        ("role", change.role.is_some()),
        ("region_code", change.region_code.is_some()),
        ("active", change.active.is_some()),
    ] {
        if present {
            changed_fields.push(name);
        }
    }
    let event = audit::detail(
        audit::on(
            audit::event(Some(&principal), "user.update", Outcome::Success),
            "user",
            &updated.id,
            updated
                .region_code
                .as_deref()
                .or(current.region_code.as_deref()),
        ),
        format!("changed: {}", changed_fields.join(", ")),
    );
    let stored = updated.clone();
    let saved = state
        .db(move |conn| {
            ormas_persistence::in_write_transaction(conn, |conn| {
                if !reference::region_known(conn, stored.region_code.as_deref())? {
                    return Ok(false);
                }
                identity::update_user(conn, &stored, current.version)?;
                if access_changes {
                    identity::revoke_user_sessions(conn, &stored.id, at, "account changed")?;
                }
                audit_log::record(conn, &event)?;
                Ok(true)
            })
        })
        .await?;
    if !saved {
        return Err(unknown_region("region_code"));
    }
    let user = User::from_row(updated)?;
    represent(StatusCode::OK, &user)
}
