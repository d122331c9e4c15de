//! A real SMTP server for tests that read what the portal mails: Debian's `aiosmtpd`, one per
//! test, storing what it receives in a maildir the test reads back.
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct MailServer {
    child: Child,
    pub port: u16,
    dir: tempfile::TempDir,
}

/// One received message, decoded.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: String,
    pub from: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Attached files: (file name, content type with its parameters, text).
    pub attachments: Vec<(String, String, String)>,
}

impl Mail {
    /// The token of the first `/portal/{segment}/{token}` link in the plain-text part.
    pub fn token(&self, segment: &str) -> Option<String> {
        let marker = format!("/portal/{segment}/");
        let at = self.text.find(&marker)? + marker.len();
        let token: String = self.text[at..]
            .chars()
            .take_while(char::is_ascii_hexdigit)
            .collect();
        (token.len() == 64).then_some(token)
    }
}

fn python() -> &'static str {
    // Debian's interpreter, which sees Debian's python3-aiosmtpd, even when another python3
    // comes first on PATH.
    if Path::new("/usr/bin/python3").exists() {
        "/usr/bin/python3"
    } else {
        "python3"
    }
}

impl MailServer {
    pub async fn start() -> MailServer {
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap();
        let child = Command::new(python())
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(dir.path().join("box"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 with aiosmtpd (tests/run.sh installs python3-aiosmtpd)");
        let server = MailServer { child, port, dir };
        for _ in 0..200 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the test SMTP server did not start on port {port}");
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Everything received so far, oldest first.
    pub fn received(&self) -> Vec<Mail> {
        let new = self.dir.path().join("box").join("new");
        let mut files: Vec<_> = std::fs::read_dir(&new)
            .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
            .unwrap_or_default();
        // Maildir names start with the delivery time; the file's age breaks ties.
        files.sort_by_key(|p| {
            std::fs::metadata(p)
                .and_then(|m| m.modified())
                .unwrap_or(std::time::SystemTime::UNIX_EPOCH)
        });
        files
            .iter()
            .map(|p| parse(&std::fs::read(p).unwrap()))
            .collect()
    }

    /// Waits (up to 10 s) until `to` has received at least `count` messages; returns theirs.
    pub async fn wait_for(&self, to: &str, count: usize) -> Vec<Mail> {
        for _ in 0..200 {
            let mine: Vec<Mail> = self.received().into_iter().filter(|m| m.to == to).collect();
            if mine.len() >= count {
                return mine;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "{to} did not receive {count} message(s); received: {:?}",
            self.received()
        );
    }
}

impl Drop for MailServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn parse(raw: &[u8]) -> Mail {
    let parsed = mailparse::parse_mail(raw).unwrap();
    let header = |name: &str| {
        parsed
            .headers
            .iter()
            .find(|h| h.get_key().eq_ignore_ascii_case(name))
            .map(|h| h.get_value())
            .unwrap_or_default()
    };
    // Every leaf part, however the message nests them (alternative inside mixed).
    fn leaves<'a>(p: &'a mailparse::ParsedMail<'a>, out: &mut Vec<&'a mailparse::ParsedMail<'a>>) {
        if p.subparts.is_empty() {
            out.push(p);
        }
        for sub in &p.subparts {
            leaves(sub, out);
        }
    }
    let mut all = Vec::new();
    leaves(&parsed, &mut all);
    let attachment = |p: &mailparse::ParsedMail| {
        let d = p.get_content_disposition();
        (d.disposition == mailparse::DispositionType::Attachment)
            .then(|| d.params.get("filename").cloned().unwrap_or_default())
    };
    let part = |mime: &str| {
        all.iter()
            .find(|p| p.ctype.mimetype == mime && attachment(p).is_none())
            .map(|p| p.get_body().unwrap())
            .unwrap_or_default()
    };
    let attachments = all
        .iter()
        .filter_map(|p| {
            let name = attachment(p)?;
            let header = p
                .headers
                .iter()
                .find(|h| h.get_key().eq_ignore_ascii_case("Content-Type"))
                .map(|h| h.get_value())
                .unwrap_or_default();
            Some((name, header, p.get_body().unwrap()))
        })
        .collect();
    let to = header("To");
    let to = to
        .rsplit_once('<')
        .map(|(_, a)| a.trim_end_matches('>').to_string())
        .unwrap_or(to);
    Mail {
        to,
        from: header("From"),
        subject: header("Subject"),
        text: part("text/plain"),
        html: part("text/html"),
        attachments,
    }
}
