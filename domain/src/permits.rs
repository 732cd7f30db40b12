//! Attribute permits (*izin pemesanan atribut*): an ormas asks the office's leave to order
//! uniforms, flags, banners, emblems or badges. The officer answers a checklist per item against
//! UU 16/2017 Ps 59(1); the head approves (a permit number and a validity period) only when no item
//! is flagged. The lifecycle is a pure rule here, like [`crate::registration`].

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use strum::{Display, EnumString, IntoStaticStr, VariantArray};

use crate::access::{Action, Role, allows};
use crate::calendar::{DateOutOfRange, HolidayCalendar, add_working_days};
use crate::codes::{Code, UnknownCode, code};

/// Working days the office has to answer a submitted request, unless configured otherwise.
pub const DEFAULT_ANSWER_WORKING_DAYS: i32 = 7;
/// Months an issued permit is valid, unless configured otherwise.
pub const DEFAULT_VALIDITY_MONTHS: u32 = 6;

/// What is to be ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(EnumString, Display, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "snake_case", parse_err_ty = UnknownCode, parse_err_fn = Self::unknown)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(as = AttributeKindName, description = "What kind of attribute an item is.")
)]
pub enum AttributeKind {
    /// Uniforms.
    Seragam,
    /// Flags.
    Bendera,
    /// Banners.
    Spanduk,
    /// Emblems.
    Lambang,
    /// Badges and pins.
    Pin,
    /// Any other attribute.
    AtributLain,
}

code!(AttributeKind, "attribute kind");

/// One question of the review checklist (UU 16/2017 Ps 59(1)): answered `yes` it bars approval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(EnumString, Display, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "snake_case", parse_err_ty = UnknownCode, parse_err_fn = Self::unknown)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(as = ChecklistQuestionName, description = "A question of the attribute checklist (UU 16/2017 Ps 59(1)).")
)]
pub enum ChecklistQuestion {
    /// Resembles the flag, emblem or uniform of the government, TNI, Polri, a ministry or the
    /// regional government (Ps 59(1) a–c).
    ResemblesGovernmentOrSecurityForces,
    /// Uses a foreign state's or institution's name or symbol without its permit (Ps 59(1) b).
    ForeignSymbolWithoutPermit,
    /// Resembles in whole or in its core another ormas's name, emblem or flag (Ps 59(1) c).
    ResemblesOtherOrmas,
    /// Resembles a political party's name, emblem or flag (Ps 59(1) c).
    ResemblesPoliticalParty,
    /// A separatist or banned organisation's symbol (Ps 59(4) b, 59(3)).
    SeparatistOrBannedSymbol,
}

code!(ChecklistQuestion, "checklist question");

/// Where a permit request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(EnumString, Display, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "snake_case", parse_err_ty = UnknownCode, parse_err_fn = Self::unknown)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(as = AttributePermitStateName, description = "Where an attribute permit request stands.")
)]
pub enum PermitState {
    /// Being written; the office does not see it as asked yet.
    Draft,
    /// Waiting for the officer's review; the answer deadline runs.
    Submitted,
    /// The checklist is answered for every item; waiting for the head's decision.
    Reviewed,
    /// Sent back with notes, to be edited and submitted again.
    Returned,
    /// Approved: a permit number and a validity period are issued.
    Approved,
    /// Refused, naming the items and the ground.
    Refused,
}

code!(PermitState, "attribute permit state");

impl PermitState {
    /// Waiting for the office (the answer deadline applies).
    pub fn awaits_office(self) -> bool {
        matches!(self, PermitState::Submitted | PermitState::Reviewed)
    }

    /// The request may still be edited by the ormas.
    pub fn editable(self) -> bool {
        matches!(self, PermitState::Draft | PermitState::Returned)
    }
}

/// A step of the permit lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(EnumString, Display, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "snake_case", parse_err_ty = UnknownCode, parse_err_fn = Self::unknown)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(as = AttributePermitTransitionName, description = "A step of an attribute permit request.")
)]
pub enum PermitTransition {
    /// Send a draft or returned request to the office.
    Submit,
    /// Answer the checklist for every item (again, while reviewed).
    Review,
    /// Send it back with notes.
    Return,
    /// Approve it, issuing the permit number.
    Approve,
    /// Refuse it, naming the items and the ground.
    Refuse,
}

code!(PermitTransition, "attribute permit transition");

impl PermitTransition {
    /// The action of the permission matrix the step needs.
    pub fn action(self) -> Action {
        match self {
            PermitTransition::Submit => Action::WriteAttributePermit,
            PermitTransition::Review | PermitTransition::Return => Action::ReviewAttributePermit,
            PermitTransition::Approve => Action::ApproveAttributePermit,
            PermitTransition::Refuse => Action::RefuseAttributePermit,
        }
    }
}

/// The steps the lifecycle allows out of a state, whoever asks.
pub fn allowed_permit_transitions(state: PermitState) -> &'static [PermitTransition] {
    use PermitTransition::*;
    match state {
        PermitState::Draft | PermitState::Returned => &[Submit],
        PermitState::Submitted => &[Review, Return, Refuse],
        PermitState::Reviewed => &[Review, Return, Approve, Refuse],
        PermitState::Approved | PermitState::Refused => &[],
    }
}

/// An item whose checklist has a `yes`: the item's 1-based number and the questions answered yes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlaggedItem {
    pub number: usize,
    pub questions: Vec<ChecklistQuestion>,
}

/// The answers of one item's checklist, as far as given.
pub type ItemAnswers = Vec<(ChecklistQuestion, bool)>;

/// A question of the checklist left unanswered: the item's 1-based number and the question
/// (every question, when the item has no checklist at all).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unanswered {
    pub number: usize,
    pub question: ChecklistQuestion,
}

/// Every (item, question) of a request of `item_count` items not answered in `answers` (indexed
/// by item, 0-based; a missing entry leaves all its questions open), in order.
pub fn unanswered(item_count: usize, answers: &[ItemAnswers]) -> Vec<Unanswered> {
    let mut open = Vec::new();
    for index in 0..item_count {
        let given = answers.get(index);
        for &question in ChecklistQuestion::VARIANTS {
            let answered = given.is_some_and(|a| a.iter().any(|(q, _)| *q == question));
            if !answered {
                open.push(Unanswered {
                    number: index + 1,
                    question,
                });
            }
        }
    }
    open
}

/// The items with a `yes` in their checklist, in order.
pub fn flagged_items(answers: &[ItemAnswers]) -> Vec<FlaggedItem> {
    answers
        .iter()
        .enumerate()
        .filter_map(|(index, item)| {
            let mut questions: Vec<ChecklistQuestion> = item
                .iter()
                .filter(|(_, yes)| *yes)
                .map(|(q, _)| *q)
                .collect();
            questions.sort();
            questions.dedup();
            (!questions.is_empty()).then_some(FlaggedItem {
                number: index + 1,
                questions,
            })
        })
        .collect()
}

/// What a step needs besides the state and the role.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StepContext {
    /// Items of the request (a submission needs at least one).
    pub item_count: usize,
    /// Items without a design file (a submission needs every design).
    pub items_without_design: Vec<usize>,
    /// The checklist as it stands after this step (the review's new answers, or the stored ones).
    pub answers: Vec<ItemAnswers>,
    /// Notes (to return) or the ground (to refuse), as given.
    pub reason: Option<String>,
    /// The items a refusal names (1-based).
    pub refused_items: Vec<usize>,
}

/// Why a step is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PermitError {
    #[error("cannot {transition} an attribute permit request that is {from}")]
    NotAllowed {
        from: PermitState,
        transition: PermitTransition,
    },
    #[error("role {role} may not {transition} an attribute permit request")]
    RoleNotPermitted {
        role: Role,
        transition: PermitTransition,
    },
    #[error("a request needs at least one item")]
    NoItems,
    #[error("items without a design: {0:?}")]
    DesignMissing(Vec<usize>),
    #[error("the checklist is not complete")]
    ChecklistIncomplete(Vec<Unanswered>),
    #[error("items flagged by the checklist cannot be approved")]
    Flagged(Vec<FlaggedItem>),
    #[error("notes (to return) or a ground (to refuse) are required")]
    ReasonRequired,
    #[error("a refusal names at least one item, each of the request")]
    RefusedItemsInvalid,
}

/// Checks and performs `step` on a request in `state` by `role`: the lifecycle first, then the
/// role, then what the step needs (items and designs to submit, a complete checklist to review,
/// no item flagged to approve, notes to return, a ground and the items to refuse). Returns the new
/// state.
pub fn apply_permit(
    state: PermitState,
    step: PermitTransition,
    role: Role,
    ctx: &StepContext,
) -> Result<PermitState, PermitError> {
    if !allowed_permit_transitions(state).contains(&step) {
        return Err(PermitError::NotAllowed {
            from: state,
            transition: step,
        });
    }
    if !allows(role, step.action()) {
        return Err(PermitError::RoleNotPermitted {
            role,
            transition: step,
        });
    }
    let reason_given = ctx.reason.as_deref().is_some_and(|r| !r.trim().is_empty());
    match step {
        PermitTransition::Submit => {
            if ctx.item_count == 0 {
                return Err(PermitError::NoItems);
            }
            if !ctx.items_without_design.is_empty() {
                return Err(PermitError::DesignMissing(ctx.items_without_design.clone()));
            }
            Ok(PermitState::Submitted)
        }
        PermitTransition::Review => {
            let open = unanswered(ctx.item_count, &ctx.answers);
            if open.is_empty() {
                Ok(PermitState::Reviewed)
            } else {
                Err(PermitError::ChecklistIncomplete(open))
            }
        }
        PermitTransition::Approve => {
            let open = unanswered(ctx.item_count, &ctx.answers);
            if !open.is_empty() {
                return Err(PermitError::ChecklistIncomplete(open));
            }
            let flagged = flagged_items(&ctx.answers);
            if flagged.is_empty() {
                Ok(PermitState::Approved)
            } else {
                Err(PermitError::Flagged(flagged))
            }
        }
        PermitTransition::Return => {
            if reason_given {
                Ok(PermitState::Returned)
            } else {
                Err(PermitError::ReasonRequired)
            }
        }
        PermitTransition::Refuse => {
            if !reason_given {
                return Err(PermitError::ReasonRequired);
            }
            let in_range = ctx
                .refused_items
                .iter()
                .all(|n| (1..=ctx.item_count).contains(n));
            if ctx.refused_items.is_empty() || !in_range {
                return Err(PermitError::RefusedItemsInvalid);
            }
            Ok(PermitState::Refused)
        }
    }
}

/// The last day the office may answer a request submitted on `submitted_on`: `working_days`
/// working days on (weekends and holidays skipped).
pub fn answer_due_on(
    submitted_on: NaiveDate,
    working_days: i32,
    calendar: &HolidayCalendar,
) -> Result<NaiveDate, DateOutOfRange> {
    add_working_days(submitted_on, working_days, calendar)
}

/// Whether the office is late on `today`: still waiting for it and the due day has passed.
pub fn is_overdue(state: PermitState, answer_due_on: Option<NaiveDate>, today: NaiveDate) -> bool {
    state.awaits_office() && answer_due_on.is_some_and(|due| due < today)
}

/// The last day of a permit valid from `valid_from` for `months` months (the day before the same
/// day `months` later; saturating at chrono's last date).
pub fn valid_until(valid_from: NaiveDate, months: u32) -> NaiveDate {
    valid_from
        .checked_add_months(Months::new(months))
        .and_then(|d| d.checked_sub_days(Days::new(1)))
        .unwrap_or(NaiveDate::MAX)
}

/// The permit number of the `seq`-th permit an office issued in a year, in the manner of the
/// registration numbers: `{seq:04}/IPA/{region}/{roman_month}/{year}`, e.g.
/// `0003/IPA/64.71/XII/2026`.
pub fn permit_number(seq: u32, region: &str, issued_on: NaiveDate) -> String {
    format!(
        "{seq:04}/IPA/{region}/{}/{:04}",
        crate::registration_number::roman_month(issued_on.month()),
        issued_on.year()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::HolidayKind;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn all_no() -> ItemAnswers {
        ChecklistQuestion::VARIANTS
            .iter()
            .map(|q| (*q, false))
            .collect()
    }

    fn complete_ctx(items: usize) -> StepContext {
        StepContext {
            item_count: items,
            items_without_design: vec![],
            answers: (0..items).map(|_| all_no()).collect(),
            reason: Some("Catatan".into()),
            refused_items: vec![1],
        }
    }

    /// The role that may take each step.
    fn actor(step: PermitTransition) -> Role {
        match step {
            PermitTransition::Submit => Role::OrmasRep,
            PermitTransition::Review | PermitTransition::Return => Role::Officer,
            PermitTransition::Approve => Role::Head,
            PermitTransition::Refuse => Role::Officer,
        }
    }

    #[test]
    fn codes_round_trip() {
        for &k in AttributeKind::VARIANTS {
            assert_eq!(k.as_str().parse::<AttributeKind>().unwrap(), k);
        }
        for &q in ChecklistQuestion::VARIANTS {
            assert_eq!(q.as_str().parse::<ChecklistQuestion>().unwrap(), q);
        }
        for &s in PermitState::VARIANTS {
            assert_eq!(s.as_str().parse::<PermitState>().unwrap(), s);
        }
        for &t in PermitTransition::VARIANTS {
            assert_eq!(t.as_str().parse::<PermitTransition>().unwrap(), t);
        }
        assert_eq!(AttributeKind::AtributLain.as_str(), "atribut_lain");
        assert_eq!(
            ChecklistQuestion::ResemblesGovernmentOrSecurityForces.as_str(),
            "resembles_government_or_security_forces"
        );
        assert!("accept".parse::<PermitTransition>().is_err());
    }

    /// Every (state, step) with a complete context and the step's own role: allowed steps lead to
    /// their state, every other pair is refused as not allowed.
    #[test]
    fn every_state_and_step() {
        use PermitState::*;
        use PermitTransition::*;
        let expected = |state: PermitState, step: PermitTransition| -> Option<PermitState> {
            match (state, step) {
                (Draft | Returned, Submit) => Some(Submitted),
                (Submitted | Reviewed, Review) => Some(Reviewed),
                (Submitted | Reviewed, Return) => Some(Returned),
                (Reviewed, Approve) => Some(Approved),
                (Submitted | Reviewed, Refuse) => Some(Refused),
                _ => None,
            }
        };
        for &state in PermitState::VARIANTS {
            for &step in PermitTransition::VARIANTS {
                let got = apply_permit(state, step, actor(step), &complete_ctx(2));
                match expected(state, step) {
                    Some(to) => assert_eq!(got, Ok(to), "{state} {step}"),
                    None => assert_eq!(
                        got,
                        Err(PermitError::NotAllowed {
                            from: state,
                            transition: step
                        }),
                        "{state} {step}"
                    ),
                }
                assert_eq!(
                    allowed_permit_transitions(state).contains(&step),
                    expected(state, step).is_some()
                );
            }
        }
    }

    #[test]
    fn roles_follow_the_matrix() {
        for &role in Role::ALL {
            for (state, step) in [
                (PermitState::Draft, PermitTransition::Submit),
                (PermitState::Submitted, PermitTransition::Review),
                (PermitState::Submitted, PermitTransition::Return),
                (PermitState::Reviewed, PermitTransition::Approve),
                (PermitState::Reviewed, PermitTransition::Refuse),
            ] {
                let got = apply_permit(state, step, role, &complete_ctx(1));
                if allows(role, step.action()) {
                    assert!(got.is_ok(), "{role} {step}");
                } else {
                    assert_eq!(
                        got,
                        Err(PermitError::RoleNotPermitted {
                            role,
                            transition: step
                        })
                    );
                }
            }
        }
        assert!(allows(Role::Head, PermitTransition::Refuse.action()));
        assert!(!allows(Role::OrmasRep, PermitTransition::Review.action()));
        assert!(!allows(Role::Officer, PermitTransition::Approve.action()));
    }

    #[test]
    fn a_yes_blocks_approval() {
        let mut ctx = complete_ctx(3);
        ctx.answers[1] = ChecklistQuestion::VARIANTS
            .iter()
            .map(|q| {
                (
                    *q,
                    *q == ChecklistQuestion::ResemblesGovernmentOrSecurityForces,
                )
            })
            .collect();
        assert_eq!(
            apply_permit(
                PermitState::Reviewed,
                PermitTransition::Approve,
                Role::Head,
                &ctx
            ),
            Err(PermitError::Flagged(vec![FlaggedItem {
                number: 2,
                questions: vec![ChecklistQuestion::ResemblesGovernmentOrSecurityForces]
            }]))
        );
        // A yes does not stop the review itself, nor a refusal.
        assert_eq!(
            apply_permit(
                PermitState::Submitted,
                PermitTransition::Review,
                Role::Officer,
                &ctx
            ),
            Ok(PermitState::Reviewed)
        );
        ctx.refused_items = vec![2];
        assert_eq!(
            apply_permit(
                PermitState::Reviewed,
                PermitTransition::Refuse,
                Role::Head,
                &ctx
            ),
            Ok(PermitState::Refused)
        );
    }

    #[test]
    fn every_question_of_every_item_must_be_answered() {
        let mut ctx = complete_ctx(2);
        ctx.answers[1].retain(|(q, _)| *q != ChecklistQuestion::ResemblesPoliticalParty);
        ctx.answers.truncate(2);
        let got = apply_permit(
            PermitState::Submitted,
            PermitTransition::Review,
            Role::Officer,
            &ctx,
        );
        assert_eq!(
            got,
            Err(PermitError::ChecklistIncomplete(vec![Unanswered {
                number: 2,
                question: ChecklistQuestion::ResemblesPoliticalParty
            }]))
        );
        ctx.answers.pop();
        assert_eq!(unanswered(2, &ctx.answers).len(), 5);
        assert_eq!(unanswered(0, &[]), vec![]);
    }

    #[test]
    fn submission_needs_items_and_designs() {
        let mut ctx = complete_ctx(0);
        assert_eq!(
            apply_permit(
                PermitState::Draft,
                PermitTransition::Submit,
                Role::Officer,
                &ctx
            ),
            Err(PermitError::NoItems)
        );
        ctx.item_count = 2;
        ctx.items_without_design = vec![2];
        assert_eq!(
            apply_permit(
                PermitState::Returned,
                PermitTransition::Submit,
                Role::OrmasRep,
                &ctx
            ),
            Err(PermitError::DesignMissing(vec![2]))
        );
    }

    #[test]
    fn return_and_refusal_need_their_reasons() {
        for reason in [None, Some("  ".to_owned())] {
            let ctx = StepContext {
                reason,
                ..complete_ctx(1)
            };
            for step in [PermitTransition::Return, PermitTransition::Refuse] {
                assert_eq!(
                    apply_permit(PermitState::Submitted, step, Role::Officer, &ctx),
                    Err(PermitError::ReasonRequired)
                );
            }
        }
        for items in [vec![], vec![0], vec![2]] {
            let ctx = StepContext {
                refused_items: items,
                ..complete_ctx(1)
            };
            assert_eq!(
                apply_permit(
                    PermitState::Submitted,
                    PermitTransition::Refuse,
                    Role::Officer,
                    &ctx
                ),
                Err(PermitError::RefusedItemsInvalid)
            );
        }
    }

    #[test]
    fn deadline_skips_weekends_and_holidays() {
        let mut calendar = HolidayCalendar::new();
        // Thursday 24 and Friday 25 December 2026: cuti bersama and Christmas.
        calendar.insert(d("2026-12-24"), HolidayKind::CutiBersama);
        calendar.insert(d("2026-12-25"), HolidayKind::LiburNasional);
        // Submitted Monday 21 December: 22, 23, 28, 29, 30, 31 Dec, 1 Jan (a holiday? not here).
        assert_eq!(
            answer_due_on(d("2026-12-21"), 7, &calendar).unwrap(),
            d("2027-01-01")
        );
        assert_eq!(
            answer_due_on(d("2026-12-21"), 7, &HolidayCalendar::new()).unwrap(),
            d("2026-12-30")
        );
    }

    #[test]
    fn overdue_only_while_waiting_for_the_office() {
        let due = Some(d("2026-12-10"));
        assert!(!is_overdue(PermitState::Submitted, due, d("2026-12-10")));
        assert!(is_overdue(PermitState::Submitted, due, d("2026-12-11")));
        assert!(is_overdue(PermitState::Reviewed, due, d("2026-12-11")));
        for state in [
            PermitState::Draft,
            PermitState::Returned,
            PermitState::Approved,
            PermitState::Refused,
        ] {
            assert!(!is_overdue(state, due, d("2027-01-01")), "{state}");
        }
        assert!(!is_overdue(PermitState::Submitted, None, d("2027-01-01")));
    }

    #[test]
    fn validity_and_numbers() {
        assert_eq!(valid_until(d("2026-12-03"), 6), d("2027-06-02"));
        assert_eq!(valid_until(d("2026-08-31"), 6), d("2027-02-27"));
        assert_eq!(
            permit_number(3, "64.71", d("2026-12-03")),
            "0003/IPA/64.71/XII/2026"
        );
    }
}
