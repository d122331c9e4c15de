//! The catalogue's files as written, before validation.
use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFeature {
    pub label: String,
    /// The module providing the feature; absent for core features.
    pub module: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPrice {
    pub amount: i64,
    pub currency: String,
    pub interval: String,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawLimits {
    pub clients: Option<u64>,
    pub portal_users: Option<u64>,
    pub storage_mb: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPlan {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub order: i64,
    pub price: RawPrice,
    /// Feature key → tier name, or `true` for a feature with a single tier.
    #[serde(default)]
    pub features: BTreeMap<String, toml::Value>,
    #[serde(default)]
    pub limits: RawLimits,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAddOn {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub price: RawPrice,
    #[serde(default)]
    pub available_to: Vec<String>,
    #[serde(default)]
    pub features: BTreeMap<String, toml::Value>,
}
