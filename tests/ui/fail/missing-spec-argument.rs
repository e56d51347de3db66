#[errspec::errors]
pub enum ApiError {}

fn main() {}
