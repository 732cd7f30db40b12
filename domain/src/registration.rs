//! The lifecycle of a regional registration (*melapor keberadaan*): states, who may move a
//! registration between them, and the working-day deadlines of UU 17/2013 Ps 17.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};
use strum::{Display, EnumString, IntoStaticStr, VariantArray};

use crate::access::Role;
use crate::calendar::{DateOutOfRange, HolidayCalendar, add_working_days};
use crate::codes::{Code, UnknownCode, code};
use crate::reference_lists::Label;

/// Working days the office has to verify a submitted registration (UU 17/2013 Ps 17(1)).
pub const VERIFICATION_WORKING_DAYS: i32 = 15;
/// Working days the applicant has to complete a returned registration (UU 17/2013 Ps 17(2)).
pub const REVISION_WORKING_DAYS: i32 = 15;
/// Years an SKT stays valid from signing (Permendagri 57/2017 Ps 23).
pub const SKT_VALIDITY_YEARS: i32 = 5;

/// The legal form of an ormas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(EnumString, Display, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "snake_case", parse_err_ty = UnknownCode, parse_err_fn = Self::unknown)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(as = OrmasKindName, description = "The kind of organisation.")
)]
pub enum OrmasKind {
    /// Association with legal personality (AHU decree).
    Perkumpulan,
    /// Foundation with legal personality (AHU decree).
    Yayasan,
    /// No legal personality: registered by SKT, valid five years.
    TidakBerbadanHukum,
}

code!(OrmasKind, "ormas kind");

impl OrmasKind {
    /// The kind's labels for the reference list; a new kind does not compile without them.
    pub fn label(self) -> Label {
        let (id, en) = match self {
            OrmasKind::Perkumpulan => ("Perkumpulan (badan hukum)", "Association (legal entity)"),
            OrmasKind::Yayasan => ("Yayasan (badan hukum)", "Foundation (legal entity)"),
            OrmasKind::TidakBerbadanHukum => (
                "Tidak berbadan hukum (SKT)",
                "Without legal personality (SKT)",
            ),
        };
        Label {
            code: self.as_str(),
            id,
            en,
        }
    }
}

impl OrmasKind {
    /// Whether the ormas is a legal entity (badan hukum), identified by an AHU decree.
    pub fn is_badan_hukum(self) -> bool {
        matches!(self, OrmasKind::Perkumpulan | OrmasKind::Yayasan)
    }
}

/// Where a regional registration stands. `Lapsed` is normally derived (see [`effective_state`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(EnumString, Display, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "snake_case", parse_err_ty = UnknownCode, parse_err_fn = Self::unknown)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(as = OrmasState, description = "The state of a regional registration.")
)]
pub enum RegistrationState {
    /// Being filled in by the ormas; not yet seen by the office.
    Draft,
    /// Waiting for the office's verification.
    Submitted,
    /// Returned to the ormas to complete within the revision window.
    NeedsRevision,
    /// Entered in the Buku Induk; an SKM number was issued.
    Registered,
    /// Refused by the office.
    Rejected,
    /// The revision window passed without a resubmission.
    Lapsed,
    /// The ormas dissolved itself or was found gone.
    Dissolved,
    /// Its activities are stopped by a ministry's decision (UU 16/2017 Ps 61(1)b); it reads as
    /// registered again once the suspension is lifted or its period has ended (derived, see
    /// [`effective_state`]).
    Suspended,
    /// Its SKT or its badan hukum status was revoked (UU 16/2017 Ps 61(1)c, 80A).
    Revoked,
}

code!(RegistrationState, "registration state");

impl RegistrationState {
    /// The state's labels for the reference list; a new state does not compile without them.
    pub fn label(self) -> Label {
        let (id, en) = match self {
            RegistrationState::Draft => ("Draf", "Draft"),
            RegistrationState::Submitted => ("Diajukan", "Submitted"),
            RegistrationState::NeedsRevision => ("Perlu perbaikan", "Needs revision"),
            RegistrationState::Registered => ("Terdaftar", "Registered"),
            RegistrationState::Rejected => ("Ditolak", "Rejected"),
            RegistrationState::Lapsed => ("Gugur", "Lapsed"),
            RegistrationState::Dissolved => ("Bubar", "Dissolved"),
            RegistrationState::Suspended => ("Dihentikan sementara", "Suspended"),
            RegistrationState::Revoked => ("Dicabut", "Revoked"),
        };
        Label {
            code: self.as_str(),
            id,
            en,
        }
    }
}

/// A move of a registration from one state to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(EnumString, Display, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "snake_case", parse_err_ty = UnknownCode, parse_err_fn = Self::unknown)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(as = TransitionName, description = "A lifecycle transition.")
)]
pub enum Transition {
    /// Send a draft or a revised registration to the office.
    Submit,
    /// Send it back to the ormas to complete.
    Return,
    /// Enter it in the Buku Induk and issue the SKM.
    Approve,
    /// Refuse it.
    Reject,
    /// Record that the ormas no longer exists in the region.
    Dissolve,
}

code!(Transition, "transition");

/// The day an SKT signed on `issued_on` stops being valid: five years on, same month and day
/// (29 February falls back to 28 February). `None` past the supported calendar range.
pub fn skt_expires_on(issued_on: NaiveDate) -> Option<NaiveDate> {
    let months = u32::try_from(SKT_VALIDITY_YEARS).ok()?.checked_mul(12)?;
    issued_on.checked_add_months(Months::new(months))
}

/// The state as of `today`: a registration returned for revision lapses the day after its
/// `revision_due` date, and a suspended one reads as registered again the day after its
/// suspension's last day `suspended_until` (no end: suspended until lifted). Every other state is
/// what was stored.
pub fn effective_state(
    stored: RegistrationState,
    revision_due: Option<NaiveDate>,
    suspended_until: Option<NaiveDate>,
    today: NaiveDate,
) -> RegistrationState {
    match (stored, revision_due, suspended_until) {
        (RegistrationState::NeedsRevision, Some(due), _) if due < today => {
            RegistrationState::Lapsed
        }
        (RegistrationState::Suspended, _, Some(last_day)) if last_day < today => {
            RegistrationState::Registered
        }
        _ => stored,
    }
}

/// The transitions the lifecycle allows out of a state, whoever asks.
pub fn allowed_transitions(state: RegistrationState) -> &'static [Transition] {
    use RegistrationState::*;
    use Transition::*;
    match state {
        Draft => &[Submit],
        Submitted => &[Return, Approve, Reject],
        NeedsRevision => &[Submit, Reject],
        // A suspended ormas may still dissolve itself (or be found gone); a revoked one has no
        // legal existence left to dissolve.
        Registered | Suspended => &[Dissolve],
        Rejected | Lapsed | Dissolved | Revoked => &[],
    }
}

/// A move of the lifecycle that only a sanction makes. These are deliberately not
/// [`Transition`]s: the generic transitions endpoint cannot name them, only the sanctions
/// endpoints perform them, each together with the sanction record that justifies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(EnumString, Display, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "snake_case", parse_err_ty = UnknownCode, parse_err_fn = Self::unknown)]
pub enum SanctionMove {
    /// A ministry's activity suspension was recorded: registered → suspended.
    Suspend,
    /// The suspension was lifted by decree: suspended → registered (a suspension whose period
    /// ended reads as registered without a move, see [`effective_state`]).
    Lift,
    /// The SKT or the badan hukum status was revoked: registered or suspended → revoked.
    Revoke,
    /// The organisation's badan hukum was revoked in another region (UU 16/2017 Ps 80A): every
    /// registration of it that still stands or is still pending becomes revoked.
    DissolveOrganisation,
}

code!(SanctionMove, "sanction move");

/// Why a sanction cannot move a registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a registration that is {from} cannot be {}", past_tense(*.step))]
pub struct SanctionMoveError {
    pub from: RegistrationState,
    pub step: SanctionMove,
}

fn past_tense(step: SanctionMove) -> &'static str {
    match step {
        SanctionMove::Suspend => "suspended (only a registered ormas can be)",
        SanctionMove::Lift => "lifted from a suspension (it is not suspended)",
        SanctionMove::Revoke => "revoked (only a registered or suspended ormas can be)",
        SanctionMove::DissolveOrganisation => "dissolved with its organisation",
    }
}

/// The state a sanction moves a registration to, from its effective state. For
/// [`SanctionMove::DissolveOrganisation`], `Ok(None)` means the registration had already ended
/// (rejected, lapsed, dissolved, revoked) and stays as it is.
pub fn apply_sanction(
    from: RegistrationState,
    step: SanctionMove,
) -> Result<Option<RegistrationState>, SanctionMoveError> {
    use RegistrationState::*;
    let to = match (step, from) {
        (SanctionMove::Suspend, Registered) => Some(Suspended),
        (SanctionMove::Lift, Suspended) => Some(Registered),
        (SanctionMove::Revoke, Registered | Suspended) => Some(Revoked),
        (
            SanctionMove::DissolveOrganisation,
            Draft | Submitted | NeedsRevision | Registered | Suspended,
        ) => Some(Revoked),
        (SanctionMove::DissolveOrganisation, Rejected | Lapsed | Dissolved | Revoked) => None,
        _ => return Err(SanctionMoveError { from, step }),
    };
    Ok(to)
}

/// Which roles may perform a transition (region scope and the ormas binding are checked separately).
pub fn may_perform(role: Role, transition: Transition) -> bool {
    crate::allows(role, transition.action())
}

impl Transition {
    /// The action of the permission matrix (`access.rs`) this transition is.
    pub fn action(self) -> crate::Action {
        match self {
            Transition::Submit => crate::Action::SubmitRegistration,
            Transition::Return => crate::Action::ReturnRegistration,
            Transition::Approve => crate::Action::ApproveRegistration,
            Transition::Reject => crate::Action::RejectRegistration,
            Transition::Dissolve => crate::Action::DissolveRegistration,
        }
    }
}

/// What a transition is checked against besides the stored state.
#[derive(Debug, Clone, Copy)]
pub struct TransitionContext<'a> {
    /// The role of the account asking.
    pub role: Role,
    /// The day the transition happens; deadlines count from it.
    pub today: NaiveDate,
    pub calendar: &'a HolidayCalendar,
    /// Whether the board has every required position (see `reference_lists::board_complete`).
    pub board_complete: bool,
    /// Codes of the required documents not yet uploaded.
    pub missing_documents: &'a [String],
    /// The reason given; required to return, reject and dissolve.
    pub reason: Option<&'a str>,
}

/// What to store after a successful transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransitionOutcome {
    /// The new state.
    pub to: RegistrationState,
    /// The verification deadline to store; `None` clears it.
    pub verification_due: Option<NaiveDate>,
    /// The revision deadline to store; `None` clears it.
    pub revision_due: Option<NaiveDate>,
    /// Whether a Buku Induk registration number must be issued (only on approval).
    pub issues_number: bool,
}

impl TransitionOutcome {
    fn to(state: RegistrationState) -> Self {
        Self {
            to: state,
            verification_due: None,
            revision_due: None,
            issues_number: false,
        }
    }
}

/// Why a transition is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error(
        "cannot {transition} a registration that is {from}; allowed from {from}: {}",
        list_transitions(.allowed)
    )]
    NotAllowed {
        from: RegistrationState,
        transition: Transition,
        allowed: Vec<Transition>,
    },
    #[error("role {role} may not {transition} a registration")]
    RoleNotPermitted { role: Role, transition: Transition },
    #[error("the board must have at least a ketua, a sekretaris and a bendahara before submitting")]
    IncompleteBoard,
    #[error("required documents are missing: {}", .0.join(", "))]
    MissingDocuments(Vec<String>),
    #[error("a reason is required")]
    ReasonRequired,
    #[error("the deadline falls outside the supported calendar range")]
    DateOutOfRange,
}

impl From<DateOutOfRange> for TransitionError {
    fn from(_: DateOutOfRange) -> Self {
        TransitionError::DateOutOfRange
    }
}

fn list_transitions(transitions: &[Transition]) -> String {
    if transitions.is_empty() {
        return "none".to_owned();
    }
    let names: Vec<&str> = transitions.iter().map(|t| t.as_str()).collect();
    names.join(", ")
}

/// Checks and performs `transition` on a registration stored as `stored` with `revision_due`:
/// the lifecycle (on the effective state, so a lapsed registration cannot be resubmitted), then
/// the role, then what the transition itself needs. Returns the new state and deadlines.
pub fn apply(
    stored: RegistrationState,
    revision_due: Option<NaiveDate>,
    transition: Transition,
    ctx: &TransitionContext,
) -> Result<TransitionOutcome, TransitionError> {
    // A suspension allows the same transitions as the registration it suspends, so whether its
    // period has ended does not matter here.
    let from = effective_state(stored, revision_due, None, ctx.today);
    let allowed = allowed_transitions(from);
    if !allowed.contains(&transition) {
        return Err(TransitionError::NotAllowed {
            from,
            transition,
            allowed: allowed.to_vec(),
        });
    }
    if !may_perform(ctx.role, transition) {
        return Err(TransitionError::RoleNotPermitted {
            role: ctx.role,
            transition,
        });
    }
    match transition {
        Transition::Submit => submit(ctx),
        Transition::Return => return_for_revision(ctx),
        Transition::Approve => Ok(TransitionOutcome {
            issues_number: true,
            ..TransitionOutcome::to(RegistrationState::Registered)
        }),
        Transition::Reject => close(RegistrationState::Rejected, ctx),
        Transition::Dissolve => close(RegistrationState::Dissolved, ctx),
    }
}

fn submit(ctx: &TransitionContext) -> Result<TransitionOutcome, TransitionError> {
    if !ctx.board_complete {
        return Err(TransitionError::IncompleteBoard);
    }
    if !ctx.missing_documents.is_empty() {
        return Err(TransitionError::MissingDocuments(
            ctx.missing_documents.to_vec(),
        ));
    }
    let due = add_working_days(ctx.today, VERIFICATION_WORKING_DAYS, ctx.calendar)?;
    Ok(TransitionOutcome {
        verification_due: Some(due),
        ..TransitionOutcome::to(RegistrationState::Submitted)
    })
}

fn return_for_revision(ctx: &TransitionContext) -> Result<TransitionOutcome, TransitionError> {
    require_reason(ctx)?;
    let due = add_working_days(ctx.today, REVISION_WORKING_DAYS, ctx.calendar)?;
    Ok(TransitionOutcome {
        revision_due: Some(due),
        ..TransitionOutcome::to(RegistrationState::NeedsRevision)
    })
}

fn close(
    state: RegistrationState,
    ctx: &TransitionContext,
) -> Result<TransitionOutcome, TransitionError> {
    require_reason(ctx)?;
    Ok(TransitionOutcome::to(state))
}

fn require_reason(ctx: &TransitionContext) -> Result<(), TransitionError> {
    if ctx.reason.is_some_and(|r| !r.trim().is_empty()) {
        Ok(())
    } else {
        Err(TransitionError::ReasonRequired)
    }
}

/// Whether the office has let the verification deadline pass: still submitted after `verification_due`.
pub fn verification_overdue(
    state: RegistrationState,
    verification_due: Option<NaiveDate>,
    today: NaiveDate,
) -> bool {
    state == RegistrationState::Submitted && verification_due.is_some_and(|due| today > due)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::calendar::HolidayKind;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// The 2026 days off around the March–April cases (also the sanctions' tests).
    pub(crate) fn calendar() -> HolidayCalendar {
        let mut cal = HolidayCalendar::new();
        for (date, kind) in [
            ("2026-03-18", HolidayKind::CutiBersama),
            ("2026-03-19", HolidayKind::LiburNasional),
            ("2026-03-20", HolidayKind::CutiBersama),
            ("2026-03-21", HolidayKind::LiburNasional),
            ("2026-03-22", HolidayKind::LiburNasional),
            ("2026-03-23", HolidayKind::CutiBersama),
            ("2026-03-24", HolidayKind::CutiBersama),
            ("2026-04-03", HolidayKind::LiburNasional),
        ] {
            cal.insert(d(date), kind);
        }
        cal
    }

    /// A context in which every precondition holds.
    fn ctx<'a>(role: Role, today: &str, cal: &'a HolidayCalendar) -> TransitionContext<'a> {
        TransitionContext {
            role,
            today: d(today),
            calendar: cal,
            board_complete: true,
            missing_documents: &[],
            reason: Some("documents verified"),
        }
    }

    /// A role that may perform each transition.
    fn permitted_role(transition: Transition) -> Role {
        match transition {
            Transition::Submit => Role::OrmasRep,
            Transition::Return => Role::Officer,
            Transition::Approve | Transition::Reject | Transition::Dissolve => Role::Head,
        }
    }

    #[test]
    fn enums_round_trip() {
        for &kind in OrmasKind::ALL {
            assert_eq!(kind.as_str().parse::<OrmasKind>().unwrap(), kind);
        }
        for &state in RegistrationState::ALL {
            assert_eq!(state.as_str().parse::<RegistrationState>().unwrap(), state);
        }
        for &t in Transition::ALL {
            assert_eq!(t.as_str().parse::<Transition>().unwrap(), t);
        }
        for &m in SanctionMove::ALL {
            assert_eq!(m.as_str().parse::<SanctionMove>().unwrap(), m);
        }
        // The sanction moves are not transitions: the generic endpoint cannot name them.
        assert!("suspend".parse::<Transition>().is_err());
        assert!("revoke".parse::<Transition>().is_err());
        assert!("ormas".parse::<OrmasKind>().is_err());
        assert!("NeedsRevision".parse::<RegistrationState>().is_err());
        assert!("suspend".parse::<Transition>().is_err());
    }

    #[test]
    fn badan_hukum_kinds() {
        let cases = [
            (OrmasKind::Perkumpulan, true),
            (OrmasKind::Yayasan, true),
            (OrmasKind::TidakBerbadanHukum, false),
        ];
        for (kind, expected) in cases {
            assert_eq!(kind.is_badan_hukum(), expected, "{kind}");
        }
    }

    #[test]
    fn skt_expiry() {
        let cases = [
            ("2022-11-22", Some("2027-11-22")),
            ("2024-02-29", Some("2029-02-28")),
            ("2020-12-31", Some("2025-12-31")),
            ("2028-02-28", Some("2033-02-28")),
        ];
        for (issued, expected) in cases {
            assert_eq!(skt_expires_on(d(issued)), expected.map(d), "{issued}");
        }
        assert_eq!(skt_expires_on(NaiveDate::MAX), None);
    }

    /// Every state × transition, each asked by a permitted role with every precondition met.
    #[test]
    fn lifecycle_table() {
        use RegistrationState::*;
        use Transition::*;
        type Row = (RegistrationState, [Option<RegistrationState>; 5]);
        // Columns: Submit, Return, Approve, Reject, Dissolve; `None` is NotAllowed.
        let rows: [Row; 9] = [
            (Draft, [Some(Submitted), None, None, None, None]),
            (
                Submitted,
                [
                    None,
                    Some(NeedsRevision),
                    Some(Registered),
                    Some(Rejected),
                    None,
                ],
            ),
            (
                NeedsRevision,
                [Some(Submitted), None, None, Some(Rejected), None],
            ),
            (Registered, [None, None, None, None, Some(Dissolved)]),
            (Rejected, [None; 5]),
            (Lapsed, [None; 5]),
            (Dissolved, [None; 5]),
            (Suspended, [None, None, None, None, Some(Dissolved)]),
            (Revoked, [None; 5]),
        ];
        assert_eq!(RegistrationState::ALL.len(), rows.len());
        assert_eq!(Transition::ALL, [Submit, Return, Approve, Reject, Dissolve]);
        let cal = calendar();
        for (from, expected) in rows {
            for (transition, to) in Transition::ALL.iter().copied().zip(expected) {
                let c = ctx(permitted_role(transition), "2026-03-16", &cal);
                let got = apply(from, None, transition, &c);
                match to {
                    Some(to) => assert_eq!(got.map(|o| o.to), Ok(to), "{from} {transition}"),
                    None => assert_eq!(
                        got,
                        Err(TransitionError::NotAllowed {
                            from,
                            transition,
                            allowed: allowed_transitions(from).to_vec(),
                        }),
                        "{from} {transition}"
                    ),
                }
            }
        }
    }

    #[test]
    fn outcomes_set_and_clear_deadlines() {
        use RegistrationState::*;
        let cal = calendar();
        let due = Some(d("2026-04-14"));
        let cases = [
            (Draft, Transition::Submit, Submitted, due, None, false),
            (
                NeedsRevision,
                Transition::Submit,
                Submitted,
                due,
                None,
                false,
            ),
            (
                Submitted,
                Transition::Return,
                NeedsRevision,
                None,
                due,
                false,
            ),
            (Submitted, Transition::Approve, Registered, None, None, true),
            (Submitted, Transition::Reject, Rejected, None, None, false),
            (
                NeedsRevision,
                Transition::Reject,
                Rejected,
                None,
                None,
                false,
            ),
            (
                Registered,
                Transition::Dissolve,
                Dissolved,
                None,
                None,
                false,
            ),
        ];
        for (from, transition, to, verification_due, revision_due, issues_number) in cases {
            let c = ctx(permitted_role(transition), "2026-03-16", &cal);
            assert_eq!(
                apply(from, Some(d("2026-03-20")), transition, &c),
                Ok(TransitionOutcome {
                    to,
                    verification_due,
                    revision_due,
                    issues_number
                }),
                "{from} {transition}"
            );
        }
    }

    #[test]
    fn roles_per_transition() {
        use Role::*;
        let rows: [(Transition, RegistrationState, &[Role]); 5] = [
            (
                Transition::Submit,
                RegistrationState::Draft,
                &[OrmasRep, Officer],
            ),
            (Transition::Return, RegistrationState::Submitted, &[Officer]),
            (Transition::Approve, RegistrationState::Submitted, &[Head]),
            (
                Transition::Reject,
                RegistrationState::Submitted,
                &[Officer, Head],
            ),
            (Transition::Dissolve, RegistrationState::Registered, &[Head]),
        ];
        let cal = calendar();
        for (transition, from, permitted) in rows {
            for &role in Role::ALL {
                let expected = permitted.contains(&role);
                assert_eq!(
                    may_perform(role, transition),
                    expected,
                    "{role} {transition}"
                );
                let got = apply(from, None, transition, &ctx(role, "2026-03-16", &cal));
                if expected {
                    assert!(got.is_ok(), "{role} {transition}: {got:?}");
                } else {
                    assert_eq!(
                        got,
                        Err(TransitionError::RoleNotPermitted { role, transition }),
                        "{role} {transition}"
                    );
                }
            }
        }
    }

    #[test]
    fn lifecycle_is_checked_before_role() {
        let cal = calendar();
        let got = apply(
            RegistrationState::Draft,
            None,
            Transition::Approve,
            &ctx(Role::OrmasRep, "2026-03-16", &cal),
        );
        assert!(matches!(got, Err(TransitionError::NotAllowed { .. })));
    }

    #[test]
    fn deadlines_count_working_days() {
        let cal = calendar();
        let submitted = apply(
            RegistrationState::Draft,
            None,
            Transition::Submit,
            &ctx(Role::OrmasRep, "2026-03-16", &cal),
        )
        .unwrap();
        assert_eq!(submitted.verification_due, Some(d("2026-04-14")));
        let returned = apply(
            RegistrationState::Submitted,
            None,
            Transition::Return,
            &ctx(Role::Officer, "2026-03-16", &cal),
        )
        .unwrap();
        assert_eq!(returned.revision_due, Some(d("2026-04-14")));
    }

    #[test]
    fn revision_lapses_the_day_after_its_deadline() {
        use RegistrationState::*;
        let due = Some(d("2026-04-14"));
        let cases = [
            (NeedsRevision, due, "2026-04-13", NeedsRevision),
            (NeedsRevision, due, "2026-04-14", NeedsRevision),
            (NeedsRevision, due, "2026-04-15", Lapsed),
            (NeedsRevision, None, "2030-01-01", NeedsRevision),
            (Submitted, due, "2026-04-15", Submitted),
            (Registered, due, "2026-04-15", Registered),
        ];
        for (stored, revision_due, today, expected) in cases {
            assert_eq!(
                effective_state(stored, revision_due, None, d(today)),
                expected,
                "{stored} due {revision_due:?} on {today}"
            );
        }
    }

    /// Every state × sanction move.
    #[test]
    fn sanction_moves_table() {
        use RegistrationState::*;
        use SanctionMove::*;
        // Columns: Suspend, Lift, Revoke, DissolveOrganisation; `Err` is refused,
        // `Ok(None)` leaves the registration as it is.
        type Cell = Result<Option<RegistrationState>, ()>;
        let rows: [(RegistrationState, [Cell; 4]); 9] = [
            (Draft, [Err(()), Err(()), Err(()), Ok(Some(Revoked))]),
            (Submitted, [Err(()), Err(()), Err(()), Ok(Some(Revoked))]),
            (
                NeedsRevision,
                [Err(()), Err(()), Err(()), Ok(Some(Revoked))],
            ),
            (
                Registered,
                [
                    Ok(Some(Suspended)),
                    Err(()),
                    Ok(Some(Revoked)),
                    Ok(Some(Revoked)),
                ],
            ),
            (Rejected, [Err(()), Err(()), Err(()), Ok(None)]),
            (Lapsed, [Err(()), Err(()), Err(()), Ok(None)]),
            (Dissolved, [Err(()), Err(()), Err(()), Ok(None)]),
            (
                Suspended,
                [
                    Err(()),
                    Ok(Some(Registered)),
                    Ok(Some(Revoked)),
                    Ok(Some(Revoked)),
                ],
            ),
            (Revoked, [Err(()), Err(()), Err(()), Ok(None)]),
        ];
        assert_eq!(RegistrationState::ALL.len(), rows.len());
        assert_eq!(
            SanctionMove::ALL,
            [Suspend, Lift, Revoke, DissolveOrganisation]
        );
        for (from, expected) in rows {
            for (step, want) in SanctionMove::ALL.iter().copied().zip(expected) {
                let got = apply_sanction(from, step);
                match want {
                    Ok(to) => assert_eq!(got, Ok(to), "{from} {step}"),
                    Err(()) => {
                        assert_eq!(got, Err(SanctionMoveError { from, step }), "{from} {step}")
                    }
                }
            }
        }
        assert_eq!(
            SanctionMoveError {
                from: Draft,
                step: Suspend
            }
            .to_string(),
            "a registration that is draft cannot be suspended (only a registered ormas can be)"
        );
    }

    #[test]
    fn suspensions_end_the_day_after_their_last_day() {
        use RegistrationState::*;
        let last = Some(d("2026-06-30"));
        let cases = [
            (Suspended, last, "2026-06-30", Suspended),
            (Suspended, last, "2026-07-01", Registered),
            (Suspended, None, "2030-01-01", Suspended),
            (Registered, last, "2026-07-01", Registered),
            (Revoked, last, "2026-07-01", Revoked),
        ];
        for (stored, until, today, expected) in cases {
            assert_eq!(
                effective_state(stored, None, until, d(today)),
                expected,
                "{stored} until {until:?} on {today}"
            );
        }
    }

    #[test]
    fn lapsed_registrations_cannot_be_resubmitted() {
        let cal = calendar();
        let due = Some(d("2026-04-14"));
        let on_due_day = apply(
            RegistrationState::NeedsRevision,
            due,
            Transition::Submit,
            &ctx(Role::OrmasRep, "2026-04-14", &cal),
        );
        assert_eq!(on_due_day.map(|o| o.to), Ok(RegistrationState::Submitted));
        let day_after = apply(
            RegistrationState::NeedsRevision,
            due,
            Transition::Submit,
            &ctx(Role::OrmasRep, "2026-04-15", &cal),
        );
        assert_eq!(
            day_after,
            Err(TransitionError::NotAllowed {
                from: RegistrationState::Lapsed,
                transition: Transition::Submit,
                allowed: vec![],
            })
        );
    }

    #[test]
    fn submission_needs_board_and_documents() {
        let cal = calendar();
        let missing = vec!["statutes".to_owned(), "npwp".to_owned()];
        let cases = [
            (false, &[][..], Err(TransitionError::IncompleteBoard)),
            (false, &missing[..], Err(TransitionError::IncompleteBoard)),
            (
                true,
                &missing[..],
                Err(TransitionError::MissingDocuments(missing.clone())),
            ),
            (true, &[][..], Ok(RegistrationState::Submitted)),
        ];
        for (board_complete, missing_documents, expected) in cases {
            let c = TransitionContext {
                board_complete,
                missing_documents,
                ..ctx(Role::OrmasRep, "2026-03-16", &cal)
            };
            let got = apply(RegistrationState::Draft, None, Transition::Submit, &c);
            assert_eq!(
                got.map(|o| o.to),
                expected,
                "{board_complete} {missing_documents:?}"
            );
        }
    }

    #[test]
    fn reasons_are_required() {
        use RegistrationState::*;
        let cal = calendar();
        let cases = [
            (Submitted, Transition::Return),
            (Submitted, Transition::Reject),
            (NeedsRevision, Transition::Reject),
            (Registered, Transition::Dissolve),
        ];
        for (from, transition) in cases {
            for reason in [None, Some(""), Some("  "), Some("\t\n")] {
                let c = TransitionContext {
                    reason,
                    ..ctx(permitted_role(transition), "2026-03-16", &cal)
                };
                assert_eq!(
                    apply(from, None, transition, &c),
                    Err(TransitionError::ReasonRequired),
                    "{from} {transition} {reason:?}"
                );
            }
        }
        // Submitting and approving need no reason.
        for (from, transition) in [
            (Draft, Transition::Submit),
            (Submitted, Transition::Approve),
        ] {
            let c = TransitionContext {
                reason: None,
                ..ctx(permitted_role(transition), "2026-03-16", &cal)
            };
            assert!(
                apply(from, None, transition, &c).is_ok(),
                "{from} {transition}"
            );
        }
    }

    #[test]
    fn deadlines_out_of_range() {
        let cal = calendar();
        let got = apply(
            RegistrationState::Draft,
            None,
            Transition::Submit,
            &TransitionContext {
                today: NaiveDate::MAX,
                ..ctx(Role::OrmasRep, "2026-03-16", &cal)
            },
        );
        assert_eq!(got, Err(TransitionError::DateOutOfRange));
    }

    #[test]
    fn messages_name_the_state_and_the_way_out() {
        let err = TransitionError::NotAllowed {
            from: RegistrationState::Submitted,
            transition: Transition::Dissolve,
            allowed: allowed_transitions(RegistrationState::Submitted).to_vec(),
        };
        assert_eq!(
            err.to_string(),
            "cannot dissolve a registration that is submitted; allowed from submitted: return, approve, reject"
        );
        let err = TransitionError::NotAllowed {
            from: RegistrationState::Lapsed,
            transition: Transition::Submit,
            allowed: vec![],
        };
        assert_eq!(
            err.to_string(),
            "cannot submit a registration that is lapsed; allowed from lapsed: none"
        );
        let err = TransitionError::MissingDocuments(vec!["statutes".into(), "npwp".into()]);
        assert_eq!(
            err.to_string(),
            "required documents are missing: statutes, npwp"
        );
    }

    #[test]
    fn overdue_verification() {
        use RegistrationState::*;
        let due = Some(d("2026-04-14"));
        let cases = [
            (Submitted, due, "2026-04-14", false),
            (Submitted, due, "2026-04-15", true),
            (Submitted, None, "2030-01-01", false),
            (NeedsRevision, due, "2026-04-15", false),
            (Registered, due, "2026-04-15", false),
        ];
        for (state, verification_due, today, expected) in cases {
            assert_eq!(
                verification_overdue(state, verification_due, d(today)),
                expected,
                "{state} {today}"
            );
        }
    }
}

/// The legal-identity fields a registration request carries (present or not).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IdentityFields {
    pub ahu_number: bool,
    pub ahu_date: bool,
    pub skt_number: bool,
    pub skt_issued_on: bool,
    pub skt_issuer: bool,
}

/// A legal-identity field that the kind requires but is missing, or forbids but is present.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentityProblem {
    Required(&'static str),
    NotApplicable(&'static str),
}

/// Badan hukum (perkumpulan, yayasan) are identified by an AHU decree; the others by an SKT.
pub fn identity_problems(kind: OrmasKind, present: IdentityFields) -> Vec<IdentityProblem> {
    let ahu = [
        ("ahu_number", present.ahu_number),
        ("ahu_date", present.ahu_date),
    ];
    let skt = [
        ("skt_number", present.skt_number),
        ("skt_issued_on", present.skt_issued_on),
        ("skt_issuer", present.skt_issuer),
    ];
    type Fields<'a> = &'a [(&'static str, bool)];
    let (needed, forbidden): (Fields, Fields) = if kind.is_badan_hukum() {
        (&ahu, &skt)
    } else {
        (&skt, &ahu)
    };
    let missing = needed
        .iter()
        .filter(|(_, here)| !here)
        .map(|(field, _)| IdentityProblem::Required(field));
    let extra = forbidden
        .iter()
        .filter(|(_, here)| *here)
        .map(|(field, _)| IdentityProblem::NotApplicable(field));
    missing.chain(extra).collect()
}

/// The key that makes an organisation one nationally: its AHU number (badan hukum) or SKT number,
/// upper-cased, whitespace removed. `None` when the number is missing.
pub fn identity_key(
    kind: OrmasKind,
    ahu_number: Option<&str>,
    skt_number: Option<&str>,
) -> Option<String> {
    let normalise = |n: &str| -> String {
        n.chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_uppercase)
            .collect()
    };
    if kind.is_badan_hukum() {
        ahu_number.map(|n| format!("ahu:{}", normalise(n)))
    } else {
        skt_number.map(|n| format!("skt:{}", normalise(n)))
    }
}

#[cfg(test)]
mod identity_tests {
    use super::*;

    #[test]
    fn identity_fields_by_kind() {
        let skt = IdentityFields {
            skt_number: true,
            skt_issued_on: true,
            skt_issuer: true,
            ..Default::default()
        };
        let ahu = IdentityFields {
            ahu_number: true,
            ahu_date: true,
            ..Default::default()
        };
        let cases: &[(OrmasKind, IdentityFields, &[IdentityProblem])] = &[
            (OrmasKind::TidakBerbadanHukum, skt, &[]),
            (OrmasKind::Perkumpulan, ahu, &[]),
            (OrmasKind::Yayasan, ahu, &[]),
            (
                OrmasKind::Yayasan,
                skt,
                &[
                    IdentityProblem::Required("ahu_number"),
                    IdentityProblem::Required("ahu_date"),
                    IdentityProblem::NotApplicable("skt_number"),
                    IdentityProblem::NotApplicable("skt_issued_on"),
                    IdentityProblem::NotApplicable("skt_issuer"),
                ],
            ),
            (
                OrmasKind::TidakBerbadanHukum,
                IdentityFields {
                    ahu_number: true,
                    skt_number: true,
                    ..Default::default()
                },
                &[
                    IdentityProblem::Required("skt_issued_on"),
                    IdentityProblem::Required("skt_issuer"),
                    IdentityProblem::NotApplicable("ahu_number"),
                ],
            ),
        ];
        for (kind, fields, expected) in cases {
            assert_eq!(
                identity_problems(*kind, *fields),
                *expected,
                "{kind} {fields:?}"
            );
        }
    }

    #[test]
    fn identity_keys_ignore_case_and_spaces() {
        assert_eq!(
            identity_key(OrmasKind::TidakBerbadanHukum, None, Some("skt 123 / 2023")),
            Some("skt:SKT123/2023".into())
        );
        assert_eq!(
            identity_key(OrmasKind::Yayasan, Some("ahu-1"), Some("x")),
            Some("ahu:AHU-1".into())
        );
        assert_eq!(identity_key(OrmasKind::Yayasan, None, Some("x")), None);
    }
}
