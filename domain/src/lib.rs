//! The rules of the ormas register as pure functions over data and a date passed in: no IO, no
//! database, no HTTP. Every other crate depends on this one; it depends on none of them.

#![forbid(unsafe_code)]

pub mod access;
pub mod auth;
pub mod calendar;
pub mod changes;
pub mod codes;
pub mod consultations;
pub mod dashboard;
pub mod grants;
pub mod identity_numbers;
pub mod organisation;
pub mod oversight;
pub mod permits;
pub mod reference_lists;
pub mod region;
pub mod registration;
pub mod registration_number;
pub mod reporting;
pub mod sanctions;
pub mod services;
pub mod statistics;
pub mod status;
pub mod visits;
pub mod webhooks;

pub use access::{Action, GrantError, Role, Scope, allows, check_grant};
pub use calendar::{
    DateOutOfRange, Holiday, HolidayCalendar, HolidayKind, add_working_days, working_days_between,
};
pub use codes::{Code, UnknownCode};
pub use identity_numbers::{Nik, NikError, Npwp, NpwpError, mask_phone};
pub use reference_lists::Label;
pub use region::{Region, RegionCode, RegionLevel};
pub use registration::{
    OrmasKind, RegistrationState, SanctionMove, Transition, TransitionContext, TransitionError,
    TransitionOutcome,
};
pub use registration_number::{NumberPattern, PatternError};
pub use reporting::{
    Cadence, Period, PeriodError, ReportError, ReportState, ReportTransition, ReportingPolicy,
    apply_report, is_late,
};
pub use status::{
    AcceptedReport, Activity, InactiveReason, NextReport, ReportFacts, Status, StatusInput,
    derive_status, report_overdue,
};
