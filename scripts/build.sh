#!/usr/bin/env bash
# Configures and builds daytrader (Release) into build/. Extra arguments go to CMake's configure.
set -euo pipefail
cd "$(dirname "$0")/.."

generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
werror=OFF
[ "${CI:-}" = "true" ] && werror=ON
if [ ! -f build/CMakeCache.txt ]; then
  cmake -S . -B build "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DDAYTRADER_WERROR="$werror" "$@"
elif [ "$#" -gt 0 ] || [ "$werror" = "ON" ]; then
  # Reconfigure only when asked to; a plain local run keeps the cached DAYTRADER_WERROR, so
  # switching between CI=true and plain runs does not rebuild everything.
  cmake -S . -B build -DDAYTRADER_WERROR="$werror" "$@" >/dev/null
fi
cmake --build build -j "$(nproc)"
