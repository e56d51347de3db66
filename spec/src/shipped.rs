//! The texts of the specs errspec ships (`spec/*.toml`), by the name `extends` gives them.
//! `base` reads them; the `extends` reader lists their names.

/// The built-in `http` base spec (`spec/http.toml`): every IANA-registered status.
pub const HTTP_SPEC: &str = include_str!("../http.toml");

/// Every spec `extends` can name, with its text (`spec/*.toml`).
pub(crate) const SHIPPED: [(&str, &str); 13] = [
    ("http", HTTP_SPEC),
    ("github", include_str!("../github.toml")),
    ("stripe", include_str!("../stripe.toml")),
    ("openai", include_str!("../openai.toml")),
    ("anthropic", include_str!("../anthropic.toml")),
    ("discord", include_str!("../discord.toml")),
    ("gitlab", include_str!("../gitlab.toml")),
    ("google", include_str!("../google.toml")),
    ("aws", include_str!("../aws.toml")),
    ("slack", include_str!("../slack.toml")),
    ("azure", include_str!("../azure.toml")),
    ("shopify", include_str!("../shopify.toml")),
    ("jira", include_str!("../jira.toml")),
];
