//! Attribute permits (izin pemesanan atribut): requests, the officer's checklist per item, the
//! head's permit with its number, the office's queue and each request's history.

pub mod crud;
pub mod design;
pub mod dto;
pub mod transitions;

use ormas_domain::Action;
use ormas_persistence::permits::{self, PermitWithOrmas};

use crate::auth::Principal;
use crate::error::{ApiError, Text};
use crate::routes::ormas::visible;
use crate::state::AppState;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn not_found(id: &str) -> ApiError {
    ApiError::not_found(Text::new(
        format!("Permohonan izin atribut {id} tidak ditemukan."),
        format!("No attribute permit request {id}."),
    ))
}

/// Loads a request the caller may see: staff and integrators within their region, a
/// representative only its own ormas's. Others' are 404.
pub async fn load_visible_permit(
    state: &AppState,
    principal: &Principal,
    id: String,
) -> Result<PermitWithOrmas, ApiError> {
    principal.require(Action::ReadAttributePermits)?;
    let lookup = id.clone();
    let found = state
        .db(move |conn| permits::find_permit(conn, &lookup))
        .await?;
    found
        .filter(|(_, reg, _)| visible(principal, &reg.id, &reg.region_code))
        .ok_or_else(|| not_found(&id))
}

/// Registers this module's handlers; their order is the order of their paths in the OpenAPI
/// document.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(crud::list_permits)
        .service(crud::create_permit)
        .service(crud::get_permit)
        .service(crud::update_permit)
        .service(crud::permit_history)
        .service(design::put_design)
        .service(design::get_design)
        .service(transitions::submit_permit)
        .service(transitions::review_permit)
        .service(transitions::return_permit)
        .service(transitions::approve_permit)
        .service(transitions::refuse_permit);
}
