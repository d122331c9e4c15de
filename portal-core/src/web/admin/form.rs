//! Reading admin forms: fields that repeat (permission checkboxes), and the checks every
//! name, email and date field gets.
use crate::db::Day;
use crate::error::{Error, Result};

/// A submitted form, as pairs in order; repeated keys are kept.
pub struct Fields(Vec<(String, String)>);

/// An optional choice from a list filter (`?status=paid`): empty is none; anything else must
/// be one `parse` knows, or a 400 asking to choose a `what`.
pub fn optional<T>(raw: &str, parse: impl Fn(&str) -> Option<T>, what: &str) -> Result<Option<T>> {
    match raw {
        "" => Ok(None),
        raw => parse(raw)
            .map(Some)
            .ok_or_else(|| Error::BadRequest(format!("Choose a {what}."))),
    }
}

/// An API request's body as a JSON object, or a clear 400.
pub fn json_object(raw: &[u8]) -> Result<serde_json::Map<String, serde_json::Value>> {
    match serde_json::from_slice::<serde_json::Value>(raw) {
        Ok(serde_json::Value::Object(map)) => Ok(map),
        Ok(_) => Err(Error::BadRequest("Send a JSON object.".into())),
        Err(e) => Err(Error::BadRequest(format!(
            "The JSON could not be read: {e}"
        ))),
    }
}

impl Fields {
    pub fn parse(body: &[u8]) -> Fields {
        Fields(form_urlencoded::parse(body).into_owned().collect())
    }

    /// A JSON object's scalar members (strings, numbers, booleans; `null` and nested values
    /// left out) as fields, so an API body goes through the admin form's checks.
    pub fn from_json(object: &serde_json::Map<String, serde_json::Value>) -> Fields {
        use serde_json::Value;
        Fields(
            object
                .iter()
                .filter_map(|(k, v)| {
                    let text = match v {
                        Value::String(s) => s.clone(),
                        Value::Number(n) => n.to_string(),
                        Value::Bool(b) => b.to_string(),
                        _ => return None,
                    };
                    Some((k.clone(), text))
                })
                .collect(),
        )
    }

    /// Fields given as pairs — a JSON body read into the same checks as the admin's form.
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Fields {
        Fields(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    pub fn get(&self, key: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    pub fn all(&self, key: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn checked(&self, key: &str) -> bool {
        matches!(self.get(key), "on" | "true" | "1" | "yes")
    }

    /// A required name: trimmed, 1 to 200 characters, no control characters.
    pub fn name(&self, key: &str, what: &str) -> Result<String> {
        let v = self.get(key).trim();
        match crate::web::form::name_problem(v, what) {
            Some(problem) => Err(Error::BadRequest(problem)),
            None => Ok(v.to_string()),
        }
    }

    /// A required email address, lower-cased.
    pub fn email(&self, key: &str) -> Result<String> {
        let v = self.get(key).trim().to_ascii_lowercase();
        let (local, domain) = v.split_once('@').unwrap_or(("", ""));
        let ok = !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && v.len() <= 254
            && !v
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>' || c == ',');
        if ok {
            Ok(v)
        } else {
            Err(Error::BadRequest(format!(
                "`{}` is not an email address.",
                self.get(key).trim()
            )))
        }
    }

    /// An optional ISO date (`YYYY-MM-DD`); empty means none.
    pub fn date(&self, key: &str) -> Result<Option<Day>> {
        let v = self.get(key).trim();
        if v.is_empty() {
            return Ok(None);
        }
        v.parse()
            .map(Some)
            .map_err(|_| Error::BadRequest(format!("`{v}` is not a date (YYYY-MM-DD).")))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_checked() {
        let f = Fields::parse(b"name=+Acme+&email=Ann%40Example.COM&p=a&p=b&d=2026-02-30&e=&x=on");
        assert_eq!(f.name("name", "name").unwrap(), "Acme");
        assert_eq!(f.email("email").unwrap(), "ann@example.com");
        assert_eq!(f.all("p"), ["a", "b"]);
        assert!(f.date("d").is_err(), "no 30 February");
        assert_eq!(f.date("e").unwrap(), None);
        assert!(f.checked("x") && !f.checked("missing"));
        let bad = Fields::parse(b"name=&email=a%40b&multi=a%0Ab");
        assert!(bad.name("name", "name").is_err());
        assert!(bad.email("email").is_err());
        assert!(bad.name("multi", "name").is_err());
    }
}
