//! Signing in, renewing the tokens, signing out.

use actix_web::{HttpResponse, post, web};
use ormas_domain::Action;
use ormas_domain::auth::{RefreshOutcome, RefreshTokenState, refresh_outcome, username_key};
use ormas_persistence::audit as audit_log;
use ormas_persistence::identity::{self, SessionRow, UserRow};

use super::dto::{LoginRequest, RefreshRequest, TokenPair};
use ormas_domain::auth::LoginGate;

use super::{login_policy, pair, record_failure, refresh_row, refresh_ttl, session_expired};
use crate::audit::{self, Outcome};
use crate::auth::{self, Principal, random_token, token_hash};
use crate::clock::now_utc;
use crate::edge::ClientAddress;
use crate::error::{ApiError, ErrorKind};
use crate::extract::ValidJson;
use crate::state::AppState;

/// Sign in.
#[utoipa::path(
    tag = "auth",
    operation_id = "login",
    security(()),
    summary = "Sign in",
    description = "Exchanges a username (case-insensitive) and password for an access token and a \
refresh token. Unknown usernames and wrong passwords answer the same 401 in the same time. Needs \
no authentication.\n\n\
**Throttling** (all configurable), so that guessing never locks the rightful owner out: after 5 \
failed attempts for one username *from one client address* within 15 minutes, that address \
answers 429 with `Retry-After` for that username until the window passes; after 20 failed \
attempts from one address for any usernames, that address answers 429; failures for one username \
from every address never refuse it but slow each further attempt (1 s, 2 s, 4 s, … at most 16 \
s), so the owner still signs in from another address. Besides, each address may try 30 logins a \
minute (429 with `Retry-After`). Client addresses are the peer's, or the `X-Forwarded-For` of a \
trusted proxy (`ORMAS_TRUSTED_PROXIES`); IPv6 counts by /64.",
    request_body(content = LoginRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "Signed in.", body = TokenPair),
        (status = 400, response = ormas_openapi::responses::MalformedJson),
        (status = 401, description = "Wrong username or password, or the account is deactivated.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 413, response = ormas_openapi::responses::PayloadTooLarge),
        (status = 415, response = ormas_openapi::responses::UnsupportedMediaType),
        (status = 422, description = "A field is missing or invalid.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts for this username from this address, or from this address, or too many requests from it.", body = ormas_openapi::Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u32, description = "Seconds until a login may be tried."))),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[post("/v1/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    client: ClientAddress,
    body: ValidJson<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let LoginRequest { username, password } = body.0;
    let key = username_key(&username);
    let address = client.key();
    let policy = login_policy(&state);
    let at = now_utc();

    let (lookup_key, lookup_address) = (key.clone(), address.clone());
    let (gate, user) = state
        .db(move |conn| {
            let failures = identity::recent_login_failures(
                conn,
                &lookup_key,
                &lookup_address,
                policy.window_start(at),
            )?;
            let gate = policy.gate(
                &failures.pair,
                &failures.address,
                failures.username.max(0) as u64,
                at,
            );
            if !matches!(gate, LoginGate::Proceed { .. }) {
                return Ok((gate, None));
            }
            Ok((gate, identity::find_user_by_username(conn, &lookup_key)?))
        })
        .await?;
    let delay = match gate {
        LoginGate::Proceed { delay } => delay,
        LoginGate::PairLocked(wait) | LoginGate::AddressLocked(wait) => {
            let what = if matches!(gate, LoginGate::PairLocked(_)) {
                "locked for this address"
            } else {
                "address locked"
            };
            let row = audit::detail(
                audit::event(None, "auth.login", Outcome::Denied),
                format!("{what}: {key} from {address}"),
            );
            state.db(move |conn| audit_log::record(conn, &row)).await?;
            return Err(ApiError::too_many_requests(wait.num_seconds().max(1) as u64));
        }
    };
    // Slowed, not refused: someone has been guessing this username from other addresses.
    if let Ok(delay) = delay.to_std()
        && !delay.is_zero()
    {
        tokio::time::sleep(delay).await;
    }

    // Argon2 without holding a database connection.
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    let verified = web::block(move || auth::verify_password(stored.as_deref(), &password)).await?;
    let user = user.filter(|u| verified && u.active);

    let Some(user) = user else {
        let row = audit::detail(
            audit::event(None, "auth.login", Outcome::Failure),
            format!("username: {key} from {address}"),
        );
        let before = policy.window_start(at);
        record_failure(&state, key, Some(address), at, before, row).await?;
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
            ormas_persistence::in_write_transaction(conn, |conn| {
                identity::clear_login_failures(conn, &key, Some(&address), window_start)?;
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
            ormas_persistence::in_write_transaction(conn, |conn| {
                let Some((token, session, user)) = identity::find_refresh_token(conn, &presented)?
                else {
                    return Ok(RefreshResult::Denied);
                };
                let at = now_utc();
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
of the session stop working at once. A client-credentials token is revoked by itself (it has no \
session). Any authenticated caller.",
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
                ormas_persistence::in_write_transaction(conn, |conn| {
                    identity::revoke_session(conn, &session_id, now_utc(), "logout")?;
                    audit_log::record(conn, &row)
                })
            })
            .await?;
    } else if let Some((jti, exp)) = principal.token.clone() {
        // A client-credentials token has no session: it is revoked by its id until it expires.
        let row = audit::on(
            audit::event(Some(&principal), "auth.logout", Outcome::Success),
            "client",
            &principal.id,
            principal.region().as_deref(),
        );
        let subject = principal.id.clone();
        let expires = chrono::DateTime::from_timestamp(exp, 0)
            .map(|t| t.naive_utc())
            .unwrap_or_else(now_utc);
        state
            .db(move |conn| {
                ormas_persistence::in_write_transaction(conn, |conn| {
                    identity::revoke_token(conn, &jti, &subject, expires, now_utc())?;
                    audit_log::record(conn, &row)
                })
            })
            .await?;
    }
    Ok(HttpResponse::NoContent().finish())
}
