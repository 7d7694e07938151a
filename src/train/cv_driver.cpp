// The cross-validation driver (train/cv_driver.h).

#include "train/cv_driver.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "backtest/evaluate.h"
#include "core/numbers.h"
#include "core/timestamp.h"
#include "env/trading_vec_env.h"
#include "model/model_bundle.h"
#include "rl/ppo_trainer.h"

namespace daytrader::train {

namespace {

template <typename... Args>
[[noreturn]] void fail(fmt::format_string<Args...> f, Args&&... args) {
  throw core::DaytraderError(fmt::format(f, std::forward<Args>(args)...));
}

template <typename T>
T must(core::Result<T> r) {
  if (!r) throw core::DaytraderError(r.error().message);
  return std::move(r).value();
}
inline void must(const core::Status& s) {
  if (!s) throw core::DaytraderError(s.error().message);
}

nlohmann::json range_json(const dataset::Dataset& d, std::size_t begin, std::size_t end) {
  return {{"sessions", {begin, end}},
          {"first_trade_date", core::format_trade_date(d.sessions()[begin].trade_date)},
          {"last_trade_date", core::format_trade_date(d.sessions()[end - 1].trade_date)}};
}

nlohmann::json metrics_json(const backtest::Metrics& m) {
  return {{"net_pnl_usd", static_cast<double>(m.net_pnl_cents) / 100.0},
          {"trades", m.trades},
          {"win_rate", m.win_rate},
          {"average_trade_usd", m.average_trade_cents / 100.0},
          {"profit_factor", std::isinf(m.profit_factor) ? -1.0 : m.profit_factor},
          {"max_drawdown_usd", static_cast<double>(m.max_drawdown_cents) / 100.0},
          {"daily_sharpe", m.daily_sharpe},
          {"days", m.days}};
}

// Per-update metrics as CSV, one line per PPO update.
class MetricsCsv {
 public:
  explicit MetricsCsv(const std::filesystem::path& path) : out_(path) {
    if (!out_) fail("{}: cannot create", path.string());
    out_ << "iteration,timesteps,fps,learning_rate,approx_kl,clip_fraction,entropy_loss,explained_variance,"
            "policy_loss,value_loss,loss,n_updates,early_stopped,episodes,ep_rew_mean,ep_len_mean,ep_pnl_mean\n";
  }
  void write(const rl::PpoMetrics& m) {
    out_ << fmt::format("{},{},{:.1f},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{},{},{},{:.6g},{:.6g},{:.2f}\n",
                        m.iteration, m.timesteps, m.fps, m.learning_rate, m.approx_kl, m.clip_fraction, m.entropy_loss,
                        m.explained_variance, m.policy_loss, m.value_loss, m.loss, m.n_updates, m.early_stopped ? 1 : 0,
                        m.episodes_total, m.ep_rew_mean, m.ep_len_mean, m.ep_pnl_mean);
    out_.flush();
  }

 private:
  std::ofstream out_;
};

}  // namespace

std::vector<FoldOutcome> run_cross_validation(const config::RunConfig& run, const dataset::Dataset& data,
                                              const CvOptions& options) {
  const auto folds = must(backtest::time_series_split(data.sessions().size(), run.train.folds, run.train.gap_sessions));
  const std::filesystem::path& out = options.out;
  std::filesystem::create_directories(out);
  // This run replaces any earlier one in the folder: drop its folds (complete or partial) and its
  // summary first, so a run killed part way never leaves old models next to the new run.toml.
  for (const auto& entry : std::filesystem::directory_iterator(out)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_directory() && name.starts_with("fold_")) {
      spdlog::info("Removing {} from an earlier run", entry.path().string());
      std::filesystem::remove_all(entry.path());
    }
  }
  std::filesystem::remove(out / "summary.csv");
  const std::string effective = config::to_toml(run);
  spdlog::info("Effective configuration:\n{}", effective);
  { std::ofstream(out / model::kRunConfigFile) << effective; }

  std::vector<FoldOutcome> outcomes;
  for (std::size_t k = 0; k < folds.size(); ++k) {
    const auto& f = folds[k];
    // The fold is written into fold_<k>.partial and renamed to fold_<k> once every file is in
    // place: a fold_<k> folder is always complete.
    const auto final_dir = out / fmt::format("fold_{}", k + 1);
    const auto fold_dir = out / fmt::format("fold_{}.partial", k + 1);
    std::filesystem::remove_all(fold_dir);
    std::filesystem::create_directories(fold_dir);
    fmt::print("Fold {}/{}: train sessions {}..{} ({} .. {}), test sessions {}..{} ({} .. {})\n", k + 1, folds.size(),
               f.train_begin, f.train_end - 1, core::format_trade_date(data.sessions()[f.train_begin].trade_date),
               core::format_trade_date(data.sessions()[f.train_end - 1].trade_date), f.test_begin, f.test_end - 1,
               core::format_trade_date(data.sessions()[f.test_begin].trade_date), core::format_trade_date(data.sessions()[f.test_end - 1].trade_date));

    env::EnvConfig train_env = run.env;
    train_env.mode = env::EpisodeMode::kTrain;
    train_env.session_begin = f.train_begin;
    train_env.session_count = f.train_end - f.train_begin;
    const auto scaler = must(env::fit_scaler(data, train_env, run.train.scaler));
    const auto train_data = must(env::EnvData::create(data, scaler, train_env));
    env::TradingVecEnv vec(train_data, static_cast<std::size_t>(run.ppo.num_envs), run.ppo.seed);

    MetricsCsv csv(fold_dir / "metrics.csv");
    const bool tty = ::isatty(STDERR_FILENO) != 0 && !options.quiet;
    double recent_pnl = 0;
    const auto start = std::chrono::steady_clock::now();
    rl::PpoCallbacks callbacks;
    callbacks.on_update = [&](const rl::PpoMetrics& m) {
      csv.write(m);
      recent_pnl = m.ep_pnl_mean;
      if (!tty && !options.quiet)
        fmt::print(stderr, "train: {}/{} steps  {:.0f} steps/s  episode P&L {:+.0f}  kl {:.4f}  clip {:.3f}  ev {:.3f}\n",
                   core::thousands(static_cast<std::uint64_t>(m.timesteps)),
                   core::thousands(static_cast<std::uint64_t>(run.ppo.total_timesteps)), m.fps, m.ep_pnl_mean, m.approx_kl,
                   m.clip_fraction, m.explained_variance);
      return true;
    };
    callbacks.progress_every_steps = 1024;
    callbacks.on_progress = [&](const rl::RolloutProgress& p) {
      if (!tty) return true;
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      const double rate = secs > 0 ? static_cast<double>(p.timesteps) / secs : 0;
      const double eta = rate > 0 ? static_cast<double>(run.ppo.total_timesteps - p.timesteps) / rate : 0;
      std::fprintf(stderr, "\rtrain fold %zu: %s/%s steps  %.0f steps/s  ETA %.0fs  recent episode P&L %+.0f   ",
                   k + 1, core::thousands(static_cast<std::uint64_t>(p.timesteps)).c_str(),
                   core::thousands(static_cast<std::uint64_t>(run.ppo.total_timesteps)).c_str(), rate, std::max(0.0, eta),
                   recent_pnl);
      return true;
    };
    rl::PpoTrainer trainer(vec, run.ppo, callbacks);
    const auto history = trainer.learn();
    if (tty) std::fprintf(stderr, "\r\033[K");
    const double train_secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    // Evaluate the deterministic policy on the test sessions, next to the baselines.
    env::EnvConfig test_env = run.env;
    test_env.mode = env::EpisodeMode::kEvaluate;
    test_env.session_begin = f.test_begin;
    test_env.session_count = f.test_end - f.test_begin;
    const auto test_data = must(env::EnvData::create(data, scaler, test_env));
    rl::Policy policy = trainer.policy();
    const bool det = run.train.deterministic_eval;
    auto runs = must(backtest::evaluate_with_baselines(
        data, scaler, test_data,
        [&](std::span<const float> obs) { return static_cast<std::int32_t>(policy.act(obs, det)); },
        run.ppo.seed + 17));

    trainer.save(fold_dir);
    must(scaler.save((fold_dir / model::kScalerFile).string()));
    { std::ofstream(fold_dir / model::kRunConfigFile) << effective; }
    const auto& fs = data.feature_set();
    nlohmann::json meta = {
        {"daytrader_version", DAYTRADER_VERSION},
        {"created_utc", core::format_utc(std::chrono::time_point_cast<core::Nanoseconds>(std::chrono::system_clock::now()))},
        {"dataset", {{"path", options.data_path}, {"source", data.meta().source}, {"bar", data.meta().bar.to_string()},
                     {"format_version", dataset::kFormatVersion}}},
        {"instrument", model::instrument_json(data.meta().instrument)},
        {"feature_set", {{"name", fs.name()}, {"version", fs.version()}, {"hash", fs.hash_hex()}, {"columns", fs.columns()}}},
        {"fold", k + 1},
        {"folds", folds.size()},
        {"train", range_json(data, f.train_begin, f.train_end)},
        {"test", range_json(data, f.test_begin, f.test_end)},
        {"seed", run.ppo.seed},
        {"timesteps", trainer.timesteps()},
        {"train_seconds", train_secs},
        {"observation_size", train_data->observation_size()},
        {"num_actions", 5},
        {"test_metrics", metrics_json(runs.front().metrics)},
    };
    {
      std::ofstream meta_file(fold_dir / model::kMetadataFile);
      meta_file << meta.dump(2) << '\n';
      meta_file.close();
      if (!meta_file) fail("{}: cannot write", (fold_dir / model::kMetadataFile).string());
    }
    std::filesystem::remove_all(final_dir);
    std::filesystem::rename(fold_dir, final_dir);
    fmt::print("{}", backtest::format_metrics_table(runs));
    fmt::print("Saved     {} ({} steps in {:.1f} s, {:.0f} steps/s)\n\n", final_dir.string(),
               core::thousands(static_cast<std::uint64_t>(trainer.timesteps())), train_secs,
               static_cast<double>(trainer.timesteps()) / std::max(train_secs, 1e-9));
    outcomes.push_back({f, std::move(runs), final_dir, trainer.timesteps(), train_secs});
  }

  // Summary across folds: the model's test results next to the baselines' net P&L.
  std::ofstream summary(out / "summary.csv");
  summary << "fold,test_first,test_last,model_net_usd,model_trades,model_win_rate,model_max_dd_usd,model_sharpe,"
             "flat_net_usd,random_net_usd,buy_hold_net_usd\n";
  fmt::print("{:<5} {:<23} {:>13} {:>7} {:>6} {:>12} {:>7} {:>13} {:>13}\n", "fold", "test range", "model net",
             "trades", "win %", "max DD", "Sharpe", "random net", "buy&hold net");
  for (std::size_t k = 0; k < outcomes.size(); ++k) {
    const auto& m = outcomes[k].runs[0].metrics;
    const auto& f = folds[k];
    const std::string range = core::format_trade_date(data.sessions()[f.test_begin].trade_date) + ".." +
                              core::format_trade_date(data.sessions()[f.test_end - 1].trade_date).substr(5);
    fmt::print("{:<5} {:<23} {:>13} {:>7} {:>6.1f} {:>12} {:>7.2f} {:>13} {:>13}\n", k + 1, range,
               backtest::dollars(m.net_pnl_cents), m.trades, m.win_rate * 100, backtest::dollars(-m.max_drawdown_cents),
               m.daily_sharpe, backtest::dollars(outcomes[k].runs[2].metrics.net_pnl_cents),
               backtest::dollars(outcomes[k].runs[3].metrics.net_pnl_cents));
    summary << fmt::format("{},{},{},{:.2f},{},{:.4f},{:.2f},{:.4f},{:.2f},{:.2f},{:.2f}\n", k + 1,
                           core::format_trade_date(data.sessions()[f.test_begin].trade_date),
                           core::format_trade_date(data.sessions()[f.test_end - 1].trade_date), m.net_pnl_cents / 100.0, m.trades,
                           m.win_rate, m.max_drawdown_cents / 100.0, m.daily_sharpe,
                           outcomes[k].runs[1].metrics.net_pnl_cents / 100.0, outcomes[k].runs[2].metrics.net_pnl_cents / 100.0,
                           outcomes[k].runs[3].metrics.net_pnl_cents / 100.0);
  }
  fmt::print("Wrote     {}\n", (out / "summary.csv").string());
  return outcomes;
}

}  // namespace daytrader::train
