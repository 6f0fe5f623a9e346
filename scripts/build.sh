#!/usr/bin/env bash
# Install what is missing and build everything into build/ (or $ULM_BUILD_DIR).
# Prints the build directory on stdout; progress goes to stderr.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${ULM_BUILD_DIR:-$root/build}

"$root/scripts/install-deps.sh" >&2
cmake -S "$root" -B "$build" "$@" >&2
cmake --build "$build" -j"$(nproc)" >&2
echo "$build"
