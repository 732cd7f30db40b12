//! Statistics: the numbers offices report, checked against hand-built registers, the status of
//! each ormas, and the sum of the child regions.

use ormas_tests::fixtures::{OrmasFixture, day, insert_all};
use ormas_tests::{TestApp, expect_json, expect_problem, json};
use serde_json::Value;

fn n(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a count: {v}"))
}

/// Every item of a paged list.
async fn all_ids(app: &TestApp, token: &str, path: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let sep = if path.contains('?') { '&' } else { '?' };
        let url = match &next {
            Some(t) => format!("{path}{sep}page_size=200&page_token={t}"),
            None => format!("{path}{sep}page_size=200"),
        };
        let page = expect_json(app.get_as(&url, token).await, 200).await;
        for item in page["items"].as_array().unwrap() {
            ids.push(item["id"].as_str().unwrap().to_owned());
        }
        match page["next_page_token"].as_str() {
            Some(t) => next = Some(t.to_owned()),
            None => return ids,
        }
    }
}

#[tokio::test]
async fn three_hundred_sixty_five_registered_of_which_forty_five_reported() {
    let app = TestApp::spawn().await;
    app.clock.pin(Some(day("2026-11-22")));
    let officer = app
        .signed_in("officer.6471", "officer", Some("64.71"))
        .await;
    let mut fixtures = Vec::new();
    for i in 0..365 {
        let f = OrmasFixture::registered("64.71").named(&format!("Ormas {i}"));
        // 45 with a report accepted within the year; 60 more whose last one is older.
        let f = match i {
            0..45 => f.reported("2026-S1", "2026-08-20"),
            45..105 => f.reported("2025-S1", "2025-08-20"),
            _ => f,
        };
        fixtures.push(f);
    }
    // Not registered: not counted among the 365.
    fixtures.push(OrmasFixture::registered("64.71").in_state("draft"));
    fixtures.push(OrmasFixture::registered("64.71").in_state("submitted"));
    insert_all(&app, fixtures).await;
    let token = &officer.access_token;

    let stats = expect_json(app.get_as("/v1/stats/overview", token).await, 200).await;
    let totals = &stats["totals"];
    assert_eq!(n(&totals["registered"]), 365, "{stats}");
    assert_eq!(n(&totals["active"]), 45);
    assert_eq!(n(&totals["inactive"]), 320);
    assert_eq!(n(&totals["inactive_reasons"]["no_recent_report"]), 320);
    assert_eq!(stats["region"]["code"], "64.71");
    let states: Vec<(String, u64)> = stats["by_state"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["state"].as_str().unwrap().to_owned(), n(&s["count"])))
        .collect();
    assert!(states.contains(&("registered".into(), 365)), "{states:?}");
    assert!(states.contains(&("draft".into(), 1)));
    let compliance = stats["report_compliance"].as_array().unwrap();
    let periods: Vec<&str> = compliance
        .iter()
        .map(|c| c["period"].as_str().unwrap())
        .collect();
    assert_eq!(periods, ["2024-S2", "2025-S1", "2025-S2", "2026-S1"]);
    let last = &compliance[3];
    assert_eq!(
        (n(&last["expected"]), n(&last["on_time"]), n(&last["late"])),
        (365, 0, 45)
    );
    assert_eq!((n(&last["missing"]), n(&last["accepted"])), (320, 45));
    assert_eq!(n(&totals["reports_missing"]), 320);

    // The list filter gives the same 45, and they are exactly the active ones by status.
    let active = all_ids(&app, token, "/v1/ormas?activity=active").await;
    assert_eq!(active.len(), 45);
    let inactive = all_ids(&app, token, "/v1/ormas?activity=inactive&state=registered").await;
    assert_eq!(inactive.len(), 320);
    for id in active.iter().take(5).chain(inactive.iter().take(5)) {
        let s = expect_json(
            app.get_as(&format!("/v1/ormas/{id}/status"), token).await,
            200,
        )
        .await;
        let want = if active.contains(id) {
            "active"
        } else {
            "inactive"
        };
        assert_eq!(s["activity"], want);
    }
}

/// Every registration's status agrees with the list filters, and the province equals the sum of
/// its kabupaten/kota rows.
#[tokio::test]
async fn filters_match_status_and_provinces_add_up() {
    let app = TestApp::spawn().await;
    app.clock.pin(Some(day("2026-11-22")));
    let fresh = |f: OrmasFixture| f.reported("2026-S1", "2026-08-20");
    let fixtures = vec![
        fresh(OrmasFixture::registered("64.71")).district("64.71.01"),
        fresh(OrmasFixture::registered("64.71")).district("64.71.02"),
        OrmasFixture::registered("64.71").district("64.71.02"),
        fresh(OrmasFixture::registered("64.71").skt_until("2026-10-01")),
        fresh(OrmasFixture::registered("64.71").skt_until("2027-01-15")),
        fresh(OrmasFixture::registered("64.72").board_until("2026-01-01")),
        OrmasFixture::registered("64.72").submitted("2026-S1", "2026-07-10"),
        fresh(OrmasFixture::registered("64.72").registered_on("2026-12-01")),
        fresh(OrmasFixture::registered("64.01")),
        OrmasFixture::registered("64.01").reported("2025-S2", "2025-11-21"),
        OrmasFixture::registered("64.01").reported("2025-S2", "2025-11-22"),
        fresh(OrmasFixture::registered("64.01")).in_state("dissolved"),
        OrmasFixture::registered("64.01").in_state("draft"),
        // The province's own office, and another province.
        fresh(OrmasFixture::registered("64")),
        fresh(OrmasFixture::registered("62.71")),
    ];
    let ids = insert_all(&app, fixtures).await;
    let admin = app.signed_in("admin.nation", "super_admin", None).await;
    let token = &admin.access_token;

    let active = all_ids(&app, token, "/v1/ormas?region=64&activity=active").await;
    let inactive = all_ids(&app, token, "/v1/ormas?region=64&activity=inactive").await;
    let overdue = all_ids(&app, token, "/v1/ormas?region=64&report_overdue=true").await;
    let mut registered_active = 0;
    for id in &ids[..14] {
        let s = expect_json(
            app.get_as(&format!("/v1/ormas/{id}/status"), token).await,
            200,
        )
        .await;
        let is_active = s["activity"] == "active";
        assert_eq!(active.contains(id), is_active, "{s}");
        assert_eq!(inactive.contains(id), !is_active, "{s}");
        let missing = s["state"] == "registered"
            && s["next_report"]["overdue"] == true
            && !s["reasons"]
                .as_array()
                .unwrap()
                .contains(&json!("not_registered"));
        assert_eq!(overdue.contains(id), missing, "{s}");
        if is_active {
            registered_active += 1;
        }
    }
    // fresh ×2, SKT expiring in January, the one accepted on the window's first day, the
    // province's own: 5 active (+ the board-ended, expired, future-registered ones are not).
    assert_eq!(registered_active, 6);

    let stats = expect_json(app.get_as("/v1/stats/overview?region=64", token).await, 200).await;
    let totals = &stats["totals"];
    assert_eq!(n(&totals["active"]), 6, "{stats}");
    assert_eq!(n(&totals["skt_expiring_soon"]), 1);
    let rows = stats["regions"].as_array().unwrap();
    let codes: Vec<&str> = rows.iter().map(|r| r["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["64", "64.01", "64.71", "64.72"]);
    for key in [
        "registered",
        "active",
        "inactive",
        "skt_expiring_soon",
        "verification_overdue",
        "reports_missing",
    ] {
        let sum: u64 = rows.iter().map(|r| n(&r[key])).sum();
        assert_eq!(sum, n(&totals[key]), "{key}");
    }
    for reason in ["no_recent_report", "skt_expired", "board_term_ended"] {
        let sum: u64 = rows.iter().map(|r| n(&r["inactive_reasons"][reason])).sum();
        assert_eq!(sum, n(&totals["inactive_reasons"][reason]), "{reason}");
    }
    assert_eq!(rows[3]["name"], "Kota Samarinda");
    // The nation: one row per province, 62 and 64.
    let nation = expect_json(app.get_as("/v1/stats/overview", token).await, 200).await;
    assert_eq!(nation["region"], serde_json::Value::Null);
    let provinces: Vec<&str> = nation["regions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(provinces, ["62", "64"]);
    assert_eq!(n(&nation["totals"]["active"]), 7);
    // A kabupaten/kota: its kecamatan (and those without one).
    let kota = expect_json(
        app.get_as("/v1/stats/overview?region=64.71", token).await,
        200,
    )
    .await;
    let districts: Vec<Value> = kota["regions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].clone())
        .collect();
    assert_eq!(
        districts,
        [Value::Null, json!("64.71.01"), json!("64.71.02")]
    );

    // CSV: header, one row per child, the total last.
    let csv = app.get_as("/v1/stats/overview.csv?region=64", token).await;
    assert_eq!(csv.status(), 200);
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = csv.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 6, "{text}");
    assert!(lines[0].starts_with("region_code,region_name,registered,active,inactive,"));
    assert!(lines[5].starts_with("64,Kalimantan Timur,"), "{text}");
}

#[tokio::test]
async fn statistics_follow_every_change_and_are_scoped() {
    let app = TestApp::spawn().await;
    app.clock.pin(Some(day("2026-11-22")));
    let officer = app
        .signed_in("officer.6471", "officer", Some("64.71"))
        .await;
    let token = &officer.access_token;
    let ormas = OrmasFixture::registered("64.71").insert(&app).await;
    let first = expect_json(app.get_as("/v1/stats/overview", token).await, 200).await;
    assert_eq!(n(&first["totals"]["active"]), 0);
    assert_eq!(n(&first["offices_recounted"]), 1);
    let again = expect_json(app.get_as("/v1/stats/overview", token).await, 200).await;
    assert_eq!(
        n(&again["offices_recounted"]),
        0,
        "served from the snapshot"
    );

    // A report accepted through the API moves the numbers at once.
    let report = expect_json(
        app.post_as(
            &format!("/v1/ormas/{ormas}/reports"),
            token,
            &json!({"period": "2026-S2", "signatories": {"ketua": "A", "sekretaris": "B"}}),
        )
        .await,
        201,
    )
    .await;
    let id = report["id"].as_str().unwrap();
    for step in ["submit", "accept"] {
        expect_json(
            app.post_as(&format!("/v1/reports/{id}/{step}"), token, &json!({}))
                .await,
            200,
        )
        .await;
    }
    let after = expect_json(app.get_as("/v1/stats/overview", token).await, 200).await;
    assert_eq!(n(&after["totals"]["active"]), 1);
    assert_eq!(n(&after["offices_recounted"]), 1);
    // A past date is counted from the same data.
    let past = expect_json(
        app.get_as("/v1/stats/overview?as_of=2026-11-01", token)
            .await,
        200,
    )
    .await;
    assert_eq!(n(&past["totals"]["active"]), 0);

    // Scope: another region is forbidden, a kecamatan is not an office, representatives and
    // anonymous callers are refused.
    expect_problem(
        app.get_as("/v1/stats/overview?region=64.72", token).await,
        403,
        "forbidden",
    )
    .await;
    expect_problem(
        app.get_as("/v1/stats/overview?region=64.71.01", token)
            .await,
        400,
        "invalid_query",
    )
    .await;
    let admin = app.signed_in("admin.nation", "super_admin", None).await;
    expect_problem(
        app.get_as("/v1/stats/overview?region=99", &admin.access_token)
            .await,
        404,
        "not_found",
    )
    .await;
    let rep = app.signed_in("rep.x", "ormas_rep", None).await;
    expect_problem(
        app.get_as("/v1/stats/overview", &rep.access_token).await,
        403,
        "forbidden",
    )
    .await;
    assert_eq!(app.get("/v1/stats/overview").await.status(), 401);
    let integrator = app.signed_in("kemendagri", "integrator", Some("64")).await;
    let csv = app
        .get_as("/v1/stats/overview.csv", &integrator.access_token)
        .await;
    assert_eq!(csv.status(), 200);
    assert!(
        csv.text()
            .await
            .unwrap()
            .contains("64.71,Kota Balikpapan,1,1,0,")
    );
}

#[tokio::test]
async fn the_background_refresher_keeps_snapshots_current() {
    let app = TestApp::spawn_with(|c| {
        c.stats_refresh = Some(std::time::Duration::from_millis(100));
    })
    .await;
    app.clock.pin(Some(day("2026-11-22")));
    let officer = app
        .signed_in("officer.6471", "officer", Some("64.71"))
        .await;
    OrmasFixture::registered("64.71")
        .reported("2026-S1", "2026-08-20")
        .insert(&app)
        .await;
    // Wait for the refresher to count the office, then change it and wait again: the request
    // finds current snapshots both times and recounts nothing itself.
    for active in [1, 2] {
        if active == 2 {
            OrmasFixture::registered("64.71")
                .reported("2026-S1", "2026-08-21")
                .insert(&app)
                .await;
        }
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        let stats = expect_json(
            app.get_as("/v1/stats/overview", &officer.access_token)
                .await,
            200,
        )
        .await;
        assert_eq!(n(&stats["offices_recounted"]), 0, "{stats}");
        assert_eq!(n(&stats["totals"]["active"]), active);
    }
}

/// Without the single flight, PostgreSQL recounts once per pooled connection (4 here); SQLite's
/// write lock happens to serialise the recounts.
#[tokio::test]
async fn concurrent_first_requests_recount_a_cold_office_once() {
    let app = TestApp::spawn().await;
    app.clock.pin(Some(day("2026-11-22")));
    let officer = app
        .signed_in("officer.6471", "officer", Some("64.71"))
        .await;
    ormas_tests::fixtures::insert_all(
        &app,
        (0..20).map(|_| OrmasFixture::registered("64.71")).collect(),
    )
    .await;
    let requests = (0..8).map(|_| async {
        expect_json(
            app.get_as("/v1/stats/overview", &officer.access_token)
                .await,
            200,
        )
        .await
    });
    let answers = futures_util::future::join_all(requests).await;
    let recounts: u64 = answers.iter().map(|a| n(&a["offices_recounted"])).sum();
    assert_eq!(recounts, 1, "eight requests at once, one recount");
    for answer in &answers {
        assert_eq!(answer["totals"], answers[0]["totals"]);
    }
}
