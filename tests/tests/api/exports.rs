//! Bulk exports and open data: the register in the caller's scope streamed as NDJSON or CSV (the
//! same items as every page of `GET /v1/ormas`, over more than one batch), the feed position it
//! starts from, its scope; the public CSV with its Data Package descriptor, cacheable.

use ormas_tests::fixtures::{OrmasFixture, insert_all};
use ormas_tests::reqwest::{Response, StatusCode};
use ormas_tests::{TestApp, expect_json, expect_problem, json};
use serde_json::Value;

/// Every item of every page of `GET /v1/ormas{query}`.
async fn all_pages(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut token_param = String::new();
    loop {
        let sep = if query.is_empty() { "?" } else { "&" };
        let path = format!("/v1/ormas{query}{sep}page_size=200{token_param}");
        let page = expect_json(app.get_as(&path, token).await, 200).await;
        items.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_page_token"].as_str() {
            Some(next) => token_param = format!("&page_token={next}"),
            None => return items,
        }
    }
}

fn feed_position(response: &Response) -> i64 {
    response.headers()["x-feed-position"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

/// The items of an NDJSON export, after checking its end line and its feed position header.
async fn ndjson(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let response = app
        .get_as(&format!("/v1/exports/ormas{query}"), token)
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "application/x-ndjson",
        "{query}"
    );
    let position = feed_position(&response);
    let body = response.text().await.unwrap();
    assert!(body.ends_with('\n'));
    let mut lines: Vec<Value> = body
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let end = lines.pop().unwrap();
    assert_eq!(
        end,
        json!({"_type": "end", "feed_position": position, "count": lines.len()})
    );
    lines
}

async fn csv_lines(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    let response = app
        .get_as(&format!("/v1/exports/ormas{query}"), token)
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    feed_position(&response);
    let body = response.text().await.unwrap();
    body.lines().map(str::to_owned).collect()
}

fn ids(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|item| item["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_export_is_every_page_of_the_list_in_one_stream() {
    let app = TestApp::spawn().await;
    // More than one batch of 2,000 nationally; one region's share spans a batch boundary.
    let mut fixtures = Vec::new();
    for i in 0..1_150 {
        let fixture = OrmasFixture::registered("64.71");
        fixtures.push(if i % 7 == 0 {
            fixture.in_state("draft")
        } else {
            fixture
        });
    }
    fixtures.extend((0..880).map(|_| OrmasFixture::registered("64.01")));
    fixtures.extend((0..25).map(|_| OrmasFixture::registered("11.01").in_state("submitted")));
    insert_all(&app, fixtures).await;
    let admin = app.signed_in("root", "super_admin", None).await;
    let officer = app
        .signed_in("officer.6471", "officer", Some("64.71"))
        .await;

    let national = ndjson(&app, &admin.access_token, "").await;
    assert_eq!(national.len(), 2_055);
    assert_eq!(national, all_pages(&app, &admin.access_token, "").await);

    let regional = ndjson(&app, &officer.access_token, "").await;
    assert_eq!(regional.len(), 1_150);
    assert!(regional.iter().all(|item| item["region_code"] == "64.71"));
    assert_eq!(regional, all_pages(&app, &officer.access_token, "").await);

    let registered = ndjson(&app, &admin.access_token, "?state=registered&region=64").await;
    assert_eq!(
        registered,
        all_pages(&app, &admin.access_token, "?state=registered&region=64").await
    );
    assert_eq!(registered.len(), 1_150 - 165 + 880);

    // CSV: a header, then the same registrations in the same order.
    let lines = csv_lines(&app, &admin.access_token, "?format=csv").await;
    let header: Vec<&str> = lines[0].split(',').collect();
    assert_eq!(header[..3], ["id", "organisation_id", "name"]);
    assert!(header.contains(&"registration_number") && header.contains(&"updated_at"));
    assert_eq!(lines.len(), 1 + 2_055);
    let csv_ids: Vec<String> = lines[1..]
        .iter()
        .map(|line| line.split(',').next().unwrap().to_owned())
        .collect();
    assert_eq!(csv_ids, ids(&national));
    let regional_csv = csv_lines(&app, &officer.access_token, "?format=csv").await;
    assert_eq!(regional_csv.len(), 1 + 1_150);
}

#[tokio::test]
async fn the_export_keeps_to_the_callers_scope() {
    let app = TestApp::spawn().await;
    insert_all(
        &app,
        vec![
            OrmasFixture::registered("64.71"),
            OrmasFixture::registered("64.01"),
            OrmasFixture::registered("11.01"),
        ],
    )
    .await;
    let officer = app
        .signed_in("officer.6401", "officer", Some("64.01"))
        .await;
    let items = ndjson(&app, &officer.access_token, "").await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["region_code"], "64.01");
    expect_problem(
        app.get_as("/v1/exports/ormas?region=64.71", &officer.access_token)
            .await,
        403,
        "forbidden",
    )
    .await;

    // An integrator sees what its list shows.
    let admin = app.signed_in("admin.64", "admin", Some("64")).await;
    let created = expect_json(
        app.post_as(
            "/v1/clients",
            &admin.access_token,
            &json!({"client_id": "export-sync", "name": "Export"}),
        )
        .await,
        201,
    )
    .await;
    let token = expect_json(
        app.post_json(
            "/v1/auth/token",
            &json!({"grant_type": "client_credentials", "client_id": "export-sync",
                "client_secret": created["client_secret"]}),
        )
        .await,
        200,
    )
    .await;
    let integrator = token["access_token"].as_str().unwrap();
    let exported = ndjson(&app, integrator, "").await;
    assert_eq!(exported.len(), 2);
    assert_eq!(exported, all_pages(&app, integrator, "").await);

    let rep = app.signed_in("rep.export", "ormas_rep", None).await;
    expect_problem(
        app.get_as("/v1/exports/ormas", &rep.access_token).await,
        403,
        "forbidden",
    )
    .await;
    let anonymous = app.get("/v1/exports/ormas").await;
    assert_eq!(anonymous.status(), 401);
    for bad in ["?format=xml", "?region=64.7", "?state=unknown"] {
        let response = app
            .get_as(&format!("/v1/exports/ormas{bad}"), &officer.access_token)
            .await;
        assert_eq!(response.status(), 400, "{bad}");
    }
}

async fn conditional(app: &TestApp, path: &str, header: (&str, &str)) -> Response {
    app.client
        .get(app.url(path))
        .header(header.0, header.1)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_open_data_is_the_public_register_described_and_cacheable() {
    let app = TestApp::spawn().await;
    let public = insert_all(
        &app,
        vec![
            OrmasFixture::registered("64.71").numbered(),
            OrmasFixture::registered("64.01").numbered(),
            OrmasFixture::registered("11.01").numbered(),
            OrmasFixture::registered("64.71").in_state("draft"),
            OrmasFixture::registered("64.71").in_state("submitted"),
        ],
    )
    .await;

    let response = app.get("/v1/public/exports/ormas.csv").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "public, max-age=300");
    let tag = response.headers()["etag"].to_str().unwrap().to_owned();
    let modified = response.headers()["last-modified"]
        .to_str()
        .unwrap()
        .to_owned();
    let body = response.text().await.unwrap();
    let lines: Vec<&str> = body.lines().collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    for personal in ["address", "phone", "email", "nik", "board", "district_code"] {
        assert!(!header.contains(&personal), "{personal}");
    }
    assert_eq!(lines.len(), 1 + 3);
    let mut exported: Vec<&str> = lines[1..]
        .iter()
        .map(|line| line.split(',').next().unwrap())
        .collect();
    exported.sort_unstable();
    let mut expected: Vec<&str> = public[..3].iter().map(String::as_str).collect();
    expected.sort_unstable();
    assert_eq!(exported, expected);
    // The same rows as the public register's pages.
    let page = expect_json(app.get("/v1/public/ormas?page_size=100").await, 200).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 3);

    let descriptor = app.get("/v1/public/exports/datapackage.json").await;
    assert_eq!(descriptor.status(), 200);
    let package_tag = descriptor.headers()["etag"].to_str().unwrap().to_owned();
    let package = expect_json(descriptor, 200).await;
    assert_eq!(package["profile"], "tabular-data-package");
    assert_eq!(package["licenses"][0]["name"], "ODbL-1.0");
    let resource = &package["resources"][0];
    assert_eq!(resource["format"], "csv");
    assert_eq!(resource["mediatype"], "text/csv");
    assert!(
        resource["path"]
            .as_str()
            .unwrap()
            .ends_with("/v1/public/exports/ormas.csv")
    );
    let names: Vec<&str> = resource["schema"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, header);
    assert!(
        resource["schema"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["type"].is_string() && f["description"].is_string())
    );

    // Conditional requests: 304 with no body while nothing changed.
    for (path, tag) in [
        ("/v1/public/exports/ormas.csv", &tag),
        ("/v1/public/exports/datapackage.json", &package_tag),
    ] {
        let not_modified = conditional(&app, path, ("If-None-Match", tag)).await;
        assert_eq!(not_modified.status(), StatusCode::NOT_MODIFIED, "{path}");
        assert_eq!(not_modified.headers()["etag"].to_str().unwrap(), tag);
        assert_eq!(not_modified.text().await.unwrap(), "");
        let since = conditional(&app, path, ("If-Modified-Since", &modified)).await;
        assert_eq!(since.status(), StatusCode::NOT_MODIFIED, "{path}");
        let other = conditional(&app, path, ("If-None-Match", "\"0-0000000000000000\"")).await;
        assert_eq!(other.status(), 200, "{path}");
        let old = conditional(
            &app,
            path,
            ("If-Modified-Since", "Mon, 01 Jan 2001 00:00:00 GMT"),
        )
        .await;
        assert_eq!(old.status(), 200, "{path}");
    }

    // A newly registered ormas changes both.
    OrmasFixture::registered("64.02")
        .numbered()
        .named("Perkumpulan Baru")
        .insert(&app)
        .await;
    let changed = conditional(
        &app,
        "/v1/public/exports/ormas.csv",
        ("If-None-Match", &tag),
    )
    .await;
    assert_eq!(changed.status(), 200);
    assert_ne!(changed.headers()["etag"].to_str().unwrap(), tag);
    assert_eq!(changed.text().await.unwrap().lines().count(), 1 + 4);
    let changed = conditional(
        &app,
        "/v1/public/exports/datapackage.json",
        ("If-None-Match", &package_tag),
    )
    .await;
    assert_eq!(changed.status(), 200);
}
