//! Building audit events in handlers. The row is built on the request's task (where the request id
//! is known) and written by the repository inside the same transaction as the change it records.

use ormas_persistence::audit::AuditRow;

use crate::auth::Principal;
use crate::clock::now_utc;
use crate::context;

/// How an audited action ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Denied,
    Failure,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Denied => "denied",
            Outcome::Failure => "failure",
        }
    }
}

/// An audit event for `action` by `actor` (none for anonymous requests).
pub fn event(actor: Option<&Principal>, action: &str, outcome: Outcome) -> AuditRow {
    AuditRow {
        id: uuid::Uuid::now_v7().to_string(),
        occurred_at: now_utc(),
        actor_id: actor.map(|a| a.id.clone()),
        actor_name: actor.map(|a| a.name.clone()),
        action: action.to_owned(),
        target_type: None,
        target_id: None,
        region_code: actor.and_then(Principal::region),
        request_id: Some(context::current().request_id).filter(|id| !id.is_empty()),
        outcome: outcome.as_str().to_owned(),
        detail: None,
    }
}

/// Sets the target of an event (and its region, which decides who may read the event).
pub fn on(mut row: AuditRow, target_type: &str, target_id: &str, region: Option<&str>) -> AuditRow {
    row.target_type = Some(target_type.to_owned());
    row.target_id = Some(target_id.to_owned());
    row.region_code = region.map(str::to_owned);
    row
}

/// Adds a short, non-personal detail.
pub fn detail(mut row: AuditRow, detail: impl Into<String>) -> AuditRow {
    row.detail = Some(detail.into());
    row
}
