//! SQL building blocks shared by the repositories of every resource: portable functions, the
//! region-subtree range, the keyset cursor condition, LIKE escaping, gap-free sequences and the
//! versioned update. A new resource's repository uses these instead of writing its own.

diesel::define_sql_function! {
    /// SQL `lower()`, on both backends.
    fn lower(text: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// Escapes `%`, `_` and `\` for a LIKE pattern with `ESCAPE '\'`.
pub fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The region and every region below it, as one index range: `code <= column < code + "/"`. Codes
/// are digits and dots, and `/` sorts right after `.` (byte order: the region columns are
/// `COLLATE "C"` on PostgreSQL, binary on SQLite), so the range holds exactly `code` and `code.…`.
macro_rules! in_subtree {
    ($column:expr, $code:expr) => {{
        let code: String = $code;
        let end = format!("{code}/");
        $column.ge(code).and($column.lt(end))
    }};
}
pub(crate) use in_subtree;

/// The rows after a two-part cursor in `(first, second)` order, e.g. `(region_code, id)`: the one
/// keyset condition of every list ordered that way.
///
/// Written `first >= a AND (first > a OR second > b)`, not `first > a OR (first = a AND second >
/// b)` (the same rows, both columns being NOT NULL): PostgreSQL cannot start an index scan at an
/// `OR`, so that form read the `(first, second)` index from its beginning and filtered every row
/// before the cursor, each page costing as much as all the pages before it (the national export's
/// 275 batches took 36 s that way, 10–15 s with the index condition). `first >= a` is an index
/// condition on both backends.
macro_rules! after_pair {
    ($first:expr, $second:expr, $after:expr) => {{
        let (first, second): (String, String) = $after;
        $first
            .ge(first.clone())
            .and($first.gt(first).or($second.gt(second)))
    }};
}
pub(crate) use after_pair;

/// Advances a per-region, per-year gap-free sequence table (`region_code`, `year`, `last_number`)
/// with one upsert and returns the new number; the upsert's row lock (PostgreSQL) or the write lock
/// (SQLite) serialises concurrent callers. Call it inside the write transaction that uses the
/// number, so that a rollback leaves no gap. Used for registration and receipt numbers.
macro_rules! advance_sequence {
    ($conn:expr, $table:ident, $region:expr, $year:expr) => {{
        use crate::schema::$table::dsl as s;
        let value = crate::on_backend!($conn, |c| diesel::insert_into(s::$table)
            .values((
                s::region_code.eq($region),
                s::year.eq($year),
                s::last_number.eq(1)
            ))
            .on_conflict((s::region_code, s::year))
            .do_update()
            .set(s::last_number.eq(s::last_number + 1))
            .returning(s::last_number)
            .get_result::<i32>(c))?;
        Ok(value)
    }};
}
pub(crate) use advance_sequence;

/// Saves a changed row (an `AsChangeset` with `id` and `version`) when its stored `version` is
/// still `$expected`: optimistic concurrency for `PATCH` and transitions. Evaluates to `Ok(())`, or
/// to [`PersistenceError::StaleVersion`](crate::PersistenceError::StaleVersion) when another write
/// got there first (nothing is changed; inside a write transaction, return it to roll back).
macro_rules! update_if_version {
    ($conn:expr, $table:ident, $row:expr, $expected:expr) => {{
        use crate::schema::$table::dsl as t;
        let changed = diesel::update(
            t::$table
                .filter(t::id.eq(&$row.id))
                .filter(t::version.eq($expected)),
        )
        .set($row)
        .execute($conn)?;
        if changed == 1 {
            Ok(())
        } else {
            Err(crate::PersistenceError::StaleVersion)
        }
    }};
}
pub(crate) use update_if_version;

#[cfg(test)]
mod tests {
    use super::escape_like;

    #[test]
    fn like_metacharacters_are_escaped() {
        assert_eq!(escape_like(r"50%_a\b"), r"50\%\_a\\b");
        assert_eq!(escape_like("peduli"), "peduli");
    }
}
