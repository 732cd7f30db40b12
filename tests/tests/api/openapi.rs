use ormas_tests::{TestApp, expect_json};

fn committed_spec() -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/openapi.json");
    std::fs::read_to_string(&path).unwrap_or_default()
}

#[test]
fn committed_spec_matches_the_code() {
    let generated = ormas_api::openapi_json().unwrap();
    assert!(
        committed_spec() == generated,
        "openapi/openapi.json is out of date: run `make openapi` and commit the result"
    );
}

#[tokio::test]
async fn served_spec_is_openapi_3_1_with_every_operation_documented() {
    let app = TestApp::spawn().await;
    let spec = expect_json(app.get("/openapi.json").await, 200).await;
    assert!(
        spec["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        spec["openapi"]
    );
    let committed: serde_json::Value = serde_json::from_str(&committed_spec()).unwrap_or_default();
    assert_eq!(spec, committed);

    let paths = spec["paths"].as_object().unwrap();
    for expected in [
        "/health",
        "/ready",
        "/v1/regions",
        "/v1/regions/{code}",
        "/v1/calendar/holidays",
        "/v1/calendar/due-date",
    ] {
        assert!(
            paths.contains_key(expected),
            "{expected} missing from the spec"
        );
    }
    // Operations anyone may call; every other one declares both security schemes.
    let public = [
        "health",
        "ready",
        "listRegions",
        "getRegion",
        "listHolidays",
        "computeDueDate",
        "login",
        "refreshTokens",
        "clientCredentialsToken",
        "register",
        "getReferenceList",
        "searchPublicRegister",
        "getPublicOrmas",
        "verifyRegistrationNumber",
    ];
    let mut operation_ids = std::collections::HashSet::new();
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path}: no operationId"));
            assert!(
                operation_ids.insert(id.to_owned()),
                "duplicate operationId {id}"
            );
            assert!(op["summary"].is_string(), "{method} {path}: no summary");
            assert!(
                op["tags"].as_array().is_some_and(|t| !t.is_empty()),
                "{method} {path}: no tag"
            );
            let schemes: Vec<&str> = op["security"]
                .as_array()
                .map(|reqs| {
                    reqs.iter()
                        .flat_map(|r| r.as_object().unwrap().keys())
                        .map(String::as_str)
                        .collect()
                })
                .unwrap_or_default();
            if public.contains(&id) {
                assert!(
                    schemes.is_empty(),
                    "{id} is public but declares {schemes:?}"
                );
            } else {
                assert_eq!(schemes, ["bearer", "client_credentials"], "{method} {path}");
                let description = op["description"].as_str().unwrap_or("");
                assert!(
                    description.contains("Roles:") || description.contains("Any authenticated"),
                    "{id}: roles not stated"
                );
                assert!(op["responses"]["401"].is_object(), "{id}: no 401");
            }
            for (status, response) in op["responses"].as_object().unwrap() {
                // Shared responses are published once under components/responses.
                let response = match response["$ref"].as_str() {
                    Some(reference) => {
                        let name = reference.trim_start_matches("#/components/responses/");
                        &spec["components"]["responses"][name]
                    }
                    None => response,
                };
                if status.starts_with('4') || status.starts_with('5') {
                    assert!(
                        response["content"]["application/problem+json"].is_object(),
                        "{method} {path} {status}: errors are problem+json"
                    );
                }
            }
        }
    }
}
