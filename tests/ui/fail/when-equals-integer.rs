#[errspec::errors(spec = "specs/bad/when-equals-integer.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
