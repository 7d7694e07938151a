#!/usr/bin/env bash
# Fuzzes the DTC codec for a bounded time: scripts/fuzz.sh dtc (see there).
#
#   scripts/fuzz-dtc.sh [seconds]     # default 60
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/fuzz.sh" dtc "${1:-60}"
