//! Statistics: the headline numbers every office reports, for the nation, a province or a
//! kabupaten/kota, with one row per child region; also as CSV for office spreadsheets.

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use chrono::NaiveDate;
use ormas_domain::registration::{OrmasKind, RegistrationState};
use ormas_domain::statistics::{OfficeCounts, ReasonCounts, Summary};
use ormas_domain::{Action, RegionCode, RegionLevel};
use ormas_persistence::reference;
use ormas_persistence::stats;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::auth::Principal;
use crate::clock::now_utc;
use crate::error::{ApiError, FieldIssue, Text};
use crate::extract::ValidQuery;
use crate::routes::dto::validate_region_code;
use crate::state::AppState;

/// Inactive registered ormas by reason (one ormas may count under several).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InactiveReasonCounts {
    pub no_recent_report: u64,
    pub skt_expired: u64,
    pub board_term_ended: u64,
    pub suspended: u64,
    pub revoked: u64,
    /// The last field visit found nothing at the address.
    pub secretariat_not_found: u64,
}

impl From<ReasonCounts> for InactiveReasonCounts {
    fn from(r: ReasonCounts) -> Self {
        InactiveReasonCounts {
            no_recent_report: r.no_recent_report,
            skt_expired: r.skt_expired,
            board_term_ended: r.board_term_ended,
            suspended: r.suspended,
            revoked: r.revoked,
            secretariat_not_found: r.secretariat_not_found,
        }
    }
}

/// The headline numbers of a region.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegionStats {
    /// The region (a kecamatan under a kabupaten/kota); `null` for the nation, or for
    /// registrations without a kecamatan.
    #[schema(required = true)]
    pub code: Option<String>,
    pub name: String,
    /// Registered ormas (registered on `as_of`).
    pub registered: u64,
    /// Registered and active.
    pub active: u64,
    /// Registered and inactive (`registered - active`).
    pub inactive: u64,
    pub inactive_reasons: InactiveReasonCounts,
    /// SKTs of registered ormas expiring within 90 days.
    pub skt_expiring_soon: u64,
    /// Submitted registrations past their verification deadline.
    pub verification_overdue: u64,
    /// Registered ormas missing the report of the last period already due.
    pub reports_missing: u64,
    pub sanctions: SanctionsInForce,
}

/// Sanctions in force (UU 16/2017 Ps 60–62) as of the date.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SanctionsInForce {
    /// Written warnings within their 7 working days, compliance not yet recorded.
    pub warnings_running: u64,
    /// Activity suspensions neither lifted nor past their last day.
    pub suspensions_in_force: u64,
    /// Revocations decreed this calendar year, up to the date.
    pub revocations_this_year: u64,
}

impl RegionStats {
    fn new(code: Option<String>, name: String, s: &Summary) -> RegionStats {
        RegionStats {
            code,
            name,
            registered: s.registered,
            active: s.active,
            inactive: s.inactive,
            inactive_reasons: s.inactive_reasons.into(),
            skt_expiring_soon: s.skt_expiring_soon,
            verification_overdue: s.verification_overdue,
            reports_missing: s.reports_missing,
            sanctions: SanctionsInForce {
                warnings_running: s.sanctions.warnings_running,
                suspensions_in_force: s.sanctions.suspensions_in_force,
                revocations_this_year: s.sanctions.revocations_this_year,
            },
        }
    }
}

/// Registrations in one state.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StateCount {
    pub state: RegistrationState,
    pub count: u64,
}

/// Registered and active ormas of one kind.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KindStats {
    pub kind: OrmasKind,
    pub registered: u64,
    pub active: u64,
}

/// Registered and active ormas working in one field (an ormas may have several).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldStats {
    /// A code of `GET /v1/reference/fields`.
    pub field: String,
    pub registered: u64,
    pub active: u64,
}

/// How the ormas expected to report for one period did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportCompliance {
    #[schema(pattern = r"^[0-9]{4}(-S[12])?$")]
    pub period: String,
    pub due_on: NaiveDate,
    /// Registered ormas registered by the period's last day.
    pub expected: u64,
    /// Submitted (first submission) by the due date.
    pub on_time: u64,
    /// Submitted after the due date.
    pub late: u64,
    /// Not submitted: `expected - on_time - late`.
    pub missing: u64,
    /// Accepted.
    pub accepted: u64,
}

/// The reporting policy the numbers were computed under.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportingPolicyInfo {
    /// `semester` or `annual`.
    pub cadence: String,
    pub due_after_days: u32,
    pub active_window_months: u32,
}

/// The region asked about.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StatsRegion {
    pub code: String,
    pub name: String,
    /// `province` or `regency`.
    pub level: String,
}

/// The statistics of the nation, a province or a kabupaten/kota as of a date.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StatsOverview {
    /// `null` for the whole nation.
    #[schema(required = true)]
    pub region: Option<StatsRegion>,
    pub as_of: NaiveDate,
    pub policy: ReportingPolicyInfo,
    /// The region's own numbers.
    pub totals: RegionStats,
    /// Registrations by state (every state, registered or not).
    pub by_state: Vec<StateCount>,
    pub by_kind: Vec<KindStats>,
    pub by_field: Vec<FieldStats>,
    /// The last four periods already due, oldest first.
    pub report_compliance: Vec<ReportCompliance>,
    /// One row per child region: provinces under the nation, kabupaten/kota under a province (and
    /// the province's own office when it registers ormas), kecamatan under a kabupaten/kota. The
    /// rows add up to `totals`.
    pub regions: Vec<RegionStats>,
    /// Offices whose numbers were recounted for this answer (the others came from snapshots
    /// still current).
    pub offices_recounted: u64,
    /// Grant proposals per fiscal year, for the region and per child region (as of today).
    pub grants: crate::routes::grants::totals::GrantStats,
    /// Consultations (as of today, whatever `as_of`): the median working days to the first
    /// answer per office and the threads overdue.
    pub consultations: crate::routes::consultations::stats::ConsultationServiceLevel,
}

/// Which statistics.
#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// A province or kabupaten/kota within the caller's scope (default: the caller's region; the
    /// nation for national roles).
    #[validate(custom(function = "validate_region_code"))]
    #[param(pattern = r"^[0-9]{2}(\.[0-9]{2})?$")]
    pub region: Option<String>,
    /// The date the numbers are computed for (default: today). Today's numbers are kept per
    /// office and recounted when its data changes; other dates are recounted on every request.
    #[param(pattern = r"^(19|2[0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    #[validate(custom(function = "crate::routes::dto::validate_as_of"))]
    pub as_of: Option<NaiveDate>,
}

async fn overview(
    state: &AppState,
    principal: &Principal,
    query: StatsQuery,
) -> Result<StatsOverview, ApiError> {
    principal.require(Action::ReadStatistics)?;
    let region = match query.region {
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
                "statistik tersedia untuk nasional, provinsi, atau kabupaten/kota",
                "statistics are kept for the nation, a province or a kabupaten/kota",
            ),
        )]));
    }
    let today = state.config.today();
    let as_of = query.as_of.unwrap_or(today);
    let policy = state.config.reporting;
    let at = now_utc();
    let consultations =
        crate::routes::consultations::stats::service_level(state, region.clone()).await?;
    let scope = region.clone();
    // Single flight: concurrent requests for the same statistics of today wait for the first one,
    // which recounts the cold offices and stores their snapshots, then read those.
    let _flight = if as_of == today {
        Some(
            state
                .flights
                .enter(&format!("stats:{}", scope.as_deref().unwrap_or("nation")))
                .await,
        )
    } else {
        None
    };
    // One trip to the database: the region, its child regions (for their names) and the counts.
    let (region_row, child_regions, offices, recounted) = state
        .db(move |conn| {
            let region_row = match &scope {
                Some(code) => match reference::find_region(conn, code)? {
                    Some(row) => Some(row),
                    None => return Err(ormas_persistence::PersistenceError::NotFound),
                },
                None => None,
            };
            let children = reference::RegionFilter {
                parent: scope.as_deref().and_then(|c| RegionCode::parse(c).ok()),
                level: scope.is_none().then_some(RegionLevel::Province),
                after: None,
                limit: 10_000,
            };
            let child_regions = reference::list_regions(conn, &children)?;
            let (offices, recounted) =
                stats::office_counts(conn, scope.as_deref(), as_of, &policy, today, at)?;
            Ok((region_row, child_regions, offices, recounted))
        })
        .await
        .map_err(|e| {
            if e.kind == crate::error::ErrorKind::NotFound {
                ApiError::not_found(Text::new("Wilayah tidak dikenal.", "No such region."))
            } else {
                e
            }
        })?;

    let mut total = OfficeCounts::new(&policy, as_of);
    for (_, counts) in &offices {
        total.add(counts);
    }
    // Children: provinces under the nation, offices under a province, kecamatan under a kabupaten.
    let children: Vec<(Option<String>, Summary)> = match &region_row {
        None => stats::group_by_prefix(&offices, 2)
            .into_iter()
            .map(|(code, c)| (Some(code), c.totals))
            .collect(),
        Some(row) if row.level == "province" => stats::group_by_prefix(&offices, 5)
            .into_iter()
            .map(|(code, c)| (Some(code), c.totals))
            .collect(),
        Some(_) => total
            .by_district
            .iter()
            .map(|(code, s)| ((!code.is_empty()).then(|| code.clone()), *s))
            .collect(),
    };
    // The province's own office is named after the province.
    let name_of = |code: &Option<String>| match code {
        Some(code) => child_regions
            .iter()
            .chain(region_row.as_ref())
            .find(|r| &r.code == code)
            .map_or_else(|| code.clone(), |r| r.name.clone()),
        None => "(tanpa kecamatan)".to_owned(),
    };
    let regions = children
        .iter()
        .map(|(code, s)| RegionStats::new(code.clone(), name_of(code), s))
        .collect();
    let grants = crate::routes::grants::totals::grant_stats(
        state,
        region_row.as_ref(),
        &child_regions,
        today,
    )
    .await?;
    let (region_info, totals_name) = match &region_row {
        Some(row) => (
            Some(StatsRegion {
                code: row.code.clone(),
                name: row.name.clone(),
                level: row.level.clone(),
            }),
            row.name.clone(),
        ),
        None => (None, "Indonesia".to_owned()),
    };
    let mut by_state = Vec::new();
    for (name, count) in &total.by_state {
        let state: RegistrationState = name.parse().map_err(ApiError::internal)?;
        by_state.push(StateCount {
            state,
            count: *count,
        });
    }
    let mut by_kind = Vec::new();
    for (name, c) in &total.by_kind {
        let kind: OrmasKind = name.parse().map_err(ApiError::internal)?;
        by_kind.push(KindStats {
            kind,
            registered: c.registered,
            active: c.active,
        });
    }
    Ok(StatsOverview {
        region: region_info,
        as_of,
        policy: ReportingPolicyInfo {
            cadence: policy.cadence.to_string(),
            due_after_days: policy.due_after_days,
            active_window_months: policy.active_window_months,
        },
        totals: RegionStats::new(
            region_row.as_ref().map(|r| r.code.clone()),
            totals_name,
            &total.totals,
        ),
        by_state,
        by_kind,
        by_field: total
            .by_field
            .iter()
            .map(|(field, c)| FieldStats {
                field: field.clone(),
                registered: c.registered,
                active: c.active,
            })
            .collect(),
        report_compliance: total
            .compliance
            .iter()
            .map(|c| ReportCompliance {
                period: c.period.to_string(),
                due_on: c.due_on,
                expected: c.expected,
                on_time: c.on_time,
                late: c.late,
                missing: c.missing,
                accepted: c.accepted,
            })
            .collect(),
        regions,
        offices_recounted: recounted as u64,
        grants,
        consultations,
    })
}

/// The statistics overview.
#[utoipa::path(
    tag = "statistics",
    operation_id = "getStatsOverview",
    summary = "Statistics overview",
    description = "Registered, active and inactive ormas (with reasons), by state, kind and field, \
one row per child region (adding up to the totals), report compliance for the last four periods \
already due (expected, on time, late, missing, accepted), SKTs expiring within 90 days and \
registrations past their verification deadline, as of a date. Active and inactive follow exactly \
the rule of `GET /v1/ormas/{id}/status`. Roles: staff and integrators within their region.",
    params(StatsQuery),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The numbers.", body = StatsOverview),
        (status = 400, description = "A query parameter is invalid, or names a kecamatan.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "A representative, or a region outside the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such region.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/stats/overview")]
pub async fn get_overview(
    state: web::Data<AppState>,
    principal: Principal,
    query: ValidQuery<StatsQuery>,
) -> Result<HttpResponse, ApiError> {
    let overview = overview(&state, &principal, query.0).await?;
    Ok(HttpResponse::Ok().json(overview))
}

/// The column headers of the CSV.
const CSV_HEADER: [&str; 18] = [
    "region_code",
    "region_name",
    "registered",
    "active",
    "inactive",
    "no_recent_report",
    "skt_expired",
    "board_term_ended",
    "suspended",
    "revoked",
    "secretariat_not_found",
    "skt_expiring_soon",
    "verification_overdue",
    "reports_missing",
    "warnings_running",
    "suspensions_in_force",
    "revocations_this_year",
    "as_of",
];

fn csv_record(row: &RegionStats, as_of: NaiveDate) -> [String; 18] {
    let r = &row.inactive_reasons;
    [
        row.code.clone().unwrap_or_default(),
        row.name.clone(),
        row.registered.to_string(),
        row.active.to_string(),
        row.inactive.to_string(),
        r.no_recent_report.to_string(),
        r.skt_expired.to_string(),
        r.board_term_ended.to_string(),
        r.suspended.to_string(),
        r.revoked.to_string(),
        r.secretariat_not_found.to_string(),
        row.skt_expiring_soon.to_string(),
        row.verification_overdue.to_string(),
        row.reports_missing.to_string(),
        row.sanctions.warnings_running.to_string(),
        row.sanctions.suspensions_in_force.to_string(),
        row.sanctions.revocations_this_year.to_string(),
        as_of.to_string(),
    ]
}

/// The statistics overview as CSV.
#[utoipa::path(
    tag = "statistics",
    operation_id = "getStatsOverviewCsv",
    summary = "Statistics overview as CSV",
    description = "The child-region table of `GET /v1/stats/overview` for spreadsheets: a header, \
one row per child region, and a last row with the region's totals (UTF-8, comma-separated, RFC \
4180 quoting). Columns: region_code, region_name, registered, active, inactive, no_recent_report, \
skt_expired, board_term_ended, suspended, revoked, secretariat_not_found, skt_expiring_soon, \
verification_overdue, reports_missing, warnings_running, suspensions_in_force, \
revocations_this_year, as_of. Roles: staff and integrators within their region.",
    params(StatsQuery),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The table.", body = String, content_type = "text/csv",
            headers(("Content-Disposition" = String, description = "`attachment; filename=\"statistik-ormas-….csv\"`"))),
        (status = 400, description = "A query parameter is invalid, or names a kecamatan.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "A representative, or a region outside the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such region.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/stats/overview.csv")]
pub async fn get_overview_csv(
    state: web::Data<AppState>,
    principal: Principal,
    query: ValidQuery<StatsQuery>,
) -> Result<HttpResponse, ApiError> {
    let overview = overview(&state, &principal, query.0).await?;
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record(CSV_HEADER)
        .map_err(ApiError::internal)?;
    for row in overview
        .regions
        .iter()
        .chain(std::iter::once(&overview.totals))
    {
        writer
            .write_record(csv_record(row, overview.as_of))
            .map_err(ApiError::internal)?;
    }
    let body = writer.into_inner().map_err(ApiError::internal)?;
    let name = overview
        .region
        .as_ref()
        .map_or("indonesia".to_owned(), |r| r.code.clone());
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"statistik-ormas-{name}-{}.csv\"",
                overview.as_of
            ),
        ))
        .body(body))
}

/// Registers this module's handlers; their order is the order of their paths in the OpenAPI
/// document.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_overview_csv).service(get_overview);
}
