#!/usr/bin/env bash
# Instructions per call of each row of the success bench, counted by callgrind: the same for
# the same binary whatever else the machine is doing (the bench's ns/call are not).
#
#   tests/scripts/success-instructions.sh            # every row
#   tests/scripts/success-instructions.sh "Retrier"  # the rows whose name contains "Retrier"
#
# Each row runs twice under callgrind, with 200 and 400 calls per repetition (the bench's
# REPETITIONS, plus its fixed warm-up and counted calls): the difference over REPETITIONS x 200
# calls is one call's instructions, setup and warm-up cancelled out. backon's row is counted
# alone and taken off the others twice: the bench runs backon's row beside every row, and one
# repetition of backon's before each of a row's.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install -y valgrind)"; exit 1; }
bin=$(cargo bench -p errspec-tests --bench success --no-run --message-format=json 2>/dev/null \
  | sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -1)
count() { # $1: --only text, $2: calls
  local out; out=$(mktemp)
  valgrind --tool=callgrind --callgrind-out-file="$out" "$bin" --bench "--only=$1" "--calls=$2" >/dev/null 2>&1
  callgrind_annotate "$out" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}'
  rm -f "$out"
}
reps=$(sed -n 's/^const REPETITIONS: usize = \([0-9]*\);.*/\1/p' tests/benches/success.rs)
[ -n "$reps" ] || { echo "REPETITIONS not found in tests/benches/success.rs"; exit 1; }
per_call() { # $1: --only text
  local a b; a=$(count "$1" 200); b=$(count "$1" 400)
  echo $(( (b - a) / (reps * 200) ))
}
backon=$(per_call backon)
printf '| row | instructions/call | / backon |\n|---|---:|---:|\n| backon | %d | 1.00x |\n' "$backon"
for row in "errspec Retrier::run" "errspec Retrying method" "errspec with quota headers" \
  'errspec scope = "bucket"'; do
  if [ -n "${1:-}" ] && [[ "$row" != *"$1"* ]]; then continue; fi
  both=$(per_call "=$row")
  # backon's own row, and its repetition before each of the row's
  own=$(( both - 2 * backon ))
  printf '| %s | %d | %s |\n' "$row" "$own" "$(awk -v a="$own" -v b="$backon" 'BEGIN {printf "%.2fx", a / b}')"
done
