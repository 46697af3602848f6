//! Times as arshif writes them: one fixed-width form (`2026-11-20T09:15:00.000Z`) for every
//! time it records (fetches, runs, sightings, takedowns) and every bound a query compares them
//! with; RFC 3339 with fractions only when present for the dates a page states.
//!
//! Archives written by earlier builds also hold recorded times without a fraction (`…:00Z`,
//! which sorts after every fraction of its second); they are never rewritten (versions are
//! append-only), and the store's range conditions read both forms (see `store::times`).

use chrono::{DateTime, SecondsFormat, Utc};

/// RFC 3339 UTC with a `Z` suffix, to the millisecond, fractions shown only when present: the
/// form of the dates a page states (published, modified).
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

/// The current time in [`stored_time`] form.
pub fn now_stored() -> String {
    stored_time(Utc::now())
}

/// A time as arshif records it and compares it (UTC, always to the millisecond, `Z`): every
/// such string has the same width, so text order is time order.
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
