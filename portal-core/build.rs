//! Embeds the core's templates (`templates/`) and its schema (the top-level `migrations/`)
//! by the same convention as every module: a new file is all a new template or migration takes.
fn main() {
    let dir = std::path::PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    portal_embed::Embed {
        templates: dir.join("templates"),
        migrations: dir.join("../migrations"),
        core_path: "crate",
    }
    .write_or_fail();
}
