//! The oversight dashboard's facts, counted per office (the region of each complaint, case,
//! sanction and registration) in five set-based queries over partial index ranges.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use diesel::dsl::count_star;
use diesel::prelude::*;
use ormas_domain::HolidayCalendar;
use ormas_domain::dashboard::DashboardCounts;

use crate::schema::{complaints, oversight_cases, registrations, sanctions};
use crate::sql::in_subtree;
use crate::{AnyConnection, PersistenceResult};

/// The dashboard's counts per office within `scope` (`None`: the nation) as of `today`.
pub fn office_dashboard(
    conn: &mut AnyConnection,
    scope: Option<&str>,
    today: NaiveDate,
    calendar: &HolidayCalendar,
) -> PersistenceResult<BTreeMap<String, DashboardCounts>> {
    let mut offices: BTreeMap<String, DashboardCounts> = BTreeMap::new();

    let mut open = complaints::table
        .filter(complaints::state.eq("received"))
        .select((
            complaints::region_code,
            complaints::category,
            complaints::created_at,
        ))
        .into_boxed();
    if let Some(code) = scope {
        open = open.filter(in_subtree!(complaints::region_code, code.to_owned()));
    }
    for (region, category, at) in open.load::<(String, String, chrono::NaiveDateTime)>(conn)? {
        offices
            .entry(region)
            .or_default()
            .complaint(&category, at.date(), today);
    }

    let mut cases = oversight_cases::table
        .group_by((oversight_cases::region_code, oversight_cases::state))
        .select((
            oversight_cases::region_code,
            oversight_cases::state,
            count_star(),
        ))
        .into_boxed();
    if let Some(code) = scope {
        cases = cases.filter(in_subtree!(oversight_cases::region_code, code.to_owned()));
    }
    for (region, state, n) in cases.load::<(String, String, i64)>(conn)? {
        let row = offices.entry(region).or_default();
        *row.cases_by_state.entry(state).or_default() += n.max(0) as u64;
    }

    let mut warnings = sanctions::table
        .filter(sanctions::kind.eq("written_warning"))
        .filter(sanctions::state.eq("in_force"))
        .filter(sanctions::compliance.is_null())
        .filter(sanctions::deadline.is_not_null())
        .select((
            sanctions::region_code,
            sanctions::deadline.assume_not_null(),
        ))
        .into_boxed();
    if let Some(code) = scope {
        warnings = warnings.filter(in_subtree!(sanctions::region_code, code.to_owned()));
    }
    for (region, deadline) in warnings.load::<(String, NaiveDate)>(conn)? {
        offices
            .entry(region)
            .or_default()
            .warning(deadline, today, calendar);
    }

    let mut suspensions = sanctions::table
        .filter(sanctions::kind.eq("activity_suspension"))
        .filter(sanctions::state.eq("in_force"))
        .select((sanctions::region_code, sanctions::period_end))
        .into_boxed();
    if let Some(code) = scope {
        suspensions = suspensions.filter(in_subtree!(sanctions::region_code, code.to_owned()));
    }
    for (region, ends_on) in suspensions.load::<(String, Option<NaiveDate>)>(conn)? {
        offices
            .entry(region)
            .or_default()
            .suspension(ends_on, today);
    }

    let mut missing = registrations::table
        .filter(registrations::secretariat_missing_since.is_not_null())
        .filter(
            registrations::secretariat_missing_since
                .assume_not_null()
                .le(today),
        )
        .filter(registrations::state.eq_any(["registered", "suspended"]))
        .group_by(registrations::region_code)
        .select((registrations::region_code, count_star()))
        .into_boxed();
    if let Some(code) = scope {
        missing = missing.filter(in_subtree!(registrations::region_code, code.to_owned()));
    }
    for (region, n) in missing.load::<(String, i64)>(conn)? {
        offices.entry(region).or_default().secretariat_not_found += n.max(0) as u64;
    }
    Ok(offices)
}
