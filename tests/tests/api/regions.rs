use ormas_tests::{TestApp, expect_json, expect_problem};
use serde_json::Value;

async fn all_pages(app: &TestApp, query: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut path = format!("/v1/regions?{query}");
        if let Some(t) = &token {
            path.push_str(&format!("&page_token={t}"));
        }
        let page = expect_json(app.get(&path).await, 200).await;
        items.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_page_token"].as_str() {
            Some(t) => token = Some(t.to_owned()),
            None => return items,
        }
    }
}

#[tokio::test]
async fn counts_per_level_match_the_reference_data() {
    let app = TestApp::spawn().await;
    let provinces = expect_json(app.get("/v1/regions?level=province").await, 200).await;
    assert_eq!(provinces["items"].as_array().unwrap().len(), 38);
    assert!(provinces["next_page_token"].is_null());
    assert_eq!(provinces["items"][0]["code"], "11");
    assert_eq!(provinces["items"][0]["parent_code"], Value::Null);

    let regencies = all_pages(&app, "level=regency&page_size=1000").await;
    assert_eq!(regencies.len(), 514);
    let districts = all_pages(&app, "level=district&page_size=1000").await;
    assert_eq!(districts.len(), 7285);
    assert!(districts.iter().all(|d| d["level"] == "district"));
}

#[tokio::test]
async fn pagination_is_stable_and_complete() {
    let app = TestApp::spawn().await;
    let pages = all_pages(&app, "parent=64&page_size=3").await;
    let codes: Vec<&str> = pages.iter().map(|r| r["code"].as_str().unwrap()).collect();
    let mut sorted = codes.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(codes, sorted, "ordered by code, without repeats");
    // Kalimantan Timur: 7 kabupaten and 3 kota.
    assert_eq!(codes.len(), 10);
    assert!(codes.contains(&"64.71") && codes.contains(&"64.01"));
    let one_page = all_pages(&app, "parent=64").await;
    assert_eq!(one_page, pages);
}

#[tokio::test]
async fn children_of_a_regency_are_its_kecamatan() {
    let app = TestApp::spawn().await;
    let page = expect_json(app.get("/v1/regions?parent=64.71").await, 200).await;
    let items = page["items"].as_array().unwrap();
    assert!(!items.is_empty());
    for item in items {
        assert_eq!(item["parent_code"], "64.71");
        assert_eq!(item["level"], "district");
        assert!(item["code"].as_str().unwrap().starts_with("64.71."));
    }
    // Parent and level combine; a parent's children are never of another level.
    let none = expect_json(app.get("/v1/regions?parent=64&level=district").await, 200).await;
    assert_eq!(none["items"].as_array().unwrap().len(), 0);
    // An unknown (well-formed) parent has no children.
    let empty = expect_json(app.get("/v1/regions?parent=99").await, 200).await;
    assert_eq!(empty["items"], serde_json::json!([]));
}

#[tokio::test]
async fn get_region_with_ancestors() {
    let app = TestApp::spawn().await;
    let province = expect_json(app.get("/v1/regions/64").await, 200).await;
    assert_eq!(province["name"], "Kalimantan Timur");
    assert_eq!(province["level"], "province");
    assert_eq!(province["ancestors"], serde_json::json!([]));

    let city = expect_json(app.get("/v1/regions/64.71").await, 200).await;
    assert_eq!(city["name"], "Kota Balikpapan");
    assert_eq!(city["parent_code"], "64");
    assert_eq!(city["ancestors"][0]["code"], "64");

    let district = expect_json(app.get("/v1/regions/62.71.01").await, 200).await;
    assert_eq!(district["level"], "district");
    let ancestors: Vec<&str> = district["ancestors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["code"].as_str().unwrap())
        .collect();
    assert_eq!(ancestors, ["62", "62.71"]);
}

#[tokio::test]
async fn unknown_or_malformed_code_is_404() {
    let app = TestApp::spawn().await;
    for code in ["99", "64.99", "64.71.99", "abc", "6", "64.71.01.01", "%20"] {
        expect_problem(
            app.get(&format!("/v1/regions/{code}")).await,
            404,
            "not_found",
        )
        .await;
    }
}
