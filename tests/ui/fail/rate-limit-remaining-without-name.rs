#[errspec::errors(spec = "specs/bad/rate-limit-remaining-without-name.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
