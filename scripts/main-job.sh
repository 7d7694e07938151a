#!/usr/bin/env bash
# The main job on the bundled default data: install what is needed, build, generate the default
# synthetic market (20 sessions, seed 1), build its footprint bars and features, and summarise.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
bash scripts/build.sh

data=data/ES-synthetic.scid
if [ ! -f "$data" ]; then
  ./build/daytrader generate --sessions 20 --seed 1 --out "$data"
fi
./build/daytrader bars --in "$data" --out data/ES-synthetic-1m.dtds --sessions
./build/daytrader inspect data/ES-synthetic-1m.dtds --no-sessions --at "2024-03-05 08:30"
