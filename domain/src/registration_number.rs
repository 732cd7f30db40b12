//! The number a registration gets in the *Buku Induk Registrasi Ormas*, printed on the SKM, built
//! from a per-office pattern such as `{seq:03}/SKM/{region}/{roman_month}/{year}`.

use std::fmt;

use chrono::{Datelike, NaiveDate};

/// The pattern used when an office has not set its own.
pub const DEFAULT_PATTERN: &str = "{seq:03}/SKM/{region}/{roman_month}/{year}";

/// The longest pattern accepted, in characters.
pub const MAX_PATTERN_CHARS: usize = 100;

/// One piece of a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    /// The sequence number, zero-padded to the width (0 for no padding).
    Seq(usize),
    Region,
    RegionDigits,
    RomanMonth,
    Month,
    Year,
}

/// A checked numbering pattern. Placeholders: `{seq}` or `{seq:0N}` (zero-padded to N digits,
/// 1–9; exactly one of these), `{region}` (the region code as given, e.g. `64.71`),
/// `{region_digits}` (the code without dots), `{roman_month}` (I–XII), `{month}` (two digits) and
/// `{year}` (four digits). Everything else is copied as is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberPattern {
    source: String,
    parts: Vec<Part>,
}

/// Why a numbering pattern is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    #[error("the pattern is longer than 100 characters")]
    TooLong,
    #[error("the pattern has a `{{` without a matching `}}` or a `}}` without a matching `{{`")]
    UnbalancedBraces,
    #[error(
        "unknown placeholder `{{{0}}}` (expected seq, seq:0N, region, region_digits, roman_month, month or year)"
    )]
    UnknownPlaceholder(String),
    #[error(
        "the pattern must contain exactly one `{{seq}}` or `{{seq:0N}}` placeholder, found {0}"
    )]
    SeqCount(usize),
}

impl NumberPattern {
    pub fn parse(pattern: &str) -> Result<NumberPattern, PatternError> {
        if pattern.chars().count() > MAX_PATTERN_CHARS {
            return Err(PatternError::TooLong);
        }
        let parts = split(pattern)?;
        let seqs = parts.iter().filter(|p| matches!(p, Part::Seq(_))).count();
        if seqs != 1 {
            return Err(PatternError::SeqCount(seqs));
        }
        Ok(NumberPattern {
            source: pattern.to_owned(),
            parts,
        })
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The number for sequence `seq` of the office of `region`, registered on `date`.
    pub fn format(&self, seq: u32, region: &str, date: NaiveDate) -> String {
        self.parts
            .iter()
            .map(|part| match part {
                Part::Literal(text) => text.clone(),
                Part::Seq(width) => format!("{seq:0width$}"),
                Part::Region => region.to_owned(),
                Part::RegionDigits => region.replace('.', ""),
                Part::RomanMonth => roman_month(date.month()).to_owned(),
                Part::Month => format!("{:02}", date.month()),
                Part::Year => format!("{:04}", date.year()),
            })
            .collect()
    }
}

impl Default for NumberPattern {
    /// [`DEFAULT_PATTERN`].
    fn default() -> Self {
        let slash = || Part::Literal("/".to_owned());
        NumberPattern {
            source: DEFAULT_PATTERN.to_owned(),
            parts: vec![
                Part::Seq(3),
                Part::Literal("/SKM/".to_owned()),
                Part::Region,
                slash(),
                Part::RomanMonth,
                slash(),
                Part::Year,
            ],
        }
    }
}

impl fmt::Display for NumberPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

/// Splits a pattern into literals and placeholders.
fn split(pattern: &str) -> Result<Vec<Part>, PatternError> {
    let mut parts = Vec::new();
    let mut rest = pattern;
    while !rest.is_empty() {
        let open = rest.find('{').unwrap_or(rest.len());
        let literal = &rest[..open];
        if literal.contains('}') {
            return Err(PatternError::UnbalancedBraces);
        }
        if !literal.is_empty() {
            parts.push(Part::Literal(literal.to_owned()));
        }
        rest = &rest[open..];
        if let Some(inner) = rest.strip_prefix('{') {
            let close = inner.find('}').ok_or(PatternError::UnbalancedBraces)?;
            parts.push(placeholder(&inner[..close])?);
            rest = &inner[close + 1..];
        }
    }
    Ok(parts)
}

fn placeholder(name: &str) -> Result<Part, PatternError> {
    match name {
        "seq" => Ok(Part::Seq(0)),
        "region" => Ok(Part::Region),
        "region_digits" => Ok(Part::RegionDigits),
        "roman_month" => Ok(Part::RomanMonth),
        "month" => Ok(Part::Month),
        "year" => Ok(Part::Year),
        _ if name.contains('{') => Err(PatternError::UnbalancedBraces),
        _ => seq_width(name).ok_or_else(|| PatternError::UnknownPlaceholder(name.to_owned())),
    }
}

/// `seq:0N` with N from 1 to 9.
fn seq_width(name: &str) -> Option<Part> {
    let width = name.strip_prefix("seq:0")?;
    match width.as_bytes() {
        [digit @ b'1'..=b'9'] => Some(Part::Seq(usize::from(digit - b'0'))),
        _ => None,
    }
}

/// The month in Roman numerals, as letters number their month: `I` … `XII`; empty for a month
/// outside 1–12.
pub fn roman_month(month: u32) -> &'static str {
    const ROMAN: [&str; 12] = [
        "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII",
    ];
    month
        .checked_sub(1)
        .and_then(|i| ROMAN.get(usize::try_from(i).ok()?))
        .copied()
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn formats_numbers() {
        let cases = [
            (
                DEFAULT_PATTERN,
                1,
                "64.71",
                "2026-11-22",
                "001/SKM/64.71/XI/2026",
            ),
            (
                DEFAULT_PATTERN,
                1234,
                "64.71",
                "2026-11-22",
                "1234/SKM/64.71/XI/2026",
            ),
            (DEFAULT_PATTERN, 0, "64", "2027-01-04", "000/SKM/64/I/2027"),
            ("{seq}", 42, "64.71", "2026-11-22", "42"),
            ("{seq:01}", 7, "64.71", "2026-11-22", "7"),
            ("{seq:09}", 7, "64.71", "2026-11-22", "000000007"),
            (
                "SKM-{region_digits}-{year}{month}-{seq:05}",
                12,
                "64.71.01",
                "2026-03-05",
                "SKM-647101-202603-00012",
            ),
            (
                "{year}/{roman_month}/{month}/{seq:02}",
                3,
                "64.71",
                "2026-12-01",
                "2026/XII/12/03",
            ),
            ("No. {seq}", 1, "64.71", "2026-11-22", "No. 1"),
        ];
        for (pattern, seq, region, date, expected) in cases {
            let p = NumberPattern::parse(pattern).unwrap();
            assert_eq!(p.format(seq, region, d(date)), expected, "{pattern}");
            assert_eq!(p.as_str(), pattern);
        }
    }

    #[test]
    fn default_is_the_default_pattern() {
        assert_eq!(
            NumberPattern::default(),
            NumberPattern::parse(DEFAULT_PATTERN).unwrap()
        );
    }

    #[test]
    fn roman_months() {
        let expected = [
            "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII",
        ];
        for (month, roman) in (1..=12).zip(expected) {
            assert_eq!(roman_month(month), roman, "{month}");
        }
        assert_eq!(roman_month(0), "");
        assert_eq!(roman_month(13), "");
    }

    #[test]
    fn refuses_bad_patterns() {
        let too_long = format!("{{seq}}{}", "x".repeat(96));
        let cases = [
            ("", PatternError::SeqCount(0)),
            ("SKM/{region}/{year}", PatternError::SeqCount(0)),
            ("{seq}/{seq:03}", PatternError::SeqCount(2)),
            ("{seq", PatternError::UnbalancedBraces),
            ("seq}", PatternError::UnbalancedBraces),
            ("{seq}/{year", PatternError::UnbalancedBraces),
            ("{{seq}}", PatternError::UnbalancedBraces),
            ("{seq}}", PatternError::UnbalancedBraces),
            (
                "{seq}/{tahun}",
                PatternError::UnknownPlaceholder("tahun".into()),
            ),
            ("{seq:3}", PatternError::UnknownPlaceholder("seq:3".into())),
            (
                "{seq:00}",
                PatternError::UnknownPlaceholder("seq:00".into()),
            ),
            (
                "{seq:010}",
                PatternError::UnknownPlaceholder("seq:010".into()),
            ),
            ("{seq}/{}", PatternError::UnknownPlaceholder(String::new())),
            ("{SEQ}", PatternError::UnknownPlaceholder("SEQ".into())),
            (too_long.as_str(), PatternError::TooLong),
        ];
        for (pattern, expected) in cases {
            assert_eq!(NumberPattern::parse(pattern), Err(expected), "{pattern:?}");
        }
        let longest = format!("{{seq}}{}", "x".repeat(95));
        assert!(NumberPattern::parse(&longest).is_ok());
    }
}
