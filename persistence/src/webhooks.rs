//! Webhook subscriptions and their delivery queue.
//!
//! # How deliveries stay in order and are never lost
//! A subscription follows the changes feed from its own position (`cursor_seq`). A dispatcher
//! instance first *claims* a subscription by taking its lease (`lease_owner`, `lease_until`); on
//! PostgreSQL the candidates are selected `FOR UPDATE SKIP LOCKED`, so instances never wait on each
//! other, and on SQLite (one writer at a time) the conditional update alone decides. Holding the
//! lease, it copies the feed's new events that the subscription may see into `webhook_deliveries`
//! ([`fan_out`], advancing the cursor in the same transaction), then delivers the oldest pending
//! delivery ([`next_due`]) and records the attempt only while it still holds the lease. One
//! instance at a time delivers a subscription's events, oldest first, and the next waits until the
//! previous one succeeded: feed order per subscription. An instance that dies mid-delivery leaves
//! the delivery pending; once the lease expires another instance sends it again, with the same
//! `webhook-id` (at least once).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::changes::{self, ChangeFilter, ChangeRow};
use crate::schema::{webhook_deliveries, webhook_subscriptions};
use crate::sql::in_subtree;
use crate::{AnyConnection, PersistenceResult};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_subscriptions)]
pub struct SubscriptionRow {
    pub id: String,
    pub owner_id: String,
    pub owner_role: String,
    pub owner_region: Option<String>,
    pub url: String,
    pub description: Option<String>,
    /// A JSON array of event types; empty: every type the owner may read.
    pub event_types: String,
    pub region_code: Option<String>,
    pub secret: String,
    pub previous_secret: Option<String>,
    pub previous_secret_until: Option<NaiveDateTime>,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    pub disabled_at: Option<NaiveDateTime>,
    pub cursor_seq: i64,
    pub lease_owner: Option<String>,
    pub lease_until: Option<NaiveDateTime>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl SubscriptionRow {
    pub fn types(&self) -> Vec<String> {
        serde_json::from_str(&self.event_types).unwrap_or_default()
    }

    /// The secrets that sign a delivery at `now`: the current one, and the previous one while its
    /// overlap lasts.
    pub fn signing_secrets(&self, now: NaiveDateTime) -> Vec<&str> {
        let mut out = vec![self.secret.as_str()];
        if let (Some(previous), Some(until)) = (&self.previous_secret, self.previous_secret_until)
            && until > now
        {
            out.push(previous);
        }
        out
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_deliveries)]
pub struct DeliveryRow {
    pub id: String,
    pub subscription_id: String,
    pub message_id: String,
    pub event_seq: i64,
    pub event_type: String,
    pub payload: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub last_attempt_at: Option<NaiveDateTime>,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    pub delivered_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

pub const PENDING: &str = "pending";
pub const SUCCEEDED: &str = "succeeded";
pub const FAILED: &str = "failed";

pub fn insert_subscription(
    conn: &mut AnyConnection,
    row: &SubscriptionRow,
) -> PersistenceResult<()> {
    diesel::insert_into(webhook_subscriptions::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn find_subscription(
    conn: &mut AnyConnection,
    id: &str,
) -> PersistenceResult<Option<SubscriptionRow>> {
    Ok(webhook_subscriptions::table
        .find(id)
        .select(SubscriptionRow::as_select())
        .first(conn)
        .optional()?)
}

/// Which subscriptions a caller sees: its own, or (staff who manage webhooks) those of a region
/// subtree (`Some(None)`: the nation).
#[derive(Debug, Clone)]
pub enum SubscriptionScope {
    Owner(String),
    Region(Option<String>),
}

pub fn list_subscriptions(
    conn: &mut AnyConnection,
    scope: &SubscriptionScope,
) -> PersistenceResult<Vec<SubscriptionRow>> {
    let mut query = webhook_subscriptions::table
        .select(SubscriptionRow::as_select())
        .order(webhook_subscriptions::id.asc())
        .into_boxed();
    match scope {
        SubscriptionScope::Owner(owner) => {
            query = query.filter(webhook_subscriptions::owner_id.eq(owner.clone()));
        }
        SubscriptionScope::Region(Some(region)) => {
            query = query.filter(in_subtree!(
                webhook_subscriptions::region_code,
                region.clone()
            ));
        }
        SubscriptionScope::Region(None) => {}
    }
    Ok(query.load(conn)?)
}

/// What an edit changes: everything but the owner, the creation time, and the dispatcher's lease
/// and cursor.
#[derive(AsChangeset)]
#[diesel(table_name = webhook_subscriptions, treat_none_as_null = true)]
struct SubscriptionEdit<'a> {
    id: &'a str,
    url: &'a str,
    description: Option<&'a str>,
    event_types: &'a str,
    region_code: Option<&'a str>,
    secret: &'a str,
    previous_secret: Option<&'a str>,
    previous_secret_until: Option<NaiveDateTime>,
    enabled: bool,
    disabled_reason: Option<&'a str>,
    disabled_at: Option<NaiveDateTime>,
    version: i32,
    updated_at: NaiveDateTime,
}

/// Saves an edited subscription when its stored version is still `expected` (the row carries
/// the new version); [`crate::PersistenceError::StaleVersion`] otherwise.
pub fn update_subscription(
    conn: &mut AnyConnection,
    row: &SubscriptionRow,
    expected: i32,
) -> PersistenceResult<()> {
    let edit = SubscriptionEdit {
        id: &row.id,
        url: &row.url,
        description: row.description.as_deref(),
        event_types: &row.event_types,
        region_code: row.region_code.as_deref(),
        secret: &row.secret,
        previous_secret: row.previous_secret.as_deref(),
        previous_secret_until: row.previous_secret_until,
        enabled: row.enabled,
        disabled_reason: row.disabled_reason.as_deref(),
        disabled_at: row.disabled_at,
        version: row.version,
        updated_at: row.updated_at,
    };
    crate::sql::update_if_version!(conn, webhook_subscriptions, &edit, expected)
}

pub fn delete_subscription(conn: &mut AnyConnection, id: &str) -> PersistenceResult<bool> {
    diesel::delete(webhook_deliveries::table.filter(webhook_deliveries::subscription_id.eq(id)))
        .execute(conn)?;
    let removed =
        diesel::delete(webhook_subscriptions::table.filter(webhook_subscriptions::id.eq(id)))
            .execute(conn)?;
    Ok(removed == 1)
}

/// Whether any subscription is enabled: the dispatcher claims nothing (writes nothing) otherwise.
pub fn any_enabled(conn: &mut AnyConnection) -> PersistenceResult<bool> {
    Ok(diesel::select(diesel::dsl::exists(
        webhook_subscriptions::table.filter(webhook_subscriptions::enabled.eq(true)),
    ))
    .get_result(conn)?)
}

/// Takes the lease of up to `limit` enabled subscriptions that no live instance holds; returns
/// their ids. PostgreSQL skips the rows another instance is claiming at this moment.
pub fn claim(
    conn: &mut AnyConnection,
    owner: &str,
    now: NaiveDateTime,
    until: NaiveDateTime,
    limit: i64,
) -> PersistenceResult<Vec<String>> {
    use webhook_subscriptions::dsl as s;
    let free = s::enabled
        .eq(true)
        .and(s::lease_until.is_null().or(s::lease_until.lt(now)));
    let ids: Vec<String> = match conn {
        AnyConnection::Postgresql(pg) => pg.transaction(|pg| {
            let ids: Vec<String> = s::webhook_subscriptions
                .filter(free)
                .select(s::id)
                .order(s::lease_until.asc().nulls_first())
                .limit(limit)
                .for_update()
                .skip_locked()
                .load(pg)?;
            diesel::update(s::webhook_subscriptions.filter(s::id.eq_any(&ids)))
                .set((s::lease_owner.eq(owner), s::lease_until.eq(until)))
                .execute(pg)?;
            Ok::<_, diesel::result::Error>(ids)
        })?,
        AnyConnection::Sqlite(lite) => lite.immediate_transaction(|lite| {
            let ids: Vec<String> = s::webhook_subscriptions
                .filter(free)
                .select(s::id)
                .order(s::lease_until.asc())
                .limit(limit)
                .load(lite)?;
            diesel::update(s::webhook_subscriptions.filter(s::id.eq_any(&ids)))
                .set((s::lease_owner.eq(owner), s::lease_until.eq(until)))
                .execute(lite)?;
            Ok::<_, diesel::result::Error>(ids)
        })?,
    };
    Ok(ids)
}

/// Extends the lease while `owner` holds it; `false` when it was lost (expired and taken).
pub fn renew(
    conn: &mut AnyConnection,
    id: &str,
    owner: &str,
    until: NaiveDateTime,
) -> PersistenceResult<bool> {
    use webhook_subscriptions::dsl as s;
    let changed = diesel::update(
        s::webhook_subscriptions
            .filter(s::id.eq(id))
            .filter(s::lease_owner.eq(owner))
            .filter(s::enabled.eq(true)),
    )
    .set(s::lease_until.eq(until))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Gives the lease back (`id`: one subscription; `None`: every one `owner` holds).
pub fn release(conn: &mut AnyConnection, id: Option<&str>, owner: &str) -> PersistenceResult<()> {
    use webhook_subscriptions::dsl as s;
    let mut query = diesel::update(s::webhook_subscriptions)
        .filter(s::lease_owner.eq(owner))
        .into_boxed();
    if let Some(id) = id {
        query = query.filter(s::id.eq(id.to_owned()));
    }
    query
        .set((
            s::lease_owner.eq(None::<String>),
            s::lease_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(())
}

/// What a subscription may receive, as a feed filter.
pub struct Interest {
    pub types: Vec<String>,
    pub readable: Option<Vec<String>>,
    pub region: Option<String>,
}

/// Copies the feed's events after the subscription's cursor that it may see into its queue, up to
/// `batch` of them, and advances the cursor, in one transaction; only while `owner` holds the
/// lease. Returns how many deliveries were queued.
pub fn fan_out(
    conn: &mut AnyConnection,
    subscription: &str,
    owner: &str,
    interest: &Interest,
    batch: i64,
    now: NaiveDateTime,
    payload: &dyn Fn(&ChangeRow) -> String,
) -> PersistenceResult<usize> {
    crate::tx::in_write_transaction(conn, |conn| {
        use webhook_subscriptions::dsl as s;
        let cursor: Option<i64> = s::webhook_subscriptions
            .filter(s::id.eq(subscription))
            .filter(s::lease_owner.eq(owner))
            .select(s::cursor_seq)
            .first(conn)
            .optional()?;
        let Some(cursor) = cursor else {
            return Ok(0);
        };
        // Every event at or below the head read first has committed and is visible below.
        let head = changes::position(conn)?.head;
        if head <= cursor {
            return Ok(0);
        }
        let filter = ChangeFilter {
            after: cursor,
            limit: batch,
            types: interest.types.clone(),
            readable: interest.readable.clone(),
            region: interest.region.clone(),
        };
        let events = changes::list(conn, &filter)?;
        let last = events.last().map_or(cursor, |e| e.seq);
        let next = if i64::try_from(events.len()).unwrap_or(i64::MAX) < batch {
            head.max(last)
        } else {
            last
        };
        for event in &events {
            diesel::insert_into(webhook_deliveries::table)
                .values(&DeliveryRow {
                    id: uuid::Uuid::now_v7().to_string(),
                    subscription_id: subscription.to_owned(),
                    message_id: event.id.clone(),
                    event_seq: event.seq,
                    event_type: event.event_type.clone(),
                    payload: payload(event),
                    status: PENDING.to_owned(),
                    attempts: 0,
                    next_attempt_at: now,
                    last_attempt_at: None,
                    last_status_code: None,
                    last_error: None,
                    delivered_at: None,
                    created_at: now,
                })
                .execute(conn)?;
        }
        diesel::update(s::webhook_subscriptions.filter(s::id.eq(subscription)))
            .set(s::cursor_seq.eq(next))
            .execute(conn)?;
        Ok(events.len())
    })
}

/// Queues a delivery outside the feed (a ping), at the subscription's current position.
pub fn enqueue(conn: &mut AnyConnection, row: &DeliveryRow) -> PersistenceResult<()> {
    diesel::insert_into(webhook_deliveries::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// The subscription's oldest pending delivery, and whether it is due at `now`.
pub fn next_pending(
    conn: &mut AnyConnection,
    subscription: &str,
) -> PersistenceResult<Option<DeliveryRow>> {
    use webhook_deliveries::dsl as d;
    Ok(d::webhook_deliveries
        .filter(d::subscription_id.eq(subscription))
        .filter(d::status.eq(PENDING))
        .order((d::event_seq.asc(), d::created_at.asc(), d::id.asc()))
        .select(DeliveryRow::as_select())
        .first(conn)
        .optional()?)
}

/// What an attempt came to.
#[derive(Debug, Clone)]
pub enum Attempt {
    Delivered {
        status: i32,
    },
    /// Failed; try again at `retry_at`, or give up (`None`) and disable the subscription with
    /// `reason`.
    Failed {
        status: Option<i32>,
        error: String,
        retry_at: Option<NaiveDateTime>,
        reason: String,
    },
}

/// Records an attempt of `delivery` while `owner` still holds its subscription's lease; `false`
/// (nothing recorded) when the lease was lost.
pub fn record_attempt(
    conn: &mut AnyConnection,
    delivery: &DeliveryRow,
    owner: &str,
    at: NaiveDateTime,
    attempt: &Attempt,
) -> PersistenceResult<bool> {
    crate::tx::in_write_transaction(conn, |conn| {
        use webhook_deliveries::dsl as d;
        use webhook_subscriptions::dsl as s;
        let held: Option<String> = s::webhook_subscriptions
            .filter(s::id.eq(&delivery.subscription_id))
            .filter(s::lease_owner.eq(owner))
            .select(s::id)
            .first(conn)
            .optional()?;
        if held.is_none() {
            return Ok(false);
        }
        let target = d::webhook_deliveries.filter(d::id.eq(&delivery.id));
        match attempt {
            Attempt::Delivered { status } => {
                diesel::update(target)
                    .set((
                        d::status.eq(SUCCEEDED),
                        d::attempts.eq(d::attempts + 1),
                        d::last_attempt_at.eq(Some(at)),
                        d::last_status_code.eq(Some(*status)),
                        d::last_error.eq(None::<String>),
                        d::delivered_at.eq(Some(at)),
                    ))
                    .execute(conn)?;
            }
            Attempt::Failed {
                status,
                error,
                retry_at,
                reason,
            } => {
                diesel::update(target)
                    .set((
                        d::status.eq(if retry_at.is_some() { PENDING } else { FAILED }),
                        d::attempts.eq(d::attempts + 1),
                        d::last_attempt_at.eq(Some(at)),
                        d::last_status_code.eq(*status),
                        d::last_error.eq(Some(error.clone())),
                        d::next_attempt_at.eq(retry_at.unwrap_or(at)),
                    ))
                    .execute(conn)?;
                if retry_at.is_none() {
                    disable(conn, &delivery.subscription_id, reason, at)?;
                }
            }
        }
        Ok(true)
    })
}

/// Disables a subscription, saying why, and gives its lease back.
pub fn disable(
    conn: &mut AnyConnection,
    id: &str,
    reason: &str,
    at: NaiveDateTime,
) -> PersistenceResult<()> {
    use webhook_subscriptions::dsl as s;
    diesel::update(s::webhook_subscriptions.filter(s::id.eq(id)))
        .set((
            s::enabled.eq(false),
            s::disabled_reason.eq(Some(reason)),
            s::disabled_at.eq(Some(at)),
            s::lease_owner.eq(None::<String>),
            s::lease_until.eq(None::<NaiveDateTime>),
            s::version.eq(s::version + 1),
            s::updated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// A page of a subscription's deliveries, newest first, optionally of one status, before the
/// delivery `(event_seq, id)` of the previous page.
pub fn list_deliveries(
    conn: &mut AnyConnection,
    subscription: &str,
    status: Option<&str>,
    before: Option<(i64, String)>,
    limit: i64,
) -> PersistenceResult<Vec<DeliveryRow>> {
    use webhook_deliveries::dsl as d;
    let mut query = d::webhook_deliveries
        .filter(d::subscription_id.eq(subscription.to_owned()))
        .order((d::event_seq.desc(), d::id.desc()))
        .select(DeliveryRow::as_select())
        .limit(limit)
        .into_boxed();
    if let Some(status) = status {
        query = query.filter(d::status.eq(status.to_owned()));
    }
    if let Some((seq, id)) = before {
        query = query.filter(
            d::event_seq
                .lt(seq)
                .or(d::event_seq.eq(seq).and(d::id.lt(id))),
        );
    }
    Ok(query.load(conn)?)
}

pub fn find_delivery(
    conn: &mut AnyConnection,
    subscription: &str,
    id: &str,
) -> PersistenceResult<Option<DeliveryRow>> {
    use webhook_deliveries::dsl as d;
    Ok(d::webhook_deliveries
        .filter(d::subscription_id.eq(subscription))
        .filter(d::id.eq(id))
        .select(DeliveryRow::as_select())
        .first(conn)
        .optional()?)
}

/// Sends a delivery again as soon as its turn comes: pending, due now, its attempts kept.
pub fn redeliver(conn: &mut AnyConnection, id: &str, now: NaiveDateTime) -> PersistenceResult<()> {
    use webhook_deliveries::dsl as d;
    diesel::update(d::webhook_deliveries.filter(d::id.eq(id)))
        .set((d::status.eq(PENDING), d::next_attempt_at.eq(now)))
        .execute(conn)?;
    Ok(())
}

/// Whether the account or API client `owner` may still receive: it exists and is active.
pub fn owner_active(conn: &mut AnyConnection, owner: &str) -> PersistenceResult<bool> {
    use crate::schema::{api_clients, users};
    let user: Option<bool> = users::table
        .find(owner)
        .select(users::active)
        .first(conn)
        .optional()?;
    if let Some(active) = user {
        return Ok(active);
    }
    let client: Option<bool> = api_clients::table
        .find(owner)
        .select(api_clients::active)
        .first(conn)
        .optional()?;
    Ok(client.unwrap_or(false))
}
