//! The clock: today's date for the rules (pinnable in tests) and the current timestamp as stored.

use chrono::{NaiveDateTime, Offset, Utc};

/// Today's date for the rules, in the deployment's time zone. Tests may pin it; the binary never
/// does.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    pinned: std::sync::Arc<std::sync::Mutex<Option<chrono::NaiveDate>>>,
}

impl Clock {
    /// Pins "today" (tests only), or releases it with `None`.
    pub fn pin(&self, today: Option<chrono::NaiveDate>) {
        if let Ok(mut pinned) = self.pinned.lock() {
            *pinned = today;
        }
    }

    pub fn today(&self, utc_offset_hours: i32) -> chrono::NaiveDate {
        if let Some(day) = self.pinned.lock().ok().and_then(|p| *p) {
            return day;
        }
        let offset =
            chrono::FixedOffset::east_opt(utc_offset_hours * 3600).unwrap_or(chrono::Utc.fix());
        chrono::Utc::now().with_timezone(&offset).date_naive()
    }
}

/// The current time in UTC, truncated to microseconds so that a value written to either backend
/// reads back equal. Every stored timestamp (`created_at`, `updated_at`, `occurred_at`, …) is
/// taken from here.
pub fn now_utc() -> NaiveDateTime {
    let now = Utc::now().naive_utc();
    now - chrono::TimeDelta::nanoseconds(i64::from(now.and_utc().timestamp_subsec_nanos() % 1000))
}
