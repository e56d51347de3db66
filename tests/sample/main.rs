//! A user crate outside the workspace: prints the message its spec gives 404.

#[errspec::errors(spec = "sample.toml")]
#[derive(Debug)]
enum SampleError {}

fn main() {
    println!("{}", SampleError::from(errspec::http::StatusCode::NOT_FOUND));
}
