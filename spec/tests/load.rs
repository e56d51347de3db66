//! Reading spec files from disk.

use std::path::{Path, PathBuf};

use errspec_spec::{MAX_SPEC_BYTES, load};

/// A fresh directory for one test.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("errspec-spec-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn loads_a_file() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("ardoq.toml");
    let spec = load(&path, "spec/ardoq.toml").unwrap();
    assert_eq!(spec.api_name, "Ardoq");
}

#[test]
fn missing_file_names_the_absolute_path_tried() {
    let relative = Path::new("no/such/spec.toml");
    let d = load(relative, "no/such/spec.toml").unwrap_err();
    assert_eq!(d.0.len(), 1);
    let d = &d.0[0];
    let absolute = std::env::current_dir().unwrap().join(relative);
    assert!(
        d.message
            .starts_with(&format!("cannot read spec file `{}`: ", absolute.display())),
        "{}",
        d.message
    );
    // The OS error, whatever the platform calls it.
    let os = std::fs::read(relative).unwrap_err().to_string();
    assert!(d.message.ends_with(&os), "{}", d.message);
    assert_eq!(d.location, None);
    assert_eq!(d.span, None);
    assert_eq!(d.file, "no/such/spec.toml");
    assert!(d.help.as_deref().unwrap().contains("Cargo.toml"));
    assert!(
        d.to_string()
            .starts_with("no/such/spec.toml: cannot read spec file `/")
    );
}

#[test]
fn directory_is_reported() {
    let dir = scratch("dir");
    let d = load(&dir, "dir").unwrap_err();
    assert_eq!(d.0.len(), 1);
    assert!(d.0[0].message.starts_with("cannot read spec file `"));
}

#[test]
fn problems_in_a_file_carry_its_name() {
    let dir = scratch("problems");
    let path = dir.join("spec.toml");
    std::fs::write(&path, "[api]\nname = \"Shop\"\n[retry]\nmax_attempts = 0\n").unwrap();
    let d = load(&path, "spec/shop.toml").unwrap_err();
    assert_eq!(
        d.to_string(),
        "spec/shop.toml:4:16: `retry.max_attempts` must be at least 1, found 0\n  help: \
         `max_attempts` counts every try, the first included: write `max_attempts = 1` to never \
         retry, or more to allow retries"
    );
}

#[test]
fn invalid_utf8_points_at_the_first_bad_byte() {
    let dir = scratch("utf8");
    let path = dir.join("spec.toml");
    std::fs::write(&path, b"[api]\nname = \"Sh\xffp\"\n").unwrap();
    let d = load(&path, "spec.toml").unwrap_err();
    assert_eq!(d.0.len(), 1);
    assert_eq!(d.0[0].message, "spec file is not valid UTF-8");
    assert_eq!(d.0[0].location, Some((2, 11)));
}

#[test]
fn oversized_file_is_refused() {
    let dir = scratch("big");
    let path = dir.join("spec.toml");
    let size = usize::try_from(MAX_SPEC_BYTES).unwrap() + 1;
    std::fs::write(&path, vec![b'#'; size]).unwrap();
    let d = load(&path, "spec.toml").unwrap_err();
    assert_eq!(d.0.len(), 1);
    assert!(
        d.0[0].message.ends_with("is larger than 4 MiB"),
        "{}",
        d.0[0].message
    );
    // Just under the limit is read (and fails for other reasons).
    std::fs::write(&path, vec![b'#'; size - 1]).unwrap();
    let d = load(&path, "spec.toml").unwrap_err();
    assert_eq!(d.0[0].message, "missing `[api]` section");
}

#[cfg(unix)]
#[test]
fn endless_file_is_refused() {
    let d = load(Path::new("/dev/zero"), "/dev/zero").unwrap_err();
    assert!(
        d.0[0].message.ends_with("is larger than 4 MiB"),
        "{}",
        d.0[0].message
    );
}
