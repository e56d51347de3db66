#[errspec::errors(spec = "specs/small.toml", crate = 42)]
#[derive(Debug)]
pub enum SmallError {}

fn main() {}
