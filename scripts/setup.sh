#!/usr/bin/env bash
# Installs the Debian 12 packages asynclab builds with, if any are missing. Both README commands call
# this first, so a fresh machine needs nothing else. Nothing is downloaded besides Debian packages.
# The compiler is Clang 19 (its coroutines are correct where GCC 12's are not) with GCC 12's libstdc++
# (from build-essential); libclang-rt-19-dev holds its sanitizer runtimes.
#
#   scripts/setup.sh               what asynclab itself builds with (scripts/run.sh)
#   scripts/setup.sh tokio-bridge  that, and cargo with Debian's packaged tokio and tracing crates for
#                                  the Tokio bridge (bridges/tokio), which the tests build and check
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  clang-19 libclang-rt-19-dev
  libfmt-dev nlohmann-json3-dev libcli11-dev catch2
  libimgui-dev libglfw3-dev libstb-dev libmd4c-dev fonts-dejavu-core fonts-dejavu-extra
  xvfb xauth
)
for group in "$@"; do
  case "$group" in
    tokio-bridge)
      packages+=(cargo librust-tokio-dev librust-tokio-macros-dev librust-tracing-dev librust-tracing-core-dev) ;;
    *)
      echo "asynclab setup: unknown group '$group' (known: tokio-bridge)" >&2
      exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  # dpkg-query prints "install ok installed" only for a package that is fully installed.
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "asynclab setup: installing ${missing[*]}" >&2
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
