//! Whether an ormas is active or inactive as of a date, and why (see `docs/domain.md`, "Active or
//! inactive"). No statute defines "aktif"; this combines the offices' three tests (registered and
//! not sanctioned, a valid legal basis and board, a recent accepted report) and always gives the
//! reasons. Status is derived from the data, never stored or typed in.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use strum::{Display, EnumString, IntoStaticStr, VariantArray};

use crate::codes::{Code, UnknownCode, code};
use crate::registration::{OrmasKind, RegistrationState};
use crate::reporting::{Period, ReportingPolicy};

/// Whether an ormas counts as active.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(EnumString, Display, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "snake_case", parse_err_ty = UnknownCode, parse_err_fn = Self::unknown)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(as = ActivityName, description = "Whether an ormas counts as active.")
)]
pub enum Activity {
    /// Registered, not sanctioned, legally and organisationally current, and reporting.
    Active,
    /// At least one [`InactiveReason`] applies.
    Inactive,
}

code!(Activity, "activity");

/// Why an ormas is inactive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(EnumString, Display, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "snake_case", parse_err_ty = UnknownCode, parse_err_fn = Self::unknown)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(as = InactiveReasonName, description = "Why an ormas is inactive.")
)]
pub enum InactiveReason {
    /// The regional registration is not (or no longer) registered: a draft, pending, returned,
    /// rejected or lapsed.
    NotRegistered,
    /// No activity report was accepted within the policy's active window.
    NoRecentReport,
    /// An ormas without legal personality whose SKT has expired, or whose SKT expiry is unknown.
    SktExpired,
    /// The board's term (masa bakti) has ended.
    BoardTermEnded,
    /// Its activities were stopped as a sanction.
    Suspended,
    /// Its SKT or badan hukum status was revoked.
    Revoked,
    /// It dissolved itself or was found gone.
    Dissolved,
    /// The last field visit found nothing of it at its address (until a later visit finds it or
    /// the address is changed).
    SecretariatNotFound,
}

code!(InactiveReason, "inactive reason");

/// A report the office accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AcceptedReport {
    /// The period the report covers.
    pub period: Period,
    /// The day the office accepted it.
    pub accepted_on: NaiveDate,
}

/// What counts of one report for status and compliance: its period, when it was first submitted
/// (lateness and filing are judged on the first submission) and when it was accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ReportFacts {
    pub period: Period,
    pub submitted_on: Option<NaiveDate>,
    pub accepted_on: Option<NaiveDate>,
}

impl ReportFacts {
    /// Whether the report had been submitted by `today`.
    pub fn filed_by(&self, today: NaiveDate) -> bool {
        self.submitted_on.is_some_and(|on| on <= today)
    }

    /// The acceptance, when it had happened by `today`.
    pub fn accepted_by(&self, today: NaiveDate) -> Option<AcceptedReport> {
        self.accepted_on
            .filter(|on| *on <= today)
            .map(|accepted_on| AcceptedReport {
                period: self.period,
                accepted_on,
            })
    }
}

/// The data status is derived from.
#[derive(Debug, Clone, Copy)]
pub struct StatusInput<'a> {
    /// The effective registration state (see `registration::effective_state`).
    pub state: RegistrationState,
    pub kind: OrmasKind,
    /// The last day the SKT is valid; only meaningful for `tidak_berbadan_hukum`.
    pub skt_expires_on: Option<NaiveDate>,
    /// The last day of the board's term; `None` when unknown (not counted as ended).
    pub board_term_ends_on: Option<NaiveDate>,
    /// Whether activities are currently stopped as a sanction.
    pub suspended: bool,
    /// Whether the SKT or badan hukum status was revoked.
    pub revoked: bool,
    /// Since when the secretariat counts as missing (see `visits::secretariat_missing_since`);
    /// counted from that day on.
    pub secretariat_missing_since: Option<NaiveDate>,
    /// The day the registration was approved: reporting starts with the period containing it.
    /// `None` (not registered yet) starts nothing early.
    pub registration_date: Option<NaiveDate>,
    /// Every report of the registration, in any order and any state.
    pub reports: &'a [ReportFacts],
}

/// The report an ormas should file next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextReport {
    pub period: Period,
    pub due_on: NaiveDate,
    /// Whether the due date has passed (`due_on < today`).
    pub overdue: bool,
}

/// The status of an ormas as of a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    /// Active exactly when `reasons` is empty.
    pub activity: Activity,
    /// Every reason that applies, in a fixed order: dissolved or not_registered, revoked,
    /// suspended, secretariat_not_found, skt_expired, board_term_ended, no_recent_report.
    pub reasons: Vec<InactiveReason>,
    /// The SKT expiry for `tidak_berbadan_hukum`; `None` for a badan hukum (no end).
    pub legal_basis_valid_until: Option<NaiveDate>,
    /// The accepted report with the latest period (ties: the latest accepted).
    pub last_accepted_report: Option<AcceptedReport>,
    /// The earliest period, from the last one already due (and not before the period of the
    /// registration date), without a submitted report.
    pub next_report: NextReport,
}

/// Derives the status of an ormas as of `today`. Reports submitted or accepted after `today` are
/// ignored, so a status can be computed for a past date from today's data.
pub fn derive_status(input: &StatusInput, policy: &ReportingPolicy, today: NaiveDate) -> Status {
    let known: Vec<AcceptedReport> = input
        .reports
        .iter()
        .filter_map(|r| r.accepted_by(today))
        .collect();

    let mut reasons = Vec::new();
    match input.state {
        RegistrationState::Registered if registered_by(input, today) => {}
        // A suspended or revoked ormas is registered in the Buku Induk; its own reason follows.
        RegistrationState::Suspended | RegistrationState::Revoked => {}
        RegistrationState::Dissolved => reasons.push(InactiveReason::Dissolved),
        _ => reasons.push(InactiveReason::NotRegistered),
    }
    if input.revoked || input.state == RegistrationState::Revoked {
        reasons.push(InactiveReason::Revoked);
    }
    if input.suspended || input.state == RegistrationState::Suspended {
        reasons.push(InactiveReason::Suspended);
    }
    if input
        .secretariat_missing_since
        .is_some_and(|since| since <= today)
    {
        reasons.push(InactiveReason::SecretariatNotFound);
    }
    if skt_expired(input.kind, input.skt_expires_on, today) {
        reasons.push(InactiveReason::SktExpired);
    }
    if input.board_term_ends_on.is_some_and(|end| end < today) {
        reasons.push(InactiveReason::BoardTermEnded);
    }
    let window_start = policy.active_window_start(today);
    if !known.iter().any(|r| r.accepted_on >= window_start) {
        reasons.push(InactiveReason::NoRecentReport);
    }

    let activity = if reasons.is_empty() {
        Activity::Active
    } else {
        Activity::Inactive
    };
    let legal_basis_valid_until = if input.kind.is_badan_hukum() {
        None
    } else {
        input.skt_expires_on
    };
    Status {
        activity,
        reasons,
        legal_basis_valid_until,
        last_accepted_report: known
            .iter()
            .max_by_key(|r| (r.period, r.accepted_on))
            .copied(),
        next_report: next_report(input, policy, today),
    }
}

/// Whether the ormas counts as registered on `today`: registered, and not approved after `today`
/// (a status for a past date does not count a later approval).
pub fn registered_by(input: &StatusInput, today: NaiveDate) -> bool {
    input.state == RegistrationState::Registered
        && input.registration_date.is_none_or(|on| on <= today)
}

/// Whether the report for the last period already due is missing as of `today`: registered, the
/// period ends on or after the registration date, and no report for it was submitted by `today`.
/// The same as `derive_status(..).next_report.overdue` for a registered ormas; stated on its own
/// because the list filter `report_overdue` mirrors it in SQL.
pub fn report_overdue(input: &StatusInput, policy: &ReportingPolicy, today: NaiveDate) -> bool {
    registered_by(input, today)
        && policy.last_due_period(today).is_some_and(|period| {
            input.registration_date.is_none_or(|on| on <= period.end())
                && !input
                    .reports
                    .iter()
                    .any(|r| r.period == period && r.filed_by(today))
        })
}

/// A badan hukum has no end; an SKT is expired the day after its last valid day, and an unknown
/// expiry counts as expired.
fn skt_expired(kind: OrmasKind, skt_expires_on: Option<NaiveDate>, today: NaiveDate) -> bool {
    !kind.is_badan_hukum() && skt_expires_on.is_none_or(|expires| expires < today)
}

/// The earliest period at or after the last one already due (from the current period if none is
/// due yet), and not before the period of the registration date, that has no report submitted by
/// `today`.
fn next_report(input: &StatusInput, policy: &ReportingPolicy, today: NaiveDate) -> NextReport {
    let filed = |period: &Period| {
        input
            .reports
            .iter()
            .any(|r| r.period == *period && r.filed_by(today))
    };
    let mut period = policy
        .last_due_period(today)
        .unwrap_or_else(|| policy.current_period(today));
    if let Some(first) = input
        .registration_date
        .map(|on| Period::containing(on, policy.cadence))
    {
        period = period.max(first);
    }
    // Each step passes a distinct filed period, so this ends within reports.len() steps.
    while filed(&period) {
        match period.next() {
            Some(next) => period = next,
            None => break,
        }
    }
    let due_on = policy.due_on(&period);
    NextReport {
        period,
        due_on,
        overdue: due_on < today,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reporting::Cadence;
    use InactiveReason::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn p(s: &str) -> Period {
        Period::parse(s).unwrap()
    }

    /// A report submitted and accepted the same day.
    fn accepted(period: &str, accepted_on: &str) -> ReportFacts {
        ReportFacts {
            period: p(period),
            submitted_on: Some(d(accepted_on)),
            accepted_on: Some(d(accepted_on)),
        }
    }

    fn acceptance(period: &str, accepted_on: &str) -> AcceptedReport {
        AcceptedReport {
            period: p(period),
            accepted_on: d(accepted_on),
        }
    }

    /// A registered perkumpulan with a board in office and the given reports.
    fn input(reports: &[ReportFacts]) -> StatusInput<'_> {
        StatusInput {
            state: RegistrationState::Registered,
            kind: OrmasKind::Perkumpulan,
            skt_expires_on: None,
            board_term_ends_on: Some(d("2028-01-01")),
            suspended: false,
            revoked: false,
            secretariat_missing_since: None,
            registration_date: Some(d("2020-03-01")),
            reports,
        }
    }

    /// The same, without legal personality, with the given SKT expiry.
    fn tbh<'a>(reports: &'a [ReportFacts], skt: Option<&str>) -> StatusInput<'a> {
        StatusInput {
            kind: OrmasKind::TidakBerbadanHukum,
            skt_expires_on: skt.map(d),
            ..input(reports)
        }
    }

    const TODAY: &str = "2026-11-22";

    #[test]
    fn enums_round_trip() {
        for &a in Activity::ALL {
            assert_eq!(a.as_str().parse::<Activity>().unwrap(), a);
        }
        for &r in InactiveReason::ALL {
            assert_eq!(r.as_str().parse::<InactiveReason>().unwrap(), r);
        }
        let codes: Vec<&str> = InactiveReason::ALL.iter().map(|r| r.as_str()).collect();
        assert_eq!(
            codes,
            [
                "not_registered",
                "no_recent_report",
                "skt_expired",
                "board_term_ended",
                "suspended",
                "revoked",
                "dissolved",
                "secretariat_not_found"
            ]
        );
        assert!("Active".parse::<Activity>().is_err());
        assert!("expired".parse::<InactiveReason>().is_err());
    }

    #[test]
    fn reasons() {
        use RegistrationState::*;
        let fresh = [accepted("2026-S1", "2026-08-10")];
        let eleven_months = [accepted("2025-S2", "2025-12-22")];
        let thirteen_months = [accepted("2025-S1", "2025-10-22")];
        let window_first_day = [accepted("2025-S1", "2025-11-22")];
        let window_day_before = [accepted("2025-S1", "2025-11-21")];
        let accepted_tomorrow = [accepted("2026-S1", "2026-11-23")];
        let old_and_fresh = [
            accepted("2024-S2", "2025-02-01"),
            accepted("2026-S1", "2026-08-10"),
        ];
        let none: [ReportFacts; 0] = [];
        let cases: Vec<(&str, StatusInput, &[InactiveReason])> = vec![
            ("fresh report", input(&fresh), &[]),
            ("report 11 months ago", input(&eleven_months), &[]),
            (
                "report 13 months ago",
                input(&thirteen_months),
                &[NoRecentReport],
            ),
            (
                "accepted on the window's first day",
                input(&window_first_day),
                &[],
            ),
            (
                "accepted the day before the window",
                input(&window_day_before),
                &[NoRecentReport],
            ),
            (
                "accepted after today",
                input(&accepted_tomorrow),
                &[NoRecentReport],
            ),
            ("an old and a fresh report", input(&old_and_fresh), &[]),
            ("no reports", input(&none), &[NoRecentReport]),
            (
                "skt expired yesterday",
                tbh(&fresh, Some("2026-11-21")),
                &[SktExpired],
            ),
            ("skt expires today", tbh(&fresh, Some("2026-11-22")), &[]),
            ("skt valid", tbh(&fresh, Some("2027-05-01")), &[]),
            ("skt expiry unknown", tbh(&fresh, None), &[SktExpired]),
            (
                "perkumpulan with a past skt date",
                StatusInput {
                    skt_expires_on: Some(d("2020-01-01")),
                    ..input(&fresh)
                },
                &[],
            ),
            (
                "yayasan without skt",
                StatusInput {
                    kind: OrmasKind::Yayasan,
                    ..input(&fresh)
                },
                &[],
            ),
            (
                "draft",
                StatusInput {
                    state: Draft,
                    ..input(&none)
                },
                &[NotRegistered, NoRecentReport],
            ),
            (
                "submitted",
                StatusInput {
                    state: Submitted,
                    ..input(&fresh)
                },
                &[NotRegistered],
            ),
            (
                "needs revision",
                StatusInput {
                    state: NeedsRevision,
                    ..input(&fresh)
                },
                &[NotRegistered],
            ),
            (
                "rejected",
                StatusInput {
                    state: Rejected,
                    ..input(&fresh)
                },
                &[NotRegistered],
            ),
            (
                "lapsed",
                StatusInput {
                    state: Lapsed,
                    ..input(&fresh)
                },
                &[NotRegistered],
            ),
            (
                "dissolved",
                StatusInput {
                    state: Dissolved,
                    ..input(&fresh)
                },
                &[InactiveReason::Dissolved],
            ),
            (
                "suspended",
                StatusInput {
                    suspended: true,
                    ..input(&fresh)
                },
                &[InactiveReason::Suspended],
            ),
            (
                "revoked",
                StatusInput {
                    revoked: true,
                    ..input(&fresh)
                },
                &[InactiveReason::Revoked],
            ),
            (
                "state suspended",
                StatusInput {
                    state: RegistrationState::Suspended,
                    ..input(&fresh)
                },
                &[InactiveReason::Suspended],
            ),
            (
                "state revoked, skt expired",
                StatusInput {
                    state: RegistrationState::Revoked,
                    ..tbh(&fresh, Some("2026-01-01"))
                },
                &[InactiveReason::Revoked, SktExpired],
            ),
            (
                "secretariat not found on a visit before the date",
                StatusInput {
                    secretariat_missing_since: Some(d("2026-10-01")),
                    ..input(&fresh)
                },
                &[SecretariatNotFound],
            ),
            (
                "secretariat not found on a visit after the date",
                StatusInput {
                    secretariat_missing_since: Some(d("2026-12-01")),
                    ..input(&fresh)
                },
                &[],
            ),
            (
                "board term ended yesterday",
                StatusInput {
                    board_term_ends_on: Some(d("2026-11-21")),
                    ..input(&fresh)
                },
                &[BoardTermEnded],
            ),
            (
                "board term ends today",
                StatusInput {
                    board_term_ends_on: Some(d("2026-11-22")),
                    ..input(&fresh)
                },
                &[],
            ),
            (
                "board term unknown",
                StatusInput {
                    board_term_ends_on: None,
                    ..input(&fresh)
                },
                &[],
            ),
            (
                "everything at once, dissolved",
                StatusInput {
                    state: Dissolved,
                    suspended: true,
                    revoked: true,
                    board_term_ends_on: Some(d("2025-01-01")),
                    ..tbh(&thirteen_months, Some("2026-01-01"))
                },
                &[
                    InactiveReason::Dissolved,
                    InactiveReason::Revoked,
                    InactiveReason::Suspended,
                    SktExpired,
                    BoardTermEnded,
                    NoRecentReport,
                ],
            ),
            (
                "everything at once, submitted",
                StatusInput {
                    state: Submitted,
                    suspended: true,
                    revoked: true,
                    board_term_ends_on: Some(d("2025-01-01")),
                    ..tbh(&none, None)
                },
                &[
                    NotRegistered,
                    InactiveReason::Revoked,
                    InactiveReason::Suspended,
                    SktExpired,
                    BoardTermEnded,
                    NoRecentReport,
                ],
            ),
            (
                "approved after the date asked about",
                StatusInput {
                    registration_date: Some(d("2026-11-23")),
                    ..input(&fresh)
                },
                &[NotRegistered],
            ),
            (
                "approved on the date asked about",
                StatusInput {
                    registration_date: Some(d("2026-11-22")),
                    ..input(&fresh)
                },
                &[],
            ),
            (
                "suspended without a report",
                StatusInput {
                    suspended: true,
                    ..input(&none)
                },
                &[InactiveReason::Suspended, NoRecentReport],
            ),
        ];
        let policy = ReportingPolicy::default();
        for (name, input, expected) in cases {
            let status = derive_status(&input, &policy, d(TODAY));
            assert_eq!(status.reasons, expected, "{name}");
            let activity = if expected.is_empty() {
                Activity::Active
            } else {
                Activity::Inactive
            };
            assert_eq!(status.activity, activity, "{name}");
        }
    }

    #[test]
    fn badan_hukum_never_expires() {
        let fresh = [accepted("2026-S1", "2026-08-10")];
        let policy = ReportingPolicy::default();
        for kind in [OrmasKind::Perkumpulan, OrmasKind::Yayasan] {
            for skt in [None, Some(d("2000-01-01")), Some(d("2026-11-21"))] {
                let status = derive_status(
                    &StatusInput {
                        kind,
                        skt_expires_on: skt,
                        ..input(&fresh)
                    },
                    &policy,
                    d(TODAY),
                );
                assert!(!status.reasons.contains(&SktExpired), "{kind} {skt:?}");
                assert_eq!(status.legal_basis_valid_until, None, "{kind} {skt:?}");
            }
        }
    }

    #[test]
    fn legal_basis_of_an_skt() {
        let policy = ReportingPolicy::default();
        for skt in [None, Some(d("2026-01-01")), Some(d("2029-03-04"))] {
            let status = derive_status(
                &StatusInput {
                    kind: OrmasKind::TidakBerbadanHukum,
                    skt_expires_on: skt,
                    ..input(&[])
                },
                &policy,
                d(TODAY),
            );
            assert_eq!(status.legal_basis_valid_until, skt, "{skt:?}");
        }
    }

    #[test]
    fn last_accepted_report() {
        let cases: [(&[ReportFacts], Option<AcceptedReport>); 5] = [
            (&[], None),
            (
                &[accepted("2025-S2", "2026-02-01")],
                Some(acceptance("2025-S2", "2026-02-01")),
            ),
            (
                // The latest period wins even when an older one was accepted later.
                &[
                    accepted("2026-S1", "2026-08-10"),
                    accepted("2025-S2", "2026-10-01"),
                    accepted("2025-S1", "2025-08-01"),
                ],
                Some(acceptance("2026-S1", "2026-08-10")),
            ),
            (
                // Ties on the period: the latest acceptance.
                &[
                    accepted("2026-S1", "2026-09-01"),
                    accepted("2026-S1", "2026-08-10"),
                    accepted("2025-S2", "2026-02-01"),
                ],
                Some(acceptance("2026-S1", "2026-09-01")),
            ),
            (
                // Accepted after today: not yet known.
                &[
                    accepted("2025-S2", "2026-02-01"),
                    accepted("2026-S1", "2026-11-23"),
                ],
                Some(acceptance("2025-S2", "2026-02-01")),
            ),
        ];
        let policy = ReportingPolicy::default();
        for (reports, expected) in cases {
            let status = derive_status(&input(reports), &policy, d(TODAY));
            assert_eq!(status.last_accepted_report, expected, "{reports:?}");
        }
    }

    #[test]
    fn next_report() {
        let semester = ReportingPolicy::default();
        let annual = ReportingPolicy {
            cadence: Cadence::Annual,
            ..ReportingPolicy::default()
        };
        // policy, accepted periods (accepted on 2026-01-01 unless noted), today, period, due, overdue
        type Case<'a> = (
            ReportingPolicy,
            &'a [&'a str],
            &'a str,
            &'a str,
            &'a str,
            bool,
        );
        let cases: [Case; 13] = [
            (semester, &[], "2026-11-22", "2026-S1", "2026-07-30", true),
            (
                semester,
                &["2026-S1"],
                "2026-11-22",
                "2026-S2",
                "2027-01-30",
                false,
            ),
            (
                semester,
                &["2026-S1", "2026-S2"],
                "2026-11-22",
                "2027-S1",
                "2027-07-30",
                false,
            ),
            // Older missing periods are not the next report.
            (
                semester,
                &["2026-S1"],
                "2026-08-01",
                "2026-S2",
                "2027-01-30",
                false,
            ),
            // The flip: the due day itself is not overdue, the day after is.
            (
                semester,
                &["2025-S2"],
                "2026-07-30",
                "2026-S1",
                "2026-07-30",
                false,
            ),
            (
                semester,
                &["2025-S2"],
                "2026-07-31",
                "2026-S1",
                "2026-07-30",
                true,
            ),
            (
                semester,
                &["2025-S1"],
                "2026-07-30",
                "2025-S2",
                "2026-01-30",
                true,
            ),
            (semester, &[], "2026-01-30", "2025-S1", "2025-07-30", true),
            (semester, &[], "2026-01-31", "2025-S2", "2026-01-30", true),
            // Annual cadence.
            (annual, &["2025"], "2026-11-22", "2026", "2027-01-30", false),
            (annual, &["2025"], "2027-01-30", "2026", "2027-01-30", false),
            (annual, &["2025"], "2027-01-31", "2026", "2027-01-30", true),
            // Semester reports do not count for an annual policy.
            (
                annual,
                &["2025-S1", "2025-S2"],
                "2026-11-22",
                "2025",
                "2026-01-30",
                true,
            ),
        ];
        for (policy, periods, today, period, due, overdue) in cases {
            let reports: Vec<ReportFacts> =
                periods.iter().map(|p| accepted(p, "2026-01-01")).collect();
            let status = derive_status(&input(&reports), &policy, d(today));
            assert_eq!(
                status.next_report,
                NextReport {
                    period: p(period),
                    due_on: d(due),
                    overdue
                },
                "{} {periods:?} on {today}",
                policy.cadence
            );
        }
    }

    #[test]
    fn next_report_ignores_reports_accepted_after_today() {
        let reports = [
            accepted("2025-S2", "2026-02-10"),
            accepted("2026-S1", "2026-08-05"),
        ];
        let policy = ReportingPolicy::default();
        let before = derive_status(&input(&reports), &policy, d("2026-08-01"));
        assert_eq!(before.next_report.period, p("2026-S1"));
        assert!(before.next_report.overdue);
        let after = derive_status(&input(&reports), &policy, d("2026-08-05"));
        assert_eq!(after.next_report.period, p("2026-S2"));
        assert!(!after.next_report.overdue);
    }

    #[test]
    fn annual_cadence() {
        let policy = ReportingPolicy {
            cadence: Cadence::Annual,
            ..ReportingPolicy::default()
        };
        let reports = [accepted("2025", "2026-01-20")];
        let cases: [(&str, &[InactiveReason], &str); 3] = [
            ("2026-11-22", &[], "2026"),
            ("2027-01-20", &[], "2026"),
            ("2027-01-21", &[NoRecentReport], "2026"),
        ];
        for (today, expected, next) in cases {
            let status = derive_status(&input(&reports), &policy, d(today));
            assert_eq!(status.reasons, expected, "{today}");
            assert_eq!(status.next_report.period, p(next), "{today}");
            assert_eq!(status.next_report.due_on, d("2027-01-30"), "{today}");
        }
    }

    #[test]
    fn the_window_is_configurable() {
        let reports = [accepted("2025-S2", "2026-02-01")];
        let cases = [
            (12, Activity::Active),
            (10, Activity::Active),
            (9, Activity::Inactive),
            (6, Activity::Inactive),
        ];
        for (months, expected) in cases {
            let policy = ReportingPolicy {
                active_window_months: months,
                ..ReportingPolicy::default()
            };
            let status = derive_status(&input(&reports), &policy, d(TODAY));
            assert_eq!(status.activity, expected, "{months} months");
        }
    }

    /// Reporting starts with the period of the registration date; a submitted report that is not
    /// yet accepted is filed (the ormas did its part); `report_overdue` agrees with
    /// `next_report.overdue` for registered ormas in every case.
    #[test]
    fn filing_and_the_registration_date() {
        use RegistrationState::*;
        let submitted = |period: &str, on: &str| ReportFacts {
            period: p(period),
            submitted_on: Some(d(on)),
            accepted_on: None,
        };
        let draft = |period: &str| ReportFacts {
            period: p(period),
            submitted_on: None,
            accepted_on: None,
        };
        // registered on, reports, today, next period, overdue
        type Case<'a> = (&'a str, Vec<ReportFacts>, &'a str, &'a str, bool);
        let cases: Vec<Case> = vec![
            ("2026-11-01", vec![], TODAY, "2026-S2", false),
            ("2026-07-01", vec![], TODAY, "2026-S2", false),
            ("2026-06-30", vec![], TODAY, "2026-S1", true),
            (
                "2026-03-01",
                vec![submitted("2026-S1", "2026-07-10")],
                TODAY,
                "2026-S2",
                false,
            ),
            (
                "2026-03-01",
                vec![submitted("2026-S1", "2026-08-10")],
                TODAY,
                "2026-S2",
                false,
            ),
            (
                "2026-03-01",
                vec![submitted("2026-S1", "2026-11-23")],
                TODAY,
                "2026-S1",
                true,
            ),
            ("2026-03-01", vec![draft("2026-S1")], TODAY, "2026-S1", true),
            (
                "2020-01-01",
                vec![accepted("2025-S2", "2026-02-01")],
                TODAY,
                "2026-S1",
                true,
            ),
            ("2020-01-01", vec![], "2026-07-30", "2025-S2", true),
            ("2020-01-01", vec![], "2026-01-30", "2025-S1", true),
        ];
        let policy = ReportingPolicy::default();
        for (registered_on, reports, today, period, overdue) in cases {
            let input = StatusInput {
                registration_date: Some(d(registered_on)),
                ..input(&reports)
            };
            let status = derive_status(&input, &policy, d(today));
            let label = format!("{registered_on} {reports:?} {today}");
            assert_eq!(status.next_report.period, p(period), "{label}");
            assert_eq!(status.next_report.overdue, overdue, "{label}");
            assert_eq!(
                report_overdue(&input, &policy, d(today)),
                overdue,
                "{label}"
            );
            for state in [Draft, Submitted, Rejected, Dissolved] {
                let other = StatusInput { state, ..input };
                assert!(
                    !report_overdue(&other, &policy, d(today)),
                    "{label} {state}"
                );
            }
        }
    }
}
