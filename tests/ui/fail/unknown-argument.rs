#[errspec::errors(spec = "specs/small.toml", retries = 3)]
pub enum ApiError {}

fn main() {}
