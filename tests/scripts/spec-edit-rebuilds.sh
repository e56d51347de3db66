#!/usr/bin/env bash
# Shows that editing only a spec file makes cargo rebuild the user crate: builds a sample crate
# outside the workspace that depends on errspec by path, edits its spec's message, builds again,
# and checks the program prints the new message. Shares the workspace's target dir and lock file
# so dependencies are not rebuilt.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src"
sed "s|@ROOT@|$root|" "$root/tests/sample/Cargo.toml.in" > "$work/Cargo.toml"
cp "$root/tests/sample/main.rs" "$work/src/main.rs"
cp "$root/tests/sample/sample.toml" "$work/sample.toml"
cp "$root/Cargo.lock" "$work/Cargo.lock"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"

run() { (cd "$work" && cargo run --quiet --offline 2>&1); }

first=$(run)
echo "before the edit: $first"
[ "$first" = "404 Not Found: first message" ] || { echo "unexpected output: $first"; exit 1; }

sleep 1 # mtime granularity
sed -i 's/first message/second message/' "$work/sample.toml"
second=$(run)
echo "after editing only sample.toml: $second"
[ "$second" = "404 Not Found: second message" ] || { echo "the spec edit did not rebuild: $second"; exit 1; }
echo "ok: the spec edit alone rebuilt the crate"
