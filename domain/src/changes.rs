//! The changes feed's vocabulary: which audited actions are changes integrators follow, under which
//! event type, and where the changed resource lives.
//!
//! Every mutation records an audit action `{resource}.{verb}` on a target; [`event_type`] names the
//! event it becomes. A verb this table does not know still yields an event (`{resource}.updated`),
//! so a new step can never be lost from the feed; giving it its own name is a line here.

use crate::access::{Action, Role, allows};

/// A resource of the feed: its audit target type, its name in event types, and its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedResource {
    /// The audit log's target type (`grant_proposal`).
    pub target_type: &'static str,
    /// The first part of its event types (`grant`).
    pub name: &'static str,
    /// Its path without the id (`/v1/grant-proposals/`).
    pub path: &'static str,
}

/// Every resource whose changes are in the feed. Accounts, sessions, API clients and the holiday
/// calendar are not: they are not the register.
pub const FEED_RESOURCES: &[FeedResource] = &[
    FeedResource {
        target_type: "ormas",
        name: "ormas",
        path: "/v1/ormas/",
    },
    FeedResource {
        target_type: "organisation",
        name: "organisation",
        path: "/v1/organisations/",
    },
    FeedResource {
        target_type: "document",
        name: "document",
        path: "/v1/documents/",
    },
    FeedResource {
        target_type: "report",
        name: "report",
        path: "/v1/reports/",
    },
    FeedResource {
        target_type: "sanction",
        name: "sanction",
        path: "/v1/sanctions/",
    },
    FeedResource {
        target_type: "case",
        name: "case",
        path: "/v1/oversight/cases/",
    },
    FeedResource {
        target_type: "complaint",
        name: "complaint",
        path: "/v1/complaints/",
    },
    FeedResource {
        target_type: "grant_proposal",
        name: "grant",
        path: "/v1/grant-proposals/",
    },
    FeedResource {
        target_type: "attribute_permit",
        name: "permit",
        path: "/v1/attribute-permits/",
    },
    FeedResource {
        target_type: "consultation",
        name: "consultation",
        path: "/v1/consultations/",
    },
];

/// `(target type, verb, event type)`: the named events. Anything else of a feed resource is
/// `{name}.updated`.
const NAMED: &[(&str, &str, &str)] = &[
    ("ormas", "create", "ormas.created"),
    ("ormas", "update", "ormas.updated"),
    ("ormas", "submit", "ormas.submitted"),
    ("ormas", "return", "ormas.returned"),
    ("ormas", "approve", "ormas.registered"),
    ("ormas", "reject", "ormas.rejected"),
    ("ormas", "dissolve", "ormas.dissolved"),
    ("ormas", "board", "board.replaced"),
    ("ormas", "visit", "ormas.visited"),
    ("organisation", "correct", "organisation.updated"),
    ("document", "add", "document.added"),
    ("document", "delete", "document.removed"),
    ("report", "create", "report.created"),
    ("report", "update", "report.updated"),
    ("report", "submit", "report.submitted"),
    ("report", "accept", "report.accepted"),
    ("report", "return", "report.returned"),
    ("sanction", "written_warning", "sanction.issued"),
    ("sanction", "activity_suspension", "sanction.issued"),
    ("sanction", "revocation", "sanction.issued"),
    ("sanction", "dissolution", "sanction.issued"),
    ("sanction", "answer", "sanction.answered"),
    ("sanction", "compliance", "sanction.compliance_recorded"),
    ("sanction", "lift", "sanction.lifted"),
    ("case", "create", "case.opened"),
    ("case", "investigate", "case.investigating"),
    ("case", "recommend", "case.recommended"),
    ("case", "close", "case.closed"),
    ("case", "visit", "case.visited"),
    ("complaint", "file", "complaint.filed"),
    ("complaint", "dismiss", "complaint.dismissed"),
    ("complaint", "open_case", "complaint.case_opened"),
    ("grant_proposal", "create", "grant.created"),
    ("grant_proposal", "submit", "grant.submitted"),
    ("grant_proposal", "verify", "grant.verified"),
    ("grant_proposal", "return", "grant.returned"),
    ("grant_proposal", "approve", "grant.approved"),
    ("grant_proposal", "reject", "grant.rejected"),
    ("grant_proposal", "agreement", "grant.agreement_signed"),
    ("grant_proposal", "disbursement", "grant.disbursed"),
    (
        "grant_proposal",
        "accountability",
        "grant.accountability_submitted",
    ),
    (
        "grant_proposal",
        "accept_accountability",
        "grant.accountability_accepted",
    ),
    ("attribute_permit", "create", "permit.created"),
    ("attribute_permit", "submit", "permit.submitted"),
    ("attribute_permit", "review", "permit.reviewed"),
    ("attribute_permit", "return", "permit.returned"),
    ("attribute_permit", "approve", "permit.approved"),
    ("attribute_permit", "refuse", "permit.refused"),
    ("consultation", "open", "consultation.opened"),
    ("consultation", "reply", "consultation.replied"),
    ("consultation", "answer", "consultation.answered"),
    ("consultation", "close", "consultation.closed"),
    ("consultation", "assign", "consultation.assigned"),
];

/// Audited actions that change nothing (an audited read).
const NOT_CHANGES: &[&str] = &["complaint.read_identity"];

/// Writes that are not changes of the register, by path prefix: signing in and tokens, one's own
/// account, accounts and API clients, the holiday calendar (and its due-date calculator), and
/// webhook subscriptions. Every other successful non-`GET` request changes the register and must
/// write at least one event (the HTTP suite runs with that check on).
pub const NOT_REGISTER_WRITES: &[&str] = &[
    "/v1/auth/",
    "/v1/me/",
    "/v1/users",
    "/v1/clients",
    "/v1/calendar/",
    "/v1/webhooks",
];

/// Whether a successful write to `path` is a change of the register, which the feed must carry.
pub fn changes_register(path: &str) -> bool {
    path.starts_with("/v1/") && !NOT_REGISTER_WRITES.iter().any(|p| path.starts_with(p))
}

/// The feed resource of an audit target type.
pub fn feed_resource(target_type: &str) -> Option<&'static FeedResource> {
    FEED_RESOURCES.iter().find(|r| r.target_type == target_type)
}

/// The event an audited action on a target of `target_type` becomes; `None` when it is not a change
/// of the register (an account's login, a read).
pub fn event_type(target_type: &str, action: &str) -> Option<&'static str> {
    let resource = feed_resource(target_type)?;
    if NOT_CHANGES.contains(&action) {
        return None;
    }
    let verb = action.split_once('.').map_or(action, |(_, verb)| verb);
    NAMED
        .iter()
        .find(|(t, v, _)| *t == target_type && *v == verb)
        .map(|(_, _, event)| *event)
        .or_else(|| fallback(resource.name))
}

fn fallback(name: &str) -> Option<&'static str> {
    all_event_types()
        .into_iter()
        .find(|t| t.strip_suffix(".updated") == Some(name))
}

/// Every event type the feed can carry, sorted: the named ones and each resource's `.updated`.
pub fn all_event_types() -> Vec<&'static str> {
    const UPDATED: &[&str] = &[
        "ormas.updated",
        "organisation.updated",
        "document.updated",
        "report.updated",
        "sanction.updated",
        "case.updated",
        "complaint.updated",
        "grant.updated",
        "permit.updated",
        "consultation.updated",
    ];
    let mut all: Vec<&'static str> = NAMED
        .iter()
        .map(|(_, _, e)| *e)
        .chain(UPDATED.iter().copied())
        .collect();
    all.sort_unstable();
    all.dedup();
    all
}

/// The resource name an event type belongs to (`board.replaced` → `ormas`).
pub fn resource_of(event_type: &str) -> Option<&'static FeedResource> {
    let name = event_type.split_once('.')?.0;
    let name = if name == "board" { "ormas" } else { name };
    FEED_RESOURCES.iter().find(|r| r.name == name)
}

/// What a reader must be allowed to read to see a resource's events: what its `GET` needs.
pub fn read_action(target_type: &str) -> Option<Action> {
    Some(match target_type {
        "ormas" | "organisation" => Action::ReadRegistrations,
        // Documents are personal data (`GET /v1/documents/{id}` needs it too).
        "document" => Action::ReadPersonalData,
        "report" => Action::ReadReports,
        "sanction" => Action::ReadSanctions,
        "case" => Action::ReadCases,
        "complaint" => Action::ReadComplaints,
        "grant_proposal" => Action::ReadGrants,
        "attribute_permit" => Action::ReadAttributePermits,
        "consultation" => Action::ReadConsultations,
        _ => return None,
    })
}

/// The event types a role may read in the feed.
pub fn readable_event_types(role: Role) -> Vec<&'static str> {
    all_event_types()
        .into_iter()
        .filter(|t| {
            resource_of(t)
                .and_then(|r| read_action(r.target_type))
                .is_some_and(|action| allows(role, action))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readers_see_the_events_of_what_they_may_get() {
        let integrator = readable_event_types(Role::Integrator);
        assert!(integrator.contains(&"ormas.registered"));
        assert!(integrator.contains(&"board.replaced"));
        assert!(integrator.contains(&"report.accepted"));
        assert!(integrator.contains(&"sanction.issued"));
        assert!(integrator.contains(&"grant.approved"));
        assert!(integrator.contains(&"permit.approved"));
        assert!(!integrator.contains(&"document.added"));
        assert!(!integrator.contains(&"consultation.opened"));
        assert!(!integrator.contains(&"complaint.filed"));
        assert!(!integrator.contains(&"case.opened"));
        let officer = readable_event_types(Role::Officer);
        assert_eq!(officer, all_event_types());
        for resource in FEED_RESOURCES {
            assert!(
                read_action(resource.target_type).is_some(),
                "{}",
                resource.target_type
            );
        }
    }

    #[test]
    fn every_audited_step_of_a_feed_resource_has_an_event() {
        let cases = [
            ("ormas", "ormas.approve", Some("ormas.registered")),
            ("ormas", "ormas.board", Some("board.replaced")),
            ("ormas", "ormas.submit", Some("ormas.submitted")),
            ("report", "report.accept", Some("report.accepted")),
            (
                "sanction",
                "sanction.written_warning",
                Some("sanction.issued"),
            ),
            ("sanction", "sanction.revocation", Some("sanction.issued")),
            (
                "grant_proposal",
                "grant_proposal.disbursement",
                Some("grant.disbursed"),
            ),
            (
                "attribute_permit",
                "attribute_permit.design",
                Some("permit.updated"),
            ),
            (
                "complaint",
                "complaint.attach_file",
                Some("complaint.updated"),
            ),
            ("complaint", "complaint.read_identity", None),
            ("case", "case.create", Some("case.opened")),
            // A step nobody named yet is still an event.
            ("report", "report.something_new", Some("report.updated")),
            // Not the register.
            ("user", "user.create", None),
            ("session", "auth.login", None),
            ("client", "client.create", None),
            ("holiday", "calendar.holiday.add", None),
        ];
        for (target, action, expected) in cases {
            assert_eq!(event_type(target, action), expected, "{target} {action}");
        }
    }

    #[test]
    fn every_named_event_belongs_to_a_feed_resource_and_is_listed() {
        let all = all_event_types();
        for (target, _, event) in NAMED {
            assert!(feed_resource(target).is_some(), "{target}");
            assert!(all.contains(event));
            assert_eq!(
                resource_of(event).map(|r| r.target_type),
                Some(*target),
                "{event}"
            );
        }
        for resource in FEED_RESOURCES {
            assert!(all.contains(&format!("{}.updated", resource.name).as_str()));
        }
    }

    #[test]
    fn which_writes_change_the_register() {
        for (path, changes) in [
            ("/v1/ormas", true),
            ("/v1/ormas/x/approve", true),
            ("/v1/organisations/x", true),
            ("/v1/documents/x", true),
            ("/v1/public/complaints", true),
            ("/v1/sanctions/x/lift", true),
            ("/v1/auth/login", false),
            ("/v1/me/password", false),
            ("/v1/users/x/ormas", false),
            ("/v1/clients/x/rotate-secret", false),
            ("/v1/calendar/holidays/2026-01-01", false),
            ("/v1/webhooks/x/ping", false),
            ("/health", false),
        ] {
            assert_eq!(changes_register(path), changes, "{path}");
        }
    }
}
