#[errspec::errors(spec = "specs/bad/backoff-order.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
