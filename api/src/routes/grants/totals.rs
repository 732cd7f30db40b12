//! The grant figures of the statistics overview: per fiscal year, for the region and per child
//! region (provinces under the nation, offices under a province).

use chrono::{Datelike, NaiveDate};
use ormas_persistence::grants::{self, GrantTotals};
use ormas_persistence::reference::RegionRow;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::state::AppState;

/// How many fiscal years back the overview counts (this year's included).
const YEARS_BACK: i32 = 4;

/// One fiscal year's grants, in whole rupiah.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GrantYearTotals {
    pub fiscal_year: i32,
    /// Proposals of the year, in any state (drafts included).
    pub proposals: i64,
    pub requested_amount: i64,
    pub approved_amount: i64,
    pub disbursed_amount: i64,
    /// Disbursed amounts whose LPJ is accepted.
    pub accounted_amount: i64,
    /// Proposals whose LPJ is overdue on the day, and the amounts disbursed to them.
    pub lpj_overdue: i64,
    pub lpj_overdue_amount: i64,
}

impl From<&GrantTotals> for GrantYearTotals {
    fn from(t: &GrantTotals) -> Self {
        GrantYearTotals {
            fiscal_year: t.fiscal_year,
            proposals: t.proposals,
            requested_amount: t.requested,
            approved_amount: t.approved,
            disbursed_amount: t.disbursed,
            accounted_amount: t.accounted,
            lpj_overdue: t.lpj_overdue_count,
            lpj_overdue_amount: t.lpj_overdue,
        }
    }
}

/// One child region's grants.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GrantRegionTotals {
    pub code: String,
    pub name: String,
    pub by_fiscal_year: Vec<GrantYearTotals>,
}

/// The grant totals of the overview.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GrantStats {
    /// The region's, per fiscal year (the last four and any later), oldest first.
    pub by_fiscal_year: Vec<GrantYearTotals>,
    /// Per child region: provinces under the nation, kabupaten/kota (and the province's own
    /// office) under a province; empty under a kabupaten/kota.
    pub regions: Vec<GrantRegionTotals>,
}

fn fold(rows: impl Iterator<Item = GrantTotals>) -> Vec<GrantYearTotals> {
    let mut years: std::collections::BTreeMap<i32, GrantTotals> = Default::default();
    for row in rows {
        years
            .entry(row.fiscal_year)
            .or_insert_with(|| GrantTotals {
                fiscal_year: row.fiscal_year,
                ..GrantTotals::default()
            })
            .add(&row);
    }
    years.values().map(GrantYearTotals::from).collect()
}

/// The grant figures of `region` (`None`: the nation) on `today`, named after `regions`.
pub async fn grant_stats(
    state: &AppState,
    region: Option<&RegionRow>,
    regions: &[RegionRow],
    today: NaiveDate,
) -> Result<GrantStats, ApiError> {
    let scope = region.map(|r| r.code.clone());
    let from_year = today.year() - YEARS_BACK + 1;
    let rows = state
        .db(move |conn| grants::grant_totals_by_region(conn, scope.as_deref(), from_year, today))
        .await?;
    let by_fiscal_year = fold(rows.iter().map(|(_, t)| t.clone()));
    let prefix = match region.map(|r| r.level.as_str()) {
        None => Some(2),
        Some("province") => Some(5),
        Some(_) => None,
    };
    let mut children: std::collections::BTreeMap<String, Vec<GrantTotals>> = Default::default();
    if let Some(len) = prefix {
        for (code, totals) in &rows {
            let key: String = code.chars().take(len).collect();
            children.entry(key).or_default().push(totals.clone());
        }
    }
    let regions = children
        .into_iter()
        .map(|(code, rows)| GrantRegionTotals {
            name: regions
                .iter()
                .chain(region)
                .find(|r| r.code == code)
                .map_or_else(|| code.clone(), |r| r.name.clone()),
            code,
            by_fiscal_year: fold(rows.into_iter()),
        })
        .collect();
    Ok(GrantStats {
        by_fiscal_year,
        regions,
    })
}
