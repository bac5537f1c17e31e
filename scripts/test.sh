#!/usr/bin/env bash
# The README's second command: installs what is missing, builds every target and runs every test.
#   scripts/test.sh              the `ci` preset: optimised, warnings are errors
#   scripts/test.sh ci-sanitize  the same tests under AddressSanitizer + UndefinedBehaviorSanitizer
#   scripts/test.sh ci-tsan      the tests that run on more than one thread, under ThreadSanitizer
#   scripts/test.sh dev          Debug + sanitizers, for day-to-day work
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
preset="${1:-ci}"
"$root/scripts/setup.sh" tokio-bridge
cd "$root"
cmake --preset "$preset"
cmake --build --preset "$preset"
ctest --preset "$preset" -j "$(nproc)"
