//! `ormas-test-instance`: the API server as a process of its own, configured from the environment
//! like `ormas-api serve` (the database already prepared), for the tests that run several
//! instances on one database and kill one of them. Prints its address on the first line.

#![allow(clippy::expect_used)]

use std::io::Write;
use std::net::TcpListener;

fn main() {
    let config = ormas_api::Config::from_env().expect("configuration");
    let pool = ormas_persistence::build_pool(&config.database, &config.pool);
    let listener = TcpListener::bind(config.bind).expect("bind");
    let address = listener.local_addr().expect("address");
    println!("http://{address}");
    std::io::stdout().flush().expect("flush");
    actix_web::rt::System::new().block_on(async move {
        let app = ormas_api::build(config, pool, listener).expect("build server");
        let _ = app.server.await;
        drop(app.dispatcher);
    });
}
