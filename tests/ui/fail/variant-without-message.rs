#[errspec::errors(spec = "specs/small.toml")]
#[derive(Debug)]
pub enum ApiError {
    Transport(#[source] std::io::Error),
}

fn main() {}
