//! A webhook receiver for tests: a real HTTP server on port 0 that records every delivery (its
//! Standard Webhooks headers and body) and answers as scripted.

use std::collections::VecDeque;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};

/// One request as received.
#[derive(Debug, Clone)]
pub struct Received {
    pub id: String,
    pub timestamp: String,
    pub signature: String,
    pub body: String,
}

impl Received {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("delivery body is JSON")
    }
}

/// How the receiver answers one request.
#[derive(Debug, Clone, Copy)]
pub enum Reply {
    Status(u16),
    /// Waits, then answers: a slow receiver (the sender may time out, or die meanwhile).
    Stall(Duration, u16),
    /// A redirect to `Location: http://127.0.0.1:1/` (which must not be followed).
    Redirect,
}

#[derive(Default)]
struct Shared {
    received: Vec<Received>,
    script: VecDeque<Reply>,
    default: Option<Reply>,
}

pub struct Receiver {
    pub url: String,
    shared: Arc<Mutex<Shared>>,
    handle: Option<actix_web::dev::ServerHandle>,
    thread: Option<JoinHandle<()>>,
}

fn header(req: &HttpRequest, name: &str) -> String {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

async fn receive(
    req: HttpRequest,
    body: web::Bytes,
    shared: web::Data<Arc<Mutex<Shared>>>,
) -> HttpResponse {
    let reply = {
        let mut shared = shared.lock().expect("receiver lock");
        shared.received.push(Received {
            id: header(&req, "webhook-id"),
            timestamp: header(&req, "webhook-timestamp"),
            signature: header(&req, "webhook-signature"),
            body: String::from_utf8_lossy(&body).into_owned(),
        });
        let default = shared.default.unwrap_or(Reply::Status(204));
        shared.script.pop_front().unwrap_or(default)
    };
    let status = match reply {
        Reply::Status(status) => status,
        Reply::Stall(wait, status) => {
            tokio::time::sleep(wait).await;
            status
        }
        Reply::Redirect => {
            return HttpResponse::Found()
                .insert_header(("location", "http://127.0.0.1:1/"))
                .finish();
        }
    };
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).expect("status")).finish()
}

impl Receiver {
    /// Starts a receiver answering `default` to every request beyond the script.
    pub fn start(default: Reply) -> Receiver {
        let shared = Arc::new(Mutex::new(Shared {
            default: Some(default),
            ..Shared::default()
        }));
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind receiver");
        let url = format!("http://{}/hooks", listener.local_addr().expect("addr"));
        let (tx, rx) = std::sync::mpsc::channel();
        let data = web::Data::new(shared.clone());
        let thread = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let server = HttpServer::new(move || {
                    App::new()
                        .app_data(data.clone())
                        .default_service(web::to(receive))
                })
                .workers(2)
                .shutdown_timeout(0)
                .listen(listener)
                .expect("listen")
                .run();
                tx.send(server.handle()).expect("send handle");
                let _ = server.await;
            });
        });
        let handle = rx.recv().expect("receiver handle");
        Receiver {
            url,
            shared,
            handle: Some(handle),
            thread: Some(thread),
        }
    }

    /// The next answers, before the default.
    pub fn script(&self, replies: &[Reply]) {
        self.shared
            .lock()
            .expect("receiver lock")
            .script
            .extend(replies.iter().copied());
    }

    /// Changes the answer given beyond the script.
    pub fn answer(&self, reply: Reply) {
        self.shared.lock().expect("receiver lock").default = Some(reply);
    }

    /// Every request so far.
    pub fn received(&self) -> Vec<Received> {
        self.shared.lock().expect("receiver lock").received.clone()
    }

    /// Waits until `done` holds for the requests received (panics after `timeout`).
    pub async fn wait_until(
        &self,
        timeout: Duration,
        what: &str,
        done: impl Fn(&[Received]) -> bool,
    ) -> Vec<Received> {
        let deadline = Instant::now() + timeout;
        loop {
            let received = self.received();
            if done(&received) {
                return received;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; received: {:#?}",
                received
                    .iter()
                    .map(|r| (&r.id, r.body.chars().take(80).collect::<String>()))
                    .collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The distinct `webhook-id`s in the order first received: what a receiver that dedupes keeps.
    pub fn distinct_ids(received: &[Received]) -> Vec<String> {
        let mut seen = std::collections::HashSet::new();
        received
            .iter()
            .filter(|r| seen.insert(r.id.clone()))
            .map(|r| r.id.clone())
            .collect()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        if let Some(handle) = self.handle.take() {
            crate::futures_executor_block_on(handle.stop(false));
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
