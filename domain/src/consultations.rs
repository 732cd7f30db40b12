//! Institutional consultation (*konsultasi kelembagaan*): a question-and-answer thread between an
//! ormas (its representative), or a person forming one, and the office. The lifecycle is
//! `open` → `answered` (an office reply) → `open` again when the asker replies → `closed` (the asker
//! closes, or it reads closed once the asker has not replied for a number of days after an answer).
//! The automatic close is derived from the stored state, the day of the last answer and today: no
//! background job writes it, so every reader (a thread, the queue's filter) agrees on it.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use strum::{Display, EnumString, IntoStaticStr, VariantArray};

use crate::calendar::{DateOutOfRange, HolidayCalendar, add_working_days};
use crate::codes::{Code, UnknownCode, code};
use crate::reference_lists::Label;

/// What a consultation is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(EnumString, Display, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "snake_case", parse_err_ty = UnknownCode, parse_err_fn = Self::unknown)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(as = ConsultationTopic, description = "What a consultation is about.")
)]
pub enum ConsultationTopic {
    /// Founding an ormas (akta, AD/ART, legal entity).
    Pendirian,
    /// Registering with the office (melapor keberadaan, SKM).
    Pendaftaran,
    /// The board (pengurus, SK kepengurusan, a change of board).
    Kepengurusan,
    /// The statutes (anggaran dasar / anggaran rumah tangga).
    AdArt,
    /// Grants (hibah) and their accountability report.
    Hibah,
    /// Semester reports.
    Pelaporan,
    /// An internal dispute.
    SengketaInternal,
    /// Anything else.
    Lainnya,
}

code!(ConsultationTopic, "consultation topic");

impl ConsultationTopic {
    /// The topic's labels for the reference list; a new topic does not compile without them.
    pub fn label(self) -> Label {
        use ConsultationTopic::*;
        let (id, en) = match self {
            Pendirian => ("Pendirian ormas", "Founding an ormas"),
            Pendaftaran => ("Pendaftaran / SKM", "Registration (SKM)"),
            Kepengurusan => ("Kepengurusan", "The board"),
            AdArt => ("AD/ART", "Statutes (AD/ART)"),
            Hibah => ("Hibah", "Grants"),
            Pelaporan => ("Pelaporan", "Reporting"),
            SengketaInternal => ("Sengketa internal", "Internal dispute"),
            Lainnya => ("Lainnya", "Other"),
        };
        Label {
            code: self.as_str(),
            id,
            en,
        }
    }
}

/// The state of a thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(EnumString, Display, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "snake_case", parse_err_ty = UnknownCode, parse_err_fn = Self::unknown)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(as = ConsultationState, description = "The state of a consultation thread.")
)]
pub enum ConsultationState {
    /// Waiting for the office: just opened, or the asker replied to an answer.
    Open,
    /// The office replied; waiting for the asker.
    Answered,
    /// Closed by the asker, or automatically after days without a reply to an answer.
    Closed,
}

code!(ConsultationState, "consultation state");

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(EnumString, Display, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "snake_case", parse_err_ty = UnknownCode, parse_err_fn = Self::unknown)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(as = ConsultationSide, description = "Who wrote a message: the asker or the office.")
)]
pub enum ConsultationSide {
    /// The ormas's representative, or the person forming an ormas, who opened the thread.
    Asker,
    /// The office's staff (an officer or the head).
    Office,
}

code!(ConsultationSide, "consultation side");

/// What happens to a thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, VariantArray)]
pub enum ConsultationEvent {
    /// A message from the asker.
    AskerReplies,
    /// A message from the office.
    OfficeReplies,
    /// The asker closes the thread.
    AskerCloses,
}

/// Why a consultation event is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ConsultationError {
    #[error("the consultation is closed")]
    Closed,
}

/// How closed a thread is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(EnumString, Display, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "snake_case", parse_err_ty = UnknownCode, parse_err_fn = Self::unknown)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(as = ConsultationClosure, description = "How a consultation closed: by the asker, or automatically.")
)]
pub enum ConsultationClosure {
    /// The asker closed it.
    ByAsker,
    /// The asker did not reply to an answer within the configured number of days.
    Automatic,
}

code!(ConsultationClosure, "consultation closure");

/// The stored state after an event (an event on a closed thread is refused). Replies move the
/// thread to the other side's turn; the office replying again to its own answer keeps it answered.
pub fn apply(
    state: ConsultationState,
    event: ConsultationEvent,
) -> Result<ConsultationState, ConsultationError> {
    use ConsultationEvent::*;
    use ConsultationState::*;
    match (state, event) {
        (Closed, AskerReplies | OfficeReplies | AskerCloses) => Err(ConsultationError::Closed),
        (Open | Answered, AskerReplies) => Ok(Open),
        (Open | Answered, OfficeReplies) => Ok(Answered),
        (Open | Answered, AskerCloses) => Ok(Closed),
    }
}

/// The settings of the service level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConsultationPolicy {
    /// Working days from opening for the first answer (default 3).
    pub first_answer_days: i32,
    /// Calendar days after an answer without the asker's reply before the thread reads closed
    /// (default 14).
    pub auto_close_days: u32,
}

impl Default for ConsultationPolicy {
    fn default() -> Self {
        ConsultationPolicy {
            first_answer_days: 3,
            auto_close_days: 14,
        }
    }
}

impl ConsultationPolicy {
    /// The day the first answer is due: `first_answer_days` working days after the day it was
    /// opened (weekends, national holidays and cuti bersama skipped).
    pub fn first_answer_due_on(
        &self,
        opened_on: NaiveDate,
        calendar: &HolidayCalendar,
    ) -> Result<NaiveDate, DateOutOfRange> {
        add_working_days(opened_on, self.first_answer_days, calendar)
    }

    /// The first day on which an answer given on `answered_on` without a reply reads closed.
    pub fn auto_closes_on(&self, answered_on: NaiveDate) -> NaiveDate {
        answered_on
            .checked_add_days(Days::new(u64::from(self.auto_close_days)))
            .unwrap_or(NaiveDate::MAX)
    }

    /// The last answer day that has auto-closed by `today` (for the queue's filters): an answered
    /// thread whose last answer is on or before it reads closed.
    pub fn auto_close_cutoff(&self, today: NaiveDate) -> NaiveDate {
        today
            .checked_sub_days(Days::new(u64::from(self.auto_close_days)))
            .unwrap_or(NaiveDate::MIN)
    }

    /// The state as of `today`: a stored `answered` thread whose last answer (`last_answered_on`)
    /// is `auto_close_days` or more days old reads closed.
    pub fn state_on(
        &self,
        stored: ConsultationState,
        last_answered_on: Option<NaiveDate>,
        today: NaiveDate,
    ) -> (ConsultationState, Option<ConsultationClosure>) {
        match (stored, last_answered_on) {
            (ConsultationState::Closed, _) => (
                ConsultationState::Closed,
                Some(ConsultationClosure::ByAsker),
            ),
            (ConsultationState::Answered, Some(day)) if today >= self.auto_closes_on(day) => (
                ConsultationState::Closed,
                Some(ConsultationClosure::Automatic),
            ),
            (state, _) => (state, None),
        }
    }
}

/// Whether the first answer is overdue on `today`: none yet, the thread still open, and the due
/// day has passed.
pub fn first_answer_overdue(
    state: ConsultationState,
    first_answered_on: Option<NaiveDate>,
    due_on: NaiveDate,
    today: NaiveDate,
) -> bool {
    first_answered_on.is_none() && state != ConsultationState::Closed && today > due_on
}

/// The median of durations (working days to the first answer), the mean of the two middle ones
/// for an even count; `None` for none.
pub fn median(values: &mut [i64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let n = values.len();
    Some(if n % 2 == 1 {
        values[n / 2] as f64
    } else {
        (values[n / 2 - 1] + values[n / 2]) as f64 / 2.0
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{Holiday, HolidayKind};
    use ConsultationEvent::*;
    use ConsultationState::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn every_state_and_event() {
        let table = [
            (Open, AskerReplies, Ok(Open)),
            (Open, OfficeReplies, Ok(Answered)),
            (Open, AskerCloses, Ok(Closed)),
            (Answered, AskerReplies, Ok(Open)),
            (Answered, OfficeReplies, Ok(Answered)),
            (Answered, AskerCloses, Ok(Closed)),
            (Closed, AskerReplies, Err(ConsultationError::Closed)),
            (Closed, OfficeReplies, Err(ConsultationError::Closed)),
            (Closed, AskerCloses, Err(ConsultationError::Closed)),
        ];
        assert_eq!(
            table.len(),
            ConsultationState::ALL.len() * ConsultationEvent::VARIANTS.len()
        );
        for (state, event, expected) in table {
            assert_eq!(apply(state, event), expected, "{state} {event:?}");
        }
    }

    #[test]
    fn topics_are_the_reference_list() {
        assert_eq!(
            ConsultationTopic::codes(),
            [
                "pendirian",
                "pendaftaran",
                "kepengurusan",
                "ad_art",
                "hibah",
                "pelaporan",
                "sengketa_internal",
                "lainnya"
            ]
        );
        assert_eq!(ConsultationTopic::AdArt.label().en, "Statutes (AD/ART)");
    }

    #[test]
    fn first_answer_due_skips_weekends_and_holidays() {
        let policy = ConsultationPolicy::default();
        // Opened on Wednesday 2026-12-23 with Thursday 24th (cuti bersama) and Friday 25th
        // (Christmas) off: the three working days are Mon 28, Tue 29 and Wed 30.
        let holidays = [
            Holiday {
                date: d(2026, 12, 24),
                kind: HolidayKind::CutiBersama,
                name_id: "Cuti bersama Natal".into(),
                name_en: "Christmas joint leave".into(),
            },
            Holiday {
                date: d(2026, 12, 25),
                kind: HolidayKind::LiburNasional,
                name_id: "Natal".into(),
                name_en: "Christmas".into(),
            },
        ];
        let calendar = HolidayCalendar::from_holidays(&holidays);
        assert_eq!(
            policy.first_answer_due_on(d(2026, 12, 23), &calendar),
            Ok(d(2026, 12, 30))
        );
        assert_eq!(
            policy.first_answer_due_on(d(2026, 12, 23), &HolidayCalendar::new()),
            Ok(d(2026, 12, 28))
        );
    }

    #[test]
    fn an_unanswered_answer_closes_itself_after_the_days() {
        let policy = ConsultationPolicy::default();
        let answered = d(2026, 12, 1);
        assert_eq!(
            policy.state_on(Answered, Some(answered), d(2026, 12, 14)),
            (Answered, None)
        );
        assert_eq!(
            policy.state_on(Answered, Some(answered), d(2026, 12, 15)),
            (Closed, Some(ConsultationClosure::Automatic))
        );
        assert_eq!(policy.auto_close_cutoff(d(2026, 12, 15)), answered);
        // An open thread (the asker replied) never closes itself.
        assert_eq!(
            policy.state_on(Open, Some(answered), d(2027, 6, 1)),
            (Open, None)
        );
        assert_eq!(
            policy.state_on(Closed, Some(answered), d(2026, 12, 2)),
            (Closed, Some(ConsultationClosure::ByAsker))
        );
    }

    #[test]
    fn overdue_only_while_unanswered_and_not_closed() {
        let due = d(2026, 12, 7);
        assert!(!first_answer_overdue(Open, None, due, due));
        assert!(first_answer_overdue(Open, None, due, d(2026, 12, 8)));
        assert!(!first_answer_overdue(
            Open,
            Some(d(2026, 12, 8)),
            due,
            d(2026, 12, 9)
        ));
        assert!(!first_answer_overdue(Closed, None, due, d(2026, 12, 9)));
    }

    #[test]
    fn medians() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [3, 1, 2]), Some(2.0));
        assert_eq!(median(&mut [4, 1, 2, 3]), Some(2.5));
    }
}
