//! Transactions. Every write goes through [`in_write_transaction`]; repository functions take
//! `&mut AnyConnection` so that callers compose them (the change, its history, its audit row) inside
//! one. The outermost transaction writes the changes feed's events of what it audited just before
//! it commits ([`crate::changes`]).

use diesel::Connection;
use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::result::Error as DieselError;
use diesel::sqlite::SqliteConnection;

use crate::{AnyConnection, PersistenceResult, changes};

/// Runs `work` in one transaction: committed when it returns `Ok`, rolled back otherwise. It takes
/// no lock up front, so use it only for reads that must see one snapshot; anything that writes uses
/// [`in_write_transaction`]. Nested inside another transaction it is a savepoint.
pub fn in_transaction<T>(
    conn: &mut AnyConnection,
    work: impl FnOnce(&mut AnyConnection) -> PersistenceResult<T>,
) -> PersistenceResult<T> {
    let mark = changes::enter();
    let result = conn.transaction(|conn| {
        let value = work(conn)?;
        changes::before_commit(conn)?;
        Ok(value)
    });
    changes::leave(mark, result.is_ok());
    result
}

/// Runs `work` in a write transaction: committed when it returns `Ok`, rolled back otherwise.
///
/// On SQLite it starts with `BEGIN IMMEDIATE`, which takes the database's write lock before the
/// first statement and waits for it under `busy_timeout`. A plain (deferred) transaction that reads
/// first and writes later cannot wait: when another writer committed in between, its upgrade to a
/// writer fails at once with `database is locked` (SQLITE_BUSY), whatever the timeout. Writers thus
/// queue instead of failing. On PostgreSQL it is a normal transaction (row locks serialise what
/// must be serialised). Nested inside another transaction it is a savepoint of that one.
pub fn in_write_transaction<T>(
    conn: &mut AnyConnection,
    work: impl FnOnce(&mut AnyConnection) -> PersistenceResult<T>,
) -> PersistenceResult<T> {
    let AnyConnection::Sqlite(sqlite) = conn else {
        return in_transaction(conn, work);
    };
    let depth =
        <AnsiTransactionManager as TransactionManager<SqliteConnection>>::transaction_manager_status_mut(sqlite)
            .transaction_depth()?;
    if depth.is_some() {
        return in_transaction(conn, work);
    }
    AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE")?;
    // From here the multi-connection's transaction manager sees the open transaction (it keeps the
    // SQLite connection's state), so nested `transaction` calls inside `work` become savepoints.
    type Manager = <AnyConnection as Connection>::TransactionManager;
    let mark = changes::enter();
    let result = match work(conn).and_then(|value| changes::before_commit(conn).map(|()| value)) {
        Ok(value) => Manager::commit_transaction(conn)
            .map(|()| value)
            .map_err(Into::into),
        Err(error) => match Manager::rollback_transaction(conn) {
            Ok(()) | Err(DieselError::BrokenTransactionManager) => Err(error),
            Err(rollback) => Err(rollback.into()),
        },
    };
    changes::leave(mark, result.is_ok());
    result
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::sync::{Arc, Barrier};

    use diesel::connection::SimpleConnection;
    use diesel::prelude::*;
    use diesel::sql_types::BigInt;

    use super::*;
    use crate::DatabaseTarget;

    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }

    fn count(conn: &mut AnyConnection) -> PersistenceResult<i64> {
        let row: Count = diesel::sql_query("SELECT COUNT(*) AS n FROM tally").get_result(conn)?;
        Ok(row.n)
    }

    /// Sixteen threads each read, pause and write in one transaction: with `BEGIN IMMEDIATE` they
    /// queue and every write lands; a deferred transaction would fail its upgrade to a writer with
    /// `database is locked` as soon as another thread committed in between.
    #[test]
    fn sixteen_sqlite_writers_that_read_first_queue_instead_of_failing() {
        let dir = std::env::temp_dir().join(format!(
            "ormas-tx-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        let target = DatabaseTarget::Sqlite(dir.join("tx.db"));
        target.prepare().unwrap();
        target
            .connect()
            .unwrap()
            .batch_execute("CREATE TABLE tally (seen BIGINT NOT NULL)")
            .unwrap();
        let barrier = Arc::new(Barrier::new(16));
        let writers: Vec<_> = (0..16)
            .map(|_| {
                let (target, barrier) = (target.clone(), barrier.clone());
                std::thread::spawn(move || {
                    let mut conn = target.connect().unwrap();
                    barrier.wait();
                    in_write_transaction(&mut conn, |conn| {
                        let seen = count(conn)?;
                        std::thread::sleep(std::time::Duration::from_millis(5));
                        diesel::sql_query(format!("INSERT INTO tally (seen) VALUES ({seen})"))
                            .execute(conn)?;
                        // A nested write transaction is a savepoint of this one.
                        in_write_transaction(conn, count)
                    })
                })
            })
            .collect();
        for writer in writers {
            writer.join().unwrap().expect("no writer fails");
        }
        let mut conn = target.connect().unwrap();
        assert_eq!(count(&mut conn).unwrap(), 16);
        // Serialised: each writer saw every earlier one.
        let seen: Vec<i64> = diesel::sql_query("SELECT seen AS n FROM tally ORDER BY seen")
            .load::<Count>(&mut conn)
            .unwrap()
            .into_iter()
            .map(|c| c.n)
            .collect();
        assert_eq!(seen, (0..16).collect::<Vec<i64>>());
        drop(conn);
        let _ = std::fs::remove_dir_all(dir);
    }
}
