//! Reading events out of an iCalendar file that may be partly broken.
//!
//! The file is cut into its `VEVENT` blocks by line (folded lines never
//! start with `BEGIN:`), and each block is parsed on its own with the
//! `icalendar` crate's parser, so one broken event costs that event and a
//! warning naming its line, not the file. Dates are read with their
//! `TZID` (IANA names, and the Windows names Outlook writes), as floating
//! times, or as all-day dates.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// A point in time as an event states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// An exact instant (UTC, or a local time in a known zone).
    At(DateTime<Utc>, Tz),
    /// A local time with no zone: read in the calendar owner's zone.
    Floating(NaiveDateTime),
    /// A whole day.
    Day(NaiveDate),
}

impl When {
    /// The instant, reading floating times and days in `zone`.
    pub fn instant(&self, zone: Tz) -> Option<DateTime<Utc>> {
        match self {
            When::At(t, _) => Some(*t),
            When::Floating(local) => zone
                .from_local_datetime(local)
                .earliest()
                .map(|t| t.with_timezone(&Utc)),
            When::Day(d) => d
                .and_hms_opt(0, 0, 0)
                .and_then(|l| zone.from_local_datetime(&l).earliest())
                .map(|t| t.with_timezone(&Utc)),
        }
    }

    pub fn zone(&self) -> Option<Tz> {
        match self {
            When::At(_, tz) => Some(*tz),
            _ => None,
        }
    }
}

/// One attendee line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attendee {
    pub address: String,
    pub partstat: Option<String>,
    /// A room or a resource rather than a person.
    pub resource: bool,
}

/// One `VEVENT` with the fields the metrics need.
#[derive(Debug, Clone, PartialEq)]
pub struct RawEvent {
    pub line: usize,
    pub uid: String,
    pub start: When,
    pub end: Option<When>,
    /// `DURATION` in seconds.
    pub duration: Option<i64>,
    pub rrule: Option<String>,
    pub exdates: Vec<When>,
    pub rdates: Vec<When>,
    pub recurrence_id: Option<When>,
    pub cancelled: bool,
    pub transparent: bool,
    pub attendees: Vec<Attendee>,
    pub organizer: Option<String>,
    pub summary: String,
    pub description: String,
}

/// What one file held.
#[derive(Debug, Default)]
pub struct IcsFile {
    pub events: Vec<RawEvent>,
    /// `X-WR-TIMEZONE`: the zone the calendar is shown in.
    pub zone: Option<Tz>,
    /// `X-WR-CALNAME` when it is an address (Google names calendars so).
    pub owner: Option<String>,
    /// Problems, each naming its line.
    pub warnings: Vec<String>,
    /// Zone names that were not recognised, read as the owner's zone.
    pub unknown_zones: Vec<String>,
}

/// Windows zone names (as Outlook and Exchange write them in `TZID`) and
/// their IANA equivalents, after the Unicode CLDR `windowsZones` table.
const WINDOWS_ZONES: &[(&str, &str)] = &[
    ("Dateline Standard Time", "Etc/GMT+12"),
    ("Hawaiian Standard Time", "Pacific/Honolulu"),
    ("Alaskan Standard Time", "America/Anchorage"),
    ("Pacific Standard Time", "America/Los_Angeles"),
    ("US Mountain Standard Time", "America/Phoenix"),
    ("Mountain Standard Time", "America/Denver"),
    ("Central Standard Time", "America/Chicago"),
    ("Central America Standard Time", "America/Guatemala"),
    ("Canada Central Standard Time", "America/Regina"),
    ("Central Standard Time (Mexico)", "America/Mexico_City"),
    ("Eastern Standard Time", "America/New_York"),
    ("US Eastern Standard Time", "America/Indianapolis"),
    ("SA Pacific Standard Time", "America/Bogota"),
    ("Atlantic Standard Time", "America/Halifax"),
    ("Newfoundland Standard Time", "America/St_Johns"),
    ("E. South America Standard Time", "America/Sao_Paulo"),
    ("Argentina Standard Time", "America/Buenos_Aires"),
    ("SA Eastern Standard Time", "America/Cayenne"),
    ("UTC", "Etc/UTC"),
    ("Coordinated Universal Time", "Etc/UTC"),
    ("GMT Standard Time", "Europe/London"),
    ("Greenwich Standard Time", "Atlantic/Reykjavik"),
    ("W. Europe Standard Time", "Europe/Berlin"),
    ("Central Europe Standard Time", "Europe/Budapest"),
    ("Romance Standard Time", "Europe/Paris"),
    ("Central European Standard Time", "Europe/Warsaw"),
    ("W. Central Africa Standard Time", "Africa/Lagos"),
    ("GTB Standard Time", "Europe/Bucharest"),
    ("E. Europe Standard Time", "Europe/Chisinau"),
    ("FLE Standard Time", "Europe/Kiev"),
    ("Israel Standard Time", "Asia/Jerusalem"),
    ("South Africa Standard Time", "Africa/Johannesburg"),
    ("Egypt Standard Time", "Africa/Cairo"),
    ("Turkey Standard Time", "Europe/Istanbul"),
    ("Russian Standard Time", "Europe/Moscow"),
    ("Arab Standard Time", "Asia/Riyadh"),
    ("E. Africa Standard Time", "Africa/Nairobi"),
    ("Arabian Standard Time", "Asia/Dubai"),
    ("Iran Standard Time", "Asia/Tehran"),
    ("Pakistan Standard Time", "Asia/Karachi"),
    ("India Standard Time", "Asia/Calcutta"),
    ("Nepal Standard Time", "Asia/Katmandu"),
    ("Bangladesh Standard Time", "Asia/Dhaka"),
    ("SE Asia Standard Time", "Asia/Bangkok"),
    ("China Standard Time", "Asia/Shanghai"),
    ("Singapore Standard Time", "Asia/Singapore"),
    ("Taipei Standard Time", "Asia/Taipei"),
    ("W. Australia Standard Time", "Australia/Perth"),
    ("Korea Standard Time", "Asia/Seoul"),
    ("Tokyo Standard Time", "Asia/Tokyo"),
    ("AUS Central Standard Time", "Australia/Darwin"),
    ("Cen. Australia Standard Time", "Australia/Adelaide"),
    ("E. Australia Standard Time", "Australia/Brisbane"),
    ("AUS Eastern Standard Time", "Australia/Sydney"),
    ("Tasmania Standard Time", "Australia/Hobart"),
    ("New Zealand Standard Time", "Pacific/Auckland"),
];

/// A `TZID` as a zone: an IANA name, a Windows name, or an IANA name inside
/// a vendor prefix such as `/mozilla.org/20050126_1/Europe/Berlin`.
pub fn zone(tzid: &str) -> Option<Tz> {
    let name = tzid.trim().trim_matches('"');
    if let Ok(tz) = name.parse::<Tz>() {
        return Some(tz);
    }
    if let Some((_, iana)) = WINDOWS_ZONES.iter().find(|(w, _)| w.eq_ignore_ascii_case(name)) {
        return iana.parse().ok();
    }
    // A path-like prefix: try ever shorter tails.
    let parts: Vec<&str> = name.split('/').collect();
    (1..parts.len()).find_map(|i| parts[i..].join("/").parse::<Tz>().ok())
}

fn naive(value: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%S").ok()
}

/// Reads a DATE or DATE-TIME value with its TZID; `None` when unreadable.
/// An unknown TZID is read as floating and reported in `unknown`.
fn when(value: &str, tzid: Option<&str>, unknown: &mut Vec<String>) -> Option<When> {
    let value = value.trim();
    if value.len() == 8 {
        return NaiveDate::parse_from_str(value, "%Y%m%d").ok().map(When::Day);
    }
    if let Some(utc) = value.strip_suffix('Z') {
        return naive(utc).map(|n| When::At(Utc.from_utc_datetime(&n), Tz::UTC));
    }
    let local = naive(value)?;
    match tzid {
        None => Some(When::Floating(local)),
        Some(id) => match zone(id) {
            // A local time that DST skips is moved forward, as calendars do;
            // one that happens twice is read as the first.
            Some(tz) => tz
                .from_local_datetime(&local)
                .earliest()
                .or_else(|| tz.from_local_datetime(&(local + chrono::Duration::hours(1))).earliest())
                .map(|t| When::At(t.with_timezone(&Utc), tz)),
            None => {
                if !unknown.iter().any(|u| u == id) {
                    unknown.push(id.to_string());
                }
                Some(When::Floating(local))
            }
        },
    }
}

/// `P1DT2H`, `PT30M`, `-PT15M` as seconds.
pub fn duration(text: &str) -> Option<i64> {
    let text = text.trim();
    let (sign, text) = match text.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, text.strip_prefix('+').unwrap_or(text)),
    };
    let mut rest = text.strip_prefix('P')?;
    let mut total: i64 = 0;
    let mut in_time = false;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('T') {
            in_time = true;
            rest = r;
            continue;
        }
        let digits = rest.find(|c: char| !c.is_ascii_digit())?;
        let n: i64 = rest[..digits].parse().ok()?;
        let unit = rest[digits..].chars().next()?;
        let seconds = match (unit, in_time) {
            ('W', false) => 7 * 86_400,
            ('D', false) => 86_400,
            ('H', true) => 3_600,
            ('M', true) => 60,
            ('S', true) => 1,
            _ => return None,
        };
        total = total.checked_add(n.checked_mul(seconds)?)?;
        rest = &rest[digits + 1..];
    }
    Some(sign * total)
}

fn address(value: &str) -> String {
    let v = value.trim();
    let v = if v.len() >= 7 && v[..7].eq_ignore_ascii_case("mailto:") {
        &v[7..]
    } else {
        v
    };
    v.to_lowercase()
}

/// Reads one calendar file's text.
pub fn read(text: &str) -> IcsFile {
    let mut file = IcsFile::default();
    let lines: Vec<&str> = text.lines().collect();
    let mut depth_event: Option<usize> = None;
    let mut in_other = 0usize;
    for (i, raw) in lines.iter().enumerate() {
        let line = raw.trim_end_matches('\r');
        let upper = line.get(..line.len().min(24)).unwrap_or("").to_ascii_uppercase();
        if depth_event.is_none() && in_other == 0 {
            if let Some(v) = upper.strip_prefix("X-WR-TIMEZONE:").map(|_| &line[14..]) {
                file.zone = zone(v);
            } else if upper.starts_with("X-WR-CALNAME:") && line[13..].contains('@') {
                file.owner = Some(address(&line[13..]));
            }
        }
        if upper.starts_with("BEGIN:VEVENT") {
            if let Some(start) = depth_event {
                file.warnings
                    .push(format!("line {}: event never ended (END:VEVENT missing)", start + 1));
            }
            depth_event = Some(i);
        } else if upper.starts_with("END:VEVENT") {
            match depth_event.take() {
                Some(start) => {
                    let block = lines[start..=i].join("\n");
                    match event(&block, start + 1, &mut file.unknown_zones) {
                        Ok(e) => file.events.push(e),
                        Err(why) => file.warnings.push(format!("line {}: event skipped: {why}", start + 1)),
                    }
                }
                None => file
                    .warnings
                    .push(format!("line {}: END:VEVENT without BEGIN:VEVENT", i + 1)),
            }
        } else if depth_event.is_none() && upper.starts_with("BEGIN:") && !upper.starts_with("BEGIN:VCALENDAR") {
            in_other += 1;
        } else if depth_event.is_none() && upper.starts_with("END:") && !upper.starts_with("END:VCALENDAR") {
            in_other = in_other.saturating_sub(1);
        }
    }
    if let Some(start) = depth_event {
        file.warnings
            .push(format!("line {}: event never ended (END:VEVENT missing)", start + 1));
    }
    file
}

fn event(block: &str, line: usize, unknown: &mut Vec<String>) -> Result<RawEvent, String> {
    let unfolded = icalendar::parser::unfold(block);
    let components = icalendar::parser::read_calendar_simple(&unfolded).map_err(|e| {
        format!(
            "not iCalendar syntax near {:?}",
            e.input.lines().next().unwrap_or("").trim()
        )
    })?;
    let c = components.first().ok_or("no event")?;
    let mut uid = None;
    let mut start = None;
    let mut e = RawEvent {
        line,
        uid: String::new(),
        start: When::Day(NaiveDate::MIN),
        end: None,
        duration: None,
        rrule: None,
        exdates: Vec::new(),
        rdates: Vec::new(),
        recurrence_id: None,
        cancelled: false,
        transparent: false,
        attendees: Vec::new(),
        organizer: None,
        summary: String::new(),
        description: String::new(),
    };
    for p in &c.properties {
        let name = p.name.as_str().to_ascii_uppercase();
        let value = p.val.as_str();
        let param = |key: &str| {
            p.params
                .iter()
                .find(|x| x.key.as_str().eq_ignore_ascii_case(key))
                .and_then(|x| x.val.as_ref().map(|v| v.as_str().to_string()))
        };
        let tzid = param("TZID");
        match name.as_str() {
            "UID" => uid = Some(value.trim().to_string()),
            "DTSTART" => start = when(value, tzid.as_deref(), unknown),
            "DTEND" => e.end = when(value, tzid.as_deref(), unknown),
            "DURATION" => e.duration = duration(value),
            "RRULE" => e.rrule = Some(value.trim().to_string()),
            "RECURRENCE-ID" => e.recurrence_id = when(value, tzid.as_deref(), unknown),
            "EXDATE" | "RDATE" => {
                let list: Vec<When> = value
                    .split(',')
                    .filter_map(|v| when(v, tzid.as_deref(), unknown))
                    .collect();
                if name == "EXDATE" {
                    e.exdates.extend(list);
                } else {
                    e.rdates.extend(list);
                }
            }
            "STATUS" => e.cancelled = value.trim().eq_ignore_ascii_case("CANCELLED"),
            "TRANSP" => e.transparent = value.trim().eq_ignore_ascii_case("TRANSPARENT"),
            "SUMMARY" => e.summary = value.to_string(),
            "DESCRIPTION" => e.description = value.replace("\\n", "\n").replace("\\N", "\n"),
            "ORGANIZER" => e.organizer = Some(address(value)),
            "ATTENDEE" => {
                let cutype = param("CUTYPE").unwrap_or_default().to_ascii_uppercase();
                e.attendees.push(Attendee {
                    address: address(value),
                    partstat: param("PARTSTAT").map(|s| s.to_ascii_uppercase()),
                    resource: cutype == "ROOM" || cutype == "RESOURCE",
                });
            }
            _ => {}
        }
    }
    e.uid = uid.ok_or("no UID")?;
    e.start = start.ok_or("no readable DTSTART")?;
    Ok(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_by_iana_windows_and_vendor_names() {
        assert_eq!(zone("Europe/Berlin"), Some(chrono_tz::Europe::Berlin));
        assert_eq!(zone("W. Europe Standard Time"), Some(chrono_tz::Europe::Berlin));
        assert_eq!(zone("\"Eastern Standard Time\""), Some(chrono_tz::America::New_York));
        assert_eq!(
            zone("/mozilla.org/20050126_1/Europe/Paris"),
            Some(chrono_tz::Europe::Paris)
        );
        assert_eq!(zone("Mars/Olympus"), None);
    }

    #[test]
    fn durations() {
        assert_eq!(duration("PT1H30M"), Some(5400));
        assert_eq!(duration("P1D"), Some(86_400));
        assert_eq!(duration("P1W"), Some(604_800));
        assert_eq!(duration("-PT15M"), Some(-900));
        assert_eq!(duration("1H"), None);
        assert_eq!(duration("PT"), Some(0));
    }
}
