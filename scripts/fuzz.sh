#!/usr/bin/env bash
# Fuzzes every parser of a file asynclab reads (fuzz/README.md) for a bounded time.
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     default: 20 s each, every target
# Builds the `fuzz` preset, runs each libFuzzer target on its seeds (fuzz/corpus/NAME and
# fuzz/regressions/NAME, read only) with new inputs kept in build/fuzz/corpus/NAME, and fails with the
# finding's path when a target crashes, leaks, hangs or runs out of memory.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-20}"
shift || true
targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
  targets=(altrace_file chrome_json lesson_markdown progress_file param_values)
fi
case "$seconds" in ''|*[!0-9]*) echo "scripts/fuzz.sh: SECONDS_PER_TARGET must be a number, not '$seconds'" >&2; exit 2;; esac

"$root/scripts/setup.sh"
cd "$root"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz
failed=0
for target in "${targets[@]}"; do
  exe="build/fuzz/fuzz/fuzz_$target"
  if [ ! -x "$exe" ]; then
    echo "scripts/fuzz.sh: no target '$target' (they are: altrace_file chrome_json lesson_markdown progress_file param_values)" >&2
    exit 2
  fi
  work="build/fuzz/corpus/$target"
  findings="build/fuzz/findings/$target"
  mkdir -p "$work" "$findings"
  log="build/fuzz/$target.log"
  echo "== fuzzing $target for $seconds s"
  # -rss_limit_mb: a parser that allocates without bound is a finding; -timeout: so is one input
  # that takes seconds. The first folder receives new inputs; the tree's folders are only read.
  if ! "$exe" "$work" "fuzz/corpus/$target" "fuzz/regressions/$target" -max_total_time="$seconds" \
      -rss_limit_mb=2048 -timeout=10 -max_len=65536 -artifact_prefix="$findings/" -print_final_stats=1 >"$log" 2>&1; then
    echo "!! $target: a finding — see $log and $findings/" >&2
    tail -n 30 "$log" >&2
    failed=1
  fi
  grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb|^#[0-9]+.*DONE" "$log" | sed "s/^/   $target /" || true
done
exit "$failed"
