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
        "exportPublicRegister",
        "getPublicDataPackage",
        "getPublicOrmas",
        "verifyRegistrationNumber",
        "filePublicComplaint",
        "trackPublicComplaint",
        "attachToPublicComplaint",
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

/// File responses are binary (`File`: `type: string, format: binary`), never arrays of numbers;
/// single resources document `ETag`, `Location` and 304; bodies of actions may be left out.
#[test]
fn files_are_binary_single_resources_are_conditional_and_action_bodies_optional() {
    let spec: serde_json::Value = serde_json::from_str(&committed_spec()).unwrap();
    assert_eq!(
        spec["components"]["schemas"]["File"],
        serde_json::json!({"type": "string", "format": "binary",
            "description": "A file's bytes; its media type is the response's."})
    );
    let mut files = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            for (status, response) in operation["responses"].as_object().unwrap() {
                for (media, content) in response["content"].as_object().into_iter().flatten() {
                    let textual = media.contains("json") || media.starts_with("text/");
                    if !textual {
                        files += 1;
                        assert_eq!(
                            content["schema"]["$ref"], "#/components/schemas/File",
                            "{method} {path} {status} {media}"
                        );
                    }
                }
            }
        }
    }
    assert_eq!(
        files, 12,
        "the PDF, JPEG and PNG of a document's content, of a complaint's attachment, of an attribute item's design and of a consultation's attachment"
    );
    for path in [
        "/v1/ormas/{id}",
        "/v1/reports/{id}",
        "/v1/users/{id}",
        "/v1/documents/{id}",
    ] {
        let get = &spec["paths"][path]["get"];
        assert_eq!(
            get["responses"]["304"]["$ref"], "#/components/responses/NotModified",
            "{path}"
        );
        let headers = &get["responses"]["200"]["headers"];
        assert!(
            headers["ETag"].is_object() && headers["Location"].is_object(),
            "{path}"
        );
        assert!(
            get["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["name"] == "If-None-Match"),
            "{path}"
        );
    }
    for step in [
        "/v1/ormas/{id}/submit",
        "/v1/ormas/{id}/approve",
        "/v1/reports/{id}/accept",
    ] {
        let operation = &spec["paths"][step]["post"];
        assert!(operation["requestBody"].get("required").is_none(), "{step}");
        let headers = &operation["responses"]["200"]["headers"];
        assert!(
            headers["ETag"].is_object() && headers["Location"].is_object(),
            "{step}"
        );
    }
}

#[test]
fn every_post_takes_an_idempotency_key_and_documents_its_answers() {
    let spec: serde_json::Value = serde_json::from_str(&committed_spec()).unwrap();
    let parameter = &spec["components"]["parameters"]["IdempotencyKey"];
    assert_eq!(parameter["in"], "header");
    assert_eq!(parameter["name"], "Idempotency-Key");
    assert_eq!(parameter["schema"]["maxLength"], 255);
    let mut posts = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        let Some(post) = item.get("post") else {
            continue;
        };
        posts += 1;
        let parameters = post["parameters"].as_array().cloned().unwrap_or_default();
        assert!(
            parameters
                .iter()
                .any(|p| p["$ref"] == "#/components/parameters/IdempotencyKey"),
            "POST {path} lacks Idempotency-Key"
        );
        for status in ["400", "409", "422"] {
            assert!(
                post["responses"].get(status).is_some(),
                "POST {path} lacks its {status}"
            );
        }
        for (status, code) in [
            ("409", "idempotency_key_in_progress"),
            ("422", "idempotency_key_reused"),
        ] {
            let response = &post["responses"][status];
            let description = match response["$ref"].as_str() {
                Some(reference) => {
                    let name = reference.rsplit('/').next().unwrap();
                    spec["components"]["responses"][name]["description"].clone()
                }
                None => response["description"].clone(),
            };
            assert!(
                description.as_str().unwrap_or("").contains(code),
                "POST {path} {status} does not mention {code}: {description}"
            );
        }
    }
    assert!(posts > 50, "{posts} POST operations");
}
