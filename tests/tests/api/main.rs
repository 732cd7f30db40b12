//! Black-box tests over HTTP, on SQLite by default and on PostgreSQL with `TEST_DATABASE_URL`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod auth;
mod binding;
mod bodies;
mod bytes;
mod calendar;
mod cases;
mod changes;
mod complaints;
mod concurrency;
mod conditional;
mod consultations;
mod dashboard;
mod edge;
mod errors;
mod exports;
mod grants;
mod idempotency;
mod identity;
mod matrix;
mod migrations;
mod openapi;
mod permits;
mod regions;
mod register;
mod reports;
mod sanctions;
mod stats;
mod system;
mod users;
mod visits;
mod webhooks;
