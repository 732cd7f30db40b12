//! The HTTP resources, one module per resource. Each handler is registered with `.service()` through
//! utoipa-actix-web, which adds its path to the OpenAPI document.

use utoipa_actix_web::service_config::ServiceConfig;

pub mod audit;
pub mod auth;
pub mod calendar;
pub mod changes;
pub mod clients;
pub mod consultations;
pub mod dto;
pub mod exports;
pub mod grants;
pub mod lifecycle;
pub mod open_data;
pub mod ormas;
pub mod oversight;
pub mod paging;
pub mod permits;
pub mod public;
pub mod reference;
pub mod regions;
pub mod reports;
pub mod representation;
pub mod sanctions;
pub mod services;
pub mod stats;
pub mod system;
pub mod users;
pub mod webhooks;

pub use representation::{
    IfMatch, IfNoneMatch, RequiredIfMatch, Resource, etag_of, represent, represent_get,
    require_current_version, require_matching_version,
};

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
        .configure(ormas::organisations::configure)
        .configure(ormas::visits::configure)
        .configure(public::configure)
        .configure(oversight::configure)
        .configure(sanctions::configure)
        .configure(permits::configure)
        .configure(grants::configure)
        .configure(consultations::configure)
        .configure(changes::configure)
        .configure(exports::configure)
        .configure(open_data::configure)
        .configure(webhooks::configure);
}
