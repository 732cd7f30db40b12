//! The consultations' service level in the statistics overview: per office (the region a thread
//! asks), the median working days to the first answer and the threads overdue today.

use std::collections::HashMap;

use chrono::{Days, NaiveDate};
use ormas_domain::consultations::median;
use ormas_persistence::{consultations, reference};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::state::AppState;

/// One office's consultation service level.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OfficeServiceLevel {
    /// The office's region.
    pub region_code: String,
    pub region_name: String,
    /// Threads first answered (opened within the window).
    pub answered: u64,
    /// The median working days from opening to the first answer; `null` when none was answered.
    pub median_first_answer_working_days: Option<f64>,
    /// Threads without a first answer past their due day today (not closed).
    pub overdue: u64,
}

/// The consultation service level of the region's subtree.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConsultationServiceLevel {
    /// `ORMAS_CONSULTATION_FIRST_ANSWER_DAYS`: the working days a first answer is due in.
    pub first_answer_days: i32,
    /// Threads opened on or after this day count for the medians (365 days before today).
    pub window_from: NaiveDate,
    pub answered: u64,
    /// The median over all the subtree's answered threads.
    pub median_first_answer_working_days: Option<f64>,
    pub overdue: u64,
    /// One row per office that has consultations, in region order.
    pub offices: Vec<OfficeServiceLevel>,
}

/// The numbers, from two grouped queries and the offices' names.
pub async fn service_level(
    state: &AppState,
    region: Option<String>,
) -> Result<ConsultationServiceLevel, ApiError> {
    let today = state.config.today();
    let since = today.checked_sub_days(Days::new(365)).unwrap_or(today);
    let (facts, names) = state
        .db(move |conn| {
            let facts = consultations::service_level_facts(conn, region.as_deref(), since, today)?;
            let mut codes: Vec<String> = facts
                .answer_days
                .iter()
                .map(|(c, _)| c.clone())
                .chain(facts.overdue.iter().map(|(c, _)| c.clone()))
                .collect();
            codes.sort();
            codes.dedup();
            let names = reference::find_regions(conn, &codes)?;
            Ok((facts, names))
        })
        .await?;
    // Each fact is read once, grouped by office (not filtered again for every office).
    let mut days_by_office: HashMap<&str, Vec<i64>> = HashMap::new();
    for (code, days) in &facts.answer_days {
        days_by_office
            .entry(code.as_str())
            .or_default()
            .push(i64::from(*days));
    }
    let overdue_by_office: HashMap<&str, u64> = facts
        .overdue
        .iter()
        .map(|(code, n)| (code.as_str(), (*n).max(0) as u64))
        .collect();
    let mut offices: Vec<OfficeServiceLevel> = names
        .into_iter()
        .map(|row| {
            let mut days = days_by_office.remove(row.code.as_str()).unwrap_or_default();
            OfficeServiceLevel {
                answered: days.len() as u64,
                median_first_answer_working_days: median(&mut days),
                overdue: overdue_by_office
                    .get(row.code.as_str())
                    .copied()
                    .unwrap_or(0),
                region_code: row.code,
                region_name: row.name,
            }
        })
        .collect();
    offices.sort_by(|a, b| a.region_code.cmp(&b.region_code));
    let mut all: Vec<i64> = facts
        .answer_days
        .iter()
        .map(|(_, d)| i64::from(*d))
        .collect();
    Ok(ConsultationServiceLevel {
        first_answer_days: state.config.consultations.first_answer_days,
        window_from: since,
        answered: all.len() as u64,
        median_first_answer_working_days: median(&mut all),
        overdue: offices.iter().map(|o| o.overdue).sum(),
        offices,
    })
}
