//! Sessions: login, refresh, logout; client credentials; self-registration; the caller's profile.

pub mod dto;
pub mod me;
pub mod sessions;
pub mod signup;
pub mod token;

use chrono::{NaiveDateTime, TimeDelta};
use ormas_domain::auth::{LoginPolicy, LoginThrottle, PasswordProblem};
use ormas_persistence::audit::{self as audit_log, AuditRow};
use ormas_persistence::identity::{self, RefreshTokenRow, UserRow};

use crate::auth::token_hash;
use crate::clock::now_utc;
use crate::error::{ApiError, ErrorKind, FieldIssue, Text};
use crate::state::AppState;
use dto::TokenPair;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn session_expired() -> ApiError {
    ApiError::unauthorized().with_detail(Text::new(
        "Token penyegar tidak sah, kedaluwarsa, atau sudah dicabut; silakan masuk lagi.",
        "The refresh token is invalid, expired or revoked; sign in again.",
    ))
}

pub fn pair(
    state: &AppState,
    user: &UserRow,
    session_id: &str,
    refresh_token: String,
) -> Result<TokenPair, ApiError> {
    let role = user.role()?;
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

pub fn throttle(state: &AppState) -> LoginThrottle {
    LoginThrottle {
        max_failures: state.config.login_max_failures,
        window: TimeDelta::from_std(state.config.login_window).unwrap_or(TimeDelta::minutes(15)),
    }
}

/// The login policy of the configuration (see [`LoginPolicy`]).
pub fn login_policy(state: &AppState) -> LoginPolicy {
    let config = &state.config;
    LoginPolicy {
        max_failures: config.login_max_failures,
        max_failures_per_address: config.login_max_failures_per_address,
        window: TimeDelta::from_std(config.login_window).unwrap_or(TimeDelta::minutes(15)),
        max_delay: TimeDelta::from_std(config.login_max_delay).unwrap_or(TimeDelta::zero()),
    }
}

pub fn refresh_row(session_id: &str, token: &str, ttl: TimeDelta) -> RefreshTokenRow {
    let issued_at = now_utc();
    RefreshTokenRow {
        token_hash: token_hash(token),
        session_id: session_id.to_owned(),
        issued_at,
        expires_at: issued_at + ttl,
        used_at: None,
    }
}

/// Counts a failed attempt under `key` (a login, or a wrong current password) from `address`
/// for the throttle, with its audit row, in one transaction; failures older than `before` are
/// forgotten.
pub async fn record_failure(
    state: &AppState,
    key: String,
    address: Option<String>,
    at: NaiveDateTime,
    before: NaiveDateTime,
    audit_row: AuditRow,
) -> Result<(), ApiError> {
    state
        .db(move |conn| {
            ormas_persistence::in_write_transaction(conn, |conn| {
                identity::record_login_failure(
                    conn,
                    &uuid::Uuid::now_v7().to_string(),
                    &key,
                    address.as_deref(),
                    at,
                    before,
                )?;
                audit_log::record(conn, &audit_row)
            })
        })
        .await
}

pub fn refresh_ttl(state: &AppState) -> TimeDelta {
    TimeDelta::from_std(state.config.refresh_token_ttl).unwrap_or(TimeDelta::days(30))
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

/// Registers this module's handlers; their order is the order of their paths in the OpenAPI
/// document.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(sessions::login)
        .service(sessions::refresh)
        .service(sessions::logout)
        .service(token::client_token)
        .service(signup::register)
        .service(me::me)
        .service(me::change_password);
}
