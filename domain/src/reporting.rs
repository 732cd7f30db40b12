//! Activity reports (*laporan semester*, Permendagri 57/2017 Ps 39): the reporting policy, the
//! periods reports cover, their due dates, and the lifecycle of one report.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use strum::{Display, EnumString, IntoStaticStr, VariantArray};

use crate::access::{Action, Role, allows};
use crate::codes::{Code, UnknownCode, code};

/// Days after a period ends that its report is due, unless a region configures otherwise.
pub const DEFAULT_DUE_AFTER_DAYS: u32 = 30;
/// Months back an accepted report keeps an ormas active, unless a region configures otherwise.
pub const DEFAULT_ACTIVE_WINDOW_MONTHS: u32 = 12;
/// The earliest year a period may be written with.
pub const PERIOD_MIN_YEAR: i32 = 1900;
/// The latest year a period may be written with.
pub const PERIOD_MAX_YEAR: i32 = 2999;

/// How often an ormas reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(EnumString, Display, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "snake_case", parse_err_ty = UnknownCode, parse_err_fn = Self::unknown)]
pub enum Cadence {
    /// Every six months: `YYYY-S1` (January–June) and `YYYY-S2` (July–December).
    Semester,
    /// Once a year: `YYYY` (January–December); some regions ask for this instead.
    Annual,
}

code!(Cadence, "reporting cadence");

/// The reporting rules of a region (**configurable**; see `docs/domain.md`, "Deadlines"). Missing
/// fields deserialize to their defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct ReportingPolicy {
    /// How often reports are due.
    pub cadence: Cadence,
    /// Calendar days after a period ends that its report is due.
    pub due_after_days: u32,
    /// Months back an accepted report keeps an ormas active.
    pub active_window_months: u32,
}

impl Default for ReportingPolicy {
    /// Semester reports, due 30 days after the period ends, active for 12 months.
    fn default() -> Self {
        Self {
            cadence: Cadence::Semester,
            due_after_days: DEFAULT_DUE_AFTER_DAYS,
            active_window_months: DEFAULT_ACTIVE_WINDOW_MONTHS,
        }
    }
}

/// The time a report covers: a half year (`2026-S1`, `2026-S2`) or a whole year (`2026`).
///
/// Ordered by start date, then by end date (so `2026` sorts between `2026-S1` and `2026-S2`).
/// Serialized as its text. Parsing accepts years 1900–2999; periods computed from dates may lie
/// outside that range, and their text then does not parse back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Period {
    /// A year whose 1 January and 31 December chrono can represent.
    year: i32,
    /// `Some(1)` or `Some(2)` for a semester; `None` for a whole year.
    half: Option<u8>,
}

/// Why a text is not a reporting period.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("`{0}` is not a reporting period (expected YYYY-S1, YYYY-S2 or YYYY, e.g. 2026-S1)")]
    Malformed(String),
    #[error("the year of reporting period `{0}` is outside {PERIOD_MIN_YEAR}–{PERIOD_MAX_YEAR}")]
    YearOutOfRange(String),
}

impl Period {
    /// Reads `YYYY-S1`, `YYYY-S2` (a semester) or `YYYY` (a year), for years 1900–2999.
    pub fn parse(text: &str) -> Result<Period, PeriodError> {
        let malformed = || PeriodError::Malformed(text.to_owned());
        let (year_text, half) = match text.split_once('-') {
            None => (text, None),
            Some((year, "S1")) => (year, Some(1)),
            Some((year, "S2")) => (year, Some(2)),
            Some(_) => return Err(malformed()),
        };
        if year_text.len() != 4 || !year_text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(malformed());
        }
        let year: i32 = year_text.parse().map_err(|_| malformed())?;
        if !(PERIOD_MIN_YEAR..=PERIOD_MAX_YEAR).contains(&year) {
            return Err(PeriodError::YearOutOfRange(text.to_owned()));
        }
        Ok(Period { year, half })
    }

    /// The period of `cadence` that `date` falls in.
    pub fn containing(date: NaiveDate, cadence: Cadence) -> Period {
        let half = match cadence {
            Cadence::Semester if date.month() <= 6 => Some(1),
            Cadence::Semester => Some(2),
            Cadence::Annual => None,
        };
        Period {
            year: date.year(),
            half,
        }
    }

    /// The text form: `2026-S1`, `2026-S2` or `2026`.
    pub fn as_string(&self) -> String {
        self.to_string()
    }

    /// The calendar year the period lies in.
    pub fn year(&self) -> i32 {
        self.year
    }

    /// `Some(1)` or `Some(2)` for a semester, `None` for a whole year.
    pub fn half(&self) -> Option<u8> {
        self.half
    }

    /// Semester for `YYYY-S1`/`YYYY-S2`, annual for `YYYY`.
    pub fn cadence(&self) -> Cadence {
        match self.half {
            Some(_) => Cadence::Semester,
            None => Cadence::Annual,
        }
    }

    /// The first day: 1 January, or 1 July for a second semester.
    pub fn start(&self) -> NaiveDate {
        let month = if self.half == Some(2) { 7 } else { 1 };
        // The year is representable by construction; the fallback is never reached.
        NaiveDate::from_ymd_opt(self.year, month, 1).unwrap_or(NaiveDate::MIN)
    }

    /// Whether `date` falls within the period, both ends included.
    pub fn contains(&self, date: NaiveDate) -> bool {
        (self.start()..=self.end()).contains(&date)
    }

    /// The last day: 30 June for a first semester, otherwise 31 December.
    pub fn end(&self) -> NaiveDate {
        let (month, day) = if self.half == Some(1) {
            (6, 30)
        } else {
            (12, 31)
        };
        // The year is representable by construction; the fallback is never reached.
        NaiveDate::from_ymd_opt(self.year, month, day).unwrap_or(NaiveDate::MAX)
    }

    /// The period of the same cadence right after this one; `None` past chrono's calendar range.
    pub fn next(&self) -> Option<Period> {
        match self.half {
            Some(1) => Some(Period {
                half: Some(2),
                ..*self
            }),
            half => Period::checked(self.year.checked_add(1)?, half.map(|_| 1)),
        }
    }

    /// The period of the same cadence right before this one; `None` past chrono's calendar range.
    pub fn previous(&self) -> Option<Period> {
        match self.half {
            Some(2) => Some(Period {
                half: Some(1),
                ..*self
            }),
            half => Period::checked(self.year.checked_sub(1)?, half.map(|_| 2)),
        }
    }

    /// A period, if chrono can represent the whole of its year.
    fn checked(year: i32, half: Option<u8>) -> Option<Period> {
        NaiveDate::from_ymd_opt(year, 1, 1)?;
        NaiveDate::from_ymd_opt(year, 12, 31)?;
        Some(Period { year, half })
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.half {
            Some(half) => write!(f, "{:04}-S{half}", self.year),
            None => write!(f, "{:04}", self.year),
        }
    }
}

impl Ord for Period {
    fn cmp(&self, other: &Self) -> Ordering {
        self.start()
            .cmp(&other.start())
            .then_with(|| self.end().cmp(&other.end()))
    }
}

impl PartialOrd for Period {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl FromStr for Period {
    type Err = PeriodError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Period {
    type Error = PeriodError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Period> for String {
    fn from(period: Period) -> Self {
        period.to_string()
    }
}

impl ReportingPolicy {
    /// The day the report for `period` is due: `due_after_days` calendar days after the period
    /// ends (saturating at chrono's last date).
    pub fn due_on(&self, period: &Period) -> NaiveDate {
        period
            .end()
            .checked_add_days(Days::new(u64::from(self.due_after_days)))
            .unwrap_or(NaiveDate::MAX)
    }

    /// The period of this policy's cadence that `today` falls in.
    pub fn current_period(&self, today: NaiveDate) -> Period {
        Period::containing(today, self.cadence)
    }

    /// The latest period of this policy's cadence whose due date is strictly before `today`: the
    /// last report that should already be in. `None` only at the start of chrono's range.
    pub fn last_due_period(&self, today: NaiveDate) -> Option<Period> {
        // due_on(p) < today  ⇔  p.end() <= today - (due_after_days + 1)
        let cutoff = today.checked_sub_days(Days::new(u64::from(self.due_after_days) + 1))?;
        let period = Period::containing(cutoff, self.cadence);
        if period.end() <= cutoff {
            Some(period)
        } else {
            period.previous()
        }
    }

    /// The periods of this policy's cadence that overlap `[from, to]`, in order; empty when
    /// `from > to`.
    pub fn periods_between(&self, from: NaiveDate, to: NaiveDate) -> Vec<Period> {
        let mut periods = Vec::new();
        if from > to {
            return periods;
        }
        let mut next = Some(Period::containing(from, self.cadence));
        while let Some(period) = next {
            if period.start() > to {
                break;
            }
            periods.push(period);
            next = period.next();
        }
        periods
    }

    /// The last `count` periods already due as of `today` (see [`Self::last_due_period`]), oldest
    /// first.
    pub fn due_periods(&self, today: NaiveDate, count: usize) -> Vec<Period> {
        let mut periods = Vec::with_capacity(count);
        let mut next = self.last_due_period(today);
        while let Some(period) = next {
            if periods.len() == count {
                break;
            }
            periods.push(period);
            next = period.previous();
        }
        periods.reverse();
        periods
    }

    /// Whether `period` has begun by `today`.
    pub fn has_started(&self, period: &Period, today: NaiveDate) -> bool {
        period.start() <= today
    }

    /// The first day of the window in which an accepted report keeps an ormas active:
    /// `active_window_months` months before `today`, on the same day of the month or the last day
    /// of a shorter month (saturating at chrono's first date).
    pub fn active_window_start(&self, today: NaiveDate) -> NaiveDate {
        today
            .checked_sub_months(Months::new(self.active_window_months))
            .unwrap_or(NaiveDate::MIN)
    }
}

/// Where one report stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(EnumString, Display, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "snake_case", parse_err_ty = UnknownCode, parse_err_fn = Self::unknown)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(as = ReportStateName, description = "Where a report stands.")
)]
pub enum ReportState {
    /// Being written by the ormas; not yet seen by the office.
    Draft,
    /// Waiting for the office to accept or return it.
    Submitted,
    /// Accepted; a receipt (STTL) number is issued.
    Accepted,
    /// Sent back to the ormas with notes, to correct and resubmit.
    Returned,
}

code!(ReportState, "report state");

/// A move of a report from one state to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(EnumString, Display, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "snake_case", parse_err_ty = UnknownCode, parse_err_fn = Self::unknown)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(as = ReportTransitionName, description = "A move of a report.")
)]
pub enum ReportTransition {
    /// Send a draft or a returned report to the office.
    Submit,
    /// Accept a submitted report.
    Accept,
    /// Send a submitted report back with notes.
    Return,
}

code!(ReportTransition, "report transition");

impl ReportTransition {
    /// The action of the permission matrix this transition needs.
    pub fn action(self) -> Action {
        match self {
            ReportTransition::Submit => Action::WriteReport,
            ReportTransition::Accept => Action::AcceptReport,
            ReportTransition::Return => Action::ReturnReport,
        }
    }
}

/// Why a report transition is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    #[error(
        "cannot {transition} a report that is {from}; allowed from {from}: {}",
        list_transitions(allowed_report_transitions(*.from))
    )]
    NotAllowed {
        from: ReportState,
        transition: ReportTransition,
    },
    #[error("role {role} may not {transition} a report")]
    RoleNotPermitted {
        role: Role,
        transition: ReportTransition,
    },
    #[error("a reason is required to return a report")]
    ReasonRequired,
}

fn list_transitions(transitions: &[ReportTransition]) -> String {
    if transitions.is_empty() {
        return "none".to_owned();
    }
    let names: Vec<&str> = transitions.iter().map(|t| t.as_str()).collect();
    names.join(", ")
}

/// The transitions the report lifecycle allows out of a state, whoever asks.
pub fn allowed_report_transitions(state: ReportState) -> &'static [ReportTransition] {
    match state {
        ReportState::Draft | ReportState::Returned => &[ReportTransition::Submit],
        ReportState::Submitted => &[ReportTransition::Accept, ReportTransition::Return],
        ReportState::Accepted => &[],
    }
}

/// Which roles may perform a report transition (region scope and the ormas binding are checked
/// separately), from the one permission matrix: representatives and officers submit; only
/// officers accept and return.
pub fn may_perform_report(role: Role, transition: ReportTransition) -> bool {
    allows(role, transition.action())
}

/// Checks and performs `transition` on a report in `state`: the lifecycle, then the role, then
/// the reason (required, non-blank, to return). Returns the new state.
pub fn apply_report(
    state: ReportState,
    transition: ReportTransition,
    role: Role,
    reason: Option<&str>,
) -> Result<ReportState, ReportError> {
    if !allowed_report_transitions(state).contains(&transition) {
        return Err(ReportError::NotAllowed {
            from: state,
            transition,
        });
    }
    if !may_perform_report(role, transition) {
        return Err(ReportError::RoleNotPermitted { role, transition });
    }
    match transition {
        ReportTransition::Submit => Ok(ReportState::Submitted),
        ReportTransition::Accept => Ok(ReportState::Accepted),
        ReportTransition::Return => {
            if reason.is_some_and(|r| !r.trim().is_empty()) {
                Ok(ReportState::Returned)
            } else {
                Err(ReportError::ReasonRequired)
            }
        }
    }
}

/// The receipt (STTL, *surat tanda terima laporan*) number of the `seq`-th report an office
/// accepted in a year: `{seq:04}/STTL/{region}/{roman_month}/{year}`, e.g. `0007/STTL/64.71/VIII/2026`.
/// The sequence is per office and year, like the registration numbers.
pub fn receipt_number(seq: u32, region: &str, accepted_on: NaiveDate) -> String {
    format!(
        "{seq:04}/STTL/{region}/{}/{:04}",
        crate::registration_number::roman_month(accepted_on.month()),
        accepted_on.year()
    )
}

/// Who must sign a report before it goes to the office (UU 17/2013 reports are signed by the ketua
/// and the sekretaris): the positions still missing, given the names on it.
pub fn missing_signatories(ketua: Option<&str>, sekretaris: Option<&str>) -> Vec<&'static str> {
    [("ketua", ketua), ("sekretaris", sekretaris)]
        .into_iter()
        .filter(|(_, name)| name.is_none_or(|n| n.trim().is_empty()))
        .map(|(position, _)| position)
        .collect()
}

/// Whether a report is overdue on `today`: not submitted by then, and its due date has passed (the
/// due day itself is not overdue).
pub fn is_overdue(
    first_submitted_on: Option<NaiveDate>,
    due_on: NaiveDate,
    today: NaiveDate,
) -> bool {
    first_submitted_on.is_none_or(|on| on > today) && due_on < today
}

/// Whether a report submitted on `submitted_on` was late for `due_on` (the due day itself is on time).
pub fn is_late(submitted_on: NaiveDate, due_on: NaiveDate) -> bool {
    submitted_on > due_on
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn p(s: &str) -> Period {
        Period::parse(s).unwrap()
    }

    fn policy(cadence: Cadence, due_after_days: u32, active_window_months: u32) -> ReportingPolicy {
        ReportingPolicy {
            cadence,
            due_after_days,
            active_window_months,
        }
    }

    #[test]
    fn enums_round_trip() {
        for &c in Cadence::ALL {
            assert_eq!(c.as_str().parse::<Cadence>().unwrap(), c);
        }
        for &s in ReportState::ALL {
            assert_eq!(s.as_str().parse::<ReportState>().unwrap(), s);
        }
        for &t in ReportTransition::ALL {
            assert_eq!(t.as_str().parse::<ReportTransition>().unwrap(), t);
        }
        assert!("yearly".parse::<Cadence>().is_err());
        assert!("Draft".parse::<ReportState>().is_err());
        assert!("approve".parse::<ReportTransition>().is_err());
    }

    #[test]
    fn default_policy() {
        assert_eq!(
            ReportingPolicy::default(),
            policy(Cadence::Semester, 30, 12)
        );
    }

    #[test]
    fn parses_valid_periods() {
        let cases = [
            ("2026-S1", 2026, Some(1), Cadence::Semester),
            ("2026-S2", 2026, Some(2), Cadence::Semester),
            ("2026", 2026, None, Cadence::Annual),
            ("1900-S1", 1900, Some(1), Cadence::Semester),
            ("2999-S2", 2999, Some(2), Cadence::Semester),
            ("1900", 1900, None, Cadence::Annual),
            ("2999", 2999, None, Cadence::Annual),
        ];
        for (text, year, half, cadence) in cases {
            let period = Period::parse(text).unwrap();
            assert_eq!(period.year(), year, "{text}");
            assert_eq!(period.half(), half, "{text}");
            assert_eq!(period.cadence(), cadence, "{text}");
            assert_eq!(period.as_string(), text);
            assert_eq!(period.to_string(), text);
            assert_eq!(text.parse::<Period>(), Ok(period));
            assert_eq!(Period::try_from(text.to_owned()), Ok(period));
            assert_eq!(String::from(period), text);
        }
    }

    #[test]
    fn rejects_invalid_periods() {
        let malformed = [
            "",
            "26-S1",
            "02026-S1",
            "2026-S3",
            "2026-S0",
            "2026-s1",
            "2026-H1",
            "2026S1",
            "2026-",
            "2026-S1 ",
            " 2026",
            "+202",
            "-2026",
            "20a6",
            "2026-S1-S2",
            "２０２６",
        ];
        for text in malformed {
            assert_eq!(
                Period::parse(text),
                Err(PeriodError::Malformed(text.to_owned())),
                "{text:?}"
            );
        }
        for text in ["1899", "1899-S2", "3000", "3000-S1", "0000", "9999-S1"] {
            assert_eq!(
                Period::parse(text),
                Err(PeriodError::YearOutOfRange(text.to_owned())),
                "{text:?}"
            );
        }
        assert_eq!(
            Period::parse("2026-S3").unwrap_err().to_string(),
            "`2026-S3` is not a reporting period (expected YYYY-S1, YYYY-S2 or YYYY, e.g. 2026-S1)"
        );
        assert_eq!(
            Period::parse("3000").unwrap_err().to_string(),
            "the year of reporting period `3000` is outside 1900–2999"
        );
    }

    #[test]
    fn bounds_and_neighbours() {
        // period, start, end, next, previous
        let cases = [
            ("2026-S1", "2026-01-01", "2026-06-30", "2026-S2", "2025-S2"),
            ("2026-S2", "2026-07-01", "2026-12-31", "2027-S1", "2026-S1"),
            ("2024-S1", "2024-01-01", "2024-06-30", "2024-S2", "2023-S2"),
            ("2026", "2026-01-01", "2026-12-31", "2027", "2025"),
            ("2000", "2000-01-01", "2000-12-31", "2001", "1999"),
        ];
        for (period, start, end, next, previous) in cases {
            let period = p(period);
            assert_eq!(period.start(), d(start), "{period}");
            assert_eq!(period.end(), d(end), "{period}");
            assert_eq!(period.next(), Some(p(next)), "{period}");
            assert_eq!(period.previous(), Some(p(previous)), "{period}");
            assert_eq!(p(next).previous(), Some(period), "{period}");
            assert_eq!(p(previous).next(), Some(period), "{period}");
        }
    }

    #[test]
    fn neighbours_stop_at_the_calendar_range() {
        let last = Period::containing(NaiveDate::MAX, Cadence::Semester);
        assert_eq!(last.end(), NaiveDate::MAX);
        assert_eq!(last.next(), None);
        assert_eq!(
            Period::containing(NaiveDate::MAX, Cadence::Annual).next(),
            None
        );
        let first = Period::containing(NaiveDate::MIN, Cadence::Semester);
        assert_eq!(first.start(), NaiveDate::MIN);
        assert_eq!(first.previous(), None);
        assert_eq!(
            Period::containing(NaiveDate::MIN, Cadence::Annual).previous(),
            None
        );
        // A period computed from a date outside the text range still works, but does not parse.
        let old = Period::containing(d("1850-03-01"), Cadence::Semester);
        assert_eq!(old.as_string(), "1850-S1");
        assert!(Period::parse(&old.as_string()).is_err());
    }

    #[test]
    fn containing() {
        let cases = [
            ("2026-01-01", Cadence::Semester, "2026-S1"),
            ("2026-06-30", Cadence::Semester, "2026-S1"),
            ("2026-07-01", Cadence::Semester, "2026-S2"),
            ("2026-12-31", Cadence::Semester, "2026-S2"),
            ("2026-01-01", Cadence::Annual, "2026"),
            ("2026-12-31", Cadence::Annual, "2026"),
        ];
        for (date, cadence, expected) in cases {
            assert_eq!(Period::containing(d(date), cadence), p(expected), "{date}");
            assert_eq!(
                policy(cadence, 30, 12).current_period(d(date)),
                p(expected),
                "{date}"
            );
        }
    }

    #[test]
    fn ordering_by_start_then_end() {
        let mut periods = [
            p("2027-S1"),
            p("2026-S2"),
            p("2026"),
            p("2025"),
            p("2026-S1"),
            p("2025-S2"),
        ];
        periods.sort();
        let texts: Vec<String> = periods.iter().map(Period::as_string).collect();
        assert_eq!(
            texts,
            ["2025", "2025-S2", "2026-S1", "2026", "2026-S2", "2027-S1"]
        );
        assert!(p("2025-S2") < p("2026-S1"));
        assert!(p("2026-S1") < p("2026"));
        assert_eq!(p("2026").cmp(&p("2026")), Ordering::Equal);
    }

    #[test]
    fn due_dates() {
        let cases = [
            (Cadence::Semester, 30, "2026-S1", "2026-07-30"),
            (Cadence::Semester, 30, "2026-S2", "2027-01-30"),
            (Cadence::Annual, 30, "2026", "2027-01-30"),
            (Cadence::Semester, 0, "2026-S1", "2026-06-30"),
            (Cadence::Semester, 60, "2026-S2", "2027-03-01"),
            (Cadence::Semester, 60, "2027-S2", "2028-02-29"),
        ];
        for (cadence, days, period, due) in cases {
            assert_eq!(
                policy(cadence, days, 12).due_on(&p(period)),
                d(due),
                "{period} +{days}"
            );
        }
        let far = Period::containing(NaiveDate::MAX, Cadence::Semester);
        assert_eq!(
            policy(Cadence::Semester, 30, 12).due_on(&far),
            NaiveDate::MAX
        );
    }

    #[test]
    fn last_due_period() {
        let cases = [
            (Cadence::Semester, 30, "2026-07-30", Some("2025-S2")),
            (Cadence::Semester, 30, "2026-07-31", Some("2026-S1")),
            (Cadence::Semester, 30, "2027-01-30", Some("2026-S1")),
            (Cadence::Semester, 30, "2027-01-31", Some("2026-S2")),
            (Cadence::Semester, 30, "2026-03-15", Some("2025-S2")),
            (Cadence::Semester, 30, "2026-01-15", Some("2025-S1")),
            (Cadence::Semester, 0, "2026-06-30", Some("2025-S2")),
            (Cadence::Semester, 0, "2026-07-01", Some("2026-S1")),
            (Cadence::Semester, 400, "2026-07-01", Some("2024-S2")),
            (Cadence::Annual, 30, "2027-01-30", Some("2025")),
            (Cadence::Annual, 30, "2027-01-31", Some("2026")),
            (Cadence::Annual, 30, "2026-11-22", Some("2025")),
        ];
        for (cadence, days, today, expected) in cases {
            let pol = policy(cadence, days, 12);
            let got = pol.last_due_period(d(today));
            assert_eq!(got, expected.map(p), "{cadence} +{days} on {today}");
            // The defining property: due before today, and the next one is not.
            let got = got.unwrap();
            assert!(pol.due_on(&got) < d(today));
            assert!(pol.due_on(&got.next().unwrap()) >= d(today));
        }
        assert_eq!(
            ReportingPolicy::default().last_due_period(NaiveDate::MIN),
            None
        );
    }

    #[test]
    fn periods_between() {
        let cases: [(Cadence, &str, &str, &[&str]); 8] = [
            (
                Cadence::Semester,
                "2025-03-01",
                "2026-07-01",
                &["2025-S1", "2025-S2", "2026-S1", "2026-S2"],
            ),
            (
                Cadence::Semester,
                "2025-07-01",
                "2026-06-30",
                &["2025-S2", "2026-S1"],
            ),
            (Cadence::Semester, "2026-05-05", "2026-05-05", &["2026-S1"]),
            (
                Cadence::Semester,
                "2026-06-30",
                "2026-07-01",
                &["2026-S1", "2026-S2"],
            ),
            (Cadence::Semester, "2026-07-01", "2026-06-30", &[]),
            (
                Cadence::Annual,
                "2024-12-31",
                "2026-01-01",
                &["2024", "2025", "2026"],
            ),
            (Cadence::Annual, "2026-02-01", "2026-11-30", &["2026"]),
            (Cadence::Annual, "2027-01-01", "2026-12-31", &[]),
        ];
        for (cadence, from, to, expected) in cases {
            let got = policy(cadence, 30, 12).periods_between(d(from), d(to));
            let expected: Vec<Period> = expected.iter().map(|s| p(s)).collect();
            assert_eq!(got, expected, "{cadence} {from}..={to}");
        }
        let until_the_end = ReportingPolicy::default()
            .periods_between(NaiveDate::MAX.pred_opt().unwrap(), NaiveDate::MAX);
        assert_eq!(until_the_end.len(), 1);
    }

    #[test]
    fn has_started() {
        let pol = ReportingPolicy::default();
        let cases = [
            ("2026-S2", "2026-06-30", false),
            ("2026-S2", "2026-07-01", true),
            ("2026-S2", "2027-03-01", true),
            ("2027", "2026-12-31", false),
            ("2027", "2027-01-01", true),
        ];
        for (period, today, expected) in cases {
            assert_eq!(
                pol.has_started(&p(period), d(today)),
                expected,
                "{period} on {today}"
            );
        }
    }

    #[test]
    fn active_window_start() {
        let cases = [
            (12, "2026-11-22", "2025-11-22"),
            (1, "2026-03-31", "2026-02-28"),
            (1, "2024-03-31", "2024-02-29"),
            (12, "2024-02-29", "2023-02-28"),
            (6, "2026-08-31", "2026-02-28"),
            (24, "2026-01-15", "2024-01-15"),
            (0, "2026-11-22", "2026-11-22"),
        ];
        for (months, today, expected) in cases {
            assert_eq!(
                policy(Cadence::Semester, 30, months).active_window_start(d(today)),
                d(expected),
                "{today} -{months}m"
            );
        }
        assert_eq!(
            policy(Cadence::Semester, 30, 12).active_window_start(NaiveDate::MIN),
            NaiveDate::MIN
        );
    }

    #[test]
    fn policy_deserializes_with_defaults() {
        // Serde's own value deserializer: the crate has no JSON dependency.
        use serde::de::value::{Error, MapDeserializer};
        let fields = [("cadence", "annual")];
        let de: MapDeserializer<'_, _, Error> = MapDeserializer::new(fields.into_iter());
        let got = ReportingPolicy::deserialize(de).unwrap();
        assert_eq!(got, policy(Cadence::Annual, 30, 12));
    }

    #[test]
    fn period_deserializes_from_text() {
        use serde::de::IntoDeserializer;
        use serde::de::value::{Error, StringDeserializer};
        let de: StringDeserializer<Error> = "2026-S2".to_owned().into_deserializer();
        assert_eq!(Period::deserialize(de).unwrap(), p("2026-S2"));
        let de: StringDeserializer<Error> = "2026-S3".to_owned().into_deserializer();
        assert!(Period::deserialize(de).is_err());
    }

    /// Every state × transition, each asked by the officer (who may do all three) with a reason.
    #[test]
    fn lifecycle_table() {
        use ReportState::*;
        // Columns: Submit, Accept, Return; `None` is NotAllowed.
        let rows: [(ReportState, [Option<ReportState>; 3]); 4] = [
            (Draft, [Some(Submitted), None, None]),
            (Submitted, [None, Some(Accepted), Some(Returned)]),
            (Accepted, [None, None, None]),
            (Returned, [Some(Submitted), None, None]),
        ];
        assert_eq!(
            ReportTransition::ALL,
            [
                ReportTransition::Submit,
                ReportTransition::Accept,
                ReportTransition::Return
            ]
        );
        assert_eq!(rows.len(), ReportState::ALL.len());
        for (from, expected) in rows {
            for (transition, to) in ReportTransition::ALL.iter().copied().zip(expected) {
                let got = apply_report(from, transition, Role::Officer, Some("see notes"));
                match to {
                    Some(to) => assert_eq!(got, Ok(to), "{from} {transition}"),
                    None => assert_eq!(
                        got,
                        Err(ReportError::NotAllowed { from, transition }),
                        "{from} {transition}"
                    ),
                }
            }
        }
    }

    /// Every allowed (state, transition) pair against every role.
    #[test]
    fn roles_per_transition() {
        use ReportState::*;
        use Role::*;
        let rows: [(ReportState, ReportTransition, &[Role]); 4] = [
            (Draft, ReportTransition::Submit, &[OrmasRep, Officer]),
            (Returned, ReportTransition::Submit, &[OrmasRep, Officer]),
            (Submitted, ReportTransition::Accept, &[Officer]),
            (Submitted, ReportTransition::Return, &[Officer]),
        ];
        for (from, transition, permitted) in rows {
            for &role in Role::ALL {
                let expected = permitted.contains(&role);
                assert_eq!(
                    may_perform_report(role, transition),
                    expected,
                    "{role} {transition}"
                );
                let got = apply_report(from, transition, role, Some("incomplete finances"));
                if expected {
                    assert!(got.is_ok(), "{role} {from} {transition}: {got:?}");
                } else {
                    assert_eq!(
                        got,
                        Err(ReportError::RoleNotPermitted { role, transition }),
                        "{role} {from} {transition}"
                    );
                }
            }
        }
    }

    #[test]
    fn lifecycle_is_checked_before_role() {
        for &role in Role::ALL {
            assert_eq!(
                apply_report(ReportState::Accepted, ReportTransition::Return, role, None),
                Err(ReportError::NotAllowed {
                    from: ReportState::Accepted,
                    transition: ReportTransition::Return
                }),
                "{role}"
            );
        }
    }

    #[test]
    fn returning_needs_a_reason() {
        for reason in [None, Some(""), Some(" "), Some("\t\n")] {
            assert_eq!(
                apply_report(
                    ReportState::Submitted,
                    ReportTransition::Return,
                    Role::Officer,
                    reason
                ),
                Err(ReportError::ReasonRequired),
                "{reason:?}"
            );
        }
        // Submitting and accepting need none.
        for (from, transition) in [
            (ReportState::Draft, ReportTransition::Submit),
            (ReportState::Returned, ReportTransition::Submit),
            (ReportState::Submitted, ReportTransition::Accept),
        ] {
            for reason in [None, Some("")] {
                assert!(
                    apply_report(from, transition, Role::Officer, reason).is_ok(),
                    "{from} {transition} {reason:?}"
                );
            }
        }
    }

    #[test]
    fn error_messages() {
        let cases = [
            (
                ReportError::NotAllowed {
                    from: ReportState::Draft,
                    transition: ReportTransition::Accept,
                },
                "cannot accept a report that is draft; allowed from draft: submit",
            ),
            (
                ReportError::NotAllowed {
                    from: ReportState::Submitted,
                    transition: ReportTransition::Submit,
                },
                "cannot submit a report that is submitted; allowed from submitted: accept, return",
            ),
            (
                ReportError::NotAllowed {
                    from: ReportState::Accepted,
                    transition: ReportTransition::Return,
                },
                "cannot return a report that is accepted; allowed from accepted: none",
            ),
            (
                ReportError::RoleNotPermitted {
                    role: Role::OrmasRep,
                    transition: ReportTransition::Accept,
                },
                "role ormas_rep may not accept a report",
            ),
            (
                ReportError::ReasonRequired,
                "a reason is required to return a report",
            ),
        ];
        for (err, message) in cases {
            assert_eq!(err.to_string(), message);
        }
    }

    #[test]
    fn lateness() {
        let due = d("2026-07-30");
        let cases = [
            ("2026-07-01", false),
            ("2026-07-30", false),
            ("2026-07-31", true),
            ("2027-01-01", true),
        ];
        for (submitted, expected) in cases {
            assert_eq!(is_late(d(submitted), due), expected, "{submitted}");
        }
    }

    #[test]
    fn both_signatories_are_needed() {
        let cases: [(Option<&str>, Option<&str>, &[&str]); 5] = [
            (Some("A"), Some("B"), &[]),
            (None, Some("B"), &["ketua"]),
            (Some("A"), Some("  "), &["sekretaris"]),
            (None, None, &["ketua", "sekretaris"]),
            (Some(""), None, &["ketua", "sekretaris"]),
        ];
        for (ketua, sekretaris, missing) in cases {
            assert_eq!(
                missing_signatories(ketua, sekretaris),
                missing,
                "{ketua:?} {sekretaris:?}"
            );
        }
    }

    #[test]
    fn overdue_is_unsubmitted_past_the_due_date() {
        let due = d("2026-07-30");
        let cases = [
            (None, "2026-07-30", false),
            (None, "2026-07-31", true),
            (Some("2026-07-20"), "2026-08-15", false),
            (Some("2026-08-02"), "2026-08-15", false),
            (Some("2026-08-20"), "2026-08-15", true),
        ];
        for (submitted, today, overdue) in cases {
            assert_eq!(
                is_overdue(submitted.map(d), due, d(today)),
                overdue,
                "{submitted:?} {today}"
            );
        }
    }

    #[test]
    fn a_period_contains_its_days_only() {
        let s1 = Period::parse("2026-S1").unwrap();
        let s2 = Period::parse("2026-S2").unwrap();
        let year = Period::parse("2026").unwrap();
        let d = |t: &str| NaiveDate::parse_from_str(t, "%Y-%m-%d").unwrap();
        for (period, date, inside) in [
            (&s1, "2026-01-01", true),
            (&s1, "2026-06-30", true),
            (&s1, "2026-07-01", false),
            (&s1, "2025-12-31", false),
            (&s2, "2026-07-01", true),
            (&s2, "2026-12-31", true),
            (&s2, "2026-06-30", false),
            (&year, "2026-01-01", true),
            (&year, "2026-12-31", true),
            (&year, "2027-01-01", false),
        ] {
            assert_eq!(period.contains(d(date)), inside, "{period} {date}");
        }
    }
}
