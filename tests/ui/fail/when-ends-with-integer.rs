#[errspec::errors(spec = "specs/bad/when-ends-with-integer.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
