//! A real nginx on loopback for tests: its own prefix, configuration and free port in a
//! temporary directory, one process killed and waited when dropped, and its access log
//! read back. Shared by the updater's tests and the reference host's end-to-end test,
//! which include this file by path; it needs only `std` and `tempfile`.
#![allow(dead_code)]

use std::path::Path;

use tempfile::TempDir;

/// A real nginx on 127.0.0.1 serving `root`, with its own prefix and configuration in a
/// temporary directory; killed when dropped. The access log records status, request
/// and response bytes per request, for the steady-state measurement.
#[derive(Debug)]
pub struct Nginx {
    child: std::process::Child,
    pub port: u16,
    pub prefix: TempDir,
}

impl Nginx {
    pub fn serve(root: &Path) -> Nginx {
        let prefix = TempDir::new().expect("nginx prefix");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let p = prefix.path().display();
        // One process (`master_process off`), so killing it stops nginx whole and no
        // worker outlives the test holding its pipes. `user root` matters only when
        // nginx runs as root (CI does); as another user nginx ignores it.
        let conf = format!(
            "daemon off; master_process off; user root; worker_processes 1; pid {p}/nginx.pid; error_log {p}/error.log;\n\
             events {{ worker_connections 256; }}\n\
             http {{\n\
               log_format counts '$status $request_length $bytes_sent $request_uri';\n\
               access_log {p}/access.log counts;\n\
               client_body_temp_path {p}/body; proxy_temp_path {p}/proxy; fastcgi_temp_path {p}/fastcgi;\n\
               uwsgi_temp_path {p}/uwsgi; scgi_temp_path {p}/scgi;\n\
               types {{ application/json json; }} default_type application/octet-stream;\n\
               server {{ listen 127.0.0.1:{port}; root {}; }}\n\
             }}\n",
            root.display()
        );
        std::fs::write(prefix.path().join("nginx.conf"), conf).expect("nginx.conf");
        let child = std::process::Command::new("nginx")
            .arg("-p")
            .arg(prefix.path())
            .arg("-c")
            .arg(prefix.path().join("nginx.conf"))
            .arg("-e")
            .arg(prefix.path().join("error.log"))
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("nginx is installed (.ci/run installs Debian's nginx)");
        let nginx = Nginx {
            child,
            port,
            prefix,
        };
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return nginx;
            }
            std::thread::sleep(std::time::Duration::from_millis(25));
        }
        panic!(
            "nginx did not start: {}",
            std::fs::read_to_string(nginx.prefix.path().join("error.log")).unwrap_or_default()
        );
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}/{path}", self.port)
    }

    /// The access log once it holds at least `min` lines and has stopped growing. nginx
    /// writes a request's line after it has sent the response, so a client can see the
    /// answer before the line lands; waiting (bounded, 5 s) keeps the tests exact.
    pub fn requests_after(&self, min: usize) -> Vec<(u16, u64, u64, String)> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        let mut seen = self.requests();
        while std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(100));
            let now = self.requests();
            if now.len() >= min && now.len() == seen.len() {
                return now;
            }
            seen = now;
        }
        seen
    }

    /// The access log's lines so far, as (status, request bytes, response bytes, URI).
    pub fn requests(&self) -> Vec<(u16, u64, u64, String)> {
        let log =
            std::fs::read_to_string(self.prefix.path().join("access.log")).unwrap_or_default();
        log.lines()
            .filter_map(|l| {
                let mut f = l.split(' ');
                Some((
                    f.next()?.parse().ok()?,
                    f.next()?.parse().ok()?,
                    f.next()?.parse().ok()?,
                    f.next()?.to_string(),
                ))
            })
            .collect()
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
