// Trading environment steps, in env-steps/s: one TradingEnv, and TradingVecEnv with N envs.
//
// The data are synthetic and in memory (a MarketView over vectors, the same code path a
// memory-mapped dataset takes after opening): 250 sessions of 1-minute bars 08:00-15:00 CT,
// a random walk with wide bars so brackets fill, 36 features per bar (the footprint v1 width).
// Default EnvConfig: window 08:30-14:30 (361 decisions per episode), 10/10 bracket, 1 tick
// slippage, $2.25 a side, $1,000 risk limits. Actions are uniform random, as an untrained
// policy's, read from a precomputed table so the generator is not measured.

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <random>
#include <vector>

#include <date/date.h>

#include "core/session_calendar.h"
#include "env/env_data.h"
#include "env/trading_env.h"
#include "env/trading_vec_env.h"
#include "features/feature_set.h"

namespace {

using namespace daytrader;

struct Market {
  features::FeatureSet feature_set = features::FeatureSet::by_name("footprint").value();
  std::vector<dataset::SessionRecord> sessions;
  std::vector<dataset::BarRecord> bars;
  std::vector<float> features;

  Market() {
    const auto& cal = core::SessionCalendar::cme_globex();
    std::mt19937_64 rng(42);
    std::normal_distribution<float> noise(0.0F, 1.0F);
    std::int64_t price = 20000;
    auto day = date::sys_days(date::year{2024} / 1 / 2);
    for (int s = 0; s < 250; ++day) {
      if (!core::SessionCalendar::is_weekday(day)) continue;
      dataset::SessionRecord rec;
      rec.trade_date = static_cast<std::int32_t>(day.time_since_epoch().count());
      rec.first_bar = bars.size();
      for (int k = 0; k < 420; ++k) {
        dataset::BarRecord b;
        b.open_time_ns = core::to_unix_ns(cal.at(day, core::LocalTimeOfDay{8 * 60 + k, 0}));
        b.close_time_ns = b.open_time_ns + 60'000'000'000LL;
        b.trade_date = rec.trade_date;
        b.index_in_session = k;
        const std::uint64_t r = rng();
        b.open = price + static_cast<std::int64_t>(r % 3) - 1;
        b.close = b.open + static_cast<std::int64_t>((r >> 8) % 13) - 6;
        b.high = std::max(b.open, b.close) + static_cast<std::int64_t>((r >> 16) % 5);
        b.low = std::min(b.open, b.close) - static_cast<std::int64_t>((r >> 24) % 5);
        price = b.close;
        bars.push_back(b);
        for (std::size_t f = 0; f < feature_set.size(); ++f) features.push_back(noise(rng));
      }
      rec.bar_count = static_cast<std::uint32_t>(bars.size() - rec.first_bar);
      sessions.push_back(rec);
      ++s;
    }
  }

  [[nodiscard]] env::MarketView view() const {
    env::MarketView v;
    v.name = "bench";
    v.feature_set = &feature_set;
    v.sessions = sessions;
    v.bars = bars;
    v.features = features;
    return v;
  }
};

std::shared_ptr<const env::EnvData> shared_data() {
  static const std::shared_ptr<const env::EnvData> data = [] {
    const Market m;
    const env::EnvConfig config;
    auto scaler = env::fit_scaler(m.view(), config, features::ScalerKind::kMinMax);
    if (!scaler) std::abort();
    auto d = env::EnvData::create(m.view(), *scaler, config);
    if (!d) std::abort();
    return *d;
  }();
  return data;
}

std::vector<std::int32_t> random_actions() {
  std::vector<std::int32_t> a(1 << 16);
  std::mt19937_64 rng(7);
  for (auto& x : a) x = static_cast<std::int32_t>(rng() % env::kNumActions);
  return a;
}

void BM_TradingEnvStep(benchmark::State& state) {
  const auto data = shared_data();
  const auto actions = random_actions();
  const bool hold = state.range(0) == 0;
  env::TradingEnv e(data, 1);
  std::vector<float> obs(e.observation_size());
  e.reset(obs);
  std::size_t i = 0;
  std::int64_t episodes = 0;
  for (auto _ : state) {
    const std::int32_t a = hold ? 4 : actions[i++ & (actions.size() - 1)];
    const env::StepResult r = e.step(a, obs);
    benchmark::DoNotOptimize(r);
    benchmark::DoNotOptimize(obs.data());
    if (r.done()) [[unlikely]] {
      e.reset(obs);
      ++episodes;
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["episodes"] = static_cast<double>(episodes);
  state.SetLabel(hold ? "action 4 only" : "random actions");
}
BENCHMARK(BM_TradingEnvStep)->Arg(1)->Arg(0);

void BM_TradingVecEnvStep(benchmark::State& state) {
  const auto data = shared_data();
  const auto actions = random_actions();
  const auto n = static_cast<std::size_t>(state.range(0));
  env::TradingVecEnv vec(data, n, 1);
  std::vector<float> obs(n * vec.observation_size());
  vec.reset(obs);
  env::StepBuffers out;
  out.resize(n, vec.observation_size());
  std::vector<std::int32_t> step_actions(n);
  std::size_t i = 0;
  for (auto _ : state) {
    for (auto& a : step_actions) a = actions[i++ & (actions.size() - 1)];
    vec.step(step_actions, out);
    benchmark::DoNotOptimize(out.observations.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
}
BENCHMARK(BM_TradingVecEnvStep)->Arg(1)->Arg(8)->Arg(64);

void BM_EnvDataCreate(benchmark::State& state) {
  const Market m;
  const env::EnvConfig config;
  auto scaler = env::fit_scaler(m.view(), config, features::ScalerKind::kMinMax);
  if (!scaler) std::abort();
  for (auto _ : state) {
    auto d = env::EnvData::create(m.view(), *scaler, config);
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(m.bars.size()));
}
BENCHMARK(BM_EnvDataCreate)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
