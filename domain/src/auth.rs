//! The rules of signing in: credentials' shape, login throttling and refresh-token rotation. Times
//! are UTC, passed in.

use chrono::{NaiveDateTime, TimeDelta};

/// Usernames: 3–64 characters of letters, digits, `.`, `_` and `-`, starting with a letter or
/// digit. Compared without regard to case.
pub fn valid_username(username: &str) -> bool {
    (3..=64).contains(&username.len())
        && username
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric())
        && username
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// The key usernames are unique by.
pub fn username_key(username: &str) -> String {
    username.to_ascii_lowercase()
}

pub const PASSWORD_MIN_CHARS: usize = 10;
pub const PASSWORD_MAX_CHARS: usize = 128;

/// Why a password is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordProblem {
    #[error("must be at least 10 characters long")]
    TooShort,
    #[error("must be at most 128 characters long")]
    TooLong,
    #[error("must not be the username")]
    SameAsUsername,
}

/// Passwords: 10–128 characters (the upper bound keeps hashing cheap to refuse) and not the username.
pub fn check_password(password: &str, username: &str) -> Result<(), PasswordProblem> {
    let chars = password.chars().count();
    if chars < PASSWORD_MIN_CHARS {
        Err(PasswordProblem::TooShort)
    } else if chars > PASSWORD_MAX_CHARS {
        Err(PasswordProblem::TooLong)
    } else if password.eq_ignore_ascii_case(username) {
        Err(PasswordProblem::SameAsUsername)
    } else {
        Ok(())
    }
}

/// How many failed logins for one username are tolerated within a sliding window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginThrottle {
    pub max_failures: u32,
    pub window: TimeDelta,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        Self {
            max_failures: 5,
            window: TimeDelta::minutes(15),
        }
    }
}

impl LoginThrottle {
    /// The failures that still count at `now`.
    pub fn window_start(&self, now: NaiveDateTime) -> NaiveDateTime {
        now - self.window
    }

    /// `None` when a login may be tried; otherwise how long until it may, given the failure times
    /// (any order). Locked while `max_failures` or more fall within the window ending at `now`, until
    /// enough of them have left it.
    pub fn locked_for(&self, failures: &[NaiveDateTime], now: NaiveDateTime) -> Option<TimeDelta> {
        let start = self.window_start(now);
        let mut recent: Vec<NaiveDateTime> = failures
            .iter()
            .copied()
            .filter(|t| *t > start && *t <= now)
            .collect();
        let max = self.max_failures as usize;
        if max == 0 || recent.len() < max {
            return None;
        }
        recent.sort_unstable();
        // The lock lifts when the failure that keeps the count at `max` leaves the window.
        let pivot = recent[recent.len() - max];
        let until = pivot + self.window;
        (until > now).then(|| until - now)
    }
}

/// The login policy. A guessing attacker must not be able to lock the rightful owner out, so
/// failures are weighed three ways within one sliding window:
/// - for one username **from one client address**: after `max_failures` that pair is refused
///   (429) until the window lets the oldest of them go;
/// - from one client address, for any usernames: after `max_failures_per_address` that address is
///   refused (password spraying);
/// - for one username from **every** address: never refused; from `max_failures` on, each attempt
///   is slowed by an exponential delay (1 s, 2 s, 4 s, …, at most `max_delay`), so that guesses
///   from many addresses are slow and the owner, from an address of their own, still signs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginPolicy {
    pub max_failures: u32,
    pub max_failures_per_address: u32,
    pub window: TimeDelta,
    pub max_delay: TimeDelta,
}

impl Default for LoginPolicy {
    fn default() -> Self {
        Self {
            max_failures: 5,
            max_failures_per_address: 20,
            window: TimeDelta::minutes(15),
            max_delay: TimeDelta::seconds(16),
        }
    }
}

/// What the login policy decides before the password is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginGate {
    /// Check the password after this delay (zero: at once).
    Proceed { delay: TimeDelta },
    /// Refuse (429) for this long: too many failures for this username from this address.
    PairLocked(TimeDelta),
    /// Refuse (429) for this long: too many failures from this address.
    AddressLocked(TimeDelta),
}

impl LoginPolicy {
    /// The failures that still count at `now`.
    pub fn window_start(&self, now: NaiveDateTime) -> NaiveDateTime {
        now - self.window
    }

    /// The gate for an attempt at `now`, given the failure times for this username from this
    /// address (`pair`), from this address (`address`), and how many failures this username has
    /// within the window from every address (`username`).
    pub fn gate(
        &self,
        pair: &[NaiveDateTime],
        address: &[NaiveDateTime],
        username: u64,
        now: NaiveDateTime,
    ) -> LoginGate {
        let throttle = |max_failures| LoginThrottle {
            max_failures,
            window: self.window,
        };
        if let Some(wait) = throttle(self.max_failures_per_address).locked_for(address, now) {
            return LoginGate::AddressLocked(wait);
        }
        if let Some(wait) = throttle(self.max_failures).locked_for(pair, now) {
            return LoginGate::PairLocked(wait);
        }
        LoginGate::Proceed {
            delay: self.delay_for(username),
        }
    }

    /// The delay of an attempt for a username with `failures` recent failures from anywhere.
    pub fn delay_for(&self, failures: u64) -> TimeDelta {
        let threshold = u64::from(self.max_failures.max(1));
        if failures < threshold {
            return TimeDelta::zero();
        }
        let doublings = (failures - threshold).min(30) as u32;
        TimeDelta::seconds(1_i64 << doublings).min(self.max_delay)
    }
}

/// What a refresh token is, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefreshTokenState {
    pub used: bool,
    pub expires_at: NaiveDateTime,
    pub session_revoked: bool,
    pub session_expires_at: NaiveDateTime,
    pub user_active: bool,
}

/// What presenting a refresh token leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshOutcome {
    /// Issue a new pair and mark this token used.
    Rotate,
    /// The token was used before: someone holds a copy. Revoke the whole session.
    ReuseDetected,
    /// The token or its session has expired.
    Expired,
    /// The session was ended (logout, reuse, account change) or the account deactivated.
    Revoked,
}

/// The refresh-token rotation rule.
pub fn refresh_outcome(token: RefreshTokenState, now: NaiveDateTime) -> RefreshOutcome {
    if token.session_revoked || !token.user_active {
        RefreshOutcome::Revoked
    } else if token.used {
        RefreshOutcome::ReuseDetected
    } else if token.expires_at <= now || token.session_expires_at <= now {
        RefreshOutcome::Expired
    } else {
        RefreshOutcome::Rotate
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(minute: i64) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, 22)
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap()
            + TimeDelta::minutes(minute)
    }

    #[test]
    fn usernames() {
        for ok in [
            "admin",
            "kaltim.admin",
            "op_64-71",
            "A1b",
            "x".repeat(64).as_str(),
        ] {
            assert!(valid_username(ok), "{ok}");
        }
        for bad in [
            "",
            "ab",
            ".admin",
            "-x-",
            "has space",
            "emoji😀",
            "x".repeat(65).as_str(),
            "a/b",
        ] {
            assert!(!valid_username(bad), "{bad}");
        }
        assert_eq!(username_key("KalTim.Admin"), "kaltim.admin");
    }

    #[test]
    fn passwords() {
        assert_eq!(check_password("short", "u"), Err(PasswordProblem::TooShort));
        assert_eq!(
            check_password(&"x".repeat(129), "u"),
            Err(PasswordProblem::TooLong)
        );
        assert_eq!(
            check_password("Kaltim.Admin", "kaltim.admin"),
            Err(PasswordProblem::SameAsUsername)
        );
        assert_eq!(check_password("correct horse battery", "u"), Ok(()));
    }

    #[test]
    fn throttle_table() {
        let policy = LoginThrottle::default();
        let cases: &[(&[i64], i64, Option<i64>)] = &[
            (&[], 0, None),
            (&[0, 1, 2, 3], 4, None),
            (&[0, 1, 2, 3, 4], 4, Some(11)),
            (&[0, 1, 2, 3, 4], 14, Some(1)),
            (&[0, 1, 2, 3, 4], 15, None),
            (&[0, 1, 2, 3, 4, 10], 15, Some(1)),
            (&[0, 1, 2, 3, 4, 10], 16, None),
            (&[0, 1, 2, 3, 4, 10], 5, Some(10)),
            (&[-30, -20, 0, 1, 2], 3, None),
            (&[4, 3, 2, 1, 0], 5, Some(10)),
        ];
        for (failures, now, expected) in cases {
            let times: Vec<_> = failures.iter().map(|m| at(*m)).collect();
            assert_eq!(
                policy.locked_for(&times, at(*now)),
                expected.map(TimeDelta::minutes),
                "{failures:?} at {now}"
            );
        }
    }

    #[test]
    fn login_gate_table() {
        let policy = LoginPolicy::default();
        let times = |minutes: &[i64]| minutes.iter().map(|m| at(*m)).collect::<Vec<_>>();
        let five = times(&[0, 1, 2, 3, 4]);
        let twenty: Vec<_> = (0..20).map(|m| at(m / 2)).collect();
        let go = |secs| LoginGate::Proceed {
            delay: TimeDelta::seconds(secs),
        };
        type Case = (Vec<NaiveDateTime>, Vec<NaiveDateTime>, u64, i64, LoginGate);
        let cases: Vec<Case> = vec![
            (vec![], vec![], 0, 5, go(0)),
            (vec![], vec![], 4, 5, go(0)),
            // Another address guessed five times: this one is slowed, never locked.
            (vec![], vec![], 5, 5, go(1)),
            (vec![], vec![], 6, 5, go(2)),
            (vec![], vec![], 8, 5, go(8)),
            (vec![], vec![], 9, 5, go(16)),
            (vec![], vec![], 500, 5, go(16)),
            // Five from this address for this username: this pair waits out the window.
            (
                five.clone(),
                five.clone(),
                5,
                5,
                LoginGate::PairLocked(TimeDelta::minutes(10)),
            ),
            (five.clone(), five.clone(), 5, 15, go(1)),
            // Twenty from this address, whatever the usernames: the address waits.
            (
                vec![],
                twenty.clone(),
                0,
                10,
                LoginGate::AddressLocked(TimeDelta::minutes(5)),
            ),
            (
                five.clone(),
                twenty.clone(),
                5,
                10,
                LoginGate::AddressLocked(TimeDelta::minutes(5)),
            ),
            (vec![], twenty, 0, 25, go(0)),
        ];
        for (pair, address, username, now, expected) in cases {
            assert_eq!(
                policy.gate(&pair, &address, username, at(now)),
                expected,
                "{pair:?} {address:?} {username} at {now}"
            );
        }
    }

    #[test]
    fn refresh_table() {
        let fresh = RefreshTokenState {
            used: false,
            expires_at: at(60),
            session_revoked: false,
            session_expires_at: at(600),
            user_active: true,
        };
        let cases = [
            (fresh, RefreshOutcome::Rotate),
            (
                RefreshTokenState {
                    used: true,
                    ..fresh
                },
                RefreshOutcome::ReuseDetected,
            ),
            (
                RefreshTokenState {
                    expires_at: at(0),
                    ..fresh
                },
                RefreshOutcome::Expired,
            ),
            (
                RefreshTokenState {
                    session_expires_at: at(0),
                    ..fresh
                },
                RefreshOutcome::Expired,
            ),
            (
                RefreshTokenState {
                    session_revoked: true,
                    ..fresh
                },
                RefreshOutcome::Revoked,
            ),
            (
                RefreshTokenState {
                    session_revoked: true,
                    used: true,
                    ..fresh
                },
                RefreshOutcome::Revoked,
            ),
            (
                RefreshTokenState {
                    user_active: false,
                    ..fresh
                },
                RefreshOutcome::Revoked,
            ),
        ];
        for (state, expected) in cases {
            assert_eq!(refresh_outcome(state, at(0)), expected, "{state:?}");
        }
    }
}
