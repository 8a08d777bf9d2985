//! Downloads: the [`Fetch`] trait the client workflow uses, and its HTTP implementation
//! over `ureq` (blocking, no async runtime). Every download has a byte limit, enforced
//! while reading, so a server that sends endless data costs at most the limit.

use std::time::Duration;

use ward_tuf::Error;

/// HTTP cache validators of a previous response, for a conditional GET.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// What a GET returned.
#[derive(Debug)]
pub enum Fetched {
    /// The body, with the validators of the response.
    Body(Vec<u8>, Validators),
    /// 304: the file has not changed since the validators were issued.
    NotModified,
}

/// A source of repository files.
pub trait Fetch {
    /// Gets `url`, reading at most `limit` bytes; with `validators`, conditionally.
    /// A missing file (404 or 403) is [`Error::NotFound`].
    fn get(&self, url: &str, limit: u64, validators: Option<&Validators>)
        -> Result<Fetched, Error>;
}

/// HTTP(S) with `ureq`, and `file://` URLs read from disk (a mirror on removable media
/// for an air-gapped host, and the attack tests' mirror, which they tamper with).
#[derive(Debug, Clone)]
pub struct Http {
    agent: ureq::Agent,
}

impl Http {
    /// A client whose every request must finish within `timeout`.
    pub fn new(timeout: Duration) -> Http {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .user_agent("ward-updater")
            .build()
            .into();
        Http { agent }
    }
}

impl Default for Http {
    fn default() -> Http {
        Http::new(Duration::from_secs(30))
    }
}

impl Fetch for Http {
    fn get(
        &self,
        url: &str,
        limit: u64,
        validators: Option<&Validators>,
    ) -> Result<Fetched, Error> {
        let network = |reason: String| Error::Network {
            url: url.to_string(),
            reason,
        };
        if let Some(path) = url.strip_prefix("file://") {
            return read_file(url, std::path::Path::new(path), limit);
        }
        let mut request = self.agent.get(url);
        if let Some(v) = validators {
            if let Some(etag) = &v.etag {
                request = request.header("If-None-Match", etag);
            }
            if let Some(date) = &v.last_modified {
                request = request.header("If-Modified-Since", date);
            }
        }
        let mut response = request.call().map_err(|e| network(e.to_string()))?;
        let status = response.status().as_u16();
        match status {
            200 => {}
            304 if validators.is_some() => return Ok(Fetched::NotModified),
            403 | 404 => {
                return Err(Error::NotFound {
                    url: url.to_string(),
                })
            }
            other => return Err(network(format!("HTTP status {other}"))),
        }
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let found = Validators {
            etag: header("etag"),
            last_modified: header("last-modified"),
        };
        let declared = header("content-length").and_then(|l| l.parse::<u64>().ok());
        if declared.is_some_and(|l| l > limit) {
            return Err(Error::TooLarge {
                url: url.to_string(),
                limit,
            });
        }
        let bytes = response
            .body_mut()
            .with_config()
            .limit(limit)
            .read_to_vec()
            .map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(_) => Error::TooLarge {
                    url: url.to_string(),
                    limit,
                },
                other => network(other.to_string()),
            })?;
        Ok(Fetched::Body(bytes, found))
    }
}

fn read_file(url: &str, path: &std::path::Path, limit: u64) -> Result<Fetched, Error> {
    match ward_tuf::repo::read_limited(path, limit) {
        Ok(bytes) => Ok(Fetched::Body(bytes, Validators::default())),
        Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
            Err(Error::NotFound {
                url: url.to_string(),
            })
        }
        Err(Error::Refused { .. }) => Err(Error::TooLarge {
            url: url.to_string(),
            limit,
        }),
        Err(e) => Err(e),
    }
}
