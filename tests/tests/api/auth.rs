//! Sessions, tokens and the attacks that must fail cleanly.

use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use ormas_tests::{PASSWORD, TEST_JWT_SECRET, TestApp, expect_json, expect_problem, json};
use serde_json::Value;

async fn expect_unauthorized(response: ormas_tests::reqwest::Response) -> Value {
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    assert!(
        challenge.starts_with("Bearer"),
        "WWW-Authenticate: {challenge:?}"
    );
    expect_problem(response, 401, "unauthorized").await
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn sign(claims: &Value, secret: &[u8]) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret),
    )
    .unwrap()
}

/// The claims of a real token, to forge variants of.
fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

#[tokio::test]
async fn login_refresh_me_logout() {
    let app = TestApp::spawn().await;
    app.create_account("Officer.Balikpapan", "officer", Some("64.71"))
        .await;

    // Usernames are case-insensitive.
    let body = expect_json(
        app.post_json(
            "/v1/auth/login",
            &json!({"username": "officer.balikpapan", "password": PASSWORD}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    let access = body["access_token"].as_str().unwrap().to_owned();
    let refresh = body["refresh_token"].as_str().unwrap().to_owned();
    let claims = claims_of(&access);
    for claim in ["iss", "aud", "sub", "exp", "iat", "jti", "role", "region"] {
        assert!(!claims[claim].is_null(), "claim {claim} missing: {claims}");
    }
    assert_eq!(claims["role"], "officer");
    assert_eq!(claims["region"], "64.71");
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        900
    );

    let me = expect_json(app.get_as("/v1/me", &access).await, 200).await;
    assert_eq!(me["username"], "Officer.Balikpapan");
    assert_eq!(me["role"], "officer");
    assert_eq!(me["region_code"], "64.71");
    assert_eq!(me["kind"], "user");
    assert!(me.get("password_hash").is_none());

    // Refresh rotates: a new pair, and the old refresh token is spent.
    let renewed = expect_json(
        app.post_json("/v1/auth/refresh", &json!({"refresh_token": refresh}))
            .await,
        200,
    )
    .await;
    let refresh2 = renewed["refresh_token"].as_str().unwrap().to_owned();
    let access2 = renewed["access_token"].as_str().unwrap().to_owned();
    assert_ne!(refresh2, refresh);
    expect_json(app.get_as("/v1/me", &access2).await, 200).await;

    // Logout ends the session: its access tokens and refresh tokens stop working at once.
    let response = app.post_as("/v1/auth/logout", &access2, &json!({})).await;
    assert_eq!(response.status().as_u16(), 204);
    expect_unauthorized(app.get_as("/v1/me", &access2).await).await;
    expect_unauthorized(app.get_as("/v1/me", &access).await).await;
    expect_unauthorized(
        app.post_json("/v1/auth/refresh", &json!({"refresh_token": refresh2}))
            .await,
    )
    .await;
}

#[tokio::test]
async fn a_reused_refresh_token_revokes_its_whole_family() {
    let app = TestApp::spawn().await;
    let session = app.signed_in("admin.64", "admin", Some("64")).await;
    let first = expect_json(
        app.post_json(
            "/v1/auth/refresh",
            &json!({"refresh_token": session.refresh_token}),
        )
        .await,
        200,
    )
    .await;
    // The stolen, already used token comes back.
    expect_unauthorized(
        app.post_json(
            "/v1/auth/refresh",
            &json!({"refresh_token": session.refresh_token}),
        )
        .await,
    )
    .await;
    // The legitimate holder's newer tokens are revoked with it.
    let newer_refresh = first["refresh_token"].as_str().unwrap();
    expect_unauthorized(
        app.post_json("/v1/auth/refresh", &json!({"refresh_token": newer_refresh}))
            .await,
    )
    .await;
    expect_unauthorized(
        app.get_as("/v1/me", first["access_token"].as_str().unwrap())
            .await,
    )
    .await;
    expect_unauthorized(app.get_as("/v1/me", &session.access_token).await).await;
    // A new login opens a new, working session.
    let again = app.login("admin.64", PASSWORD).await;
    expect_json(app.get_as("/v1/me", &again.access_token).await, 200).await;

    // The revocation is in the audit log.
    let audit = expect_json(
        app.get_as("/v1/audit?action=auth.refresh", &again.access_token)
            .await,
        200,
    )
    .await;
    assert!(
        audit["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["outcome"] == "denied"
                && e["detail"].as_str().unwrap_or("").contains("reused")),
        "{audit}"
    );
}

#[tokio::test]
async fn forged_expired_and_stale_tokens_are_401() {
    let app = TestApp::spawn().await;
    let session = app.signed_in("admin.6471", "admin", Some("64.71")).await;
    let claims = claims_of(&session.access_token);

    let mut cases: Vec<(&str, String)> = Vec::new();
    cases.push((
        "signed with another key",
        sign(&claims, b"another-key-that-is-at-least-32-bytes"),
    ));
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    cases.push(("alg none", format!("{header}.{payload}.")));
    let mut expired = claims.clone();
    expired["iat"] = json!(now() - 3600);
    expired["exp"] = json!(now() - 1800);
    cases.push(("expired", sign(&expired, TEST_JWT_SECRET.as_bytes())));
    let mut parts: Vec<String> = session.access_token.split('.').map(str::to_owned).collect();
    let mut edited = claims.clone();
    edited["role"] = json!("super_admin");
    parts[1] = URL_SAFE_NO_PAD.encode(edited.to_string());
    cases.push(("payload edited", parts.join(".")));
    for missing in ["aud", "iss", "exp", "iat", "sub"] {
        let mut without = claims.clone();
        without.as_object_mut().unwrap().remove(missing);
        cases.push((missing, sign(&without, TEST_JWT_SECRET.as_bytes())));
    }
    let mut wrong_audience = claims.clone();
    wrong_audience["aud"] = json!("someone-else");
    cases.push((
        "wrong aud",
        sign(&wrong_audience, TEST_JWT_SECRET.as_bytes()),
    ));
    let hs512 = jsonwebtoken::encode(
        &Header::new(Algorithm::HS512),
        &claims,
        &EncodingKey::from_secret(TEST_JWT_SECRET.as_bytes()),
    )
    .unwrap();
    cases.push(("another algorithm", hs512));
    cases.push(("garbage", "not.a.token".into()));

    for (what, token) in cases {
        let response = app.get_as("/v1/me", &token).await;
        assert_eq!(response.status().as_u16(), 401, "{what}");
        expect_unauthorized(response).await;
    }
    // No token, or another scheme.
    expect_unauthorized(app.get("/v1/me").await).await;
    let basic = app
        .client
        .get(app.url("/v1/me"))
        .header("authorization", "Basic YWRtaW46YWRtaW4=")
        .send()
        .await
        .unwrap();
    expect_unauthorized(basic).await;
    // The genuine token still works.
    expect_json(app.get_as("/v1/me", &session.access_token).await, 200).await;
}

#[tokio::test]
async fn changing_password_role_region_or_active_kills_outstanding_tokens() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin.64", "admin", Some("64")).await;
    let changes = [
        json!({"password": "a brand new password"}),
        json!({"role": "head"}),
        json!({"region_code": "64.01"}),
        json!({"active": false}),
    ];
    for (i, change) in changes.iter().enumerate() {
        let username = format!("officer{i}");
        let officer = app.signed_in(&username, "officer", Some("64.71")).await;
        let response = app
            .patch_as(
                &format!("/v1/users/{}", officer.user_id),
                &admin.access_token,
                change,
            )
            .await;
        expect_json(response, 200).await;
        expect_unauthorized(app.get_as("/v1/me", &officer.access_token).await).await;
        expect_unauthorized(
            app.post_json(
                "/v1/auth/refresh",
                &json!({"refresh_token": officer.refresh_token}),
            )
            .await,
        )
        .await;
    }
    // A change of display name alone keeps sessions.
    let kept = app
        .signed_in("officer.kept", "officer", Some("64.71"))
        .await;
    let response = app
        .patch_as(
            &format!("/v1/users/{}", kept.user_id),
            &admin.access_token,
            &json!({"display_name": "Renamed"}),
        )
        .await;
    expect_json(response, 200).await;
    expect_json(app.get_as("/v1/me", &kept.access_token).await, 200).await;
    // The deactivated account cannot sign in again.
    let response = app
        .post_json(
            "/v1/auth/login",
            &json!({"username": "officer3", "password": PASSWORD}),
        )
        .await;
    expect_problem(response, 401, "invalid_credentials").await;
    // The changed password works; the old one does not.
    app.login("officer0", "a brand new password").await;
}

#[tokio::test]
async fn wrong_password_and_unknown_user_look_the_same() {
    let app = TestApp::spawn().await;
    app.create_account("head.64", "head", Some("64")).await;
    let mut wrong = Duration::ZERO;
    let mut unknown = Duration::ZERO;
    let mut bodies = Vec::new();
    for i in 0..3 {
        let started = Instant::now();
        let response = app
            .post_json(
                "/v1/auth/login",
                &json!({"username": "head.64", "password": format!("wrong password {i}")}),
            )
            .await;
        wrong += started.elapsed();
        bodies.push(expect_problem(response, 401, "invalid_credentials").await);
        let started = Instant::now();
        let response = app
            .post_json(
                "/v1/auth/login",
                &json!({"username": format!("nobody{i}"), "password": "wrong password"}),
            )
            .await;
        unknown += started.elapsed();
        bodies.push(expect_problem(response, 401, "invalid_credentials").await);
    }
    let details: std::collections::HashSet<_> =
        bodies.iter().map(|b| b["detail"].to_string()).collect();
    assert_eq!(details.len(), 1, "one message for both: {details:?}");
    // Unknown usernames are verified against a dummy hash: same order of time.
    assert!(
        unknown * 3 >= wrong,
        "unknown {unknown:?} vs wrong {wrong:?}"
    );
}

#[tokio::test]
async fn malformed_login_bodies_are_422() {
    let app = TestApp::spawn().await;
    let cases = [
        (json!({}), "username"),
        (json!({"username": "x"}), "password"),
        (json!({"password": "x"}), "username"),
        (json!({"username": 42, "password": "x"}), "username"),
        (json!({"username": "", "password": "x"}), "username"),
        (json!({"username": "x", "password": ""}), "password"),
        (
            json!({"username": "x".repeat(200), "password": "x"}),
            "username",
        ),
        (
            json!({"username": "x", "password": "y", "remember": true}),
            "remember",
        ),
    ];
    for (body, field) in cases {
        let problem = expect_problem(
            app.post_json("/v1/auth/login", &body).await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(problem["errors"][0]["field"], field, "{body}");
    }
    let response = app
        .client
        .post(app.url("/v1/auth/login"))
        .header("content-type", "application/json")
        .body("{\"username\": ")
        .send()
        .await
        .unwrap();
    expect_problem(response, 400, "malformed_json").await;
}

#[tokio::test]
async fn brute_force_is_throttled_per_username() {
    let app = TestApp::spawn_with(|c| c.login_window = Duration::from_secs(3)).await;
    app.create_account("officer.6401", "officer", Some("64.01"))
        .await;
    app.create_account("officer.62", "officer", Some("62"))
        .await;
    for _ in 0..5 {
        let response = app
            .post_json(
                "/v1/auth/login",
                &json!({"username": "officer.6401", "password": "guess guess guess"}),
            )
            .await;
        expect_problem(response, 401, "invalid_credentials").await;
    }
    // Locked, even with the right password, and it says for how long.
    let response = app
        .post_json(
            "/v1/auth/login",
            &json!({"username": "OFFICER.6401", "password": PASSWORD}),
        )
        .await;
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=3).contains(&retry_after), "{retry_after}");
    expect_problem(response, 429, "too_many_requests").await;
    // Unknown usernames are throttled the same way (no enumeration by behaviour).
    for _ in 0..5 {
        app.post_json(
            "/v1/auth/login",
            &json!({"username": "ghost", "password": "guess guess guess"}),
        )
        .await;
    }
    let response = app
        .post_json(
            "/v1/auth/login",
            &json!({"username": "ghost", "password": "guess guess guess"}),
        )
        .await;
    expect_problem(response, 429, "too_many_requests").await;
    // Other usernames are not affected.
    app.login("officer.62", PASSWORD).await;
    // Once the window has passed, the right password works again.
    tokio::time::sleep(Duration::from_secs(retry_after + 1)).await;
    app.login("officer.6401", PASSWORD).await;
}

#[tokio::test]
async fn representatives_sign_up_themselves() {
    let app = TestApp::spawn().await;
    let body = json!({"username": "Ketua.Pemuda", "password": "a long enough password", "display_name": "Budi Santoso", "email": "budi@example.org"});
    let response = app.post_json("/v1/auth/register", &body).await;
    assert_eq!(response.status().as_u16(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(response.headers().contains_key("etag"));
    let user = expect_json(response, 201).await;
    assert_eq!(
        location,
        format!("/v1/users/{}", user["id"].as_str().unwrap())
    );
    assert_eq!(user["role"], "ormas_rep");
    assert_eq!(user["region_code"], Value::Null);
    assert_eq!(user["ormas_id"], Value::Null);

    let session = app.login("ketua.pemuda", "a long enough password").await;
    let me = expect_json(app.get_as("/v1/me", &session.access_token).await, 200).await;
    assert_eq!(me["role"], "ormas_rep");
    // A representative administers nothing.
    expect_problem(
        app.get_as("/v1/users", &session.access_token).await,
        403,
        "forbidden",
    )
    .await;

    // The same username in another case is taken.
    let mut duplicate = body.clone();
    duplicate["username"] = json!("KETUA.PEMUDA");
    expect_problem(
        app.post_json("/v1/auth/register", &duplicate).await,
        409,
        "conflict",
    )
    .await;

    let cases = [
        (
            json!({"username": "ab", "password": "a long enough password", "display_name": "x"}),
            "username",
        ),
        (
            json!({"username": "bad name", "password": "a long enough password", "display_name": "x"}),
            "username",
        ),
        (
            json!({"username": "valid.name", "password": "short", "display_name": "x"}),
            "password",
        ),
        (
            json!({"username": "valid.name", "password": "valid.name", "display_name": "x"}),
            "password",
        ),
        (
            json!({"username": "valid.name", "password": "a long enough password", "display_name": ""}),
            "display_name",
        ),
        (
            json!({"username": "valid.name", "password": "a long enough password", "display_name": "x", "email": "not-an-email"}),
            "email",
        ),
        (
            json!({"username": "valid.name", "password": "a long enough password", "display_name": "x", "role": "super_admin"}),
            "role",
        ),
    ];
    for (body, field) in cases {
        let problem = expect_problem(
            app.post_json("/v1/auth/register", &body).await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(problem["errors"][0]["field"], field, "{body}");
    }
}

#[tokio::test]
async fn integrators_use_client_credentials() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin.64", "admin", Some("64")).await;
    let response = app
        .post_as(
            "/v1/clients",
            &admin.access_token,
            &json!({"client_id": "kemendagri-sync", "name": "Kemendagri"}),
        )
        .await;
    let created = expect_json(response, 201).await;
    assert_eq!(
        created["region_code"], "64",
        "defaults to the creator's region"
    );
    let secret = created["client_secret"].as_str().unwrap().to_owned();
    // The secret is shown once: the list never carries it.
    let list = expect_json(app.get_as("/v1/clients", &admin.access_token).await, 200).await;
    assert!(list["items"][0].get("client_secret").is_none());
    assert!(!list.to_string().contains(&secret));

    // Form body, JSON body and HTTP Basic all work.
    let form = app
        .client
        .post(app.url("/v1/auth/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "grant_type=client_credentials&client_id=kemendagri-sync&client_secret={secret}"
        ))
        .send()
        .await
        .unwrap();
    let token = expect_json(form, 200).await;
    assert_eq!(token["token_type"], "Bearer");
    let access = token["access_token"].as_str().unwrap().to_owned();
    let json_body = app
        .post_json("/v1/auth/token", &json!({"grant_type": "client_credentials", "client_id": "kemendagri-sync", "client_secret": secret}))
        .await;
    expect_json(json_body, 200).await;
    let basic = app
        .client
        .post(app.url("/v1/auth/token"))
        .basic_auth("kemendagri-sync", Some(&secret))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    expect_json(basic, 200).await;

    let me = expect_json(app.get_as("/v1/me", &access).await, 200).await;
    assert_eq!(me["kind"], "client");
    assert_eq!(me["role"], "integrator");
    assert_eq!(me["region_code"], "64");
    assert_eq!(claims_of(&access)["role"], "integrator");
    // Read-only: no administration.
    expect_problem(app.get_as("/v1/users", &access).await, 403, "forbidden").await;

    let wrong = app
        .post_json("/v1/auth/token", &json!({"grant_type": "client_credentials", "client_id": "kemendagri-sync", "client_secret": "nope"}))
        .await;
    expect_problem(wrong, 401, "invalid_client").await;
    let unknown = app
        .post_json("/v1/auth/token", &json!({"grant_type": "client_credentials", "client_id": "nobody", "client_secret": secret}))
        .await;
    expect_problem(unknown, 401, "invalid_client").await;
    let grant = app
        .post_json("/v1/auth/token", &json!({"grant_type": "password", "client_id": "kemendagri-sync", "client_secret": secret}))
        .await;
    let problem = expect_problem(grant, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["code"], "unsupported_grant_type");
    let text = app
        .client
        .post(app.url("/v1/auth/token"))
        .header("content-type", "text/plain")
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    expect_problem(text, 415, "unsupported_media_type").await;

    // Outside the creator's scope, or a duplicate id.
    let outside = app
        .post_as(
            "/v1/clients",
            &admin.access_token,
            &json!({"client_id": "kalteng", "name": "x", "region_code": "62"}),
        )
        .await;
    expect_problem(outside, 403, "forbidden").await;
    let duplicate = app
        .post_as(
            "/v1/clients",
            &admin.access_token,
            &json!({"client_id": "kemendagri-sync", "name": "x"}),
        )
        .await;
    expect_problem(duplicate, 409, "conflict").await;
}

#[tokio::test]
async fn own_password_changes_need_the_current_one() {
    let app = TestApp::spawn().await;
    let session = app.signed_in("admin.64", "admin", Some("64")).await;
    let other = app.login("admin.64", PASSWORD).await;

    let wrong = app
        .post_as(
            "/v1/me/password",
            &session.access_token,
            &json!({"current_password": "not it at all", "new_password": "a brand new passphrase"}),
        )
        .await;
    expect_problem(wrong, 403, "forbidden").await;
    let weak = app
        .post_as(
            "/v1/me/password",
            &session.access_token,
            &json!({"current_password": PASSWORD, "new_password": "admin.64"}),
        )
        .await;
    let problem = expect_problem(weak, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "new_password");
    // Not through the administration endpoint, even for an admin.
    let via_patch = app
        .patch_as(
            &format!("/v1/users/{}", session.user_id),
            &session.access_token,
            &json!({"password": "a brand new passphrase"}),
        )
        .await;
    expect_problem(via_patch, 403, "forbidden").await;

    let changed = app
        .post_as(
            "/v1/me/password",
            &session.access_token,
            &json!({"current_password": PASSWORD, "new_password": "a brand new passphrase"}),
        )
        .await;
    assert_eq!(changed.status().as_u16(), 204);
    // Every session ended, this one and the other device's.
    expect_unauthorized(app.get_as("/v1/me", &session.access_token).await).await;
    expect_unauthorized(app.get_as("/v1/me", &other.access_token).await).await;
    let old = app
        .post_json(
            "/v1/auth/login",
            &json!({"username": "admin.64", "password": PASSWORD}),
        )
        .await;
    expect_problem(old, 401, "invalid_credentials").await;
    app.login("admin.64", "a brand new passphrase").await;
}

#[tokio::test]
async fn guessing_the_current_password_is_throttled_without_locking_the_login() {
    let app = TestApp::spawn().await;
    let session = app.signed_in("officer.64", "officer", Some("64")).await;
    for _ in 0..5 {
        let response = app
            .post_as("/v1/me/password", &session.access_token, &json!({"current_password": "a wrong guess", "new_password": "a brand new passphrase"}))
            .await;
        expect_problem(response, 403, "forbidden").await;
    }
    let response = app
        .post_as(
            "/v1/me/password",
            &session.access_token,
            &json!({"current_password": PASSWORD, "new_password": "a brand new passphrase"}),
        )
        .await;
    assert!(response.headers().contains_key("retry-after"));
    expect_problem(response, 429, "too_many_requests").await;
    // The owner can still sign in.
    app.login("officer.64", PASSWORD).await;
}
