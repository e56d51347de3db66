#[errspec::errors(spec = "specs/bad/case-rate-limited-not-bool.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
