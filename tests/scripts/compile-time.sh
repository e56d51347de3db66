#!/usr/bin/env bash
# Compile time of errspec against the same crate written by hand with thiserror.
#
# Builds tests/bench-samples/errspec-sample (the Ardoq spec through #[errspec::errors] and
# #[errspec::client]) and tests/bench-samples/thiserror-sample (the same errors, policies, wait
# headers and retrying client, by hand), each outside the workspace, and times with `cargo build`
# (dev profile):
#   clean       a fresh target dir: every dependency and the crate;
#   crate only  the crate alone, its dependencies already built (`cargo clean -p`);
#   edit        after a one-line edit of the 404 message: in ardoq.toml for errspec (a spec
#               edit), in src/lib.rs for thiserror (a source edit).
# Reports every run, the medians and the ratios errspec / thiserror as a Markdown table.
#
# Usage: tests/scripts/compile-time.sh [clean-runs (default 3)] [edit-runs (default 5)]
# Needs the crates of the workspace's Cargo.lock in cargo's cache (`cargo fetch` once); runs
# offline. Takes a few minutes on 2 cores.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
clean_runs=${1:-3}
edit_runs=${2:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
samples=(errspec-sample thiserror-sample)

for s in "${samples[@]}"; do
  mkdir -p "$work/$s"
  cp -r "$root/tests/bench-samples/$s/." "$work/$s/"
  sed "s|@ROOT@|$root|" "$root/tests/bench-samples/$s/Cargo.toml.in" > "$work/$s/Cargo.toml"
  rm "$work/$s/Cargo.toml.in"
  cp "$root/Cargo.lock" "$work/$s/Cargo.lock"
done

now() { date +%s.%N; }

# build SAMPLE TARGET_DIR: builds, prints the seconds it took, and fails unless SAMPLE itself
# was compiled (so an edit that cargo did not notice cannot pass for a fast rebuild).
build() {
  local dir=$work/$1 target=$2 start end log
  start=$(now)
  log=$(cd "$dir" && CARGO_TARGET_DIR=$target cargo build --offline 2>&1) || {
    echo "$log" >&2
    exit 1
  }
  end=$(now)
  grep -q "Compiling $1 " <<<"$log" || { echo "$1 was not rebuilt:" >&2; echo "$log" >&2; exit 1; }
  awk -v a="$start" -v b="$end" 'BEGIN { print b - a }'
}

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
fmt() { printf '%.2f' "$1"; }
list() { local out=() v; for v in "$@"; do out+=("$(fmt "$v")"); done; (IFS=' '; echo "${out[*]}"); }

declare -A clean crate edit
# Clean builds, the two samples alternating so that a burst of load hits both alike.
for ((i = 1; i <= clean_runs; i++)); do
  for s in "${samples[@]}"; do
    rm -rf "$work/target-$s"
    t=$(build "$s" "$work/target-$s")
    clean[$s]="${clean[$s]:-} $t"
    echo "clean build $i of $s: $(fmt "$t") s" >&2
  done
done

# The crate alone, and one-line edits, on the last clean build's target dirs.
for ((i = 1; i <= edit_runs; i++)); do
  for s in "${samples[@]}"; do
    (cd "$work/$s" && CARGO_TARGET_DIR=$work/target-$s cargo clean --offline -p "$s" --quiet)
    t=$(build "$s" "$work/target-$s")
    crate[$s]="${crate[$s]:-} $t"
    echo "crate-only build $i of $s: $(fmt "$t") s" >&2
  done
done
for ((i = 1; i <= edit_runs; i++)); do
  for s in "${samples[@]}"; do
    case $s in
      errspec-sample) file=$work/$s/ardoq.toml ;;
      thiserror-sample) file=$work/$s/src/lib.rs ;;
    esac
    sed -i -E "s/the resource was not found( \\(edit [0-9]+\\))?/the resource was not found (edit $i)/" "$file"
    grep -q "(edit $i)" "$file" || { echo "the edit of $file did not apply" >&2; exit 1; }
    t=$(build "$s" "$work/target-$s")
    edit[$s]="${edit[$s]:-} $t"
    echo "rebuild $i of $s after editing $(basename "$file"): $(fmt "$t") s" >&2
  done
done

row() {
  local name=$1 e=$2 h=$3 me mh
  # shellcheck disable=SC2086
  me=$(median $e)
  # shellcheck disable=SC2086
  mh=$(median $h)
  # shellcheck disable=SC2086
  echo "| $name | $(fmt "$me") | $(fmt "$mh") | $(awk -v a="$me" -v b="$mh" 'BEGIN { printf "%.2f", a / b }') | $(list $e) | $(list $h) |"
}

echo "## Compile time"
echo
echo "\`cargo build\` (dev profile), seconds; medians of $clean_runs clean and $edit_runs incremental runs"
echo
echo "| build | errspec | thiserror | errspec / thiserror | errspec runs | thiserror runs |"
echo "|---|---:|---:|---:|---|---|"
row "clean (all dependencies)" "${clean[errspec-sample]}" "${clean[thiserror-sample]}"
row "the crate alone (dependencies built)" "${crate[errspec-sample]}" "${crate[thiserror-sample]}"
row "after a one-line edit (spec vs source)" "${edit[errspec-sample]}" "${edit[thiserror-sample]}"
