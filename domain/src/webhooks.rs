//! Webhooks' rules: which addresses a delivery may never reach (the SSRF guard), how a failed
//! delivery is retried, and what counts as delivered. Pure functions; the dispatcher in the API
//! resolves names, connects and records attempts.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

/// Why a delivery may not connect to `ip`, or `None` when it is a public unicast address.
///
/// Refused: loopback, private (RFC 1918, IPv6 unique-local), link-local (169.254.0.0/16, the
/// cloud metadata address 169.254.169.254 included; fe80::/10), carrier-grade NAT (100.64.0.0/10),
/// multicast and broadcast, unspecified, documentation, benchmarking and reserved ranges; IPv6
/// addresses that embed an IPv4 one (mapped, compatible, NAT64, 6to4) are judged by it, and Teredo
/// is refused outright (its embedded server and client addresses cannot be trusted).
pub fn forbidden_address(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => forbidden_v6(v6),
    }
}

fn in_v4(ip: Ipv4Addr, net: [u8; 4], prefix: u32) -> bool {
    let mask = if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - prefix)
    };
    (u32::from(ip) & mask) == (u32::from(Ipv4Addr::from(net)) & mask)
}

fn forbidden_v4(ip: Ipv4Addr) -> Option<&'static str> {
    const RANGES: &[([u8; 4], u32, &str)] = &[
        ([0, 0, 0, 0], 8, "unspecified (0.0.0.0/8)"),
        ([10, 0, 0, 0], 8, "private (10.0.0.0/8)"),
        ([100, 64, 0, 0], 10, "carrier-grade NAT (100.64.0.0/10)"),
        ([127, 0, 0, 0], 8, "loopback (127.0.0.0/8)"),
        ([169, 254, 0, 0], 16, "link-local (169.254.0.0/16)"),
        ([172, 16, 0, 0], 12, "private (172.16.0.0/12)"),
        (
            [192, 0, 0, 0],
            24,
            "IETF protocol assignments (192.0.0.0/24)",
        ),
        ([192, 0, 2, 0], 24, "documentation (192.0.2.0/24)"),
        ([192, 88, 99, 0], 24, "6to4 relay anycast (192.88.99.0/24)"),
        ([192, 168, 0, 0], 16, "private (192.168.0.0/16)"),
        ([198, 18, 0, 0], 15, "benchmarking (198.18.0.0/15)"),
        ([198, 51, 100, 0], 24, "documentation (198.51.100.0/24)"),
        ([203, 0, 113, 0], 24, "documentation (203.0.113.0/24)"),
        ([224, 0, 0, 0], 4, "multicast (224.0.0.0/4)"),
        ([240, 0, 0, 0], 4, "reserved or broadcast (240.0.0.0/4)"),
    ];
    RANGES
        .iter()
        .find(|(net, prefix, _)| in_v4(ip, *net, *prefix))
        .map(|(_, _, why)| *why)
}

fn forbidden_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let s = ip.segments();
    let bits = u128::from(ip);
    let embedded = Ipv4Addr::from((bits & 0xffff_ffff) as u32);
    if ip.is_unspecified() {
        return Some("unspecified (::)");
    }
    if ip.is_loopback() {
        return Some("loopback (::1)");
    }
    // ::ffff:a.b.c.d (IPv4-mapped): judged as the IPv4 address.
    if bits >> 32 == 0xffff {
        return forbidden_v4(embedded).map(mapped);
    }
    // ::a.b.c.d (IPv4-compatible, deprecated): never a legitimate destination.
    if bits >> 32 == 0 {
        return Some("IPv4-compatible IPv6 (::/96)");
    }
    // NAT64 (64:ff9b::/96): reaches the embedded IPv4 address.
    if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
        return forbidden_v4(embedded).map(|_| "NAT64 of a refused IPv4 address (64:ff9b::/96)");
    }
    // 6to4 (2002::/16): the IPv4 address is in bits 16..48.
    if s[0] == 0x2002 {
        let v4 = Ipv4Addr::from(((u32::from(s[1])) << 16) | u32::from(s[2]));
        return forbidden_v4(v4).map(|_| "6to4 of a refused IPv4 address (2002::/16)");
    }
    match s[0] {
        0xfc00..=0xfdff => Some("unique local (fc00::/7)"),
        0xfe80..=0xfebf => Some("link-local (fe80::/10)"),
        0xfec0..=0xfeff => Some("site-local (fec0::/10)"),
        0xff00..=0xffff => Some("multicast (ff00::/8)"),
        0x2001 if s[1] == 0 => Some("Teredo (2001::/32)"),
        0x2001 if s[1] == 0x0db8 => Some("documentation (2001:db8::/32)"),
        0x0100 if s[1..4] == [0, 0, 0] => Some("discard-only (100::/64)"),
        _ => None,
    }
}

fn mapped(why: &'static str) -> &'static str {
    // The reason names the IPv4 range; say it came mapped.
    match why {
        "loopback (127.0.0.0/8)" => "IPv4-mapped loopback (::ffff:127.0.0.0/104)",
        "link-local (169.254.0.0/16)" => "IPv4-mapped link-local (::ffff:169.254.0.0/112)",
        _ => "IPv4-mapped refused address (::ffff:0:0/96)",
    }
}

/// Who may see and manage a webhook subscription: its creator, or an admin (the super admin
/// included) whose scope covers the subscription's region.
pub fn may_manage(role: crate::Role, creator: bool, covers_region: bool) -> bool {
    creator || (matches!(role, crate::Role::Admin | crate::Role::SuperAdmin) && covers_region)
}

/// How failed deliveries are retried: the `n`-th retry waits `base × 4ⁿ⁻¹`, capped at
/// `base × 4320` (12 hours at the default base of 10 s), each spread by ±20 % jitter; after
/// `max_attempts` attempts the subscription is disabled. With the defaults (10 s, 13 attempts) the
/// retries span about three days: 10 s, 40 s, 2.7 min, 11 min, 43 min, 2.8 h, 11 h, then 12 h.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub base: Duration,
    pub max_attempts: u32,
}

impl RetryPolicy {
    pub const DEFAULT_MAX_ATTEMPTS: u32 = 13;

    /// The wait before the attempt that follows `attempts_made` failed attempts (≥ 1), before
    /// jitter.
    pub fn nominal_delay(&self, attempts_made: u32) -> Duration {
        let exponent = attempts_made.saturating_sub(1).min(16);
        let factor = 4u64.saturating_pow(exponent).min(4320);
        self.base
            .saturating_mul(u32::try_from(factor).unwrap_or(4320))
    }

    /// The wait with jitter: `unit` in `[0, 1)` (a random draw) moves it by −20 % to +20 %.
    pub fn delay(&self, attempts_made: u32, unit: f64) -> Duration {
        let nominal = self.nominal_delay(attempts_made);
        let unit = unit.clamp(0.0, 1.0);
        nominal.mul_f64(0.8 + 0.4 * unit)
    }

    /// Whether, after `attempts_made` failed attempts, the delivery is given up (and its
    /// subscription disabled).
    pub fn exhausted(&self, attempts_made: u32) -> bool {
        attempts_made >= self.max_attempts
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            base: Duration::from_secs(10),
            max_attempts: Self::DEFAULT_MAX_ATTEMPTS,
        }
    }
}

/// Whether a receiver's status code means "delivered": 2xx only. A redirect (3xx) is a failure —
/// deliveries never follow one — and so is every 4xx and 5xx.
pub fn delivered(status: u16) -> bool {
    (200..300).contains(&status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_and_allowed_addresses() {
        let cases: &[(&str, bool)] = &[
            ("127.0.0.1", false),
            ("127.255.0.9", false),
            ("10.1.2.3", false),
            ("172.16.0.1", false),
            ("172.31.255.255", false),
            ("172.32.0.1", true),
            ("192.168.1.1", false),
            ("169.254.169.254", false),
            ("100.64.0.1", false),
            ("100.127.255.254", false),
            ("100.128.0.1", true),
            ("224.0.0.1", false),
            ("239.255.255.250", false),
            ("255.255.255.255", false),
            ("0.0.0.0", false),
            ("192.0.2.10", false),
            ("198.18.0.1", false),
            ("8.8.8.8", true),
            ("103.10.20.30", true),
            ("::1", false),
            ("::", false),
            ("::ffff:127.0.0.1", false),
            ("::ffff:169.254.169.254", false),
            ("::ffff:10.0.0.1", false),
            ("::ffff:8.8.8.8", true),
            ("::127.0.0.1", false),
            ("64:ff9b::a9fe:a9fe", false),
            ("64:ff9b::808:808", true),
            ("2002:7f00:1::", false),
            ("2002:808:808::", true),
            ("fc00::1", false),
            ("fd12:3456::1", false),
            ("fe80::1", false),
            ("fec0::1", false),
            ("ff02::1", false),
            ("2001:db8::1", false),
            ("2001:0:4136:e378::1", false),
            ("2404:6800:4003::200e", true),
            ("2606:4700::6810:84e5", true),
        ];
        for (text, allowed) in cases {
            let ip: IpAddr = text.parse().unwrap_or_else(|_| panic!("{text}"));
            let reason = forbidden_address(ip);
            assert_eq!(reason.is_none(), *allowed, "{text}: {reason:?}");
        }
    }

    #[test]
    fn mapped_loopback_says_so() {
        let ip: IpAddr = "::ffff:127.0.0.1"
            .parse()
            .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
        assert_eq!(
            forbidden_address(ip),
            Some("IPv4-mapped loopback (::ffff:127.0.0.0/104)")
        );
    }

    #[test]
    fn retries_back_off_exponentially_for_about_three_days() {
        let policy = RetryPolicy::default();
        let expected = [10, 40, 160, 640, 2560, 10240, 40960, 43200, 43200];
        for (i, secs) in expected.iter().enumerate() {
            let n = u32::try_from(i + 1).unwrap_or(1);
            assert_eq!(
                policy.nominal_delay(n),
                Duration::from_secs(*secs),
                "retry {n}"
            );
        }
        let total: Duration = (1..policy.max_attempts)
            .map(|n| policy.nominal_delay(n))
            .sum();
        let days = total.as_secs_f64() / 86_400.0;
        assert!((2.5..3.5).contains(&days), "{days} days");
        assert!(!policy.exhausted(12));
        assert!(policy.exhausted(13));
    }

    #[test]
    fn jitter_stays_within_a_fifth() {
        let policy = RetryPolicy {
            base: Duration::from_millis(100),
            max_attempts: 3,
        };
        assert_eq!(policy.delay(1, 0.0), Duration::from_millis(80));
        assert_eq!(policy.delay(1, 0.5), Duration::from_millis(100));
        assert_eq!(policy.delay(2, 1.0), Duration::from_millis(480));
        assert_eq!(policy.delay(1, 7.0), Duration::from_millis(120));
    }

    #[test]
    fn the_creator_and_the_region_admins_manage_a_subscription() {
        use crate::Role::*;
        for role in [
            SuperAdmin, Admin, Officer, Head, Oversight, OrmasRep, Integrator,
        ] {
            let admin = matches!(role, SuperAdmin | Admin);
            assert!(may_manage(role, true, false), "{role:?} creator");
            assert_eq!(may_manage(role, false, true), admin, "{role:?} in region");
            assert!(!may_manage(role, false, false), "{role:?} elsewhere");
        }
    }

    #[test]
    fn only_2xx_is_delivered() {
        for (status, ok) in [
            (200, true),
            (204, true),
            (299, true),
            (301, false),
            (302, false),
            (304, false),
            (400, false),
            (410, false),
            (500, false),
            (503, false),
        ] {
            assert_eq!(delivered(status), ok, "{status}");
        }
    }
}
