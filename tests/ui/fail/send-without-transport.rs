// `errspec::reqwest::send` needs an error type with a transport variant, from `[transport]`.
#[errspec::errors(spec = "specs/small.toml")]
#[derive(Debug)]
pub enum SmallError {}

pub async fn get(client: &reqwest::Client) -> Result<reqwest::Response, SmallError> {
    errspec::reqwest::send::<SmallError>(client.get("http://127.0.0.1:1/")).await
}

fn main() {}
