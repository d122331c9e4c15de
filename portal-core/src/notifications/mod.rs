//! Notifications: what a contact is told, in the portal's feed and by email.
//!
//! A module announces something with [`notify`], inside the scoped write transaction that
//! makes it true (the reply, the invoice): the feed entries and any immediate emails commit
//! with it or not at all. Each contact chooses per kind ([`crate::module::NotificationKind`])
//! how email reaches them — immediately, in a daily digest ([`digest`]), or not at all; the
//! feed has everything they may still see ([`FeedRules`]).
//!
//! What a notification says is the sender's text, shown to the contact as is: senders must
//! never put internal material (a staff note, a draft) in a title or body. The core keeps
//! the other half of that promise: only contacts of the client, active, and holding the
//! kind's permission ever receive one.
pub mod digest;
pub(crate) mod feed;
mod notifier;
mod rules;
mod send;
mod team;
mod unread;

pub use feed::FeedEntry;
pub(crate) use feed::{feed, kinds_for, mark_all_read, mark_read, preferences, set_preferences};
pub use notifier::Notifier;
pub use rules::{FeedRules, RecordRule};
pub use send::{notify, retract, revise, Notice, Recipients};
pub use team::{tell_team, TeamNotice};
pub use unread::{Summary, UnreadCache};

use serde::Serialize;

/// How a contact wants email about one kind of notification.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    Immediately,
    Daily,
    Never,
}

impl Delivery {
    pub const ALL: [Delivery; 3] = [Delivery::Immediately, Delivery::Daily, Delivery::Never];

    pub fn as_str(self) -> &'static str {
        match self {
            Delivery::Immediately => "immediately",
            Delivery::Daily => "daily",
            Delivery::Never => "never",
        }
    }

    pub fn parse(raw: &str) -> Option<Delivery> {
        Delivery::ALL.into_iter().find(|d| d.as_str() == raw)
    }

    pub fn label(self) -> &'static str {
        match self {
            Delivery::Immediately => "Email me right away",
            Delivery::Daily => "In a daily summary",
            Delivery::Never => "Don't email me",
        }
    }
}
