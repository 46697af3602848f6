//! Dates: machine-readable timestamps and visible dates in Arabic, French and English, to UTC.
//!
//! All text is first folded for dates ([`crate::fold::fold_date`]): Arabic-Indic and Persian
//! digits become ASCII, harakat, tatweel and bidi marks are dropped, hamza-carrying alefs become
//! a bare alef, `ة` becomes `ه`, `ى` and `ی` become `ي`, Latin text is lowercased and French
//! accents are folded, and whitespace runs become one space. Every pattern below is written
//! against that form, and all slicing happens at byte offsets returned by the regex engine or
//! found by `char_indices`, so it always lands on a char boundary.

use std::sync::LazyLock;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use regex::Regex;

use crate::fold::fold_date;

/// Finds the first valid candidate starting before a byte limit: (start, instant).
type DateFinder = fn(&str, Tz, usize) -> Option<(usize, DateTime<Utc>)>;
/// Finds the first relative expression: (start, seconds before the fetch time).
type RelFinder = fn(&str) -> Option<(usize, i64)>;

const MIN_YEAR: i32 = 1990;
const MAX_YEAR: i32 = 2100;

/// Month names in normalized form. Two-word names use a single space.
const MONTH_NAMES: &[(&str, u32)] = &[
    // Arabic, Morocco / Maghreb.
    ("يناير", 1),
    ("فبراير", 2),
    ("مارس", 3),
    ("ابريل", 4),
    ("ماي", 5),
    ("يونيو", 6),
    ("يوليوز", 7),
    ("غشت", 8),
    ("شتنبر", 9),
    ("اكتوبر", 10),
    ("نونبر", 11),
    ("دجنبر", 12),
    // Arabic, Egypt / standard.
    ("مايو", 5),
    ("يونيه", 6),
    ("يوليو", 7),
    ("يوليه", 7),
    ("اغسطس", 8),
    ("سبتمبر", 9),
    ("نوفمبر", 11),
    ("ديسمبر", 12),
    // Arabic, Algeria / Tunisia.
    ("جانفي", 1),
    ("جانفيه", 1),
    ("فيفري", 2),
    ("افريل", 4),
    ("جوان", 6),
    ("جويليه", 7),
    ("اوت", 8),
    // Arabic, Mashriq.
    ("كانون الثاني", 1),
    ("كانون ثاني", 1),
    ("شباط", 2),
    ("اذار", 3),
    ("نيسان", 4),
    ("ايار", 5),
    ("حزيران", 6),
    ("تموز", 7),
    ("اب", 8),
    ("ايلول", 9),
    ("تشرين الاول", 10),
    ("تشرين اول", 10),
    ("تشرين الثاني", 11),
    ("تشرين ثاني", 11),
    ("كانون الاول", 12),
    ("كانون اول", 12),
    // French (accents folded).
    ("janvier", 1),
    ("janv", 1),
    ("fevrier", 2),
    ("fevr", 2),
    ("fev", 2),
    ("mars", 3),
    ("avril", 4),
    ("avr", 4),
    ("mai", 5),
    ("juin", 6),
    ("juillet", 7),
    ("juil", 7),
    ("aout", 8),
    ("septembre", 9),
    ("octobre", 10),
    ("novembre", 11),
    ("decembre", 12),
    // English.
    ("january", 1),
    ("jan", 1),
    ("february", 2),
    ("feb", 2),
    ("march", 3),
    ("mar", 3),
    ("april", 4),
    ("apr", 4),
    ("may", 5),
    ("june", 6),
    ("jun", 6),
    ("july", 7),
    ("jul", 7),
    ("august", 8),
    ("aug", 8),
    ("september", 9),
    ("sept", 9),
    ("sep", 9),
    ("october", 10),
    ("oct", 10),
    ("november", 11),
    ("nov", 11),
    ("december", 12),
    ("dec", 12),
];

/// Regex alternation of all month names, longest first, two-word names allowing any spacing.
static MONTH_ALT: LazyLock<String> = LazyLock::new(|| {
    let mut names: Vec<&str> = MONTH_NAMES.iter().map(|(n, _)| *n).collect();
    names.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
    names.dedup();
    let parts: Vec<String> = names
        .iter()
        .map(|n| regex::escape(n).replace(' ', r"\s+"))
        .collect();
    format!("(?:{})", parts.join("|"))
});

/// «20 نونبر 2026», "1er décembre 2026", "20 nov. 2026", "20th of November, 2026",
/// «20 نوفمبر/تشرين الثاني 2026».
static DAY_FIRST_RE: LazyLock<Regex> = LazyLock::new(|| {
    let m = MONTH_ALT.as_str();
    Regex::new(&format!(
        r"([0-9]{{1,2}})(?:er|eme|st|nd|rd|th)?\s?(?:de\s|of\s)?({m})(?:\s?[/(]\s?{m}\s?\)?)?\.?[\s,]{{0,3}}(?:de\s)?([0-9]{{4}})"
    ))
    .expect("day-first regex")
});

/// "November 20, 2026", "Nov. 20th 2026".
static MONTH_FIRST_RE: LazyLock<Regex> = LazyLock::new(|| {
    let m = MONTH_ALT.as_str();
    Regex::new(&format!(
        r"(?:^|[^\p{{L}}])({m})\.?\s{{1,3}}([0-9]{{1,2}})(?:st|nd|rd|th|er)?[\s,]{{1,3}}([0-9]{{4}})"
    ))
    .expect("month-first regex")
});

/// 20/11/2026, 20-11-2026, 20.11.2026, 2026/11/20, 2026-11-20.
static NUMERIC_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"([0-9]{1,4})\s?([/.\-])\s?([0-9]{1,2})\s?([/.\-])\s?([0-9]{1,4})")
        .expect("numeric regex")
});

/// A time right after a date: " - 10:15", " à 10h15", " على الساعة 10:15", "T10:15:00".
static TIME_AFTER_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^[\s,|/•·:\-]{0,6}(?:(?:علي\s)?الساعه|at|a|vers|t|@|في)?\s?:?\s?([0-9]{1,2})\s?(?::\s?([0-9]{2})|h\s?([0-9]{2})?)(?::([0-9]{2}))?",
    )
    .expect("time-after regex")
});

/// A time shortly before a date: "3:45 PM EST, Mon " (the date follows).
static TIME_BEFORE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:^|[^0-9:])([0-9]{1,2})\s?(?::\s?([0-9]{2})|h\s?([0-9]{2}))(?::([0-9]{2}))?([^0-9]{0,40})$",
    )
    .expect("time-before regex")
});

/// What may sit between a leading time (after its am/pm and zone) and the date.
static BETWEEN_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[\s,|•·()\-]*(?:\p{L}+\.?[\s,|\-]*){0,2}$").expect("between regex")
});

static OFFSET_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s?([+-])([0-9]{1,2})(?::?([0-9]{2}))?").expect("offset regex"));

static ISO_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:(?:t|\s+)([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:[.,][0-9]{1,9})?)?)?\s*(z|utc|gmt|[+-][0-9]{2}(?::?[0-9]{2})?)?$",
    )
    .expect("iso regex")
});

const AR_REL_UNITS: &str = "ثانيتين|ثانيه|ثواني|ثوان|ث|دقيقتين|دقيقه|دقائق|دقايق|د|ساعتين|ساعات|ساعه|س|يومين|ايام|يوم|اسبوعين|اسابيع|اسبوع|شهرين|اشهر|شهور|شهر|سنتين|سنوات|سنين|سنه|عامين|اعوام|عام";
const AR_NUM_WORDS: &str = "واحده|واحد|اثنتين|اثنين|اثنان|ثلاثه|ثلاث|اربعه|اربع|خمسه|خمس|سته|ست|سبعه|سبع|ثمانيه|ثماني|ثمان|تسعه|تسع|عشره|عشر";

static AR_REL_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?:^|[^\p{{L}}])(?:منذ|قبل)\s(?:حوالي\s|نحو\s)?(?:([0-9]{{1,4}})\s?|({AR_NUM_WORDS})\s)?({AR_REL_UNITS})"
    ))
    .expect("arabic relative regex")
});

static FR_REL_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:^|[^\p{L}])il\sy\sa\s(?:environ\s|pres\sde\s|plus\sde\s)?(?:([0-9]{1,4})\s?|(une|un|quelques)\s)?(secondes|seconde|secs|sec|s|minutes|minute|mins|min|mn|heures|heure|h|jours|jour|j|semaines|semaine|mois|annees|annee|ans|an)",
    )
    .expect("french relative regex")
});

static EN_REL_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:^|[^\p{L}0-9])([0-9]{1,4}|an|a|one|two|three|four|five|six|seven|eight|nine|ten|a\sfew|few|several)\s?(seconds|second|secs|sec|s|minutes|minute|mins|min|m|hours|hour|hrs|hr|h|days|day|d|weeks|week|wks|wk|w|months|month|mos|mo|years|year|yrs|yr|y)\.?\s?ago",
    )
    .expect("english relative regex")
});

static REL_WORD_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:^|[^\p{L}])(اول\sمن\sامس|اول\sامس|بالامس|الامس|امس|البارحه|avant[\s-]hier|hier|the\sday\sbefore\syesterday|day\sbefore\syesterday|yesterday|just\snow|a\sl'instant|a\sl’instant)",
    )
    .expect("relative word regex")
});

/// A machine-readable date (JSON-LD, meta tags, `time[datetime]`): RFC 3339, ISO 8601 variants
/// ("2026-11-20T10:15:00+01:00", "2026-11-20T10:15:00Z", "2026-11-20T10:15:00.000+0100",
/// "2026-11-20T10:15", "2026-11-20 10:15:00", "2026-11-20"), RFC 2822 ("Fri, 20 Nov 2026 10:15:00 +0100"),
/// Unix seconds are NOT accepted. A value without a zone is read in `tz`. Date-only values: local midnight in `tz`.
pub fn parse_machine_date(s: &str, tz: Tz) -> Option<DateTime<Utc>> {
    let t = s.trim();
    if t.is_empty() || t.len() > 256 {
        return None;
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return checked_year(d);
    }
    let lower = t.to_ascii_lowercase();
    if let Some(c) = ISO_RE.captures(&lower) {
        let year: i32 = c.get(1)?.as_str().parse().ok()?;
        let month: u32 = c.get(2)?.as_str().parse().ok()?;
        let day: u32 = c.get(3)?.as_str().parse().ok()?;
        let date = valid_date(year, month, day)?;
        let time = match c.get(4) {
            Some(h) => {
                let hour: u32 = h.as_str().parse().ok()?;
                let minute: u32 = c.get(5)?.as_str().parse().ok()?;
                let second: u32 = match c.get(6) {
                    Some(s) => s.as_str().parse().ok()?,
                    None => 0,
                };
                Some(TimeOfDay {
                    hour,
                    minute,
                    second: second.min(59),
                    offset: None,
                })
            }
            None => None,
        };
        let offset = match c.get(7) {
            Some(z) => Some(parse_zone(z.as_str())?.0),
            None => None,
        };
        return to_utc(date, time, offset, tz);
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(t) {
        return checked_year(d);
    }
    // Last resort for sloppy meta tags ("20/11/2026", "November 20, 2026 10:15").
    if t.chars().count() <= 120 {
        return find_visible_date(t, tz);
    }
    None
}

/// The first plausible date found in visible text (byline, dateline). Returns None when none.
pub fn find_visible_date(text: &str, tz: Tz) -> Option<DateTime<Utc>> {
    let norm = fold_date(text);
    let finders: [DateFinder; 3] = [find_day_first, find_month_first, find_numeric];
    let mut best: Option<(usize, DateTime<Utc>)> = None;
    for finder in finders {
        let limit = best.map_or(usize::MAX, |b| b.0);
        if let Some(found) = finder(&norm, tz, limit)
            && found.0 < limit
        {
            best = Some(found);
        }
    }
    best.map(|b| b.1)
}

/// Relative dates resolved against the fetch time (never the clock): «منذ يومين», «منذ 3 ساعات»,
/// «منذ ساعة», «قبل 5 دقائق», «أمس», "il y a 2 heures", "hier", "2 hours ago", "yesterday", "5 min ago".
pub fn parse_relative_date(text: &str, fetched_at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let norm = fold_date(text);
    let finders: [RelFinder; 4] = [rel_arabic, rel_french, rel_english, rel_words];
    let mut best: Option<(usize, i64)> = None;
    for finder in finders {
        if let Some(found) = finder(&norm)
            && best.is_none_or(|b| found.0 < b.0)
        {
            best = Some(found);
        }
    }
    let (_, secs) = best?;
    fetched_at.checked_sub_signed(TimeDelta::try_seconds(secs)?)
}

// ---------------------------------------------------------------------------------------------
// Normalization.

// ---------------------------------------------------------------------------------------------
// Visible dates.

#[derive(Clone, Copy, Debug)]
struct TimeOfDay {
    hour: u32,
    minute: u32,
    second: u32,
    /// An explicit UTC offset in seconds (GMT, EST, +01:00...), overriding `tz`.
    offset: Option<i32>,
}

fn month_number(name: &str) -> Option<u32> {
    let mut key = String::with_capacity(name.len());
    for w in name.split_whitespace() {
        if !key.is_empty() {
            key.push(' ');
        }
        key.push_str(w);
    }
    MONTH_NAMES.iter().find(|(n, _)| *n == key).map(|(_, m)| *m)
}

fn valid_date(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
    if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
        return None;
    }
    NaiveDate::from_ymd_opt(year, month, day)
}

fn char_before(s: &str, idx: usize) -> Option<char> {
    s.get(..idx).and_then(|p| p.chars().next_back())
}

fn char_at(s: &str, idx: usize) -> Option<char> {
    s.get(idx..).and_then(|p| p.chars().next())
}

fn is_digit_at(s: &str, idx: usize) -> bool {
    char_at(s, idx).is_some_and(|c| c.is_ascii_digit())
}

/// Resolves a candidate date whose text spans `start..end` of `norm`: attaches the time written
/// right after it (or, failing that, right before it) and converts to UTC.
/// `None` when the attached time is invalid (e.g. 25:00).
fn resolve_candidate(
    norm: &str,
    start: usize,
    end: usize,
    date: NaiveDate,
    tz: Tz,
) -> Option<DateTime<Utc>> {
    let mut after = norm.get(end..).unwrap_or("");
    // «2026م»: the Gregorian-era suffix after the year.
    for suffix in ["م", " م"] {
        if let Some(rest) = after.strip_prefix(suffix)
            && !rest.chars().next().is_some_and(char::is_alphabetic)
        {
            after = rest;
            break;
        }
    }
    let time = match time_after(after) {
        Some(t) => Some(t?),
        None => {
            let before = norm.get(..start).unwrap_or("");
            match time_before(before) {
                Some(t) => Some(t?),
                None => None,
            }
        }
    };
    let offset = time.and_then(|t| t.offset);
    to_utc(date, time, offset, tz)
}

fn find_day_first(norm: &str, tz: Tz, limit: usize) -> Option<(usize, DateTime<Utc>)> {
    for c in DAY_FIRST_RE.captures_iter(norm) {
        let (Some(d), Some(m), Some(y)) = (c.get(1), c.get(2), c.get(3)) else {
            continue;
        };
        if d.start() >= limit {
            break;
        }
        if char_before(norm, d.start()).is_some_and(|ch| ch.is_ascii_digit())
            || is_digit_at(norm, y.end())
        {
            continue;
        }
        let (Ok(day), Some(month), Ok(year)) = (
            d.as_str().parse::<u32>(),
            month_number(m.as_str()),
            y.as_str().parse::<i32>(),
        ) else {
            continue;
        };
        let Some(date) = valid_date(year, month, day) else {
            continue;
        };
        if let Some(dt) = resolve_candidate(norm, d.start(), y.end(), date, tz) {
            return Some((d.start(), dt));
        }
    }
    None
}

fn find_month_first(norm: &str, tz: Tz, limit: usize) -> Option<(usize, DateTime<Utc>)> {
    for c in MONTH_FIRST_RE.captures_iter(norm) {
        let (Some(m), Some(d), Some(y)) = (c.get(1), c.get(2), c.get(3)) else {
            continue;
        };
        if m.start() >= limit {
            break;
        }
        if is_digit_at(norm, y.end()) {
            continue;
        }
        let (Ok(day), Some(month), Ok(year)) = (
            d.as_str().parse::<u32>(),
            month_number(m.as_str()),
            y.as_str().parse::<i32>(),
        ) else {
            continue;
        };
        let Some(date) = valid_date(year, month, day) else {
            continue;
        };
        if let Some(dt) = resolve_candidate(norm, m.start(), y.end(), date, tz) {
            return Some((m.start(), dt));
        }
    }
    None
}

fn find_numeric(norm: &str, tz: Tz, limit: usize) -> Option<(usize, DateTime<Utc>)> {
    for c in NUMERIC_RE.captures_iter(norm) {
        let (Some(a), Some(s1), Some(b), Some(s2), Some(cc)) =
            (c.get(1), c.get(2), c.get(3), c.get(4), c.get(5))
        else {
            continue;
        };
        if a.start() >= limit {
            break;
        }
        if s1.as_str() != s2.as_str() {
            continue;
        }
        // Not part of a longer run of numbers (phone numbers, versions, IPs).
        let prev = char_before(norm, a.start());
        if prev.is_some_and(|ch| ch.is_ascii_digit()) {
            continue;
        }
        if prev.is_some_and(|ch| matches!(ch, '/' | '.' | '-' | '+'))
            && char_before(norm, a.start() - 1).is_some_and(|ch| ch.is_ascii_digit())
        {
            continue;
        }
        if is_digit_at(norm, cc.end()) {
            continue;
        }
        if char_at(norm, cc.end()).is_some_and(|ch| matches!(ch, '/' | '.' | '-'))
            && is_digit_at(norm, cc.end() + 1)
        {
            continue;
        }
        let (Ok(x), Ok(mid), Ok(z)) = (
            a.as_str().parse::<u32>(),
            b.as_str().parse::<u32>(),
            cc.as_str().parse::<u32>(),
        ) else {
            continue;
        };
        let (year, month, day) = if a.as_str().len() == 4 && cc.as_str().len() <= 2 {
            (x, mid, z)
        } else if cc.as_str().len() == 4 && a.as_str().len() <= 2 {
            if mid > 12 && x <= 12 {
                (z, x, mid)
            } else {
                (z, mid, x)
            }
        } else {
            continue;
        };
        let Ok(year) = i32::try_from(year) else {
            continue;
        };
        let Some(date) = valid_date(year, month, day) else {
            continue;
        };
        if let Some(dt) = resolve_candidate(norm, a.start(), cc.end(), date, tz) {
            return Some((a.start(), dt));
        }
    }
    None
}

/// Hour/minute/second from the captures of [`TIME_AFTER_RE`] / [`TIME_BEFORE_RE`].
fn hms(c: &regex::Captures<'_>) -> Option<(u32, u32, u32)> {
    let hour: u32 = c.get(1)?.as_str().parse().ok()?;
    let minute: u32 = match c.get(2).or_else(|| c.get(3)) {
        Some(m) => m.as_str().parse().ok()?,
        None => 0,
    };
    let second: u32 = match c.get(4) {
        Some(s) => s.as_str().parse().ok()?,
        None => 0,
    };
    Some((hour, minute, second))
}

fn finish_time(
    hour: u32,
    minute: u32,
    second: u32,
    pm: Option<bool>,
    offset: Option<i32>,
) -> Option<TimeOfDay> {
    let hour = match pm {
        Some(true) if (1..12).contains(&hour) => hour + 12,
        Some(false) if hour == 12 => 0,
        _ => hour,
    };
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    Some(TimeOfDay {
        hour,
        minute,
        second: second.min(59),
        offset,
    })
}

/// `None`: no time follows. `Some(None)`: a time follows but is invalid.
fn time_after(rest: &str) -> Option<Option<TimeOfDay>> {
    let c = TIME_AFTER_RE.captures(rest)?;
    let whole = c.get(0)?;
    let end = whole.end();
    if is_digit_at(rest, end) {
        return None;
    }
    let has_minutes = c.get(2).is_some() || c.get(3).is_some();
    if !has_minutes && char_at(rest, end).is_some_and(char::is_alphabetic) {
        // "10 hommes", not "10h".
        return None;
    }
    let (hour, minute, second) = hms(&c)?;
    let tail = rest.get(end..).unwrap_or("");
    let (pm, used) = parse_ampm(tail);
    let zone = parse_zone(tail.get(used..).unwrap_or("")).map(|z| z.0);
    Some(finish_time(hour, minute, second, pm, zone))
}

/// A time written shortly before the date ("3:45 PM EST, Mon November 16, 2026").
fn time_before(before: &str) -> Option<Option<TimeOfDay>> {
    // Only look at the last ~120 bytes, cut on a char boundary.
    let mut from = before.len().saturating_sub(120);
    while !before.is_char_boundary(from) {
        from += 1;
    }
    let window = before.get(from..)?;
    let c = TIME_BEFORE_RE.captures(window)?;
    let tail = c.get(5)?.as_str();
    let (pm, used) = parse_ampm(tail);
    let after_ampm = tail.get(used..).unwrap_or("");
    let (zone, used_zone) = match parse_zone(after_ampm) {
        Some((z, n)) => (Some(z), n),
        None => (None, 0),
    };
    if !BETWEEN_RE.is_match(after_ampm.get(used_zone..).unwrap_or("")) {
        return None;
    }
    let (hour, minute, second) = hms(&c)?;
    Some(finish_time(hour, minute, second, pm, zone))
}

/// An AM/PM marker at the start of `s` (after optional spaces): `(Some(is_pm), bytes used)`.
fn parse_ampm(s: &str) -> (Option<bool>, usize) {
    const MARKERS: &[(&str, bool)] = &[
        ("a.m.", false),
        ("p.m.", true),
        ("a.m", false),
        ("p.m", true),
        ("am", false),
        ("pm", true),
        ("صباحا", false),
        ("صباح", false),
        ("ص", false),
        ("مساءا", true),
        ("مساء", true),
        ("ظهرا", true),
        ("م", true),
    ];
    let trimmed = s.trim_start();
    let skipped = s.len() - trimmed.len();
    for (marker, pm) in MARKERS {
        if let Some(after) = trimmed.strip_prefix(marker)
            && !after.chars().next().is_some_and(char::is_alphabetic)
        {
            return (Some(*pm), skipped + marker.len());
        }
    }
    (None, 0)
}

/// A zone at the start of `s` (after optional spaces/parenthesis): (offset seconds, bytes used).
fn parse_zone(s: &str) -> Option<(i32, usize)> {
    const ZONES: &[(&str, i32)] = &[
        ("بتوقيت غرينتش", 0),
        ("توقيت غرينتش", 0),
        ("غرينتش", 0),
        ("بتوقيت مكه", 3),
        ("ت.غ", 0),
        ("gmt", 0),
        ("utc", 0),
        ("cest", 2),
        ("cet", 1),
        ("bst", 1),
        ("west", 1),
        ("wet", 0),
        ("eest", 3),
        ("eet", 2),
        ("est", -5),
        ("edt", -4),
        ("cst", -6),
        ("cdt", -5),
        ("mst", -7),
        ("mdt", -6),
        ("pst", -8),
        ("pdt", -7),
        ("z", 0),
    ];
    let trimmed = s.trim_start_matches([' ', '(']);
    let skipped = s.len() - trimmed.len();
    for (name, hours) in ZONES {
        if let Some(after) = trimmed.strip_prefix(name)
            && !after.chars().next().is_some_and(char::is_alphabetic)
        {
            let mut used = skipped + name.len();
            let mut secs = hours * 3600;
            if matches!(*name, "gmt" | "utc")
                && let Some((extra, n)) = parse_offset(after)
            {
                secs = extra;
                used += n;
            }
            return Some((secs, used));
        }
    }
    parse_offset(trimmed).map(|(secs, n)| (secs, skipped + n))
}

/// "+01:00", "+0100", "+1", "-05" (seconds east, bytes used).
fn parse_offset(s: &str) -> Option<(i32, usize)> {
    let c = OFFSET_RE.captures(s)?;
    let whole = c.get(0)?;
    if is_digit_at(s, whole.end()) {
        return None;
    }
    let hours: i32 = c.get(2)?.as_str().parse().ok()?;
    let minutes: i32 = match c.get(3) {
        Some(m) => m.as_str().parse().ok()?,
        None => 0,
    };
    if hours > 14 || minutes > 59 {
        return None;
    }
    let sign = if c.get(1)?.as_str() == "-" { -1 } else { 1 };
    Some((sign * (hours * 3600 + minutes * 60), whole.end()))
}

// ---------------------------------------------------------------------------------------------
// Time zones.

fn checked_year(d: DateTime<FixedOffset>) -> Option<DateTime<Utc>> {
    (MIN_YEAR..=MAX_YEAR)
        .contains(&d.year())
        .then(|| d.with_timezone(&Utc))
}

fn to_utc(
    date: NaiveDate,
    time: Option<TimeOfDay>,
    offset: Option<i32>,
    tz: Tz,
) -> Option<DateTime<Utc>> {
    let ndt = match time {
        Some(t) => date.and_hms_opt(t.hour, t.minute, t.second)?,
        None => date.and_hms_opt(0, 0, 0)?,
    };
    match offset {
        Some(secs) => FixedOffset::east_opt(secs)?
            .from_local_datetime(&ndt)
            .single()
            .map(|d| d.with_timezone(&Utc)),
        None => local_to_utc(ndt, tz),
    }
}

/// Local wall time in `tz` to UTC: the earlier instant when ambiguous (DST fall-back); inside a
/// gap (spring-forward), the first valid wall time after it.
fn local_to_utc(ndt: NaiveDateTime, tz: Tz) -> Option<DateTime<Utc>> {
    if let Some(d) = tz.from_local_datetime(&ndt).earliest() {
        return Some(d.with_timezone(&Utc));
    }
    // Gaps are at most a day long (e.g. Samoa 2011); step forward by 15 minutes.
    for step in 1..=100 {
        let shifted = ndt.checked_add_signed(TimeDelta::try_minutes(15 * step)?)?;
        if let Some(d) = tz.from_local_datetime(&shifted).earliest() {
            return Some(d.with_timezone(&Utc));
        }
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Relative dates. Each finder returns (start in normalized text, seconds before fetch time).

const MINUTE: i64 = 60;
const HOUR: i64 = 3600;
const DAY: i64 = 86_400;

fn not_letter_at(s: &str, idx: usize) -> bool {
    !char_at(s, idx).is_some_and(char::is_alphabetic)
}

fn amount(n: i64, unit_secs: i64) -> Option<i64> {
    n.checked_mul(unit_secs)
}

fn rel_arabic(norm: &str) -> Option<(usize, i64)> {
    for c in AR_REL_RE.captures_iter(norm) {
        let (Some(whole), Some(unit)) = (c.get(0), c.get(3)) else {
            continue;
        };
        if !not_letter_at(norm, unit.end()) {
            continue;
        }
        let (secs, dual) = match unit.as_str() {
            "ثانيتين" => (1, true),
            "ثانيه" | "ثواني" | "ثوان" | "ث" => (1, false),
            "دقيقتين" => (MINUTE, true),
            "دقيقه" | "دقائق" | "دقايق" | "د" => (MINUTE, false),
            "ساعتين" => (HOUR, true),
            "ساعات" | "ساعه" | "س" => (HOUR, false),
            "يومين" => (DAY, true),
            "ايام" | "يوم" => (DAY, false),
            "اسبوعين" => (7 * DAY, true),
            "اسابيع" | "اسبوع" => (7 * DAY, false),
            "شهرين" => (30 * DAY, true),
            "اشهر" | "شهور" | "شهر" => (30 * DAY, false),
            "سنتين" | "عامين" => (365 * DAY, true),
            _ => (365 * DAY, false),
        };
        let n: i64 = if let Some(d) = c.get(1) {
            d.as_str().parse().ok()?
        } else if let Some(w) = c.get(2) {
            arabic_number_word(w.as_str())
        } else if dual {
            2
        } else {
            1
        };
        return Some((whole.start(), amount(n, secs)?));
    }
    None
}

fn arabic_number_word(w: &str) -> i64 {
    match w {
        "واحده" | "واحد" => 1,
        "اثنتين" | "اثنين" | "اثنان" => 2,
        "ثلاثه" | "ثلاث" => 3,
        "اربعه" | "اربع" => 4,
        "خمسه" | "خمس" => 5,
        "سته" | "ست" => 6,
        "سبعه" | "سبع" => 7,
        "ثمانيه" | "ثماني" | "ثمان" => 8,
        "تسعه" | "تسع" => 9,
        _ => 10,
    }
}

fn rel_french(norm: &str) -> Option<(usize, i64)> {
    for c in FR_REL_RE.captures_iter(norm) {
        let (Some(whole), Some(unit)) = (c.get(0), c.get(3)) else {
            continue;
        };
        if !not_letter_at(norm, unit.end()) {
            continue;
        }
        let secs = match unit.as_str() {
            "secondes" | "seconde" | "secs" | "sec" | "s" => 1,
            "minutes" | "minute" | "mins" | "min" | "mn" => MINUTE,
            "heures" | "heure" | "h" => HOUR,
            "jours" | "jour" | "j" => DAY,
            "semaines" | "semaine" => 7 * DAY,
            "mois" => 30 * DAY,
            _ => 365 * DAY,
        };
        let n: i64 = match (c.get(1), c.get(2)) {
            (Some(d), _) => d.as_str().parse().ok()?,
            (None, Some(w)) if w.as_str() == "quelques" => 3,
            _ => 1,
        };
        return Some((whole.start(), amount(n, secs)?));
    }
    None
}

fn rel_english(norm: &str) -> Option<(usize, i64)> {
    for c in EN_REL_RE.captures_iter(norm) {
        let (Some(whole), Some(num), Some(unit)) = (c.get(0), c.get(1), c.get(2)) else {
            continue;
        };
        if !not_letter_at(norm, whole.end()) {
            continue;
        }
        let secs = match unit.as_str() {
            "seconds" | "second" | "secs" | "sec" | "s" => 1,
            "minutes" | "minute" | "mins" | "min" | "m" => MINUTE,
            "hours" | "hour" | "hrs" | "hr" | "h" => HOUR,
            "days" | "day" | "d" => DAY,
            "weeks" | "week" | "wks" | "wk" | "w" => 7 * DAY,
            "months" | "month" | "mos" | "mo" => 30 * DAY,
            _ => 365 * DAY,
        };
        let n: i64 = match num.as_str() {
            "a" | "an" | "one" => 1,
            "two" => 2,
            "three" | "few" | "several" => 3,
            "four" => 4,
            "five" => 5,
            "six" => 6,
            "seven" => 7,
            "eight" => 8,
            "nine" => 9,
            "ten" => 10,
            w if w.starts_with('a') => 3, // "a few"
            d => d.parse().ok()?,
        };
        return Some((num.start(), amount(n, secs)?));
    }
    None
}

fn rel_words(norm: &str) -> Option<(usize, i64)> {
    for c in REL_WORD_RE.captures_iter(norm) {
        let Some(w) = c.get(1) else { continue };
        if !not_letter_at(norm, w.end()) {
            continue;
        }
        let secs = match w.as_str() {
            "just now" | "a l'instant" | "a l’instant" => 0,
            s if s.starts_with("اول") || s.starts_with("avant") || s.contains("before") => {
                2 * DAY
            }
            _ => DAY,
        };
        return Some((w.start(), secs));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Africa::Casablanca;
    use chrono_tz::Europe::Paris;
    use chrono_tz::UTC;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn vis(text: &str, tz: Tz) -> Option<String> {
        find_visible_date(text, tz).map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
    }

    fn mach(text: &str, tz: Tz) -> Option<String> {
        parse_machine_date(text, tz).map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
    }

    fn rel(text: &str) -> Option<String> {
        let fetched = utc("2026-11-20T12:00:00Z");
        parse_relative_date(text, fetched)
            .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
    }

    fn s(v: &str) -> Option<String> {
        Some(v.to_string())
    }

    // ---- machine dates ----

    #[test]
    fn machine_rfc3339_with_offset() {
        assert_eq!(
            mach("2026-11-20T10:15:00+01:00", UTC),
            s("2026-11-20T09:15:00Z")
        );
    }

    #[test]
    fn machine_rfc3339_zulu() {
        assert_eq!(
            mach(" 2026-11-20T10:15:00Z ", Casablanca),
            s("2026-11-20T10:15:00Z")
        );
    }

    #[test]
    fn machine_fraction_and_compact_offset() {
        assert_eq!(
            mach("2026-11-20T10:15:00.000+0100", UTC),
            s("2026-11-20T09:15:00Z")
        );
        assert_eq!(
            mach("2026-11-20T10:15:00-05", UTC),
            s("2026-11-20T15:15:00Z")
        );
    }

    #[test]
    fn machine_without_zone_uses_tz() {
        assert_eq!(
            mach("2026-11-20T10:15", Casablanca),
            s("2026-11-20T09:15:00Z")
        );
        assert_eq!(mach("2026-11-20 10:15:00", UTC), s("2026-11-20T10:15:00Z"));
        assert_eq!(
            mach("2026-11-20 10:15:00", Casablanca),
            s("2026-11-20T09:15:00Z")
        );
    }

    #[test]
    fn machine_date_only_is_local_midnight() {
        assert_eq!(mach("2026-11-20", Casablanca), s("2026-11-19T23:00:00Z"));
        assert_eq!(mach("2026-11-20", UTC), s("2026-11-20T00:00:00Z"));
    }

    #[test]
    fn machine_rfc2822() {
        assert_eq!(
            mach("Fri, 20 Nov 2026 10:15:00 +0100", UTC),
            s("2026-11-20T09:15:00Z")
        );
        assert_eq!(
            mach("Fri, 20 Nov 2026 10:15:00 GMT", Casablanca),
            s("2026-11-20T10:15:00Z")
        );
    }

    #[test]
    fn machine_rejects_unix_seconds_and_garbage() {
        assert_eq!(mach("1795170900", UTC), None);
        assert_eq!(mach("1795170900000", UTC), None);
        assert_eq!(mach("", UTC), None);
        assert_eq!(mach("   ", UTC), None);
        assert_eq!(mach("not a date", UTC), None);
        assert_eq!(mach("2026-13-01", UTC), None);
        assert_eq!(mach("2026-02-30", UTC), None);
        assert_eq!(mach("2026-11-20T25:00:00Z", UTC), None);
        assert_eq!(mach("2026-11-20T24:00", UTC), None);
        assert_eq!(mach("1900-01-01T00:00:00Z", UTC), None);
        assert_eq!(mach("2200-01-01", UTC), None);
    }

    #[test]
    fn machine_falls_back_to_visible_forms() {
        assert_eq!(mach("20/11/2026", UTC), s("2026-11-20T00:00:00Z"));
        assert_eq!(
            mach("November 20, 2026 10:15 AM", UTC),
            s("2026-11-20T10:15:00Z")
        );
    }

    // ---- Arabic ----

    #[test]
    fn arabic_moroccan_with_weekday_and_dash_time() {
        assert_eq!(
            vis("الجمعة 20 نونبر 2026 - 10:15", Casablanca),
            s("2026-11-20T09:15:00Z")
        );
        assert_eq!(
            vis("الجمعة 20 نونبر 2026 - 10:15", UTC),
            s("2026-11-20T10:15:00Z")
        );
    }

    #[test]
    fn arabic_ala_assaa() {
        assert_eq!(
            vis("20 نونبر 2026 على الساعة 10:15", Casablanca),
            s("2026-11-20T09:15:00Z")
        );
        assert_eq!(
            vis("20 نونبر 2026 الساعة 10:15", UTC),
            s("2026-11-20T10:15:00Z")
        );
    }

    #[test]
    fn arabic_indic_digits_date_only() {
        assert_eq!(vis("١٨ نونبر ٢٠٢٦", Casablanca), s("2026-11-17T23:00:00Z"));
        assert_eq!(vis("۲۰ نونبر ۲۰۲۶ - ۱۰:۱۵", UTC), s("2026-11-20T10:15:00Z"));
    }

    #[test]
    fn arabic_pipe_separator() {
        assert_eq!(
            vis("الخميس 19 نونبر 2026 | 09:30", UTC),
            s("2026-11-19T09:30:00Z")
        );
    }

    #[test]
    fn arabic_numeric_with_prefix() {
        assert_eq!(
            vis("نشر في: 20/11/2026 - 10:15", Casablanca),
            s("2026-11-20T09:15:00Z")
        );
        assert_eq!(vis("2026/11/20", UTC), s("2026-11-20T00:00:00Z"));
    }

    #[test]
    fn arabic_am_pm() {
        assert_eq!(
            vis("20 نونبر 2026 - 10:15 ص", UTC),
            s("2026-11-20T10:15:00Z")
        );
        assert_eq!(
            vis("20 نونبر 2026 - 10:15 م", UTC),
            s("2026-11-20T22:15:00Z")
        );
        assert_eq!(
            vis("20 نونبر 2026 الساعة 03:45 مساءً", UTC),
            s("2026-11-20T15:45:00Z")
        );
        assert_eq!(
            vis("20 نونبر 2026 12:05 صباحا", UTC),
            s("2026-11-20T00:05:00Z")
        );
    }

    #[test]
    fn arabic_moroccan_months_all() {
        let names = [
            "يناير",
            "فبراير",
            "مارس",
            "أبريل",
            "ماي",
            "يونيو",
            "يوليوز",
            "غشت",
            "شتنبر",
            "أكتوبر",
            "نونبر",
            "دجنبر",
        ];
        for (i, n) in names.iter().enumerate() {
            let got = vis(&format!("10 {n} 2026"), UTC);
            assert_eq!(got, s(&format!("2026-{:02}-10T00:00:00Z", i + 1)), "{n}");
        }
        assert_eq!(vis("10 ابريل 2026", UTC), s("2026-04-10T00:00:00Z"));
        assert_eq!(vis("10 اكتوبر 2026", UTC), s("2026-10-10T00:00:00Z"));
    }

    #[test]
    fn arabic_egyptian_months() {
        let cases = [
            ("مايو", 5),
            ("يونيه", 6),
            ("يونية", 6),
            ("يونيو", 6),
            ("يوليه", 7),
            ("يوليو", 7),
            ("أغسطس", 8),
            ("اغسطس", 8),
            ("سبتمبر", 9),
            ("نوفمبر", 11),
            ("ديسمبر", 12),
            ("فبراير", 2),
            ("إبريل", 4),
        ];
        for (n, m) in cases {
            let got = vis(&format!("3 {n} 2026"), UTC);
            assert_eq!(got, s(&format!("2026-{m:02}-03T00:00:00Z")), "{n}");
        }
    }

    #[test]
    fn arabic_algerian_tunisian_months() {
        let cases = [
            ("جانفي", 1),
            ("فيفري", 2),
            ("أفريل", 4),
            ("جوان", 6),
            ("جويلية", 7),
            ("جويليه", 7),
            ("أوت", 8),
        ];
        for (n, m) in cases {
            let got = vis(&format!("3 {n} 2026"), UTC);
            assert_eq!(got, s(&format!("2026-{m:02}-03T00:00:00Z")), "{n}");
        }
    }

    #[test]
    fn arabic_mashriq_months_two_words_win() {
        let cases = [
            ("كانون الثاني", 1),
            ("كانون الثانى", 1),
            ("شباط", 2),
            ("آذار", 3),
            ("نيسان", 4),
            ("أيار", 5),
            ("حزيران", 6),
            ("تموز", 7),
            ("آب", 8),
            ("أيلول", 9),
            ("تشرين الأول", 10),
            ("تشرين الثاني", 11),
            ("كانون الأول", 12),
            ("كانون  الأوّل", 12),
        ];
        for (n, m) in cases {
            let got = vis(&format!("السبت 5 {n} 2026"), UTC);
            assert_eq!(got, s(&format!("2026-{m:02}-05T00:00:00Z")), "{n}");
        }
    }

    #[test]
    fn arabic_double_month_names() {
        assert_eq!(
            vis("20 نوفمبر/تشرين الثاني 2026", UTC),
            s("2026-11-20T00:00:00Z")
        );
        assert_eq!(
            vis("5 يناير (كانون الثاني) 2026", UTC),
            s("2026-01-05T00:00:00Z")
        );
    }

    #[test]
    fn arabic_harakat_tatweel_hamza() {
        assert_eq!(
            vis("الجُمُعَة 20 نـــونـبـر 2026", UTC),
            s("2026-11-20T00:00:00Z")
        );
        assert_eq!(vis("1 أُكْتُوبَر 2026", UTC), s("2026-10-01T00:00:00Z"));
        assert_eq!(vis("1 إكتوبر 2026", UTC), s("2026-10-01T00:00:00Z"));
    }

    #[test]
    fn arabic_year_suffix_and_rtl_marks() {
        assert_eq!(
            vis("\u{200f}20 نونبر 2026م\u{200f} - 10:15", UTC),
            s("2026-11-20T10:15:00Z")
        );
    }

    // ---- French ----

    #[test]
    fn french_a_10h15() {
        assert_eq!(
            vis("20 novembre 2026 à 10h15", Paris),
            s("2026-11-20T09:15:00Z")
        );
    }

    #[test]
    fn french_publie_le() {
        assert_eq!(
            vis("Publié le vendredi 20 novembre 2026 à 10:15", UTC),
            s("2026-11-20T10:15:00Z")
        );
    }

    #[test]
    fn french_premier() {
        assert_eq!(vis("1er décembre 2026", UTC), s("2026-12-01T00:00:00Z"));
    }

    #[test]
    fn french_numeric_with_h() {
        assert_eq!(vis("le 20/11/2026 à 10h15", UTC), s("2026-11-20T10:15:00Z"));
        assert_eq!(vis("le 20/11/2026 à 10h", UTC), s("2026-11-20T10:00:00Z"));
    }

    #[test]
    fn french_abbrev_and_accents() {
        assert_eq!(vis("20 nov. 2026", UTC), s("2026-11-20T00:00:00Z"));
        assert_eq!(vis("3 février 2026", UTC), s("2026-02-03T00:00:00Z"));
        assert_eq!(vis("3 fevrier 2026", UTC), s("2026-02-03T00:00:00Z"));
        assert_eq!(vis("3 août 2026", UTC), s("2026-08-03T00:00:00Z"));
        assert_eq!(vis("3 aout 2026", UTC), s("2026-08-03T00:00:00Z"));
        assert_eq!(vis("3 DÉCEMBRE 2026", UTC), s("2026-12-03T00:00:00Z"));
        assert_eq!(vis("3 decembre 2026", UTC), s("2026-12-03T00:00:00Z"));
        // Decomposed accent (e + U+0301).
        assert_eq!(
            vis("3 de\u{301}cembre 2026", UTC),
            s("2026-12-03T00:00:00Z")
        );
    }

    #[test]
    fn french_first_date_wins() {
        assert_eq!(
            vis(
                "Mis à jour le 21 novembre 2026 à 08h00 - Publié le 20 novembre 2026 à 10h15",
                UTC
            ),
            s("2026-11-21T08:00:00Z")
        );
    }

    // ---- English ----

    #[test]
    fn english_month_first_am() {
        assert_eq!(
            vis("November 20, 2026 10:15 AM", UTC),
            s("2026-11-20T10:15:00Z")
        );
    }

    #[test]
    fn english_pm_dotted() {
        assert_eq!(
            vis("Nov. 20, 2026, 3:45 p.m.", UTC),
            s("2026-11-20T15:45:00Z")
        );
        assert_eq!(
            vis("Nov. 20, 2026, 12:10 a.m.", UTC),
            s("2026-11-20T00:10:00Z")
        );
    }

    #[test]
    fn english_day_first() {
        assert_eq!(vis("20 November 2026", UTC), s("2026-11-20T00:00:00Z"));
        assert_eq!(
            vis("the 20th of November, 2026", UTC),
            s("2026-11-20T00:00:00Z")
        );
    }

    #[test]
    fn english_gmt_is_honoured() {
        assert_eq!(
            vis("Friday 20 November 2026 10:15 GMT", Casablanca),
            s("2026-11-20T10:15:00Z")
        );
        assert_eq!(
            vis("20 November 2026 10:15 GMT+2", UTC),
            s("2026-11-20T08:15:00Z")
        );
    }

    #[test]
    fn english_leading_time() {
        assert_eq!(
            vis("Published 3:45 PM EST, Mon November 16, 2026", UTC),
            s("2026-11-16T20:45:00Z")
        );
        assert_eq!(
            vis("10:15 | 20/11/2026", Casablanca),
            s("2026-11-20T09:15:00Z")
        );
    }

    #[test]
    fn iso_in_visible_text() {
        assert_eq!(vis("Updated: 2026-11-20", UTC), s("2026-11-20T00:00:00Z"));
        assert_eq!(
            vis("at 2026-11-20T10:15:00Z", Casablanca),
            s("2026-11-20T10:15:00Z")
        );
        assert_eq!(
            vis("2026-11-20 10:15 +01:00", UTC),
            s("2026-11-20T09:15:00Z")
        );
    }

    // ---- numeric ----

    #[test]
    fn numeric_day_first_variants() {
        assert_eq!(vis("05/11/2026", UTC), s("2026-11-05T00:00:00Z"));
        assert_eq!(vis("20-11-2026", UTC), s("2026-11-20T00:00:00Z"));
        assert_eq!(vis("20.11.2026", UTC), s("2026-11-20T00:00:00Z"));
        assert_eq!(vis("5/1/2026", UTC), s("2026-01-05T00:00:00Z"));
    }

    #[test]
    fn numeric_month_first_when_second_exceeds_12() {
        assert_eq!(vis("11/20/2026", UTC), s("2026-11-20T00:00:00Z"));
    }

    #[test]
    fn numeric_year_first() {
        assert_eq!(vis("2026/11/20", UTC), s("2026-11-20T00:00:00Z"));
        assert_eq!(vis("2026-11-20", UTC), s("2026-11-20T00:00:00Z"));
        assert_eq!(vis("2026.11.20", UTC), s("2026-11-20T00:00:00Z"));
    }

    // ---- negatives ----

    #[test]
    fn no_date_in_text() {
        assert_eq!(vis("", UTC), None);
        assert_eq!(vis("لا يوجد تاريخ هنا على الإطلاق", UTC), None);
        assert_eq!(vis("Nothing to see here.", UTC), None);
        assert_eq!(vis("2030 World Cup", UTC), None);
        assert_eq!(vis("كأس العالم 2030", UTC), None);
        assert_eq!(vis("Score 3-1, 20 000 fans", UTC), None);
    }

    #[test]
    fn phone_numbers_are_not_dates() {
        assert_eq!(vis("+212 6 12 34 56 78", UTC), None);
        assert_eq!(vis("Tél: 06-12-34-56-78", UTC), None);
        assert_eq!(vis("0612345678", UTC), None);
        assert_eq!(vis("05.22.20.11.20", UTC), None);
        assert_eq!(vis("call 0522-20-11-2026-55", UTC), None);
        assert_eq!(vis("v1.2.3", UTC), None);
    }

    #[test]
    fn invalid_dates_rejected() {
        assert_eq!(vis("31 نونبر 2026", UTC), None);
        assert_eq!(vis("30 February 2026", UTC), None);
        assert_eq!(vis("30/02/2026", UTC), None);
        assert_eq!(vis("20 نونبر 1989", UTC), None);
        assert_eq!(vis("20 novembre 2101", UTC), None);
        assert_eq!(vis("13/13/2026", UTC), None);
        assert_eq!(vis("20 نونبر 2026 - 25:15", UTC), None);
        assert_eq!(vis("20 نونبر 2026 - 10:75", UTC), None);
    }

    #[test]
    fn invalid_then_valid() {
        assert_eq!(
            vis("31 نونبر 2026 ثم 20 نونبر 2026", UTC),
            s("2026-11-20T00:00:00Z")
        );
        assert_eq!(
            vis("30/02/2026 then November 3, 2026", UTC),
            s("2026-11-03T00:00:00Z")
        );
    }

    #[test]
    fn number_then_word_is_not_a_time() {
        assert_eq!(
            vis("20 novembre 2026 10 hommes", UTC),
            s("2026-11-20T00:00:00Z")
        );
    }

    // ---- DST ----

    #[test]
    fn dst_gap_and_overlap_do_not_panic() {
        // Paris springs forward on 2026-03-29 at 02:00 → 03:00.
        assert_eq!(
            vis("29 mars 2026 à 02h30", Paris),
            s("2026-03-29T01:00:00Z")
        );
        // Paris falls back on 2026-10-25 at 03:00 → 02:00: take the earlier instant.
        assert_eq!(
            vis("25 octobre 2026 à 02h30", Paris),
            s("2026-10-25T00:30:00Z")
        );
        assert_eq!(mach("2026-03-29T02:30", Paris), s("2026-03-29T01:00:00Z"));
    }

    // ---- relative ----

    #[test]
    fn relative_arabic() {
        assert_eq!(rel("منذ يومين"), s("2026-11-18T12:00:00Z"));
        assert_eq!(rel("منذ 3 ساعات"), s("2026-11-20T09:00:00Z"));
        assert_eq!(rel("منذ ٣ ساعات"), s("2026-11-20T09:00:00Z"));
        assert_eq!(rel("منذ ساعة"), s("2026-11-20T11:00:00Z"));
        assert_eq!(rel("قبل 5 دقائق"), s("2026-11-20T11:55:00Z"));
        assert_eq!(rel("منذ ثلاث ساعات"), s("2026-11-20T09:00:00Z"));
        assert_eq!(rel("أمس"), s("2026-11-19T12:00:00Z"));
        assert_eq!(rel("نشر بالأمس"), s("2026-11-19T12:00:00Z"));
        assert_eq!(rel("أول أمس"), s("2026-11-18T12:00:00Z"));
    }

    #[test]
    fn relative_french() {
        assert_eq!(rel("il y a 2 heures"), s("2026-11-20T10:00:00Z"));
        assert_eq!(rel("Il y a 5 min"), s("2026-11-20T11:55:00Z"));
        assert_eq!(rel("il y a une heure"), s("2026-11-20T11:00:00Z"));
        assert_eq!(rel("hier"), s("2026-11-19T12:00:00Z"));
        assert_eq!(rel("avant-hier"), s("2026-11-18T12:00:00Z"));
    }

    #[test]
    fn relative_english() {
        assert_eq!(rel("2 hours ago"), s("2026-11-20T10:00:00Z"));
        assert_eq!(rel("5 min ago"), s("2026-11-20T11:55:00Z"));
        assert_eq!(rel("an hour ago"), s("2026-11-20T11:00:00Z"));
        assert_eq!(rel("Updated 3 days ago"), s("2026-11-17T12:00:00Z"));
        assert_eq!(rel("Yesterday"), s("2026-11-19T12:00:00Z"));
        assert_eq!(rel("just now"), s("2026-11-20T12:00:00Z"));
    }

    #[test]
    fn relative_negatives() {
        assert_eq!(rel(""), None);
        assert_eq!(rel("hierarchy of needs"), None);
        assert_eq!(rel("20 نونبر 2026"), None);
        assert_eq!(rel("قبل الانتخابات"), None);
        assert_eq!(rel("manhattan ago"), None);
        assert_eq!(rel("99999999999999 years ago"), None);
    }

    // ---- robustness ----

    /// Tiny deterministic PRNG (xorshift) so the test needs no extra crate.
    fn rng(seed: &mut u64) -> u64 {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        *seed
    }

    #[test]
    fn large_random_arabic_text_terminates() {
        let alphabet: Vec<char> =
            "ابتثجحخدذرزسشصضطظعغفقكلمنهويةىأإآءئؤ ٠١٢٣٤٥٦٧٨٩0123456789/:-.،ًٌٍَُِّْـ نونبر"
                .chars()
                .collect();
        let mut seed = 0x9E37_79B9_7F4A_7C15_u64;
        let mut text = String::new();
        while text.len() < 100_000 {
            let i = (rng(&mut seed) % alphabet.len() as u64) as usize;
            text.push(alphabet[i]);
        }
        let _ = find_visible_date(&text, Casablanca);
        let _ = parse_machine_date(&text, Casablanca);
        let _ = parse_relative_date(&text, Utc::now());
        // Very long repetitive inputs too.
        let rep = "20 نونبر 2026 - ".repeat(5_000) + "31 نونبر 2026";
        assert!(find_visible_date(&rep, UTC).is_some());
    }

    #[test]
    fn multibyte_prefixes_and_suffixes_never_panic() {
        let samples = [
            "الجُمُعَة ٢٠ نـونبر ٢٠٢٦ - ١٠:١٥ م | منذ ٣ ساعات",
            "Publié le 1er décembre 2026 à 10h15 — il y a 2 heures",
            "Published 3:45 PM EST, Mon November 16, 2026 · 2 hours ago",
            "é\u{301}ﷺ𝟚𝟘 ۲۰ كانون الثاني ۲۰۲۶ 10:15 ص",
        ];
        let fetched = utc("2026-11-20T12:00:00Z");
        for sample in samples {
            for (i, _) in sample.char_indices() {
                for part in [&sample[..i], &sample[i..]] {
                    let _ = find_visible_date(part, Casablanca);
                    let _ = parse_machine_date(part, Paris);
                    let _ = parse_relative_date(part, fetched);
                }
            }
        }
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut seed = 42_u64;
        let fetched = utc("2026-11-20T12:00:00Z");
        for _ in 0..300 {
            let len = (rng(&mut seed) % 80) as usize;
            let bytes: Vec<u8> = (0..len).map(|_| (rng(&mut seed) % 256) as u8).collect();
            let text = String::from_utf8_lossy(&bytes);
            let _ = find_visible_date(&text, UTC);
            let _ = parse_machine_date(&text, UTC);
            let _ = parse_relative_date(&text, fetched);
        }
    }
}
