#!/usr/bin/env bash
# The main job on the bundled default data: install what is needed, build, generate the default
# synthetic market (60 sessions, seed 1), build its footprint bars and features, train PPO with
# four walk-forward folds and three seeds per fold (configs/quickstart.toml), backtest the last
# fold's model against the baselines, and paper-trade it: `serve` replays the last (held-out)
# session at full speed and `live` trades it, with the summary next to the backtest of the same
# session.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
bash scripts/build.sh

data=data/ES-synthetic.scid
# Generated every time (about 4 s): the same seed gives the same bytes.
./build/daytrader generate --sessions 60 --seed 1 --out "$data"
./build/daytrader bars --in "$data" --out data/ES-synthetic-1m.dtds --sessions
./build/daytrader inspect data/ES-synthetic-1m.dtds --no-sessions --at "2024-03-05 08:30"
./build/daytrader train --data data/ES-synthetic-1m.dtds --config configs/quickstart.toml --out runs/quickstart
./build/daytrader backtest --model runs/quickstart/fold_4 --data data/ES-synthetic-1m.dtds

# Paper trading of the last session (2024-05-17, in fold 4's test range) against our DTC server.
rm -rf runs/paper
./build/daytrader --log-level warn serve --data "$data" --symbol ES-synthetic --port 11199 --speed max \
  --market shared --pace client --fills bar --start-at "2024-05-17 07:00" &
serve_pid=$!
trap 'kill "$serve_pid" 2>/dev/null || true' EXIT
sleep 1
./build/daytrader --log-level warn live --config configs/paper.toml --backtest-data data/ES-synthetic-1m.dtds
kill "$serve_pid" 2>/dev/null || true
./build/daytrader journal runs/paper | tail -n 25
echo "Open runs/quickstart/report.html (training and cross-validation) and runs/quickstart/fold_4/backtest/report.html (the last fold's backtest)."
