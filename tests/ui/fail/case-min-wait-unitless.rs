#[errspec::errors(spec = "specs/bad/case-min-wait-unitless.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
