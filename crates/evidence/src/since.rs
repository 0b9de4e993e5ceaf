//! Reading a scan's time window from the command line: `--since 180d`,
//! `--since 26w`, `--since 2024-01-01` or an RFC 3339 time, and an optional
//! `--until` (a date includes that whole day). Times are UTC.

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, Duration, OffsetDateTime, Time};

use crate::metric::Window;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WindowError {
    #[error("{flag} {value:?} is not a duration or a date: use e.g. 180d, 26w, 2024-01-31 or 2024-01-31T12:00:00Z")]
    Unreadable { flag: &'static str, value: String },
    #[error("the window is empty: --since {since} is not before --until {until}")]
    Empty { since: String, until: String },
}

fn parse_date(value: &str) -> Option<Date> {
    Date::parse(value, format_description!("[year]-[month]-[day]")).ok()
}

fn parse_point(flag: &'static str, value: &str, end_of_day: bool) -> Result<OffsetDateTime, WindowError> {
    let value = value.trim();
    if let Some(date) = parse_date(value) {
        let day = date.with_time(Time::MIDNIGHT).assume_utc();
        return Ok(if end_of_day { day + Duration::days(1) } else { day });
    }
    OffsetDateTime::parse(value, &Rfc3339).map_err(|_| WindowError::Unreadable {
        flag,
        value: value.to_string(),
    })
}

/// `180d` or `26w` as a duration.
fn parse_span(value: &str) -> Option<Duration> {
    let value = value.trim();
    let (at, unit) = value.char_indices().last()?;
    let n: i64 = value[..at].parse().ok().filter(|n| *n > 0 && *n <= 100 * 366)?;
    match unit {
        'd' => Some(Duration::days(n)),
        'w' => Some(Duration::weeks(n)),
        _ => None,
    }
}

/// The window `[since, until)`; `now` is the default end.
pub fn parse_window(since: &str, until: Option<&str>, now: OffsetDateTime) -> Result<Window, WindowError> {
    let until = match until {
        Some(value) => parse_point("--until", value, true)?,
        None => now,
    };
    let since = match parse_span(since) {
        Some(span) => until - span,
        None => parse_point("--since", since, false)?,
    };
    if since >= until {
        return Err(WindowError::Empty {
            since: since.date().to_string(),
            until: until.date().to_string(),
        });
    }
    Ok(Window { since, until })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2024-07-01 12:00 UTC);

    #[test]
    fn durations_count_back_from_the_end() {
        let w = parse_window("180d", None, NOW).expect("ok");
        assert_eq!(w.since, datetime!(2024-01-03 12:00 UTC));
        assert_eq!(w.until, NOW);
        let w = parse_window("2w", Some("2024-03-31"), NOW).expect("ok");
        assert_eq!(w.until, datetime!(2024-04-01 0:00 UTC));
        assert_eq!(w.since, datetime!(2024-03-18 0:00 UTC));
    }

    #[test]
    fn dates_and_times_are_read() {
        let w = parse_window("2024-01-01", Some("2024-06-30"), NOW).expect("ok");
        assert_eq!(w.since, datetime!(2024-01-01 0:00 UTC));
        assert_eq!(w.until, datetime!(2024-07-01 0:00 UTC));
        let w = parse_window("2024-01-01T08:00:00+02:00", None, NOW).expect("ok");
        assert_eq!(w.since, datetime!(2024-01-01 6:00 UTC));
    }

    #[test]
    fn nonsense_and_empty_windows_are_refused() {
        let e = parse_window("six months", None, NOW).expect_err("bad");
        assert!(e.to_string().contains("--since \"six months\""));
        assert!(parse_window("0d", None, NOW).is_err());
        assert!(matches!(
            parse_window("2024-08-01", None, NOW),
            Err(WindowError::Empty { .. })
        ));
    }

    proptest! {
        #[test]
        fn any_text_is_read_or_refused_without_panic(s in "\\PC{0,20}") {
            let _ = parse_window(&s, None, NOW);
            let _ = parse_window("1d", Some(&s), NOW);
        }

        #[test]
        fn a_day_count_gives_that_many_days(n in 1i64..5000) {
            let w = parse_window(&format!("{n}d"), None, NOW).expect("ok");
            prop_assert_eq!(w.until - w.since, Duration::days(n));
        }
    }
}
