//! Account administration within the administrator's region.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use ormas_domain::auth::{check_password, username_key};
use ormas_domain::{Action, GrantError, RegionCode, Role, Scope, check_grant};
use ormas_persistence::audit as audit_log;
use ormas_persistence::identity::{self, UserFilter, UserRow};
use ormas_persistence::reference;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::audit::{self, Outcome};
use crate::auth::{self, Principal, now};
use crate::error::{ApiError, ErrorKind, FieldIssue, Text};
use crate::extract::{ValidJson, ValidQuery};
use crate::routes::auth::{password_issue, username_taken};
use crate::routes::dto::{RoleName, User, double_option, validate_region_code, validate_username};
use crate::routes::{etag, paging, require_current_version};
use crate::state::AppState;

/// A new account.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"username": "officer.6471", "password": "correct horse battery", "display_name": "Petugas Balikpapan", "email": "petugas@balikpapan.go.id", "role": "officer", "region_code": "64.71"}))]
pub struct CreateUser {
    #[validate(custom(function = "validate_username"))]
    #[schema(
        min_length = 3,
        max_length = 64,
        pattern = r"^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$"
    )]
    pub username: String,
    #[validate(length(min = 10, max = 128))]
    #[schema(min_length = 10, max_length = 128, format = Password)]
    pub password: String,
    #[validate(length(min = 1, max = 120))]
    #[schema(min_length = 1, max_length = 120)]
    pub display_name: String,
    #[validate(email, length(max = 254))]
    #[schema(format = Email, max_length = 254)]
    pub email: Option<String>,
    pub role: RoleName,
    /// The account's region; omit (or `null`) for the whole nation, which only `super_admin` and
    /// `integrator` may have. Defaults to nothing: it must be given for every other role.
    #[validate(custom(function = "validate_region_code"))]
    #[schema(pattern = r"^[0-9]{2}(\.[0-9]{2}){0,2}$")]
    pub region_code: Option<String>,
}

/// Changes to an account; absent fields stay as they are.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"active": false}))]
pub struct UpdateUser {
    #[validate(length(min = 1, max = 120))]
    #[schema(min_length = 1, max_length = 120)]
    pub display_name: Option<String>,
    /// `null` removes the address.
    #[serde(default, deserialize_with = "double_option")]
    #[validate(email, length(max = 254))]
    #[schema(value_type = Option<String>, format = Email, max_length = 254)]
    pub email: Option<Option<String>>,
    /// A new password; ends the account's sessions.
    #[validate(length(min = 10, max = 128))]
    #[schema(min_length = 10, max_length = 128, format = Password)]
    pub password: Option<String>,
    /// A new role; ends the account's sessions.
    pub role: Option<RoleName>,
    /// A new region (`null`: the whole nation); ends the account's sessions.
    #[serde(default, deserialize_with = "double_option")]
    #[validate(custom(function = "validate_region_code"))]
    #[schema(value_type = Option<String>, pattern = r"^[0-9]{2}(\.[0-9]{2}){0,2}$")]
    pub region_code: Option<Option<String>>,
    /// `false` deactivates the account (accounts are never deleted); ends its sessions.
    pub active: Option<bool>,
}

/// A page of accounts, ordered by username.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserPage {
    pub items: Vec<User>,
    #[schema(required = true)]
    pub next_page_token: Option<String>,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    /// Only accounts in this region's subtree (within the caller's scope).
    #[validate(custom(function = "validate_region_code"))]
    #[param(pattern = r"^[0-9]{2}(\.[0-9]{2}){0,2}$")]
    pub region: Option<String>,
    #[param(inline)]
    pub role: Option<RoleName>,
    pub active: Option<bool>,
    /// Part of the username or display name, case-insensitive.
    #[validate(length(min = 1, max = 100))]
    #[param(min_length = 1, max_length = 100)]
    pub q: Option<String>,
    /// 1 to 200 (default 50).
    #[validate(range(min = 1, max = 200))]
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub page_size: Option<i64>,
    /// The `next_page_token` of the previous page.
    #[param(pattern = "^(?:[0-9a-f]{2}){1,512}$")]
    pub page_token: Option<String>,
}

fn grant_error(error: GrantError) -> ApiError {
    let (id, en) = match error {
        GrantError::NotPermitted => (
            "Peran Anda tidak dapat mengelola akun.",
            "Your role cannot manage accounts.",
        ),
        GrantError::RoleAboveOwn { .. } => (
            "Anda tidak dapat memberikan peran di atas peran Anda sendiri.",
            "You cannot grant a role above your own.",
        ),
        GrantError::OutsideScope => (
            "Wilayah itu berada di luar wilayah kewenangan Anda.",
            "That region lies outside your scope.",
        ),
        GrantError::NationalScopeReserved => (
            "Hanya super_admin dan integrator yang dapat mencakup seluruh negeri; sebutkan region_code.",
            "Only super_admin and integrator cover the whole nation; give a region_code.",
        ),
    };
    ApiError::forbidden(Text::new(id, en))
}

fn unknown_region(field: &str) -> ApiError {
    ApiError::validation(vec![FieldIssue::new(
        field,
        "unknown_region",
        Text::new("wilayah tidak dikenal", "no region has this code"),
    )])
}

fn user_not_found(id: &str) -> ApiError {
    ApiError::not_found(Text::new(
        format!("Akun {id} tidak ditemukan."),
        format!("No account {id}."),
    ))
}

fn parse_scope(region: Option<&str>) -> Result<Scope, ApiError> {
    match region {
        None => Ok(Scope::National),
        Some(code) => RegionCode::parse(code)
            .map(Scope::Region)
            .map_err(|_| unknown_region("region_code")),
    }
}

fn with_etag(mut response: actix_web::HttpResponseBuilder, user: &User) -> HttpResponse {
    response
        .insert_header((header::ETAG, etag(user.version)))
        .json(user)
}

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
        role: query.role.map(|r| Role::from(r).as_str().to_owned()),
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
            headers(("Location" = String, description = "The account's URL."), ("ETag" = String, description = "The account's version."))),
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
    let role: Role = request.role.into();
    let scope = parse_scope(request.region_code.as_deref())?;
    check_grant(principal.role, &principal.scope, role, &scope).map_err(grant_error)?;
    check_password(&request.password, &request.username)
        .map_err(|p| ApiError::validation(vec![password_issue(p)]))?;
    let password = request.password.clone();
    let hash = web::block(move || auth::hash_password(&password)).await??;
    let at = now();
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
            ormas_persistence::in_transaction(conn, |conn| {
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
    Ok(with_etag(
        HttpResponse::Created()
            .insert_header((header::LOCATION, format!("/v1/users/{}", user.id)))
            .take(),
        &user,
    ))
}

/// Loads an account the caller may see; others' accounts are 404.
async fn visible_user(
    state: &AppState,
    principal: &Principal,
    id: String,
) -> Result<UserRow, ApiError> {
    let lookup = id.clone();
    let row = state
        .db(move |conn| identity::find_user(conn, &lookup))
        .await?;
    row.filter(|u| principal.covers(u.region_code.as_deref()))
        .ok_or_else(|| user_not_found(&id))
}

/// Get an account.
#[utoipa::path(
    tag = "users",
    operation_id = "getUser",
    summary = "Get an account",
    description = "One account in the caller's region subtree; others answer 404. Roles: `super_admin`, `admin`.",
    params(("id" = String, Path, description = "The account's id.")),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The account.", body = User,
            headers(("ETag" = String, description = "The account's version."))),
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
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::ReadUsers)?;
    let row = visible_user(&state, &principal, path.into_inner()).await?;
    let user = User::from_row(row)?;
    Ok(with_etag(HttpResponse::Ok(), &user))
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
        ("If-Match" = Option<String>, Header, nullable = false, description = "The `ETag` last read.", pattern = r#"^(W/)?("[0-9]+"|[0-9]+)$|^\*$"#),
    ),
    request_body(content = UpdateUser, content_type = "application/json"),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The changed account.", body = User,
            headers(("ETag" = String, description = "The account's new version."))),
        (status = 400, response = ormas_openapi::responses::MalformedJson),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The change is not the caller's to make.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
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
    require_current_version(&req, current.version)?;
    let current_role: Role = current.role.parse().map_err(ApiError::internal)?;
    let current_scope = parse_scope(current.region_code.as_deref())?;
    // The caller must be able to manage the account as it is, and as it will be.
    check_grant(
        principal.role,
        &principal.scope,
        current_role,
        &current_scope,
    )
    .map_err(grant_error)?;
    let role = change.role.map(Role::from).unwrap_or(current_role);
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
    let at = now();
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
            ormas_persistence::in_transaction(conn, |conn| {
                if !reference::region_known(conn, stored.region_code.as_deref())? {
                    return Ok(None);
                }
                if !identity::update_user(conn, &stored, current.version)? {
                    return Ok(Some(false));
                }
                if access_changes {
                    identity::revoke_user_sessions(conn, &stored.id, at, "account changed")?;
                }
                audit_log::record(conn, &event)?;
                Ok(Some(true))
            })
        })
        .await?;
    match saved {
        None => Err(unknown_region("region_code")),
        Some(false) => Err(ApiError::new(ErrorKind::PreconditionFailed)),
        Some(true) => {
            let user = User::from_row(updated)?;
            Ok(with_etag(HttpResponse::Ok(), &user))
        }
    }
}
