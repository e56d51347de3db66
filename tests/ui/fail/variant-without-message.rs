#[errspec::errors(spec = "specs/small.toml")]
pub enum ApiError {
    Transport(#[source] std::io::Error),
}

fn main() {}
