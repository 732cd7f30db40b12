//! The domain's enums are written as stable `snake_case` codes: in the database, in the API (their
//! JSON and their OpenAPI schemas) and in the reference lists. Each derives its code, parsing and
//! list of values once (strum), so that a new state is added in one place.

use strum::VariantArray;

/// A text that is none of an enum's codes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} `{value}` (expected {expected})")]
pub struct UnknownCode {
    /// What the text should have named ("role", "registration state").
    pub what: &'static str,
    pub value: String,
    /// The codes that exist, comma-separated.
    pub expected: String,
}

/// An enum whose values are written as stable codes.
pub trait Code: Copy + VariantArray + Into<&'static str> + 'static {
    /// What a value is, for messages.
    const WHAT: &'static str;

    /// The code of every value, in declaration order.
    fn codes() -> Vec<&'static str> {
        Self::VARIANTS.iter().map(|v| (*v).into()).collect()
    }

    /// The error for a text that is none of the codes.
    fn unknown(text: &str) -> UnknownCode {
        UnknownCode {
            what: Self::WHAT,
            value: text.to_owned(),
            expected: Self::codes().join(", "),
        }
    }
}

/// Implements [`Code`] and the inherent `as_str` for an enum that derives strum's `EnumString`
/// (with `parse_err_ty = UnknownCode, parse_err_fn = Self::unknown`), `Display`, `IntoStaticStr`
/// and `VariantArray`, all with `serialize_all = "snake_case"`.
macro_rules! code {
    ($ty:ident, $what:literal) => {
        impl $crate::codes::Code for $ty {
            const WHAT: &'static str = $what;
        }

        impl $ty {
            /// Every value, in declaration order.
            pub const ALL: &'static [$ty] = <$ty as strum::VariantArray>::VARIANTS;

            /// The stable code of this value (as stored and as the API writes it).
            pub fn as_str(self) -> &'static str {
                self.into()
            }
        }
    };
}
pub(crate) use code;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{RegistrationState, Role};
    use std::str::FromStr;

    #[test]
    fn codes_parse_display_and_name_what_they_expected() {
        assert_eq!(Role::OrmasRep.as_str(), "ormas_rep");
        assert_eq!(Role::OrmasRep.to_string(), "ormas_rep");
        assert_eq!(Role::from_str("ormas_rep"), Ok(Role::OrmasRep));
        assert_eq!(
            RegistrationState::from_str("needs_revision"),
            Ok(RegistrationState::NeedsRevision)
        );
        let error = Role::from_str("root").unwrap_err();
        assert_eq!(
            error.to_string(),
            "unknown role `root` (expected super_admin, admin, officer, head, oversight, ormas_rep, integrator)"
        );
        // Codes match serde's names, so the API and the database write the same text.
        for role in Role::VARIANTS {
            assert_eq!(
                serde_json::to_value(role).unwrap(),
                serde_json::Value::String(role.as_str().to_owned())
            );
        }
    }
}
