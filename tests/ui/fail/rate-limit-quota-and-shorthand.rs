#[errspec::errors(spec = "specs/bad/rate-limit-quota-and-shorthand.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
