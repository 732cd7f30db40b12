//! Sessions: login, refresh, logout; client credentials; self-registration; the caller's profile.

use actix_web::http::header::{self, ContentType};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::TimeDelta;
use ormas_domain::auth::{
    LoginThrottle, PasswordProblem, RefreshOutcome, RefreshTokenState, check_password,
    refresh_outcome, username_key,
};
use ormas_domain::{Action, Role};
use ormas_persistence::audit as audit_log;
use ormas_persistence::identity::{self, RefreshTokenRow, SessionRow, UserRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::audit::{self, Outcome};
use crate::auth::{self, Principal, PrincipalKind, now, random_token, token_hash};
use crate::error::{ApiError, ErrorKind, FieldIssue, Text};
use crate::extract::{ValidJson, parse_json};
use crate::routes::dto::{RoleName, User, utc, validate_username};
use crate::state::AppState;

/// Credentials.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"username": "admin.64", "password": "correct horse battery"}))]
pub struct LoginRequest {
    #[validate(length(min = 1, max = 128))]
    #[schema(min_length = 1, max_length = 128)]
    pub username: String,
    #[validate(length(min = 1, max = 1024))]
    #[schema(min_length = 1, max_length = 1024, format = Password)]
    pub password: String,
}

/// An access token and the refresh token that renews it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"access_token": "eyJhbGciOiJIUzI1NiJ9…", "refresh_token": "q3J1…", "token_type": "Bearer", "expires_in": 900}))]
pub struct TokenPair {
    /// A JWT (HS256) to send as `Authorization: Bearer …`.
    pub access_token: String,
    /// Single use: `POST /v1/auth/refresh` answers a new pair and retires this one.
    pub refresh_token: String,
    #[schema(example = "Bearer")]
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
}

/// A refresh token to exchange.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    #[validate(length(min = 1, max = 256))]
    #[schema(min_length = 1, max_length = 256)]
    pub refresh_token: String,
}

fn session_expired() -> ApiError {
    ApiError::unauthorized().with_detail(Text::new(
        "Token penyegar tidak sah, kedaluwarsa, atau sudah dicabut; silakan masuk lagi.",
        "The refresh token is invalid, expired or revoked; sign in again.",
    ))
}

fn pair(
    state: &AppState,
    user: &UserRow,
    session_id: &str,
    refresh_token: String,
) -> Result<TokenPair, ApiError> {
    let role: Role = user.role.parse().map_err(ApiError::internal)?;
    Ok(TokenPair {
        access_token: state.keys.issue(
            &user.id,
            role,
            user.region_code.as_deref(),
            user.token_version,
            Some(session_id),
        )?,
        refresh_token,
        token_type: "Bearer".into(),
        expires_in: state.keys.access_ttl.as_secs(),
    })
}

fn throttle(state: &AppState) -> LoginThrottle {
    LoginThrottle {
        max_failures: state.config.login_max_failures,
        window: TimeDelta::from_std(state.config.login_window).unwrap_or(TimeDelta::minutes(15)),
    }
}

fn refresh_row(session_id: &str, token: &str, ttl: TimeDelta) -> RefreshTokenRow {
    let issued_at = now();
    RefreshTokenRow {
        token_hash: token_hash(token),
        session_id: session_id.to_owned(),
        issued_at,
        expires_at: issued_at + ttl,
        used_at: None,
    }
}

fn refresh_ttl(state: &AppState) -> TimeDelta {
    TimeDelta::from_std(state.config.refresh_token_ttl).unwrap_or(TimeDelta::days(30))
}

/// Sign in.
#[utoipa::path(
    tag = "auth",
    operation_id = "login",
    security(()),
    summary = "Sign in",
    description = "Exchanges a username (case-insensitive) and password for an access token and a \
refresh token. After 5 failed attempts for one username within 15 minutes (configurable) every \
attempt answers 429 with `Retry-After` until the window passes. Unknown usernames and wrong \
passwords answer the same 401 in the same time. Needs no authentication.",
    request_body(content = LoginRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "Signed in.", body = TokenPair),
        (status = 400, response = ormas_openapi::responses::MalformedJson),
        (status = 401, description = "Wrong username or password, or the account is deactivated.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 413, response = ormas_openapi::responses::PayloadTooLarge),
        (status = 415, response = ormas_openapi::responses::UnsupportedMediaType),
        (status = 422, description = "A field is missing or invalid.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts for this username.", body = ormas_openapi::Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u32, description = "Seconds until a login may be tried."))),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[post("/v1/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    body: ValidJson<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let LoginRequest { username, password } = body.0;
    let key = username_key(&username);
    let policy = throttle(&state);
    let at = now();

    let lookup_key = key.clone();
    let (locked, user) = state
        .db(move |conn| {
            let failures =
                identity::login_failures_since(conn, &lookup_key, policy.window_start(at))?;
            if let Some(wait) = policy.locked_for(&failures, at) {
                return Ok((Some(wait), None));
            }
            Ok((None, identity::find_user_by_username(conn, &lookup_key)?))
        })
        .await?;
    if let Some(wait) = locked {
        let row = audit::detail(
            audit::event(None, "auth.login", Outcome::Denied),
            format!("locked: {key}"),
        );
        state.db(move |conn| audit_log::record(conn, &row)).await?;
        return Err(ApiError::too_many_requests(wait.num_seconds().max(1) as u64));
    }

    // Argon2 without holding a database connection.
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    let verified = web::block(move || auth::verify_password(stored.as_deref(), &password)).await?;
    let user = user.filter(|u| verified && u.active);

    let Some(user) = user else {
        let row = audit::detail(
            audit::event(None, "auth.login", Outcome::Failure),
            format!("username: {key}"),
        );
        state
            .db(move |conn| {
                identity::record_login_failure(conn, &uuid::Uuid::now_v7().to_string(), &key, at)?;
                audit_log::record(conn, &row)
            })
            .await?;
        return Err(ApiError::new(ErrorKind::InvalidCredentials));
    };

    let principal = Principal::from_user(&user, None)?;
    let session = SessionRow {
        id: uuid::Uuid::now_v7().to_string(),
        user_id: user.id.clone(),
        created_at: at,
        expires_at: at + refresh_ttl(&state),
        revoked_at: None,
        revoked_reason: None,
    };
    let refresh_token = random_token();
    let first_token = refresh_row(&session.id, &refresh_token, refresh_ttl(&state));
    let row = audit::on(
        audit::event(Some(&principal), "auth.login", Outcome::Success),
        "session",
        &session.id,
        user.region_code.as_deref(),
    );
    let (window_start, session_id) = (policy.window_start(at), session.id.clone());
    state
        .db(move |conn| {
            ormas_persistence::in_transaction(conn, |conn| {
                identity::clear_login_failures(conn, &key, window_start)?;
                identity::insert_session(conn, &session)?;
                identity::insert_refresh_token(conn, &first_token)?;
                audit_log::record(conn, &row)
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(pair(&state, &user, &session_id, refresh_token)?))
}

enum RefreshResult {
    Rotated(Box<UserRow>, String),
    Denied,
}

/// Renew the tokens.
#[utoipa::path(
    tag = "auth",
    operation_id = "refreshTokens",
    security(()),
    summary = "Renew the tokens",
    description = "Exchanges a refresh token for a new pair. Each refresh token works once: \
presenting a used one again revokes its whole session (someone holds a copy), and both the new and \
the old tokens stop working. Needs no access token.",
    request_body(content = RefreshRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "A new pair.", body = TokenPair),
        (status = 400, response = ormas_openapi::responses::MalformedJson),
        (status = 401, description = "The refresh token is unknown, used, expired or revoked.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 413, response = ormas_openapi::responses::PayloadTooLarge),
        (status = 415, response = ormas_openapi::responses::UnsupportedMediaType),
        (status = 422, description = "A field is missing or invalid.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[post("/v1/auth/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    body: ValidJson<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    let presented = token_hash(&body.0.refresh_token);
    let next_token = random_token();
    let ttl = refresh_ttl(&state);
    let success = audit::event(None, "auth.refresh", Outcome::Success);
    let denied = audit::event(None, "auth.refresh", Outcome::Denied);
    let next = next_token.clone();
    let result = state
        .db(move |conn| {
            ormas_persistence::in_transaction(conn, |conn| {
                let Some((token, session, user)) = identity::find_refresh_token(conn, &presented)?
                else {
                    return Ok(RefreshResult::Denied);
                };
                let at = now();
                let state = RefreshTokenState {
                    used: token.used_at.is_some(),
                    expires_at: token.expires_at,
                    session_revoked: session.revoked_at.is_some(),
                    session_expires_at: session.expires_at,
                    user_active: user.active,
                };
                let target =
                    |row| audit::on(row, "session", &session.id, user.region_code.as_deref());
                let mut outcome = refresh_outcome(state, at);
                if outcome == RefreshOutcome::Rotate
                    && !identity::mark_refresh_token_used(conn, &presented, at)?
                {
                    // Another request used it between our read and our write.
                    outcome = RefreshOutcome::ReuseDetected;
                }
                match outcome {
                    RefreshOutcome::Rotate => {
                        identity::insert_refresh_token(
                            conn,
                            &refresh_row(&session.id, &next, ttl),
                        )?;
                        let mut row = target(success);
                        row.actor_id = Some(user.id.clone());
                        row.actor_name = Some(user.username.clone());
                        audit_log::record(conn, &row)?;
                        Ok(RefreshResult::Rotated(Box::new(user), session.id.clone()))
                    }
                    RefreshOutcome::ReuseDetected => {
                        identity::revoke_session(conn, &session.id, at, "refresh token reused")?;
                        let row =
                            audit::detail(target(denied), "refresh token reused: session revoked");
                        audit_log::record(conn, &row)?;
                        Ok(RefreshResult::Denied)
                    }
                    RefreshOutcome::Expired | RefreshOutcome::Revoked => {
                        audit_log::record(
                            conn,
                            &audit::detail(target(denied), "expired or revoked"),
                        )?;
                        Ok(RefreshResult::Denied)
                    }
                }
            })
        })
        .await?;
    match result {
        RefreshResult::Rotated(user, session_id) => {
            Ok(HttpResponse::Ok().json(pair(&state, &user, &session_id, next_token)?))
        }
        RefreshResult::Denied => Err(session_expired()),
    }
}

/// Sign out.
#[utoipa::path(
    tag = "auth",
    operation_id = "logout",
    summary = "Sign out",
    description = "Ends the session of the access token: the access token and every refresh token \
of the session stop working at once. Any authenticated caller.",
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 204, description = "Signed out."),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[post("/v1/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::ReadSelf)?;
    if let Some(session_id) = principal.session_id.clone() {
        let row = audit::on(
            audit::event(Some(&principal), "auth.logout", Outcome::Success),
            "session",
            &session_id,
            principal.region().as_deref(),
        );
        state
            .db(move |conn| {
                ormas_persistence::in_transaction(conn, |conn| {
                    identity::revoke_session(conn, &session_id, now(), "logout")?;
                    audit_log::record(conn, &row)
                })
            })
            .await?;
    }
    Ok(HttpResponse::NoContent().finish())
}

/// The client-credentials grant (RFC 6749 §4.4).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(example = json!({"grant_type": "client_credentials", "client_id": "kemendagri-sync", "client_secret": "…"}))]
pub struct ClientCredentialsRequest {
    /// Must be `client_credentials`.
    #[schema(required = true, value_type = String, pattern = "^client_credentials$", example = "client_credentials")]
    pub grant_type: Option<String>,
    /// May instead come in HTTP Basic authentication.
    pub client_id: Option<String>,
    /// May instead come in HTTP Basic authentication.
    #[schema(format = Password)]
    pub client_secret: Option<String>,
    /// Ignored: a client's scope is its region.
    pub scope: Option<String>,
}

/// An access token for a service client.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClientToken {
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: String,
    pub expires_in: u64,
}

fn basic_credentials(req: &HttpRequest) -> Option<(String, String)> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

/// Get a token with client credentials.
#[utoipa::path(
    tag = "auth",
    operation_id = "clientCredentialsToken",
    security(()),
    summary = "Get a service token",
    description = "OAuth 2.0 client-credentials grant for integrators: `grant_type=client_credentials` \
with `client_id` and `client_secret` in the body (form or JSON) or in HTTP Basic authentication. The \
token carries the role `integrator` (read-only) and the client's region. Clients are created by an \
admin (`POST /v1/clients`). Errors are problem documents with `code` `invalid_client` (401) or \
`validation_failed` (422, e.g. an unsupported `grant_type`).",
    request_body(content(
        (ClientCredentialsRequest = "application/x-www-form-urlencoded"),
        (ClientCredentialsRequest = "application/json"),
    )),
    responses(
        (status = 200, description = "A token.", body = ClientToken),
        (status = 400, description = "The body cannot be read.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 401, description = "Unknown client, wrong secret, or a deactivated client.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 413, response = ormas_openapi::responses::PayloadTooLarge),
        (status = 415, description = "The body is neither form nor JSON.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`grant_type` is missing or unsupported, or credentials are missing.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[post("/v1/auth/token")]
pub async fn client_token(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    if body.len() > state.config.body_limit {
        return Err(ApiError::new(ErrorKind::PayloadTooLarge));
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let request: ClientCredentialsRequest = if body.is_empty() {
        ClientCredentialsRequest::default()
    } else if content_type.starts_with("application/x-www-form-urlencoded") {
        serde_urlencoded::from_bytes(&body).map_err(|e| {
            ApiError::new(ErrorKind::BadRequest)
                .with_detail(Text::new(
                    "Formulir tidak dapat dibaca.",
                    "The form cannot be read.",
                ))
                .with_cause(e)
        })?
    } else if content_type.starts_with("application/json") {
        parse_json(&body)?
    } else {
        return Err(
            ApiError::new(ErrorKind::UnsupportedMediaType).with_detail(Text::new(
                "Gunakan application/x-www-form-urlencoded atau application/json.",
                "Use application/x-www-form-urlencoded or application/json.",
            )),
        );
    };
    if request.grant_type.as_deref() != Some("client_credentials") {
        return Err(ApiError::validation(vec![FieldIssue::new(
            "grant_type",
            "unsupported_grant_type",
            Text::new("harus client_credentials", "must be client_credentials"),
        )]));
    }
    let (client_id, secret) = match (
        basic_credentials(&req),
        request.client_id,
        request.client_secret,
    ) {
        (Some(pair), _, _) => pair,
        (None, Some(id), Some(secret)) => (id, secret),
        _ => {
            return Err(ApiError::validation(vec![FieldIssue::new(
                "client_id",
                "required",
                Text::new(
                    "client_id dan client_secret wajib diisi",
                    "client_id and client_secret are required",
                ),
            )]));
        }
    };
    let presented = token_hash(&secret);
    let failed = audit::detail(
        audit::event(None, "auth.token", Outcome::Failure),
        format!("client: {client_id}"),
    );
    let client = state
        .db(move |conn| {
            let client = identity::find_client_by_client_id(conn, &client_id)?
                .filter(|c| c.active && c.secret_hash == presented);
            if client.is_none() {
                audit_log::record(conn, &failed)?;
            }
            Ok(client)
        })
        .await?
        .ok_or_else(|| ApiError::new(ErrorKind::InvalidClient))?;
    let principal = Principal::from_client(&client)?;
    let row = audit::on(
        audit::event(Some(&principal), "auth.token", Outcome::Success),
        "client",
        &client.id,
        client.region_code.as_deref(),
    );
    state.db(move |conn| audit_log::record(conn, &row)).await?;
    let token = state.keys.issue(
        &client.id,
        Role::Integrator,
        client.region_code.as_deref(),
        client.token_version,
        None,
    )?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .content_type(ContentType::json())
        .json(ClientToken {
            access_token: token,
            token_type: "Bearer".into(),
            expires_in: state.keys.access_ttl.as_secs(),
        }))
}

/// A representative signing up.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"username": "ketua.pemuda", "password": "correct horse battery", "display_name": "Budi Santoso", "email": "budi@example.org"}))]
pub struct RegisterRequest {
    /// 3–64 letters, digits, `.`, `_`, `-`; unique regardless of case.
    #[validate(custom(function = "validate_username"))]
    #[schema(
        min_length = 3,
        max_length = 64,
        pattern = r"^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$"
    )]
    pub username: String,
    /// 10–128 characters, not the username.
    #[validate(length(min = 10, max = 128))]
    #[schema(min_length = 10, max_length = 128, format = Password)]
    pub password: String,
    #[validate(length(min = 1, max = 120))]
    #[schema(min_length = 1, max_length = 120)]
    pub display_name: String,
    #[validate(email, length(max = 254))]
    #[schema(format = Email, max_length = 254)]
    pub email: Option<String>,
}

pub fn password_issue(problem: PasswordProblem) -> FieldIssue {
    let (code, id, en) = match problem {
        PasswordProblem::TooShort => (
            "length",
            "panjang minimal 10 karakter",
            "must be at least 10 characters long",
        ),
        PasswordProblem::TooLong => (
            "length",
            "panjang maksimal 128 karakter",
            "must be at most 128 characters long",
        ),
        PasswordProblem::SameAsUsername => (
            "same_as_username",
            "tidak boleh sama dengan nama pengguna",
            "must not be the username",
        ),
    };
    FieldIssue::new("password", code, Text::new(id, en))
}

pub fn username_taken() -> ApiError {
    ApiError::new(ErrorKind::Conflict).with_detail(Text::new(
        "Nama pengguna sudah dipakai.",
        "The username is taken.",
    ))
}

/// Sign up as an ormas representative.
#[utoipa::path(
    tag = "auth",
    operation_id = "register",
    security(()),
    summary = "Sign up as a representative",
    description = "Creates an `ormas_rep` account that may sign in, create and submit a \
registration draft. An officer later binds the account to the ormas it represents. Needs no \
authentication.",
    request_body(content = RegisterRequest, content_type = "application/json"),
    responses(
        (status = 201, description = "The account.", body = User,
            headers(("Location" = String, description = "The account's URL."), ("ETag" = String, description = "The account's version."))),
        (status = 400, response = ormas_openapi::responses::MalformedJson),
        (status = 409, description = "The username is taken.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 413, response = ormas_openapi::responses::PayloadTooLarge),
        (status = 415, response = ormas_openapi::responses::UnsupportedMediaType),
        (status = 422, description = "A field is missing or invalid.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[post("/v1/auth/register")]
pub async fn register(
    state: web::Data<AppState>,
    body: ValidJson<RegisterRequest>,
) -> Result<HttpResponse, ApiError> {
    let request = body.0;
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
        role: Role::OrmasRep.as_str().to_owned(),
        region_code: None,
        ormas_id: None,
        active: true,
        token_version: 1,
        version: 1,
        created_at: at,
        updated_at: at,
    };
    let mut event = audit::on(
        audit::event(None, "user.register", Outcome::Success),
        "user",
        &row.id,
        None,
    );
    event.actor_id = Some(row.id.clone());
    event.actor_name = Some(row.username.clone());
    let stored = row.clone();
    state
        .db(move |conn| {
            ormas_persistence::in_transaction(conn, |conn| {
                identity::insert_user(conn, &stored)?;
                audit_log::record(conn, &event)
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
    let user = User::from_row(row)?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/v1/users/{}", user.id)))
        .insert_header((header::ETAG, crate::routes::etag(user.version)))
        .json(user))
}

/// The caller: an account, or a service client.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// `user` for accounts, `client` for service clients.
    #[schema(example = "user")]
    pub kind: String,
    pub id: String,
    /// The username, or the client id.
    pub username: String,
    pub display_name: String,
    #[schema(required = true)]
    pub email: Option<String>,
    pub role: RoleName,
    #[schema(required = true)]
    pub region_code: Option<String>,
    #[schema(required = true)]
    pub ormas_id: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// Who am I.
#[utoipa::path(
    tag = "auth",
    operation_id = "getMe",
    summary = "The caller's profile",
    description = "The account (or service client) of the access token, with its role and region. \
Any authenticated caller.",
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The caller.", body = Me),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/me")]
pub async fn me(
    state: web::Data<AppState>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::ReadSelf)?;
    let id = principal.id.clone();
    let me = match principal.kind {
        PrincipalKind::User => {
            let user = state
                .db(move |conn| identity::find_user(conn, &id))
                .await?
                .ok_or_else(ApiError::unauthorized)?;
            Me {
                kind: "user".into(),
                role: principal.role.into(),
                id: user.id,
                username: user.username,
                display_name: user.display_name,
                email: user.email,
                region_code: user.region_code,
                ormas_id: user.ormas_id,
                created_at: utc(user.created_at),
            }
        }
        PrincipalKind::Client => {
            let client = state
                .db(move |conn| identity::find_client(conn, &id))
                .await?
                .ok_or_else(ApiError::unauthorized)?;
            Me {
                kind: "client".into(),
                role: RoleName::Integrator,
                id: client.id,
                username: client.client_id,
                display_name: client.name,
                email: None,
                region_code: client.region_code,
                ormas_id: None,
                created_at: utc(client.created_at),
            }
        }
    };
    Ok(HttpResponse::Ok().json(me))
}

/// A change of one's own password.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"current_password": "correct horse battery", "new_password": "a brand new passphrase"}))]
pub struct PasswordChange {
    #[validate(length(min = 1, max = 1024))]
    #[schema(min_length = 1, max_length = 1024, format = Password)]
    pub current_password: String,
    /// 10–128 characters, not the username.
    #[validate(length(min = 10, max = 128))]
    #[schema(min_length = 10, max_length = 128, format = Password)]
    pub new_password: String,
}

/// Change one's own password.
#[utoipa::path(
    tag = "auth",
    operation_id = "changeOwnPassword",
    summary = "Change one's own password",
    description = "Needs the current password. Ends every session of the account, this one \
included: sign in again with the new password. Wrong current passwords are throttled like \
logins (429 after 5 in 15 minutes), separately from them. Roles: any signed-in account (service clients, which have secrets, get 403).",
    request_body(content = PasswordChange, content_type = "application/json"),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 204, description = "Changed; every session of the account has ended."),
        (status = 400, response = ormas_openapi::responses::MalformedJson),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The current password is wrong, or the caller is a service client.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 413, response = ormas_openapi::responses::PayloadTooLarge),
        (status = 415, response = ormas_openapi::responses::UnsupportedMediaType),
        (status = 422, description = "The new password is too short, too long, or the username.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong passwords for this username.", body = ormas_openapi::Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u32, description = "Seconds until it may be tried again."))),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[post("/v1/me/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    principal: Principal,
    body: ValidJson<PasswordChange>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::ReadSelf)?;
    if principal.kind != PrincipalKind::User {
        return Err(ApiError::forbidden(Text::new(
            "Klien layanan tidak memiliki kata sandi.",
            "Service clients have no password.",
        )));
    }
    let PasswordChange {
        current_password,
        new_password,
    } = body.0;
    let id = principal.id.clone();
    let user = state
        .db(move |conn| identity::find_user(conn, &id))
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    check_password(&new_password, &user.username).map_err(|p| {
        ApiError::validation(vec![FieldIssue::new(
            "new_password",
            password_issue(p).code,
            password_issue(p).message,
        )])
    })?;
    let policy = throttle(&state);
    let at = now();
    // Counted apart from logins: a holder of a stolen access token cannot guess the password here
    // more than the login throttle allows, nor lock the owner out of signing in by trying.
    let key = format!("password-change:{}", user.username_key);
    let lookup_key = key.clone();
    let failures = state
        .db(move |conn| identity::login_failures_since(conn, &lookup_key, policy.window_start(at)))
        .await?;
    if let Some(wait) = policy.locked_for(&failures, at) {
        return Err(ApiError::too_many_requests(wait.num_seconds().max(1) as u64));
    }
    let stored = user.password_hash.clone();
    let (verified, new_hash) = web::block(move || {
        let verified = auth::verify_password(Some(&stored), &current_password);
        let hash = verified
            .then(|| auth::hash_password(&new_password))
            .transpose();
        (verified, hash)
    })
    .await?;
    if !verified {
        let row = audit::on(
            audit::event(Some(&principal), "user.password", Outcome::Denied),
            "user",
            &user.id,
            user.region_code.as_deref(),
        );
        state
            .db(move |conn| {
                identity::record_login_failure(conn, &uuid::Uuid::now_v7().to_string(), &key, at)?;
                audit_log::record(conn, &row)
            })
            .await?;
        return Err(ApiError::forbidden(Text::new(
            "Kata sandi saat ini salah.",
            "The current password is wrong.",
        )));
    }
    let Some(new_hash) = new_hash? else {
        return Err(ApiError::internal("password hash missing"));
    };
    let updated = UserRow {
        password_hash: new_hash,
        token_version: user.token_version + 1,
        version: user.version + 1,
        updated_at: at,
        ..user.clone()
    };
    let row = audit::on(
        audit::event(Some(&principal), "user.password", Outcome::Success),
        "user",
        &user.id,
        user.region_code.as_deref(),
    );
    let saved = state
        .db(move |conn| {
            ormas_persistence::in_transaction(conn, |conn| {
                if !identity::update_user(conn, &updated, user.version)? {
                    return Ok(false);
                }
                identity::revoke_user_sessions(conn, &updated.id, at, "password changed")?;
                audit_log::record(conn, &row)?;
                Ok(true)
            })
        })
        .await?;
    if !saved {
        return Err(ApiError::new(ErrorKind::Conflict).with_detail(Text::new(
            "Akun berubah pada saat yang sama; coba lagi.",
            "The account changed meanwhile; try again.",
        )));
    }
    Ok(HttpResponse::NoContent().finish())
}
