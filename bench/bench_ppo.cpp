// PPO end to end in env-steps/s (rollout + update) on a dummy environment that costs ~nothing,
// with observation size 42 and 5 actions, at SB3's defaults and at a throughput configuration;
// plus single-observation policy inference latency (backtests and live).
//
// Targets on the 2-core dev machine: >= 5,000 env-steps/s at SB3 defaults, >= 50,000 at the
// throughput configuration. Counters: rollout_share = rollout time / (rollout + update) time.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "dummy_env.h"
#include "rl/policy.h"
#include "rl/ppo_trainer.h"
#include "rl/random.h"

namespace {

using namespace daytrader;

using bench::DummyEnv;
using bench::kActions;
using bench::kObs;

void run_ppo(benchmark::State& state, std::int64_t num_envs, std::int64_t n_steps, std::int64_t batch,
             std::int64_t epochs) {
  DummyEnv env(static_cast<std::size_t>(num_envs));
  rl::PpoConfig c;
  c.num_envs = num_envs;
  c.n_steps = n_steps;
  c.batch_size = batch;
  c.n_epochs = epochs;
  c.total_timesteps = std::int64_t{1} << 50;
  c.torch_threads = state.range(0);
  rl::PpoTrainer trainer(env, c);
  double rollout_s = 0, train_s = 0;
  for (auto _ : state) {
    const auto m = trainer.iterate();
    benchmark::DoNotOptimize(m);
    rollout_s += m->rollout_seconds;
    train_s += m->train_seconds;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * num_envs * n_steps);
  state.counters["rollout_share"] = rollout_s / (rollout_s + train_s);
  state.counters["update_ms_per_minibatch"] =
      1e3 * train_s /
      (static_cast<double>(state.iterations()) * static_cast<double>(epochs) *
       static_cast<double>((num_envs * n_steps + batch - 1) / batch));
}

// SB3 defaults: 1 env x 2048 steps, batch 64, 10 epochs (320 Adam steps per rollout).
void BM_PpoSb3Defaults(benchmark::State& state) { run_ppo(state, 1, 2048, 64, 10); }
BENCHMARK(BM_PpoSb3Defaults)->Arg(1)->Arg(2)->ArgName("threads")->Unit(benchmark::kMillisecond)->UseRealTime()
    ->MinTime(3.0);

// Throughput: 16 envs x 256 steps, batch 1024, 4 epochs (16 Adam steps per 4096-step rollout).
void BM_PpoThroughput(benchmark::State& state) { run_ppo(state, 16, 256, 1024, 4); }
BENCHMARK(BM_PpoThroughput)->Arg(1)->Arg(2)->ArgName("threads")->Unit(benchmark::kMillisecond)->UseRealTime()
    ->MinTime(3.0);

// One observation -> one action with the torch-free forward pass (backtest/live path).
void BM_PolicyAct(benchmark::State& state) {
  rl::PolicyWeights w = rl::PolicyWeights::zeros(kObs, kActions, std::vector<std::int64_t>{64, 64},
                                                 std::vector<std::int64_t>{64, 64});
  rl::Rng rng(3);
  for (auto& t : w.tensors()) {
    for (float& x : t.data) x = static_cast<float>(rng.uniform01() - 0.5) * 0.3F;
  }
  rl::Policy policy(w, 1);
  std::vector<float> obs(kObs);
  for (auto& x : obs) x = static_cast<float>(rng.uniform01());
  const bool deterministic = state.range(0) != 0;
  for (auto _ : state) benchmark::DoNotOptimize(policy.act(obs, deterministic));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_PolicyAct)->Arg(0)->Arg(1)->ArgName("deterministic");

}  // namespace

BENCHMARK_MAIN();
