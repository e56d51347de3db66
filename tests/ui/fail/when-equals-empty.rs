#[errspec::errors(spec = "specs/bad/when-equals-empty.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
