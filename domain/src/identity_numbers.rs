//! Indonesian identity numbers: the NIK (16-digit national ID, personal data) and the NPWP (tax
//! number), and masking for display.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;

/// The oldest a person named by a NIK may be, in completed years.
pub const NIK_MAX_AGE_YEARS: u32 = 120;

/// A checked NIK (Nomor Induk Kependudukan). Personal data: `Display` and `Debug` print the masked
/// form, so it never reaches a log by accident; call [`Nik::as_str`] to get the digits.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Nik {
    digits: String,
    birth_date: NaiveDate,
}

/// Why a text is not a valid NIK. The messages never repeat the number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NikError {
    #[error("a NIK must be exactly 16 digits")]
    Format,
    #[error("the first two digits of the NIK are not a known province code")]
    UnknownProvince,
    #[error(
        "digits 7 to 12 of the NIK are not a valid birth date (DDMMYY, day plus 40 for women, not in the future, at most 120 years ago)"
    )]
    BirthDate,
    #[error("the last four digits of the NIK (the sequence number) must not be 0000")]
    Sequence,
}

impl Nik {
    /// Checks a NIK. `today` decides the century of the birth year; `province_exists` is a lookup
    /// over the real province list, given the two-digit code (e.g. `"64"`).
    pub fn parse(
        text: &str,
        today: NaiveDate,
        province_exists: impl Fn(&str) -> bool,
    ) -> Result<Nik, NikError> {
        let digits = text.trim();
        if !is_digits(digits, 16) {
            return Err(NikError::Format);
        }
        if !province_exists(&digits[..2]) {
            return Err(NikError::UnknownProvince);
        }
        let birth_date = decode_birth_date(&digits[6..12], today).ok_or(NikError::BirthDate)?;
        if &digits[12..] == "0000" {
            return Err(NikError::Sequence);
        }
        Ok(Nik {
            digits: digits.to_owned(),
            birth_date,
        })
    }

    /// The 16 digits. Personal data: store and compare, never log.
    pub fn as_str(&self) -> &str {
        &self.digits
    }

    /// The first and last four digits, the eight between replaced by `*`: `6471********0001`.
    pub fn masked(&self) -> String {
        mask_nik(&self.digits)
    }

    /// The two-digit province code of the place of registration.
    pub fn province_code(&self) -> &str {
        &self.digits[..2]
    }

    pub fn birth_date(&self) -> NaiveDate {
        self.birth_date
    }
}

impl fmt::Display for Nik {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl fmt::Debug for Nik {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Nik").field(&self.masked()).finish()
    }
}

fn is_digits(text: &str, len: usize) -> bool {
    text.len() == len && text.bytes().all(|b| b.is_ascii_digit())
}

/// The two-digit number at `at` in an all-ASCII-digit text.
fn two_digits(text: &str, at: usize) -> Option<u32> {
    text.get(at..at + 2)?.parse().ok()
}

/// DDMMYY with 40 added to the day for women. The century is 20YY unless that is after `today`,
/// then 19YY; the age limit is a guard (with this rule nobody reads as older than 100).
fn decode_birth_date(ddmmyy: &str, today: NaiveDate) -> Option<NaiveDate> {
    let raw_day = two_digits(ddmmyy, 0)?;
    let day = if raw_day > 40 { raw_day - 40 } else { raw_day };
    let month = two_digits(ddmmyy, 2)?;
    let year = i32::try_from(two_digits(ddmmyy, 4)?).ok()?;
    // 20YY has every date 19YY has (2000 was a leap year, 1900 was not).
    let recent = NaiveDate::from_ymd_opt(2000 + year, month, day)?;
    let date = if recent <= today {
        recent
    } else {
        NaiveDate::from_ymd_opt(1900 + year, month, day)?
    };
    let age = today.years_since(date)?;
    (age <= NIK_MAX_AGE_YEARS).then_some(date)
}

/// A checked NPWP (Nomor Pokok Wajib Pajak): 15 digits (the old format) or 16 (the NIK-based
/// format since 2024), stored as digits only.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Npwp(String);

/// Why a text is not a valid NPWP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NpwpError {
    #[error(
        "an NPWP must be 15 or 16 digits, optionally separated by `.`, `-` or spaces, and not all zeros"
    )]
    Format,
}

impl Npwp {
    /// Accepts `01.234.567.8-901.000`, `012345678901000` or 16 digits; separators `.`, `-` and
    /// whitespace are dropped.
    pub fn parse(text: &str) -> Result<Npwp, NpwpError> {
        let digits: String = text
            .chars()
            .filter(|c| !matches!(c, '.' | '-') && !c.is_whitespace())
            .collect();
        let well_formed =
            (is_digits(&digits, 15) || is_digits(&digits, 16)) && digits.bytes().any(|b| b != b'0');
        if well_formed {
            Ok(Npwp(digits))
        } else {
            Err(NpwpError::Format)
        }
    }

    /// The digits only.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The printed form: `01.234.567.8-901.000` for 15 digits; 16-digit numbers unchanged.
    pub fn formatted(&self) -> String {
        let d = &self.0;
        if d.len() == 15 {
            format!(
                "{}.{}.{}.{}-{}.{}",
                &d[..2],
                &d[2..5],
                &d[5..8],
                &d[8..9],
                &d[9..12],
                &d[12..]
            )
        } else {
            d.clone()
        }
    }
}

impl fmt::Display for Npwp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.formatted())
    }
}

impl FromStr for Npwp {
    type Err = NpwpError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// Masks a stored NIK for callers who may not see it: first 4 and last 4 digits kept
/// (`6471********0001`); anything not 16 ASCII characters is masked entirely.
pub fn mask_nik(nik: &str) -> String {
    if nik.len() == 16 && nik.is_ascii() {
        format!("{}********{}", &nik[..4], &nik[12..])
    } else {
        "*".repeat(16)
    }
}

/// A phone number for display: every character but the last three replaced by `*`.
pub fn mask_phone(phone: &str) -> String {
    let count = phone.chars().count();
    phone
        .chars()
        .enumerate()
        .map(|(i, c)| if i + 3 < count { '*' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn masks_stored_niks() {
        assert_eq!(super::mask_nik("6471014501900001"), "6471********0001");
        assert_eq!(super::mask_nik("123"), "****************");
    }

    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn known_province(code: &str) -> bool {
        ["11", "31", "62", "64"].contains(&code)
    }

    fn nik(text: &str) -> Result<Nik, NikError> {
        Nik::parse(text, d("2026-11-22"), known_province)
    }

    #[test]
    fn valid_niks() {
        let cases = [
            ("6471014501900001", "64", "1990-01-05", "a woman (day + 40)"),
            ("6471010501900001", "64", "1990-01-05", "a man"),
            (
                " 6471014501900001\n",
                "64",
                "1990-01-05",
                "surrounding blanks",
            ),
            ("3171017112991234", "31", "1999-12-31", "a woman on day 71"),
            ("1101010101100001", "11", "2010-01-01", "born in 20YY"),
            ("6201012211260001", "62", "2026-11-22", "born today"),
            (
                "6201012311260001",
                "62",
                "1926-11-23",
                "tomorrow in 20YY is 19YY",
            ),
            ("6471012902000001", "64", "2000-02-29", "29 February 2000"),
            ("6471010101270001", "64", "1927-01-01", "a 99-year-old"),
        ];
        for (text, province, born, why) in cases {
            let n = nik(text).unwrap_or_else(|e| panic!("{text}: {why}: {e}"));
            assert_eq!(n.province_code(), province, "{why}");
            assert_eq!(n.birth_date(), d(born), "{why}");
            assert_eq!(n.as_str(), text.trim(), "{why}");
        }
    }

    #[test]
    fn invalid_niks() {
        let cases = [
            ("", NikError::Format, "empty"),
            ("647101450190001", NikError::Format, "15 digits"),
            ("64710145019000011", NikError::Format, "17 digits"),
            ("64710145019A0001", NikError::Format, "a letter"),
            ("6471 14501900001", NikError::Format, "an inner space"),
            ("６４71014501900001", NikError::Format, "full-width digits"),
            ("9971014501900001", NikError::UnknownProvince, "province 99"),
            ("0071014501900001", NikError::UnknownProvince, "province 00"),
            ("6471013201900001", NikError::BirthDate, "day 32"),
            ("6471010001900001", NikError::BirthDate, "day 00"),
            ("6471014001900001", NikError::BirthDate, "day 40"),
            ("6471017201900001", NikError::BirthDate, "woman's day 72"),
            ("6471010113900001", NikError::BirthDate, "month 13"),
            ("6471010100900001", NikError::BirthDate, "month 00"),
            ("6471013002900001", NikError::BirthDate, "30 February"),
            ("6471012902010001", NikError::BirthDate, "29 February 2001"),
            ("6471014501900000", NikError::Sequence, "sequence 0000"),
        ];
        for (text, expected, why) in cases {
            assert_eq!(nik(text), Err(expected), "{text}: {why}");
        }
    }

    #[test]
    fn future_birth_dates_are_refused() {
        // Born "23-11-26" read as 2026 would be tomorrow, so it is 1926; on 1926-11-22 it is the future.
        let result = Nik::parse("6201012311260001", d("1926-11-22"), known_province);
        assert_eq!(result, Err(NikError::BirthDate));
    }

    #[test]
    fn niks_print_masked() {
        let n = nik("6471014501900001").unwrap();
        assert_eq!(n.masked(), "6471********0001");
        assert_eq!(n.to_string(), "6471********0001");
        assert_eq!(format!("{n:?}"), "Nik(\"6471********0001\")");
        assert!(!format!("{n} {n:?} {n:#?}").contains("45019"));
    }

    #[test]
    fn npwps() {
        let cases: &[(&str, Option<(&str, &str)>)] = &[
            (
                "01.234.567.8-901.000",
                Some(("012345678901000", "01.234.567.8-901.000")),
            ),
            (
                "012345678901000",
                Some(("012345678901000", "01.234.567.8-901.000")),
            ),
            (
                " 01 234 567 8 901 000 ",
                Some(("012345678901000", "01.234.567.8-901.000")),
            ),
            (
                "6471014501900001",
                Some(("6471014501900001", "6471014501900001")),
            ),
            (
                "6471-0145-0190-0001",
                Some(("6471014501900001", "6471014501900001")),
            ),
            ("", None),
            ("01.234.567.8-901.00", None),
            ("01234567890100012", None),
            ("000000000000000", None),
            ("00.000.000.0-000.000", None),
            ("0000000000000000", None),
            ("01.234.567.8-901.00A", None),
            ("01/234/567/8/901/000", None),
        ];
        for (text, expected) in cases {
            let got = Npwp::parse(text);
            match expected {
                Some((digits, formatted)) => {
                    let npwp = got.unwrap_or_else(|e| panic!("{text:?}: {e}"));
                    assert_eq!(npwp.as_str(), *digits, "{text:?}");
                    assert_eq!(npwp.formatted(), *formatted, "{text:?}");
                    assert_eq!(npwp.to_string(), *formatted, "{text:?}");
                }
                None => assert_eq!(got, Err(NpwpError::Format), "{text:?}"),
            }
        }
        assert!("012345678901000".parse::<Npwp>().is_ok());
    }

    #[test]
    fn phone_masks() {
        let cases = [
            ("081234567890", "*********890"),
            ("+62 812-3456-7890", "**************890"),
            ("1234", "*234"),
            ("123", "123"),
            ("12", "12"),
            ("", ""),
        ];
        for (phone, expected) in cases {
            assert_eq!(mask_phone(phone), expected, "{phone:?}");
        }
    }
}
