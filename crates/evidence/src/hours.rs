//! Working hours (`09:00-17:00`) and the local time of an instant in a
//! person's time zone: what "outside working hours" means for chat messages
//! and meetings alike.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDateTime, Timelike, Weekday};

/// The working day as minutes after local midnight, `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkingHours {
    start: u16,
    end: u16,
}

/// Why a `--working-hours` value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("working hours {0:?} must look like 09:00-17:00 (24-hour clock, start before end)")]
pub struct WorkingHoursError(pub String);

fn minutes(text: &str) -> Option<u16> {
    let (h, m) = text.trim().split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    let h: u16 = h.parse().ok()?;
    let m: u16 = m.parse().ok()?;
    (h <= 24 && m < 60 && h * 60 + m <= 24 * 60).then_some(h * 60 + m)
}

impl WorkingHours {
    pub const DEFAULT: WorkingHours = WorkingHours {
        start: 9 * 60,
        end: 17 * 60,
    };

    pub fn parse(text: &str) -> Result<Self, WorkingHoursError> {
        let err = || WorkingHoursError(text.to_string());
        let (a, b) = text.split_once('-').ok_or_else(err)?;
        let (start, end) = (minutes(a).ok_or_else(err)?, minutes(b).ok_or_else(err)?);
        if start >= end {
            return Err(err());
        }
        Ok(WorkingHours { start, end })
    }

    /// Minutes after midnight where the working day starts and ends.
    pub fn start_minute(&self) -> u32 {
        u32::from(self.start)
    }

    pub fn end_minute(&self) -> u32 {
        u32::from(self.end)
    }

    /// Length of the working day in minutes.
    pub fn length_minutes(&self) -> u32 {
        u32::from(self.end - self.start)
    }

    /// Whether a local time falls on a weekday inside the working day.
    pub fn contains(&self, local: NaiveDateTime) -> bool {
        let minute = local.hour() * 60 + local.minute();
        !is_weekend(local) && self.start_minute() <= minute && minute < self.end_minute()
    }
}

impl Default for WorkingHours {
    fn default() -> Self {
        WorkingHours::DEFAULT
    }
}

impl FromStr for WorkingHours {
    type Err = WorkingHoursError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        WorkingHours::parse(s)
    }
}

impl fmt::Display for WorkingHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:02}:{:02}-{:02}:{:02}",
            self.start / 60,
            self.start % 60,
            self.end / 60,
            self.end % 60
        )
    }
}

/// Saturday or Sunday.
pub fn is_weekend(local: NaiveDateTime) -> bool {
    matches!(local.weekday(), Weekday::Sat | Weekday::Sun)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn working_hours_read_and_print() {
        let h = WorkingHours::parse("08:30-17:00").expect("ok");
        assert_eq!(h.to_string(), "08:30-17:00");
        assert_eq!(h.length_minutes(), 510);
        for bad in [
            "9-5",
            "17:00-09:00",
            "09:00-09:00",
            "25:00-26:00",
            "09:00",
            "",
            "09:60-10:00",
        ] {
            assert!(WorkingHours::parse(bad).is_err(), "{bad:?}");
        }
        let monday_9 = chrono::NaiveDate::from_ymd_opt(2024, 1, 1)
            .and_then(|d| d.and_hms_opt(9, 0, 0))
            .expect("date");
        assert!(WorkingHours::DEFAULT.contains(monday_9));
        assert!(!WorkingHours::DEFAULT.contains(monday_9 + chrono::Duration::hours(8)));
        assert!(!WorkingHours::DEFAULT.contains(monday_9 - chrono::Duration::days(1)));
    }

    proptest! {
        #[test]
        fn any_text_is_read_or_refused(s in "\\PC{0,16}") {
            if let Ok(h) = WorkingHours::parse(&s) {
                prop_assert!(h.start_minute() < h.end_minute());
                prop_assert_eq!(WorkingHours::parse(&h.to_string()), Ok(h));
            }
        }
    }
}
