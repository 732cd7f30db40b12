//! The registration list with its filters.

use actix_web::{HttpResponse, get, web};
use ormas_domain::registration::RegistrationState;
use ormas_domain::{Action, Role};
use ormas_persistence::register::{self, RegistrationFilter, StateFilter};

use super::dto::{Ormas, OrmasPage, OrmasQuery};
use super::{completeness, current_state};
use crate::auth::Principal;
use crate::error::{ApiError, Text};
use crate::extract::ValidQuery;
use crate::routes::paging;
use crate::state::AppState;

/// The region a staff or integrator list covers: the one asked for when within the caller's scope
/// (403 outside it), else the caller's own.
pub fn scoped_region(
    principal: &Principal,
    requested: Option<String>,
) -> Result<Option<String>, ApiError> {
    match requested {
        Some(region) if principal.covers(Some(&region)) => Ok(Some(region)),
        Some(_) => Err(ApiError::forbidden(Text::new(
            "Wilayah itu berada di luar wilayah kewenangan Anda.",
            "That region lies outside your scope.",
        ))),
        None => Ok(principal.region()),
    }
}

/// How a state as of today filters the stored rows (the list's and the export's `state`).
pub fn state_filter(state: RegistrationState) -> StateFilter {
    match state {
        RegistrationState::NeedsRevision => StateFilter::NeedsRevision,
        RegistrationState::Lapsed => StateFilter::Lapsed,
        RegistrationState::Registered => StateFilter::Registered,
        RegistrationState::Suspended => StateFilter::Suspended,
        other => StateFilter::Stored(other.as_str().to_owned()),
    }
}

/// List registrations.
#[utoipa::path(
    tag = "ormas",
    operation_id = "listOrmas",
    summary = "List registrations",
    description = "Registrations in the caller's region subtree (a representative: its own), ordered by region then \
creation order, with filters and cursor pagination. Roles: staff and integrators within their \
region; a representative, its own ormas.",
    params(OrmasQuery),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "One page.", body = OrmasPage),
        (status = 400, description = "A query parameter is invalid.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The region is outside the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/ormas")]
pub async fn list_ormas(
    state: web::Data<AppState>,
    principal: Principal,
    query: ValidQuery<OrmasQuery>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::ReadRegistrations)?;
    let query = query.0;
    let (region, only_ids) = if principal.role == Role::OrmasRep {
        (
            query.region.clone(),
            Some(principal.ormas_id.clone().into_iter().collect::<Vec<_>>()),
        )
    } else {
        (scoped_region(&principal, query.region.clone())?, None)
    };
    let page_size = query.page_size.unwrap_or(50);
    let today = state.config.today();
    let state_filter = query.state.map(state_filter);
    let filter = RegistrationFilter {
        region,
        only_ids,
        state: state_filter,
        kind: query.kind.map(|k| k.as_str().to_owned()),
        field: query.field,
        q: query.q,
        skt_expiring_before: query.skt_expiring_before,
        verification_overdue: query.verification_overdue.unwrap_or(false),
        board_term_ended: query.board_term_ended.unwrap_or(false),
        secretariat_not_found: query.secretariat_not_found.unwrap_or(false),
        activity: query.activity,
        report_overdue: query.report_overdue.unwrap_or(false),
        policy: state.config.reporting,
        today,
        after: query
            .page_token
            .as_deref()
            .map(paging::decode_pair)
            .transpose()?,
        limit: page_size + 1,
    };
    let required = state.config.required_documents.clone();
    let (rows, completeness) = state
        .db(move |conn| {
            let rows = register::list_registrations(conn, &filter)?;
            let ids: Vec<String> = rows.iter().map(|(r, _)| r.id.clone()).collect();
            let completeness = completeness(conn, &ids, &required)?;
            Ok((rows, completeness))
        })
        .await?;
    let (rows, next_page_token) = paging::split(rows, page_size, |(r, _)| {
        paging::pair(&r.region_code, &r.id)
    });
    let mut items = Vec::with_capacity(rows.len());
    for (reg, org) in rows {
        let (complete, missing) = completeness.get(&reg.id).cloned().unwrap_or_default();
        let current = current_state(&state, &reg)?;
        items.push(Ormas::build(&reg, &org, current, today, complete, missing)?);
    }
    Ok(HttpResponse::Ok().json(OrmasPage {
        items,
        next_page_token,
    }))
}
