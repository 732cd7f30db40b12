//! Working days: the deadlines of UU 17/2013 and of the reporting rules count working days, which skip
//! Saturdays, Sundays, national holidays (`libur_nasional`) and joint leave days (`cuti_bersama`).

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use strum::{Display, EnumString, IntoStaticStr, VariantArray};

use crate::codes::{Code, UnknownCode, code};

/// Why a weekday is not a working day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(EnumString, Display, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "snake_case", parse_err_ty = UnknownCode, parse_err_fn = Self::unknown)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(as = HolidayType, description = "The kind of day off.")
)]
pub enum HolidayKind {
    /// A national holiday (libur nasional).
    LiburNasional,
    /// A joint leave day set by joint ministerial decree (cuti bersama).
    CutiBersama,
}

code!(HolidayKind, "holiday kind");

/// One day off in the calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holiday {
    pub date: NaiveDate,
    pub kind: HolidayKind,
    /// Name in Indonesian.
    pub name_id: String,
    /// Name in English.
    pub name_en: String,
}

impl Holiday {
    /// Dates after the official decree is known are published as estimates ("perkiraan").
    pub fn is_estimated(&self) -> bool {
        self.name_id.contains("perkiraan") || self.name_en.contains("estimated")
    }
}

/// The set of days off that are not weekends. Built from the holidays table; pure data.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HolidayCalendar {
    days_off: BTreeMap<NaiveDate, HolidayKind>,
}

impl HolidayCalendar {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn from_holidays<'a>(holidays: impl IntoIterator<Item = &'a Holiday>) -> Self {
        Self {
            days_off: holidays.into_iter().map(|h| (h.date, h.kind)).collect(),
        }
    }

    /// Adds a day off; a later kind on the same date replaces the earlier one.
    pub fn insert(&mut self, date: NaiveDate, kind: HolidayKind) {
        self.days_off.insert(date, kind);
    }

    /// The kind of holiday on that date, if any.
    pub fn holiday_on(&self, date: NaiveDate) -> Option<HolidayKind> {
        self.days_off.get(&date).copied()
    }

    pub fn is_weekend(date: NaiveDate) -> bool {
        matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
    }

    /// A working day is a Monday–Friday that is neither a national holiday nor cuti bersama.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        !Self::is_weekend(date) && !self.days_off.contains_key(&date)
    }

    /// Holidays falling on weekdays strictly after `from` and up to `until` inclusive: the days that
    /// pushed a deadline out beyond the weekends.
    pub fn weekday_holidays_in(
        &self,
        from: NaiveDate,
        until: NaiveDate,
    ) -> impl Iterator<Item = (NaiveDate, HolidayKind)> + '_ {
        self.days_off
            .range(from..=until.max(from))
            .filter(move |(d, _)| **d > from && !Self::is_weekend(**d))
            .map(|(d, k)| (*d, *k))
    }
}

/// The date is outside the range chrono can represent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the date falls outside the supported calendar range")]
pub struct DateOutOfRange;

fn step(date: NaiveDate, forward: bool) -> Result<NaiveDate, DateOutOfRange> {
    let next = if forward {
        date.succ_opt()
    } else {
        date.pred_opt()
    };
    next.ok_or(DateOutOfRange)
}

/// The earliest year a date given to the register may have (no ormas, decree or birth is older).
pub const EARLIEST_PLAUSIBLE_YEAR: i64 = 1900;
/// The latest year a date given to the register may have (deadlines and terms run decades, not
/// millennia).
pub const LATEST_PLAUSIBLE_YEAR: i64 = 2999;

/// Whether a date lies within the plausible years.
pub fn plausible_date(date: NaiveDate) -> bool {
    (EARLIEST_PLAUSIBLE_YEAR..=LATEST_PLAUSIBLE_YEAR).contains(&i64::from(date.year()))
}

/// The date `n` working days after `date`. The start date itself is never counted, so a deadline of
/// "15 working days after submission" is `add_working_days(submitted_on, 15, &calendar)`, and the
/// result is always a working day when `n > 0`. `n == 0` returns `date` unchanged; a negative `n`
/// counts backwards in the same way.
pub fn add_working_days(
    date: NaiveDate,
    n: i32,
    calendar: &HolidayCalendar,
) -> Result<NaiveDate, DateOutOfRange> {
    let forward = n >= 0;
    let mut remaining = n.unsigned_abs();
    let mut current = date;
    while remaining > 0 {
        current = step(current, forward)?;
        if calendar.is_working_day(current) {
            remaining -= 1;
        }
    }
    Ok(current)
}

/// The number of working days in the half-open interval (`from`, `until`]: the start is not counted,
/// the end is. It is the inverse of [`add_working_days`]: when `until` is a working day,
/// `working_days_between(d, add_working_days(d, n)) == n`. Negative when `until` is before `from`.
pub fn working_days_between(from: NaiveDate, until: NaiveDate, calendar: &HolidayCalendar) -> i64 {
    let (start, end, sign) = if until >= from {
        (from, until, 1)
    } else {
        (until, from, -1)
    };
    let total_days = (end - start).num_days();
    // Count weekdays arithmetically (whole weeks have five), then subtract weekday holidays, so that
    // a span of years costs no more than a span of days.
    let full_weeks = total_days / 7;
    let mut weekdays = full_weeks * 5;
    let mut day = start + Days::new((full_weeks * 7) as u64);
    while day < end {
        day = day.succ_opt().unwrap_or(day);
        if !HolidayCalendar::is_weekend(day) {
            weekdays += 1;
        }
    }
    let holidays = calendar.weekday_holidays_in(start, end).count() as i64;
    sign * (weekdays - holidays)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// The 2025–2027 days off around the cases below, as in shared/data/kalender.
    fn calendar() -> HolidayCalendar {
        let mut cal = HolidayCalendar::new();
        for (date, kind) in [
            ("2025-12-25", HolidayKind::LiburNasional),
            ("2025-12-26", HolidayKind::CutiBersama),
            ("2026-01-01", HolidayKind::LiburNasional),
            ("2026-01-16", HolidayKind::LiburNasional),
            ("2026-02-16", HolidayKind::CutiBersama),
            ("2026-02-17", HolidayKind::LiburNasional),
            ("2026-03-18", HolidayKind::CutiBersama),
            ("2026-03-19", HolidayKind::LiburNasional),
            ("2026-03-20", HolidayKind::CutiBersama),
            ("2026-03-21", HolidayKind::LiburNasional),
            ("2026-03-22", HolidayKind::LiburNasional),
            ("2026-03-23", HolidayKind::CutiBersama),
            ("2026-03-24", HolidayKind::CutiBersama),
            ("2026-04-03", HolidayKind::LiburNasional),
            ("2026-04-05", HolidayKind::LiburNasional),
            ("2026-12-24", HolidayKind::CutiBersama),
            ("2026-12-25", HolidayKind::LiburNasional),
            ("2027-01-01", HolidayKind::LiburNasional),
        ] {
            cal.insert(d(date), kind);
        }
        cal
    }

    #[test]
    fn working_day_classification() {
        let cal = calendar();
        let cases = [
            ("2026-03-16", true),  // Monday
            ("2026-03-17", true),  // Tuesday
            ("2026-03-18", false), // cuti bersama Nyepi
            ("2026-03-19", false), // Nyepi
            ("2026-03-20", false), // cuti bersama Idul Fitri
            ("2026-03-21", false), // Saturday and Idul Fitri
            ("2026-03-22", false), // Sunday and Idul Fitri day two
            ("2026-03-23", false), // cuti bersama
            ("2026-03-24", false), // cuti bersama
            ("2026-03-25", true),  // Wednesday
            ("2026-11-21", false), // Saturday
            ("2026-11-22", false), // Sunday
            ("2026-11-23", true),  // Monday
        ];
        for (date, working) in cases {
            assert_eq!(cal.is_working_day(d(date)), working, "{date}");
        }
    }

    #[test]
    fn add_working_days_table() {
        let cal = calendar();
        let cases: &[(&str, i32, &str, &str)] = &[
            ("2026-03-16", 0, "2026-03-16", "zero days is the same date"),
            (
                "2026-03-21",
                0,
                "2026-03-21",
                "zero days from a holiday stays put",
            ),
            ("2026-03-16", 1, "2026-03-17", "next day"),
            (
                "2026-03-16",
                2,
                "2026-03-25",
                "skips Nyepi, Idul Fitri and cuti bersama 18–24 March",
            ),
            ("2026-03-17", 1, "2026-03-25", "the day before the cluster"),
            ("2026-03-16", 6, "2026-03-31", "through the end of March"),
            (
                "2026-03-16",
                8,
                "2026-04-02",
                "up to Thursday before Good Friday",
            ),
            (
                "2026-03-16",
                9,
                "2026-04-06",
                "skips Good Friday and the weekend",
            ),
            (
                "2026-03-16",
                15,
                "2026-04-14",
                "the UU 17/2013 verification deadline",
            ),
            ("2026-03-18", 1, "2026-03-25", "starting on a holiday"),
            ("2026-03-21", 15, "2026-04-15", "starting on a Saturday"),
            ("2026-11-20", 1, "2026-11-23", "Friday to Monday"),
            ("2026-12-22", 3, "2026-12-29", "skips 24–27 December"),
            ("2026-12-28", 5, "2027-01-05", "across the year boundary"),
            (
                "2025-12-23",
                5,
                "2026-01-02",
                "across the 2025/2026 boundary",
            ),
            (
                "2026-03-25",
                -1,
                "2026-03-17",
                "backwards across the cluster",
            ),
            (
                "2027-01-05",
                -5,
                "2026-12-28",
                "backwards across the year boundary",
            ),
        ];
        for (from, n, expected, why) in cases {
            assert_eq!(
                add_working_days(d(from), *n, &cal).unwrap(),
                d(expected),
                "{from} + {n}: {why}"
            );
        }
    }

    #[test]
    fn working_days_between_table() {
        let cal = calendar();
        let cases: &[(&str, &str, i64)] = &[
            ("2026-03-16", "2026-03-16", 0),
            ("2026-03-16", "2026-03-17", 1),
            ("2026-03-16", "2026-03-24", 1),
            ("2026-03-16", "2026-03-25", 2),
            ("2026-03-16", "2026-04-14", 15),
            ("2026-04-14", "2026-03-16", -15),
            ("2026-12-28", "2027-01-05", 5),
            ("2026-03-21", "2026-03-22", 0),
            // 2026 has 261 weekdays; 12 weekday holidays of this test calendar fall in it.
            ("2025-12-31", "2026-12-31", 261 - 12),
        ];
        for (from, until, expected) in cases {
            assert_eq!(
                working_days_between(d(from), d(until), &cal),
                *expected,
                "{from} → {until}"
            );
        }
    }

    #[test]
    fn between_inverts_add_for_every_start_in_a_year() {
        let cal = calendar();
        let mut day = d("2025-12-01");
        while day < d("2027-01-31") {
            for n in [1, 2, 5, 15, 30] {
                let due = add_working_days(day, n, &cal).unwrap();
                assert!(cal.is_working_day(due));
                assert_eq!(
                    working_days_between(day, due, &cal),
                    i64::from(n),
                    "{day} + {n}"
                );
            }
            day = day.succ_opt().unwrap();
        }
    }

    #[test]
    fn holiday_kind_round_trips() {
        for &kind in HolidayKind::ALL {
            assert_eq!(kind.as_str().parse::<HolidayKind>().unwrap(), kind);
        }
        assert!("libur".parse::<HolidayKind>().is_err());
    }

    #[test]
    fn estimated_holidays_are_flagged() {
        let h = Holiday {
            date: d("2028-01-26"),
            kind: HolidayKind::LiburNasional,
            name_id: "Tahun Baru Imlek (perkiraan)".into(),
            name_en: "Lunar New Year (estimated)".into(),
        };
        assert!(h.is_estimated());
    }

    #[test]
    fn weekday_holidays_ignore_weekends() {
        let cal = calendar();
        let got: Vec<_> = cal
            .weekday_holidays_in(d("2026-03-16"), d("2026-03-25"))
            .map(|(d, _)| d.to_string())
            .collect();
        assert_eq!(
            got,
            [
                "2026-03-18",
                "2026-03-19",
                "2026-03-20",
                "2026-03-23",
                "2026-03-24"
            ]
        );
    }
}
