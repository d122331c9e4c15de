//! What telling contacts and the team needs, handed down from the application once: the
//! kinds the running modules declare, the rules of what a feed may show, the unread badges to
//! refresh, and the mailroom for emails. Cheap to clone.
use std::sync::Arc;

use crate::email::Mailroom;
use crate::module::{Declarations, NotificationKind};
use crate::notifications::{FeedRules, UnreadCache};

#[derive(Clone)]
pub struct Notifier {
    /// Every declared kind with the module that declares it (`core` for the core's own).
    pub kinds: Arc<[(&'static str, NotificationKind)]>,
    pub rules: FeedRules,
    pub unread: UnreadCache,
    pub mailroom: Mailroom,
}

impl Notifier {
    pub fn new(registry: &Declarations, unread: UnreadCache, mailroom: Mailroom) -> Notifier {
        Notifier {
            kinds: registry.notification_kinds().into(),
            rules: FeedRules::of(registry),
            unread,
            mailroom,
        }
    }

    pub fn kind(&self, key: &str) -> Option<&(&'static str, NotificationKind)> {
        self.kinds.iter().find(|(_, k)| k.key == key)
    }
}
