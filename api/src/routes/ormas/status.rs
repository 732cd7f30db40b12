//! The derived status of one ormas: active or inactive, and why.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::NaiveDate;
use ormas_domain::registration::{RegistrationState, effective_state};
use ormas_domain::reporting::Period;
use ormas_domain::sanctions::{EligibilityInput, Ineligibility, eligible_for_services};
use ormas_domain::status::{self, Activity, InactiveReason, ReportFacts, StatusInput};
use ormas_domain::visits::secretariat_missing_since;
use ormas_persistence::{reports, visits};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::load_visible;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::extract::ValidQuery;
use crate::routes::IfNoneMatch;
use crate::routes::representation::represent_view_get;
use crate::state::AppState;

/// The accepted report with the latest period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LastAcceptedReport {
    #[schema(pattern = r"^[0-9]{4}(-S[12])?$")]
    pub period: String,
    pub accepted_on: NaiveDate,
}

/// The report the ormas should file next.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NextReportDue {
    #[schema(pattern = r"^[0-9]{4}(-S[12])?$")]
    pub period: String,
    pub due_on: NaiveDate,
    /// The due date has passed without a submitted report.
    pub overdue: bool,
}

/// The status of an ormas as of a date, derived from its registration and reports.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "registration_id": "0193b3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b", "as_of": "2026-11-22",
    "state": "registered", "activity": "inactive", "reasons": ["no_recent_report"],
    "legal_basis_valid_until": null, "board_term_ends_on": "2028-05-01",
    "last_accepted_report": {"period": "2025-S1", "accepted_on": "2025-08-20"},
    "next_report": {"period": "2026-S1", "due_on": "2026-07-30", "overdue": true},
    "eligible_for_services": {"eligible": true, "unmet": []}
}))]
pub struct OrmasStatus {
    pub registration_id: String,
    pub as_of: NaiveDate,
    /// The registration's state (a returned registration past its window reads as lapsed on
    /// `as_of`).
    pub state: RegistrationState,
    pub activity: Activity,
    /// Every reason that applies; empty exactly when active.
    pub reasons: Vec<InactiveReason>,
    /// The SKT's expiry for an ormas without legal personality; `null` for a badan hukum (no end)
    /// or when unknown.
    #[schema(required = true)]
    pub legal_basis_valid_until: Option<NaiveDate>,
    #[schema(required = true)]
    pub board_term_ends_on: Option<NaiveDate>,
    #[schema(required = true)]
    pub last_accepted_report: Option<LastAcceptedReport>,
    pub next_report: NextReportDue,
    pub eligible_for_services: Eligibility,
}

/// Whether the ormas may receive services (grants, permits) on `as_of`:
/// `ormas_domain::sanctions::eligible_for_services`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Eligibility {
    pub eligible: bool,
    /// Every condition not met; empty exactly when eligible.
    pub unmet: Vec<Ineligibility>,
}

/// The date of the status.
#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatusQuery {
    /// The date the status is computed for (default: today in the deployment's time zone).
    /// Reports submitted or accepted later do not count.
    #[param(pattern = r"^(19|2[0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    #[validate(custom(function = "crate::routes::dto::validate_as_of"))]
    pub as_of: Option<NaiveDate>,
}

/// Get an ormas's status.
#[utoipa::path(
    tag = "ormas",
    operation_id = "getOrmasStatus",
    summary = "Active or inactive, and why",
    description = "Derived as of a date, never stored: active when registered (and not suspended, \
revoked or dissolved), its legal basis valid (AHU, or an SKT not expired), its board term not \
ended, and a report accepted within the active window (12 months by default). Otherwise inactive \
with reason codes. Also the next report due, and whether it may receive services (registered, \
not suspended or revoked, legal basis valid). Roles: staff and integrators within their region; \
a representative, its own ormas.",
    params(("id" = String, Path, description = "The registration's id."), StatusQuery, IfNoneMatch),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The status.", body = OrmasStatus, headers(("ETag" = String, description = "A digest of this representation."), ("Location" = String, description = "Its URL (with `as_of` when asked for)."))),
        (status = 304, response = ormas_openapi::responses::NotModified),
        (status = 400, description = "`as_of` is not a date.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 404, description = "No such registration in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/ormas/{id}/status")]
pub async fn get_status(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    query: ValidQuery<StatusQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (reg, org) = load_visible(&state, &principal, path.into_inner()).await?;
    let location = match query.0.as_of {
        Some(as_of) => format!("/v1/ormas/{}/status?as_of={as_of}", reg.id),
        None => format!("/v1/ormas/{}/status", reg.id),
    };
    let as_of = query.0.as_of.unwrap_or_else(|| state.config.today());
    let id = reg.id.clone();
    // Today the stored finding of the last visit is the answer (the list filters read it too);
    // for another date the visits known by then decide.
    let today = state.config.today();
    let past_visits = as_of != today;
    let (rows, visit_rows) = state
        .db(move |conn| {
            let reports = reports::report_facts_of(conn, &id)?;
            let visits = if past_visits {
                visits::visits_of_registration(conn, &id)?
            } else {
                Vec::new()
            };
            Ok((reports, visits))
        })
        .await?;
    let secretariat_missing_since = if past_visits {
        secretariat_missing_since(
            &super::visits::facts(&visit_rows),
            reg.address_changed_on,
            as_of,
        )
    } else {
        reg.secretariat_missing_since
    };
    let facts: Vec<ReportFacts> = rows
        .into_iter()
        .filter_map(|(_, period, submitted_on, accepted_on)| {
            Some(ReportFacts {
                period: Period::parse(&period).ok()?,
                submitted_on,
                accepted_on,
            })
        })
        .collect();
    let stored = reg.state()?;
    let current = effective_state(stored, reg.revision_due, reg.suspended_until, as_of);
    let kind = org.kind()?;
    let input = StatusInput {
        state: current,
        kind,
        skt_expires_on: org.skt_expires_on,
        board_term_ends_on: reg.board_term_ends_on,
        suspended: current == RegistrationState::Suspended,
        revoked: current == RegistrationState::Revoked,
        secretariat_missing_since,
        registration_date: reg.registration_date,
        reports: &facts,
    };
    let derived = status::derive_status(&input, &state.config.reporting, as_of);
    let unmet = eligible_for_services(
        &EligibilityInput {
            state: current,
            kind,
            skt_expires_on: org.skt_expires_on,
            organisation_dissolved: org.dissolved_on.is_some_and(|on| on <= as_of),
        },
        as_of,
    )
    .err()
    .unwrap_or_default();
    let status = OrmasStatus {
        registration_id: reg.id,
        as_of,
        state: current,
        activity: derived.activity,
        reasons: derived.reasons.into_iter().collect(),
        legal_basis_valid_until: derived.legal_basis_valid_until,
        board_term_ends_on: reg.board_term_ends_on,
        last_accepted_report: derived.last_accepted_report.map(|r| LastAcceptedReport {
            period: r.period.to_string(),
            accepted_on: r.accepted_on,
        }),
        next_report: NextReportDue {
            period: derived.next_report.period.to_string(),
            due_on: derived.next_report.due_on,
            overdue: derived.next_report.overdue,
        },
        eligible_for_services: Eligibility {
            eligible: unmet.is_empty(),
            unmet,
        },
    };
    represent_view_get(&req, location, &status)
}
