//! Account administration, region scoping, the audit log and calendar editing.

use ormas_tests::{TestApp, expect_json, expect_problem, json};

fn officer(username: &str, region: &str) -> serde_json::Value {
    json!({"username": username, "password": "correct horse battery", "display_name": username, "role": "officer", "region_code": region})
}

#[tokio::test]
async fn admins_create_accounts_within_their_scope_and_rank() {
    let app = TestApp::spawn().await;
    let kota = app.signed_in("admin.6471", "admin", Some("64.71")).await;

    let response = app
        .post_as(
            "/v1/users",
            &kota.access_token,
            &officer("petugas.bpp", "64.71"),
        )
        .await;
    assert_eq!(response.status().as_u16(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let created = expect_json(response, 201).await;
    assert_eq!(
        location,
        format!("/v1/users/{}", created["id"].as_str().unwrap())
    );
    assert_eq!(ormas_tests::etag_version(&etag.parse().unwrap()), 1);
    assert_eq!(created["region_code"], "64.71");
    assert!(created.get("password").is_none() && created.get("password_hash").is_none());
    // A kecamatan below the city is within scope, but offices are provinces and kabupaten/kota:
    // an account scoped to a kecamatan is refused (issue 10 §5).
    let response = app
        .post_as(
            "/v1/users",
            &kota.access_token,
            &officer("petugas.kec", "64.71.01"),
        )
        .await;
    let problem = expect_problem(response, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["code"], "district_scope");

    let forbidden = [
        json!({"username": "root2", "password": "correct horse battery", "display_name": "x", "role": "super_admin"}),
        officer("petugas.kalteng", "62"),
        officer("petugas.paser", "64.01"),
        officer("petugas.prov", "64"),
        json!({"username": "nation", "password": "correct horse battery", "display_name": "x", "role": "officer"}),
    ];
    for body in forbidden {
        let response = app.post_as("/v1/users", &kota.access_token, &body).await;
        expect_problem(response, 403, "forbidden").await;
    }

    let invalid = [
        (officer("x", "64.71"), "username"),
        (officer("petugas.bad", "6471"), "region_code"),
        (
            json!({"username": "petugas.y", "password": "short", "display_name": "x", "role": "officer", "region_code": "64.71"}),
            "password",
        ),
        (
            json!({"username": "petugas.z", "password": "correct horse battery", "display_name": "x", "role": "king", "region_code": "64.71"}),
            "role",
        ),
    ];
    for (body, field) in invalid {
        let problem = expect_problem(
            app.post_as("/v1/users", &kota.access_token, &body).await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(problem["errors"][0]["field"], field, "{body}");
    }
    // Well-formed but non-existent region.
    let super_admin = app.signed_in("root", "super_admin", None).await;
    let problem = expect_problem(
        app.post_as(
            "/v1/users",
            &super_admin.access_token,
            &officer("petugas.nowhere", "64.99"),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["code"], "unknown_region");
    // Usernames are unique regardless of case.
    let response = app
        .post_as(
            "/v1/users",
            &kota.access_token,
            &officer("PETUGAS.BPP", "64.71"),
        )
        .await;
    expect_problem(response, 409, "conflict").await;
}

#[tokio::test]
async fn other_regions_accounts_are_not_found() {
    let app = TestApp::spawn().await;
    let province = app.signed_in("admin.64", "admin", Some("64")).await;
    let kota = app.signed_in("admin.6471", "admin", Some("64.71")).await;
    let paser_officer = app
        .create_account("petugas.paser", "officer", Some("64.01"))
        .await;
    let bpp_officer = app
        .create_account("petugas.bpp", "officer", Some("64.71"))
        .await;
    let kalteng_officer = app
        .create_account("petugas.kalteng", "officer", Some("62"))
        .await;

    expect_json(
        app.get_as(
            &format!("/v1/users/{paser_officer}"),
            &province.access_token,
        )
        .await,
        200,
    )
    .await;
    expect_json(
        app.get_as(&format!("/v1/users/{bpp_officer}"), &kota.access_token)
            .await,
        200,
    )
    .await;
    for id in [&paser_officer, &kalteng_officer, &province.user_id] {
        expect_problem(
            app.get_as(&format!("/v1/users/{id}"), &kota.access_token)
                .await,
            404,
            "not_found",
        )
        .await;
        let change = app
            .patch_as(
                &format!("/v1/users/{id}"),
                &kota.access_token,
                &json!({"display_name": "x"}),
            )
            .await;
        expect_problem(change, 404, "not_found").await;
    }
    expect_problem(
        app.get_as("/v1/users/no-such-id", &province.access_token)
            .await,
        404,
        "not_found",
    )
    .await;

    // Lists are scoped the same way.
    let list = expect_json(
        app.get_as("/v1/users?page_size=200", &kota.access_token)
            .await,
        200,
    )
    .await;
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["admin.6471", "petugas.bpp"]);
    let list = expect_json(
        app.get_as("/v1/users?page_size=200", &province.access_token)
            .await,
        200,
    )
    .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 4);
    expect_problem(
        app.get_as("/v1/users?region=62", &province.access_token)
            .await,
        403,
        "forbidden",
    )
    .await;
    let filtered = expect_json(
        app.get_as(
            "/v1/users?region=64.01&role=officer",
            &province.access_token,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(filtered["items"][0]["username"], "petugas.paser");
    let searched = expect_json(
        app.get_as("/v1/users?q=PASER", &province.access_token)
            .await,
        200,
    )
    .await;
    assert_eq!(searched["items"].as_array().unwrap().len(), 1);

    // Pagination walks every account once.
    let mut seen = Vec::new();
    let mut path = "/v1/users?page_size=1".to_owned();
    loop {
        let page = expect_json(app.get_as(&path, &province.access_token).await, 200).await;
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["username"].as_str().unwrap().to_owned()),
        );
        match page["next_page_token"].as_str() {
            Some(token) => path = format!("/v1/users?page_size=1&page_token={token}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 4);
}

#[tokio::test]
async fn updates_need_a_current_version_and_respect_ranks() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin.64", "admin", Some("64")).await;
    let target = app
        .create_account("petugas.bpp", "officer", Some("64.71"))
        .await;
    let path = format!("/v1/users/{target}");

    let stale = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&admin.access_token)
        .header("if-match", "\"7\"")
        .json(&json!({"display_name": "x"}))
        .send()
        .await
        .unwrap();
    expect_problem(stale, 412, "precondition_failed").await;
    let fresh = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&admin.access_token)
        .header("if-match", "\"1\"")
        .json(&json!({"display_name": "Petugas Balikpapan", "email": "p@balikpapan.go.id"}))
        .send()
        .await
        .unwrap();
    assert_eq!(ormas_tests::etag_version(&fresh.headers()["etag"]), 2);
    let user = expect_json(fresh, 200).await;
    assert_eq!(user["display_name"], "Petugas Balikpapan");
    assert_eq!(user["version"], 2);
    // `null` clears a nullable field; absence keeps it.
    let cleared = expect_json(
        app.patch_as(&path, &admin.access_token, &json!({"email": null}))
            .await,
        200,
    )
    .await;
    assert_eq!(cleared["email"], serde_json::Value::Null);
    assert_eq!(cleared["display_name"], "Petugas Balikpapan");
    let fetched = app.get_as(&path, &admin.access_token).await;
    assert_eq!(ormas_tests::etag_version(&fetched.headers()["etag"]), 3);

    // Above one's own rank, out of scope, or about oneself: refused.
    let refused = [
        (path.clone(), json!({"role": "super_admin"})),
        (
            format!("/v1/users/{}", admin.user_id),
            json!({"password": "a brand new passphrase"}),
        ),
        (path.clone(), json!({"region_code": "62"})),
        (path.clone(), json!({"region_code": null})),
        (
            format!("/v1/users/{}", admin.user_id),
            json!({"active": false}),
        ),
        (
            format!("/v1/users/{}", admin.user_id),
            json!({"role": "officer"}),
        ),
    ];
    for (path, body) in refused {
        expect_problem(
            app.patch_as(&path, &admin.access_token, &body).await,
            403,
            "forbidden",
        )
        .await;
    }
    let root = app.create_account("root", "super_admin", None).await;
    let response = app
        .patch_as(
            &format!("/v1/users/{root}"),
            &admin.access_token,
            &json!({"display_name": "x"}),
        )
        .await;
    expect_problem(response, 404, "not_found").await;
    // Deactivated, never deleted.
    let deactivated = expect_json(
        app.patch_as(&path, &admin.access_token, &json!({"active": false}))
            .await,
        200,
    )
    .await;
    assert_eq!(deactivated["active"], false);
    let listed = expect_json(
        app.get_as("/v1/users?active=false", &admin.access_token)
            .await,
        200,
    )
    .await;
    assert_eq!(listed["items"][0]["username"], "petugas.bpp");
    let response = app
        .client
        .delete(app.url(&path))
        .bearer_auth(&admin.access_token)
        .send()
        .await
        .unwrap();
    expect_problem(response, 405, "method_not_allowed").await;
    let invalid = app
        .patch_as(&path, &admin.access_token, &json!({"role": "emperor"}))
        .await;
    expect_problem(invalid, 422, "validation_failed").await;
}

#[tokio::test]
async fn the_audit_log_records_and_is_scoped() {
    let app = TestApp::spawn().await;
    let province = app.signed_in("admin.64", "admin", Some("64")).await;
    let kalteng = app.signed_in("admin.62", "admin", Some("62")).await;
    let created = expect_json(
        app.post_as(
            "/v1/users",
            &province.access_token,
            &officer("petugas.bpp", "64.71"),
        )
        .await,
        201,
    )
    .await;
    let id = created["id"].as_str().unwrap();
    let response = app
        .client
        .patch(app.url(&format!("/v1/users/{id}")))
        .bearer_auth(&province.access_token)
        .header("x-request-id", "audit-trace-1")
        .header("if-match", "*")
        .json(&json!({"display_name": "Renamed"}))
        .send()
        .await
        .unwrap();
    expect_json(response, 200).await;

    let events = expect_json(
        app.get_as(&format!("/v1/audit?target={id}"), &province.access_token)
            .await,
        200,
    )
    .await;
    let actions: Vec<&str> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["user.update", "user.create"], "newest first");
    let update = &events["items"][0];
    assert_eq!(update["actor_id"], province.user_id.as_str());
    assert_eq!(update["request_id"], "audit-trace-1");
    assert_eq!(update["region_code"], "64.71");
    assert_eq!(update["outcome"], "success");

    let logins = expect_json(
        app.get_as(
            &format!("/v1/audit?actor={}&action=auth.login", province.user_id),
            &province.access_token,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(logins["items"].as_array().unwrap().len(), 1);

    // Another province's administrator sees none of it.
    let other = expect_json(
        app.get_as(&format!("/v1/audit?target={id}"), &kalteng.access_token)
            .await,
        200,
    )
    .await;
    assert_eq!(other["items"], json!([]));
    let officer_session = app.login("petugas.bpp", "correct horse battery").await;
    expect_problem(
        app.get_as("/v1/audit", &officer_session.access_token).await,
        403,
        "forbidden",
    )
    .await;
    expect_problem(
        app.get_as("/v1/audit?page_token=bad", &province.access_token)
            .await,
        400,
        "invalid_query",
    )
    .await;
}

#[tokio::test]
async fn only_the_super_admin_edits_the_national_calendar() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("root", "super_admin", None).await;
    let officer_session = app.signed_in("petugas.64", "officer", Some("64")).await;
    // A regional admin moves no deadline of the nation (issue 10 §4): neither adding nor removing
    // a national holiday, and the role is checked before the body.
    let city_admin = app.signed_in("admin.6471", "admin", Some("64.71")).await;
    for token in [&city_admin.access_token, &officer_session.access_token] {
        expect_problem(
            app.delete_as("/v1/calendar/holidays/2026-12-25", token)
                .await,
            403,
            "forbidden",
        )
        .await;
        expect_problem(
            app.post_as("/v1/calendar/holidays", token, &json!({"date": "bad"}))
                .await,
            403,
            "forbidden",
        )
        .await;
    }
    let due = |app: &TestApp| {
        let app_url = app.url("/v1/calendar/due-date");
        let client = app.client.clone();
        async move {
            let response = client
                .post(app_url)
                .json(&json!({"from": "2026-11-20", "working_days": 1}))
                .send()
                .await
                .unwrap();
            expect_json(response, 200).await["due_on"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    assert_eq!(due(&app).await, "2026-11-23");

    let holiday = json!({"date": "2026-11-23", "kind": "cuti_bersama", "name_id": "Cuti Bersama Uji", "name_en": "Test Joint Holiday"});
    expect_problem(
        app.post_json("/v1/calendar/holidays", &holiday).await,
        401,
        "unauthorized",
    )
    .await;
    expect_problem(
        app.post_as(
            "/v1/calendar/holidays",
            &officer_session.access_token,
            &holiday,
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    let response = app
        .post_as("/v1/calendar/holidays", &admin.access_token, &holiday)
        .await;
    assert_eq!(
        response.headers()["location"],
        "/v1/calendar/holidays?year=2026"
    );
    let created = expect_json(response, 201).await;
    assert_eq!(created["kind"], "cuti_bersama");
    assert_eq!(
        due(&app).await,
        "2026-11-24",
        "the new day off moves deadlines"
    );
    expect_problem(
        app.post_as("/v1/calendar/holidays", &admin.access_token, &holiday)
            .await,
        409,
        "conflict",
    )
    .await;
    let invalid =
        json!({"date": "2026-13-01", "kind": "cuti_bersama", "name_id": "x", "name_en": "x"});
    expect_problem(
        app.post_as("/v1/calendar/holidays", &admin.access_token, &invalid)
            .await,
        422,
        "validation_failed",
    )
    .await;

    expect_problem(
        app.delete_as(
            "/v1/calendar/holidays/2026-11-23",
            &officer_session.access_token,
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    let response = app
        .delete_as("/v1/calendar/holidays/2026-11-23", &admin.access_token)
        .await;
    assert_eq!(response.status().as_u16(), 204);
    assert_eq!(due(&app).await, "2026-11-23");
    expect_problem(
        app.delete_as("/v1/calendar/holidays/2026-11-23", &admin.access_token)
            .await,
        404,
        "not_found",
    )
    .await;
    expect_problem(
        app.delete_as("/v1/calendar/holidays/not-a-date", &admin.access_token)
            .await,
        404,
        "not_found",
    )
    .await;
}
