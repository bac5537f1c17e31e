#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image. Upload a zip of the whole
# asynclab repository with this file and run_autograder at its top (see ../README.md): Gradescope
# unpacks it into /autograder/source.
set -euo pipefail
cd /autograder/source
scripts/setup.sh                        # the Debian/Ubuntu packages asynclab builds with
cmake --preset release
cmake --build --preset release --target asynclab
# Build every grader once now, so a submission only recompiles the files it changes.
for folder in exercises/[0-9][0-9]-*/; do
  id="$(basename "$folder" | tr '-' '_')"
  cmake --build --preset release --target "grade_${id}"
done
