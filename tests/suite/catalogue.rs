//! Catalogue validation: every error names the file, the plan or add-on, and the key.

use std::path::Path;

use portal_core::plans::{CatalogueIssue, PlanCatalogue};
use portico_tests::plans_dir;

/// A copy of the default catalogue in a temp dir, with `edits` applied (file → new text;
/// empty text deletes the file).
fn catalogue_with(edits: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(plans_dir()).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    for (file, text) in edits {
        let path = dir.path().join(file);
        if text.is_empty() {
            std::fs::remove_file(path).unwrap();
        } else {
            std::fs::write(path, text).unwrap();
        }
    }
    dir
}

fn errors(dir: &Path) -> Vec<CatalogueIssue> {
    let registry = portico_host::registry().unwrap();
    match PlanCatalogue::load(dir, &registry) {
        Ok(_) => panic!("the catalogue in {} should not validate", dir.display()),
        Err(e) => e.errors,
    }
}

fn one_error(dir: &Path) -> String {
    let errors = errors(dir);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    errors[0].to_string()
}

const PLAN: &str = r#"name = "Growth"
price = { amount = 7900, currency = "USD", interval = "month" }
"#;

#[test]
fn the_default_catalogue_is_valid() {
    let registry = portico_host::registry().unwrap();
    let (catalogue, warnings) = PlanCatalogue::load(&plans_dir(), &registry).unwrap();
    let ids: Vec<&str> = catalogue.plans().iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["starter", "growth", "scale"]);
    // Modules that are not built are reported, once each, and their grants dropped.
    for w in &warnings {
        assert!(w.file.ends_with("features.toml"), "{w}");
    }
    if registry.get("projects").is_some() {
        assert_eq!(
            catalogue
                .plan("starter")
                .unwrap()
                .grants
                .get("projects")
                .map(String::as_str),
            Some("standard")
        );
    }
    assert_eq!(
        catalogue
            .plan("starter")
            .unwrap()
            .grants
            .get("branding")
            .map(String::as_str),
        Some("partial")
    );
    assert_eq!(
        catalogue.plan("scale").unwrap().limits.clients,
        None,
        "no key means unlimited"
    );
    assert_eq!(catalogue.plan("starter").unwrap().limits.clients, Some(10));
    assert!(!catalogue
        .plan("starter")
        .unwrap()
        .grants
        .contains_key("custom_domain"));
}

#[test]
fn an_unknown_feature_names_file_plan_and_key() {
    let text = format!("{PLAN}[features]\naprovals = \"interactive\"\n");
    let dir = catalogue_with(&[("growth.toml", &text)]);
    let e = one_error(dir.path());
    assert!(e.contains("growth.toml"), "{e}");
    assert!(e.contains("plan `growth`"), "{e}");
    assert!(e.contains("features.aprovals"), "{e}");
    assert!(e.contains("unknown feature `aprovals`"), "{e}");
}

#[test]
fn an_unknown_tier_is_reported_with_the_valid_ones() {
    let text = format!("{PLAN}[features]\nbranding = \"platinum\"\n");
    let dir = catalogue_with(&[("growth.toml", &text)]);
    let e = one_error(dir.path());
    assert!(e.contains("features.branding"), "{e}");
    assert!(e.contains("unknown tier `platinum`"), "{e}");
    assert!(e.contains("partial, full"), "{e}");
}

#[test]
fn true_needs_a_single_tier_feature() {
    let text = format!("{PLAN}[features]\nbranding = true\n");
    let dir = catalogue_with(&[("growth.toml", &text)]);
    let e = one_error(dir.path());
    assert!(
        e.contains("has several tiers; name one: partial, full"),
        "{e}"
    );
}

#[test]
fn a_misspelt_key_is_reported_with_its_line() {
    let text = format!("{PLAN}[limtis]\nclients = 3\n");
    let dir = catalogue_with(&[("growth.toml", &text)]);
    let e = one_error(dir.path());
    assert!(e.contains("growth.toml"), "{e}");
    assert!(e.contains("limtis"), "{e}");
    assert!(e.contains("line 3"), "{e}");
}

#[test]
fn broken_toml_and_bad_values_are_all_reported_at_once() {
    let bad_price =
        "name = \"Starter\"\nprice = { amount = -5, currency = \"usd\", interval = \"week\" }\n";
    let dir = catalogue_with(&[
        ("starter.toml", bad_price),
        ("scale.toml", "name = \"Scale\"\nprice = {"),
    ]);
    let errors: Vec<String> = errors(dir.path()).iter().map(|e| e.to_string()).collect();
    let all = errors.join("\n");
    assert!(all.contains("price.amount"), "{all}");
    assert!(all.contains("price.currency"), "{all}");
    assert!(all.contains("price.interval"), "{all}");
    assert!(
        all.contains("scale.toml") && all.contains("invalid TOML"),
        "{all}"
    );
    assert_eq!(errors.len(), 4, "{all}");
}

#[test]
fn negative_limits_are_refused() {
    let text = format!("{PLAN}[limits]\nclients = -1\n");
    let dir = catalogue_with(&[("growth.toml", &text)]);
    let e = one_error(dir.path());
    assert!(e.contains("growth.toml") && e.contains("clients"), "{e}");
}

#[test]
fn an_add_on_for_an_unknown_plan_is_refused() {
    let addons = "[extra]\nname = \"Extra\"\nprice = { amount = 100, currency = \"USD\", interval = \"month\" }\navailable_to = [\"gold\"]\n[extra.features]\ncustom_domain = true\n";
    let dir = catalogue_with(&[("addons.toml", addons)]);
    let e = one_error(dir.path());
    assert!(
        e.contains("addons.toml") && e.contains("add-on `extra`"),
        "{e}"
    );
    assert!(
        e.contains("available_to[0]") && e.contains("unknown plan `gold`"),
        "{e}"
    );
}

#[test]
fn a_feature_without_module_that_is_not_core_is_refused() {
    let features = std::fs::read_to_string(plans_dir().join("features.toml")).unwrap()
        + "\n[chat]\nlabel = \"Chat\"\n";
    let dir = catalogue_with(&[("features.toml", &features)]);
    let e = one_error(dir.path());
    assert!(
        e.contains("feature `chat`") && e.contains("name the module"),
        "{e}"
    );
}

#[test]
fn a_feature_of_a_module_left_out_is_a_warning_not_an_error() {
    let features = std::fs::read_to_string(plans_dir().join("features.toml")).unwrap()
        + "\n[chat]\nlabel = \"Chat\"\nmodule = \"chat\"\n";
    let text = format!("{PLAN}[features]\nchat = true\nbranding = \"full\"\n");
    let dir = catalogue_with(&[("features.toml", &features), ("growth.toml", &text)]);
    let registry = portico_host::registry().unwrap();
    let (catalogue, warnings) = PlanCatalogue::load(dir.path(), &registry).unwrap();
    assert!(
        warnings
            .iter()
            .any(|w| w.to_string().contains("module `chat` is not linked")),
        "{warnings:#?}"
    );
    let growth = catalogue.plan("growth").unwrap();
    assert!(!growth.grants.contains_key("chat"), "the grant is dropped");
    assert!(growth.grants.contains_key("branding"), "the rest stands");
}

#[test]
fn an_empty_catalogue_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        plans_dir().join("features.toml"),
        dir.path().join("features.toml"),
    )
    .unwrap();
    let e = one_error(dir.path());
    assert!(e.contains("defines no plan"), "{e}");
}

#[test]
fn a_missing_directory_is_reported() {
    let registry = portico_host::registry().unwrap();
    let err = PlanCatalogue::load(Path::new("/nonexistent/plans"), &registry).unwrap_err();
    assert!(err.to_string().contains("cannot read"), "{err}");
}

#[test]
fn a_doubled_extension_is_not_a_second_plan() {
    let text = std::fs::read_to_string(plans_dir().join("growth.toml")).unwrap();
    let dir = catalogue_with(&[("growth.toml.toml", &text)]);
    let e = one_error(dir.path());
    assert!(
        e.contains("growth.toml.toml") && e.contains("plan ids"),
        "{e}"
    );
}

#[test]
fn grants_of_unlinked_features_are_still_type_checked() {
    let features = std::fs::read_to_string(plans_dir().join("features.toml")).unwrap()
        + "\n[chat]\nlabel = \"Chat\"\nmodule = \"chat\"\n";
    let text = format!("{PLAN}[features]\nchat = 3\n");
    let dir = catalogue_with(&[("features.toml", &features), ("growth.toml", &text)]);
    let e = one_error(dir.path());
    assert!(
        e.contains("features.chat") && e.contains("expected a tier name"),
        "{e}"
    );
}
