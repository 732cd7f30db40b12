//! The OAuth 2.0 client-credentials grant for service clients.

use actix_web::http::header::{self, ContentType};
use actix_web::{HttpRequest, HttpResponse, post, web};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ormas_domain::Role;
use ormas_persistence::audit as audit_log;
use ormas_persistence::identity;

use super::dto::{ClientCredentialsRequest, ClientToken};
use crate::audit::{self, Outcome};
use crate::auth::{Principal, token_hash};
use crate::error::{ApiError, ErrorKind, FieldIssue, Text};
use crate::extract::parse_json;
use crate::state::AppState;

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
