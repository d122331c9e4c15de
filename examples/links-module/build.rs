//! Embeds `templates/` and `migrations/` by convention (see `portal-embed`).
fn main() {
    portal_embed::module_files();
}
