//! Opening hours: a department's weekly schedule in its own time zone, written as
//! `mon-fri 09:00-17:30, sat 10:00-14:00`, and whether it is open at an instant.
//!
//! Times are local wall-clock times in the department's IANA zone (chrono-tz), so
//! daylight saving moves the opening in UTC, not on the shop's clock. A range whose
//! end is not after its start runs past midnight into the next day (`fri 22:00-02:00`);
//! `24:00` ends a range at midnight. Days not named are closed.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Timelike, Utc, Weekday};
use chrono_tz::Tz;

const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const MINUTES_PER_DAY: u16 = 24 * 60;

/// A weekly schedule with its time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpeningHours {
    zone: Tz,
    /// Per weekday (Monday first), the open ranges in minutes after local midnight,
    /// start inclusive, end exclusive, sorted and merged.
    week: [Vec<(u16, u16)>; 7],
}

/// Why a schedule or a time zone could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct HoursError(String);

impl OpeningHours {
    /// Read a schedule (`mon-fri 09:00-17:30, sat 10:00-14:00`) for the IANA zone
    /// `zone` (`Europe/Berlin`).
    pub fn parse(schedule: &str, zone: &str) -> Result<Self, HoursError> {
        let zone = parse_zone(zone)?;
        let mut week: [Vec<(u16, u16)>; 7] = Default::default();
        let mut any = false;
        for entry in schedule.split([',', ';']) {
            let entry = entry.trim();
            if entry.is_empty() {
                continue;
            }
            let mut words = entry.split_whitespace();
            let days_word = words.next().unwrap_or_default();
            let days = parse_days(days_word)?;
            let mut ranges = Vec::new();
            for word in words {
                ranges.push(parse_range(word)?);
            }
            if ranges.is_empty() {
                return Err(HoursError(format!(
                    "`{entry}` names days but no hours (write e.g. `{days_word} 09:00-17:00`)"
                )));
            }
            for day in days {
                for &(start, end) in &ranges {
                    any = true;
                    if end > start {
                        week[day].push((start, end));
                    } else {
                        // Past midnight: the rest of this day, then the next morning.
                        week[day].push((start, MINUTES_PER_DAY));
                        if end > 0 {
                            week[(day + 1) % 7].push((0, end));
                        }
                    }
                }
            }
        }
        if !any {
            return Err(HoursError(
                "a schedule needs at least one day with hours, e.g. `mon-fri 09:00-17:00`".into(),
            ));
        }
        for day in &mut week {
            *day = merged(std::mem::take(day));
        }
        Ok(OpeningHours { zone, week })
    }

    /// The same schedule in another zone.
    pub fn with_zone(&self, zone: &str) -> Result<Self, HoursError> {
        Ok(OpeningHours {
            zone: parse_zone(zone)?,
            week: self.week.clone(),
        })
    }

    pub fn zone(&self) -> &str {
        self.zone.name()
    }

    /// The schedule in its canonical form (days with the same hours grouped).
    pub fn schedule(&self) -> String {
        let mut entries = Vec::new();
        let mut day = 0;
        while day < 7 {
            if self.week[day].is_empty() {
                day += 1;
                continue;
            }
            let mut last = day;
            while last + 1 < 7 && self.week[last + 1] == self.week[day] {
                last += 1;
            }
            let days = if last == day {
                DAY_NAMES[day].to_owned()
            } else {
                format!("{}-{}", DAY_NAMES[day], DAY_NAMES[last])
            };
            let ranges: Vec<String> = self.week[day]
                .iter()
                .map(|&(s, e)| format!("{}-{}", clock_text(s), clock_text(e)))
                .collect();
            entries.push(format!("{days} {}", ranges.join(" ")));
            day = last + 1;
        }
        entries.join(", ")
    }

    /// Whether the schedule is open at `at`.
    pub fn is_open(&self, at: DateTime<Utc>) -> bool {
        let local = at.with_timezone(&self.zone);
        let day = local.weekday().num_days_from_monday() as usize;
        let minute = u16::try_from(local.hour() * 60 + local.minute()).unwrap_or(0);
        self.week[day]
            .iter()
            .any(|&(start, end)| start <= minute && minute < end)
    }
}

impl fmt::Display for OpeningHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.schedule(), self.zone())
    }
}

fn parse_zone(zone: &str) -> Result<Tz, HoursError> {
    Tz::from_str(zone.trim()).map_err(|_| {
        HoursError(format!(
            "`{}` is not an IANA time zone (write e.g. `Europe/Berlin` or `America/New_York`)",
            zone.trim()
        ))
    })
}

fn parse_day(word: &str) -> Result<usize, HoursError> {
    let w = word.trim().to_ascii_lowercase();
    let found = if w.len() >= 3 {
        Weekday::from_str(&w).ok()
    } else {
        None
    };
    found
        .map(|d| d.num_days_from_monday() as usize)
        .ok_or_else(|| HoursError(format!("`{word}` is not a day (mon, tue, ... sun)")))
}

/// `mon`, `mon-fri`, `fri-mon` (wrapping) or `daily`, as weekday indexes.
fn parse_days(word: &str) -> Result<Vec<usize>, HoursError> {
    if word.eq_ignore_ascii_case("daily") {
        return Ok((0..7).collect());
    }
    match word.split_once('-') {
        None => Ok(vec![parse_day(word)?]),
        Some((from, to)) => {
            let (from, to) = (parse_day(from)?, parse_day(to)?);
            let mut days = vec![from];
            let mut day = from;
            while day != to {
                day = (day + 1) % 7;
                days.push(day);
            }
            Ok(days)
        }
    }
}

/// `HH:MM` as minutes after midnight; `24:00` is allowed as an end.
fn parse_clock(text: &str) -> Result<u16, HoursError> {
    let bad = || HoursError(format!("`{text}` is not a time of day (write HH:MM)"));
    let (h, m) = text.split_once(':').ok_or_else(bad)?;
    let h: u16 = h.parse().map_err(|_| bad())?;
    let m: u16 = m.parse().map_err(|_| bad())?;
    if m >= 60 || h > 24 || (h == 24 && m != 0) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

fn parse_range(word: &str) -> Result<(u16, u16), HoursError> {
    let (start, end) = word
        .split_once('-')
        .ok_or_else(|| HoursError(format!("`{word}` is not a range of hours (HH:MM-HH:MM)")))?;
    let start = parse_clock(start)?;
    let end = parse_clock(end)?;
    if start == MINUTES_PER_DAY {
        return Err(HoursError(format!("`{word}` starts at 24:00")));
    }
    if start == end {
        return Err(HoursError(format!("`{word}` is empty")));
    }
    Ok((start, end))
}

fn merged(mut ranges: Vec<(u16, u16)>) -> Vec<(u16, u16)> {
    ranges.sort_unstable();
    let mut out: Vec<(u16, u16)> = Vec::with_capacity(ranges.len());
    for (start, end) in ranges {
        match out.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => out.push((start, end)),
        }
    }
    out
}

fn clock_text(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(rfc3339: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(rfc3339)
            .expect("a valid test time")
            .with_timezone(&Utc)
    }

    #[test]
    fn weekday_hours_are_read_in_the_departments_zone() {
        let h = OpeningHours::parse("mon-fri 09:00-17:30, sat 10:00-14:00", "Europe/Berlin")
            .expect("parses");
        // Friday 6 June 2025; Berlin is UTC+2 in summer.
        assert!(
            h.is_open(at("2025-06-06T07:00:00Z")),
            "09:00 in Berlin opens"
        );
        assert!(
            !h.is_open(at("2025-06-06T06:59:00Z")),
            "08:59 in Berlin is closed"
        );
        assert!(
            h.is_open(at("2025-06-06T15:29:00Z")),
            "17:29 in Berlin is open"
        );
        assert!(
            !h.is_open(at("2025-06-06T15:30:00Z")),
            "17:30 closes (end exclusive)"
        );
        assert!(
            h.is_open(at("2025-06-07T08:00:00Z")),
            "Saturday 10:00 in Berlin"
        );
        assert!(
            !h.is_open(at("2025-06-07T12:00:00Z")),
            "Saturday 14:00 closed"
        );
        assert!(
            !h.is_open(at("2025-06-08T10:00:00Z")),
            "Sunday is not listed"
        );
    }

    #[test]
    fn daylight_saving_moves_the_opening_in_utc() {
        let h = OpeningHours::parse("daily 09:00-17:00", "Europe/Berlin").expect("parses");
        assert!(
            h.is_open(at("2025-01-15T08:00:00Z")),
            "winter: UTC+1, 09:00 local"
        );
        assert!(
            !h.is_open(at("2025-07-15T15:30:00Z")),
            "summer: UTC+2, 17:30 local"
        );
        assert!(
            h.is_open(at("2025-07-15T07:00:00Z")),
            "summer: 09:00 local is 07:00 UTC"
        );
    }

    #[test]
    fn ranges_past_midnight_continue_into_the_next_day() {
        let h = OpeningHours::parse("fri 22:00-02:00", "UTC").expect("parses");
        assert!(h.is_open(at("2025-06-06T23:00:00Z")), "Friday 23:00");
        assert!(h.is_open(at("2025-06-07T01:59:00Z")), "Saturday 01:59");
        assert!(
            !h.is_open(at("2025-06-07T02:00:00Z")),
            "Saturday 02:00 closed"
        );
        assert_eq!(h.schedule(), "fri 22:00-24:00, sat 00:00-02:00");
    }

    #[test]
    fn the_canonical_form_groups_days_with_the_same_hours() {
        let h = OpeningHours::parse(
            "Mon 09:00-12:00 13:00-17:00; tue-fri 13:00-17:00 09:00-12:00, sat 10:00-14:00",
            "America/New_York",
        )
        .expect("parses");
        assert_eq!(
            h.schedule(),
            "mon-fri 09:00-12:00 13:00-17:00, sat 10:00-14:00"
        );
        assert_eq!(h.zone(), "America/New_York");
        let again = OpeningHours::parse(&h.schedule(), h.zone()).expect("round trips");
        assert_eq!(
            again, h,
            "the canonical form reads back to the same schedule"
        );
    }

    #[test]
    fn mistakes_are_explained() {
        let err = |s: &str, z: &str| OpeningHours::parse(s, z).expect_err("rejected").0;
        assert!(err("mon-fri 09:00-17:00", "Mars/Olympus").contains("IANA"));
        assert!(err("funday 09:00-17:00", "UTC").contains("not a day"));
        assert!(err("mon 9-17", "UTC").contains("not a time"));
        assert!(err("mon 09:00-25:00", "UTC").contains("not a time"));
        assert!(err("mon", "UTC").contains("no hours"));
        assert!(err("", "UTC").contains("at least one day"));
        assert!(err("mon 09:00-09:00", "UTC").contains("empty"));
    }
}
