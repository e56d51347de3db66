#[errspec::errors(spec = "specs/small.toml", spec = "specs/github.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
