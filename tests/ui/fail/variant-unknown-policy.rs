#[errspec::errors(spec = "specs/small.toml")]
#[derive(Debug)]
pub enum ApiError {
    #[errspec(message = "transport failed", retry = "sometimes")]
    Transport(#[source] std::io::Error),
}

fn main() {}
