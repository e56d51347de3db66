#[errspec::errors(spec = "specs/bad/wait-name-and-body.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
