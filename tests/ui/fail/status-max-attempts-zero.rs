#[errspec::errors(spec = "specs/bad/status-max-attempts-zero.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
