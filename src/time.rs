//! Times as arshif writes them: RFC 3339 for the records it keeps (`fetched_at`, run times,
//! WARC dates), and the fixed-width stored form that range queries compare against.

use chrono::{DateTime, SecondsFormat, Utc};

/// RFC 3339 UTC with a `Z` suffix, to the millisecond, fractions shown only when present.
pub fn rfc3339(t: DateTime<Utc>) -> String {
    use chrono::{SubsecRound, Timelike};
    let t = t.trunc_subsecs(3);
    let format = if t.nanosecond() == 0 {
        SecondsFormat::Secs
    } else {
        SecondsFormat::Millis
    };
    t.to_rfc3339_opts(format, true)
}

/// The current time in [`rfc3339`] form.
pub fn now_rfc3339() -> String {
    rfc3339(Utc::now())
}

/// A time as stored in the archive's text columns (UTC, milliseconds, `Z`), for comparisons.
pub fn stored_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_written_to_the_millisecond() {
        let t = DateTime::parse_from_rfc3339("2026-11-20T09:15:00.1234Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(rfc3339(t), "2026-11-20T09:15:00.123Z");
        assert_eq!(stored_time(t), "2026-11-20T09:15:00.123Z");
        let whole = DateTime::parse_from_rfc3339("2026-11-20T09:15:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(rfc3339(whole), "2026-11-20T09:15:00Z");
        assert_eq!(stored_time(whole), "2026-11-20T09:15:00.000Z");
    }
}
