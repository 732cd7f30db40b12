//! Grant proposals (usulan hibah) of Permendagri 32/2011 as amended by 13/2018 and 123/2018: who
//! may ask (one eligibility rule naming every unmet condition), the budget (RAB) that must add up,
//! the lifecycle from draft to the accepted accountability report (LPJ), and the LPJ's due date,
//! whose passing is derived (`lpj_overdue`), never stored.

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use strum::{Display, EnumString, IntoStaticStr, VariantArray};

use crate::access::{Action, Role, allows};
use crate::codes::{Code, UnknownCode, code};
use crate::registration::OrmasKind;
use crate::services::ServiceRefusal;

/// Document types of a grant, uploaded to the ormas's document store.
pub const GRANT_PROPOSAL_LETTER: &str = "grant_proposal_letter";
/// The budget (Rencana Anggaran Biaya) as signed.
pub const GRANT_BUDGET: &str = "grant_budget";
/// The accountability report (LPJ) with its receipts.
pub const GRANT_LPJ: &str = "grant_lpj";
/// The SK kepengurusan, the same type as the registration's.
pub const BOARD_DECREE: &str = "board_decree";

/// The documents a proposal needs to be submitted, in order.
pub const PROPOSAL_DOCUMENTS: &[&str] = &[GRANT_PROPOSAL_LETTER, GRANT_BUDGET, BOARD_DECREE];

/// Whether `doc_type` is one a registered ormas uploads for its grants.
pub fn is_grant_document(doc_type: &str) -> bool {
    matches!(doc_type, GRANT_PROPOSAL_LETTER | GRANT_BUDGET | GRANT_LPJ)
}

/// The codes in [`PROPOSAL_DOCUMENTS`] absent from `present`, in order.
pub fn missing_proposal_documents<'a>(
    present: impl IntoIterator<Item = &'a str> + Clone,
) -> Vec<&'static str> {
    PROPOSAL_DOCUMENTS
        .iter()
        .copied()
        .filter(|needed| !present.clone().into_iter().any(|p| p == *needed))
        .collect()
}

/// The region's grant settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GrantPolicy {
    /// Years as a legal entity a proposer needs (0: none, as Permendagri 13/2018; 32/2011 asked 3).
    pub min_legal_entity_years: u32,
    /// `(month, day)` of the year after the fiscal year by which the LPJ is due.
    pub lpj_due: (u32, u32),
}

impl Default for GrantPolicy {
    fn default() -> Self {
        GrantPolicy {
            min_legal_entity_years: 0,
            lpj_due: (1, 10),
        }
    }
}

/// Parses `MM-DD` (a day that exists in a leap year).
pub fn parse_month_day(text: &str) -> Option<(u32, u32)> {
    let (m, d) = text.trim().split_once('-')?;
    if m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (m, d) = (m.parse().ok()?, d.parse().ok()?);
    NaiveDate::from_ymd_opt(2028, m, d).map(|_| (m, d))
}

/// Where a grant proposal stands, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(EnumString, Display, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "snake_case", parse_err_ty = UnknownCode, parse_err_fn = Self::unknown)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(as = GrantStateName, description = "Where a grant proposal stands, as stored.")
)]
pub enum GrantState {
    /// Being written by the ormas (or an officer on its behalf).
    Draft,
    /// With the office's verification team.
    Submitted,
    /// Sent back to the ormas to correct and submit again.
    Returned,
    /// Recommended by the verification team (an amount, notes, the team).
    Verified,
    /// Approved by the regional head's decree.
    Approved,
    /// Refused by the regional head.
    Rejected,
    /// The grant agreement (NPHD) is signed.
    AgreementSigned,
    /// The money has been transferred; the LPJ is due.
    Disbursed,
    /// The LPJ is filed and waits for the office's acceptance.
    AccountabilitySubmitted,
    /// The LPJ is accepted: the grant is closed.
    Accounted,
}

code!(GrantState, "grant state");

impl GrantState {
    /// Still running: neither rejected nor closed by an accepted LPJ.
    pub fn is_open(self) -> bool {
        !matches!(self, GrantState::Rejected | GrantState::Accounted)
    }

    /// Money was paid and the LPJ is not accepted yet.
    pub fn awaits_accountability(self) -> bool {
        matches!(
            self,
            GrantState::Disbursed | GrantState::AccountabilitySubmitted
        )
    }
}

/// Where a proposal stands as read on a day: its stored state, or `lpj_overdue` when the money was
/// paid and the LPJ is not accepted after its due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(EnumString, Display, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "snake_case", parse_err_ty = UnknownCode, parse_err_fn = Self::unknown)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(as = GrantStatusName, description = "Where a grant proposal stands today: its stored state, or `lpj_overdue` (derived) once the LPJ's due date has passed without an accepted LPJ.")
)]
pub enum GrantStatus {
    Draft,
    Submitted,
    Returned,
    Verified,
    Approved,
    Rejected,
    AgreementSigned,
    Disbursed,
    AccountabilitySubmitted,
    Accounted,
    /// Derived: disbursed, and the LPJ not accepted by its due date.
    LpjOverdue,
}

code!(GrantStatus, "grant status");

impl From<GrantState> for GrantStatus {
    fn from(state: GrantState) -> Self {
        match state {
            GrantState::Draft => GrantStatus::Draft,
            GrantState::Submitted => GrantStatus::Submitted,
            GrantState::Returned => GrantStatus::Returned,
            GrantState::Verified => GrantStatus::Verified,
            GrantState::Approved => GrantStatus::Approved,
            GrantState::Rejected => GrantStatus::Rejected,
            GrantState::AgreementSigned => GrantStatus::AgreementSigned,
            GrantState::Disbursed => GrantStatus::Disbursed,
            GrantState::AccountabilitySubmitted => GrantStatus::AccountabilitySubmitted,
            GrantState::Accounted => GrantStatus::Accounted,
        }
    }
}

/// A step of a grant proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(EnumString, Display, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "snake_case", parse_err_ty = UnknownCode, parse_err_fn = Self::unknown)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(as = GrantStepName, description = "A step of a grant proposal.")
)]
pub enum GrantStep {
    /// The ormas sends a draft or returned proposal to the office.
    Submit,
    /// The verification team recommends an amount.
    Verify,
    /// The verification team sends it back for correction.
    Return,
    /// The regional head approves it by decree.
    Approve,
    /// The regional head refuses it.
    Reject,
    /// The grant agreement (NPHD) is signed.
    Agreement,
    /// The money is transferred.
    Disbursement,
    /// The ormas files (or corrects) its LPJ.
    Accountability,
    /// The office accepts the LPJ.
    AcceptAccountability,
}

code!(GrantStep, "grant step");

impl GrantStep {
    /// The action of the permission matrix this step needs.
    pub fn action(self) -> Action {
        match self {
            GrantStep::Submit | GrantStep::Accountability => Action::WriteGrantProposal,
            GrantStep::Verify | GrantStep::Return => Action::VerifyGrantProposal,
            GrantStep::Approve | GrantStep::Reject | GrantStep::Agreement => {
                Action::DecideGrantProposal
            }
            GrantStep::Disbursement | GrantStep::AcceptAccountability => Action::AdministerGrant,
        }
    }
}

/// The steps a stored state allows, for any role.
pub fn allowed_grant_steps(state: GrantState) -> &'static [GrantStep] {
    match state {
        GrantState::Draft | GrantState::Returned => &[GrantStep::Submit],
        GrantState::Submitted => &[GrantStep::Verify, GrantStep::Return],
        GrantState::Verified => &[GrantStep::Approve, GrantStep::Reject],
        GrantState::Approved => &[GrantStep::Agreement],
        GrantState::AgreementSigned => &[GrantStep::Disbursement],
        GrantState::Disbursed => &[GrantStep::Accountability],
        GrantState::AccountabilitySubmitted => {
            &[GrantStep::Accountability, GrantStep::AcceptAccountability]
        }
        GrantState::Rejected | GrantState::Accounted => &[],
    }
}

/// Why a step is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GrantError {
    #[error("cannot {step} a grant proposal in state {from}")]
    NotAllowed { from: GrantState, step: GrantStep },
    #[error("role {role} may not {step} a grant proposal")]
    RoleNotPermitted { role: Role, step: GrantStep },
}

/// The state a step leads to from `from`, for `role`.
pub fn apply_grant(
    from: GrantState,
    step: GrantStep,
    role: Role,
) -> Result<GrantState, GrantError> {
    if !allowed_grant_steps(from).contains(&step) {
        return Err(GrantError::NotAllowed { from, step });
    }
    if !allows(role, step.action()) {
        return Err(GrantError::RoleNotPermitted { role, step });
    }
    Ok(match step {
        GrantStep::Submit => GrantState::Submitted,
        GrantStep::Verify => GrantState::Verified,
        GrantStep::Return => GrantState::Returned,
        GrantStep::Approve => GrantState::Approved,
        GrantStep::Reject => GrantState::Rejected,
        GrantStep::Agreement => GrantState::AgreementSigned,
        GrantStep::Disbursement => GrantState::Disbursed,
        GrantStep::Accountability => GrantState::AccountabilitySubmitted,
        GrantStep::AcceptAccountability => GrantState::Accounted,
    })
}

/// The day the LPJ is due: `(month, day)` of the year after the fiscal year (10 January by default);
/// a day that year lacks (29 February) falls back to the month's last day.
pub fn lpj_due_on(fiscal_year: i32, (month, day): (u32, u32)) -> NaiveDate {
    let year = fiscal_year + 1;
    NaiveDate::from_ymd_opt(year, month, day)
        .or_else(|| {
            NaiveDate::from_ymd_opt(year, month, 1)
                .and_then(|first| first.checked_add_months(Months::new(1)))
                .and_then(|next| next.pred_opt())
        })
        .unwrap_or(NaiveDate::MAX)
}

/// Whether a proposal's LPJ is overdue on `today`: the money was paid, the LPJ is not accepted,
/// and its due date has passed.
pub fn is_lpj_overdue(state: GrantState, due_on: NaiveDate, today: NaiveDate) -> bool {
    state.awaits_accountability() && today > due_on
}

/// A proposal's status on `today` (its state, or `lpj_overdue`).
pub fn grant_status(state: GrantState, due_on: NaiveDate, today: NaiveDate) -> GrantStatus {
    if is_lpj_overdue(state, due_on, today) {
        GrantStatus::LpjOverdue
    } else {
        state.into()
    }
}

/// One budget line (RAB): quantity × unit price, in whole rupiah.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BudgetLine {
    pub quantity: i64,
    pub unit_price: i64,
}

impl BudgetLine {
    /// `None` when it overflows.
    pub fn total(self) -> Option<i64> {
        self.quantity.checked_mul(self.unit_price)
    }
}

/// The sum of a budget, `None` when it overflows.
pub fn budget_total(lines: &[BudgetLine]) -> Option<i64> {
    lines
        .iter()
        .try_fold(0_i64, |sum, line| sum.checked_add(line.total()?))
}

/// An earlier (or other) proposal of the same ormas, as eligibility needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OtherGrant {
    pub fiscal_year: i32,
    pub state: GrantState,
    pub lpj_due_on: NaiveDate,
}

/// Everything the grant conditions read, besides the base conditions of every service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantEligibilityInput {
    /// The base conditions already unmet (`services::service_refusals`).
    pub base: Vec<ServiceRefusal>,
    pub kind: OrmasKind,
    /// The AHU decree number on record, if any.
    pub ahu_number: Option<String>,
    /// The AHU decree's date: when it became a legal entity.
    pub ahu_date: Option<NaiveDate>,
    /// The region where the ormas is registered, and the region of the office asked.
    pub registered_in: String,
    pub office_region: String,
    /// The board positions held on the registration.
    pub board_positions: Vec<String>,
    /// The document types on file with the registration.
    pub document_types: Vec<String>,
    /// The minimum number of years as a legal entity (0: none).
    pub min_legal_entity_years: u32,
    /// The ormas's other proposals (not the one being judged).
    pub others: Vec<OtherGrant>,
    /// The fiscal year asked for.
    pub fiscal_year: i32,
}

/// Every grant condition an ormas does not meet on `today`, the base ones first, each once, in the
/// order of [`ServiceRefusal`]. Empty: it may ask.
pub fn grant_refusals(input: &GrantEligibilityInput, today: NaiveDate) -> Vec<ServiceRefusal> {
    let mut refusals = input.base.clone();
    let badan_hukum = matches!(input.kind, OrmasKind::Perkumpulan | OrmasKind::Yayasan);
    if !badan_hukum {
        refusals.push(ServiceRefusal::NotBadanHukum);
    }
    let has_decree = input
        .ahu_number
        .as_deref()
        .is_some_and(|n| !n.trim().is_empty());
    if badan_hukum && !has_decree {
        refusals.push(ServiceRefusal::NoLegalEntityDecree);
    }
    if input.registered_in != input.office_region {
        refusals.push(ServiceRefusal::NotRegisteredInRegion);
    }
    if !crate::reference_lists::board_complete(input.board_positions.iter().map(String::as_str)) {
        refusals.push(ServiceRefusal::NoLocalBoard);
    }
    if !input.document_types.iter().any(|t| t == "domicile_letter") {
        refusals.push(ServiceRefusal::NoDomicileLetter);
    }
    if input.min_legal_entity_years > 0 {
        let old_enough = input.ahu_date.is_some_and(|since| {
            since
                .checked_add_months(Months::new(input.min_legal_entity_years * 12))
                .is_some_and(|anniversary| anniversary <= today)
        });
        // Without legal personality the first refusal already says it all.
        if badan_hukum && !old_enough {
            refusals.push(ServiceRefusal::LegalEntityTooRecent);
        }
    }
    if input
        .others
        .iter()
        .any(|g| is_lpj_overdue(g.state, g.lpj_due_on, today))
    {
        refusals.push(ServiceRefusal::LpjOverdue);
    }
    if input
        .others
        .iter()
        .any(|g| g.fiscal_year == input.fiscal_year && g.state.is_open())
    {
        refusals.push(ServiceRefusal::OpenProposalThisYear);
    }
    refusals.sort();
    refusals.dedup();
    refusals
}

/// The fiscal years a new proposal may name on `today`: this year and the next two (proposals are
/// filed the year before the budget they ask from), and none before this one.
pub fn fiscal_year_open(fiscal_year: i32, today: NaiveDate) -> bool {
    (today.year()..=today.year() + 2).contains(&fiscal_year)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn codes_round_trip() {
        for &s in GrantState::ALL {
            assert_eq!(s.as_str().parse::<GrantState>().unwrap(), s);
            assert_eq!(GrantStatus::from(s).as_str(), s.as_str());
        }
        for &s in GrantStep::ALL {
            assert_eq!(s.as_str().parse::<GrantStep>().unwrap(), s);
        }
        assert_eq!(
            GrantStep::AcceptAccountability.as_str(),
            "accept_accountability"
        );
        assert_eq!(GrantStatus::LpjOverdue.as_str(), "lpj_overdue");
        assert!("lpj_overdue".parse::<GrantState>().is_err());
    }

    /// Every (state, step) pair: where it leads, or that it is refused.
    #[test]
    fn every_state_and_step() {
        use GrantState::*;
        use GrantStep::*;
        let expected = |from: GrantState, step: GrantStep| -> Option<GrantState> {
            match (from, step) {
                (Draft | Returned, Submit) => Some(Submitted),
                (Submitted, Verify) => Some(Verified),
                (Submitted, Return) => Some(Returned),
                (Verified, Approve) => Some(Approved),
                (Verified, Reject) => Some(Rejected),
                (Approved, Agreement) => Some(AgreementSigned),
                (AgreementSigned, Disbursement) => Some(Disbursed),
                (Disbursed | AccountabilitySubmitted, Accountability) => {
                    Some(AccountabilitySubmitted)
                }
                (AccountabilitySubmitted, AcceptAccountability) => Some(Accounted),
                _ => None,
            }
        };
        for &from in GrantState::ALL {
            for &step in GrantStep::ALL {
                let role = Role::ALL
                    .iter()
                    .copied()
                    .find(|r| allows(*r, step.action()))
                    .unwrap();
                let got = apply_grant(from, step, role);
                match expected(from, step) {
                    Some(to) => assert_eq!(got, Ok(to), "{from} {step}"),
                    None => assert_eq!(got, Err(GrantError::NotAllowed { from, step })),
                }
                assert_eq!(
                    allowed_grant_steps(from).contains(&step),
                    expected(from, step).is_some()
                );
            }
        }
    }

    #[test]
    fn each_step_has_its_role() {
        let cases = [
            (GrantState::Draft, GrantStep::Submit, Role::OrmasRep, true),
            (GrantState::Draft, GrantStep::Submit, Role::Head, false),
            (
                GrantState::Submitted,
                GrantStep::Verify,
                Role::Officer,
                true,
            ),
            (
                GrantState::Submitted,
                GrantStep::Verify,
                Role::OrmasRep,
                false,
            ),
            (GrantState::Verified, GrantStep::Approve, Role::Head, true),
            (
                GrantState::Verified,
                GrantStep::Approve,
                Role::Officer,
                false,
            ),
            (GrantState::Approved, GrantStep::Agreement, Role::Head, true),
            (
                GrantState::AgreementSigned,
                GrantStep::Disbursement,
                Role::Officer,
                true,
            ),
            (
                GrantState::AgreementSigned,
                GrantStep::Disbursement,
                Role::Head,
                false,
            ),
            (
                GrantState::Disbursed,
                GrantStep::Accountability,
                Role::OrmasRep,
                true,
            ),
            (
                GrantState::AccountabilitySubmitted,
                GrantStep::AcceptAccountability,
                Role::OrmasRep,
                false,
            ),
        ];
        for (from, step, role, ok) in cases {
            let got = apply_grant(from, step, role);
            if ok {
                assert!(got.is_ok(), "{from} {step} {role}");
            } else {
                assert_eq!(got, Err(GrantError::RoleNotPermitted { role, step }));
            }
        }
    }

    #[test]
    fn lpj_is_due_on_ten_january_of_the_next_year_and_overdue_the_day_after() {
        let due = lpj_due_on(2026, (1, 10));
        assert_eq!(due, d("2027-01-10"));
        assert!(!is_lpj_overdue(GrantState::Disbursed, due, d("2027-01-10")));
        assert!(is_lpj_overdue(GrantState::Disbursed, due, d("2027-01-11")));
        assert!(is_lpj_overdue(
            GrantState::AccountabilitySubmitted,
            due,
            d("2027-01-11")
        ));
        assert!(!is_lpj_overdue(GrantState::Accounted, due, d("2027-01-11")));
        assert!(!is_lpj_overdue(
            GrantState::AgreementSigned,
            due,
            d("2027-01-11")
        ));
        assert_eq!(
            grant_status(GrantState::Disbursed, due, d("2027-01-11")),
            GrantStatus::LpjOverdue
        );
        assert_eq!(
            grant_status(GrantState::Disbursed, due, d("2027-01-10")),
            GrantStatus::Disbursed
        );
        // A configured 29 February in a common year falls back to the 28th.
        assert_eq!(lpj_due_on(2026, (2, 29)), d("2027-02-28"));
        assert_eq!(lpj_due_on(2027, (2, 29)), d("2028-02-29"));
    }

    #[test]
    fn budget_sums_and_overflows() {
        let lines = [
            BudgetLine {
                quantity: 2,
                unit_price: 1_500_000,
            },
            BudgetLine {
                quantity: 10,
                unit_price: 50_000,
            },
        ];
        assert_eq!(budget_total(&lines), Some(3_500_000));
        assert_eq!(budget_total(&[]), Some(0));
        assert_eq!(
            budget_total(&[BudgetLine {
                quantity: i64::MAX,
                unit_price: 2
            }]),
            None
        );
    }

    #[test]
    fn proposal_documents() {
        assert_eq!(
            missing_proposal_documents(["board_decree"]),
            vec![GRANT_PROPOSAL_LETTER, GRANT_BUDGET]
        );
        assert!(
            missing_proposal_documents([GRANT_BUDGET, GRANT_PROPOSAL_LETTER, BOARD_DECREE])
                .is_empty()
        );
        assert!(is_grant_document(GRANT_LPJ));
        assert!(!is_grant_document(BOARD_DECREE));
    }

    fn eligible() -> GrantEligibilityInput {
        GrantEligibilityInput {
            base: vec![],
            kind: OrmasKind::Perkumpulan,
            ahu_number: Some("AHU-0012345.AH.01.07.TAHUN 2019".into()),
            ahu_date: Some(d("2019-05-02")),
            registered_in: "64.71".into(),
            office_region: "64.71".into(),
            board_positions: vec!["ketua".into(), "sekretaris".into(), "bendahara".into()],
            document_types: vec!["domicile_letter".into()],
            min_legal_entity_years: 0,
            others: vec![],
            fiscal_year: 2027,
        }
    }

    /// Every condition alone, then all together: each names its code, and only its own.
    #[test]
    fn every_grant_condition() {
        use ServiceRefusal::*;
        let today = d("2026-12-02");
        let overdue_2025 = OtherGrant {
            fiscal_year: 2025,
            state: GrantState::Disbursed,
            lpj_due_on: d("2026-01-10"),
        };
        let cases: Vec<(&str, GrantEligibilityInput, Vec<ServiceRefusal>)> = vec![
            ("eligible", eligible(), vec![]),
            (
                "suspended",
                GrantEligibilityInput {
                    base: vec![Sanctioned],
                    ..eligible()
                },
                vec![Sanctioned],
            ),
            (
                "no legal entity",
                GrantEligibilityInput {
                    kind: OrmasKind::TidakBerbadanHukum,
                    ahu_number: None,
                    ahu_date: None,
                    min_legal_entity_years: 3,
                    ..eligible()
                },
                vec![NotBadanHukum],
            ),
            (
                "yayasan",
                GrantEligibilityInput {
                    kind: OrmasKind::Yayasan,
                    ..eligible()
                },
                vec![],
            ),
            (
                "no AHU decree",
                GrantEligibilityInput {
                    ahu_number: Some(" ".into()),
                    ..eligible()
                },
                vec![NoLegalEntityDecree],
            ),
            (
                "other region",
                GrantEligibilityInput {
                    office_region: "64".into(),
                    ..eligible()
                },
                vec![NotRegisteredInRegion],
            ),
            (
                "no board",
                GrantEligibilityInput {
                    board_positions: vec![],
                    ..eligible()
                },
                vec![NoLocalBoard],
            ),
            (
                "board without bendahara",
                GrantEligibilityInput {
                    board_positions: vec!["ketua".into(), "sekretaris".into()],
                    ..eligible()
                },
                vec![NoLocalBoard],
            ),
            (
                "no domicile letter",
                GrantEligibilityInput {
                    document_types: vec!["board_decree".into()],
                    ..eligible()
                },
                vec![NoDomicileLetter],
            ),
            (
                "3 years asked, 7 held",
                GrantEligibilityInput {
                    min_legal_entity_years: 3,
                    ..eligible()
                },
                vec![],
            ),
            (
                "3 years asked, a day short",
                GrantEligibilityInput {
                    min_legal_entity_years: 3,
                    ahu_date: Some(d("2023-12-03")),
                    ..eligible()
                },
                vec![LegalEntityTooRecent],
            ),
            (
                "3 years asked, exactly",
                GrantEligibilityInput {
                    min_legal_entity_years: 3,
                    ahu_date: Some(d("2023-12-02")),
                    ..eligible()
                },
                vec![],
            ),
            (
                "3 years asked, date unknown",
                GrantEligibilityInput {
                    min_legal_entity_years: 3,
                    ahu_date: None,
                    ..eligible()
                },
                vec![LegalEntityTooRecent],
            ),
            (
                "LPJ of 2025 overdue",
                GrantEligibilityInput {
                    others: vec![overdue_2025],
                    ..eligible()
                },
                vec![LpjOverdue],
            ),
            (
                "LPJ of 2025 accepted",
                GrantEligibilityInput {
                    others: vec![OtherGrant {
                        state: GrantState::Accounted,
                        ..overdue_2025
                    }],
                    ..eligible()
                },
                vec![],
            ),
            (
                "LPJ of 2026 not yet due",
                GrantEligibilityInput {
                    others: vec![OtherGrant {
                        fiscal_year: 2026,
                        lpj_due_on: d("2027-01-10"),
                        ..overdue_2025
                    }],
                    ..eligible()
                },
                vec![],
            ),
            (
                "open proposal for 2027",
                GrantEligibilityInput {
                    others: vec![OtherGrant {
                        fiscal_year: 2027,
                        state: GrantState::Submitted,
                        lpj_due_on: d("2028-01-10"),
                    }],
                    ..eligible()
                },
                vec![OpenProposalThisYear],
            ),
            (
                "rejected proposal for 2027",
                GrantEligibilityInput {
                    others: vec![OtherGrant {
                        fiscal_year: 2027,
                        state: GrantState::Rejected,
                        lpj_due_on: d("2028-01-10"),
                    }],
                    ..eligible()
                },
                vec![],
            ),
            (
                "everything at once",
                GrantEligibilityInput {
                    base: vec![Sanctioned, SktExpired],
                    kind: OrmasKind::TidakBerbadanHukum,
                    ahu_number: None,
                    office_region: "64.72".into(),
                    board_positions: vec![],
                    document_types: vec![],
                    others: vec![
                        overdue_2025,
                        OtherGrant {
                            fiscal_year: 2027,
                            state: GrantState::Draft,
                            lpj_due_on: d("2028-01-10"),
                        },
                    ],
                    ..eligible()
                },
                vec![
                    Sanctioned,
                    SktExpired,
                    NotBadanHukum,
                    NotRegisteredInRegion,
                    NoLocalBoard,
                    NoDomicileLetter,
                    LpjOverdue,
                    OpenProposalThisYear,
                ],
            ),
        ];
        for (name, input, expected) in cases {
            assert_eq!(grant_refusals(&input, today), expected, "{name}");
        }
    }

    #[test]
    fn month_days() {
        assert_eq!(parse_month_day("01-10"), Some((1, 10)));
        assert_eq!(parse_month_day("02-29"), Some((2, 29)));
        assert_eq!(parse_month_day("02-30"), None);
        assert_eq!(parse_month_day("1-10"), None);
        assert_eq!(parse_month_day("13-01"), None);
    }

    #[test]
    fn fiscal_years() {
        let today = d("2026-12-02");
        assert!(!fiscal_year_open(2025, today));
        assert!(fiscal_year_open(2026, today));
        assert!(fiscal_year_open(2028, today));
        assert!(!fiscal_year_open(2029, today));
    }
}
