#[errspec::errors(spec = "specs/bad/transport-not-a-table.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
