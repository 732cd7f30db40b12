//! The public register: registered ormas only, no personal data.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::NaiveDate;
use ormas_domain::registration::{OrmasKind, RegistrationState, effective_state};
use ormas_domain::sanctions::SanctionKind;
use ormas_persistence::register::{
    self, OrganisationRow, RegistrationFilter, RegistrationRow, StateFilter,
};
use ormas_persistence::sanctions::{self, SanctionRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::error::{ApiError, Text};
use crate::extract::ValidQuery;
use crate::routes::dto::validate_region_code;
use crate::routes::representation::{path_segment, represent_view_get};
use crate::routes::{IfNoneMatch, paging};
use crate::state::AppState;

/// A registered ormas, as the public sees it: no board, no NIK, no personal phone.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicOrmas {
    pub id: String,
    /// The national organisation's name.
    pub name: String,
    /// The regional board's own name (nama kepengurusan daerah, e.g. "DPD … Kota Balikpapan"),
    /// when it differs from the organisation's.
    #[schema(required = true)]
    pub branch_name: Option<String>,
    #[schema(required = true)]
    pub abbreviation: Option<String>,
    pub kind: OrmasKind,
    pub fields: Vec<String>,
    pub region_code: String,
    pub registration_number: String,
    pub registration_date: NaiveDate,
    #[schema(required = true)]
    pub ahu_number: Option<String>,
    #[schema(required = true)]
    pub ahu_date: Option<NaiveDate>,
    #[schema(required = true)]
    pub skt_number: Option<String>,
    #[schema(required = true)]
    pub skt_expires_on: Option<NaiveDate>,
    #[schema(required = true)]
    pub npwp: Option<String>,
    /// `registered`, `suspended` (activities stopped by a ministry's decree) or `revoked`.
    pub state: RegistrationState,
    /// The decree of the suspension or revocation in force; `null` otherwise. The case and the
    /// violation are never public.
    #[schema(required = true)]
    pub sanction_decree_number: Option<String>,
}

/// The states the public register shows.
pub(crate) fn in_register(state: RegistrationState) -> bool {
    matches!(
        state,
        RegistrationState::Registered | RegistrationState::Suspended | RegistrationState::Revoked
    )
}

impl PublicOrmas {
    pub(crate) fn build(
        reg: RegistrationRow,
        org: OrganisationRow,
        today: NaiveDate,
        decrees: &[SanctionRow],
    ) -> Option<Self> {
        let kind = org.kind().ok()?;
        let state = effective_state(
            reg.state().ok()?,
            reg.revision_due,
            reg.suspended_until,
            today,
        );
        if !in_register(state) {
            return None;
        }
        let wanted = match state {
            RegistrationState::Suspended => Some(SanctionKind::ActivitySuspension.as_str()),
            RegistrationState::Revoked => Some(SanctionKind::Revocation.as_str()),
            _ => None,
        };
        let sanction_decree_number = wanted.and_then(|kind| {
            decrees
                .iter()
                .rev()
                .find(|s| s.registration_id == reg.id && s.kind == kind)
                .and_then(|s| s.decree_number.clone())
        });
        let fields = org.fields().unwrap_or_default();
        Some(PublicOrmas {
            id: reg.id,
            name: org.name,
            branch_name: reg.branch_name,
            abbreviation: org.abbreviation,
            kind,
            fields,
            region_code: reg.region_code,
            registration_number: reg.registration_number?,
            registration_date: reg.registration_date?,
            ahu_number: org.ahu_number,
            ahu_date: org.ahu_date,
            skt_number: org.skt_number,
            skt_expires_on: org.skt_expires_on,
            npwp: org.npwp,
            state,
            sanction_decree_number,
        })
    }
}

/// A page of the public register.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicOrmasPage {
    pub items: Vec<PublicOrmas>,
    #[schema(required = true)]
    pub next_page_token: Option<String>,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PublicQuery {
    /// Part of the name or abbreviation, case-insensitive.
    #[validate(length(min = 1, max = 100))]
    #[param(min_length = 1, max_length = 100)]
    pub q: Option<String>,
    /// Only this region's subtree.
    #[validate(custom(function = "validate_region_code"))]
    #[param(pattern = r"^[0-9]{2}(\.[0-9]{2}){0,2}$")]
    pub region: Option<String>,
    /// 1 to 100 (default 20).
    #[validate(range(min = 1, max = 100))]
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub page_size: Option<i64>,
    #[param(pattern = "^(?:[2-6][0-9a-f]|7[0-9a-e]|1f){1,512}$")]
    pub page_token: Option<String>,
}

/// Search the public register.
#[utoipa::path(
    tag = "public",
    operation_id = "searchPublicRegister",
    summary = "Search the public register",
    description = "Registered ormas, with their legal identity and registration number; never \
personal data. Needs no authentication.",
    params(PublicQuery),
    security(()),
    responses(
        (status = 200, description = "One page.", body = PublicOrmasPage),
        (status = 400, description = "A query parameter is invalid.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/public/ormas")]
pub async fn search(
    state: web::Data<AppState>,
    query: ValidQuery<PublicQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.0;
    let page_size = query.page_size.unwrap_or(20);
    let filter = RegistrationFilter {
        region: query.region,
        only_ids: None,
        state: Some(StateFilter::InRegister),
        kind: None,
        field: None,
        q: query.q,
        skt_expiring_before: None,
        verification_overdue: false,
        board_term_ended: false,
        secretariat_not_found: false,
        activity: None,
        report_overdue: false,
        policy: state.config.reporting,
        today: state.config.today(),
        after: query
            .page_token
            .as_deref()
            .map(paging::decode_pair)
            .transpose()?,
        limit: page_size + 1,
    };
    let (rows, decrees) = state
        .db(move |conn| {
            let rows = register::list_registrations(conn, &filter)?;
            let ids: Vec<String> = rows.iter().map(|(r, _)| r.id.clone()).collect();
            Ok((rows, sanctions::decrees_in_force_of(conn, &ids)?))
        })
        .await?;
    let (rows, next_page_token) = paging::split(rows, page_size, |(r, _)| {
        paging::pair(&r.region_code, &r.id)
    });
    let today = state.config.today();
    let items = rows
        .into_iter()
        .filter_map(|(r, o)| PublicOrmas::build(r, o, today, &decrees))
        .collect();
    Ok(HttpResponse::Ok().json(PublicOrmasPage {
        items,
        next_page_token,
    }))
}

fn not_registered() -> ApiError {
    ApiError::not_found(Text::new(
        "Tidak ada ormas terdaftar dengan data ini.",
        "No registered ormas matches.",
    ))
}

/// A registered ormas.
#[utoipa::path(
    tag = "public",
    operation_id = "getPublicOrmas",
    summary = "A registered ormas",
    description = "One registered ormas (also when suspended or revoked, with the decree number); anything not registered is 404. Needs no authentication.",
    params(("id" = String, Path, description = "The registration's id."), IfNoneMatch),
    security(()),
    responses(
        (status = 200, description = "The ormas.", body = PublicOrmas, headers(("ETag" = String, description = "A digest of this representation."), ("Location" = String, description = "Its URL."))),
        (status = 304, response = ormas_openapi::responses::NotModified),
        (status = 404, description = "No registered ormas has this id.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/public/ormas/{id}")]
pub async fn get_public(
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let lookup = id.clone();
    let (found, decrees) = state
        .db(move |conn| {
            let found = register::find_registration(conn, &lookup)?;
            Ok((found, sanctions::decrees_in_force_of(conn, &[lookup])?))
        })
        .await?;
    let today = state.config.today();
    let ormas = found
        .and_then(|(r, o)| PublicOrmas::build(r, o, today, &decrees))
        .ok_or_else(not_registered)?;
    represent_view_get(&req, format!("/v1/public/ormas/{}", ormas.id), &ormas)
}

/// The result of checking a registration letter's number.
#[derive(Debug, Serialize, ToSchema)]
pub struct Verification {
    pub registration_number: String,
    /// True while the ormas is registered; false once suspended, revoked or dissolved.
    pub valid: bool,
    /// `registered`, `suspended`, `revoked` or `dissolved`.
    pub state: String,
    pub ormas: PublicOrmas,
}

/// Verify a registration number.
#[utoipa::path(
    tag = "public",
    operation_id = "verifyRegistrationNumber",
    summary = "Verify a registration number",
    description = "Checks the number on a registration letter (SKM). Numbers contain slashes: send \
them percent-encoded (`001%2FSKM%2F64.71%2FXI%2F2026`) or as they are. Unknown numbers are 404. \
Needs no authentication.",
    params(("registration_number" = String, Path, description = "The number on the letter.", example = "001/SKM/64.71/XI/2026"), IfNoneMatch),
    security(()),
    responses(
        (status = 200, description = "The number is known.", body = Verification, headers(("ETag" = String, description = "A digest of this representation."), ("Location" = String, description = "Its URL."))),
        (status = 304, response = ormas_openapi::responses::NotModified),
        (status = 404, description = "No registration has this number.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/public/verify/{registration_number:.*}")]
pub async fn verify(
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let number = path.into_inner();
    let lookup = number.clone();
    let found = state
        .db(move |conn| register::find_by_registration_number(conn, &lookup))
        .await?;
    let (reg, org) = found.ok_or_else(not_registered)?;
    let today = state.config.today();
    let current = effective_state(reg.state()?, reg.revision_due, reg.suspended_until, today);
    let state_name = current.as_str().to_owned();
    let valid = current == RegistrationState::Registered;
    let lookup = reg.id.clone();
    let decrees = state
        .db(move |conn| sanctions::decrees_in_force_of(conn, &[lookup]))
        .await?;
    let mut public_row = reg;
    if !in_register(current) {
        // A dissolved ormas's number is still verified (as not valid).
        public_row.state = RegistrationState::Registered.as_str().into();
        public_row.suspended_until = None;
    }
    let mut ormas =
        PublicOrmas::build(public_row, org, today, &decrees).ok_or_else(not_registered)?;
    ormas.state = current;
    let location = format!("/v1/public/verify/{}", path_segment(&number));
    represent_view_get(
        &req,
        location,
        &Verification {
            registration_number: number,
            valid,
            state: state_name,
            ormas,
        },
    )
}

/// Registers this module's handlers; their order is the order of their paths in the OpenAPI
/// document.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(search).service(get_public).service(verify);
}
