//! The oversight dashboard of a region: what the Tim Terpadu has to act on, counted per office and
//! added up per child region. Pure: the facts come in, the counts go out.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::calendar::{HolidayCalendar, working_days_between};

/// A written warning "ends soon" when at most this many working days remain to comply.
pub const WARNING_SOON_WORKING_DAYS: i64 = 3;
/// A suspension "ends soon" when its period ends within this many calendar days.
pub const SUSPENSION_SOON_DAYS: i64 = 30;

/// Open complaints by how long ago they were received.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgeBuckets {
    /// Received in the last 7 days (today included).
    pub within_7_days: u64,
    /// 8 to 30 days ago.
    pub within_30_days: u64,
    /// 31 to 90 days ago.
    pub within_90_days: u64,
    /// More than 90 days ago.
    pub older: u64,
}

impl AgeBuckets {
    fn count(&mut self, received_on: NaiveDate, today: NaiveDate) {
        match (today - received_on).num_days() {
            ..=6 => self.within_7_days += 1,
            7..=29 => self.within_30_days += 1,
            30..=89 => self.within_90_days += 1,
            _ => self.older += 1,
        }
    }

    fn add(&mut self, other: &AgeBuckets) {
        self.within_7_days += other.within_7_days;
        self.within_30_days += other.within_30_days;
        self.within_90_days += other.within_90_days;
        self.older += other.older;
    }
}

/// Where a written warning's 7 working days stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WarningUrgency {
    /// More than [`WARNING_SOON_WORKING_DAYS`] working days remain.
    Running,
    /// The deadline is today or within [`WARNING_SOON_WORKING_DAYS`] working days.
    EndingSoon,
    /// The deadline has passed and no compliance was recorded.
    Ended,
}

/// How urgent a warning without a compliance record is on `today`.
pub fn warning_urgency(
    deadline: NaiveDate,
    today: NaiveDate,
    calendar: &HolidayCalendar,
) -> WarningUrgency {
    if deadline < today {
        return WarningUrgency::Ended;
    }
    // Working days after today up to and including the deadline.
    if working_days_between(today, deadline, calendar) <= WARNING_SOON_WORKING_DAYS {
        WarningUrgency::EndingSoon
    } else {
        WarningUrgency::Running
    }
}

/// The dashboard's numbers for one office or region.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardCounts {
    /// Complaints received and not yet triaged.
    pub complaints_open: u64,
    pub complaints_by_category: BTreeMap<String, u64>,
    pub complaints_by_age: AgeBuckets,
    /// Cases by state (`open`, `investigating`, `recommendation`, `closed`).
    pub cases_by_state: BTreeMap<String, u64>,
    /// Written warnings in force without a compliance record whose deadline is within
    /// [`WARNING_SOON_WORKING_DAYS`] working days.
    pub warnings_ending_soon: u64,
    /// Written warnings whose deadline has passed without a compliance record.
    pub warnings_ended_without_compliance: u64,
    /// Activity suspensions in force.
    pub suspensions_in_force: u64,
    /// Of those, the ones whose period ends within [`SUSPENSION_SOON_DAYS`] days.
    pub suspensions_ending_soon: u64,
    /// Registered ormas whose last field visit found nothing at the address.
    pub secretariat_not_found: u64,
}

impl DashboardCounts {
    /// Counts an open (untriaged) complaint.
    pub fn complaint(&mut self, category: &str, received_on: NaiveDate, today: NaiveDate) {
        self.complaints_open += 1;
        *self
            .complaints_by_category
            .entry(category.to_owned())
            .or_default() += 1;
        self.complaints_by_age.count(received_on, today);
    }

    /// Counts a case in `state`.
    pub fn case(&mut self, state: &str) {
        *self.cases_by_state.entry(state.to_owned()).or_default() += 1;
    }

    /// Counts a warning in force without a compliance record.
    pub fn warning(&mut self, deadline: NaiveDate, today: NaiveDate, calendar: &HolidayCalendar) {
        match warning_urgency(deadline, today, calendar) {
            WarningUrgency::Running => {}
            WarningUrgency::EndingSoon => self.warnings_ending_soon += 1,
            WarningUrgency::Ended => self.warnings_ended_without_compliance += 1,
        }
    }

    /// Counts a suspension in force (its period ending on `ends_on`, or open-ended), unless its
    /// period is over by `today`.
    pub fn suspension(&mut self, ends_on: Option<NaiveDate>, today: NaiveDate) {
        match ends_on {
            Some(end) if end < today => {}
            Some(end) => {
                self.suspensions_in_force += 1;
                if (end - today).num_days() <= SUSPENSION_SOON_DAYS {
                    self.suspensions_ending_soon += 1;
                }
            }
            None => self.suspensions_in_force += 1,
        }
    }

    /// Adds another office's or region's counts.
    pub fn add(&mut self, other: &DashboardCounts) {
        self.complaints_open += other.complaints_open;
        for (category, n) in &other.complaints_by_category {
            *self
                .complaints_by_category
                .entry(category.clone())
                .or_default() += n;
        }
        self.complaints_by_age.add(&other.complaints_by_age);
        for (state, n) in &other.cases_by_state {
            *self.cases_by_state.entry(state.clone()).or_default() += n;
        }
        self.warnings_ending_soon += other.warnings_ending_soon;
        self.warnings_ended_without_compliance += other.warnings_ended_without_compliance;
        self.suspensions_in_force += other.suspensions_in_force;
        self.suspensions_ending_soon += other.suspensions_ending_soon;
        self.secretariat_not_found += other.secretariat_not_found;
    }
}

/// The child region an office's numbers belong to under `parent` (`None`: the nation): the
/// province under the nation, the kabupaten/kota (or the province's own office) under a province,
/// the office itself under a kabupaten/kota.
pub fn child_of(office: &str, parent: Option<&str>) -> String {
    let len = match parent.map(str::len) {
        None => 2,
        Some(2) => 5,
        Some(_) => office.len(),
    };
    office.get(..len).unwrap_or(office).to_owned()
}

/// Adds up per-office counts into one row per child region of `parent`, ordered by code.
pub fn by_child(
    offices: &BTreeMap<String, DashboardCounts>,
    parent: Option<&str>,
) -> BTreeMap<String, DashboardCounts> {
    let mut rows: BTreeMap<String, DashboardCounts> = BTreeMap::new();
    for (office, counts) in offices {
        rows.entry(child_of(office, parent))
            .or_default()
            .add(counts);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::HolidayKind;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn nyepi_and_lebaran_2026() -> HolidayCalendar {
        let mut cal = HolidayCalendar::new();
        for day in [
            "2026-03-18",
            "2026-03-19",
            "2026-03-20",
            "2026-03-21",
            "2026-03-22",
            "2026-03-23",
            "2026-03-24",
        ] {
            cal.insert(d(day), HolidayKind::CutiBersama);
        }
        cal
    }

    #[test]
    fn complaints_are_bucketed_by_age() {
        let today = d("2026-11-30");
        let mut counts = DashboardCounts::default();
        for (received, category) in [
            ("2026-11-30", "sara"),
            ("2026-11-24", "sara"),
            ("2026-11-23", "public_order"),
            ("2026-11-01", "public_order"),
            ("2026-10-31", "other"),
            ("2026-09-02", "other"),
            ("2026-09-01", "other"),
        ] {
            counts.complaint(category, d(received), today);
        }
        assert_eq!(counts.complaints_open, 7);
        assert_eq!(
            counts.complaints_by_age,
            AgeBuckets {
                within_7_days: 2,
                within_30_days: 2,
                within_90_days: 2,
                older: 1
            }
        );
        assert_eq!(counts.complaints_by_category["other"], 3);
        assert_eq!(counts.complaints_by_category["sara"], 2);
    }

    #[test]
    fn warnings_are_urgent_in_their_last_three_working_days() {
        let cal = nyepi_and_lebaran_2026();
        // A warning dated Friday 13 March 2026 ends on Tuesday 31 March.
        let deadline = d("2026-03-31");
        for (today, expected) in [
            ("2026-03-13", WarningUrgency::Running),
            // 17 March: the next working days are 25, 26, 27, 30, 31 March.
            ("2026-03-17", WarningUrgency::Running),
            ("2026-03-25", WarningUrgency::Running),
            ("2026-03-26", WarningUrgency::EndingSoon),
            ("2026-03-31", WarningUrgency::EndingSoon),
            ("2026-04-01", WarningUrgency::Ended),
        ] {
            assert_eq!(
                warning_urgency(deadline, d(today), &cal),
                expected,
                "{today}"
            );
        }
    }

    #[test]
    fn suspensions_in_force_and_ending_soon() {
        let today = d("2026-11-30");
        let mut counts = DashboardCounts::default();
        counts.suspension(Some(d("2026-11-29")), today); // over
        counts.suspension(Some(d("2026-11-30")), today); // last day
        counts.suspension(Some(d("2026-12-30")), today); // 30 days
        counts.suspension(Some(d("2026-12-31")), today); // 31 days
        counts.suspension(None, today); // until lifted
        assert_eq!(counts.suspensions_in_force, 4);
        assert_eq!(counts.suspensions_ending_soon, 2);
    }

    #[test]
    fn child_rows_add_up_to_the_region() {
        let today = d("2026-11-30");
        let cal = HolidayCalendar::new();
        let mut offices: BTreeMap<String, DashboardCounts> = BTreeMap::new();
        for (office, category) in [
            ("64", "sara"),
            ("64.71", "sara"),
            ("64.71", "other"),
            ("64.01", "other"),
            ("62.71", "sara"),
        ] {
            offices
                .entry(office.to_owned())
                .or_default()
                .complaint(category, today, today);
        }
        offices.entry("64.01".into()).or_default().case("open");
        offices
            .entry("64.72".into())
            .or_default()
            .warning(d("2026-11-01"), today, &cal);
        let nation = by_child(&offices, None);
        assert_eq!(nation.keys().collect::<Vec<_>>(), ["62", "64"]);
        assert_eq!(nation["64"].complaints_open, 4);
        let in_province = |prefix: &str| -> BTreeMap<String, DashboardCounts> {
            offices
                .iter()
                .filter(|(code, _)| code.starts_with(prefix))
                .map(|(code, c)| (code.clone(), c.clone()))
                .collect()
        };
        let province = by_child(&in_province("64"), Some("64"));
        assert_eq!(
            province.keys().collect::<Vec<_>>(),
            ["64", "64.01", "64.71", "64.72"]
        );
        let mut sum = DashboardCounts::default();
        for row in province.values() {
            sum.add(row);
        }
        assert_eq!(sum, nation["64"]);
        // Under a kabupaten/kota its own office is the only row.
        let own = in_province("64.71");
        let kota = by_child(&own, Some("64.71"));
        assert_eq!(kota.keys().collect::<Vec<_>>(), ["64.71"]);
        assert_eq!(kota["64.71"].complaints_open, 2);
    }
}
