//! Account administration within the administrator's region, and the binding of representatives
//! to their ormas.

pub mod binding;
pub mod crud;
pub mod dto;

use ormas_domain::{GrantError, RegionCode, Scope};
use ormas_persistence::identity::{self, UserRow};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Principal;
use crate::error::{ApiError, FieldIssue, Text};
use crate::state::AppState;

pub fn grant_error(error: GrantError) -> ApiError {
    let (id, en) = match error {
        GrantError::NotPermitted => (
            "Peran Anda tidak dapat mengelola akun.",
            "Your role cannot manage accounts.",
        ),
        GrantError::RoleAboveOwn { .. } => (
            "Anda tidak dapat memberikan peran di atas peran Anda sendiri.",
            "You cannot grant a role above your own.",
        ),
        GrantError::OutsideScope => (
            "Wilayah itu berada di luar wilayah kewenangan Anda.",
            "That region lies outside your scope.",
        ),
        GrantError::NationalScopeReserved => (
            "Hanya super_admin dan integrator yang dapat mencakup seluruh negeri; sebutkan region_code.",
            "Only super_admin and integrator cover the whole nation; give a region_code.",
        ),
    };
    ApiError::forbidden(Text::new(id, en))
}

pub fn unknown_region(field: &str) -> ApiError {
    ApiError::validation(vec![FieldIssue::new(
        field,
        "unknown_region",
        Text::new("wilayah tidak dikenal", "no region has this code"),
    )])
}

pub fn user_not_found(id: &str) -> ApiError {
    ApiError::not_found(Text::new(
        format!("Akun {id} tidak ditemukan."),
        format!("No account {id}."),
    ))
}

pub fn parse_scope(region: Option<&str>) -> Result<Scope, ApiError> {
    match region {
        None => Ok(Scope::National),
        Some(code) => {
            let code = RegionCode::parse(code).map_err(|_| unknown_region("region_code"))?;
            // Offices are provinces and kabupaten/kota: a kecamatan scope has no meaning here.
            if code.level() == ormas_domain::RegionLevel::District {
                return Err(ApiError::validation(vec![FieldIssue::new(
                    "region_code",
                    "district_scope",
                    Text::new(
                        "akun diberi wilayah provinsi atau kabupaten/kota, bukan kecamatan",
                        "must be a province or kabupaten/kota; accounts are not scoped to a kecamatan",
                    ),
                )]));
            }
            Ok(Scope::Region(code))
        }
    }
}

/// Loads an account the caller may see; others' accounts are 404.
pub async fn visible_user(
    state: &AppState,
    principal: &Principal,
    id: String,
) -> Result<UserRow, ApiError> {
    let lookup = id.clone();
    let row = state
        .db(move |conn| identity::find_user(conn, &lookup))
        .await?;
    row.filter(|u| principal.covers(u.region_code.as_deref()))
        .ok_or_else(|| user_not_found(&id))
}

/// Registers the account administration handlers (the binding of representatives is
/// [`binding::configure`]); their order is the order of their paths in the OpenAPI document.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(crud::list_users)
        .service(crud::create_user)
        .service(crud::get_user)
        .service(crud::update_user);
}
