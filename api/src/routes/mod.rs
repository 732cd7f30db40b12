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
pub mod ormas;
pub mod paging;
pub mod public;
pub mod reference;
pub mod regions;
pub mod reports;
pub mod stats;
pub mod system;
pub mod users;

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

/// Registers every documented handler.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(system::health)
        .service(system::ready)
        .service(regions::list_regions)
        .service(regions::get_region)
        .service(calendar::list_holidays)
        .service(calendar::add_holiday)
        .service(calendar::delete_holiday)
        .service(calendar::due_date)
        .service(auth::sessions::login)
        .service(auth::sessions::refresh)
        .service(auth::sessions::logout)
        .service(auth::token::client_token)
        .service(auth::signup::register)
        .service(auth::me::me)
        .service(auth::me::change_password)
        .service(users::crud::list_users)
        .service(users::crud::create_user)
        .service(users::crud::get_user)
        .service(users::crud::update_user)
        .service(clients::create_client)
        .service(clients::list_clients)
        .service(audit::list_audit)
        .service(reference::get_list)
        .service(ormas::crud::create_ormas)
        .service(ormas::list::list_ormas)
        .service(ormas::crud::get_ormas)
        .service(ormas::crud::update_ormas)
        .service(ormas::history::get_history)
        .service(ormas::status::get_status)
        .service(reports::crud::create_report)
        .service(reports::crud::list_ormas_reports)
        .service(reports::queue::list_reports)
        .service(reports::crud::get_report)
        .service(reports::crud::update_report)
        .service(reports::transitions::submit_report)
        .service(reports::transitions::accept_report)
        .service(reports::transitions::return_report)
        .service(stats::get_overview_csv)
        .service(stats::get_overview)
        .service(users::binding::bind_representative)
        .service(ormas::transitions::submit)
        .service(ormas::transitions::return_ormas)
        .service(ormas::transitions::approve)
        .service(ormas::transitions::reject)
        .service(ormas::transitions::dissolve)
        .service(ormas::board::get_board)
        .service(ormas::board::replace_board)
        .service(ormas::documents::upload_document)
        .service(ormas::documents::list_documents)
        .service(ormas::documents::get_document)
        .service(ormas::documents::get_document_content)
        .service(ormas::documents::delete_document)
        .service(public::search)
        .service(public::get_public)
        .service(public::verify);
}
