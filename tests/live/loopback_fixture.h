#pragma once
// A small world for live tests over loopback: a synthetic market (a few sessions), its dataset,
// a model folder (a seeded random policy, a scaler fitted on the data, the default environment),
// and `serve` in paper-trading mode (shared market, client pacing, bar fills) replaying the
// last session from a given time.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bars/scid_bars.h"
#include "config/run_config.h"
#include "core/session_calendar.h"
#include "dataset/dataset.h"
#include "env/env_data.h"
#include "features/feature_pipeline.h"
#include "gen/market_generator.h"
#include "live/runner.h"
#include "model/model_bundle.h"
#include "net/server.h"
#include "rl/checkpoint.h"
#include "sim/sim_server.h"

namespace daytrader::live::testing {

inline std::filesystem::path temp_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() /
                   fmt::format("daytrader_live_{}_{}", name, static_cast<long>(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

struct World {
  std::filesystem::path dir;
  std::vector<scid::Record> records;
  std::string dataset_path;
  std::filesystem::path model_dir;
  std::int32_t last_trade_date = 0;

  explicit World(const std::string& name, int sessions = 3, std::uint64_t policy_seed = 7) : dir(temp_dir(name)) {
    gen::GeneratorConfig g;
    g.sessions = sessions;
    g.seed = 5;
    g.first_trade_date = date::sys_days(date::year{2024} / 3 / 18);
    auto gen = gen::MarketGenerator::create(g).value();
    while (!gen.done()) gen.next_session(records);

    const auto& cal = core::SessionCalendar::cme_globex();
    const core::Instrument es = core::Instrument::es();
    bars::FootprintBuilder builder(bars::BarSpec{bars::BarKind::kTime, 60}, cal);
    std::vector<bars::FootprintBar> all;
    (void)bars::build_bars_from_scid(records, es, builder, [&](bars::FootprintBar&& b) { all.push_back(std::move(b)); });
    features::FeatureConfig fc;
    features::FeaturePipeline pipeline(fc, cal);
    const auto& set = pipeline.feature_set();
    std::vector<float> rows(all.size() * set.size());
    for (std::size_t i = 0; i < all.size(); ++i)
      pipeline.on_bar(all[i], std::span<float>(rows).subspan(i * set.size(), set.size()));
    dataset::DatasetMeta meta;
    meta.instrument = es;
    meta.bar = bars::BarSpec{bars::BarKind::kTime, 60};
    meta.source = "loopback";
    dataset_path = (dir / "data.dtds").string();
    EXPECT_TRUE(dataset::write_dataset(dataset_path, meta, set, all, rows));
    last_trade_date = all.back().trade_date;

    // The model: random weights (so it trades), the scaler fitted on every session.
    const auto data = dataset::Dataset::open(dataset_path).value();
    config::RunConfig run;
    env::EnvConfig fit = run.env;
    const auto scaler = env::fit_scaler(data, fit, features::ScalerKind::kMinMax).value();
    const std::int64_t hidden[] = {16};
    auto w = rl::PolicyWeights::zeros(set.size() + env::kAccountValues, 5, hidden, hidden);
    std::mt19937_64 rng(policy_seed);
    std::normal_distribution<float> n(0.0F, 1.0F);
    for (auto& t : w.tensors())
      for (auto& x : t.data) x = n(rng);
    model_dir = dir / "model";
    EXPECT_TRUE(rl::save_policy(model_dir, w, run.ppo));
    EXPECT_TRUE(scaler.save((model_dir / model::kScalerFile).string()));
    std::ofstream(model_dir / model::kRunConfigFile) << config::to_toml(run);
    nlohmann::json m = {{"dataset", {{"bar", "1m"}}}, {"instrument", model::instrument_json(es)}};
    std::ofstream(model_dir / model::kMetadataFile) << m.dump(2);
  }
  ~World() { std::filesystem::remove_all(dir); }

  // The exchange time of the last session.
  [[nodiscard]] core::Timestamp at(int hh, int mm) const {
    return core::SessionCalendar::cme_globex().at(date::sys_days(date::days(last_trade_date)),
                                                  core::LocalTimeOfDay{hh * 60 + mm, 0});
  }

  [[nodiscard]] RunnerConfig runner(std::uint16_t port, const std::string& run_name) const {
    RunnerConfig r;
    r.port = port;
    r.env_file = "";
    r.symbol = "ES-loopback";
    r.clock = ClockSource::kFeed;
    r.model_dir = model_dir;
    r.run_dir = dir / run_name;
    r.connect_timeout = std::chrono::seconds(10);
    r.print_status = false;
    r.heartbeat_s = 10;
    return r;
  }
};

// `serve` in paper-trading mode on an ephemeral port.
struct PaperServer {
  sim::SimServer app;
  std::unique_ptr<net::Server> server;

  PaperServer(const World& w, core::Timestamp start_at)
      : app(config(start_at), std::span<const scid::Record>(w.records)) {
    start();
  }
  static sim::SimServerConfig config(core::Timestamp start_at) {
    sim::SimServerConfig c;
    c.exchange.symbol = "ES-loopback";
    c.exchange.fills = sim::FillMode::kBar;
    c.exchange.slippage_ticks = 1;
    c.speed = sim::ReplaySpeed{sim::ReplaySpeed::Kind::kMax, 0};
    c.market = sim::MarketMode::kShared;
    c.pace = sim::PaceMode::kClient;
    c.pace_seconds = 60;
    c.start_at = start_at;
    return c;
  }
  void start(std::uint16_t port = 0) {
    net::ServerOptions so;
    so.port = port;
    server = std::make_unique<net::Server>(so, app);
    app.attach(*server);
    ASSERT_TRUE(server->start());
  }
  [[nodiscard]] std::uint16_t port() const { return server->port(); }
};

}  // namespace daytrader::live::testing
