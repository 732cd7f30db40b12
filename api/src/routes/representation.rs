//! How one resource is answered, the same for every resource: its JSON with an `ETag` and its URL
//! in `Location`; `If-Match` checked against its version on writes; `If-None-Match` answered with
//! 304 on reads.
//!
//! The `ETag` is `"{version}-{digest}"`: the version that `If-Match` names on a write, and a digest
//! of this very representation. A representation also changes without a new version (a lapse or an
//! overdue deadline derived from today's date, the completeness of a registration's board and
//! documents, the name of a report's ormas), so a conditional `GET` compares the whole tag and never
//! confirms a copy that differs; a write compares the version only.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, IF_MATCH, IF_NONE_MATCH};
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ErrorKind, Text};

/// The `If-Match` header of writes to a versioned resource, as the OpenAPI document describes it.
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IfMatch {
    /// The `ETag` last read (its version is compared; `*` matches any).
    #[param(
        rename = "If-Match",
        nullable = false,
        pattern = r#"^(W/)?("[0-9]+(-[0-9a-f]{16})?"|[0-9]+)$|^\*$"#
    )]
    pub if_match: Option<String>,
}

/// The `If-Match` header of `PATCH` and `PUT` on a versioned resource: required, so that two
/// editors cannot overwrite each other (428 when missing).
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
pub struct RequiredIfMatch {
    /// The `ETag` last read (its version is compared; `*` matches any; a weak `W/` tag never
    /// matches a write). Required: 428 without it.
    #[param(
        rename = "If-Match",
        pattern = r#"^(W/)?("[0-9]+(-[0-9a-f]{16})?"|[0-9]+)$|^\*$"#
    )]
    pub if_match: String,
}

/// The `If-None-Match` header of a single resource's `GET`.
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IfNoneMatch {
    /// The `ETag` of the copy the client holds: 304 with no body while it is current.
    #[param(rename = "If-None-Match", nullable = false)]
    pub if_none_match: Option<String>,
}

/// How the OpenAPI document describes the `ETag` of a resource's answers (the same text in every
/// `headers(("ETag" = String, description = …))`).
pub const ETAG_HEADER: &str =
    "Its version and a digest of this representation; send it back in `If-Match`.";
/// How the OpenAPI document describes the `Location` of a resource's answers.
pub const LOCATION_HEADER: &str = "Its URL.";

/// A resource answered on its own (its `GET`, and the answer of every write to it).
pub trait Resource: Serialize {
    /// Its URL, for `Location`.
    fn location(&self) -> String;
    /// Its version, which `If-Match` names; `None` for what never changes once stored.
    fn version(&self) -> Option<i32>;
}

/// The `ETag` of a representation: its version (if any) and a digest of its bytes.
fn etag(version: Option<i32>, body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    match version {
        Some(version) => format!("\"{version}-{hex}\""),
        None => format!("\"{hex}\""),
    }
}

fn serialized<R: Resource>(resource: &R) -> Result<(Vec<u8>, String), ApiError> {
    let body = serde_json::to_vec(resource).map_err(ApiError::internal)?;
    let tag = etag(resource.version(), &body);
    Ok((body, tag))
}

/// The `ETag` of `resource`, for a write answered without a body (204) that still tells the new
/// version.
pub fn etag_of<R: Resource>(resource: &R) -> Result<String, ApiError> {
    serialized(resource).map(|(_, tag)| tag)
}

/// Answers `resource` with `status`, its `ETag` and its `Location`.
pub fn represent<R: Resource>(status: StatusCode, resource: &R) -> Result<HttpResponse, ApiError> {
    let (body, tag) = serialized(resource)?;
    Ok(HttpResponse::build(status)
        .insert_header((header::ETAG, tag))
        .insert_header((header::LOCATION, resource.location()))
        .content_type(mime_json())
        .body(body))
}

/// Answers a `GET` of `resource`: 304 with no body (and the same `ETag`) when `If-None-Match` names
/// its current `ETag` (or is `*`), 200 with it otherwise.
pub fn represent_get<R: Resource>(
    req: &HttpRequest,
    resource: &R,
) -> Result<HttpResponse, ApiError> {
    let (body, tag) = serialized(resource)?;
    let changed = none_match(req, &tag);
    let mut response = HttpResponse::build(if changed {
        StatusCode::OK
    } else {
        StatusCode::NOT_MODIFIED
    });
    response
        .insert_header((header::ETAG, tag))
        .insert_header((header::LOCATION, resource.location()));
    Ok(if changed {
        response.content_type(mime_json()).body(body)
    } else {
        response.finish()
    })
}

/// A view with no URL or version of its own in its body (the caller's profile, a derived status,
/// a region, a public page), answered at `location`: its `ETag` is a digest of it.
struct View<'a, T> {
    location: String,
    body: &'a T,
}

impl<T: Serialize> Serialize for View<'_, T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.body.serialize(serializer)
    }
}

impl<T: Serialize> Resource for View<'_, T> {
    fn location(&self) -> String {
        self.location.clone()
    }

    fn version(&self) -> Option<i32> {
        None
    }
}

/// Answers a `GET` of a view (see [`represent_get`]): its `ETag` is a digest of `body`, its
/// `Location` is `location`.
pub fn represent_view_get<T: Serialize>(
    req: &HttpRequest,
    location: String,
    body: &T,
) -> Result<HttpResponse, ApiError> {
    represent_get(req, &View { location, body })
}

/// The `ETag` of a stored file's download: a digest of its bytes' SHA-256 (already stored, so a
/// conditional `GET` needs no read of the file), its checked type and its name, all of which the
/// answer carries.
pub fn file_etag(sha256: &str, content_type: &str, filename: &str) -> String {
    etag(
        None,
        format!("{sha256}\n{content_type}\n{filename}").as_bytes(),
    )
}

/// A URL's path segment for a `Location`: unreserved characters (and `/`, which the verification
/// route takes raw) as they are, anything else percent-encoded, so the header is always valid.
pub fn path_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn mime_json() -> &'static str {
    "application/json"
}

/// Whether the request's `If-None-Match` lets the full answer through: absent, or naming no tag
/// equal to `current` (weak comparison, RFC 9110 §13.1.2: a `W/` prefix is ignored).
pub(crate) fn none_match(req: &HttpRequest, current: &str) -> bool {
    let Some(value) = req.headers().get(IF_NONE_MATCH) else {
        return true;
    };
    let Ok(text) = value.to_str() else {
        return true;
    };
    !text
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == current)
}

/// What a request's `If-Match` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Precondition {
    Absent,
    /// `*`: any current version.
    Any,
    /// A strong tag (or a bare number) naming this version.
    Version(u64),
    /// A weak tag `W/"3"`: never matches for a write (RFC 9110 §13.1.1).
    Weak(u64),
}

/// 412 unless `If-Match` is absent, `*`, or names `current` with a strong tag: the
/// optimistic-concurrency check of transitions, where `If-Match` is optional.
pub fn require_current_version(req: &HttpRequest, current: i32) -> Result<(), ApiError> {
    match if_match(req)? {
        Precondition::Absent | Precondition::Any => Ok(()),
        Precondition::Version(version) => same_version(version, current),
        Precondition::Weak(_) => Err(ApiError::new(ErrorKind::PreconditionFailed)),
    }
}

/// The check of every `PATCH` and `PUT` of a versioned resource: 428 without `If-Match`, 412 unless
/// it is `*` or names `current` with a strong tag.
pub fn require_matching_version(req: &HttpRequest, current: i32) -> Result<(), ApiError> {
    match if_match(req)? {
        Precondition::Absent => Err(ApiError::new(ErrorKind::PreconditionRequired).with_detail(
            Text::new(
                "Kirim ETag terakhir yang dibaca dalam If-Match (atau If-Match: *).",
                "Send the ETag last read in If-Match (or If-Match: *).",
            ),
        )),
        Precondition::Any => Ok(()),
        Precondition::Version(version) => same_version(version, current),
        Precondition::Weak(_) => Err(ApiError::new(ErrorKind::PreconditionFailed)),
    }
}

fn same_version(named: u64, current: i32) -> Result<(), ApiError> {
    if i64::try_from(named).ok() == Some(i64::from(current)) {
        Ok(())
    } else {
        Err(ApiError::new(ErrorKind::PreconditionFailed))
    }
}

/// What `If-Match` names (`"3-…"`, `"3"`, `3`, `W/"3"` or `*`). A number beyond any version issued
/// is simply stale.
fn if_match(req: &HttpRequest) -> Result<Precondition, ApiError> {
    let Some(value) = req.headers().get(IF_MATCH) else {
        return Ok(Precondition::Absent);
    };
    let text = value.to_str().unwrap_or("").trim();
    if text == "*" {
        return Ok(Precondition::Any);
    }
    let malformed = || {
        ApiError::new(ErrorKind::BadRequest).with_detail(Text::new(
            "If-Match harus berupa ETag seperti \"3\".",
            "If-Match must be an ETag such as \"3\".",
        ))
    };
    let weak = text.starts_with("W/");
    let tag = text.strip_prefix("W/").unwrap_or(text);
    // Quoted as RFC 9110 has it (`"3-…"`, `"3"`), or a bare version (`3`) as some clients send it.
    let (digits, digest) = match tag.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        Some(quoted) => match quoted.split_once('-') {
            Some((version, digest)) => (version, Some(digest)),
            None => (quoted, None),
        },
        None => (tag, None),
    };
    let digits_ok = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    let digest_ok = digest.is_none_or(|d| {
        d.len() == 16
            && d.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    });
    if !(digits_ok && digest_ok) {
        return Err(malformed());
    }
    // A number beyond any version issued is well-formed, just stale.
    let version = digits.parse::<u64>().unwrap_or(u64::MAX);
    Ok(if weak {
        Precondition::Weak(version)
    } else {
        Precondition::Version(version)
    })
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    #[test]
    fn if_match_names_a_version_with_or_without_its_digest() {
        let version = |value: &str| {
            let req = TestRequest::default()
                .insert_header((IF_MATCH, value))
                .to_http_request();
            if_match(&req).map_err(|e| e.kind)
        };
        use Precondition::*;
        assert_eq!(version("\"3\""), Ok(Version(3)));
        assert_eq!(version("\"3-0123456789abcdef\""), Ok(Version(3)));
        assert_eq!(version("W/\"3\""), Ok(Weak(3)));
        assert_eq!(version("3"), Ok(Version(3)));
        assert_eq!(version("*"), Ok(Any));
        for bad in ["\"3-xyz\"", "\"-\"", "\"a\"", "3-0123456789abcdef", ""] {
            assert_eq!(version(bad), Err(ErrorKind::BadRequest), "{bad}");
        }
    }

    #[test]
    fn a_location_segment_keeps_slashes_and_encodes_the_rest() {
        assert_eq!(
            path_segment("001/SKM/64.71/XI/2026"),
            "001/SKM/64.71/XI/2026"
        );
        assert_eq!(path_segment("a b\"é"), "a%20b%22%C3%A9");
    }

    #[test]
    fn a_files_etag_names_its_bytes_type_and_name() {
        let tag = file_etag("ab", "image/png", "a.png");
        assert_eq!(tag.len(), 18);
        assert_ne!(tag, file_etag("ab", "image/png", "b.png"));
        assert_ne!(tag, file_etag("ac", "image/png", "a.png"));
    }

    #[test]
    fn if_none_match_compares_whole_tags_weakly() {
        let passes = |value: &str| {
            let req = TestRequest::default()
                .insert_header((IF_NONE_MATCH, value))
                .to_http_request();
            none_match(&req, "\"3-0123456789abcdef\"")
        };
        assert!(!passes("\"3-0123456789abcdef\""));
        assert!(!passes("W/\"3-0123456789abcdef\""));
        assert!(!passes("\"1-aaaaaaaaaaaaaaaa\", \"3-0123456789abcdef\""));
        assert!(!passes("*"));
        assert!(passes("\"3\""));
        assert!(passes("\"3-fedcba9876543210\""));
    }
}
