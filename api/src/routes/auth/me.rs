//! The caller's own profile and password.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use ormas_domain::auth::check_password;
use ormas_domain::{Action, Role};
use ormas_persistence::audit as audit_log;
use ormas_persistence::identity::{self, UserRow};

use super::dto::{Me, PasswordChange};
use super::{password_issue, record_failure, throttle};
use crate::audit::{self, Outcome};
use crate::auth::{self, Principal, PrincipalKind};
use crate::clock::now_utc;
use crate::error::{ApiError, FieldIssue, Text};
use crate::extract::ValidJson;
use crate::routes::IfNoneMatch;
use crate::routes::dto::utc;
use crate::routes::representation::represent_view_get;
use crate::state::AppState;

/// Who am I.
#[utoipa::path(
    tag = "auth",
    operation_id = "getMe",
    summary = "The caller's profile",
    description = "The account (or service client) of the access token, with its role and region. \
Any authenticated caller.",
    params(IfNoneMatch),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The caller.", body = Me, headers(("ETag" = String, description = "A digest of this representation."), ("Location" = String, description = "Its URL."))),
        (status = 304, response = ormas_openapi::responses::NotModified),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/me")]
pub async fn me(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
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
                role: principal.role,
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
                role: Role::Integrator,
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
    represent_view_get(&req, "/v1/me".into(), &me)
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
        (status = 409, description = "The account changed meanwhile; try again.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
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
    let at = now_utc();
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
        record_failure(&state, key, None, at, policy.window_start(at), row).await?;
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
    state
        .db(move |conn| {
            ormas_persistence::in_write_transaction(conn, |conn| {
                identity::update_user(conn, &updated, user.version)?;
                identity::revoke_user_sessions(conn, &updated.id, at, "password changed")?;
                audit_log::record(conn, &row)
            })
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
