//! How a workspace arranges its portal home: which quick-action cards and widgets show, in
//! which order, under which titles, and — for widgets that offer them — which choices (the
//! task statuses an "ongoing tasks" widget lists).
//!
//! The blocks come from the registry (each module's `quick_actions` and `widget_kinds`, plus
//! the core's recent notifications); the workspace's choices from `home_blocks`, cached per
//! workspace revision — every change bumps the revision, so the next request sees it, on
//! every instance.
use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;

use crate::db::writes::WriteMark;
use crate::db::{Day, Db, ScopedTx};
use crate::error::Result;
use crate::module::{Declarations, WidgetKind};
use crate::tenancy::Tenant;

/// The core's own widget: the contact's newest notifications.
pub const NOTIFICATIONS_WIDGET: &str = "widget:core.notifications";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockKind {
    Card,
    Widget,
}

/// A block the home page can show, as declared.
#[derive(Clone, Debug, Serialize)]
pub struct Block {
    /// `card:{module}.{key}` or `widget:{module}.{key}`.
    pub key: String,
    pub module: &'static str,
    pub kind: BlockKind,
    pub label: &'static str,
    /// A card's line under its label.
    pub description: &'static str,
    pub default_order: i32,
    pub choices: &'static [(&'static str, &'static str)],
    pub default_choices: &'static [&'static str],
}

pub fn card_key(module: &str, key: &str) -> String {
    format!("card:{module}.{key}")
}

pub fn widget_key(module: &str, key: &str) -> String {
    format!("widget:{module}.{key}")
}

/// Every block of the running modules and the core, cards then widgets, in default order.
pub fn blocks(registry: &Declarations) -> Vec<Block> {
    let mut out = vec![Block {
        key: NOTIFICATIONS_WIDGET.into(),
        module: "core",
        kind: BlockKind::Widget,
        label: "Recent notifications",
        description: "",
        default_order: 5,
        choices: &[],
        default_choices: &[],
    }];
    for m in registry.all() {
        for c in m.quick_actions {
            out.push(Block {
                key: card_key(m.id, c.key),
                module: m.id,
                kind: BlockKind::Card,
                label: c.label,
                description: c.description,
                default_order: c.order,
                choices: &[],
                default_choices: &[],
            });
        }
        for w in m.widget_kinds {
            out.push(Block {
                key: widget_key(m.id, w.key),
                module: m.id,
                kind: BlockKind::Widget,
                label: w.label,
                description: "",
                default_order: w.order,
                choices: w.choices,
                default_choices: w.default_choices,
            });
        }
    }
    out.sort_by_key(|b| (b.kind == BlockKind::Widget, b.default_order));
    out
}

/// What a workspace chose for one block.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct BlockSetting {
    pub block: String,
    pub position: i32,
    pub shown: bool,
    pub title: Option<String>,
    pub text: Option<String>,
    /// Comma-separated.
    pub choices: Option<String>,
}

/// A workspace's choices, by block key.
#[derive(Debug, Default)]
pub struct Arrangement {
    settings: HashMap<String, BlockSetting>,
}

impl Arrangement {
    pub fn get(&self, key: &str) -> Option<&BlockSetting> {
        self.settings.get(key)
    }

    pub fn shown(&self, key: &str) -> bool {
        self.get(key).is_none_or(|s| s.shown)
    }

    /// The position the workspace gave the block; unarranged blocks follow arranged ones in
    /// their default order.
    pub fn position(&self, key: &str, default: i32) -> (i32, i32) {
        match self.get(key) {
            Some(s) => (s.position, default),
            None => (i32::MAX, default),
        }
    }

    pub fn title<'a>(&'a self, key: &str, default: &'a str) -> &'a str {
        self.get(key)
            .and_then(|s| s.title.as_deref())
            .filter(|t| !t.is_empty())
            .unwrap_or(default)
    }

    pub fn text<'a>(&'a self, key: &str, default: &'a str) -> &'a str {
        self.get(key)
            .and_then(|s| s.text.as_deref())
            .filter(|t| !t.is_empty())
            .unwrap_or(default)
    }

    /// The picked choices of a block, or its defaults.
    pub fn choices(&self, block: &Block) -> Vec<String> {
        self.picked(&block.key, block.choices, block.default_choices)
    }

    /// The workspace's choices for `module`'s widget `kind` (the statuses a tasks widget
    /// lists, say), or the kind's defaults.
    pub fn widget_choices(&self, module: &str, kind: &WidgetKind) -> Vec<String> {
        let key = widget_key(module, kind.key);
        self.picked(&key, kind.choices, kind.default_choices)
    }

    fn picked(&self, key: &str, allowed: &[(&str, &str)], defaults: &[&str]) -> Vec<String> {
        match self.get(key).and_then(|s| s.choices.as_deref()) {
            Some(raw) => raw
                .split(',')
                .filter(|c| allowed.iter().any(|(v, _)| v == c))
                .map(str::to_string)
                .collect(),
            None => defaults.iter().map(|c| c.to_string()).collect(),
        }
    }
}

/// Arrangements by workspace, each valid while the workspace's revision is unchanged; and
/// the widgets each contact was last shown, each valid while nothing was written since.
#[derive(Clone)]
pub struct HomeCache {
    cache: moka::future::Cache<i64, Arc<(i64, Arc<Arrangement>)>>,
    widgets: moka::sync::Cache<WidgetKey, Arc<(WidgetStamp, Option<String>)>>,
}

/// One widget as one viewer sees it.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct WidgetKey {
    pub viewer: Arc<Viewer>,
    pub module: &'static str,
    pub widget: &'static str,
}

/// Who sees a home, and where: one contact's session at one address (a widget's links carry
/// the workspace's base path; its forms, the session's CSRF token). Made once per home page
/// and shared by its widgets' keys.
#[derive(PartialEq, Eq, Hash)]
pub struct Viewer {
    pub contact_id: i64,
    pub csrf_token: String,
    pub base_path: String,
    pub preview: bool,
}

/// What a rendered widget depended on besides its key: the workspace's revision (plan,
/// permissions, arrangement, contacts), every write committed (the data it shows), and the
/// day (what is due or overdue). Read before the widget's data is.
#[derive(Clone, PartialEq, Eq)]
pub struct WidgetStamp {
    pub revision: i64,
    pub writes: WriteMark,
    pub day: Day,
}

/// Rendered widgets kept, in bytes of HTML: a few thousand signed-in contacts' homes.
const WIDGET_BYTES: u64 = 32 * 1024 * 1024;

impl Default for HomeCache {
    fn default() -> Self {
        HomeCache {
            cache: moka::future::Cache::builder().max_capacity(100_000).build(),
            widgets: moka::sync::Cache::builder()
                .weigher(|k: &WidgetKey, v: &Arc<(WidgetStamp, Option<String>)>| {
                    let bytes = k.viewer.csrf_token.len()
                        + k.viewer.base_path.len()
                        + v.1.as_ref().map_or(0, String::len)
                        + 64;
                    u32::try_from(bytes).unwrap_or(u32::MAX)
                })
                .max_capacity(WIDGET_BYTES)
                .time_to_idle(std::time::Duration::from_secs(600))
                .build(),
        }
    }
}

impl HomeCache {
    /// The workspace's arrangement, from the cache while its revision holds.
    pub async fn arrangement(&self, db: &Db, tenant: &Tenant) -> Result<Arc<Arrangement>> {
        let ws = &tenant.workspace;
        if let Some(hit) = self.cache.get(&ws.id).await {
            if hit.0 == ws.revision {
                return Ok(hit.1.clone());
            }
        }
        let rows = settings(db, ws.id).await?;
        let arrangement = Arc::new(Arrangement {
            settings: rows.into_iter().map(|r| (r.block.clone(), r)).collect(),
        });
        self.cache
            .insert(ws.id, Arc::new((ws.revision, arrangement.clone())))
            .await;
        Ok(arrangement)
    }

    /// The widget as rendered before, if nothing it depends on changed since; `Some(None)`
    /// when it had nothing to show.
    pub fn widget(&self, key: &WidgetKey, now: &WidgetStamp) -> Option<Option<String>> {
        let hit = self.widgets.get(key)?;
        (hit.0 == *now).then(|| hit.1.clone())
    }

    /// Keeps a widget rendered from data read after `stamp` was taken.
    pub fn keep_widget(&self, key: WidgetKey, stamp: WidgetStamp, html: Option<String>) {
        self.widgets.insert(key, Arc::new((stamp, html)));
    }
}

pub async fn settings(db: &Db, workspace_id: i64) -> Result<Vec<BlockSetting>> {
    let sql = "SELECT block, position, shown, title, text, choices FROM home_blocks \
               WHERE workspace_id = $1 ORDER BY position, block";
    db.query_as(sql).bind(workspace_id).fetch_all().await
}

/// Replaces the workspace's whole arrangement (checked by the caller).
pub async fn save(db: &Db, workspace_id: i64, settings: &[BlockSetting]) -> Result<()> {
    let mut tx = ScopedTx::begin_staff_write(db, workspace_id).await?;
    tx.query("DELETE FROM home_blocks WHERE workspace_id = $1")
        .bind(workspace_id)
        .execute()
        .await?;
    for s in settings {
        tx.query(
            "INSERT INTO home_blocks (workspace_id, block, position, shown, title, text, choices) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(workspace_id)
        .bind(&s.block)
        .bind(s.position)
        .bind(s.shown)
        .bind(&s.title)
        .bind(&s.text)
        .bind(&s.choices)
        .execute()
        .await?;
    }
    tx.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn viewer(csrf_token: &str) -> Arc<Viewer> {
        Arc::new(Viewer {
            contact_id: 1,
            csrf_token: csrf_token.into(),
            base_path: "/w/acme".into(),
            preview: false,
        })
    }

    fn key() -> WidgetKey {
        WidgetKey {
            viewer: viewer("t"),
            module: "projects",
            widget: "summary",
        }
    }

    /// A kept widget is shown only under the very stamp it was read under: another day, a
    /// write since or a new revision each read it afresh.
    #[test]
    fn a_widget_is_kept_only_while_its_stamp_holds() {
        let cache = HomeCache::default();
        let day = Day::today();
        let read = WidgetStamp {
            revision: 4,
            writes: WriteMark::Counted(10, 3),
            day,
        };
        cache.keep_widget(key(), read.clone(), Some("<ul></ul>".into()));
        assert_eq!(cache.widget(&key(), &read), Some(Some("<ul></ul>".into())));
        let later = [
            WidgetStamp {
                writes: WriteMark::Counted(11, 3),
                ..read.clone()
            },
            WidgetStamp {
                writes: WriteMark::Counted(10, 4),
                ..read.clone()
            },
            WidgetStamp {
                writes: WriteMark::Snapshot("740:742:740".into()),
                ..read.clone()
            },
            WidgetStamp {
                revision: 5,
                ..read.clone()
            },
            WidgetStamp {
                day: Day::from_today(1),
                ..read.clone()
            },
        ];
        for now in later {
            assert_eq!(cache.widget(&key(), &now), None);
        }
        let other = WidgetKey {
            viewer: viewer("u"),
            ..key()
        };
        assert_eq!(cache.widget(&other, &read), None);
    }
}
