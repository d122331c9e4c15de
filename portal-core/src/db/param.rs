//! What a statement binds: a handful of SQL types every column of the schema uses, owned, so a
//! statement can be built up before it knows which backend it runs on.
use sqlx::{Arguments, Database, Encode, Type};

use crate::db::Day;
use crate::error::{Error, Result};

/// One bound value. Each kind is nullable, so `Option<T>` binds a real `NULL` (no sentinels
/// like `($2 = 0 OR …)`: write `($2 IS NULL OR col = $2)`).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Int(Option<i64>),
    Real(Option<f64>),
    Bool(Option<bool>),
    Text(Option<String>),
    Blob(Option<Vec<u8>>),
}

/// A Rust value that binds as one SQL parameter on both backends.
pub trait Param {
    fn into_value(self) -> Value;
    /// `NULL` of this parameter's kind: what `None::<Self>` binds.
    fn null() -> Value
    where
        Self: Sized;
}

macro_rules! params {
    ($($ty:ty => $kind:ident, $conv:expr;)*) => {$(
        impl Param for $ty {
            fn into_value(self) -> Value {
                Value::$kind(Some(($conv)(self)))
            }
            fn null() -> Value {
                Value::$kind(None)
            }
        }
    )*};
}

params! {
    i64 => Int, |v| v;
    i32 => Int, i64::from;
    u32 => Int, i64::from;
    f64 => Real, |v| v;
    bool => Bool, |v| v;
    String => Text, |v| v;
    &str => Text, str::to_owned;
    Day => Text, |d: Day| d.to_string();
    Vec<u8> => Blob, |v| v;
    &[u8] => Blob, <[u8]>::to_vec;
}

/// An optional parameter binds a real `NULL` when it is `None`.
impl<T: Param> Param for Option<T> {
    fn into_value(self) -> Value {
        match self {
            Some(v) => v.into_value(),
            None => T::null(),
        }
    }
    fn null() -> Value {
        T::null()
    }
}

impl<T: Param + Clone> Param for &T {
    fn into_value(self) -> Value {
        self.clone().into_value()
    }
    fn null() -> Value {
        T::null()
    }
}

/// The arguments of one statement for backend `DB`.
pub(crate) fn arguments<'q, DB>(values: Vec<Value>) -> Result<DB::Arguments<'q>>
where
    DB: Database,
    Option<i64>: Encode<'q, DB> + Type<DB>,
    Option<f64>: Encode<'q, DB> + Type<DB>,
    Option<bool>: Encode<'q, DB> + Type<DB>,
    Option<String>: Encode<'q, DB> + Type<DB>,
    Option<Vec<u8>>: Encode<'q, DB> + Type<DB>,
{
    let mut args = DB::Arguments::<'q>::default();
    for value in values {
        match value {
            Value::Int(v) => args.add(v),
            Value::Real(v) => args.add(v),
            Value::Bool(v) => args.add(v),
            Value::Text(v) => args.add(v),
            Value::Blob(v) => args.add(v),
        }
        .map_err(|e| Error::Internal(format!("binding a parameter: {e}")))?;
    }
    Ok(args)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_bind_null_and_references_bind_their_value() {
        assert_eq!(None::<i64>.into_value(), Value::Int(None));
        assert_eq!((&7_i64).into_value(), Value::Int(Some(7)));
        assert_eq!(Some("a").into_value(), Value::Text(Some("a".to_owned())));
        let owned = String::from("b");
        assert_eq!((&owned).into_value(), Value::Text(Some("b".to_owned())));
        assert_eq!(3_i32.into_value(), Value::Int(Some(3)));
    }
}
