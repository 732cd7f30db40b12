//! The HTTP resources, one module per resource. Each handler is registered with `.service()` through
//! utoipa-actix-web, which adds its path to the OpenAPI document.

use utoipa_actix_web::service_config::ServiceConfig;

pub mod calendar;
pub mod regions;
pub mod system;

/// Registers every documented handler.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(system::health)
        .service(system::ready)
        .service(regions::list_regions)
        .service(regions::get_region)
        .service(calendar::list_holidays)
        .service(calendar::due_date);
}
