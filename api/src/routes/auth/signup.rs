//! Self-registration of ormas representatives.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, post, web};
use ormas_domain::Role;
use ormas_domain::auth::{check_password, username_key};
use ormas_persistence::audit as audit_log;
use ormas_persistence::identity::{self, UserRow};

use super::dto::RegisterRequest;
use super::{password_issue, username_taken};
use crate::audit::{self, Outcome};
use crate::auth::{self};
use crate::clock::now_utc;
use crate::error::{ApiError, ErrorKind};
use crate::extract::ValidJson;
use crate::routes::dto::User;
use crate::routes::represent;
use crate::state::AppState;

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
            headers(("ETag" = String, description = "Its version and a digest of this representation; send it back in `If-Match`."), ("Location" = String, description = "Its URL."))),
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
    let at = now_utc();
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
            ormas_persistence::in_write_transaction(conn, |conn| {
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
    represent(StatusCode::CREATED, &user)
}
