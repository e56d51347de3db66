#[errspec::errors(spec = "specs/bad/when-bad-header-name.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
