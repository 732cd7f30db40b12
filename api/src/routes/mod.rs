//! The HTTP resources, one module per resource. Each handler is registered with `.service()` through
//! utoipa-actix-web, which adds its path to the OpenAPI document.

use actix_web::HttpRequest;
use actix_web::http::header::IF_MATCH;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::{ApiError, ErrorKind, Text};

pub mod audit;
pub mod auth;
pub mod calendar;
pub mod clients;
pub mod dto;
pub mod lifecycle;
pub mod ormas;
pub mod paging;
pub mod public;
pub mod reference;
pub mod regions;
pub mod reports;
pub mod stats;
pub mod system;
pub mod users;

/// The `If-Match` header of writes to a versioned resource, as the OpenAPI document describes it.
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IfMatch {
    /// The `ETag` last read.
    #[param(
        rename = "If-Match",
        nullable = false,
        pattern = r#"^(W/)?("[0-9]+"|[0-9]+)$|^\*$"#
    )]
    pub if_match: Option<String>,
}

/// The `ETag` of a resource at `version`.
pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
}

/// 412 unless `If-Match` is absent, `*`, or names `current`: the one optimistic-concurrency check
/// of every `PATCH` and transition.
pub fn require_current_version(req: &HttpRequest, current: i32) -> Result<(), ApiError> {
    match if_match(req)? {
        Some(version) if i64::try_from(version).ok() != Some(i64::from(current)) => {
            Err(ApiError::new(ErrorKind::PreconditionFailed))
        }
        _ => Ok(()),
    }
}

/// The version named by `If-Match` (`"3"` or `W/"3"`); `None` when absent or `*`. A number beyond
/// any version issued is simply stale.
fn if_match(req: &HttpRequest) -> Result<Option<u64>, ApiError> {
    let Some(value) = req.headers().get(IF_MATCH) else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or("").trim();
    if text == "*" {
        return Ok(None);
    }
    let digits = text.strip_prefix("W/").unwrap_or(text);
    // Quoted as RFC 9110 has it (`"3"`), or bare (`3`) as some clients send it.
    let unquoted = digits
        .strip_prefix('"')
        .and_then(|d| d.strip_suffix('"'))
        .unwrap_or(digits);
    let digits = Some(unquoted)
        .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| {
            ApiError::new(ErrorKind::BadRequest).with_detail(Text::new(
                "If-Match harus berupa ETag seperti \"3\".",
                "If-Match must be an ETag such as \"3\".",
            ))
        })?;
    // A number beyond any version issued is well-formed, just stale.
    Ok(Some(digits.parse::<u64>().unwrap_or(u64::MAX)))
}

/// Registers every documented handler, one `configure` per resource module. The order is the
/// order of the paths in the published OpenAPI document: a new resource is appended.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.configure(system::configure)
        .configure(regions::configure)
        .configure(calendar::configure)
        .configure(auth::configure)
        .configure(users::configure)
        .configure(clients::configure)
        .configure(audit::configure)
        .configure(reference::configure)
        .configure(ormas::configure)
        .configure(reports::configure)
        .configure(stats::configure)
        .configure(users::binding::configure)
        .configure(ormas::transitions::configure)
        .configure(ormas::board::configure)
        .configure(ormas::documents::configure)
        .configure(public::configure);
}
