//! The changes feed: a transactional outbox of every state change, read by integrators in order.
//!
//! # How an event is written
//! Handlers do not write events themselves. Every mutation already records an audit row in the
//! transaction of its change ([`crate::audit::record`]); a successful audit row with a target is
//! also *noted* here. When the outermost transaction is about to commit ([`crate::tx`]), the notes
//! are handed to the [`Sink`] the API installed for the request's blocking call ([`with_sink`]),
//! which turns them into events (the resource's type, path and representation after the change),
//! and [`append`] writes them, still inside that transaction. A change and its event thus commit
//! or roll back together, and a new resource cannot forget its events: it cannot forget its audit
//! row either (the HTTP suite runs with a check that answers 500 to any successful write of the
//! register that moved no event, and a test walks the spec's write operations so that none escapes
//! the check unnamed).
//!
//! # Why positions are gap-safe
//! Positions are given in one place, by updating the single row of `change_feed_head`. A writer
//! holds that row locked from taking its positions until it commits (events are written last,
//! just before the commit), so the next writer gets the following positions only once the first
//! has committed: positions become visible in order, and a reader that has seen position N never
//! later sees a smaller one appear. On SQLite writers are serialised anyway (`BEGIN IMMEDIATE`).
//! The feed is also dense: positions have no holes, except where retention removed old events.

use std::cell::{Cell, RefCell};
use std::sync::Arc;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::audit::AuditRow;
use crate::schema::{change_events, change_feed_head};
use crate::sql::in_subtree;
use crate::{AnyConnection, PersistenceResult};

/// One event as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = change_events)]
pub struct ChangeRow {
    pub seq: i64,
    pub id: String,
    pub event_type: String,
    pub subject: String,
    pub region_code: Option<String>,
    pub occurred_at: NaiveDateTime,
    pub actor_role: Option<String>,
    /// The representation, as JSON text.
    pub data: String,
}

/// An event to append; its position is given by [`append`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewChange {
    pub id: String,
    pub event_type: String,
    pub subject: String,
    pub region_code: Option<String>,
    pub occurred_at: NaiveDateTime,
    pub actor_role: Option<String>,
    pub data: String,
}

/// Turns the audit rows of one transaction into its events, reading what it needs through the
/// transaction's connection. Installed per blocking call by the API ([`with_sink`]).
pub type Sink =
    Arc<dyn Fn(&mut AnyConnection, &[AuditRow]) -> PersistenceResult<Vec<NewChange>> + Send + Sync>;

thread_local! {
    static SINK: RefCell<Option<Sink>> = const { RefCell::new(None) };
    static PENDING: RefCell<Vec<AuditRow>> = const { RefCell::new(Vec::new()) };
    static DEPTH: Cell<u32> = const { Cell::new(0) };
}

/// Runs `work` (one blocking call's database work, on this thread) with `sink` turning its audited
/// changes into events. Without a sink (the command line, seeding) no event is written: such data
/// is part of the initial load an integrator takes from the export.
pub fn with_sink<T>(sink: &Sink, work: impl FnOnce() -> T) -> T {
    struct Restore(Option<Sink>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            SINK.with(|s| *s.borrow_mut() = previous);
            PENDING.with(|p| p.borrow_mut().clear());
        }
    }
    let previous = SINK.with(|s| s.borrow_mut().replace(sink.clone()));
    let _restore = Restore(previous);
    work()
}

/// Called by [`crate::audit::record`] for every row it writes.
pub(crate) fn note(conn: &mut AnyConnection, row: &AuditRow) -> PersistenceResult<()> {
    if row.outcome != "success" || row.target_id.is_none() {
        return Ok(());
    }
    if SINK.with(|s| s.borrow().is_none()) {
        return Ok(());
    }
    PENDING.with(|p| p.borrow_mut().push(row.clone()));
    if DEPTH.with(Cell::get) == 0 {
        // Outside any transaction the audit row has committed on its own: so does its event.
        flush(conn)?;
    }
    Ok(())
}

/// Where a transaction stands in the notes, to discard those of a rolled-back savepoint.
pub(crate) struct Mark(usize);

/// Called by [`crate::tx`] on entering a transaction (or savepoint).
pub(crate) fn enter() -> Mark {
    let depth = DEPTH.with(|d| {
        let depth = d.get();
        d.set(depth + 1);
        depth
    });
    if depth == 0 {
        PENDING.with(|p| p.borrow_mut().clear());
    }
    Mark(PENDING.with(|p| p.borrow().len()))
}

/// Called by [`crate::tx`] when the work of a transaction (or savepoint) returned `Ok`, before it
/// commits: the outermost one writes the events of everything it noted.
pub(crate) fn before_commit(conn: &mut AnyConnection) -> PersistenceResult<()> {
    if DEPTH.with(Cell::get) == 1 {
        flush(conn)?;
    }
    Ok(())
}

/// Called by [`crate::tx`] when a transaction (or savepoint) ends, committed or not.
pub(crate) fn leave(mark: Mark, committed: bool) {
    if !committed {
        PENDING.with(|p| p.borrow_mut().truncate(mark.0));
    }
    let depth = DEPTH.with(|d| {
        let depth = d.get().saturating_sub(1);
        d.set(depth);
        depth
    });
    if depth == 0 {
        PENDING.with(|p| p.borrow_mut().clear());
    }
}

fn flush(conn: &mut AnyConnection) -> PersistenceResult<()> {
    let rows = PENDING.with(|p| std::mem::take(&mut *p.borrow_mut()));
    if rows.is_empty() {
        return Ok(());
    }
    let Some(sink) = SINK.with(|s| s.borrow().clone()) else {
        return Ok(());
    };
    let events = sink(conn, &rows)?;
    append(conn, &events)?;
    Ok(())
}

/// Appends `events` at the next positions (returned), in this order. Call it last in a write
/// transaction: it holds the feed's head locked until the transaction ends.
pub fn append(conn: &mut AnyConnection, events: &[NewChange]) -> PersistenceResult<Vec<i64>> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    let count = i64::try_from(events.len()).unwrap_or(i64::MAX);
    let last: i64 = diesel::update(change_feed_head::table.filter(change_feed_head::id.eq(1)))
        .set(change_feed_head::seq.eq(change_feed_head::seq + count))
        .returning(change_feed_head::seq)
        .get_result(conn)?;
    let first = last - count + 1;
    let rows: Vec<ChangeRow> = events
        .iter()
        .zip(first..)
        .map(|(event, seq)| ChangeRow {
            seq,
            id: event.id.clone(),
            event_type: event.event_type.clone(),
            subject: event.subject.clone(),
            region_code: event.region_code.clone(),
            occurred_at: event.occurred_at,
            actor_role: event.actor_role.clone(),
            data: event.data.clone(),
        })
        .collect();
    // One statement per event: the multi-backend connection has no batch insert, and a transaction
    // writes a handful of events at most.
    for row in &rows {
        diesel::insert_into(change_events::table)
            .values(row)
            .execute(conn)?;
    }
    Ok((first..=last).collect())
}

/// Which events to read: those after position `after`, oldest first.
#[derive(Debug, Clone, Default)]
pub struct ChangeFilter {
    pub after: i64,
    pub limit: i64,
    /// Only these types; empty: all.
    pub types: Vec<String>,
    /// Only these types may be read at all (the reader's rights); `None`: every type.
    pub readable: Option<Vec<String>>,
    /// A region subtree; `None`: the whole nation.
    pub region: Option<String>,
}

/// The roles of the given accounts (and `integrator` for the given API clients), by id.
pub fn actor_roles(
    conn: &mut AnyConnection,
    ids: &[String],
) -> PersistenceResult<std::collections::HashMap<String, String>> {
    use crate::schema::{api_clients, users};
    let mut roles: std::collections::HashMap<String, String> = users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::role))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let clients: Vec<String> = api_clients::table
        .filter(api_clients::id.eq_any(ids))
        .select(api_clients::id)
        .load(conn)?;
    for id in clients {
        roles.insert(id, "integrator".to_owned());
    }
    Ok(roles)
}

pub fn list(conn: &mut AnyConnection, filter: &ChangeFilter) -> PersistenceResult<Vec<ChangeRow>> {
    let mut query = change_events::table
        .select(ChangeRow::as_select())
        .filter(change_events::seq.gt(filter.after))
        .order(change_events::seq.asc())
        .limit(filter.limit)
        .into_boxed();
    if !filter.types.is_empty() {
        query = query.filter(change_events::event_type.eq_any(filter.types.clone()));
    }
    if let Some(readable) = &filter.readable {
        query = query.filter(change_events::event_type.eq_any(readable.clone()));
    }
    if let Some(region) = &filter.region {
        query = query.filter(in_subtree!(change_events::region_code, region.clone()));
    }
    Ok(query.load(conn)?)
}

/// Where the feed stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedPosition {
    /// The last position given (and committed, as seen by this statement).
    pub head: i64,
    /// Every position up to this one has been removed by retention.
    pub pruned_through: i64,
}

pub fn position(conn: &mut AnyConnection) -> PersistenceResult<FeedPosition> {
    let (head, pruned_through) = change_feed_head::table
        .filter(change_feed_head::id.eq(1))
        .select((change_feed_head::seq, change_feed_head::pruned_through))
        .first::<(i64, i64)>(conn)?;
    Ok(FeedPosition {
        head,
        pruned_through,
    })
}

/// Removes the events that occurred before `before`; returns how many. A reader asking for a
/// position at or below the new `pruned_through` must resynchronise from an export.
pub fn prune(conn: &mut AnyConnection, before: NaiveDateTime) -> PersistenceResult<usize> {
    crate::tx::in_write_transaction(conn, |conn| {
        let last: Option<i64> = change_events::table
            .filter(change_events::occurred_at.lt(before))
            .select(diesel::dsl::max(change_events::seq))
            .first(conn)?;
        let Some(last) = last else {
            return Ok(0);
        };
        let removed = diesel::delete(change_events::table.filter(change_events::seq.le(last)))
            .execute(conn)?;
        diesel::update(
            change_feed_head::table
                .filter(change_feed_head::id.eq(1))
                .filter(change_feed_head::pruned_through.lt(last)),
        )
        .set(change_feed_head::pruned_through.eq(last))
        .execute(conn)?;
        Ok(removed)
    })
}
