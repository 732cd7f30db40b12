use ormas_tests::{TestApp, expect_json, json};

#[tokio::test]
async fn holidays_of_a_year() {
    let app = TestApp::spawn().await;
    let body = expect_json(app.get("/v1/calendar/holidays?year=2026").await, 200).await;
    assert_eq!(body["year"], 2026);
    let items = body["items"].as_array().unwrap();
    let dates: Vec<&str> = items.iter().map(|h| h["date"].as_str().unwrap()).collect();
    for date in [
        "2026-03-18",
        "2026-03-19",
        "2026-03-20",
        "2026-03-21",
        "2026-03-22",
        "2026-03-23",
        "2026-03-24",
    ] {
        assert!(dates.contains(&date), "{date} missing");
    }
    let mut sorted = dates.clone();
    sorted.sort_unstable();
    assert_eq!(dates, sorted);
    assert!(dates.iter().all(|d| d.starts_with("2026-")));
    let nyepi = items.iter().find(|h| h["date"] == "2026-03-19").unwrap();
    assert_eq!(nyepi["kind"], "libur_nasional");
    assert_eq!(nyepi["name_en"], "Day of Silence");
    assert_eq!(nyepi["estimated"], false);
    assert!(items.iter().any(|h| h["kind"] == "cuti_bersama"));

    // Later years are published as estimates.
    let later = expect_json(app.get("/v1/calendar/holidays?year=2029").await, 200).await;
    assert!(
        later["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["estimated"] == true)
    );
    // A year without data is an empty list, not an error.
    let empty = expect_json(app.get("/v1/calendar/holidays?year=1990").await, 200).await;
    assert_eq!(empty["items"], json!([]));
}

#[tokio::test]
async fn holidays_default_to_the_current_year() {
    let app = TestApp::spawn().await;
    let body = expect_json(app.get("/v1/calendar/holidays").await, 200).await;
    let year = chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).unwrap())
        .format("%Y")
        .to_string();
    assert_eq!(body["year"].to_string(), year);
}

#[tokio::test]
async fn due_dates_skip_weekends_and_holidays() {
    let app = TestApp::spawn().await;
    let cases = [
        // The UU 17/2013 verification window across Nyepi and Idul Fitri 2026 (18–24 March off).
        ("2026-03-16", 15, "2026-04-14"),
        ("2026-03-16", 1, "2026-03-17"),
        ("2026-03-16", 2, "2026-03-25"),
        ("2026-03-16", 0, "2026-03-16"),
        ("2026-11-20", 1, "2026-11-23"),
        // Across the year boundary: 24–25 December 2026, 1 and 5 January 2027 are days off.
        ("2026-12-22", 5, "2026-12-31"),
        ("2026-12-22", 6, "2027-01-04"),
        ("2026-12-22", 7, "2027-01-06"),
    ];
    for (from, n, due) in cases {
        let body = expect_json(
            app.post_json(
                "/v1/calendar/due-date",
                &json!({"from": from, "working_days": n}),
            )
            .await,
            200,
        )
        .await;
        assert_eq!(body["due_on"], due, "{from} + {n}: {body}");
        assert_eq!(body["from"], from);
        assert_eq!(body["working_days"], n);
    }
    let body = expect_json(
        app.post_json(
            "/v1/calendar/due-date",
            &json!({"from": "2026-03-16", "working_days": 15}),
        )
        .await,
        200,
    )
    .await;
    let skipped: Vec<&str> = body["holidays_skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["date"].as_str().unwrap())
        .collect();
    // Weekday holidays only: 21–22 March fall on a weekend and are not listed.
    assert_eq!(
        skipped,
        [
            "2026-03-18",
            "2026-03-19",
            "2026-03-20",
            "2026-03-23",
            "2026-03-24",
            "2026-04-03"
        ]
    );
}
