# The two set-up commands are `make run` and `make test`; see README.md.
.PHONY: run test lint fmt openapi validate-openapi client browser contract bench-stats bench-export docker build release clean help

PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/postgres

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

run: ## build, migrate, load reference data, create demo accounts on a new database, serve on 127.0.0.1:8080 (SQLite in ./data unless DATABASE_URL is set)
	cargo run -p ormas-api -- serve --seed-demo

test: ## the whole suite on SQLite, then on PostgreSQL when one is reachable (TEST_DATABASE_URL or 127.0.0.1:5432)
	@bash scripts/test.sh

lint: ## rustfmt and clippy, warnings as errors
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings

fmt: ## format the code
	cargo fmt --all

openapi: ## regenerate the committed OpenAPI document
	cargo run -q -p ormas-api -- openapi > openapi/openapi.json
	@echo "wrote openapi/openapi.json"

client: ## regenerate the TypeScript client types from openapi/openapi.json
	cd clients/typescript && npm ci --no-audit --no-fund --loglevel=error && npm run generate

browser: ## CORS (preflight, a cross-origin call, a refused origin) and the docs UI in headless Chromium against a live server
	@bash scripts/browser.sh

contract: ## lint the spec, type-check and run the TypeScript client, and run Schemathesis against a live server
	@bash scripts/contract.sh

validate-openapi: ## validate the committed document as OpenAPI 3.1 (installs openapi-spec-validator in target/)
	@bash scripts/validate-openapi.sh

bench-stats: ## latency of the statistics, list and status endpoints against a national-scale PostgreSQL database (BENCH_DATABASE_URL, generated once)
	@bash scripts/bench-stats.sh

bench-export: ## rows/s and server memory of GET /v1/exports/ormas (ndjson, csv) on a fresh national-scale PostgreSQL database (ormas_bench_export, dropped afterwards)
	@bash scripts/bench-export.sh

build: ## debug build of everything
	cargo build --workspace

release: ## optimised binary at target/release/ormas-api
	cargo build --release --locked -p ormas-api

docker: ## container image ormas-api:latest (needs a Docker engine)
	docker build -t ormas-api:latest .

clean:
	cargo clean
