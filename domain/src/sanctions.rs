//! The sanction ladder of UU 16/2017 Ps 60–62 and 80A: a written warning (the regional office's
//! own, valid 7 working days), then an activity suspension, then the revocation of the SKT or the
//! badan hukum status (both decided by a ministry and recorded by the office). Serious breaches
//! may skip steps with a written justification. Also the one rule that decides whether an ormas
//! may receive services (grants, permits).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use strum::{Display, EnumString, IntoStaticStr, VariantArray};

use crate::calendar::{DateOutOfRange, HolidayCalendar, add_working_days};
use crate::codes::{Code, UnknownCode, code};
use crate::reference_lists::Label;
use crate::registration::{
    OrmasKind, RegistrationState, SanctionMove, SanctionMoveError, apply_sanction,
};

/// Working days a written warning gives the ormas to comply (UU 16/2017 Ps 62(1)).
pub const WARNING_WORKING_DAYS: i32 = 7;

/// The rungs of the ladder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(EnumString, Display, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "snake_case", parse_err_ty = UnknownCode, parse_err_fn = Self::unknown)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(as = SanctionKindName, description = "The kind of sanction.")
)]
pub enum SanctionKind {
    /// Peringatan tertulis: issued by the regional office, once per violation case.
    WrittenWarning,
    /// Penghentian sementara kegiatan: decided by the minister, recorded by the office.
    ActivitySuspension,
    /// Pencabutan of the SKT (Kemendagri) or of the badan hukum status (Kemenkumham).
    Revocation,
}

code!(SanctionKind, "sanction kind");

impl SanctionKind {
    pub fn label(self) -> Label {
        let (id, en) = match self {
            SanctionKind::WrittenWarning => ("Peringatan tertulis", "Written warning"),
            SanctionKind::ActivitySuspension => {
                ("Penghentian sementara kegiatan", "Activity suspension")
            }
            SanctionKind::Revocation => ("Pencabutan", "Revocation"),
        };
        Label {
            code: self.as_str(),
            id,
            en,
        }
    }
}

/// What a revocation takes away; the kind of ormas decides which is possible.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(EnumString, Display, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "snake_case", parse_err_ty = UnknownCode, parse_err_fn = Self::unknown)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(as = RevocationOfName, description = "What a revocation takes away.")
)]
pub enum RevocationOf {
    /// The SKT of an ormas without legal personality, by Kemendagri.
    Skt,
    /// The badan hukum status of a perkumpulan or yayasan, by Kemenkumham; dissolves the
    /// organisation (Ps 80A).
    BadanHukum,
}

code!(RevocationOf, "revocation");

impl RevocationOf {
    /// The only revocation possible for an ormas of `kind`.
    pub fn for_kind(kind: OrmasKind) -> RevocationOf {
        if kind.is_badan_hukum() {
            RevocationOf::BadanHukum
        } else {
            RevocationOf::Skt
        }
    }

    /// The ministry that decides it.
    pub fn authority(self) -> Authority {
        match self {
            RevocationOf::Skt => Authority::Kemendagri,
            RevocationOf::BadanHukum => Authority::Kemenkumham,
        }
    }
}

/// The ministry whose decision the office records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(EnumString, Display, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "snake_case", parse_err_ty = UnknownCode, parse_err_fn = Self::unknown)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(as = AuthorityName, description = "The ministry that decided.")
)]
pub enum Authority {
    /// Kementerian Dalam Negeri (ormas with an SKT).
    Kemendagri,
    /// Kementerian Hukum (badan hukum).
    Kemenkumham,
}

code!(Authority, "authority");

/// Where a sanction stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(EnumString, Display, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "snake_case", parse_err_ty = UnknownCode, parse_err_fn = Self::unknown)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(as = SanctionStateName, description = "Where a sanction stands.")
)]
pub enum SanctionState {
    /// A warning still running or awaiting its compliance record; a suspension in its period;
    /// a revocation (which stays).
    InForce,
    /// The warning was complied with.
    Complied,
    /// The warning was not complied with by its deadline: the next rung is open.
    NotComplied,
    /// The suspension was lifted by decree.
    Lifted,
    /// The suspension's period has ended (derived from its last day, never stored).
    Ended,
}

code!(SanctionState, "sanction state");

/// What the office records about a sanction's effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(EnumString, Display, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "snake_case", parse_err_ty = UnknownCode, parse_err_fn = Self::unknown)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(as = ComplianceName, description = "Whether a sanction was complied with.")
)]
pub enum Compliance {
    Complied,
    NotComplied,
}

code!(Compliance, "compliance");

/// The last day a warning dated `dated` may be complied with: 7 working days on.
pub fn warning_deadline(
    dated: NaiveDate,
    calendar: &HolidayCalendar,
) -> Result<NaiveDate, DateOutOfRange> {
    add_working_days(dated, WARNING_WORKING_DAYS, calendar)
}

/// The state as of `today`: a suspension in force reads `ended` the day after its last day.
pub fn effective_sanction_state(
    kind: SanctionKind,
    stored: SanctionState,
    period_end: Option<NaiveDate>,
    today: NaiveDate,
) -> SanctionState {
    match (kind, stored, period_end) {
        (SanctionKind::ActivitySuspension, SanctionState::InForce, Some(last)) if last < today => {
            SanctionState::Ended
        }
        _ => stored,
    }
}

/// An earlier sanction of the same registration, as the ladder sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PriorSanction<'a> {
    pub kind: SanctionKind,
    pub case_id: Option<&'a str>,
    pub compliance: Option<Compliance>,
}

/// A sanction about to be recorded.
#[derive(Debug, Clone, Copy)]
pub struct NewSanction<'a> {
    pub kind: SanctionKind,
    /// The violation case it follows from, when there is one.
    pub case_id: Option<&'a str>,
    /// Skips the ladder (the ministry's practice for serious breaches); needs a justification.
    pub serious: bool,
    pub justification: Option<&'a str>,
    /// Required for a revocation; must fit the kind of ormas.
    pub revocation_of: Option<RevocationOf>,
    pub ormas_kind: OrmasKind,
    /// The registration's effective state.
    pub registration_state: RegistrationState,
}

/// Why a sanction, its compliance record or its lifting is refused. [`SanctionError::is_input`]
/// tells a bad request (422) from a refused move (409).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SanctionError {
    #[error(
        "a written warning was already issued in case {case_id}: one warning per violation case (UU 16/2017 Ps 62(1))"
    )]
    WarningAlreadyIssued { case_id: String },
    #[error(
        "an activity suspension needs an earlier written warning of this ormas that was not complied with, unless flagged serious with a justification (UU 16/2017 Ps 62(2))"
    )]
    NoUncompliedWarning,
    #[error(
        "a revocation needs an earlier activity suspension of this ormas that was not complied with, unless flagged serious with a justification (UU 16/2017 Ps 62(3))"
    )]
    NoUncompliedSuspension,
    #[error("a serious sanction that skips the ladder needs a written justification")]
    JustificationRequired,
    #[error("a revocation must say what it revokes: skt or badan_hukum")]
    RevocationOfRequired,
    #[error("a {ormas_kind} ormas has no {revocation_of} to revoke; it can only be {expected}")]
    RevocationNotApplicable {
        revocation_of: RevocationOf,
        ormas_kind: OrmasKind,
        expected: RevocationOf,
    },
    #[error("a written warning needs a registered ormas; this one is {0}")]
    WarningNotApplicable(RegistrationState),
    #[error("{0}")]
    Lifecycle(#[from] SanctionMoveError),
    #[error("compliance was already recorded for this sanction")]
    ComplianceAlreadyRecorded,
    #[error(
        "not_complied can be recorded only after the warning's deadline {deadline}; complied can be recorded at any time"
    )]
    ComplianceBeforeDeadline { deadline: NaiveDate },
    #[error("compliance is recorded for warnings and suspensions, not for a {0}")]
    ComplianceNotApplicable(SanctionKind),
    #[error("compliance cannot be recorded for a sanction that is {0}")]
    ComplianceNotInForce(SanctionState),
    #[error("only an activity suspension in force can be lifted; this {kind} is {state}")]
    NotLiftable {
        kind: SanctionKind,
        state: SanctionState,
    },
    #[error("only a written warning can be answered")]
    NotAnswerable,
}

impl SanctionError {
    /// Whether the request itself is wrong (422) rather than refused by the ladder (409).
    pub fn is_input(&self) -> bool {
        matches!(
            self,
            SanctionError::JustificationRequired
                | SanctionError::RevocationOfRequired
                | SanctionError::RevocationNotApplicable { .. }
        )
    }

    /// The request field a 422 is about.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            SanctionError::JustificationRequired => Some("justification"),
            SanctionError::RevocationOfRequired | SanctionError::RevocationNotApplicable { .. } => {
                Some("revocation_of")
            }
            _ => None,
        }
    }
}

/// Checks a new sanction against the ladder and the lifecycle. Returns the move it makes on the
/// registration (`None` for a warning, which changes no state).
pub fn check_new_sanction(
    new: &NewSanction,
    prior: &[PriorSanction],
) -> Result<Option<SanctionMove>, SanctionError> {
    let justified = new.justification.is_some_and(|j| !j.trim().is_empty());
    if new.serious && !justified {
        return Err(SanctionError::JustificationRequired);
    }
    let skip_ladder = new.serious && justified;
    let not_complied = |kind: SanctionKind| {
        prior
            .iter()
            .any(|p| p.kind == kind && p.compliance == Some(Compliance::NotComplied))
    };
    match new.kind {
        SanctionKind::WrittenWarning => {
            if let Some(case_id) = new.case_id
                && prior
                    .iter()
                    .any(|p| p.kind == SanctionKind::WrittenWarning && p.case_id == Some(case_id))
            {
                return Err(SanctionError::WarningAlreadyIssued {
                    case_id: case_id.to_owned(),
                });
            }
            if !matches!(
                new.registration_state,
                RegistrationState::Registered | RegistrationState::Suspended
            ) {
                return Err(SanctionError::WarningNotApplicable(new.registration_state));
            }
            Ok(None)
        }
        SanctionKind::ActivitySuspension => {
            apply_sanction(new.registration_state, SanctionMove::Suspend)?;
            if !skip_ladder && !not_complied(SanctionKind::WrittenWarning) {
                return Err(SanctionError::NoUncompliedWarning);
            }
            Ok(Some(SanctionMove::Suspend))
        }
        SanctionKind::Revocation => {
            let revocation_of = new
                .revocation_of
                .ok_or(SanctionError::RevocationOfRequired)?;
            let expected = RevocationOf::for_kind(new.ormas_kind);
            if revocation_of != expected {
                return Err(SanctionError::RevocationNotApplicable {
                    revocation_of,
                    ormas_kind: new.ormas_kind,
                    expected,
                });
            }
            apply_sanction(new.registration_state, SanctionMove::Revoke)?;
            if !skip_ladder && !not_complied(SanctionKind::ActivitySuspension) {
                return Err(SanctionError::NoUncompliedSuspension);
            }
            Ok(Some(SanctionMove::Revoke))
        }
    }
}

/// Whether revoking this sanction's target dissolves the organisation in every region (Ps 80A).
pub fn dissolves_organisation(kind: SanctionKind, revocation_of: Option<RevocationOf>) -> bool {
    kind == SanctionKind::Revocation && revocation_of == Some(RevocationOf::BadanHukum)
}

/// Checks a compliance record on a sanction whose effective state is `state`; returns the state
/// to store (a suspension keeps its state: it stays in force until lifted or ended).
pub fn check_compliance(
    kind: SanctionKind,
    state: SanctionState,
    already: Option<Compliance>,
    deadline: Option<NaiveDate>,
    recorded: Compliance,
    today: NaiveDate,
) -> Result<SanctionState, SanctionError> {
    if kind == SanctionKind::Revocation {
        return Err(SanctionError::ComplianceNotApplicable(kind));
    }
    if already.is_some() {
        return Err(SanctionError::ComplianceAlreadyRecorded);
    }
    match kind {
        SanctionKind::WrittenWarning => {
            if state != SanctionState::InForce {
                return Err(SanctionError::ComplianceNotInForce(state));
            }
            if recorded == Compliance::NotComplied
                && let Some(deadline) = deadline
                && today <= deadline
            {
                return Err(SanctionError::ComplianceBeforeDeadline { deadline });
            }
            Ok(match recorded {
                Compliance::Complied => SanctionState::Complied,
                Compliance::NotComplied => SanctionState::NotComplied,
            })
        }
        _ => {
            if !matches!(state, SanctionState::InForce | SanctionState::Ended) {
                return Err(SanctionError::ComplianceNotInForce(state));
            }
            Ok(state)
        }
    }
}

/// Checks lifting a sanction whose effective state is `state`.
pub fn check_lift(kind: SanctionKind, state: SanctionState) -> Result<(), SanctionError> {
    if kind == SanctionKind::ActivitySuspension && state == SanctionState::InForce {
        Ok(())
    } else {
        Err(SanctionError::NotLiftable { kind, state })
    }
}

/// Checks answering a sanction (the representative's statement): warnings only.
pub fn check_answer(kind: SanctionKind) -> Result<(), SanctionError> {
    if kind == SanctionKind::WrittenWarning {
        Ok(())
    } else {
        Err(SanctionError::NotAnswerable)
    }
}

/// Why an ormas may not receive services (grants, permits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(EnumString, Display, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "snake_case", parse_err_ty = UnknownCode, parse_err_fn = Self::unknown)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(as = IneligibilityName, description = "Why an ormas may not receive services.")
)]
pub enum Ineligibility {
    /// Not registered in the region (draft, pending, returned, rejected, lapsed).
    NotRegistered,
    /// Its activities are suspended.
    Suspended,
    /// Its SKT or badan hukum status was revoked.
    Revoked,
    /// It dissolved itself, was found gone, or its organisation was dissolved.
    Dissolved,
    /// Without legal personality and its SKT has expired (or its expiry is unknown).
    SktExpired,
}

code!(Ineligibility, "ineligibility");

/// What eligibility is decided on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EligibilityInput {
    /// The effective registration state (see `registration::effective_state`).
    pub state: RegistrationState,
    pub kind: OrmasKind,
    /// The SKT's last valid day; only meaningful for `tidak_berbadan_hukum`.
    pub skt_expires_on: Option<NaiveDate>,
    /// Whether the organisation was dissolved (its badan hukum revoked, Ps 80A).
    pub organisation_dissolved: bool,
}

/// Whether an ormas may receive services on `today`: registered, not suspended or revoked, its
/// organisation not dissolved, and its legal basis valid (an SKT not expired). The one rule the
/// grants and permits call; every reason that applies is given, in a fixed order.
pub fn eligible_for_services(
    input: &EligibilityInput,
    today: NaiveDate,
) -> Result<(), Vec<Ineligibility>> {
    let mut unmet = Vec::new();
    match input.state {
        RegistrationState::Registered => {}
        RegistrationState::Suspended => unmet.push(Ineligibility::Suspended),
        RegistrationState::Revoked => unmet.push(Ineligibility::Revoked),
        RegistrationState::Dissolved => unmet.push(Ineligibility::Dissolved),
        RegistrationState::Draft
        | RegistrationState::Submitted
        | RegistrationState::NeedsRevision
        | RegistrationState::Rejected
        | RegistrationState::Lapsed => unmet.push(Ineligibility::NotRegistered),
    }
    if input.organisation_dissolved && !unmet.contains(&Ineligibility::Dissolved) {
        unmet.push(Ineligibility::Dissolved);
    }
    if !input.kind.is_badan_hukum() && input.skt_expires_on.is_none_or(|last| last < today) {
        unmet.push(Ineligibility::SktExpired);
    }
    if unmet.is_empty() { Ok(()) } else { Err(unmet) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RegistrationState::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    // The 2026 days off of March–April: Nyepi, Idul Fitri and their cuti bersama.
    use crate::registration::tests::calendar;

    #[test]
    fn enums_round_trip() {
        for &k in SanctionKind::ALL {
            assert_eq!(k.as_str().parse::<SanctionKind>().unwrap(), k);
            assert_eq!(k.label().code, k.as_str());
        }
        for &s in SanctionState::ALL {
            assert_eq!(s.as_str().parse::<SanctionState>().unwrap(), s);
        }
        for &r in RevocationOf::ALL {
            assert_eq!(r.as_str().parse::<RevocationOf>().unwrap(), r);
        }
        for &i in Ineligibility::ALL {
            assert_eq!(i.as_str().parse::<Ineligibility>().unwrap(), i);
        }
        assert_eq!(
            SanctionKind::codes(),
            ["written_warning", "activity_suspension", "revocation"]
        );
        assert!("warning".parse::<SanctionKind>().is_err());
    }

    #[test]
    fn a_warning_of_friday_13_march_2026_ends_on_31_march() {
        // 16, 17 March; 18–24 off (cuti bersama, Nyepi, Idul Fitri, weekend); 25, 26, 27, 30, 31.
        assert_eq!(
            warning_deadline(d("2026-03-13"), &calendar()),
            Ok(d("2026-03-31"))
        );
        assert_eq!(
            warning_deadline(d("2026-03-02"), &calendar()),
            Ok(d("2026-03-11"))
        );
        assert_eq!(
            warning_deadline(NaiveDate::MAX, &calendar()),
            Err(DateOutOfRange)
        );
    }

    #[test]
    fn revocations_fit_the_kind() {
        assert_eq!(
            RevocationOf::for_kind(OrmasKind::TidakBerbadanHukum),
            RevocationOf::Skt
        );
        assert_eq!(
            RevocationOf::for_kind(OrmasKind::Yayasan),
            RevocationOf::BadanHukum
        );
        assert_eq!(
            RevocationOf::for_kind(OrmasKind::Perkumpulan),
            RevocationOf::BadanHukum
        );
        assert_eq!(RevocationOf::Skt.authority(), Authority::Kemendagri);
        assert_eq!(RevocationOf::BadanHukum.authority(), Authority::Kemenkumham);
        assert!(dissolves_organisation(
            SanctionKind::Revocation,
            Some(RevocationOf::BadanHukum)
        ));
        assert!(!dissolves_organisation(
            SanctionKind::Revocation,
            Some(RevocationOf::Skt)
        ));
        assert!(!dissolves_organisation(
            SanctionKind::ActivitySuspension,
            None
        ));
    }

    fn new(kind: SanctionKind) -> NewSanction<'static> {
        NewSanction {
            kind,
            case_id: Some("case-1"),
            serious: false,
            justification: None,
            revocation_of: (kind == SanctionKind::Revocation).then_some(RevocationOf::BadanHukum),
            ormas_kind: OrmasKind::Yayasan,
            registration_state: Registered,
        }
    }

    const fn prior(kind: SanctionKind, compliance: Option<Compliance>) -> PriorSanction<'static> {
        PriorSanction {
            kind,
            case_id: Some("case-1"),
            compliance,
        }
    }

    /// The ladder, table-tested: each new sanction against the history before it.
    #[test]
    fn the_ladder() {
        use Compliance::*;
        use SanctionKind::*;
        let warned = prior(WrittenWarning, None);
        let warned_other_case = PriorSanction {
            case_id: Some("case-2"),
            ..warned
        };
        let warning_complied = prior(WrittenWarning, Some(Complied));
        let warning_ignored = prior(WrittenWarning, Some(NotComplied));
        let suspension_complied = prior(ActivitySuspension, Some(Complied));
        let suspension_ignored = prior(ActivitySuspension, Some(NotComplied));
        let serious = |kind| NewSanction {
            serious: true,
            justification: Some("violence at a public rally, police report attached"),
            ..new(kind)
        };
        let no_case = NewSanction {
            case_id: None,
            ..new(WrittenWarning)
        };
        type Case<'a> = (
            &'a str,
            NewSanction<'a>,
            Vec<PriorSanction<'a>>,
            Result<Option<SanctionMove>, SanctionError>,
        );
        let cases: Vec<Case> = vec![
            ("first warning", new(WrittenWarning), vec![], Ok(None)),
            (
                "warning in another case",
                new(WrittenWarning),
                vec![warned_other_case],
                Ok(None),
            ),
            (
                "second warning in the same case",
                new(WrittenWarning),
                vec![warned],
                Err(SanctionError::WarningAlreadyIssued {
                    case_id: "case-1".into(),
                }),
            ),
            (
                "second warning in the same case, even complied",
                new(WrittenWarning),
                vec![warning_complied],
                Err(SanctionError::WarningAlreadyIssued {
                    case_id: "case-1".into(),
                }),
            ),
            ("warning without a case", no_case, vec![warned], Ok(None)),
            (
                "warning to a draft",
                NewSanction {
                    registration_state: Draft,
                    ..new(WrittenWarning)
                },
                vec![],
                Err(SanctionError::WarningNotApplicable(Draft)),
            ),
            (
                "warning to a suspended ormas",
                NewSanction {
                    registration_state: Suspended,
                    ..new(WrittenWarning)
                },
                vec![],
                Ok(None),
            ),
            (
                "suspension without a warning",
                new(ActivitySuspension),
                vec![],
                Err(SanctionError::NoUncompliedWarning),
            ),
            (
                "suspension after a running warning",
                new(ActivitySuspension),
                vec![warned],
                Err(SanctionError::NoUncompliedWarning),
            ),
            (
                "suspension after a complied warning",
                new(ActivitySuspension),
                vec![warning_complied],
                Err(SanctionError::NoUncompliedWarning),
            ),
            (
                "suspension after an ignored warning",
                new(ActivitySuspension),
                vec![warning_ignored],
                Ok(Some(SanctionMove::Suspend)),
            ),
            (
                "serious suspension without a warning",
                serious(ActivitySuspension),
                vec![],
                Ok(Some(SanctionMove::Suspend)),
            ),
            (
                "serious without a justification",
                NewSanction {
                    serious: true,
                    justification: Some("  "),
                    ..new(ActivitySuspension)
                },
                vec![],
                Err(SanctionError::JustificationRequired),
            ),
            (
                "suspension of a suspended ormas",
                NewSanction {
                    registration_state: Suspended,
                    ..new(ActivitySuspension)
                },
                vec![warning_ignored],
                Err(SanctionError::Lifecycle(SanctionMoveError {
                    from: Suspended,
                    step: SanctionMove::Suspend,
                })),
            ),
            (
                "revocation without a suspension",
                new(Revocation),
                vec![warning_ignored],
                Err(SanctionError::NoUncompliedSuspension),
            ),
            (
                "revocation after a complied suspension",
                new(Revocation),
                vec![warning_ignored, suspension_complied],
                Err(SanctionError::NoUncompliedSuspension),
            ),
            (
                "revocation after an ignored suspension",
                NewSanction {
                    registration_state: Suspended,
                    ..new(Revocation)
                },
                vec![warning_ignored, suspension_ignored],
                Ok(Some(SanctionMove::Revoke)),
            ),
            (
                "serious revocation",
                serious(Revocation),
                vec![],
                Ok(Some(SanctionMove::Revoke)),
            ),
            (
                "revocation without saying what",
                NewSanction {
                    revocation_of: None,
                    ..serious(Revocation)
                },
                vec![],
                Err(SanctionError::RevocationOfRequired),
            ),
            (
                "revoking the skt of a yayasan",
                NewSanction {
                    revocation_of: Some(RevocationOf::Skt),
                    ..serious(Revocation)
                },
                vec![],
                Err(SanctionError::RevocationNotApplicable {
                    revocation_of: RevocationOf::Skt,
                    ormas_kind: OrmasKind::Yayasan,
                    expected: RevocationOf::BadanHukum,
                }),
            ),
            (
                "revoking the skt of an ormas without legal personality",
                NewSanction {
                    revocation_of: Some(RevocationOf::Skt),
                    ormas_kind: OrmasKind::TidakBerbadanHukum,
                    ..serious(Revocation)
                },
                vec![],
                Ok(Some(SanctionMove::Revoke)),
            ),
            (
                "revoking a revoked ormas",
                NewSanction {
                    registration_state: Revoked,
                    ..serious(Revocation)
                },
                vec![],
                Err(SanctionError::Lifecycle(SanctionMoveError {
                    from: Revoked,
                    step: SanctionMove::Revoke,
                })),
            ),
        ];
        for (name, sanction, history, expected) in cases {
            let got = check_new_sanction(&sanction, &history);
            assert_eq!(got, expected, "{name}");
            if let Err(e) = got {
                assert_eq!(
                    e.is_input(),
                    e.field().is_some(),
                    "{name}: a 422 names its field"
                );
            }
        }
    }

    #[test]
    fn compliance_rules() {
        use Compliance::{Complied as Yes, NotComplied as No};
        use SanctionKind::*;
        use SanctionState::*;
        let deadline = Some(d("2026-03-31"));
        let cases = [
            (
                WrittenWarning,
                InForce,
                None,
                Yes,
                "2026-03-16",
                Ok(SanctionState::Complied),
            ),
            (
                WrittenWarning,
                InForce,
                None,
                No,
                "2026-03-31",
                Err(SanctionError::ComplianceBeforeDeadline {
                    deadline: d("2026-03-31"),
                }),
            ),
            (
                WrittenWarning,
                InForce,
                None,
                No,
                "2026-04-01",
                Ok(SanctionState::NotComplied),
            ),
            (
                WrittenWarning,
                SanctionState::Complied,
                Some(Compliance::Complied),
                No,
                "2026-04-01",
                Err(SanctionError::ComplianceAlreadyRecorded),
            ),
            (
                ActivitySuspension,
                InForce,
                None,
                No,
                "2026-03-16",
                Ok(InForce),
            ),
            (
                ActivitySuspension,
                Ended,
                None,
                Yes,
                "2026-03-16",
                Ok(Ended),
            ),
            (
                ActivitySuspension,
                Lifted,
                None,
                Yes,
                "2026-03-16",
                Err(SanctionError::ComplianceNotInForce(Lifted)),
            ),
            (
                Revocation,
                InForce,
                None,
                Yes,
                "2026-03-16",
                Err(SanctionError::ComplianceNotApplicable(Revocation)),
            ),
        ];
        for (kind, state, already, recorded, today, expected) in cases {
            assert_eq!(
                check_compliance(kind, state, already, deadline, recorded, d(today)),
                expected,
                "{kind} {state} {recorded} {today}"
            );
        }
    }

    #[test]
    fn lifting_and_answering() {
        use SanctionKind::*;
        for &kind in SanctionKind::ALL {
            for &state in SanctionState::ALL {
                let expected = kind == ActivitySuspension && state == SanctionState::InForce;
                assert_eq!(check_lift(kind, state).is_ok(), expected, "{kind} {state}");
            }
            assert_eq!(check_answer(kind).is_ok(), kind == WrittenWarning, "{kind}");
        }
    }

    #[test]
    fn suspensions_end_after_their_period() {
        use SanctionKind::*;
        use SanctionState::*;
        let end = Some(d("2026-06-30"));
        let cases = [
            (ActivitySuspension, InForce, end, "2026-06-30", InForce),
            (ActivitySuspension, InForce, end, "2026-07-01", Ended),
            (ActivitySuspension, InForce, None, "2030-01-01", InForce),
            (ActivitySuspension, Lifted, end, "2026-07-01", Lifted),
            (WrittenWarning, InForce, end, "2026-07-01", InForce),
            (Revocation, InForce, end, "2026-07-01", InForce),
        ];
        for (kind, stored, period_end, today, expected) in cases {
            assert_eq!(
                effective_sanction_state(kind, stored, period_end, d(today)),
                expected,
                "{kind} {stored} {today}"
            );
        }
    }

    #[test]
    fn eligibility_for_services() {
        use Ineligibility as I;
        let today = d("2026-11-22");
        let base = EligibilityInput {
            state: Registered,
            kind: OrmasKind::Perkumpulan,
            skt_expires_on: None,
            organisation_dissolved: false,
        };
        let tbh = |state, skt: Option<&str>| EligibilityInput {
            state,
            kind: OrmasKind::TidakBerbadanHukum,
            skt_expires_on: skt.map(d),
            organisation_dissolved: false,
        };
        type Case<'a> = (&'a str, EligibilityInput, Result<(), Vec<Ineligibility>>);
        let cases: Vec<Case> = vec![
            ("registered badan hukum", base, Ok(())),
            (
                "registered, skt valid",
                tbh(Registered, Some("2026-11-22")),
                Ok(()),
            ),
            (
                "skt expired",
                tbh(Registered, Some("2026-11-21")),
                Err(vec![I::SktExpired]),
            ),
            (
                "skt unknown",
                tbh(Registered, None),
                Err(vec![I::SktExpired]),
            ),
            (
                "suspended",
                EligibilityInput {
                    state: Suspended,
                    ..base
                },
                Err(vec![I::Suspended]),
            ),
            (
                "suspended, skt expired",
                tbh(Suspended, Some("2020-01-01")),
                Err(vec![I::Suspended, I::SktExpired]),
            ),
            (
                "revoked",
                EligibilityInput {
                    state: Revoked,
                    ..base
                },
                Err(vec![I::Revoked]),
            ),
            (
                "revoked with its organisation dissolved",
                EligibilityInput {
                    state: Revoked,
                    organisation_dissolved: true,
                    ..base
                },
                Err(vec![I::Revoked, I::Dissolved]),
            ),
            (
                "dissolved",
                EligibilityInput {
                    state: Dissolved,
                    ..base
                },
                Err(vec![I::Dissolved]),
            ),
            (
                "dissolved, organisation too",
                EligibilityInput {
                    state: Dissolved,
                    organisation_dissolved: true,
                    ..base
                },
                Err(vec![I::Dissolved]),
            ),
        ];
        let mut cases = cases;
        for state in [Draft, Submitted, NeedsRevision, Rejected, Lapsed] {
            cases.push((
                "not registered",
                EligibilityInput { state, ..base },
                Err(vec![I::NotRegistered]),
            ));
        }
        for (name, input, expected) in cases {
            assert_eq!(
                eligible_for_services(&input, today),
                expected,
                "{name} {:?}",
                input.state
            );
        }
    }
}
