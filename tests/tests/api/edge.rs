//! Protection at the edge: the login policy, rate limits, CORS, security headers, integrator
//! tokens and the smaller checks of issue 10 §5.

use std::time::{Duration, Instant};

use ormas_tests::{PASSWORD, TestApp, expect_json, expect_problem, from_address, json};

/// A server that believes `X-Forwarded-For` from the test client (127.0.0.1 as a proxy).
async fn behind_proxy(adjust: impl FnOnce(&mut ormas_api::Config)) -> TestApp {
    TestApp::spawn_with(|c| {
        c.trusted_proxies = ormas_api::config::parse_trusted_proxies("127.0.0.1").unwrap();
        adjust(c);
    })
    .await
}

async fn login_from(
    app: &TestApp,
    address: &str,
    username: &str,
    password: &str,
) -> reqwest::Response {
    from_address(app.client.post(app.url("/v1/auth/login")), address)
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap()
}

fn retry_after(response: &reqwest::Response) -> u64 {
    response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn wrong_passwords_from_one_address_do_not_lock_the_owner_out_of_another() {
    let app = behind_proxy(|c| c.login_max_delay = Duration::from_secs(1)).await;
    app.create_account("superadmin", "super_admin", None).await;
    let attacker = "203.0.113.66";
    for _ in 0..6 {
        let response = login_from(&app, attacker, "superadmin", "guess guess guess").await;
        let status = response.status().as_u16();
        assert!(status == 401 || status == 429, "{status}");
    }
    // The attacker's address is refused for this username, even with the right password…
    let response = login_from(&app, attacker, "superadmin", PASSWORD).await;
    assert!((1..=900).contains(&retry_after(&response)));
    expect_problem(response, 429, "too_many_requests").await;
    // …while the owner, from another address, signs in (slowed by a second or two, not refused).
    let started = Instant::now();
    let response = login_from(&app, "198.51.100.7", "SuperAdmin", PASSWORD).await;
    let body = expect_json(response, 200).await;
    assert!(body["access_token"].is_string());
    assert!(started.elapsed() < Duration::from_secs(10));
    // An IPv6 neighbour in the attacker's /64 counts as the attacker; another /64 does not.
    let v6 = "2001:db8:1:2::1";
    for _ in 0..5 {
        login_from(&app, v6, "superadmin", "guess guess guess").await;
    }
    let response = login_from(&app, "2001:db8:1:2:ffff::9", "superadmin", PASSWORD).await;
    expect_problem(response, 429, "too_many_requests").await;
    let response = login_from(&app, "2001:db8:1:3::1", "superadmin", PASSWORD).await;
    expect_json(response, 200).await;
}

#[tokio::test]
async fn guesses_for_one_username_from_many_addresses_slow_it_down() {
    let app = behind_proxy(|c| c.login_max_delay = Duration::from_secs(2)).await;
    app.create_account("officer.64", "officer", Some("64"))
        .await;
    for i in 0..6 {
        let response = login_from(
            &app,
            &format!("203.0.113.{i}"),
            "officer.64",
            "guess guess guess",
        )
        .await;
        expect_problem(response, 401, "invalid_credentials").await;
    }
    // Six failures: the next attempt waits 2 s (capped), then succeeds.
    let started = Instant::now();
    expect_json(
        login_from(&app, "198.51.100.7", "officer.64", PASSWORD).await,
        200,
    )
    .await;
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn one_address_guessing_many_usernames_is_refused() {
    let app = behind_proxy(|c| c.login_max_failures_per_address = 4).await;
    app.create_account("officer.64", "officer", Some("64"))
        .await;
    for i in 0..4 {
        let response = login_from(
            &app,
            "203.0.113.5",
            &format!("user{i}"),
            "guess guess guess",
        )
        .await;
        expect_problem(response, 401, "invalid_credentials").await;
    }
    let response = login_from(&app, "203.0.113.5", "officer.64", PASSWORD).await;
    assert!(retry_after(&response) >= 1);
    expect_problem(response, 429, "too_many_requests").await;
    // Other addresses are not affected.
    expect_json(
        login_from(&app, "203.0.113.6", "officer.64", PASSWORD).await,
        200,
    )
    .await;
}

#[tokio::test]
async fn forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy() {
    // No trusted proxies (the default): every request is 127.0.0.1, whatever it claims.
    let app = TestApp::spawn().await;
    app.create_account("officer.64", "officer", Some("64"))
        .await;
    for i in 0..5 {
        let response = login_from(
            &app,
            &format!("203.0.113.{i}"),
            "officer.64",
            "guess guess guess",
        )
        .await;
        expect_problem(response, 401, "invalid_credentials").await;
    }
    let response = login_from(&app, "198.51.100.7", "officer.64", PASSWORD).await;
    expect_problem(response, 429, "too_many_requests").await;
}

#[tokio::test]
async fn self_registration_is_rate_limited_per_address() {
    let app = behind_proxy(|c| {
        c.rate_limits.register_per_hour = 10;
    })
    .await;
    let mut created = 0;
    let mut limited = Vec::new();
    for i in 0..60 {
        let response = from_address(app.client.post(app.url("/v1/auth/register")), "203.0.113.9")
            .json(&json!({"username": format!("bot{i:02}"), "password": "a long enough password", "display_name": "Bot"}))
            .send()
            .await
            .unwrap();
        match response.status().as_u16() {
            201 => created += 1,
            429 => {
                let wait = retry_after(&response);
                let problem = expect_problem(response, 429, "too_many_requests").await;
                limited.push((wait, problem));
            }
            other => panic!("status {other}"),
        }
    }
    assert_eq!(created, 10);
    assert_eq!(limited.len(), 50);
    // One account per 6 minutes refills the allowance.
    for (wait, _) in &limited {
        assert!((1..=360).contains(wait), "{wait}");
    }
    // Another address still signs up.
    let response = from_address(app.client.post(app.url("/v1/auth/register")), "198.51.100.1")
        .json(&json!({"username": "person", "password": "a long enough password", "display_name": "Person"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
}

#[tokio::test]
async fn token_refresh_and_public_endpoints_are_rate_limited() {
    let app = behind_proxy(|c| {
        c.rate_limits.token_per_minute = 3;
        c.rate_limits.refresh_per_minute = 3;
        c.rate_limits.public_per_minute = 3;
        c.rate_limits.login_per_minute = 3;
    })
    .await;
    let cases: [(&str, &str, serde_json::Value); 4] = [
        (
            "POST",
            "/v1/auth/token",
            json!({"grant_type": "client_credentials", "client_id": "nobody", "client_secret": "wrong"}),
        ),
        (
            "POST",
            "/v1/auth/refresh",
            json!({"refresh_token": "not-a-token"}),
        ),
        (
            "POST",
            "/v1/auth/login",
            json!({"username": "nobody", "password": "guess guess guess"}),
        ),
        ("GET", "/v1/public/ormas", json!(null)),
    ];
    for (method, path, body) in cases {
        let send = |address: &'static str| {
            let request = match method {
                "GET" => app.client.get(app.url(path)),
                _ => app.client.post(app.url(path)).json(&body),
            };
            from_address(request, address).send()
        };
        for _ in 0..3 {
            let status = send("203.0.113.1").await.unwrap().status().as_u16();
            assert_ne!(status, 429, "{path}");
        }
        let response = send("203.0.113.1").await.unwrap();
        assert!((1..=20).contains(&retry_after(&response)), "{path}");
        expect_problem(response, 429, "too_many_requests").await;
        let status = send("203.0.113.2").await.unwrap().status().as_u16();
        assert_ne!(status, 429, "{path} from another address");
    }
    // Authenticated endpoints are not limited per address.
    for _ in 0..10 {
        assert_eq!(app.get("/v1/regions?level=province").await.status(), 200);
    }
}

const SPA: &str = "http://127.0.0.1:5173";

#[tokio::test]
async fn cors_preflights_are_answered_for_configured_origins_only() {
    let app = TestApp::spawn_with(|c| c.cors_origins = vec![SPA.to_owned()]).await;
    let preflight = |origin: &'static str| {
        app.client
            .request(
                ormas_tests::reqwest::Method::OPTIONS,
                app.url("/v1/ormas/some-id"),
            )
            .header("origin", origin)
            .header("access-control-request-method", "PATCH")
            .header(
                "access-control-request-headers",
                "authorization, if-match, content-type, accept-language",
            )
            .send()
    };
    let allowed = preflight(SPA).await.unwrap();
    assert!(allowed.status().is_success(), "{}", allowed.status());
    let headers = allowed.headers();
    assert_eq!(headers["access-control-allow-origin"], SPA);
    let methods = headers["access-control-allow-methods"].to_str().unwrap();
    assert!(methods.contains("PATCH"), "{methods}");
    let allowed_headers = headers["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    for name in ["authorization", "if-match", "accept-language"] {
        assert!(allowed_headers.contains(name), "{allowed_headers}");
    }
    let other = preflight("http://evil.example").await.unwrap();
    assert!(!other.headers().contains_key("access-control-allow-origin"));

    // A real cross-origin call: the origin is allowed and the headers an app reads are exposed.
    let session = app
        .signed_in("officer.6471", "officer", Some("64.71"))
        .await;
    let call = app
        .client
        .get(app.url("/v1/me"))
        .header("origin", SPA)
        .bearer_auth(&session.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(call.status().as_u16(), 200);
    assert_eq!(call.headers()["access-control-allow-origin"], SPA);
    let exposed = call.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    for name in ["etag", "location", "retry-after", "x-request-id"] {
        assert!(exposed.contains(name), "{exposed}");
    }

    // No origins configured (the default): no CORS headers at all.
    let plain = TestApp::spawn().await;
    let response = plain
        .client
        .get(plain.url("/v1/regions"))
        .header("origin", SPA)
        .send()
        .await
        .unwrap();
    assert!(
        !response
            .headers()
            .contains_key("access-control-allow-origin")
    );
}

#[tokio::test]
async fn security_headers_on_every_response() {
    let app = TestApp::spawn().await;
    let public = app.get("/v1/regions").await;
    assert_eq!(public.headers()["x-content-type-options"], "nosniff");
    assert!(!public.headers().contains_key("cache-control"));

    // Authenticated answers, personal data (a board with NIKs) included, are never stored.
    let session = app
        .signed_in("officer.6471", "officer", Some("64.71"))
        .await;
    let me = app.get_as("/v1/me", &session.access_token).await;
    assert_eq!(me.headers()["cache-control"], "no-store");
    assert_eq!(me.headers()["x-content-type-options"], "nosniff");
    let ormas = ormas_tests::fixtures::OrmasFixture::registered("64.71")
        .insert(&app)
        .await;
    let board = app
        .get_as(&format!("/v1/ormas/{ormas}/board"), &session.access_token)
        .await;
    assert_eq!(board.headers()["cache-control"], "no-store");
    let login = app
        .post_json(
            "/v1/auth/login",
            &json!({"username": "officer.6471", "password": PASSWORD}),
        )
        .await;
    assert_eq!(login.headers()["cache-control"], "no-store");

    // Problem documents follow Accept-Language.
    let problem = app.get("/v1/nowhere").await;
    let vary = problem.headers()["vary"].to_str().unwrap().to_lowercase();
    assert!(vary.contains("accept-language"), "{vary}");

    // The docs: a strict CSP, never framed.
    let docs = app.get("/docs/").await;
    assert_eq!(docs.status().as_u16(), 200);
    let csp = docs.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert_eq!(docs.headers()["x-frame-options"], "DENY");
}

async fn client_token(app: &TestApp, secret: &str) -> String {
    let body = json!({"grant_type": "client_credentials", "client_id": "sync-64", "client_secret": secret});
    expect_json(app.post_json("/v1/auth/token", &body).await, 200).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_client_token_signed_out_stops_working() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin.64", "admin", Some("64")).await;
    let created = expect_json(
        app.post_as(
            "/v1/clients",
            &admin.access_token,
            &json!({"client_id": "sync-64", "name": "Sync"}),
        )
        .await,
        201,
    )
    .await;
    let secret = created["client_secret"].as_str().unwrap();
    let first = client_token(&app, secret).await;
    let second = client_token(&app, secret).await;
    expect_json(app.get_as("/v1/ormas", &first).await, 200).await;
    let logout = app.post_as("/v1/auth/logout", &first, &json!({})).await;
    assert_eq!(logout.status().as_u16(), 204);
    expect_problem(app.get_as("/v1/ormas", &first).await, 401, "unauthorized").await;
    // Only that token: the client's other token still works.
    expect_json(app.get_as("/v1/ormas", &second).await, 200).await;
}

#[tokio::test]
async fn tokens_issued_in_the_future_are_refused() {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let app = TestApp::spawn().await;
    let session = app
        .signed_in("officer.6471", "officer", Some("64.71"))
        .await;
    let payload = session.access_token.split('.').nth(1).unwrap();
    let mut claims: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    let forge = |claims: &serde_json::Value| {
        jsonwebtoken::encode(
            &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
            claims,
            &jsonwebtoken::EncodingKey::from_secret(ormas_tests::TEST_JWT_SECRET.as_bytes()),
        )
        .unwrap()
    };
    // The same claims re-signed still work (the forgery is faithful)…
    expect_json(app.get_as("/v1/me", &forge(&claims)).await, 200).await;
    // …but issued an hour from now they do not.
    claims["iat"] = json!(claims["iat"].as_i64().unwrap() + 3600);
    expect_problem(
        app.get_as("/v1/me", &forge(&claims)).await,
        401,
        "unauthorized",
    )
    .await;
}

#[tokio::test]
async fn accounts_are_not_scoped_to_a_kecamatan() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin.64", "admin", Some("64")).await;
    let refused = expect_problem(
        app.post_as(
            "/v1/users",
            &admin.access_token,
            &json!({"username": "camat.1", "password": PASSWORD, "display_name": "Camat", "role": "officer", "region_code": "64.71.01"}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(refused["errors"][0]["field"], "region_code");
    assert_eq!(refused["errors"][0]["code"], "district_scope");
}

#[tokio::test]
async fn rotating_a_secret_or_deactivating_a_client_ends_its_tokens() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin.64", "admin", Some("64")).await;
    let created = expect_json(
        app.post_as(
            "/v1/clients",
            &admin.access_token,
            &json!({"client_id": "sync-64", "name": "Sync"}),
        )
        .await,
        201,
    )
    .await;
    let id = created["id"].as_str().unwrap().to_owned();
    let old_secret = created["client_secret"].as_str().unwrap().to_owned();
    let old_token = client_token(&app, &old_secret).await;
    expect_json(app.get_as("/v1/ormas", &old_token).await, 200).await;

    // Another region's admin does not see the client; an officer may not manage clients.
    let other = app.signed_in("admin.62", "admin", Some("62")).await;
    let rotate = format!("/v1/clients/{id}/rotate-secret");
    expect_problem(
        app.post_as(&rotate, &other.access_token, &json!({})).await,
        404,
        "not_found",
    )
    .await;
    let officer = app
        .signed_in("officer.6471", "officer", Some("64.71"))
        .await;
    expect_problem(
        app.post_as(&rotate, &officer.access_token, &json!({}))
            .await,
        403,
        "forbidden",
    )
    .await;

    // Named by its client_id too.
    let by_name = expect_json(
        app.post_as(
            "/v1/clients/sync-64/rotate-secret",
            &admin.access_token,
            &json!({}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(by_name["id"], id.as_str());
    let rotated = expect_json(
        app.post_as(&rotate, &admin.access_token, &json!({})).await,
        200,
    )
    .await;
    let new_secret = rotated["client_secret"].as_str().unwrap().to_owned();
    assert_ne!(new_secret, old_secret);
    expect_problem(
        app.get_as("/v1/ormas", &old_token).await,
        401,
        "unauthorized",
    )
    .await;
    let refused = app
        .post_json("/v1/auth/token", &json!({"grant_type": "client_credentials", "client_id": "sync-64", "client_secret": old_secret}))
        .await;
    assert_eq!(refused.status().as_u16(), 401);
    let new_token = client_token(&app, &new_secret).await;
    expect_json(app.get_as("/v1/ormas", &new_token).await, 200).await;

    // Deactivation needs If-Match and ends the tokens too.
    let path = format!("/v1/clients/{id}");
    expect_problem(
        app.patch_without_if_match(&path, &admin.access_token, &json!({"active": false}))
            .await,
        428,
        "precondition_required",
    )
    .await;
    let deactivated = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&admin.access_token)
        .header("if-match", format!("\"{}\"", rotated["version"]))
        .json(&json!({"active": false}))
        .send()
        .await
        .unwrap();
    let body = expect_json(deactivated, 200).await;
    assert_eq!(body["active"], false);
    expect_problem(
        app.get_as("/v1/ormas", &new_token).await,
        401,
        "unauthorized",
    )
    .await;
    let refused = app
        .post_json("/v1/auth/token", &json!({"grant_type": "client_credentials", "client_id": "sync-64", "client_secret": new_secret}))
        .await;
    assert_eq!(refused.status().as_u16(), 401);
}

#[cfg(unix)]
#[tokio::test]
async fn files_the_server_creates_are_private() {
    use ormas_tests::reqwest::multipart::{Form, Part};
    use std::os::unix::fs::PermissionsExt;
    let app = TestApp::spawn_with(|c| c.required_documents = vec!["cover_letter".into()]).await;
    let officer = app
        .signed_in("officer.6471", "officer", Some("64.71"))
        .await;
    let ormas = expect_json(
        app.post_as(
            "/v1/ormas",
            &officer.access_token,
            &json!({
                "name": "Ormas Berkas", "kind": "tidak_berbadan_hukum", "skt_number": "SKT-F",
                "skt_issued_on": "2023-05-10", "skt_issuer": "Kemendagri", "region_code": "64.71",
                "address": "Jl. Satu"
            }),
        )
        .await,
        201,
    )
    .await;
    let form = Form::new().text("type", "cover_letter").part(
        "file",
        Part::bytes(b"%PDF-1.4\n%%EOF\n".to_vec()).file_name("surat.pdf"),
    );
    let uploaded = app
        .client
        .post(app.url(&format!(
            "/v1/ormas/{}/documents",
            ormas["id"].as_str().unwrap()
        )))
        .bearer_auth(&officer.access_token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    expect_json(uploaded, 201).await;
    // Everything below the data directory that the server made: directories 0700, files 0600.
    let mut pending = vec![app.data_dir.clone()];
    let mut files = 0;
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let entry = entry.unwrap();
            let mode = entry.metadata().unwrap().permissions().mode() & 0o777;
            if entry.file_type().unwrap().is_dir() {
                assert_eq!(mode, 0o700, "{}", entry.path().display());
                pending.push(entry.path());
            } else {
                assert_eq!(mode, 0o600, "{}", entry.path().display());
                files += 1;
            }
        }
    }
    assert!(files >= 1, "the stored document");
}
