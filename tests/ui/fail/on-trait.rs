#[errspec::errors(spec = "specs/small.toml")]
pub trait ApiError {}

fn main() {}
