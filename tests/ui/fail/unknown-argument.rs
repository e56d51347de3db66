#[errspec::errors(spec = "specs/small.toml", retries = 3)]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
