//! Enums with a spec spelling per variant, defined once.

/// Defines a fieldless enum whose variants each have a spelling in spec files, with `ALL`,
/// `as_str`, `variant_name`, `from_spelling` and `Display` generated from the one list, so a
/// new variant is one line.
///
/// A variant may also carry its description (`Http = "http" => "what it reads"`): then every
/// variant must, and the enum gets `describe()`, whose text is also the first paragraph of the
/// variant's rustdoc, so the words exist once.
macro_rules! spelled {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $(
                $(#[$variant_meta:meta])*
                $variant:ident = $spelling:literal => $description:literal,
            )+
        }
    ) => {
        spelled! {
            $(#[$meta])*
            pub enum $name {
                $(
                    #[doc = $description]
                    #[doc = ""]
                    $(#[$variant_meta])*
                    $variant = $spelling,
                )+
            }
        }

        impl $name {
            /// What this value means, in words: the first paragraph of its rustdoc, and what
            /// help lines, generated rustdoc and the `errspec` command say of it.
            pub const fn describe(self) -> &'static str {
                match self {
                    $($name::$variant => $description,)+
                }
            }
        }
    };
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $(
                $(#[$variant_meta:meta])*
                $variant:ident = $spelling:literal,
            )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $(
                $(#[$variant_meta])*
                $variant,
            )+
        }

        impl $name {
            /// Every value with its spec spelling, in declaration order.
            pub const ALL: &'static [(&'static str, $name)] = &[$(($spelling, $name::$variant)),+];

            /// The spelling used in spec files.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $spelling,)+
                }
            }

            /// The variant's Rust name (`AfterHeader` for `after-header`), for code generators.
            pub const fn variant_name(self) -> &'static str {
                match self {
                    $($name::$variant => stringify!($variant),)+
                }
            }

            /// The value spelt `spelling` in a spec file, if any (exact, case-sensitive).
            pub fn from_spelling(spelling: &str) -> Option<Self> {
                Self::ALL.iter().find(|(s, _)| *s == spelling).map(|(_, v)| *v)
            }
        }

        impl ::core::fmt::Display for $name {
            /// The spec spelling.
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
