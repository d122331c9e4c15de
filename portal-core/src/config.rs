//! What an integrator configures: one struct every layer reads the part of it it needs. The
//! host fills it from the environment; the defaults serve a local demo.
use std::net::IpAddr;
use std::path::PathBuf;

/// Settings an integrator chooses. Defaults need no editing for local use.
#[derive(Clone, Debug)]
pub struct PortalConfig {
    /// Workspaces are served at `{slug}.{base_domain}`; on the base domain itself (and on
    /// `localhost` or an IP) the `/w/{slug}/` path prefix is used instead.
    pub base_domain: String,
    /// Templates here override embedded ones by name.
    pub template_dir: Option<PathBuf>,
    /// Mark cookies `Secure` (serve over TLS).
    pub secure_cookies: bool,
    /// Absolute lifetime of a session.
    pub session_ttl_secs: i64,
    /// A session unused for this long ends.
    pub session_idle_secs: i64,
    /// Sign-in attempts allowed per minute from one address, and for one account.
    pub attempts_per_address: u32,
    pub attempts_per_account: u32,
    /// Proxies whose `X-Forwarded-For` / `Forwarded` headers name the client (see
    /// `web::client_addr`); none by default, so the TCP peer is the client.
    pub trusted_proxies: TrustedProxies,
    /// The address users reach the base domain at (scheme, host, port), for links in emails:
    /// `https://portal.example` gives `https://{slug}.portal.example`; on `localhost` links
    /// use the `/w/{slug}` prefix.
    pub public_url: String,
    pub mail: crate::email::MailConfig,
    /// The hour (UTC, 0–23) daily notification digests go out.
    pub digest_hour: u8,
    /// Where uploaded files are stored.
    pub files: crate::files::FileBackend,
    /// The largest upload, in MB, for workspaces without their own limit.
    pub max_file_mb: u64,
    /// What one contact may upload in an hour, in MB (`files::UploadBudget`).
    pub contact_upload_mb_per_hour: u64,
    /// Make image thumbnails in a background task of this process (tests call
    /// `files::thumbnails::make_due` themselves).
    pub thumbnails_in_background: bool,
    /// The deployment's key for secrets kept at rest (`secrets::SecretBox`). Keep it: values
    /// sealed under a lost key cannot be opened. A fresh random one by default.
    pub secret_key: crate::secrets::SecretKey,
    /// Where the Stripe API is (`https://api.stripe.com`); the tests point it at their own
    /// Stripe-compatible server.
    pub stripe_api_base: String,
}

impl Default for PortalConfig {
    fn default() -> Self {
        PortalConfig {
            base_domain: "localhost".into(),
            template_dir: None,
            secure_cookies: false,
            session_ttl_secs: 14 * 24 * 3600,
            session_idle_secs: 12 * 3600,
            attempts_per_address: 30,
            attempts_per_account: 5,
            trusted_proxies: Default::default(),
            public_url: "http://localhost:3000".into(),
            mail: crate::email::MailConfig::default(),
            digest_hour: 7,
            files: crate::files::FileBackend::default(),
            max_file_mb: 100,
            contact_upload_mb_per_hour: 1024,
            thumbnails_in_background: true,
            secret_key: crate::secrets::SecretKey::random(),
            stripe_api_base: "https://api.stripe.com".into(),
        }
    }
}

/// Networks whose forwarding headers are believed.
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(Vec<ipnet::IpNet>);

impl TrustedProxies {
    /// `10.0.0.0/8, 192.168.1.10, ::1` — networks or single addresses, by comma or space.
    pub fn parse(raw: &str) -> Result<TrustedProxies, String> {
        raw.split([',', ' '])
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| {
                p.parse::<ipnet::IpNet>()
                    .or_else(|_| p.parse::<IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| format!("`{p}` is not an address or a network like 10.0.0.0/8"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(TrustedProxies)
    }

    pub fn trusts(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|net| net.contains(&ip))
    }
}

/// IPv4 addresses written as IPv6 (`::ffff:a.b.c.d`, as a dual-stack socket reports them)
/// are read as IPv4.
pub(crate) fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}
