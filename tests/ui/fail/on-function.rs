#[errspec::errors(spec = "specs/small.toml")]
pub fn api_error() {}

fn main() {}
