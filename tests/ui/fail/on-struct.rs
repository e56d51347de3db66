#[errspec::errors(spec = "specs/small.toml")]
pub struct ApiError;

fn main() {}
