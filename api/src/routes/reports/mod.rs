//! Semester (or annual) reports: drafts per period, their lifecycle with receipt (STTL) numbers,
//! and the offices' queues including the reports that are missing.

pub mod crud;
pub mod dto;
pub mod queue;
pub mod transitions;

use ormas_domain::Action;
use ormas_persistence::register::DocumentRow;
use ormas_persistence::reports::{self, ReportWithOrmas};

use crate::auth::Principal;
use crate::error::{ApiError, FieldIssue, Text};
use crate::routes::ormas::visible;
use crate::state::AppState;
use dto::ReportActivity;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn not_found(id: &str) -> ApiError {
    ApiError::not_found(Text::new(
        format!("Laporan {id} tidak ditemukan."),
        format!("No report {id}."),
    ))
}

/// Loads a report the caller may see: staff and integrators within their region, a
/// representative only its own ormas's. Others' reports are 404.
pub async fn load_visible_report(
    state: &AppState,
    principal: &Principal,
    id: String,
) -> Result<ReportWithOrmas, ApiError> {
    principal.require(Action::ReadReports)?;
    let lookup = id.clone();
    let found = state
        .db(move |conn| reports::find_report(conn, &lookup))
        .await?;
    found
        .filter(|(_, reg, _)| visible(principal, &reg.id, &reg.region_code))
        .ok_or_else(|| not_found(&id))
}

/// Field errors for attachments that are not `report_attachment` documents of this registration.
/// Activities dated outside the report's period, one issue each.
pub fn period_issues(
    period: &ormas_domain::Period,
    activities: &[ReportActivity],
) -> Vec<FieldIssue> {
    activities
        .iter()
        .enumerate()
        .filter(|(_, activity)| !period.contains(activity.date))
        .map(|(i, _)| {
            FieldIssue::new(
                format!("activities[{i}].date"),
                "outside_period",
                Text::new(
                    format!(
                        "harus dalam periode {period} ({} – {})",
                        period.start(),
                        period.end()
                    ),
                    format!(
                        "must fall within the period {period} ({} – {})",
                        period.start(),
                        period.end()
                    ),
                ),
            )
        })
        .collect()
}

pub fn attachment_issues(
    activities: &[ReportActivity],
    documents: &[DocumentRow],
) -> Vec<FieldIssue> {
    let mut issues = Vec::new();
    for (i, activity) in activities.iter().enumerate() {
        for (j, id) in activity.document_ids.iter().enumerate() {
            let known = documents.iter().any(|d| {
                &d.id == id && d.doc_type == ormas_domain::reference_lists::REPORT_ATTACHMENT
            });
            if !known {
                issues.push(FieldIssue::new(
                    format!("activities[{i}].document_ids[{j}]"),
                    "unknown_document",
                    Text::new(
                        "bukan dokumen report_attachment milik ormas ini",
                        "is not a report_attachment document of this ormas",
                    ),
                ));
            }
        }
    }
    issues
}

/// Registers this module's handlers; their order is the order of their paths in the OpenAPI
/// document.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(crud::create_report)
        .service(crud::list_ormas_reports)
        .service(queue::list_reports)
        .service(crud::get_report)
        .service(crud::update_report)
        .service(transitions::submit_report)
        .service(transitions::accept_report)
        .service(transitions::return_report);
}
