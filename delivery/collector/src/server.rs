//! The HTTP endpoint: `POST /v1/beacons` takes one signed batch, `GET /v1/aggregate`
//! serves the gate's rows. A few worker threads share the listening socket, each with
//! its own database connection. A request is answered only after its batch is
//! committed; anything wrong with a request is refused with a status and a one-line
//! reason, and the server goes on. Status codes are in docs/delivery.md.

use std::io::Read as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use tiny_http::{Header, Method, Request, Response, Server};
use ward_health::auth::{self, Signed};
use ward_health::beacon::MAX_BATCH_BYTES;
use ward_health::{Batch, Window};

use crate::store::{Store, StoreError};

/// How far ahead of the collector's clock a beacon's time may be (host clocks drift;
/// a beacon from the future would sit in every later window).
pub const MAX_CLOCK_AHEAD: u64 = 600;

/// The collector's settings.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: String,
    pub db: PathBuf,
    /// New hosts enrolled per minute, at most.
    pub enroll_per_minute: u64,
    /// Threads answering requests.
    pub workers: usize,
}

impl Config {
    /// Listening on `listen`, storing in `db`, enrolling at most 1000 new hosts a
    /// minute, with four workers.
    pub fn new(listen: impl Into<String>, db: impl Into<PathBuf>) -> Config {
        Config {
            listen: listen.into(),
            db: db.into(),
            enroll_per_minute: 1000,
            workers: 4,
        }
    }
}

/// A bound collector, not yet serving.
pub struct Collector {
    server: Arc<Server>,
    config: Config,
}

impl std::fmt::Debug for Collector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Collector")
            .field("addr", &self.addr())
            .field("config", &self.config)
            .finish()
    }
}

/// Why the collector could not start.
#[derive(Debug)]
pub enum StartError {
    Listen { addr: String, reason: String },
    Db { path: PathBuf, error: StoreError },
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Listen { addr, reason } => write!(f, "cannot listen on {addr}: {reason}"),
            StartError::Db { path, error } => write!(f, "{}: {error}", path.display()),
        }
    }
}

impl std::error::Error for StartError {}

impl Collector {
    /// Opens the database (creating its tables) and binds the address.
    pub fn bind(config: Config) -> Result<Collector, StartError> {
        Store::open(&config.db).map_err(|error| StartError::Db {
            path: config.db.clone(),
            error,
        })?;
        let server = Server::http(&config.listen).map_err(|e| StartError::Listen {
            addr: config.listen.clone(),
            reason: e.to_string(),
        })?;
        Ok(Collector {
            server: Arc::new(server),
            config,
        })
    }

    /// The address it listens on (the real port when the configured one was 0).
    pub fn addr(&self) -> Option<SocketAddr> {
        self.server.server_addr().to_ip()
    }

    /// Serves until the process ends; `now` is the clock (seconds since the epoch).
    pub fn serve(self, now: fn() -> u64) -> Result<(), StartError> {
        let mut workers = Vec::new();
        for _ in 0..self.config.workers.max(1) {
            let store = Store::open(&self.config.db).map_err(|error| StartError::Db {
                path: self.config.db.clone(),
                error,
            })?;
            let server = Arc::clone(&self.server);
            let config = self.config.clone();
            workers.push(std::thread::spawn(move || {
                worker(&server, store, &config, now)
            }));
        }
        for w in workers {
            let _ = w.join();
        }
        Ok(())
    }
}

fn worker(server: &Server, mut store: Store, config: &Config, now: fn() -> u64) {
    let json = Header::from_bytes("Content-Type", "application/json").ok();
    for mut request in server.incoming_requests() {
        let (status, body) = answer(&mut request, &mut store, config, now());
        let mut response = Response::from_string(body).with_status_code(status);
        if let Some(h) = &json {
            response.add_header(h.clone());
        }
        // A client that went away is its loss: what it sent is committed or refused.
        let _ = request.respond(response);
    }
}

/// A JSON error body.
fn refuse(status: u16, reason: impl std::fmt::Display) -> (u16, String) {
    (
        status,
        serde_json::json!({ "error": reason.to_string() }).to_string(),
    )
}

fn answer(request: &mut Request, store: &mut Store, config: &Config, now: u64) -> (u16, String) {
    let url = request.url().to_string();
    let (path, query) = url.split_once('?').unwrap_or((&url, ""));
    match (request.method(), path) {
        (Method::Post, "/v1/beacons") => beacons(request, store, config, now),
        (Method::Get, "/v1/aggregate") => aggregate(query, store),
        (_, "/v1/beacons" | "/v1/aggregate") => refuse(405, "method not allowed"),
        _ => refuse(404, format!("no such endpoint: {path}")),
    }
}

fn beacons(request: &mut Request, store: &mut Store, config: &Config, now: u64) -> (u16, String) {
    let header = |name: &'static str| {
        request
            .headers()
            .iter()
            .find(|h| h.field.equiv(name))
            .map(|h| h.value.as_str().to_string())
    };
    let (Some(key), Some(signature)) = (header("X-Ward-Key"), header("X-Ward-Signature")) else {
        return refuse(401, "X-Ward-Key and X-Ward-Signature are required");
    };
    if request.body_length().is_some_and(|n| n > MAX_BATCH_BYTES) {
        return refuse(413, format!("a batch is at most {MAX_BATCH_BYTES} bytes"));
    }
    // Read one byte past the limit, so a body without a length that is too long is
    // seen to be too long without reading it all.
    let mut body = Vec::new();
    let limit = MAX_BATCH_BYTES as u64 + 1;
    if let Err(e) = request.as_reader().take(limit).read_to_end(&mut body) {
        return refuse(400, format!("reading the body: {e}"));
    }
    if body.len() > MAX_BATCH_BYTES {
        return refuse(413, format!("a batch is at most {MAX_BATCH_BYTES} bytes"));
    }
    let signed = Signed { key, signature };
    if !auth::verifies(&signed, &body) {
        return refuse(401, "the signature does not verify for this body and key");
    }
    let batch = match Batch::parse(&body) {
        Ok(b) => b,
        Err(e) => return refuse(400, e),
    };
    // Summaries are numbered after the beacons, as `Batch::check` numbers them.
    let stamps = batch
        .beacons
        .iter()
        .map(|b| (b.at, b.version))
        .chain(batch.summaries.iter().map(|s| (s.at, s.version)));
    if let Some((i, (at, version))) = stamps.enumerate().find(|(_, (at, version))| {
        *at > now.saturating_add(MAX_CLOCK_AHEAD) || i64::try_from(*version).is_err()
    }) {
        return refuse(
            400,
            format!(
                "beacon {i}: `at` {at} is more than {MAX_CLOCK_AHEAD} s ahead of the collector's clock ({now}), or `version` {version} is out of range"
            ),
        );
    }
    match store.insert(&batch, &signed.key, now, config.enroll_per_minute) {
        Ok(s) => (
            200,
            serde_json::json!({ "stored": s.stored, "duplicates": s.duplicates, "enrolled": s.enrolled })
                .to_string(),
        ),
        Err(e @ StoreError::KeyMismatch { .. }) => refuse(403, e),
        Err(e @ StoreError::EnrollmentLimit { .. }) => refuse(429, e),
        Err(e @ StoreError::Sql(_)) => refuse(503, e),
    }
}

fn aggregate(query: &str, store: &Store) -> (u16, String) {
    let param = |name: &str| {
        query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
    };
    let number = |name: &str| -> Result<u64, String> {
        let v = param(name).ok_or_else(|| format!("`{name}` is required"))?;
        v.parse()
            .map_err(|_| format!("`{name}` is `{v}`, not a whole number"))
    };
    let window = match (number("channel"), number("since"), number("until")) {
        (Ok(channel), Ok(since), Ok(until)) => match u32::try_from(channel) {
            Ok(channel) => Window {
                channel,
                since,
                until,
            },
            Err(_) => return refuse(400, format!("`channel` {channel} is out of range")),
        },
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return refuse(400, e),
    };
    match (store.aggregate(&window), store.costs(&window)) {
        (Ok(rows), Ok(costs)) => (
            200,
            serde_json::json!({ "window": window, "rows": rows, "costs": costs }).to_string(),
        ),
        (Err(e), _) | (_, Err(e)) => refuse(503, e),
    }
}
