//! Text that reaches the server: no control characters and no implausible dates, checked at the
//! edge for every path, query parameter and JSON string, so that nothing the databases refuse (a
//! NUL byte in PostgreSQL, a year before 1 BC) ever gets as far as a query.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, ResponseError};
use ormas_domain::calendar::{EARLIEST_PLAUSIBLE_YEAR, LATEST_PLAUSIBLE_YEAR};
use serde_json::Value;

use crate::error::{ApiError, ErrorKind, FieldIssue, Text};

/// A control character other than tab, line feed and carriage return (which free text may hold).
pub fn is_refused_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// Whether text has the shape of a date (`YYYY-MM-DD`, with a sign or more year digits) whose
/// year lies outside the plausible range: such a value is refused wherever it appears as a date.
pub fn implausible_date(text: &str) -> bool {
    let Some((year, rest)) = split_year(text) else {
        return false;
    };
    let shape = rest.len() == 6
        && rest.as_bytes()[0] == b'-'
        && rest.as_bytes()[3] == b'-'
        && rest
            .bytes()
            .enumerate()
            .all(|(i, b)| i == 0 || i == 3 || b.is_ascii_digit());
    shape && !(EARLIEST_PLAUSIBLE_YEAR..=LATEST_PLAUSIBLE_YEAR).contains(&year)
}

fn split_year(text: &str) -> Option<(i64, &str)> {
    let (sign, digits) = match text.as_bytes().first()? {
        b'-' => (-1, &text[1..]),
        b'+' => (1, &text[1..]),
        _ => (1, text),
    };
    let end = digits.find(|c: char| !c.is_ascii_digit())?;
    if end < 4 {
        return None;
    }
    let year: i64 = digits[..end].parse().unwrap_or(i64::MAX / 2);
    Some((sign * year, &digits[end..]))
}

/// The first refused thing in a JSON document, as a field issue naming its path.
pub fn json_issue(value: &Value) -> Option<FieldIssue> {
    fn walk(value: &Value, path: &str) -> Option<FieldIssue> {
        match value {
            Value::String(text) => string_issue(path, text),
            Value::Array(items) => items
                .iter()
                .enumerate()
                .find_map(|(i, item)| walk(item, &format!("{path}[{i}]"))),
            Value::Object(map) => map.iter().find_map(|(key, item)| {
                let path = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                if key.chars().any(char::is_control) {
                    return Some(control_issue(&path));
                }
                walk(item, &path)
            }),
            _ => None,
        }
    }
    walk(value, "")
}

fn string_issue(field: &str, text: &str) -> Option<FieldIssue> {
    if text.chars().any(is_refused_control) {
        return Some(control_issue(field));
    }
    if implausible_date(text) {
        return Some(FieldIssue::new(
            field,
            "date_out_of_range",
            Text::new(
                format!(
                    "tanggal harus antara tahun {EARLIEST_PLAUSIBLE_YEAR} dan {LATEST_PLAUSIBLE_YEAR}"
                ),
                format!(
                    "must be a date between the years {EARLIEST_PLAUSIBLE_YEAR} and {LATEST_PLAUSIBLE_YEAR}"
                ),
            ),
        ));
    }
    None
}

fn control_issue(field: &str) -> FieldIssue {
    // The name may itself hold the characters refused: never echo them.
    let field: String = field
        .chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect();
    FieldIssue::new(
        field,
        "control_character",
        Text::new(
            "tidak boleh memuat karakter kontrol",
            "must not contain control characters",
        ),
    )
}

/// Decodes `%XX` escapes of a path; `None` when the bytes are not UTF-8.
fn percent_decoded(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Some(byte) = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// The first refused thing in a request's path or query string.
pub fn request_issue(path: &str, query: &str) -> Option<ApiError> {
    let decoded = percent_decoded(path);
    let path_bad = match &decoded {
        Some(text) => text.chars().any(is_refused_control),
        None => false,
    };
    if path_bad {
        return Some(
            ApiError::new(ErrorKind::BadRequest)
                .with_detail(Text::new(
                    "Alamat memuat karakter kontrol.",
                    "The path contains control characters.",
                ))
                .with_errors(vec![control_issue("path")]),
        );
    }
    let issues: Vec<FieldIssue> = form_urlencoded::parse(query.as_bytes())
        .filter_map(|(name, value)| {
            if name.chars().any(is_refused_control) || value.chars().any(is_refused_control) {
                Some(control_issue(&name))
            } else {
                string_issue(&name, &value)
            }
        })
        .take(1)
        .collect();
    (!issues.is_empty()).then(|| ApiError::invalid_query(issues))
}

/// Refuses requests whose path or query holds control characters or implausible dates (400).
pub async fn refuse_bad_text(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    if let Some(error) = request_issue(req.path(), req.query_string()) {
        let response = error.error_response();
        return Ok(req.into_response(response));
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_boxed_body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_except_tab_and_newlines_are_refused() {
        for (text, refused) in [
            ("a\u{0}b", true),
            ("a\u{1b}b", true),
            ("a\u{7f}", true),
            ("a\u{85}", true),
            ("line\nline\ttab\r", false),
            ("Rp 1.000 – ✓", false),
        ] {
            assert_eq!(text.chars().any(is_refused_control), refused, "{text:?}");
        }
    }

    #[test]
    fn dates_outside_the_plausible_years_are_refused() {
        for (text, refused) in [
            ("-9999-01-01", true),
            ("9999-12-31", true),
            ("+10000-01-01", true),
            ("1899-12-31", true),
            ("3000-01-01", true),
            ("1900-01-01", false),
            ("2999-12-31", false),
            ("2026-12-03", false),
            ("SKT 123/2023", false),
            ("9999", false),
            ("12345-678", false),
        ] {
            assert_eq!(implausible_date(text), refused, "{text}");
        }
    }

    #[test]
    fn json_issues_name_the_field() {
        let body = serde_json::json!({"board": [{"name": "ok"}, {"name": "x\u{0}"}]});
        assert_eq!(json_issue(&body).unwrap().field, "board[1].name");
        let date = serde_json::json!({"founded_on": "-9999-01-01"});
        assert_eq!(json_issue(&date).unwrap().code, "date_out_of_range");
        assert!(json_issue(&serde_json::json!({"note": "a\nb"})).is_none());
    }

    #[test]
    fn paths_and_queries() {
        assert!(request_issue("/v1/public/verify/%00", "").is_some());
        assert!(request_issue("/v1/public/ormas", "q=a%00b").is_some());
        assert!(request_issue("/v1/ormas", "skt_expiring_before=-9999-01-01").is_some());
        assert!(request_issue("/v1/ormas/%E2%9C%93", "q=peduli+lingkungan").is_none());
        assert!(request_issue("/v1/public/verify/400%2F2026", "").is_none());
    }
}
