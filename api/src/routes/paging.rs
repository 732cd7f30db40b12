//! Cursor pagination: opaque page tokens and splitting a fetched page.
//!
//! A token is the hex encoding of the last sort key of the previous page. Any even-length hex string
//! is a usable cursor (it names a position in the sort order), so the contract can describe tokens
//! exactly with a pattern; anything else is a 400.

use crate::error::{ApiError, FieldIssue, Text};

/// The pattern of page tokens, as published in the contract.
/// Tokens encode printable ASCII and the key separator only.
pub const TOKEN_PATTERN: &str = "^(?:[2-6][0-9a-f]|7[0-9a-e]|1f){1,512}$";

pub fn encode(key: &str) -> String {
    key.bytes().map(|b| format!("{b:02x}")).collect()
}

pub fn decode(token: &str) -> Result<String, ApiError> {
    let bytes = token.as_bytes();
    let valid = !bytes.is_empty()
        && bytes.len().is_multiple_of(2)
        && bytes.len() <= 1024
        && bytes.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if !valid {
        return Err(invalid_token());
    }
    let decoded: Vec<u8> = bytes
        .chunks(2)
        .filter_map(|pair| std::str::from_utf8(pair).ok())
        .filter_map(|hex| u8::from_str_radix(hex, 16).ok())
        .collect();
    // Keys are printable ASCII joined by the unit separator: anything else (a NUL byte, say) was
    // never issued and must not reach a query.
    if decoded.len() * 2 != bytes.len()
        || !decoded
            .iter()
            .all(|&b| b == 0x1f || (0x20..0x7f).contains(&b))
    {
        return Err(invalid_token());
    }
    Ok(String::from_utf8_lossy(&decoded).into_owned())
}

/// A two-part sort key, e.g. `(region_code, id)`.
pub fn pair(first: &str, second: &str) -> String {
    format!("{first}\u{1f}{second}")
}

/// Decodes a two-part cursor; a token with one part is treated as starting after that first part.
pub fn decode_pair(token: &str) -> Result<(String, String), ApiError> {
    let key = decode(token)?;
    Ok(match key.split_once('\u{1f}') {
        Some((first, second)) => (first.to_owned(), second.to_owned()),
        None => (key, String::new()),
    })
}

pub fn invalid_token() -> ApiError {
    ApiError::invalid_query(vec![FieldIssue::new(
        "page_token",
        "invalid_page_token",
        Text::new(
            "bukan token halaman dari daftar ini",
            "is not a page token of this list",
        ),
    )])
}

/// Rows were fetched with `page_size + 1`: trims the extra row and returns the next token when there
/// was one.
pub fn split<T>(
    mut rows: Vec<T>,
    page_size: i64,
    key: impl Fn(&T) -> String,
) -> (Vec<T>, Option<String>) {
    if rows.len() as i64 > page_size {
        rows.truncate(page_size.max(0) as usize);
        let next = rows.last().map(|row| encode(&key(row)));
        (rows, next)
    } else {
        (rows, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip() {
        for key in ["64.71", "admin.kaltim", "64.71\u{1f}0193b3c4-5d6e", ""] {
            if key.is_empty() {
                continue;
            }
            assert_eq!(decode(&encode(key)).unwrap(), key);
        }
        for bad in ["", "a", "zz", "6g", "%%", "AB"] {
            assert!(decode(bad).is_err(), "{bad}");
        }
        // Keys are printable ASCII (and the separator): a NUL byte or invalid UTF-8 was never
        // issued, and is a 400 rather than a query.
        for bad in ["ff00", "00", "7f", "e29c93"] {
            assert!(decode(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn split_trims_the_probe_row() {
        let (rows, next) = split(vec![1, 2, 3], 2, |n| n.to_string());
        assert_eq!((rows, next), (vec![1, 2], Some(encode("2"))));
        let (rows, next) = split(vec![1, 2], 2, |n| n.to_string());
        assert_eq!((rows, next), (vec![1, 2], None));
    }
}
