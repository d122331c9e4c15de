//! What a page says after a change ("Changes saved."). A handler that changed something
//! redirects with a key (`ctx.redirect_done("/clients/7", ClientsDone::Saved)` →
//! `/admin/clients/7?done=saved`); the page it lands on reads the key back with
//! [`Done<F>`] and shows the fixed message that goes with it. Messages are never text from
//! the request, so a crafted link can only pick one of the page's own sentences, and a key
//! a page does not know is simply no message.
//!
//! Each page's keys are an enum written with [`crate::flash!`], so a redirect cannot name
//! a message its page does not have.
use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

/// A page's fixed messages, one per key. Written by [`crate::flash!`].
pub trait Flash: Copy + Send + Sync + 'static {
    /// The key in `?done=`.
    fn key(self) -> &'static str;
    /// What the page says.
    fn message(self) -> &'static str;
    /// The message a key stands for, if this page has it.
    fn from_key(key: &str) -> Option<Self>;
}

/// Declares a page's messages: `flash! { pub enum SettingsDone { Saved = "saved" => "Changes
/// saved." } }`. The keys stay what they were in links already sent, so rename a variant
/// freely but keep its key.
#[macro_export]
macro_rules! flash {
    ($(#[$meta:meta])* $vis:vis enum $name:ident {
        $($(#[$vmeta:meta])* $variant:ident = $key:literal => $message:literal),+ $(,)?
    }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        $vis enum $name { $($(#[$vmeta])* $variant),+ }

        impl $crate::web::flash::Flash for $name {
            fn key(self) -> &'static str {
                match self { $(Self::$variant => $key),+ }
            }
            fn message(self) -> &'static str {
                match self { $(Self::$variant => $message),+ }
            }
            fn from_key(key: &str) -> ::std::option::Option<Self> {
                match key { $($key => Some(Self::$variant),)+ _ => None }
            }
        }
    };
}

/// The key a page was reached with, as one of its messages; never rejects.
#[derive(Clone, Copy, Debug)]
pub struct Done<F>(pub Option<F>);

impl<F: Flash> Done<F> {
    /// The sentence to show, if the page was reached after a change.
    pub fn message(&self) -> Option<&'static str> {
        self.0.map(F::message)
    }
}

impl<F: Flash, S: Send + Sync> FromRequestParts<S> for Done<F> {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        let query = parts.uri.query().unwrap_or("");
        let key = form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == "done")
            .map(|(_, v)| v);
        Ok(Done(key.and_then(|k| F::from_key(&k))))
    }
}

/// `link` with `?done=key` added, before any `#fragment` (`/projects/3#task-9`).
pub fn with_done(link: &str, done: impl Flash) -> String {
    let (path, fragment) = match link.split_once('#') {
        Some((path, fragment)) => (path, Some(fragment)),
        None => (link, None),
    };
    let join = if path.contains('?') { '&' } else { '?' };
    let mut out = format!("{path}{join}done={}", done.key());
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::flash! {
        enum Page {
            Saved = "saved" => "Changes saved.",
            Sent = "sent" => "Sent.",
        }
    }

    #[test]
    fn keys_go_before_the_fragment_and_come_back_as_their_message() {
        assert_eq!(with_done("/a/3", Page::Saved), "/a/3?done=saved");
        assert_eq!(
            with_done("/a/3#task-9", Page::Sent),
            "/a/3?done=sent#task-9"
        );
        assert_eq!(with_done("/a?x=1", Page::Sent), "/a?x=1&done=sent");
        assert_eq!(Page::from_key("sent").map(Page::message), Some("Sent."));
        assert_eq!(Page::from_key("<script>"), None);
    }
}
