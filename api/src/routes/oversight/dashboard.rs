//! The oversight dashboard of a region: what the Tim Terpadu has to act on, with one row per
//! child region.

use actix_web::{HttpResponse, get, web};
use chrono::NaiveDate;
use ormas_domain::dashboard::{AgeBuckets, DashboardCounts, by_child};
use ormas_domain::oversight::CaseState;
use ormas_domain::{Action, RegionCode, RegionLevel};
use ormas_persistence::{dashboard, reference};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::auth::Principal;
use crate::error::{ApiError, ErrorKind, FieldIssue, Text};
use crate::extract::ValidQuery;
use crate::routes::dto::validate_region_code;
use crate::state::AppState;

/// How many open complaints of one category.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CategoryCount {
    pub category: String,
    pub count: u64,
}

/// How many cases in one state.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseStateCount {
    pub state: CaseState,
    pub count: u64,
}

/// Open complaints by how long ago they were received.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ComplaintAges {
    /// Received in the last 7 days.
    pub within_7_days: u64,
    /// 8 to 30 days ago.
    pub within_30_days: u64,
    /// 31 to 90 days ago.
    pub within_90_days: u64,
    /// More than 90 days ago.
    pub older: u64,
}

impl From<AgeBuckets> for ComplaintAges {
    fn from(a: AgeBuckets) -> Self {
        ComplaintAges {
            within_7_days: a.within_7_days,
            within_30_days: a.within_30_days,
            within_90_days: a.within_90_days,
            older: a.older,
        }
    }
}

/// The dashboard's numbers for a region (or the whole answer's totals).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DashboardRow {
    /// The region; `null` for the nation.
    #[schema(required = true)]
    pub code: Option<String>,
    pub name: String,
    /// Complaints received and not yet triaged.
    pub complaints_open: u64,
    /// Open complaints by category (only categories with at least one).
    pub complaints_by_category: Vec<CategoryCount>,
    pub complaints_by_age: ComplaintAges,
    /// Cases by state, every state listed.
    pub cases_by_state: Vec<CaseStateCount>,
    /// Written warnings without a compliance record whose 7 working days end within 3 working
    /// days (today included).
    pub warnings_ending_soon: u64,
    /// Written warnings whose deadline has passed without a compliance record.
    pub warnings_ended_without_compliance: u64,
    /// Activity suspensions in force.
    pub suspensions_in_force: u64,
    /// Suspensions whose period ends within 30 days.
    pub suspensions_ending_soon: u64,
    /// Registered ormas whose last field visit found nothing at the address.
    pub secretariat_not_found: u64,
}

impl DashboardRow {
    fn new(code: Option<String>, name: String, c: &DashboardCounts) -> DashboardRow {
        DashboardRow {
            code,
            name,
            complaints_open: c.complaints_open,
            complaints_by_category: c
                .complaints_by_category
                .iter()
                .map(|(category, count)| CategoryCount {
                    category: category.clone(),
                    count: *count,
                })
                .collect(),
            complaints_by_age: c.complaints_by_age.into(),
            cases_by_state: CaseState::ALL
                .iter()
                .map(|state| CaseStateCount {
                    state: *state,
                    count: c.cases_by_state.get(state.as_str()).copied().unwrap_or(0),
                })
                .collect(),
            warnings_ending_soon: c.warnings_ending_soon,
            warnings_ended_without_compliance: c.warnings_ended_without_compliance,
            suspensions_in_force: c.suspensions_in_force,
            suspensions_ending_soon: c.suspensions_ending_soon,
            secretariat_not_found: c.secretariat_not_found,
        }
    }
}

/// The region a dashboard is for.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DashboardRegion {
    pub code: String,
    pub name: String,
    /// `province` or `regency`.
    pub level: String,
}

/// The oversight dashboard.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "region": {"code": "64", "name": "Kalimantan Timur", "level": "province"}, "as_of": "2026-11-30",
    "totals": {"code": "64", "name": "Kalimantan Timur", "complaints_open": 3,
        "complaints_by_category": [{"category": "public_order", "count": 2}, {"category": "sara", "count": 1}],
        "complaints_by_age": {"within_7_days": 1, "within_30_days": 2, "within_90_days": 0, "older": 0},
        "cases_by_state": [{"state": "open", "count": 1}, {"state": "investigating", "count": 2},
            {"state": "recommendation", "count": 0}, {"state": "closed", "count": 4}],
        "warnings_ending_soon": 1, "warnings_ended_without_compliance": 0,
        "suspensions_in_force": 1, "suspensions_ending_soon": 0, "secretariat_not_found": 2},
    "regions": []
}))]
pub struct Dashboard {
    /// `null` for the nation.
    #[schema(required = true)]
    pub region: Option<DashboardRegion>,
    pub as_of: NaiveDate,
    pub totals: DashboardRow,
    /// One row per child region (provinces under the nation; the province's own office and its
    /// kabupaten/kota under a province; none under a kabupaten/kota), adding up to `totals`.
    pub regions: Vec<DashboardRow>,
}

/// Which dashboard.
#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DashboardQuery {
    /// A province or kabupaten/kota within the caller's scope (default: the caller's region; the
    /// nation for national roles).
    #[validate(custom(function = "validate_region_code"))]
    #[param(pattern = r"^[0-9]{2}(\.[0-9]{2})?$")]
    pub region: Option<String>,
}

/// The oversight dashboard.
#[utoipa::path(
    tag = "oversight",
    operation_id = "getOversightDashboard",
    summary = "The oversight dashboard of a region",
    description = "What the Tim Terpadu has to act on, as of today: open (untriaged) complaints by \
category and age, cases by state, written warnings whose 7 working days end within 3 working days \
or have ended without a compliance record, suspensions in force and those ending within 30 days, \
and registered ormas whose secretariat a field visit did not find — for the region and one row \
per child region (each kabupaten/kota and the province's own office under a province), the rows \
adding up to the totals. Counts only: no names, no complainants. Roles: staff within their \
region.",
    params(DashboardQuery),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The dashboard.", body = Dashboard),
        (status = 400, description = "A query parameter is invalid, or names a kecamatan.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "Not staff, or a region outside the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such region.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/oversight/dashboard")]
pub async fn get_dashboard(
    state: web::Data<AppState>,
    principal: Principal,
    query: ValidQuery<DashboardQuery>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::ReadOversightDashboard)?;
    let region = match query.0.region {
        Some(region) if principal.covers(Some(&region)) => Some(region),
        Some(_) => {
            return Err(ApiError::forbidden(Text::new(
                "Wilayah itu berada di luar wilayah kewenangan Anda.",
                "That region lies outside your scope.",
            )));
        }
        None => principal.region(),
    };
    if let Some(code) = &region
        && RegionCode::parse(code).map(|c| c.level()) == Ok(RegionLevel::District)
    {
        return Err(ApiError::invalid_query(vec![FieldIssue::new(
            "region",
            "not_an_office",
            Text::new(
                "dasbor tersedia untuk nasional, provinsi, atau kabupaten/kota",
                "the dashboard is kept for the nation, a province or a kabupaten/kota",
            ),
        )]));
    }
    let today = state.config.today();
    let scope = region.clone();
    let (region_row, child_regions, offices) = state
        .db(move |conn| {
            let region_row = match &scope {
                Some(code) => match reference::find_region(conn, code)? {
                    Some(row) => Some(row),
                    None => return Err(ormas_persistence::PersistenceError::NotFound),
                },
                None => None,
            };
            let child_regions = match region_row.as_ref().map(|r| r.level.as_str()) {
                Some("regency") => Vec::new(),
                _ => reference::list_regions(
                    conn,
                    &reference::RegionFilter {
                        parent: scope.as_deref().and_then(|c| RegionCode::parse(c).ok()),
                        level: scope.is_none().then_some(RegionLevel::Province),
                        after: None,
                        limit: 10_000,
                    },
                )?,
            };
            let calendar = reference::holiday_calendar_from(conn, today)?;
            let offices = dashboard::office_dashboard(conn, scope.as_deref(), today, &calendar)?;
            Ok((region_row, child_regions, offices))
        })
        .await
        .map_err(|e| {
            if e.kind == ErrorKind::NotFound {
                ApiError::not_found(Text::new("Wilayah tidak dikenal.", "No such region."))
            } else {
                e
            }
        })?;
    let mut total = DashboardCounts::default();
    for counts in offices.values() {
        total.add(counts);
    }
    let is_regency = region_row.as_ref().is_some_and(|r| r.level == "regency");
    let regions = if is_regency {
        Vec::new()
    } else {
        let mut rows = by_child(&offices, region.as_deref());
        // Every child region is listed, with zeros where nothing is open; the province's own
        // office only when it has something.
        let mut named: Vec<(String, String)> = child_regions
            .iter()
            .map(|r| (r.code.clone(), r.name.clone()))
            .collect();
        if let Some(row) = &region_row
            && rows.contains_key(&row.code)
        {
            named.insert(0, (row.code.clone(), row.name.clone()));
        }
        named
            .into_iter()
            .map(|(code, name)| {
                let counts = rows.remove(&code).unwrap_or_default();
                DashboardRow::new(Some(code), name, &counts)
            })
            .collect()
    };
    let (region_info, name) = match &region_row {
        Some(row) => (
            Some(DashboardRegion {
                code: row.code.clone(),
                name: row.name.clone(),
                level: row.level.clone(),
            }),
            row.name.clone(),
        ),
        None => (None, "Indonesia".to_owned()),
    };
    Ok(HttpResponse::Ok().json(Dashboard {
        region: region_info,
        as_of: today,
        totals: DashboardRow::new(region, name, &total),
        regions,
    }))
}

/// Registers this module's handlers.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_dashboard);
}
