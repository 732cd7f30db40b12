//! Contract types of authentication.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use ormas_domain::Role;

use crate::routes::dto::validate_username;

/// Credentials.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"username": "admin.64", "password": "correct horse battery"}))]
pub struct LoginRequest {
    #[validate(length(min = 1, max = 128))]
    #[schema(min_length = 1, max_length = 128)]
    pub username: String,
    #[validate(length(min = 1, max = 1024))]
    #[schema(min_length = 1, max_length = 1024, format = Password)]
    pub password: String,
}

/// An access token and the refresh token that renews it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"access_token": "eyJhbGciOiJIUzI1NiJ9…", "refresh_token": "q3J1…", "token_type": "Bearer", "expires_in": 900}))]
pub struct TokenPair {
    /// A JWT (HS256) to send as `Authorization: Bearer …`.
    pub access_token: String,
    /// Single use: `POST /v1/auth/refresh` answers a new pair and retires this one.
    pub refresh_token: String,
    #[schema(example = "Bearer")]
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
}

/// A refresh token to exchange.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    #[validate(length(min = 1, max = 256))]
    #[schema(min_length = 1, max_length = 256)]
    pub refresh_token: String,
}

/// The client-credentials grant (RFC 6749 §4.4).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(example = json!({"grant_type": "client_credentials", "client_id": "kemendagri-sync", "client_secret": "…"}))]
pub struct ClientCredentialsRequest {
    /// Must be `client_credentials`.
    #[schema(required = true, value_type = String, pattern = "^client_credentials$", example = "client_credentials")]
    pub grant_type: Option<String>,
    /// May instead come in HTTP Basic authentication.
    pub client_id: Option<String>,
    /// May instead come in HTTP Basic authentication.
    #[schema(format = Password)]
    pub client_secret: Option<String>,
    /// Ignored: a client's scope is its region.
    pub scope: Option<String>,
}

/// An access token for a service client.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClientToken {
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: String,
    pub expires_in: u64,
}

/// A representative signing up.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"username": "ketua.pemuda", "password": "correct horse battery", "display_name": "Budi Santoso", "email": "budi@example.org"}))]
pub struct RegisterRequest {
    /// 3–64 letters, digits, `.`, `_`, `-`; unique regardless of case.
    #[validate(custom(function = "validate_username"))]
    #[schema(
        min_length = 3,
        max_length = 64,
        pattern = r"^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$"
    )]
    pub username: String,
    /// 10–128 characters, not the username.
    #[validate(length(min = 10, max = 128))]
    #[schema(min_length = 10, max_length = 128, format = Password)]
    pub password: String,
    #[validate(length(min = 1, max = 120))]
    #[schema(min_length = 1, max_length = 120)]
    pub display_name: String,
    #[validate(email, length(max = 254))]
    #[schema(format = Email, max_length = 254)]
    pub email: Option<String>,
}

/// The caller: an account, or a service client.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// `user` for accounts, `client` for service clients.
    #[schema(example = "user")]
    pub kind: String,
    pub id: String,
    /// The username, or the client id.
    pub username: String,
    pub display_name: String,
    #[schema(required = true)]
    pub email: Option<String>,
    pub role: Role,
    #[schema(required = true)]
    pub region_code: Option<String>,
    #[schema(required = true)]
    pub ormas_id: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// A change of one's own password.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"current_password": "correct horse battery", "new_password": "a brand new passphrase"}))]
pub struct PasswordChange {
    #[validate(length(min = 1, max = 1024))]
    #[schema(min_length = 1, max_length = 1024, format = Password)]
    pub current_password: String,
    /// 10–128 characters, not the username.
    #[validate(length(min = 10, max = 128))]
    #[schema(min_length = 10, max_length = 128, format = Password)]
    pub new_password: String,
}
