#!/usr/bin/env bash
# The README's first command: installs what is missing, builds the release preset, and starts
# `asynclab` with the arguments given (none: the main job).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
cd "$root"
cmake --preset release >/dev/null
cmake --build --preset release --target asynclab >&2
# The commands asynclab suggests ("stuck? asynclab hint 04") read the way the learner started it.
export ASYNCLAB_INVOKED_AS="${ASYNCLAB_INVOKED_AS:-$0}"
exec "$root/build/release/cli/asynclab" "$@"
