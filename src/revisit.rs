//! Revisit planning (pure): how often an archived article is fetched again, by its age, and
//! which articles are due at a given moment (the clock is an argument, never read here).

use std::time::Duration;

use chrono::{DateTime, Utc};

use serde::Deserialize;

const MINUTE: u64 = 60;
const HOUR: u64 = 60 * MINUTE;
const DAY: u64 = 24 * HOUR;

/// A site's `[site.revisit]` table.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevisitConfig {
    pub schedule: Option<Vec<RevisitStep>>,
    pub stop_after: Option<String>,
}

/// `{ until = "6h", every = "30m" }`: while an article is younger than `until`, revisit it
/// every `every`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevisitStep {
    pub until: String,
    pub every: String,
}

/// The default schedule, as change trackers of news do: often while fresh, then less and less,
/// then never. (until age, every)
pub const DEFAULT_SCHEDULE: &[(u64, u64)] = &[
    (6 * HOUR, 30 * MINUTE),
    (2 * DAY, 3 * HOUR),
    (14 * DAY, DAY),
    (60 * DAY, 7 * DAY),
];
/// The most an article may be taken early (see [`due`]).
const MAX_SLACK: Duration = Duration::from_secs(5 * MINUTE);
/// Articles older than this are never revisited by default.
pub const DEFAULT_STOP_AFTER: Duration = Duration::from_secs(60 * DAY);

/// A revisit schedule: steps of (until age, interval), ascending, and an age to stop at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    steps: Vec<(Duration, Duration)>,
    stop_after: Duration,
}

impl Default for Schedule {
    fn default() -> Self {
        Schedule {
            steps: DEFAULT_SCHEDULE
                .iter()
                .map(|&(u, e)| (Duration::from_secs(u), Duration::from_secs(e)))
                .collect(),
            stop_after: DEFAULT_STOP_AFTER,
        }
    }
}

impl Schedule {
    /// The schedule a `[site.revisit]` table describes (the default for what it leaves out).
    pub fn from_config(config: Option<&RevisitConfig>) -> Result<Self, String> {
        let mut schedule = Schedule::default();
        let Some(c) = config else {
            return Ok(schedule);
        };
        if let Some(steps) = &c.schedule {
            let mut parsed = Vec::new();
            for s in steps {
                let until = parse_duration(&s.until)?;
                let every = parse_duration(&s.every)?;
                if every.is_zero() {
                    return Err(format!("every = {:?}: must be longer than zero", s.every));
                }
                if parsed.last().is_some_and(|(u, _)| *u >= until) {
                    return Err(format!("until = {:?}: steps must grow", s.until));
                }
                parsed.push((until, every));
            }
            if parsed.is_empty() {
                return Err("schedule is empty".into());
            }
            schedule.stop_after = parsed.last().map(|(u, _)| *u).unwrap_or_default();
            schedule.steps = parsed;
        }
        if let Some(stop) = &c.stop_after {
            schedule.stop_after = parse_duration(stop)?;
        }
        Ok(schedule)
    }

    /// How long after the last fetch an article of this age is due again; None: never again.
    pub fn interval(&self, age: Duration) -> Option<Duration> {
        if age >= self.stop_after {
            return None;
        }
        self.steps
            .iter()
            .find(|(until, _)| age < *until)
            .or(self.steps.last())
            .map(|(_, every)| *every)
    }

    /// The age past which nothing is revisited.
    pub fn stop_after(&self) -> Duration {
        self.stop_after
    }

    /// Where the articles due at `now` can be, one window per age band of the schedule: every
    /// article that [`due`] would pick lies in one of them, so that the store need only read
    /// these ranges of an index (the planner then decides, exactly, with [`due`]).
    pub fn windows(&self, now: DateTime<Utc>) -> Vec<Window> {
        let at = |age: Duration| {
            chrono::Duration::from_std(age)
                .ok()
                .and_then(|d| now.checked_sub_signed(d))
                .unwrap_or(DateTime::<Utc>::MIN_UTC)
        };
        let mut bands: Vec<(Duration, Duration, Duration)> = Vec::new();
        let mut from = Duration::ZERO;
        for &(until, every) in &self.steps {
            if from >= self.stop_after {
                break;
            }
            bands.push((from, until.min(self.stop_after), every));
            from = until;
        }
        if let Some(&(_, every)) = self.steps.last()
            && from < self.stop_after
        {
            bands.push((from, self.stop_after, every));
        }
        bands
            .into_iter()
            .map(|(from, until, every)| Window {
                born_after: at(until),
                // Ages are counted from zero: an article dated in the future is in the first band.
                born_until: (from > Duration::ZERO).then(|| at(from)),
                fetched_by: at(every.saturating_sub(slack(every))),
            })
            .collect()
    }
}

/// Articles born after `born_after` and up to `born_until` (None: any time later), last fetched
/// at or before `fetched_by`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub born_after: DateTime<Utc>,
    pub born_until: Option<DateTime<Utc>>,
    pub fetched_by: DateTime<Utc>,
}

/// How early an article of this interval may be taken (see [`due`]).
fn slack(every: Duration) -> Duration {
    (every / 10).min(MAX_SLACK)
}

/// Parses `90s`, `30m`, `6h`, `2d`, `1w` (a whole number and a unit).
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (n, unit) = t.split_at(split);
    let n: u64 = n
        .parse()
        .map_err(|_| format!("{s:?} is not a duration (such as 30m, 6h, 2d, 1w)"))?;
    let unit = match unit.trim() {
        "s" => 1,
        "m" => MINUTE,
        "h" => HOUR,
        "d" => DAY,
        "w" => 7 * DAY,
        _ => return Err(format!("{s:?} is not a duration (such as 30m, 6h, 2d, 1w)")),
    };
    n.checked_mul(unit)
        .map(Duration::from_secs)
        .ok_or_else(|| format!("{s:?} is too long"))
}

/// An archived article the planner considers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub article_id: i64,
    pub url: String,
    /// When the article appeared: its publication time, else when it was first archived.
    pub born: DateTime<Utc>,
    /// The last time it was fetched.
    pub last_fetched: DateTime<Utc>,
}

/// An article due for a revisit, and by how much it is overdue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub article_id: i64,
    pub url: String,
    pub overdue: Duration,
}

/// The candidates due at `now`, most overdue first. An article counts as due a little early
/// (a tenth of its interval, at most five minutes), so that a 3-minute schedule run by a cron
/// job every minute does not slip to every 4 minutes.
pub fn due(
    candidates: impl IntoIterator<Item = Candidate>,
    schedule: &Schedule,
    now: DateTime<Utc>,
) -> Vec<Due> {
    let mut out: Vec<Due> = candidates
        .into_iter()
        .filter_map(|c| {
            let age = (now - c.born).to_std().unwrap_or_default();
            let every = schedule.interval(age)?;
            let since = (now - c.last_fetched).to_std().unwrap_or_default();
            (since + slack(every) >= every).then(|| Due {
                article_id: c.article_id,
                url: c.url,
                overdue: since.saturating_sub(every),
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.overdue
            .cmp(&a.overdue)
            .then(a.article_id.cmp(&b.article_id))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(h: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap() + chrono::Duration::hours(h)
    }

    fn c(id: i64, born_h: i64, last_h: i64) -> Candidate {
        Candidate {
            article_id: id,
            url: format!("http://a.example/{id}"),
            born: t(born_h),
            last_fetched: t(last_h),
        }
    }

    #[test]
    fn the_default_schedule_slows_with_age_then_stops() {
        let s = Schedule::default();
        let h = |n| Duration::from_secs(n * HOUR);
        assert_eq!(s.interval(h(1)), Some(Duration::from_secs(30 * MINUTE)));
        assert_eq!(s.interval(h(7)), Some(h(3)));
        assert_eq!(s.interval(h(3 * 24)), Some(h(24)));
        assert_eq!(s.interval(h(20 * 24)), Some(h(7 * 24)));
        assert_eq!(s.interval(h(61 * 24)), None);
    }

    #[test]
    fn due_articles_come_most_overdue_first_at_the_injected_time() {
        let s = Schedule::default();
        let now = t(10);
        // 1: born 1 h ago (every 30 min), fetched 1 h ago: due, 30 min over.
        // 2: born 9 h ago (every 3 h), fetched 2 h ago: not due.
        // 3: born 9 h ago, fetched 8 h ago: due, 5 h over.
        // 4: born 70 days ago: never.
        let list = due(
            vec![c(1, 9, 9), c(2, 1, 8), c(3, 1, 2), c(4, -70 * 24, -1)],
            &s,
            now,
        );
        let ids: Vec<i64> = list.iter().map(|d| d.article_id).collect();
        assert_eq!(ids, vec![3, 1]);
        assert_eq!(list[0].overdue, Duration::from_secs(5 * HOUR));
        // A revisit due a few seconds after the run starts is made now, not a period later.
        let mut early = c(5, 9, 9);
        early.last_fetched = now - chrono::Duration::seconds(30 * 60 - 10);
        assert_eq!(due(vec![early], &s, now).len(), 1);
        // An hour later article 2 is due as well.
        let later = due(vec![c(2, 1, 8)], &s, t(11));
        assert_eq!(later.len(), 1);
    }

    #[test]
    fn every_due_article_lies_in_a_window() {
        let inside = |w: &Window, c: &Candidate| {
            c.born > w.born_after
                && w.born_until.is_none_or(|u| c.born <= u)
                && c.last_fetched <= w.fetched_by
        };
        let one_day = RevisitConfig {
            schedule: Some(vec![RevisitStep {
                until: "1d".into(),
                every: "2h".into(),
            }]),
            stop_after: Some("3d".into()),
        };
        let now = t(0);
        for s in [
            Schedule::default(),
            Schedule::from_config(Some(&one_day)).unwrap(),
        ] {
            let windows = s.windows(now);
            // Births from 70 days ago to an hour ahead, last fetches up to 8 days back, on a
            // grid that does not line up with the schedule's steps.
            let mut id = 0;
            for born_min in (-70 * 24 * 60..=60).step_by(97) {
                for since_min in (0..8 * 24 * 60).step_by(89) {
                    id += 1;
                    let born = now + chrono::Duration::minutes(born_min);
                    let c = Candidate {
                        article_id: id,
                        url: String::new(),
                        born,
                        last_fetched: (now - chrono::Duration::minutes(since_min)).max(born),
                    };
                    let is_due = !due(vec![c.clone()], &s, now).is_empty();
                    let found = windows.iter().filter(|w| inside(w, &c)).count();
                    assert!(found <= 1, "windows overlap at {c:?}");
                    assert_eq!(is_due, found == 1, "{c:?} under {s:?}");
                }
            }
        }
    }

    #[test]
    fn durations_and_configured_schedules_parse() {
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("2d"), Ok(Duration::from_secs(2 * DAY)));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("5 parsecs").is_err());
        let config = RevisitConfig {
            schedule: Some(vec![
                RevisitStep {
                    until: "1h".into(),
                    every: "10m".into(),
                },
                RevisitStep {
                    until: "1d".into(),
                    every: "6h".into(),
                },
            ]),
            stop_after: None,
        };
        let s = Schedule::from_config(Some(&config)).unwrap();
        assert_eq!(s.stop_after(), Duration::from_secs(DAY));
        assert_eq!(
            s.interval(Duration::from_secs(2 * HOUR)),
            Some(Duration::from_secs(6 * HOUR))
        );
        let mut shrinking = config.clone();
        shrinking.schedule.as_mut().unwrap().reverse();
        assert!(Schedule::from_config(Some(&shrinking)).is_err());
    }
}
