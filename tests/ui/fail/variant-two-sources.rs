#[errspec::errors(spec = "specs/small.toml")]
#[derive(Debug)]
pub enum ApiError {
    #[errspec(message = "transport failed")]
    Transport(#[source] std::io::Error, #[source] std::fmt::Error),
}

fn main() {}
