//! Arbitrary bytes as date text: machine dates, visible (Arabic/French/English) dates, and
//! relative dates.
#![no_main]

use arshif::extract::dates::{find_visible_date, parse_machine_date, parse_relative_date};
use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    let tz = chrono_tz::Africa::Casablanca;
    let fetched_at = Utc.with_ymd_and_hms(2026, 11, 20, 9, 15, 0).unwrap();
    let _ = parse_machine_date(&s, tz);
    let _ = find_visible_date(&s, tz);
    let _ = parse_relative_date(&s, fetched_at);
});
