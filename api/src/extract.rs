//! Extractors that answer bad input with problem documents naming the offending field: JSON bodies
//! (415 for another media type, 413 over the limit, 400 for broken JSON, 422 for wrong or invalid
//! fields), optional JSON bodies of actions (none at all reads as `{}`), and query strings (400
//! naming the parameter).

use std::borrow::Cow;

use actix_web::dev::Payload;
use actix_web::http::header::CONTENT_LENGTH;
use actix_web::web::BytesMut;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use futures_util::StreamExt;
use futures_util::future::{LocalBoxFuture, Ready, ready};
use serde::de::DeserializeOwned;
use validator::{Validate, ValidationError, ValidationErrors, ValidationErrorsKind};

use crate::error::{ApiError, ErrorKind, FieldIssue, Text};
use crate::state::AppState;

/// A JSON body, deserialized and validated.
#[derive(Debug)]
pub struct ValidJson<T>(pub T);

fn is_json(req: &HttpRequest) -> bool {
    match req.mime_type() {
        Ok(Some(mime)) => {
            mime.type_() == "application"
                && (mime.subtype() == "json" || mime.suffix().is_some_and(|s| s == "json"))
        }
        _ => false,
    }
}

pub(crate) fn too_large(limit: usize) -> ApiError {
    ApiError::new(ErrorKind::PayloadTooLarge).with_detail(Text::new(
        format!("Isi permintaan melebihi batas {limit} bita."),
        format!("The request body exceeds the limit of {limit} bytes."),
    ))
}

fn body_limit(req: &HttpRequest) -> usize {
    req.app_data::<web::Data<AppState>>()
        .map(|s| s.config.body_limit)
        .unwrap_or(crate::config::DEFAULT_BODY_LIMIT)
}

fn declared_length(req: &HttpRequest) -> Option<usize> {
    req.headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<usize>().ok())
}

pub(crate) fn unreadable(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(ErrorKind::BadRequest)
        .with_detail(Text::new(
            "Isi permintaan tidak dapat dibaca.",
            "The request body could not be read.",
        ))
        .with_cause(e)
}

/// Reads the whole body, refusing it (413) once it passes `limit`.
async fn read_body(mut payload: Payload, limit: usize) -> Result<BytesMut, ApiError> {
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(unreadable)?;
        if body.len() + chunk.len() > limit {
            return Err(too_large(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

impl<T: DeserializeOwned + Validate + 'static> FromRequest for ValidJson<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = body_limit(req);
        if !is_json(req) {
            return Box::pin(ready(Err(ApiError::new(ErrorKind::UnsupportedMediaType))));
        }
        if declared_length(req).is_some_and(|len| len > limit) {
            return Box::pin(ready(Err(too_large(limit))));
        }
        let payload = payload.take();
        Box::pin(async move {
            let body = read_body(payload, limit).await?;
            let value = parse_json::<T>(&body)?;
            validate(&value, ErrorKind::Validation)?;
            Ok(ValidJson(value))
        })
    }
}

/// The JSON body of an action whose fields are all optional. No body at all (a bare
/// `curl -X POST`, a `fetch()` without one) or `Content-Length: 0` reads as `{}`, whatever the
/// `Content-Type`; a body that is there is read like [`ValidJson`]: it must be JSON (415 for any
/// other media type), within the limit (413), well-formed (400) and valid (422).
#[derive(Debug)]
pub struct OptionalJson<T>(pub T);

impl<T: DeserializeOwned + Validate + Default + 'static> FromRequest for OptionalJson<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = body_limit(req);
        let declared = declared_length(req);
        if declared == Some(0) {
            return Box::pin(ready(Ok(OptionalJson(T::default()))));
        }
        if declared.is_some_and(|len| len > limit) {
            return Box::pin(ready(Err(too_large(limit))));
        }
        let json = is_json(req);
        if !json && declared.is_some() {
            return Box::pin(ready(Err(ApiError::new(ErrorKind::UnsupportedMediaType))));
        }
        let mut payload = payload.take();
        Box::pin(async move {
            if !json {
                // No length declared (chunked, or no body at all): empty is `{}`, anything else is
                // of the wrong media type, known from its first byte.
                while let Some(chunk) = payload.next().await {
                    if !chunk.map_err(unreadable)?.is_empty() {
                        return Err(ApiError::new(ErrorKind::UnsupportedMediaType));
                    }
                }
                return Ok(OptionalJson(T::default()));
            }
            let body = read_body(payload, limit).await?;
            if body.is_empty() {
                return Ok(OptionalJson(T::default()));
            }
            let value = parse_json::<T>(&body)?;
            validate(&value, ErrorKind::Validation)?;
            Ok(OptionalJson(value))
        })
    }
}

/// Deserializes a JSON body: broken JSON is a 400, well-formed JSON of the wrong shape a 422 naming
/// the field.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(
            ApiError::new(ErrorKind::MalformedJson).with_detail(Text::new(
                "Isi permintaan kosong; kirim dokumen JSON.",
                "The request body is empty; send a JSON document.",
            )),
        );
    }
    // Parse to a tree first, so that broken JSON (400) is told apart from JSON of the wrong shape
    // (422), and so that a body must be an object: serde would also accept a struct as an array.
    let tree: serde_json::Value = serde_json::from_slice(body).map_err(|inner| {
        ApiError::new(ErrorKind::MalformedJson).with_detail(Text::new(
            format!("JSON tidak sah: {inner}."),
            format!("Invalid JSON: {inner}."),
        ))
    })?;
    // Control characters and implausible dates are refused before any field is read: neither
    // database must ever see them (PostgreSQL refuses NUL in text, chrono's range is not SQL's).
    if let Some(issue) = crate::text::json_issue(&tree) {
        return Err(ApiError::validation(vec![issue]));
    }
    if !tree.is_object() {
        return Err(ApiError::validation(vec![FieldIssue::new(
            "",
            "invalid_type",
            Text::new(
                "isi permintaan harus berupa objek JSON",
                "the request body must be a JSON object",
            ),
        )]));
    }
    serde_path_to_error::deserialize::<_, T>(tree).map_err(|error| {
        let path = error.path().to_string();
        ApiError::validation(vec![issue_from_serde(
            &path,
            &error.into_inner().to_string(),
        )])
    })
}

/// A query string, deserialized and validated.
#[derive(Debug)]
pub struct ValidQuery<T>(pub T);

impl<T: DeserializeOwned + Validate> FromRequest for ValidQuery<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(parse_query(req.query_string()).map(ValidQuery))
    }
}

pub fn parse_query<T: DeserializeOwned + Validate>(query: &str) -> Result<T, ApiError> {
    let deserializer =
        serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    let value: T = serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let path = error.path().to_string();
        ApiError::invalid_query(vec![issue_from_serde(
            &path,
            &error.into_inner().to_string(),
        )])
    })?;
    validate(&value, ErrorKind::InvalidQuery)?;
    Ok(value)
}

fn backticked(message: &str) -> Option<&str> {
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    Some(&message[start..start + len])
}

/// Turns a serde message into a field issue; serde names a missing field only in its message.
fn issue_from_serde(path: &str, message: &str) -> FieldIssue {
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or(message)
        .to_owned();
    if message.starts_with("missing field") {
        let field = backticked(&message).unwrap_or(path);
        let field = if path == "." || path.is_empty() {
            field.to_owned()
        } else {
            format!("{path}.{field}")
        };
        return FieldIssue::new(field, "required", Text::new("wajib diisi", "is required"));
    }
    let code = if message.starts_with("unknown variant") {
        "invalid_value"
    } else if message.starts_with("unknown field") {
        "unknown_field"
    } else {
        "invalid_type"
    };
    let field = if path == "." { "" } else { path };
    FieldIssue::new(
        field,
        code,
        Text::new(format!("nilai tidak valid: {message}"), message.clone()),
    )
}

/// Runs the validator rules; failures become field issues of the given kind.
pub fn validate<T: Validate>(value: &T, kind: ErrorKind) -> Result<(), ApiError> {
    value.validate().map_err(|errors| {
        let mut issues = Vec::new();
        collect_issues("", &errors, &mut issues);
        issues.sort_by(|a, b| a.field.cmp(&b.field));
        ApiError::new(kind).with_errors(issues)
    })
}

fn collect_issues(prefix: &str, errors: &ValidationErrors, out: &mut Vec<FieldIssue>) {
    for (field, kind) in errors.errors() {
        let path = if prefix.is_empty() {
            field.to_string()
        } else {
            format!("{prefix}.{field}")
        };
        match kind {
            ValidationErrorsKind::Field(list) => {
                out.extend(list.iter().map(|e| issue_from_validation(&path, e)));
            }
            ValidationErrorsKind::Struct(inner) => collect_issues(&path, inner, out),
            ValidationErrorsKind::List(items) => {
                for (index, inner) in items {
                    collect_issues(&format!("{path}[{index}]"), inner, out);
                }
            }
        }
    }
}

fn param(error: &ValidationError, name: &str) -> Option<String> {
    error.params.get(name).map(|v| match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}

/// Bilingual messages for the validator's built-in rules; custom rules carry their own message.
fn issue_from_validation(field: &str, error: &ValidationError) -> FieldIssue {
    let code: Cow<str> = error.code.clone();
    let min = param(error, "min");
    let max = param(error, "max");
    let message = match (code.as_ref(), min, max) {
        ("range", Some(min), Some(max)) => Text::new(
            format!("harus antara {min} dan {max}"),
            format!("must be between {min} and {max}"),
        ),
        ("range", Some(min), None) => {
            Text::new(format!("minimal {min}"), format!("must be at least {min}"))
        }
        ("range", None, Some(max)) => {
            Text::new(format!("maksimal {max}"), format!("must be at most {max}"))
        }
        ("length", Some(min), Some(max)) => Text::new(
            format!("panjang harus antara {min} dan {max} karakter"),
            format!("length must be between {min} and {max} characters"),
        ),
        ("length", Some(min), None) => Text::new(
            format!("panjang minimal {min} karakter"),
            format!("must be at least {min} characters long"),
        ),
        ("length", None, Some(max)) => Text::new(
            format!("panjang maksimal {max} karakter"),
            format!("must be at most {max} characters long"),
        ),
        ("email", _, _) => Text::new("alamat email tidak valid", "is not a valid email address"),
        ("required", _, _) => Text::new("wajib diisi", "is required"),
        _ => {
            let en = error
                .message
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_else(|| format!("fails the `{code}` rule"));
            Text::new(en.clone(), en)
        }
    };
    FieldIssue::new(field, code.into_owned(), message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, Validate)]
    struct Sample {
        #[validate(range(min = 0, max = 10))]
        n: i32,
        #[allow(dead_code)]
        level: Option<ormas_domain::RegionLevel>,
    }

    #[test]
    fn json_errors_name_the_field() {
        let cases: &[(&str, ErrorKind, &str, &str)] = &[
            (r#"{"n": 1"#, ErrorKind::MalformedJson, "", ""),
            ("", ErrorKind::MalformedJson, "", ""),
            (r#"{}"#, ErrorKind::Validation, "n", "required"),
            (r#"{"n": "x"}"#, ErrorKind::Validation, "n", "invalid_type"),
            (
                r#"{"n": 1, "level": "planet"}"#,
                ErrorKind::Validation,
                "level",
                "invalid_value",
            ),
            (r#"{"n": 11}"#, ErrorKind::Validation, "n", "range"),
            (r#"{"n": 1} x"#, ErrorKind::MalformedJson, "", ""),
        ];
        for (body, kind, field, code) in cases {
            let err = parse_json::<Sample>(body.as_bytes())
                .and_then(|v| validate(&v, ErrorKind::Validation).map(|_| v))
                .unwrap_err();
            assert_eq!(err.kind, *kind, "{body}");
            if !field.is_empty() {
                assert_eq!(err.errors[0].field, *field, "{body}");
                assert_eq!(err.errors[0].code, *code, "{body}");
            }
        }
    }

    #[test]
    fn query_errors_name_the_parameter() {
        let err = parse_query::<Sample>("n=abc").unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidQuery);
        assert_eq!(err.errors[0].field, "n");
        let err = parse_query::<Sample>("n=20").unwrap_err();
        assert_eq!(err.errors[0].code, "range");
        assert!(parse_query::<Sample>("n=2&level=regency").is_ok());
    }
}
