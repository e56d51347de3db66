#[errspec::errors(spec = "specs/bad/case-not-a-table.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {}
