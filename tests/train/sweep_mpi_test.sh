#!/usr/bin/env bash
# `daytrader sweep` over MPI ranks, end to end (ctest: train.sweep_mpi):
# 1. a sweep of 4 jobs (2 settings x 1 fold x 2 seeds) over 2 ranks gives the same results, bit for
#    bit, as the same sweep in one process (every job's result.json and policy.bin, and the
#    summary); the jobs really were spread over both ranks;
# 2. started again, the sweep skips the jobs already done; `train` runs data-parallel on 2 ranks
#    and refuses environments the ranks cannot share;
# 3. a rank killed with SIGKILL mid-sweep ends the job within a bounded time, with a message that
#    names the rank, and a restart runs only the jobs that were not done.
# Usage: sweep_mpi_test.sh DAYTRADER MPIEXEC WORKDIR
set -euo pipefail
dt=$1
mpiexec=$2
work=$3
mpirun=("$mpiexec" -np 2 --oversubscribe --allow-run-as-root --mca btl_vader_single_copy_mechanism none)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
rm -rf "$work"
mkdir -p "$work"
cd "$work"

fail() { echo "FAIL: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

"$dt" --log-level warn generate --sessions 6 --seed 3 --orders-per-session 20000 --out m.scid --quiet
"$dt" --log-level warn bars --in m.scid --out m.dtds --quiet
cat > sweep.toml <<'EOF'
[sweep]
data = "m.dtds"
out = "unused"
set = ["ppo.total_timesteps=1024", "ppo.num_envs=2", "ppo.n_steps=128", "ppo.batch_size=64", "ppo.n_epochs=2",
       "train.folds=1", "train.seeds=2", "train.validation_sessions=1", "ppo.seed=4"]
[grid]
"ppo.ent_coef" = [0.0, 0.05]
EOF

# 1. Two ranks against one process.
"${mpirun[@]}" "$dt" --log-level warn sweep --config sweep.toml --out two > two.log 2>&1 || { cat two.log; fail "the 2-rank sweep failed"; }
"$dt" --log-level warn sweep --config sweep.toml --out one > one.log 2>&1 || { cat one.log; fail "the 1-process sweep failed"; }
grep -q "4 jobs, 0 done before, 4 to run on 2 ranks" two.log || { cat two.log; fail "the 2-rank sweep did not plan 4 jobs on 2 ranks"; }
grep -q "done on rank 0" two.log && grep -q "done on rank 1" two.log || { cat two.log; fail "the jobs were not spread over both ranks"; }
jobs=0
for p in 1 2; do
  for s in 4 5; do
    d=point_$p/fold_1/seed_$s
    [ -f "one/$d/result.json" ] && [ -f "two/$d/result.json" ] || fail "$d/result.json is missing"
    cmp -s "one/$d/policy.bin" "two/$d/policy.bin" || fail "$d/policy.bin differs between 1 and 2 ranks"
    # The results without the training time.
    a=$(sed 's/"train_seconds":[^,}]*//' "one/$d/result.json")
    b=$(sed 's/"train_seconds":[^,}]*//' "two/$d/result.json")
    [ "$a" = "$b" ] || fail "$d/result.json differs between 1 and 2 ranks"
    jobs=$((jobs + 1))
  done
done
cmp -s one/sweep_summary.csv two/sweep_summary.csv || fail "sweep_summary.csv differs between 1 and 2 ranks"
[ -f two/point_1/fold_1/policy.bin ] && [ -f two/point_2/report.html ] || fail "the points' saved models or reports are missing"
grep -q "Best on the validation sessions: point" two.log || fail "no best setting named on validation"
echo "ok: $jobs jobs identical on 1 and 2 ranks"

# 2. A restart skips what is done.
"${mpirun[@]}" "$dt" --log-level warn sweep --config sweep.toml --out two > again.log 2>&1 || { cat again.log; fail "the restarted sweep failed"; }
grep -q "4 jobs, 4 done before, 0 to run" again.log || { cat again.log; fail "the restarted sweep did not skip the done jobs"; }
echo "ok: a restart skips the 4 done jobs"

# `train` itself on 2 ranks: data-parallel, rank 0 writes the run; an environment count the ranks
# cannot share is refused on every rank with the reason.
train_args=(--log-level warn train --data m.dtds --folds 1 --timesteps 1024 --set ppo.n_steps=128
            --set ppo.batch_size=64 --quiet)
"${mpirun[@]}" "$dt" "${train_args[@]}" --num-envs 2 --out dp > dp.log 2>&1 || { cat dp.log; fail "mpirun -np 2 daytrader train failed"; }
grep -q "Data-parallel training on 2 ranks .*2 environments, 1 per rank" dp.log || { cat dp.log; fail "train did not say it trains on 2 ranks"; }
[ "$(grep -c "^Saved " dp.log)" = 1 ] || { cat dp.log; fail "the fold was not saved exactly once (by rank 0)"; }
[ -f dp/report.html ] && grep -q '"ranks": 2' dp/fold_1/metadata.json || fail "the run's report or metadata.json's ranks is missing"
if "${mpirun[@]}" "$dt" "${train_args[@]}" --num-envs 3 --out odd > odd.log 2>&1; then fail "num_envs 3 on 2 ranks was accepted"; fi
grep -q "ppo.num_envs = 3 cannot be shared by 2 ranks" odd.log || { cat odd.log; fail "no reason for refusing num_envs 3 on 2 ranks"; }
echo "ok: train on 2 ranks, and num_envs 3 refused"

# 3. Kill rank 1 in the middle of a longer sweep.
sed -i 's/ppo.total_timesteps=1024/ppo.total_timesteps=400000/' sweep.toml
start=$(date +%s)
"${mpirun[@]}" "$dt" --log-level warn sweep --config sweep.toml --out killed > killed.log 2>&1 &
launcher=$!
victim=""
for _ in $(seq 1 300); do
  for p in $(pgrep -f "sweep --config sweep.toml --out killed" || true); do
    [ "$p" = "$launcher" ] && continue
    if tr '\0' '\n' < "/proc/$p/environ" 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=1"; then victim=$p; fi
  done
  [ -n "$victim" ] && grep -q "to run on 2 ranks" killed.log 2>/dev/null && break
  sleep 0.1
done
[ -n "$victim" ] || { kill "$launcher" 2>/dev/null; fail "rank 1 of the sweep never started"; }
sleep 2
kill -9 "$victim"
killed_at=$(date +%s)
status=0
for _ in $(seq 1 600); do
  kill -0 "$launcher" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$launcher" 2>/dev/null; then
  kill -9 "$launcher"
  cat killed.log
  fail "the sweep was still running 60 s after rank 1 was killed"
fi
wait "$launcher" || status=$?
ended=$(date +%s)
[ "$status" -ne 0 ] || { cat killed.log; fail "the sweep exited 0 after a rank was killed"; }
grep -q "process rank 1 .* exited on signal 9" killed.log || { cat killed.log; fail "mpirun did not name rank 1"; }
grep -q "rank 1 runs job [0-9] (point" killed.log || { cat killed.log; fail "no message names the job rank 1 was running"; }
echo "ok: killing rank 1 ended the sweep $((ended - killed_at)) s later (exit $status); it said:"
grep -i "rank" killed.log | sed 's/^/  /' | head -n 8
echo "1 passed, 0 failed"
