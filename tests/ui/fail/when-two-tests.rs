#[errspec::errors(spec = "specs/bad/when-two-tests.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
