//! Authentication: signing and checking access tokens, hashing secrets, and the [`Principal`]
//! extractor every protected handler takes.

use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

use actix_web::dev::Payload;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{FromRequest, HttpRequest, web};
use argon2::Argon2;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::Utc;
use futures_util::future::LocalBoxFuture;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use ormas_domain::{Action, RegionCode, Role, Scope, allows};
use ormas_persistence::identity::{self, ClientRow, UserRow};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::{Config, MIN_JWT_SECRET_BYTES};
use crate::error::{ApiError, Text};
use crate::state::AppState;

pub const ISSUER: &str = "ormas-api";
pub const AUDIENCE: &str = "ormas-api";

/// Seconds of clock difference tolerated on a token's `exp` and `iat`.
pub const TOKEN_LEEWAY_SECS: i64 = 5;

/// The claims of an access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// The account's or client's id.
    pub sub: String,
    pub exp: i64,
    pub iat: i64,
    pub jti: String,
    pub role: String,
    /// The scope's region; absent for the whole nation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The account's token version when the token was issued.
    pub ver: i32,
    /// The login session; absent for client-credential tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
}

/// The signing key and the pinned validation rules.
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    pub access_ttl: Duration,
}

impl TokenKeys {
    pub fn new(secret: &[u8], access_ttl: Duration) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iat", "sub", "aud", "iss"]);
        validation.leeway = TOKEN_LEEWAY_SECS.unsigned_abs();
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            access_ttl,
        }
    }

    /// Signs an access token for `sub`.
    pub fn issue(
        &self,
        sub: &str,
        role: Role,
        region: Option<&str>,
        ver: i32,
        sid: Option<&str>,
    ) -> Result<String, ApiError> {
        let now = Utc::now().timestamp();
        let claims = Claims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub: sub.into(),
            iat: now,
            exp: now + self.access_ttl.as_secs() as i64,
            jti: uuid::Uuid::now_v7().to_string(),
            role: role.as_str().into(),
            region: region.map(str::to_owned),
            ver,
            sid: sid.map(str::to_owned),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(ApiError::internal)
    }

    /// Checks signature, algorithm, issuer, audience, expiry and the required claims.
    pub fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| ApiError::unauthorized().with_cause(e))
    }
}

/// The signing key: `ORMAS_JWT_SECRET`, or one generated once and kept in the data directory.
pub fn resolve_secret(config: &Config) -> Result<Vec<u8>, String> {
    if let Some(secret) = &config.jwt_secret {
        return Ok(secret.as_bytes().to_vec());
    }
    let path = config.data_dir.join("jwt-secret");
    load_or_create_secret(&path)
}

fn load_or_create_secret(path: &Path) -> Result<Vec<u8>, String> {
    if path.exists() {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let secret = text.trim().as_bytes().to_vec();
        if secret.len() < MIN_JWT_SECRET_BYTES {
            return Err(format!(
                "{} holds {} bytes; a signing key needs at least {MIN_JWT_SECRET_BYTES}",
                path.display(),
                secret.len()
            ));
        }
        log::warn!(
            "ORMAS_JWT_SECRET is not set: signing tokens with the key kept in {}; set ORMAS_JWT_SECRET in production",
            path.display()
        );
        return Ok(secret);
    }
    if let Some(dir) = path.parent() {
        ormas_persistence::create_private_dir(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let secret = URL_SAFE_NO_PAD.encode(random_bytes::<48>());
    write_private(path, &secret).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    log::warn!(
        "ORMAS_JWT_SECRET is not set: generated a signing key and stored it in {}; set ORMAS_JWT_SECRET in production",
        path.display()
    );
    Ok(secret.into_bytes())
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    OsRng.fill_bytes(&mut bytes);
    bytes
}

/// A random, URL-safe token of 256 bits (refresh tokens, client secrets).
pub fn random_token() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes::<32>())
}

/// SHA-256, hex: how high-entropy tokens are stored.
pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Hashes a password with argon2id. Slow by design: call inside `web::block`.
pub fn hash_password(password: &str) -> Result<String, ApiError> {
    let salt = SaltString::encode_b64(&random_bytes::<16>()).map_err(ApiError::internal)?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(ApiError::internal)
}

/// Verifies a password against its stored hash; `None` runs a dummy verification so that unknown
/// usernames take as long as wrong passwords. Slow by design: call inside `web::block`.
pub fn verify_password(hash: Option<&str>, password: &str) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY
        .get_or_init(|| hash_password(&STANDARD.encode(random_bytes::<16>())).unwrap_or_default());
    let (stored, real) = match hash {
        Some(h) => (h, true),
        None => (dummy.as_str(), false),
    };
    let matches = PasswordHash::new(stored)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false);
    real && matches
}

/// Who sends a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrincipalKind {
    User,
    Client,
}

/// The authenticated caller, as the database knows it now (not as the token remembered it).
#[derive(Debug, Clone)]
pub struct Principal {
    pub kind: PrincipalKind,
    pub id: String,
    pub name: String,
    pub role: Role,
    pub scope: Scope,
    pub session_id: Option<String>,
    pub ormas_id: Option<String>,
    /// The access token's id (`jti`) and expiry (seconds since the epoch), for revoking a client
    /// token on logout.
    pub token: Option<(String, i64)>,
}

impl Principal {
    /// 403 unless the role may take this action.
    pub fn require(&self, action: Action) -> Result<(), ApiError> {
        if allows(self.role, action) {
            Ok(())
        } else {
            Err(ApiError::forbidden(Text::new(
                format!("Peran {} tidak mengizinkan tindakan ini.", self.role),
                format!("The role {} does not allow this action.", self.role),
            )))
        }
    }

    /// Whether a record in `region` (`None`: a national record) is within this caller's scope.
    pub fn covers(&self, region: Option<&str>) -> bool {
        match (&self.scope, region) {
            (Scope::National, _) => true,
            (Scope::Region(_), None) => false,
            (Scope::Region(_), Some(code)) => RegionCode::parse(code)
                .map(|code| self.scope.covers(&code))
                .unwrap_or(false),
        }
    }

    pub fn region(&self) -> Option<String> {
        self.scope.region().map(ToString::to_string)
    }

    pub fn from_user(user: &UserRow, session_id: Option<String>) -> Result<Self, ApiError> {
        Ok(Principal {
            kind: PrincipalKind::User,
            id: user.id.clone(),
            name: user.username.clone(),
            role: user.role()?,
            scope: scope_of(user.region_code.as_deref())?,
            session_id,
            token: None,
            ormas_id: user.ormas_id.clone(),
        })
    }

    pub fn from_client(client: &ClientRow) -> Result<Self, ApiError> {
        Ok(Principal {
            kind: PrincipalKind::Client,
            id: client.id.clone(),
            name: client.client_id.clone(),
            role: Role::Integrator,
            scope: scope_of(client.region_code.as_deref())?,
            session_id: None,
            token: None,
            ormas_id: None,
        })
    }
}

pub fn scope_of(region: Option<&str>) -> Result<Scope, ApiError> {
    region
        .map(RegionCode::parse)
        .transpose()
        .map(Scope::from_region)
        .map_err(ApiError::internal)
}

pub(crate) fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
        .filter(|t| !t.is_empty())
}

impl FromRequest for Principal {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer_token(req);
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal("application state missing"))?;
            let token = token.ok_or_else(ApiError::unauthorized)?;
            let claims = state.keys.verify(&token)?;
            authenticate(&state, claims).await
        })
    }
}

/// Checks the token's subject against the database: the account or client still exists and is
/// active, its token version has not moved, and the session has not ended.
async fn authenticate(state: &AppState, claims: Claims) -> Result<Principal, ApiError> {
    let Claims {
        sub,
        sid,
        ver,
        jti,
        exp,
        iat,
        ..
    } = claims;
    // A token issued in the future (beyond the clock leeway) was not issued by this server's clock.
    if iat > chrono::Utc::now().timestamp() + TOKEN_LEEWAY_SECS {
        return Err(ApiError::unauthorized().with_cause("token issued in the future"));
    }
    let revoked_jti = jti.clone();
    let principal = state
        .db(move |conn| match sid {
            Some(sid) => {
                let found = identity::find_user_session(conn, &sub, &sid)?;
                Ok(found
                    .filter(|(user, session)| {
                        user.active && user.token_version == ver && session.revoked_at.is_none()
                    })
                    .map(|(user, session)| (Some(user), None, Some(session.id))))
            }
            None => {
                if identity::token_revoked(conn, &revoked_jti)? {
                    return Ok(None);
                }
                Ok(identity::find_client(conn, &sub)?
                    .filter(|client| client.active && client.token_version == ver)
                    .map(|client| (None, Some(client), None)))
            }
        })
        .await?;
    match principal {
        Some((Some(user), _, sid)) => Principal::from_user(&user, sid),
        Some((None, Some(client), _)) => Principal::from_client(&client).map(|mut principal| {
            principal.token = Some((jti, exp));
            principal
        }),
        _ => {
            Err(ApiError::unauthorized().with_cause("subject, version or session no longer valid"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_reject_tampering() {
        let keys = TokenKeys::new(&[7u8; 32], Duration::from_secs(60));
        let token = keys
            .issue("u1", Role::Admin, Some("64"), 3, Some("s1"))
            .unwrap();
        let claims = keys.verify(&token).unwrap();
        assert_eq!(
            (claims.sub.as_str(), claims.ver, claims.region.as_deref()),
            ("u1", 3, Some("64"))
        );

        let other = TokenKeys::new(&[8u8; 32], Duration::from_secs(60));
        assert!(other.verify(&token).is_err(), "another key");

        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        let mut payload: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&parts[1]).unwrap()).unwrap();
        payload["role"] = "super_admin".into();
        parts[1] = URL_SAFE_NO_PAD.encode(payload.to_string());
        assert!(keys.verify(&parts.join(".")).is_err(), "edited payload");
    }

    #[test]
    fn passwords_hash_and_verify() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password(Some(&hash), "correct horse battery"));
        assert!(!verify_password(Some(&hash), "wrong horse battery"));
        assert!(!verify_password(None, "correct horse battery"));
        assert!(!verify_password(Some("not a hash"), "x"));
    }

    #[test]
    fn token_hashes_are_hex_sha256() {
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_ne!(random_token(), random_token());
    }
}
