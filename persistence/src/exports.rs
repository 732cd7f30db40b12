//! Bulk exports of the register: the batches a streamed export reads one after the other, and the
//! cheap fingerprint that makes the public export cacheable.
//!
//! An export never loads the register whole (Diesel loads a result set whole, on PostgreSQL too):
//! it reads [`BATCH`] rows at a time by key, in the list's order (`(region_code, id)`, one range of
//! the list's indexes), each query starting after the last key of the previous batch; the facts of
//! a batch (board positions, documents, decrees) are then fetched for its ids in one query each.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::register::{self, Registered, RegistrationFilter};
use crate::schema::{organisations, registrations};
use crate::{AnyConnection, PersistenceResult};

/// Rows per batch (one query, plus one per fact of the batch).
pub const BATCH: i64 = 2_000;

/// The next batch of `filter` after the key `after` (`None`: the first), at most [`BATCH`] rows.
/// The filter's own `after` and `limit` are ignored.
///
/// On PostgreSQL the query runs without parallel workers (`SET LOCAL` in its own transaction):
/// the planner costs the whole range after the key, not the 2,000 rows the limit takes, and picks
/// a parallel scan whose two workers are started and stopped for every batch. In a profile of the
/// national export, starting and stopping them (page mapping in the kernel) took a large part of
/// the database's CPU, on a machine whose cores also serialize the export; one process reading one
/// short range of the index does the same work without it.
pub fn batch(
    conn: &mut AnyConnection,
    filter: &RegistrationFilter,
    after: Option<(String, String)>,
) -> PersistenceResult<Vec<Registered>> {
    let mut filter = filter.clone();
    filter.after = after;
    filter.limit = BATCH;
    match conn {
        AnyConnection::Postgresql(_) => crate::in_transaction(conn, |conn| {
            diesel::sql_query("SET LOCAL max_parallel_workers_per_gather = 0").execute(conn)?;
            register::list_registrations(conn, &filter)
        }),
        AnyConnection::Sqlite(_) => register::list_registrations(conn, &filter),
    }
}

/// What the public register's content depends on, read in three aggregate queries: it changes
/// whenever an ormas enters or leaves the register or one of its rows (or organisations) is
/// updated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicFingerprint {
    /// The changes feed's head.
    pub feed_head: i64,
    /// Registrations stored as registered, suspended or revoked.
    pub in_register: i64,
    /// The latest `updated_at` of those registrations and of any organisation.
    pub last_modified: Option<NaiveDateTime>,
}

pub fn public_fingerprint(conn: &mut AnyConnection) -> PersistenceResult<PublicFingerprint> {
    let feed_head = crate::changes::position(conn)?.head;
    let (in_register, latest_registration): (i64, Option<NaiveDateTime>) = registrations::table
        .filter(registrations::state.eq_any(["registered", "suspended", "revoked"]))
        .select((
            diesel::dsl::count_star(),
            diesel::dsl::max(registrations::updated_at),
        ))
        .first(conn)?;
    let latest_organisation: Option<NaiveDateTime> = organisations::table
        .select(diesel::dsl::max(organisations::updated_at))
        .first(conn)?;
    Ok(PublicFingerprint {
        feed_head,
        in_register,
        last_modified: latest_registration.max(latest_organisation),
    })
}
