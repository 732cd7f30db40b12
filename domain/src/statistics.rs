//! The counts every office reports ("45 of 365 registered ormas are active"): tallied one
//! registration at a time from the same rules as the status of one ormas, and added up office by
//! office. Pure: the caller loads the facts and passes the date.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::registration::{OrmasKind, RegistrationState};
use crate::reporting::{Period, ReportingPolicy};
use crate::sanctions::{SanctionKind, SanctionState, effective_sanction_state};
use crate::status::{
    Activity, InactiveReason, ReportFacts, StatusInput, derive_status, registered_by,
};

/// How many days ahead an SKT counts as expiring soon.
pub const SKT_EXPIRING_WITHIN_DAYS: u64 = 90;

/// How many past periods the compliance table covers.
pub const COMPLIANCE_PERIODS: usize = 4;

/// What one registration contributes to the statistics.
#[derive(Debug, Clone, Copy)]
pub struct RegistrationFacts<'a> {
    /// The effective state (lapse applied).
    pub state: RegistrationState,
    pub kind: OrmasKind,
    /// Field (bidang) codes.
    pub fields: &'a [String],
    /// The kecamatan, when known.
    pub district_code: Option<&'a str>,
    pub skt_expires_on: Option<NaiveDate>,
    pub board_term_ends_on: Option<NaiveDate>,
    pub registration_date: Option<NaiveDate>,
    /// Set while submitted: the verification deadline.
    pub verification_due: Option<NaiveDate>,
    /// Since when the last field visit has found the secretariat missing.
    pub secretariat_missing_since: Option<NaiveDate>,
    /// Its reports (at least those accepted within the active window and those of the compliance
    /// periods).
    pub reports: &'a [ReportFacts],
}

/// Inactive registered ormas by reason; one ormas may count under several reasons.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReasonCounts {
    pub no_recent_report: u64,
    pub skt_expired: u64,
    pub board_term_ended: u64,
    pub suspended: u64,
    pub revoked: u64,
    pub secretariat_not_found: u64,
}

impl ReasonCounts {
    fn count(&mut self, reason: InactiveReason) {
        match reason {
            InactiveReason::NoRecentReport => self.no_recent_report += 1,
            InactiveReason::SktExpired => self.skt_expired += 1,
            InactiveReason::BoardTermEnded => self.board_term_ended += 1,
            InactiveReason::Suspended => self.suspended += 1,
            InactiveReason::Revoked => self.revoked += 1,
            InactiveReason::SecretariatNotFound => self.secretariat_not_found += 1,
            // Not registered ormas are outside registered/active/inactive.
            InactiveReason::NotRegistered | InactiveReason::Dissolved => {}
        }
    }

    fn add(&mut self, other: &ReasonCounts) {
        self.no_recent_report += other.no_recent_report;
        self.skt_expired += other.skt_expired;
        self.board_term_ended += other.board_term_ended;
        self.suspended += other.suspended;
        self.revoked += other.revoked;
        self.secretariat_not_found += other.secretariat_not_found;
    }
}

/// The headline counts of an office or region.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Summary {
    /// Registered (effective state `registered`).
    pub registered: u64,
    /// Registered and active.
    pub active: u64,
    /// Registered and inactive: `registered - active`.
    pub inactive: u64,
    pub inactive_reasons: ReasonCounts,
    /// Registered without legal personality whose SKT expires within 90 days (from `as_of`, both
    /// days included).
    pub skt_expiring_soon: u64,
    /// Submitted registrations past their verification deadline.
    pub verification_overdue: u64,
    /// Registered ormas whose report for the last period already due is missing.
    pub reports_missing: u64,
    /// Sanctions in force (UU 16/2017 Ps 60–62).
    pub sanctions: SanctionCounts,
}

impl Summary {
    pub fn add(&mut self, other: &Summary) {
        self.registered += other.registered;
        self.active += other.active;
        self.inactive += other.inactive;
        self.inactive_reasons.add(&other.inactive_reasons);
        self.skt_expiring_soon += other.skt_expiring_soon;
        self.verification_overdue += other.verification_overdue;
        self.reports_missing += other.reports_missing;
        self.sanctions.add(&other.sanctions);
    }
}

/// Registered and active ormas of one kind or field.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ActiveCount {
    pub registered: u64,
    pub active: u64,
}

impl ActiveCount {
    fn add(&mut self, other: &ActiveCount) {
        self.registered += other.registered;
        self.active += other.active;
    }
}

/// How the ormas expected to report for one period did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodCompliance {
    pub period: Period,
    pub due_on: NaiveDate,
    /// Registered ormas registered on or before the period's last day.
    pub expected: u64,
    /// Of those, submitted (first submission) on or before the due date.
    pub on_time: u64,
    /// Submitted after the due date (by `as_of`).
    pub late: u64,
    /// Not submitted by `as_of`: `expected - on_time - late`.
    pub missing: u64,
    /// Accepted by `as_of`.
    pub accepted: u64,
}

impl PeriodCompliance {
    fn new(period: Period, policy: &ReportingPolicy) -> PeriodCompliance {
        PeriodCompliance {
            period,
            due_on: policy.due_on(&period),
            expected: 0,
            on_time: 0,
            late: 0,
            missing: 0,
            accepted: 0,
        }
    }
}

/// Everything the overview shows, for one office (or, added up, for a region).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OfficeCounts {
    /// Registrations by effective state (every state, registered or not).
    pub by_state: BTreeMap<String, u64>,
    pub totals: Summary,
    pub by_kind: BTreeMap<String, ActiveCount>,
    pub by_field: BTreeMap<String, ActiveCount>,
    /// The last [`COMPLIANCE_PERIODS`] periods already due, oldest first.
    pub compliance: Vec<PeriodCompliance>,
    /// By kecamatan code; `""` for registrations without one.
    pub by_district: BTreeMap<String, Summary>,
}

/// The sanctions in force of an office or region as of a date.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SanctionCounts {
    /// Written warnings whose 7 working days have not ended and whose compliance is not recorded.
    pub warnings_running: u64,
    /// Activity suspensions neither lifted nor past their last day.
    pub suspensions_in_force: u64,
    /// Revocations decreed in the calendar year of the date, up to it.
    pub revocations_this_year: u64,
}

impl SanctionCounts {
    /// Counts one sanction as of `as_of` (one decided later does not count).
    fn tally(&mut self, facts: &SanctionFacts, as_of: NaiveDate) {
        if facts.dated.is_some_and(|on| on > as_of) {
            return;
        }
        let state = effective_sanction_state(facts.kind, facts.state, facts.period_end, as_of);
        match facts.kind {
            SanctionKind::WrittenWarning => {
                if state == SanctionState::InForce && facts.deadline.is_none_or(|d| d >= as_of) {
                    self.warnings_running += 1;
                }
            }
            SanctionKind::ActivitySuspension => {
                if state == SanctionState::InForce {
                    self.suspensions_in_force += 1;
                }
            }
            SanctionKind::Revocation => {
                if facts.dated.is_some_and(|on| on.year() == as_of.year()) {
                    self.revocations_this_year += 1;
                }
            }
        }
    }

    fn add(&mut self, other: &SanctionCounts) {
        self.warnings_running += other.warnings_running;
        self.suspensions_in_force += other.suspensions_in_force;
        self.revocations_this_year += other.revocations_this_year;
    }
}

/// What one sanction contributes to the statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SanctionFacts {
    pub kind: SanctionKind,
    /// The stored state.
    pub state: SanctionState,
    /// A warning's last day to comply.
    pub deadline: Option<NaiveDate>,
    /// A suspension's last day.
    pub period_end: Option<NaiveDate>,
    /// The day of the letter or decree.
    pub dated: Option<NaiveDate>,
}

impl OfficeCounts {
    /// Empty counts with the compliance periods of `policy` as of `as_of`.
    pub fn new(policy: &ReportingPolicy, as_of: NaiveDate) -> OfficeCounts {
        OfficeCounts {
            compliance: policy
                .due_periods(as_of, COMPLIANCE_PERIODS)
                .into_iter()
                .map(|period| PeriodCompliance::new(period, policy))
                .collect(),
            ..OfficeCounts::default()
        }
    }

    /// Counts one registration as of `as_of`.
    pub fn tally(&mut self, facts: &RegistrationFacts, policy: &ReportingPolicy, as_of: NaiveDate) {
        *self
            .by_state
            .entry(facts.state.as_str().to_owned())
            .or_default() += 1;
        let mut summary = Summary::default();
        if facts.state == RegistrationState::Submitted
            && facts.verification_due.is_some_and(|due| due < as_of)
        {
            summary.verification_overdue = 1;
        }
        let mut active = ActiveCount::default();
        let input = StatusInput {
            state: facts.state,
            kind: facts.kind,
            skt_expires_on: facts.skt_expires_on,
            board_term_ends_on: facts.board_term_ends_on,
            suspended: false,
            revoked: false,
            secretariat_missing_since: facts.secretariat_missing_since,
            registration_date: facts.registration_date,
            reports: facts.reports,
        };
        // A suspended ormas stays in the Buku Induk: it counts as registered and inactive.
        if registered_by(&input, as_of) || facts.state == RegistrationState::Suspended {
            let status = derive_status(&input, policy, as_of);
            summary.registered = 1;
            active.registered = 1;
            if status.activity == Activity::Active {
                summary.active = 1;
                active.active = 1;
            } else {
                summary.inactive = 1;
                for reason in &status.reasons {
                    summary.inactive_reasons.count(*reason);
                }
            }
            if status.next_report.overdue {
                summary.reports_missing = 1;
            }
            if !facts.kind.is_badan_hukum()
                && facts
                    .skt_expires_on
                    .is_some_and(|expires| expires >= as_of && expires <= soon(as_of))
            {
                summary.skt_expiring_soon = 1;
            }
            for compliance in &mut self.compliance {
                if facts
                    .registration_date
                    .is_some_and(|on| on > compliance.period.end())
                {
                    continue;
                }
                compliance.expected += 1;
                let report = facts.reports.iter().find(|r| r.period == compliance.period);
                match report
                    .and_then(|r| r.submitted_on)
                    .filter(|on| *on <= as_of)
                {
                    Some(on) if on <= compliance.due_on => compliance.on_time += 1,
                    Some(_) => compliance.late += 1,
                    None => compliance.missing += 1,
                }
                if report.is_some_and(|r| r.accepted_by(as_of).is_some()) {
                    compliance.accepted += 1;
                }
            }
            self.by_kind
                .entry(facts.kind.as_str().to_owned())
                .or_default()
                .add(&active);
            for field in facts.fields {
                self.by_field.entry(field.clone()).or_default().add(&active);
            }
        }
        self.totals.add(&summary);
        self.by_district
            .entry(facts.district_code.unwrap_or_default().to_owned())
            .or_default()
            .add(&summary);
    }

    /// Counts one sanction of a registration in kecamatan `district_code` as of `as_of`.
    pub fn tally_sanction(
        &mut self,
        facts: &SanctionFacts,
        district_code: Option<&str>,
        as_of: NaiveDate,
    ) {
        let mut counts = SanctionCounts::default();
        counts.tally(facts, as_of);
        self.totals.sanctions.add(&counts);
        self.by_district
            .entry(district_code.unwrap_or_default().to_owned())
            .or_default()
            .sanctions
            .add(&counts);
    }

    /// Adds another office's counts (taken as of the same date under the same policy).
    pub fn add(&mut self, other: &OfficeCounts) {
        for (state, n) in &other.by_state {
            *self.by_state.entry(state.clone()).or_default() += n;
        }
        self.totals.add(&other.totals);
        for (kind, n) in &other.by_kind {
            self.by_kind.entry(kind.clone()).or_default().add(n);
        }
        for (field, n) in &other.by_field {
            self.by_field.entry(field.clone()).or_default().add(n);
        }
        for theirs in &other.compliance {
            match self
                .compliance
                .iter_mut()
                .find(|c| c.period == theirs.period)
            {
                Some(ours) => {
                    ours.expected += theirs.expected;
                    ours.on_time += theirs.on_time;
                    ours.late += theirs.late;
                    ours.missing += theirs.missing;
                    ours.accepted += theirs.accepted;
                }
                None => {
                    self.compliance.push(*theirs);
                    self.compliance.sort_by_key(|c| c.period);
                }
            }
        }
        for (district, summary) in &other.by_district {
            self.by_district
                .entry(district.clone())
                .or_default()
                .add(summary);
        }
    }
}

/// The last day an SKT counts as expiring soon.
fn soon(as_of: NaiveDate) -> NaiveDate {
    as_of
        .checked_add_days(Days::new(SKT_EXPIRING_WITHIN_DAYS))
        .unwrap_or(NaiveDate::MAX)
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

    fn report(period: &str, submitted: Option<&str>, accepted: Option<&str>) -> ReportFacts {
        ReportFacts {
            period: p(period),
            submitted_on: submitted.map(d),
            accepted_on: accepted.map(d),
        }
    }

    fn facts<'a>(reports: &'a [ReportFacts], fields: &'a [String]) -> RegistrationFacts<'a> {
        RegistrationFacts {
            state: RegistrationState::Registered,
            kind: OrmasKind::Perkumpulan,
            fields,
            district_code: Some("64.71.01"),
            skt_expires_on: None,
            board_term_ends_on: None,
            registration_date: Some(d("2020-01-01")),
            verification_due: None,
            secretariat_missing_since: None,
            reports,
        }
    }

    const AS_OF: &str = "2026-11-22";

    #[test]
    fn compliance_periods_are_the_last_four_due() {
        let counts = OfficeCounts::new(&ReportingPolicy::default(), d(AS_OF));
        let periods: Vec<String> = counts
            .compliance
            .iter()
            .map(|c| c.period.to_string())
            .collect();
        assert_eq!(periods, ["2024-S2", "2025-S1", "2025-S2", "2026-S1"]);
        assert_eq!(counts.compliance[3].due_on, d("2026-07-30"));
    }

    #[test]
    fn tally_counts_every_kind_of_registration() {
        let policy = ReportingPolicy::default();
        let as_of = d(AS_OF);
        let sosial = vec!["sosial".to_owned()];
        let both = vec!["sosial".to_owned(), "pendidikan".to_owned()];
        let active_reports = [
            report("2025-S2", Some("2026-01-20"), Some("2026-02-01")),
            report("2026-S1", Some("2026-08-15"), None),
        ];
        let old_reports = [report("2024-S2", Some("2025-01-10"), Some("2025-01-20"))];
        let mut counts = OfficeCounts::new(&policy, as_of);
        // Active, one on-time and one late report.
        counts.tally(&facts(&active_reports, &both), &policy, as_of);
        // Inactive: no recent report, SKT expiring soon but not yet expired.
        counts.tally(
            &RegistrationFacts {
                kind: OrmasKind::TidakBerbadanHukum,
                skt_expires_on: Some(d("2027-01-10")),
                ..facts(&old_reports, &sosial)
            },
            &policy,
            as_of,
        );
        // Inactive twice over: SKT expired and board term ended, no reports, no district.
        counts.tally(
            &RegistrationFacts {
                kind: OrmasKind::TidakBerbadanHukum,
                skt_expires_on: Some(d("2026-01-01")),
                board_term_ends_on: Some(d("2026-06-30")),
                district_code: None,
                ..facts(&[], &sosial)
            },
            &policy,
            as_of,
        );
        // Registered after every compliance period: expected for none, not missing.
        counts.tally(
            &RegistrationFacts {
                registration_date: Some(d("2026-10-01")),
                ..facts(&[], &sosial)
            },
            &policy,
            as_of,
        );
        // Not registered: counted by state only; a submitted one past its deadline.
        counts.tally(
            &RegistrationFacts {
                state: RegistrationState::Submitted,
                verification_due: Some(d("2026-11-21")),
                ..facts(&[], &sosial)
            },
            &policy,
            as_of,
        );
        counts.tally(
            &RegistrationFacts {
                state: RegistrationState::Draft,
                ..facts(&[], &sosial)
            },
            &policy,
            as_of,
        );

        let t = counts.totals;
        assert_eq!((t.registered, t.active, t.inactive), (4, 1, 3));
        assert_eq!(
            t.inactive_reasons,
            ReasonCounts {
                no_recent_report: 3,
                skt_expired: 1,
                board_term_ended: 1,
                suspended: 0,
                revoked: 0,
                secretariat_not_found: 0
            }
        );
        assert_eq!(t.skt_expiring_soon, 1);
        assert_eq!(t.verification_overdue, 1);
        // The 2026-S1 report is missing for the two older inactive ones.
        assert_eq!(t.reports_missing, 2);
        assert_eq!(counts.by_state["registered"], 4);
        assert_eq!(counts.by_state["submitted"], 1);
        assert_eq!(counts.by_state["draft"], 1);
        assert_eq!(
            counts.by_kind["perkumpulan"],
            ActiveCount {
                registered: 2,
                active: 1
            }
        );
        assert_eq!(counts.by_kind["tidak_berbadan_hukum"].registered, 2);
        assert_eq!(counts.by_field["sosial"].registered, 4);
        assert_eq!(
            counts.by_field["pendidikan"],
            ActiveCount {
                registered: 1,
                active: 1
            }
        );
        assert_eq!(counts.by_district[""].registered, 1);
        assert_eq!(counts.by_district["64.71.01"].registered, 3);
        assert_eq!(counts.by_district["64.71.01"].verification_overdue, 1);

        let by_period: BTreeMap<String, (u64, u64, u64, u64, u64)> = counts
            .compliance
            .iter()
            .map(|c| {
                (
                    c.period.to_string(),
                    (c.expected, c.on_time, c.late, c.missing, c.accepted),
                )
            })
            .collect();
        assert_eq!(by_period["2024-S2"], (3, 1, 0, 2, 1));
        assert_eq!(by_period["2025-S1"], (3, 0, 0, 3, 0));
        assert_eq!(by_period["2025-S2"], (3, 1, 0, 2, 1));
        assert_eq!(by_period["2026-S1"], (3, 0, 1, 2, 0));
    }

    #[test]
    fn adding_offices_equals_tallying_together() {
        let policy = ReportingPolicy::default();
        let as_of = d(AS_OF);
        let sosial = vec!["sosial".to_owned()];
        let reports = [report("2026-S1", Some("2026-07-01"), Some("2026-07-20"))];
        let one = facts(&reports, &sosial);
        let two = RegistrationFacts {
            kind: OrmasKind::Yayasan,
            district_code: Some("64.72.01"),
            ..facts(&[], &sosial)
        };
        let mut together = OfficeCounts::new(&policy, as_of);
        together.tally(&one, &policy, as_of);
        together.tally(&two, &policy, as_of);
        let mut a = OfficeCounts::new(&policy, as_of);
        a.tally(&one, &policy, as_of);
        let mut b = OfficeCounts::new(&policy, as_of);
        b.tally(&two, &policy, as_of);
        let mut sum = OfficeCounts::default();
        sum.add(&a);
        sum.add(&b);
        assert_eq!(sum, together);
        // And through the JSON of a stored snapshot.
        let json = serde_json::to_string(&a).unwrap();
        let back: OfficeCounts = serde_json::from_str(&json).unwrap();
        assert_eq!(back, a);
    }

    /// Reports submitted or accepted after `as_of` do not count yet.
    #[test]
    fn the_future_does_not_count() {
        let policy = ReportingPolicy::default();
        let as_of = d("2026-08-01");
        let sosial = vec!["sosial".to_owned()];
        let reports = [
            report("2025-S2", Some("2026-01-05"), Some("2026-01-10")),
            report("2026-S1", Some("2026-08-02"), Some("2026-08-03")),
        ];
        let mut counts = OfficeCounts::new(&policy, as_of);
        counts.tally(&facts(&reports, &sosial), &policy, as_of);
        let last = counts.compliance.last().unwrap();
        assert_eq!(last.period, p("2026-S1"));
        assert_eq!((last.expected, last.missing, last.accepted), (1, 1, 0));
        assert_eq!(counts.totals.active, 1);
    }

    #[test]
    fn sanctions_in_force() {
        let as_of = d("2026-04-10");
        let f = |kind, state, deadline: Option<&str>, period_end: Option<&str>, dated: &str| {
            SanctionFacts {
                kind,
                state,
                deadline: deadline.map(d),
                period_end: period_end.map(d),
                dated: Some(d(dated)),
            }
        };
        use SanctionKind::*;
        use SanctionState::*;
        let rows = [
            f(
                WrittenWarning,
                InForce,
                Some("2026-04-10"),
                None,
                "2026-04-01",
            ),
            f(
                WrittenWarning,
                InForce,
                Some("2026-04-09"),
                None,
                "2026-03-31",
            ),
            f(
                WrittenWarning,
                Complied,
                Some("2026-04-20"),
                None,
                "2026-04-08",
            ),
            f(
                WrittenWarning,
                InForce,
                Some("2026-04-30"),
                None,
                "2026-04-20",
            ),
            f(
                ActivitySuspension,
                InForce,
                None,
                Some("2026-04-10"),
                "2026-01-01",
            ),
            f(
                ActivitySuspension,
                InForce,
                None,
                Some("2026-04-09"),
                "2026-01-01",
            ),
            f(ActivitySuspension, InForce, None, None, "2026-02-01"),
            f(ActivitySuspension, Lifted, None, None, "2026-02-01"),
            f(Revocation, InForce, None, None, "2026-01-05"),
            f(Revocation, InForce, None, None, "2025-12-31"),
        ];
        let mut counts = OfficeCounts::default();
        for row in &rows {
            counts.tally_sanction(row, Some("6471010"), as_of);
        }
        let expected = SanctionCounts {
            warnings_running: 1,
            suspensions_in_force: 2,
            revocations_this_year: 1,
        };
        assert_eq!(counts.totals.sanctions, expected);
        assert_eq!(counts.by_district["6471010"].sanctions, expected);
        let mut sum = OfficeCounts::default();
        sum.add(&counts);
        sum.add(&counts);
        assert_eq!(sum.totals.sanctions.suspensions_in_force, 4);
    }
}
