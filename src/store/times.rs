//! Range conditions on recorded times. Times are recorded in one fixed-width form
//! (`…:SS.mmmZ`, see `crate::time`), whose text order is time order; archives written by
//! earlier builds also hold whole seconds as `…:SSZ`, which sorts after every fraction of its
//! second. The condition here compares a column with a bound in the fixed-width form and is
//! right for rows in either form, while still using the column's index for the range.

/// The legacy (fraction-free) spelling of the second a bound falls in.
fn legacy_second(bound: &str) -> String {
    format!("substr({bound}, 1, 19) || 'Z'")
}

/// `column >= bound`.
pub(crate) fn at_or_after(column: &str, bound: &str) -> String {
    format!(
        "({column} >= {bound} AND ({column} <> {legacy} OR substr({bound}, 20) = '.000Z'))",
        legacy = legacy_second(bound)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Which of the times are at or after the bound, by the condition, in SQLite itself.
    fn at_or_after_in_sqlite(bound: &str, times: &[&str]) -> Vec<String> {
        let db = rusqlite::Connection::open_in_memory().unwrap();
        let sql = format!(
            "SELECT t FROM (SELECT value AS t FROM json_each(?2)) WHERE {} ORDER BY t",
            at_or_after("t", "?1")
        );
        let json = serde_json::to_string(times).unwrap();
        let mut stmt = db.prepare(&sql).unwrap();
        let rows = stmt.query_map([bound, &json], |r| r.get(0)).unwrap();
        rows.collect::<Result<_, _>>().unwrap()
    }

    const TIMES: [&str; 5] = [
        "2026-11-20T09:14:59.900Z",
        "2026-11-20T09:15:00Z",
        "2026-11-20T09:15:00.400Z",
        "2026-11-20T09:15:00.600Z",
        "2026-11-20T09:15:01Z",
    ];

    #[test]
    fn a_fractional_bound_reads_whole_seconds_as_their_time() {
        assert_eq!(
            at_or_after_in_sqlite("2026-11-20T09:15:00.500Z", &TIMES),
            ["2026-11-20T09:15:00.600Z", "2026-11-20T09:15:01Z"]
        );
    }

    #[test]
    fn a_whole_second_bound_includes_its_own_second() {
        assert_eq!(
            at_or_after_in_sqlite("2026-11-20T09:15:00.000Z", &TIMES),
            [
                "2026-11-20T09:15:00.400Z",
                "2026-11-20T09:15:00.600Z",
                "2026-11-20T09:15:00Z",
                "2026-11-20T09:15:01Z"
            ]
        );
    }
}
