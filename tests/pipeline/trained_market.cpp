#include "trained_market.h"

#include <unistd.h>

#include <filesystem>
#include <stdexcept>

#include <fmt/format.h>

#include "backtest/evaluate.h"
#include "bars/scid_bars.h"
#include "config/run_config.h"
#include "env/trading_vec_env.h"
#include "features/feature_pipeline.h"
#include "gen/market_generator.h"
#include "rl/ppo_trainer.h"

namespace daytrader::testing {

MarketDataset::MarketDataset(const gen::GeneratorConfig& config, const std::string& name) {
  auto generator = gen::MarketGenerator::create(config);
  if (!generator) throw std::runtime_error(generator.error().message);
  std::vector<scid::Record> records;
  while (!generator->done()) (void)generator->next_session(records);
  const auto& cal = core::SessionCalendar::cme_globex();
  bars::FootprintBuilder builder(bars::BarSpec{bars::BarKind::kTime, 60}, cal);
  features::FeaturePipeline pipeline(features::FeatureConfig{}, cal);
  const std::size_t n = pipeline.feature_set().size();
  std::vector<bars::FootprintBar> bars;
  std::vector<float> rows;
  (void)bars::build_bars_from_scid(records, core::Instrument::es(), builder, [&](bars::FootprintBar&& b) {
    rows.resize(rows.size() + n);
    pipeline.on_bar(b, std::span<float>(rows).last(n));
    bars.push_back(std::move(b));
  });
  path_ = (std::filesystem::temp_directory_path() / fmt::format("dt_{}_{}.dtds", name, ::getpid())).string();
  if (auto s = dataset::write_dataset(path_, dataset::DatasetMeta{}, pipeline.feature_set(), bars, rows); !s)
    throw std::runtime_error(s.error().message);
  auto data = dataset::Dataset::open(path_);
  if (!data) throw std::runtime_error(data.error().message);
  data_.emplace(std::move(*data));
}

MarketDataset::~MarketDataset() {
  data_.reset();
  std::error_code ec;
  std::filesystem::remove(path_, ec);
}

SeedResult train_and_test(const dataset::Dataset& data, std::size_t train_sessions, exec::LimitFillRule rule,
                          std::uint64_t seed) {
  auto run = config::load_run_config(DAYTRADER_SOURCE_DIR "/configs/quickstart.toml", {});
  if (!run) throw std::runtime_error(run.error().message);
  env::EnvConfig train_env = run->env;
  train_env.session_begin = 0;
  train_env.session_count = train_sessions;
  train_env.fill_rule = rule;
  auto scaler = env::fit_scaler(data, train_env, run->train.scaler);
  if (!scaler) throw std::runtime_error(scaler.error().message);
  auto train_data = env::EnvData::create(data, *scaler, train_env);
  if (!train_data) throw std::runtime_error(train_data.error().message);
  rl::PpoConfig ppo = run->ppo;
  ppo.seed = seed;
  env::TradingVecEnv vec(*train_data, static_cast<std::size_t>(ppo.num_envs), ppo.seed);
  rl::PpoTrainer trainer(vec, ppo);
  (void)trainer.learn();

  env::EnvConfig test_env = train_env;
  test_env.mode = env::EpisodeMode::kEvaluate;
  test_env.session_begin = train_sessions;
  test_env.session_count = 0;
  auto test_data = env::EnvData::create(data, *scaler, test_env);
  if (!test_data) throw std::runtime_error(test_data.error().message);
  rl::Policy policy = trainer.policy();
  auto runs = backtest::evaluate_with_baselines(
      data, *scaler, *test_data,
      [&](std::span<const float> obs) { return static_cast<std::int32_t>(policy.act(obs, true)); },
      seed + 17);
  if (!runs) throw std::runtime_error(runs.error().message);
  SeedResult r;
  r.seed = seed;
  r.runs = std::move(*runs);
  r.model_stats = backtest::daily_stats(backtest::daily_pnl_cents(r.model().days));
  return r;
}

std::string describe(const std::vector<SeedResult>& results) {
  std::string s;
  for (const auto& r : results) {
    s += fmt::format("seed {}: model {} in {} trades, {}; flat {}, random {}\n", r.seed,
                     backtest::dollars(r.model().metrics.net_pnl_cents), r.model().metrics.trades,
                     backtest::significance_words(r.model_stats),
                     backtest::dollars(r.flat().metrics.net_pnl_cents),
                     backtest::dollars(r.random().metrics.net_pnl_cents));
  }
  return s;
}

}  // namespace daytrader::testing
