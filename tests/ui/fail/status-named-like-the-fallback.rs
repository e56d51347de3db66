#[errspec::errors(spec = "specs/bad/status-named-like-the-fallback.toml")]
#[derive(Debug)]
pub enum ApiError {}

fn main() {
    // Beside the spec's errors the macro emits stub impls, so using the enum adds no errors.
    let e = ApiError::from(errspec::http::StatusCode::NOT_FOUND);
    let _ = ApiError::try_from(404_u16);
    let _ = errspec::StatusError::policy(&e);
    let _ = ApiError::retry_config();
    let _ = ApiError::STATUSES;
    println!("{e}");
}
