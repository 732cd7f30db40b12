//! One error type for every handler, rendered as RFC 9457 `application/problem+json` in the language
//! the client asked for.

use std::fmt;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use ormas_openapi::{FieldError, Problem};
use ormas_persistence::PersistenceError;

use crate::context::{self, Lang};

pub const PROBLEM_JSON: &str = "application/problem+json";

/// A message in both languages the API speaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    pub id: String,
    pub en: String,
}

impl Text {
    pub fn new(id: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            en: en.into(),
        }
    }

    pub fn pick(&self, lang: Lang) -> &str {
        match lang {
            Lang::Id => &self.id,
            Lang::En => &self.en,
        }
    }
}

/// One offending field, before it is rendered in a language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldIssue {
    pub field: String,
    pub code: String,
    pub message: Text,
}

impl FieldIssue {
    pub fn new(field: impl Into<String>, code: impl Into<String>, message: Text) -> Self {
        Self {
            field: field.into(),
            code: code.into(),
            message,
        }
    }
}

/// The kinds of problem, each with its status and stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    BadRequest,
    MalformedJson,
    InvalidQuery,
    Unauthorized,
    InvalidCredentials,
    InvalidClient,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    Conflict,
    /// The organisation's national identity cannot be changed through this registration (409).
    IdentityReadOnly,
    /// The ormas does not meet the conditions of a service (409); `errors` names every one.
    NotEligible,
    PayloadTooLarge,
    UnsupportedMediaType,
    Validation,
    PreconditionFailed,
    /// A write to a versioned resource came without `If-Match` (428).
    PreconditionRequired,
    TooManyRequests,
    /// A position of the changes feed older than its retention (410).
    FeedPositionExpired,
    Internal,
    Unavailable,
    /// An `Idempotency-Key` already used for another request (422).
    IdempotencyKeyReused,
    /// The first request with this `Idempotency-Key` is still being processed (409).
    IdempotencyKeyInProgress,
}

impl ErrorKind {
    pub fn status(self) -> StatusCode {
        match self {
            ErrorKind::BadRequest | ErrorKind::MalformedJson | ErrorKind::InvalidQuery => {
                StatusCode::BAD_REQUEST
            }
            ErrorKind::Unauthorized | ErrorKind::InvalidCredentials | ErrorKind::InvalidClient => {
                StatusCode::UNAUTHORIZED
            }
            ErrorKind::Forbidden => StatusCode::FORBIDDEN,
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorKind::Conflict
            | ErrorKind::IdentityReadOnly
            | ErrorKind::NotEligible
            | ErrorKind::IdempotencyKeyInProgress => StatusCode::CONFLICT,
            ErrorKind::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorKind::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorKind::Validation | ErrorKind::IdempotencyKeyReused => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ErrorKind::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            ErrorKind::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            ErrorKind::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ErrorKind::FeedPositionExpired => StatusCode::GONE,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::BadRequest => "bad_request",
            ErrorKind::MalformedJson => "malformed_json",
            ErrorKind::InvalidQuery => "invalid_query",
            ErrorKind::Unauthorized => "unauthorized",
            ErrorKind::InvalidCredentials => "invalid_credentials",
            ErrorKind::InvalidClient => "invalid_client",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::NotFound => "not_found",
            ErrorKind::MethodNotAllowed => "method_not_allowed",
            ErrorKind::Conflict => "conflict",
            ErrorKind::IdentityReadOnly => "identity_read_only",
            ErrorKind::NotEligible => "not_eligible",
            ErrorKind::PayloadTooLarge => "payload_too_large",
            ErrorKind::UnsupportedMediaType => "unsupported_media_type",
            ErrorKind::Validation => "validation_failed",
            ErrorKind::PreconditionFailed => "precondition_failed",
            ErrorKind::PreconditionRequired => "precondition_required",
            ErrorKind::TooManyRequests => "too_many_requests",
            ErrorKind::Internal => "internal_error",
            ErrorKind::Unavailable => "service_unavailable",
            ErrorKind::FeedPositionExpired => "feed_position_expired",
            ErrorKind::IdempotencyKeyReused => "idempotency_key_reused",
            ErrorKind::IdempotencyKeyInProgress => "idempotency_key_in_progress",
        }
    }

    pub fn title(self) -> Text {
        let (id, en) = match self {
            ErrorKind::BadRequest => ("Permintaan tidak valid", "Bad request"),
            ErrorKind::MalformedJson => ("JSON tidak dapat dibaca", "Malformed JSON"),
            ErrorKind::InvalidQuery => ("Parameter kueri tidak valid", "Invalid query parameters"),
            ErrorKind::Unauthorized => ("Perlu autentikasi", "Authentication required"),
            ErrorKind::InvalidCredentials => ("Kredensial tidak valid", "Invalid credentials"),
            ErrorKind::InvalidClient => ("Klien tidak valid", "Invalid client"),
            ErrorKind::Forbidden => ("Tidak diizinkan", "Forbidden"),
            ErrorKind::NotFound => ("Tidak ditemukan", "Not found"),
            ErrorKind::MethodNotAllowed => ("Metode tidak diizinkan", "Method not allowed"),
            ErrorKind::Conflict => ("Konflik", "Conflict"),
            ErrorKind::IdentityReadOnly => (
                "Identitas organisasi hanya dapat dibaca",
                "Organisation identity is read-only",
            ),
            ErrorKind::NotEligible => (
                "Tidak memenuhi syarat layanan",
                "Not eligible for the service",
            ),
            ErrorKind::PayloadTooLarge => ("Isi permintaan terlalu besar", "Payload too large"),
            ErrorKind::UnsupportedMediaType => {
                ("Jenis media tidak didukung", "Unsupported media type")
            }
            ErrorKind::Validation => ("Data tidak valid", "Validation failed"),
            ErrorKind::PreconditionFailed => ("Versi sudah berubah", "Precondition failed"),
            ErrorKind::PreconditionRequired => ("Versi wajib disebut", "Precondition required"),
            ErrorKind::TooManyRequests => ("Terlalu banyak percobaan", "Too many requests"),
            ErrorKind::Internal => ("Kesalahan internal", "Internal server error"),
            ErrorKind::Unavailable => ("Layanan tidak tersedia", "Service unavailable"),
            ErrorKind::FeedPositionExpired => {
                ("Posisi umpan sudah kedaluwarsa", "Feed position expired")
            }
            ErrorKind::IdempotencyKeyReused => (
                "Idempotency-Key sudah dipakai",
                "Idempotency-Key already used",
            ),
            ErrorKind::IdempotencyKeyInProgress => (
                "Permintaan dengan Idempotency-Key ini masih diproses",
                "Request with this Idempotency-Key in progress",
            ),
        };
        Text::new(id, en)
    }

    /// The detail given when nothing more specific is known.
    pub fn default_detail(self) -> Text {
        let (id, en) = match self {
            ErrorKind::BadRequest => (
                "Permintaan tidak dapat diproses.",
                "The request could not be processed.",
            ),
            ErrorKind::MalformedJson => (
                "Isi permintaan bukan JSON yang sah.",
                "The request body is not valid JSON.",
            ),
            ErrorKind::InvalidQuery => (
                "Parameter kueri tidak valid.",
                "The query parameters are invalid.",
            ),
            ErrorKind::Unauthorized => (
                "Token akses tidak ada, tidak sah, kedaluwarsa, atau sudah dicabut.",
                "The access token is missing, invalid, expired or revoked.",
            ),
            ErrorKind::InvalidCredentials => (
                "Nama pengguna atau kata sandi salah.",
                "The username or password is wrong.",
            ),
            ErrorKind::InvalidClient => {
                ("Autentikasi klien gagal.", "Client authentication failed.")
            }
            ErrorKind::Forbidden => (
                "Peran Anda tidak mengizinkan tindakan ini.",
                "Your role does not allow this action.",
            ),
            ErrorKind::NotFound => (
                "Sumber daya yang diminta tidak ditemukan.",
                "The requested resource was not found.",
            ),
            ErrorKind::MethodNotAllowed => (
                "Metode HTTP ini tidak didukung untuk alamat ini.",
                "This HTTP method is not supported for this path.",
            ),
            ErrorKind::IdentityReadOnly => (
                "Identitas nasional organisasi ini tidak dapat diubah melalui pendaftaran ini.",
                "The organisation's national identity cannot be changed through this registration.",
            ),
            ErrorKind::NotEligible => (
                "Ormas ini tidak memenuhi syarat layanan; setiap syarat yang tidak terpenuhi disebut pada errors.",
                "The ormas does not meet the conditions of this service; errors names every unmet condition.",
            ),
            ErrorKind::Conflict => (
                "Permintaan bertentangan dengan keadaan saat ini.",
                "The request conflicts with the current state.",
            ),
            ErrorKind::PayloadTooLarge => (
                "Isi permintaan melebihi batas ukuran.",
                "The request body exceeds the size limit.",
            ),
            ErrorKind::UnsupportedMediaType => (
                "Gunakan Content-Type: application/json.",
                "Use Content-Type: application/json.",
            ),
            ErrorKind::Validation => ("Beberapa isian tidak valid.", "Some fields are invalid."),
            ErrorKind::PreconditionFailed => (
                "Data telah diubah oleh orang lain; muat ulang lalu coba lagi.",
                "The resource was changed meanwhile; reload it and try again.",
            ),
            ErrorKind::PreconditionRequired => (
                "Kirim header If-Match berisi ETag terakhir yang dibaca, agar perubahan orang lain tidak tertimpa.",
                "Send If-Match with the ETag last read, so that nobody else's change is overwritten.",
            ),
            ErrorKind::TooManyRequests => (
                "Terlalu banyak percobaan gagal; coba lagi setelah waktu pada Retry-After.",
                "Too many failed attempts; try again after Retry-After.",
            ),
            ErrorKind::Internal => (
                "Terjadi kesalahan pada server. Sebutkan request_id bila menghubungi dukungan.",
                "The server failed. Quote the request_id when contacting support.",
            ),
            ErrorKind::Unavailable => (
                "Basis data sedang tidak dapat dijangkau. Coba lagi sebentar lagi.",
                "The database cannot be reached right now. Try again shortly.",
            ),
            ErrorKind::FeedPositionExpired => (
                "Peristiwa setelah posisi itu sudah dihapus karena masa simpan; muat ulang ekspor \
                 lengkap lalu ikuti umpan dari posisinya (GET /v1/changes/snapshot).",
                "The events after that position are past retention; reload the full export, then \
                 follow the feed from its position (GET /v1/changes/snapshot).",
            ),
            ErrorKind::IdempotencyKeyReused => (
                "Idempotency-Key ini sudah dipakai untuk permintaan lain (metode, alamat, jenis isi atau isi berbeda); gunakan kunci baru untuk permintaan baru.",
                "This Idempotency-Key was used for another request (method, path, content type or body differ); use a fresh key for a new request.",
            ),
            ErrorKind::IdempotencyKeyInProgress => (
                "Permintaan pertama dengan Idempotency-Key ini belum selesai; coba lagi sebentar lagi.",
                "The first request with this Idempotency-Key has not finished yet; retry shortly.",
            ),
        };
        Text::new(id, en)
    }

    /// The kind that answers a bare status produced outside the handlers (router, Swagger UI).
    pub fn for_status(status: StatusCode) -> ErrorKind {
        match status.as_u16() {
            401 => ErrorKind::Unauthorized,
            403 => ErrorKind::Forbidden,
            404 => ErrorKind::NotFound,
            405 => ErrorKind::MethodNotAllowed,
            409 => ErrorKind::Conflict,
            413 => ErrorKind::PayloadTooLarge,
            415 => ErrorKind::UnsupportedMediaType,
            412 => ErrorKind::PreconditionFailed,
            422 => ErrorKind::Validation,
            429 => ErrorKind::TooManyRequests,
            503 => ErrorKind::Unavailable,
            500..=599 => ErrorKind::Internal,
            _ => ErrorKind::BadRequest,
        }
    }
}

/// Seconds a client should wait before retrying when the database is unavailable.
pub const RETRY_AFTER_SECONDS: u32 = 5;

/// The error every handler and extractor returns.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub kind: ErrorKind,
    pub detail: Option<Box<Text>>,
    pub errors: Vec<FieldIssue>,
    /// Methods to list in `Allow` on a 405.
    pub allow: Option<Box<str>>,
    /// The underlying cause, logged and never sent to the client.
    pub cause: Option<Box<str>>,
    /// Seconds for `Retry-After` (429; 503 always gets the default).
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(kind: ErrorKind) -> Self {
        Self {
            kind,
            detail: None,
            errors: Vec::new(),
            allow: None,
            cause: None,
            retry_after: None,
        }
    }

    pub fn with_detail(mut self, detail: Text) -> Self {
        self.detail = Some(Box::new(detail));
        self
    }

    pub fn with_errors(mut self, errors: Vec<FieldIssue>) -> Self {
        self.errors = errors;
        self
    }

    pub fn with_cause(mut self, cause: impl fmt::Display) -> Self {
        self.cause = Some(cause.to_string().into());
        self
    }

    pub fn not_found(detail: Text) -> Self {
        Self::new(ErrorKind::NotFound).with_detail(detail)
    }

    pub fn validation(errors: Vec<FieldIssue>) -> Self {
        Self::new(ErrorKind::Validation).with_errors(errors)
    }

    pub fn invalid_query(errors: Vec<FieldIssue>) -> Self {
        Self::new(ErrorKind::InvalidQuery).with_errors(errors)
    }

    /// A versioned write found the resource changed since it was read: 412 when the request named
    /// the version it expected (`If-Match`), 409 when it lost a race without naming one.
    pub fn stale_version() -> Self {
        if context::current().names_version {
            Self::new(ErrorKind::PreconditionFailed)
        } else {
            Self::new(ErrorKind::Conflict).with_detail(Text::new(
                "Data diubah pada saat yang sama; muat ulang lalu coba lagi.",
                "The resource changed meanwhile; reload it and try again.",
            ))
        }
    }

    pub fn internal(cause: impl fmt::Display) -> Self {
        Self::new(ErrorKind::Internal).with_cause(cause)
    }

    pub fn unauthorized() -> Self {
        Self::new(ErrorKind::Unauthorized)
    }

    pub fn forbidden(detail: Text) -> Self {
        Self::new(ErrorKind::Forbidden).with_detail(detail)
    }

    pub fn too_many_requests(retry_after_seconds: u64) -> Self {
        let mut e = Self::new(ErrorKind::TooManyRequests);
        e.retry_after = Some(retry_after_seconds.max(1));
        e
    }

    pub fn method_not_allowed(allow: String) -> Self {
        let mut e = Self::new(ErrorKind::MethodNotAllowed);
        e.allow = Some(allow.into());
        e
    }

    /// The problem document for this error, in the request's language.
    pub fn problem(&self) -> Problem {
        let ctx = context::current();
        let lang = ctx.lang;
        Problem {
            problem_type: format!("urn:ormas:problem:{}", self.kind.code()),
            title: self.kind.title().pick(lang).to_owned(),
            status: self.kind.status().as_u16(),
            detail: match &self.detail {
                Some(detail) => detail.pick(lang).to_owned(),
                None => self.kind.default_detail().pick(lang).to_owned(),
            },
            code: self.kind.code().to_owned(),
            request_id: ctx.request_id,
            errors: self
                .errors
                .iter()
                .map(|e| FieldError {
                    field: e.field.clone(),
                    code: e.code.clone(),
                    message: e.message.pick(lang).to_owned(),
                })
                .collect(),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.kind.code())?;
        if let Some(detail) = &self.detail {
            write!(f, ": {}", detail.en)?;
        }
        if let Some(cause) = &self.cause {
            write!(f, " (cause: {cause})")?;
        }
        Ok(())
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.kind.status()
    }

    fn error_response(&self) -> HttpResponse {
        if self.kind.status().is_server_error() {
            log::error!("request_id={} {}", context::current().request_id, self);
        }
        let mut response = HttpResponse::build(self.kind.status());
        response.content_type(PROBLEM_JSON);
        match (self.kind, self.retry_after) {
            (ErrorKind::Unavailable, None) => {
                response.insert_header((header::RETRY_AFTER, RETRY_AFTER_SECONDS));
            }
            (_, Some(seconds)) => {
                response.insert_header((header::RETRY_AFTER, seconds));
            }
            _ => {}
        }
        if matches!(self.kind, ErrorKind::Unauthorized) {
            response.insert_header((
                header::WWW_AUTHENTICATE,
                r#"Bearer realm="ormas", error="invalid_token""#,
            ));
        }
        if matches!(self.kind, ErrorKind::InvalidCredentials) {
            response.insert_header((header::WWW_AUTHENTICATE, r#"Bearer realm="ormas""#));
        }
        if matches!(self.kind, ErrorKind::InvalidClient) {
            response.insert_header((header::WWW_AUTHENTICATE, r#"Basic realm="ormas""#));
        }
        if let Some(allow) = &self.allow
            && let Ok(value) = HeaderValue::from_str(allow)
        {
            response.insert_header((header::ALLOW, value));
        }
        match serde_json::to_string(&self.problem()) {
            Ok(body) => response.body(body),
            Err(_) => response.finish(),
        }
    }
}

impl From<PersistenceError> for ApiError {
    fn from(error: PersistenceError) -> Self {
        match error {
            PersistenceError::NotFound => ApiError::new(ErrorKind::NotFound),
            PersistenceError::UniqueViolation(what) => ApiError::new(ErrorKind::Conflict)
                .with_detail(Text::new(
                    "Data yang sama sudah ada.",
                    "The same record already exists.",
                ))
                .with_cause(what),
            PersistenceError::StaleVersion => ApiError::stale_version(),
            PersistenceError::Refused(what) => ApiError::new(ErrorKind::Conflict).with_cause(what),
            PersistenceError::Unavailable(cause) => {
                ApiError::new(ErrorKind::Unavailable).with_cause(cause)
            }
            other => ApiError::internal(other),
        }
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(error: actix_web::error::BlockingError) -> Self {
        ApiError::internal(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::{RequestContext, scope};

    async fn stale_status(names_version: bool) -> StatusCode {
        let ctx = RequestContext {
            names_version,
            ..RequestContext::default()
        };
        scope(ctx, async {
            ApiError::from(PersistenceError::StaleVersion).kind.status()
        })
        .await
    }

    #[actix_web::test]
    async fn a_stale_version_is_412_with_if_match_and_409_without() {
        assert_eq!(stale_status(true).await, StatusCode::PRECONDITION_FAILED);
        assert_eq!(stale_status(false).await, StatusCode::CONFLICT);
    }
}
