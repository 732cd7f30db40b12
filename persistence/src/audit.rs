//! The append-only audit log: who did what to which record, when, from which request, with what
//! outcome. Written for every authentication event and every mutation.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::audit_events;
use crate::sql::in_subtree;
use crate::{AnyConnection, PersistenceResult};

/// One audit event.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_events)]
pub struct AuditRow {
    pub id: String,
    pub occurred_at: NaiveDateTime,
    pub actor_id: Option<String>,
    pub actor_name: Option<String>,
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub region_code: Option<String>,
    pub request_id: Option<String>,
    pub outcome: String,
    pub detail: Option<String>,
}

pub fn record(conn: &mut AnyConnection, row: &AuditRow) -> PersistenceResult<()> {
    diesel::insert_into(audit_events::table)
        .values(row)
        .execute(conn)?;
    // A successful change with a target also becomes an event of the changes feed, written with it.
    crate::changes::note(conn, row)
}

/// Which events to list, newest first; `before` is the id of the last event of the previous page.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// A region subtree; `None`: the whole nation.
    pub region: Option<String>,
    pub target: Option<String>,
    pub actor: Option<String>,
    pub action: Option<String>,
    pub before: Option<String>,
    pub limit: i64,
}

pub fn list(conn: &mut AnyConnection, filter: &AuditFilter) -> PersistenceResult<Vec<AuditRow>> {
    let mut query = audit_events::table
        .select(AuditRow::as_select())
        .order(audit_events::id.desc())
        .limit(filter.limit)
        .into_boxed();
    if let Some(region) = &filter.region {
        query = query.filter(in_subtree!(audit_events::region_code, region.clone()));
    }
    if let Some(target) = &filter.target {
        query = query.filter(audit_events::target_id.eq(target.clone()));
    }
    if let Some(actor) = &filter.actor {
        query = query.filter(audit_events::actor_id.eq(actor.clone()));
    }
    if let Some(action) = &filter.action {
        query = query.filter(audit_events::action.eq(action.clone()));
    }
    if let Some(before) = &filter.before {
        query = query.filter(audit_events::id.lt(before.clone()));
    }
    Ok(query.load(conn)?)
}
