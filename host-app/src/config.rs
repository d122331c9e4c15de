//! Configuration: an optional TOML file, then environment variables, over defaults that need
//! no editing for local use.
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use portal_core::secrets::SecretKey;
use portal_core::web::client_addr::TrustedProxies;
use serde::Deserialize;

#[derive(Clone, Debug)]
pub struct Config {
    pub bind: SocketAddr,
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; defaults to `portico.db` in the data directory.
    pub database_url: String,
    pub base_domain: String,
    pub plans_dir: PathBuf,
    pub template_dir: Option<PathBuf>,
    pub secure_cookies: bool,
    pub log_format: LogFormat,
    /// Where users reach the base domain, for links in emails.
    pub public_url: String,
    /// `smtp://…` / `smtps://…`; without it mail is written as `.eml` files to `data_dir/mail`.
    pub smtp_url: Option<String>,
    pub mail_from: String,
    /// Apply pending migrations when serving. Turn off when serving as an application role
    /// that may not change the schema (migrate as the owner with `portico migrate`).
    pub migrate_on_start: bool,
    /// A session ends this many hours after sign-in, whatever happens.
    pub session_hours: i64,
    /// A session unused for this many minutes ends.
    pub session_idle_minutes: i64,
    /// The hour (UTC) daily notification digests go out.
    pub digest_hour: u8,
    /// Where uploads are stored: a directory, or `s3://bucket[/prefix]`.
    pub file_store: Option<String>,
    /// The largest upload, in MB, unless a workspace has its own limit.
    pub max_file_mb: u64,
    /// What one contact may upload in an hour, in MB.
    pub contact_upload_mb_per_hour: u64,
    /// The key sealing secrets at rest (workspaces' Stripe keys), given as 64 hex digits.
    /// Without it, one is generated once and kept in `data_dir/secret.key`. Hidden from
    /// `Debug`.
    pub secret_key: Option<SecretKey>,
    /// The Stripe API's address; a Stripe-compatible test server's in tests.
    pub stripe_api_base: Option<String>,
    /// Proxies in front of the portal whose forwarding headers name the client.
    pub trusted_proxies: TrustedProxies,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    bind: Option<String>,
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    base_domain: Option<String>,
    plans_dir: Option<PathBuf>,
    template_dir: Option<PathBuf>,
    secure_cookies: Option<bool>,
    log_format: Option<String>,
    public_url: Option<String>,
    smtp_url: Option<String>,
    mail_from: Option<String>,
    migrate_on_start: Option<bool>,
    session_hours: Option<i64>,
    session_idle_minutes: Option<i64>,
    digest_hour: Option<i64>,
    file_store: Option<String>,
    max_file_mb: Option<i64>,
    contact_upload_mb_per_hour: Option<i64>,
    secret_key: Option<String>,
    stripe_api_base: Option<String>,
    trusted_proxies: Option<String>,
}

/// The environment variables read, with the file key each overrides.
pub const ENV_VARS: &[(&str, &str)] = &[
    ("PORTICO_BIND", "bind"),
    ("PORTICO_DATA_DIR", "data_dir"),
    ("DATABASE_URL", "database_url"),
    ("PORTICO_BASE_DOMAIN", "base_domain"),
    ("PORTICO_PLANS_DIR", "plans_dir"),
    ("PORTICO_TEMPLATE_DIR", "template_dir"),
    ("PORTICO_SECURE_COOKIES", "secure_cookies"),
    ("PORTICO_LOG_FORMAT", "log_format"),
    ("PORTICO_PUBLIC_URL", "public_url"),
    ("PORTICO_SMTP_URL", "smtp_url"),
    ("PORTICO_MAIL_FROM", "mail_from"),
    ("PORTICO_MIGRATE_ON_START", "migrate_on_start"),
    ("PORTICO_SESSION_HOURS", "session_hours"),
    ("PORTICO_SESSION_IDLE_MINUTES", "session_idle_minutes"),
    ("PORTICO_DIGEST_HOUR", "digest_hour"),
    ("PORTICO_FILE_STORE", "file_store"),
    ("PORTICO_MAX_FILE_MB", "max_file_mb"),
    (
        "PORTICO_CONTACT_UPLOAD_MB_PER_HOUR",
        "contact_upload_mb_per_hour",
    ),
    ("PORTICO_SECRET_KEY", "secret_key"),
    ("PORTICO_STRIPE_API_BASE", "stripe_api_base"),
    ("PORTICO_TRUSTED_PROXIES", "trusted_proxies"),
];

impl Config {
    /// Reads `file` (if given, or `portico.toml` if present), then the environment.
    pub fn load(
        file: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
    ) -> anyhow::Result<Config> {
        let default_file = Path::new("portico.toml");
        let file_cfg: FileConfig = match file {
            Some(path) => read_file(path)?,
            None if default_file.exists() => read_file(default_file)?,
            None => FileConfig::default(),
        };
        let bind = env("PORTICO_BIND")
            .or(file_cfg.bind)
            .unwrap_or_else(|| "127.0.0.1:3000".into());
        let bind: SocketAddr = bind.parse().with_context(|| {
            format!("bind address `{bind}` is not HOST:PORT (e.g. 127.0.0.1:3000)")
        })?;
        let data_dir = env("PORTICO_DATA_DIR")
            .map(PathBuf::from)
            .or(file_cfg.data_dir)
            .unwrap_or_else(|| PathBuf::from("data"));
        let database_url = env("DATABASE_URL")
            .or(file_cfg.database_url)
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("portico.db").display()));
        let secure_cookies = match env("PORTICO_SECURE_COOKIES") {
            Some(v) => parse_bool("PORTICO_SECURE_COOKIES", &v)?,
            None => file_cfg.secure_cookies.unwrap_or(false),
        };
        let log_format = match env("PORTICO_LOG_FORMAT").or(file_cfg.log_format).as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => bail!("log format `{other}` is not `text` or `json`"),
        };
        let base_domain = env("PORTICO_BASE_DOMAIN")
            .or(file_cfg.base_domain)
            .unwrap_or_else(|| "localhost".into())
            .to_ascii_lowercase();
        let public_url = env("PORTICO_PUBLIC_URL")
            .or(file_cfg.public_url)
            .unwrap_or_else(|| format!("http://{base_domain}:{}", bind.port()));
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            bail!("public URL `{public_url}` must start with http:// or https://");
        }
        let mail_from = env("PORTICO_MAIL_FROM")
            .or(file_cfg.mail_from)
            .unwrap_or_else(|| format!("portal@{base_domain}"));
        let migrate_on_start = match env("PORTICO_MIGRATE_ON_START") {
            Some(v) => parse_bool("PORTICO_MIGRATE_ON_START", &v)?,
            None => file_cfg.migrate_on_start.unwrap_or(true),
        };
        let session_hours = match env("PORTICO_SESSION_HOURS") {
            Some(v) => parse_count("PORTICO_SESSION_HOURS", &v)?,
            None => file_cfg.session_hours.unwrap_or(14 * 24),
        };
        let session_idle_minutes = match env("PORTICO_SESSION_IDLE_MINUTES") {
            Some(v) => parse_count("PORTICO_SESSION_IDLE_MINUTES", &v)?,
            None => file_cfg.session_idle_minutes.unwrap_or(12 * 60),
        };
        if !(1..=24 * 366).contains(&session_hours) {
            bail!("session_hours = {session_hours}: use 1 to 8784 (a year)");
        }
        if !(5..=session_hours * 60).contains(&session_idle_minutes) {
            bail!("session_idle_minutes = {session_idle_minutes}: use 5 up to the session's lifetime in minutes");
        }
        let digest_hour = match env("PORTICO_DIGEST_HOUR") {
            Some(v) => parse_count("PORTICO_DIGEST_HOUR", &v)?,
            None => file_cfg.digest_hour.unwrap_or(7),
        };
        let Some(digest_hour) = u8::try_from(digest_hour).ok().filter(|h| *h < 24) else {
            bail!("digest_hour = {digest_hour}: use an hour of the day, 0 to 23 (UTC)");
        };
        let max_file_mb = match env("PORTICO_MAX_FILE_MB") {
            Some(v) => parse_count("PORTICO_MAX_FILE_MB", &v)?,
            None => file_cfg.max_file_mb.unwrap_or(100),
        };
        let Some(max_file_mb) = u64::try_from(max_file_mb).ok().filter(|m| *m >= 1) else {
            bail!("max_file_mb = {max_file_mb}: use a whole number of megabytes, at least 1");
        };
        let per_hour = match env("PORTICO_CONTACT_UPLOAD_MB_PER_HOUR") {
            Some(v) => parse_count("PORTICO_CONTACT_UPLOAD_MB_PER_HOUR", &v)?,
            None => file_cfg.contact_upload_mb_per_hour.unwrap_or(1024),
        };
        let Some(contact_upload_mb_per_hour) = u64::try_from(per_hour).ok().filter(|m| *m >= 1)
        else {
            bail!("contact_upload_mb_per_hour = {per_hour}: use a whole number of megabytes, at least 1");
        };
        let trusted_proxies = env("PORTICO_TRUSTED_PROXIES")
            .or(file_cfg.trusted_proxies)
            .unwrap_or_default();
        let trusted_proxies = TrustedProxies::parse(&trusted_proxies)
            .map_err(|e| anyhow::anyhow!("trusted_proxies: {e}"))?;
        Ok(Config {
            trusted_proxies,
            digest_hour,
            file_store: env("PORTICO_FILE_STORE")
                .or(file_cfg.file_store)
                .filter(|s| !s.is_empty()),
            max_file_mb,
            contact_upload_mb_per_hour,
            secret_key: match env("PORTICO_SECRET_KEY")
                .or(file_cfg.secret_key)
                .filter(|s| !s.is_empty())
            {
                Some(hex) => Some(
                    SecretKey::from_hex(&hex)
                        .context("PORTICO_SECRET_KEY: the secret key must be 64 hex digits")?,
                ),
                None => None,
            },
            stripe_api_base: env("PORTICO_STRIPE_API_BASE")
                .or(file_cfg.stripe_api_base)
                .filter(|s| !s.is_empty()),
            session_hours,
            session_idle_minutes,
            migrate_on_start,
            bind,
            data_dir,
            database_url,
            base_domain,
            public_url,
            smtp_url: env("PORTICO_SMTP_URL")
                .or(file_cfg.smtp_url)
                .filter(|u| !u.is_empty()),
            mail_from,
            plans_dir: env("PORTICO_PLANS_DIR")
                .map(PathBuf::from)
                .or(file_cfg.plans_dir)
                .unwrap_or_else(|| PathBuf::from("plans")),
            template_dir: env("PORTICO_TEMPLATE_DIR")
                .map(PathBuf::from)
                .or(file_cfg.template_dir),
            secure_cookies,
            log_format,
        })
    }

    /// The key sealing secrets at rest: the configured one, else the one kept in the data
    /// directory — made there, readable by this user only, the first time.
    pub fn secret_key(&self) -> anyhow::Result<SecretKey> {
        if let Some(key) = &self.secret_key {
            return Ok(key.clone());
        }
        let path = self.data_dir.join("secret.key");
        match std::fs::read_to_string(&path) {
            Ok(hex) => SecretKey::from_hex(&hex).with_context(|| {
                format!("{}: the secret key must be 64 hex digits", path.display())
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = SecretKey::random();
                std::fs::create_dir_all(&self.data_dir)
                    .with_context(|| format!("cannot create {}", self.data_dir.display()))?;
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                {
                    use std::os::unix::fs::OpenOptionsExt;
                    options.mode(0o600);
                }
                use std::io::Write;
                options
                    .open(&path)
                    .and_then(|mut f| f.write_all(key.to_hex().as_bytes()))
                    .with_context(|| format!("cannot write {}", path.display()))?;
                Ok(key)
            }
            Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    }

    pub fn portal_config(&self) -> anyhow::Result<portal_core::PortalConfig> {
        use portal_core::email::{MailConfig, MailTransport};
        let transport = match &self.smtp_url {
            Some(url) => MailTransport::Smtp(url.clone()),
            None => MailTransport::Directory(self.data_dir.join("mail")),
        };
        Ok(portal_core::PortalConfig {
            base_domain: self.base_domain.clone(),
            template_dir: self.template_dir.clone(),
            secure_cookies: self.secure_cookies,
            public_url: self.public_url.clone(),
            session_ttl_secs: self.session_hours * 3600,
            session_idle_secs: self.session_idle_minutes * 60,
            digest_hour: self.digest_hour,
            files: match &self.file_store {
                Some(url) if url.starts_with("s3://") => {
                    portal_core::files::FileBackend::S3(portal_core::files::S3Config::from_url(url))
                }
                Some(dir) => portal_core::files::FileBackend::Local(PathBuf::from(dir)),
                None => portal_core::files::FileBackend::Local(self.data_dir.join("files")),
            },
            max_file_mb: self.max_file_mb,
            contact_upload_mb_per_hour: self.contact_upload_mb_per_hour,
            trusted_proxies: self.trusted_proxies.clone(),
            thumbnails_in_background: true,
            secret_key: self.secret_key()?,
            stripe_api_base: self
                .stripe_api_base
                .clone()
                .unwrap_or_else(|| "https://api.stripe.com".into()),
            mail: MailConfig {
                from_address: self.mail_from.clone(),
                transport,
                deliver: true,
            },
            ..Default::default()
        })
    }
}

fn read_file(path: &Path) -> anyhow::Result<FileConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the configuration file {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("invalid configuration file {}", path.display()))
}

fn parse_count(name: &str, v: &str) -> anyhow::Result<i64> {
    v.trim()
        .parse::<i64>()
        .with_context(|| format!("{name}=`{v}` is not a whole number"))
}

fn parse_bool(name: &str, v: &str) -> anyhow::Result<bool> {
    match v {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" | "" => Ok(false),
        _ => bail!("{name}=`{v}` is not a boolean (true/false)"),
    }
}
