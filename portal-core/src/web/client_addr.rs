//! The address a request came from: the TCP peer, unless the peer is one of the deployment's
//! trusted proxies (`PORTICO_TRUSTED_PROXIES`), in which case the address that proxy says it
//! forwarded for (`X-Forwarded-For`, or the standard `Forwarded`).
//!
//! Behind a TLS proxy every request's peer is the proxy: without this, every visitor would
//! share one rate-limit budget, and one person's wrong passwords would block sign-in for
//! everyone. Headers are believed only from trusted peers — from anyone else they are
//! whatever the client chose to write — and the chain is read from the right, skipping
//! trusted hops, so a client cannot push a forged address past the proxy in front of it.
use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;

use crate::app::AppState;

use crate::config::canonical;
pub use crate::config::TrustedProxies;

impl TrustedProxies {
    /// The client's address for a request from `peer` with `headers`.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = canonical(peer);
        if !self.trusts(peer) {
            return peer;
        }
        // Hops as the proxies appended them, nearest last; walk back past trusted ones.
        let mut hops = forwarded_for(headers);
        while let Some(hop) = hops.pop() {
            if !self.trusts(hop) {
                return hop;
            }
        }
        peer
    }
}

/// Every address in the `Forwarded` headers (RFC 7239 `for=`), or else in `X-Forwarded-For`,
/// in order. An entry that is not an address (`unknown`, an obfuscated name, garbage) ends
/// the chain there: nothing before it can be trusted to be what it says.
fn forwarded_for(headers: &HeaderMap) -> Vec<IpAddr> {
    let standard: Vec<&str> = headers
        .get_all(axum::http::header::FORWARDED)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|element| {
            element.split(';').find_map(|pair| {
                let (k, v) = pair.trim().split_once('=')?;
                k.trim().eq_ignore_ascii_case("for").then_some(v.trim())
            })
        })
        .collect();
    let entries: Vec<String> = if !standard.is_empty() {
        standard.into_iter().map(str::to_string).collect()
    } else {
        headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|s| s.trim().to_string())
            .collect()
    };
    let mut out = Vec::new();
    for entry in entries.iter().take(64) {
        match parse_node(entry) {
            Some(ip) => out.push(canonical(ip)),
            None => out.clear(),
        }
    }
    out
}

/// `192.0.2.1`, `"192.0.2.1:4711"`, `"[2001:db8::1]:4711"`, `2001:db8::1`.
fn parse_node(raw: &str) -> Option<IpAddr> {
    let raw = raw.trim().trim_matches('"');
    if let Ok(ip) = raw.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Ok(sock) = raw.parse::<SocketAddr>() {
        return Some(sock.ip());
    }
    raw.strip_prefix('[')
        .and_then(|r| r.split_once(']'))
        .and_then(|(ip, _)| ip.parse().ok())
}

/// The address a request came from — when the server runs with connection info, as `serve`
/// and the tests do; `None` otherwise. For rate limits, session lists and the audit log.
#[derive(Clone, Copy, Debug, Default)]
pub struct ClientAddr(pub Option<IpAddr>);

impl ClientAddr {
    /// As the audit log and session lists write it (empty when unknown).
    pub fn text(self) -> String {
        self.0.map(|ip| ip.to_string()).unwrap_or_default()
    }

    pub fn of(parts: &Parts) -> ClientAddr {
        if let Some(found) = parts.extensions.get::<ClientAddr>() {
            return *found;
        }
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>();
        ClientAddr(peer.map(|c| canonical(c.0.ip())))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr::of(parts))
    }
}

/// Outermost layer: works out the client's address once, for every extractor after it.
pub async fn resolve(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let client = peer.map(|p| state.config.trusted_proxies.client(p, req.headers()));
    req.extensions_mut().insert(ClientAddr(client));
    next.run(req).await
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarding_headers_are_believed_only_from_trusted_proxies() {
        let proxies = TrustedProxies::parse("10.0.0.0/8, 2001:db8::/32 127.0.0.1").unwrap();
        let h = headers(&[("x-forwarded-for", "198.51.100.7")]);
        assert_eq!(proxies.client(ip("10.1.2.3"), &h), ip("198.51.100.7"));
        assert_eq!(proxies.client(ip("203.0.113.5"), &h), ip("203.0.113.5"));
        assert_eq!(
            proxies.client(ip("::ffff:10.1.2.3"), &h),
            ip("198.51.100.7")
        );
        // Nothing trusted at all: the peer, whatever the headers say.
        let none = TrustedProxies::default();
        assert_eq!(none.client(ip("10.1.2.3"), &h), ip("10.1.2.3"));
    }

    #[test]
    fn a_client_cannot_forge_its_way_past_the_proxy() {
        let proxies = TrustedProxies::parse("10.0.0.0/8").unwrap();
        // The client wrote 1.1.1.1 itself; the proxy appended the address it saw.
        let h = headers(&[("x-forwarded-for", "1.1.1.1, 198.51.100.7, 10.0.0.2")]);
        assert_eq!(proxies.client(ip("10.0.0.1"), &h), ip("198.51.100.7"));
        let h = headers(&[
            ("x-forwarded-for", "1.1.1.1"),
            ("x-forwarded-for", "198.51.100.7"),
        ]);
        assert_eq!(proxies.client(ip("10.0.0.1"), &h), ip("198.51.100.7"));
        // Garbage in the chain stops the walk; only what the trusted hops added counts.
        let h = headers(&[("x-forwarded-for", "198.51.100.7, nonsense")]);
        assert_eq!(proxies.client(ip("10.0.0.1"), &h), ip("10.0.0.1"));
    }

    #[test]
    fn the_standard_forwarded_header_is_read_too() {
        let proxies = TrustedProxies::parse("10.0.0.0/8").unwrap();
        let h = headers(&[(
            "forwarded",
            r#"for=192.0.2.60;proto=https, for="[2001:db8:cafe::17]:4711""#,
        )]);
        assert_eq!(proxies.client(ip("10.9.9.9"), &h), ip("2001:db8:cafe::17"));
        let h = headers(&[("forwarded", "for=unknown")]);
        assert_eq!(proxies.client(ip("10.9.9.9"), &h), ip("10.9.9.9"));
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("proxy.internal").is_err());
    }
}
