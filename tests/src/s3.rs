//! An S3-compatible server for the file-store tests: `moto` in server mode (from PyPI;
//! `tests/run.sh` installs it), one per test, with one bucket.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct S3Server {
    child: Child,
    pub endpoint: String,
    pub bucket: &'static str,
}

impl S3Server {
    pub async fn start() -> S3Server {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let child = Command::new("python3")
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 with moto[server] (tests/run.sh installs it)");
        // Owned at once, so a failed start still stops the process (see `Drop`).
        let server = S3Server {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
            bucket: "portico-test",
        };
        let http = reqwest::Client::new();
        for _ in 0..300 {
            let made = http
                .put(format!("{}/{}", server.endpoint, server.bucket))
                .send()
                .await;
            if made.is_ok_and(|r| r.status().is_success()) {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("moto did not start on port {port}");
    }

    /// The portal's configuration for this bucket.
    pub fn backend(&self) -> portal_core::files::FileBackend {
        portal_core::files::FileBackend::S3(portal_core::files::S3Config {
            url: format!("s3://{}", self.bucket),
            endpoint: Some(self.endpoint.clone()),
            region: Some("us-east-1".into()),
            access_key_id: Some("test".into()),
            secret_access_key: Some("test".into()),
            allow_http: true,
        })
    }

    /// How many objects the bucket holds.
    pub async fn objects(&self) -> usize {
        let body = reqwest::get(format!("{}/{}?list-type=2", self.endpoint, self.bucket))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        body.matches("<Key>").count()
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
