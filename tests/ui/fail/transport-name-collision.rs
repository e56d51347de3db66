#[errspec::errors(spec = "specs/bad/transport-name-collision.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
