//! Status and kind columns: a closed set of words stored as TEXT, read as a Rust enum.
//!
//! A status read as a `String` and matched later falls back silently when the database holds
//! a word the code does not know (`unwrap_or(Status::New)`); read through
//! [`text_enum!`](crate::text_enum) it fails the query instead, naming the word, and a
//! handler can never pass on a status that is not one.

/// Makes `$ty` — an enum with `fn as_str(&self) -> &'static str` and
/// `fn parse(&str) -> Option<Self>` — a column type on both backends (sqlx's `Type`,
/// `Decode`, `Encode` over TEXT) and a statement parameter (`.bind(status)`, also as
/// `Option<$ty>`).
///
/// ```ignore
/// portal_core::text_enum!(Status);
/// #[derive(sqlx::FromRow)] struct Row { status: Status }
/// ```
#[macro_export]
macro_rules! text_enum {
    ($ty:ty) => {
        impl<DB: $crate::db::sqlx::Database> $crate::db::sqlx::Type<DB> for $ty
        where
            ::std::string::String: $crate::db::sqlx::Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <::std::string::String as $crate::db::sqlx::Type<DB>>::type_info()
            }
            fn compatible(ty: &DB::TypeInfo) -> bool {
                <::std::string::String as $crate::db::sqlx::Type<DB>>::compatible(ty)
            }
        }

        impl<'r, DB: $crate::db::sqlx::Database> $crate::db::sqlx::Decode<'r, DB> for $ty
        where
            &'r str: $crate::db::sqlx::Decode<'r, DB>,
        {
            fn decode(
                value: DB::ValueRef<'r>,
            ) -> ::std::result::Result<Self, $crate::db::sqlx::error::BoxDynError> {
                let text = <&'r str as $crate::db::sqlx::Decode<'r, DB>>::decode(value)?;
                <$ty>::parse(text).ok_or_else(|| {
                    ::std::format!(
                        "`{}` is not a {} this code knows",
                        text.chars().take(40).collect::<::std::string::String>(),
                        ::std::stringify!($ty)
                    )
                    .into()
                })
            }
        }

        impl<'q, DB: $crate::db::sqlx::Database> $crate::db::sqlx::Encode<'q, DB> for $ty
        where
            &'static str: $crate::db::sqlx::Encode<'q, DB>,
        {
            fn encode_by_ref(
                &self,
                buf: &mut DB::ArgumentBuffer<'q>,
            ) -> ::std::result::Result<
                $crate::db::sqlx::encode::IsNull,
                $crate::db::sqlx::error::BoxDynError,
            > {
                <&'static str as $crate::db::sqlx::Encode<'q, DB>>::encode_by_ref(
                    &self.as_str(),
                    buf,
                )
            }
        }

        impl $crate::db::Param for $ty {
            fn into_value(self) -> $crate::db::Value {
                $crate::db::Value::Text(::std::option::Option::Some(self.as_str().to_owned()))
            }
            fn null() -> $crate::db::Value {
                $crate::db::Value::Text(::std::option::Option::None)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use crate::db::{Param, Value};

    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Colour {
        Red,
        Green,
    }

    impl Colour {
        fn as_str(&self) -> &'static str {
            match self {
                Colour::Red => "red",
                Colour::Green => "green",
            }
        }
        fn parse(raw: &str) -> Option<Colour> {
            match raw {
                "red" => Some(Colour::Red),
                "green" => Some(Colour::Green),
                _ => None,
            }
        }
    }

    crate::text_enum!(Colour);

    #[test]
    fn an_enum_binds_as_its_word() {
        assert_eq!(
            Colour::Green.into_value(),
            Value::Text(Some("green".into()))
        );
        assert_eq!(None::<Colour>.into_value(), Value::Text(None));
        assert_eq!(
            Some(Colour::Red).into_value(),
            Value::Text(Some("red".into()))
        );
    }
}
