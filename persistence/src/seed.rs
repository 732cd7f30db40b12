//! Loads the bundled reference data (regions from idn-area-data 4.0.1, ODbL; holidays 2017–2030) into
//! a fresh database. Each data set is recorded in `reference_seeds` when loaded, so it loads once:
//! an administrator who later edits the calendar never sees the edit undone by a restart.

use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use ormas_domain::{Holiday, HolidayKind, RegionCode};
use serde::Deserialize;

use crate::reference::{HolidayRow, RegionRow};
use crate::schema::{holidays, reference_seeds, regions};
use crate::{AnyConnection, PersistenceError, PersistenceResult, on_backend};

const PROVINCES_CSV: &str = include_str!("../seed/wilayah/provinces.csv");
const REGENCIES_CSV: &str = include_str!("../seed/wilayah/regencies.csv");
const DISTRICTS_CSV: &str = include_str!("../seed/wilayah/districts.csv");
const HOLIDAYS_CSV: &str = include_str!("../seed/kalender/hari-libur-nasional.csv");

/// The names under which the bundled data sets are recorded once loaded.
pub const REGIONS_SEED: &str = "wilayah/idn-area-data-4.0.1";
pub const HOLIDAYS_SEED: &str = "kalender/holidays-0.109-2017-2030";

/// Rows per INSERT: well under SQLite's and PostgreSQL's bound-parameter limits.
const BATCH: usize = 500;

/// What a seeding run loaded (zero when the set had been loaded before).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SeedReport {
    pub regions: usize,
    pub holidays: usize,
}

#[derive(Deserialize)]
struct ProvinceRecord {
    code: String,
    name: String,
}

#[derive(Deserialize)]
struct RegencyRecord {
    code: String,
    province_code: String,
    name: String,
}

#[derive(Deserialize)]
struct DistrictRecord {
    code: String,
    regency_code: String,
    name: String,
}

#[derive(Deserialize)]
struct HolidayRecord {
    date: NaiveDate,
    kind: String,
    name_id: String,
    name_en: String,
}

fn read_csv<T: for<'de> Deserialize<'de>>(name: &str, text: &str) -> PersistenceResult<Vec<T>> {
    csv::Reader::from_reader(text.as_bytes())
        .deserialize()
        .collect::<Result<Vec<T>, _>>()
        .map_err(|e| PersistenceError::Seed(format!("{name}: {e}")))
}

fn region_row(code: String, parent: Option<String>, name: String) -> PersistenceResult<RegionRow> {
    let parsed = RegionCode::parse(&code).map_err(|e| PersistenceError::Seed(e.to_string()))?;
    if parsed.parent().map(String::from) != parent {
        return Err(PersistenceError::Seed(format!(
            "region {code} lists parent {parent:?}, which its code contradicts"
        )));
    }
    Ok(RegionRow {
        level: parsed.level().as_str().to_owned(),
        code,
        parent_code: parent,
        name,
    })
}

/// The bundled regions, parents before children.
pub fn bundled_regions() -> PersistenceResult<Vec<RegionRow>> {
    let mut rows = Vec::new();
    for p in read_csv::<ProvinceRecord>("provinces.csv", PROVINCES_CSV)? {
        rows.push(region_row(p.code, None, p.name)?);
    }
    for r in read_csv::<RegencyRecord>("regencies.csv", REGENCIES_CSV)? {
        rows.push(region_row(r.code, Some(r.province_code), r.name)?);
    }
    for d in read_csv::<DistrictRecord>("districts.csv", DISTRICTS_CSV)? {
        rows.push(region_row(d.code, Some(d.regency_code), d.name)?);
    }
    Ok(rows)
}

/// The bundled holiday calendar.
pub fn bundled_holidays() -> PersistenceResult<Vec<Holiday>> {
    read_csv::<HolidayRecord>("hari-libur-nasional.csv", HOLIDAYS_CSV)?
        .into_iter()
        .map(|r| {
            let kind: HolidayKind = r
                .kind
                .parse()
                .map_err(|e| PersistenceError::Seed(format!("holiday {}: {e}", r.date)))?;
            Ok(Holiday {
                date: r.date,
                kind,
                name_id: r.name_id,
                name_en: r.name_en,
            })
        })
        .collect()
}

/// Whether a named data set has been loaded into this database.
pub fn is_recorded(conn: &mut AnyConnection, name: &str) -> PersistenceResult<bool> {
    is_seeded(conn, name)
}

/// Records that a named data set has been loaded.
pub fn record(conn: &mut AnyConnection, name: &str) -> PersistenceResult<()> {
    mark_seeded(conn, name)
}

fn is_seeded(conn: &mut AnyConnection, name: &str) -> PersistenceResult<bool> {
    let count: i64 = reference_seeds::table
        .filter(reference_seeds::name.eq(name))
        .count()
        .get_result(conn)?;
    Ok(count > 0)
}

fn mark_seeded(conn: &mut AnyConnection, name: &str) -> PersistenceResult<()> {
    let now = Utc::now().naive_utc();
    diesel::insert_into(reference_seeds::table)
        .values((
            reference_seeds::name.eq(name),
            reference_seeds::applied_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Loads each bundled data set that this database has not loaded yet, in one transaction.
pub fn seed_reference_data(conn: &mut AnyConnection) -> PersistenceResult<SeedReport> {
    crate::in_write_transaction(conn, |conn| {
        let mut report = SeedReport::default();
        if !is_seeded(conn, REGIONS_SEED)? {
            let rows = bundled_regions()?;
            for chunk in rows.chunks(BATCH) {
                on_backend!(conn, |c| diesel::insert_into(regions::table)
                    .values(chunk)
                    .execute(c))?;
            }
            mark_seeded(conn, REGIONS_SEED)?;
            report.regions = rows.len();
        }
        if !is_seeded(conn, HOLIDAYS_SEED)? {
            let rows: Vec<HolidayRow> = bundled_holidays()?
                .iter()
                .map(HolidayRow::from_domain)
                .collect();
            for chunk in rows.chunks(BATCH) {
                on_backend!(conn, |c| diesel::insert_into(holidays::table)
                    .values(chunk)
                    .execute(c))?;
            }
            mark_seeded(conn, HOLIDAYS_SEED)?;
            report.holidays = rows.len();
        }
        Ok(report)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_data_has_the_documented_sizes() {
        let regions = bundled_regions().unwrap();
        let count = |level: &str| regions.iter().filter(|r| r.level == level).count();
        assert_eq!(count("province"), 38);
        assert_eq!(count("regency"), 514);
        assert_eq!(count("district"), 7285);
        let holidays = bundled_holidays().unwrap();
        assert_eq!(holidays.len(), 314);
        assert!(holidays.iter().any(|h| h.date.to_string() == "2026-03-19"));
    }
}
