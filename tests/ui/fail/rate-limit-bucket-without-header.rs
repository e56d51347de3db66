#[errspec::errors(spec = "specs/bad/rate-limit-bucket-without-header.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
