//! Repositories for the reference data: regions and the holiday calendar.

use chrono::NaiveDate;
use diesel::prelude::*;
use ormas_domain::{Holiday, HolidayCalendar, HolidayKind, RegionCode, RegionLevel};

use crate::schema::{holidays, regions};
use crate::{AnyConnection, PersistenceError, PersistenceResult};

/// A region row as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = regions)]
pub struct RegionRow {
    pub code: String,
    pub parent_code: Option<String>,
    pub level: String,
    pub name: String,
}

impl RegionRow {
    pub fn level(&self) -> PersistenceResult<RegionLevel> {
        self.level
            .parse()
            .map_err(|e| PersistenceError::Corrupt(format!("region {}: {e}", self.code)))
    }
}

/// Which regions to list. Results are ordered by code; `after` is the last code of the previous
/// page.
#[derive(Debug, Clone, Default)]
pub struct RegionFilter {
    pub parent: Option<RegionCode>,
    pub level: Option<RegionLevel>,
    pub after: Option<String>,
    pub limit: i64,
}

pub fn list_regions(
    conn: &mut AnyConnection,
    filter: &RegionFilter,
) -> PersistenceResult<Vec<RegionRow>> {
    let mut query = regions::table
        .select(RegionRow::as_select())
        .order(regions::code.asc())
        .limit(filter.limit)
        .into_boxed();
    if let Some(parent) = &filter.parent {
        query = query.filter(regions::parent_code.eq(parent.as_str().to_owned()));
    }
    if let Some(level) = filter.level {
        query = query.filter(regions::level.eq(level.as_str()));
    }
    if let Some(after) = &filter.after {
        query = query.filter(regions::code.gt(after.clone()));
    }
    Ok(query.load(conn)?)
}

pub fn find_region(conn: &mut AnyConnection, code: &str) -> PersistenceResult<Option<RegionRow>> {
    Ok(regions::table
        .find(code)
        .select(RegionRow::as_select())
        .first(conn)
        .optional()?)
}

/// The regions with these codes, in code order; unknown codes are left out.
pub fn find_regions(
    conn: &mut AnyConnection,
    codes: &[String],
) -> PersistenceResult<Vec<RegionRow>> {
    Ok(regions::table
        .filter(regions::code.eq_any(codes))
        .order(regions::code.asc())
        .select(RegionRow::as_select())
        .load(conn)?)
}

/// A holiday row as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = holidays)]
pub struct HolidayRow {
    pub date: NaiveDate,
    pub kind: String,
    pub name_id: String,
    pub name_en: String,
    pub estimated: bool,
}

impl HolidayRow {
    pub fn from_domain(holiday: &Holiday) -> Self {
        Self {
            date: holiday.date,
            kind: holiday.kind.as_str().to_owned(),
            name_id: holiday.name_id.clone(),
            name_en: holiday.name_en.clone(),
            estimated: holiday.is_estimated(),
        }
    }

    pub fn into_domain(self) -> PersistenceResult<Holiday> {
        let kind: HolidayKind = self
            .kind
            .parse()
            .map_err(|e| PersistenceError::Corrupt(format!("holiday {}: {e}", self.date)))?;
        Ok(Holiday {
            date: self.date,
            kind,
            name_id: self.name_id,
            name_en: self.name_en,
        })
    }
}

/// Holidays with `from <= date <= until`, in date order.
pub fn holidays_between(
    conn: &mut AnyConnection,
    from: NaiveDate,
    until: NaiveDate,
) -> PersistenceResult<Vec<HolidayRow>> {
    Ok(holidays::table
        .filter(holidays::date.ge(from))
        .filter(holidays::date.le(until))
        .order(holidays::date.asc())
        .select(HolidayRow::as_select())
        .load(conn)?)
}

/// The working-day calendar for computations starting on or after `from` (and, for backward
/// counting, up to a year before it). The table holds a few hundred rows, so one query suffices.
pub fn holiday_calendar_from(
    conn: &mut AnyConnection,
    from: NaiveDate,
) -> PersistenceResult<HolidayCalendar> {
    let since = from
        .checked_sub_days(chrono::Days::new(366))
        .unwrap_or(NaiveDate::MIN);
    let rows: Vec<(NaiveDate, String)> = holidays::table
        .filter(holidays::date.ge(since))
        .select((holidays::date, holidays::kind))
        .load(conn)?;
    let mut calendar = HolidayCalendar::new();
    for (date, kind) in rows {
        let kind = kind
            .parse()
            .map_err(|e| PersistenceError::Corrupt(format!("holiday {date}: {e}")))?;
        calendar.insert(date, kind);
    }
    Ok(calendar)
}

/// Adds a holiday; a second holiday on the same date is a unique violation.
pub fn insert_holiday(conn: &mut AnyConnection, row: &HolidayRow) -> PersistenceResult<()> {
    diesel::insert_into(holidays::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Removes the holiday on `date`; false when there was none.
pub fn delete_holiday(conn: &mut AnyConnection, date: NaiveDate) -> PersistenceResult<bool> {
    let deleted = diesel::delete(holidays::table.find(date)).execute(conn)?;
    Ok(deleted > 0)
}

/// Whether an optional region reference names a known region (`None`, the nation, always does).
pub fn region_known(conn: &mut AnyConnection, code: Option<&str>) -> PersistenceResult<bool> {
    match code {
        None => Ok(true),
        Some(code) => Ok(find_region(conn, code)?.is_some()),
    }
}
