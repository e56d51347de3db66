#[errspec::errors(spec = "specs/bad/rate-limit-quota-empty-methods.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
