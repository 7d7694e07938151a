#!/usr/bin/env bash
# The main job on the bundled default data: install what is needed, build, generate the default
# synthetic market (20 sessions, seed 1), build its footprint bars and features, train PPO with
# two time-series folds, and backtest the last fold's model against the baselines.
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
./build/daytrader train --data data/ES-synthetic-1m.dtds --config configs/quickstart.toml --out runs/quickstart
./build/daytrader backtest --model runs/quickstart/fold_2 --data data/ES-synthetic-1m.dtds
echo "Open runs/quickstart/fold_2/backtest/report.html to see the equity curves."
