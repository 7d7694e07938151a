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
#include "backtest/stats.h"
#include "core/numbers.h"
#include "core/timestamp.h"
#include "env/trading_vec_env.h"
#include "model/model_bundle.h"
#include "rl/ppo_trainer.h"
#include "train/run_report.h"
#include "train/walk_forward.h"

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

// What another machine would need to match to reproduce the run bit for bit (rl::ComputeInfo).
nlohmann::json compute_json(const rl::ComputeInfo& c) {
  return {{"cpu_model", c.cpu_model},
          {"logical_cpus", c.logical_cpus},
          {"torch_version", c.torch_version},
          {"cpu_capability", c.cpu_capability},
          {"blas", c.blas},
          {"blas_kernel", c.blas_kernel},
          {"threads", c.threads}};
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

// The training range as the environment sees it.
env::EnvConfig range_env(const config::RunConfig& run, env::EpisodeMode mode, std::size_t begin, std::size_t end) {
  env::EnvConfig e = run.env;
  e.mode = mode;
  e.session_begin = begin;
  e.session_count = end - begin;
  return e;
}

// Writes `text` to path.tmp, then renames it over path: a reader never sees half a file.
void write_text(const std::filesystem::path& path, const std::string& text) {
  auto tmp = path;
  tmp += ".tmp";
  {
    std::ofstream f(tmp);
    f << text;
    f.close();
    if (!f) fail("{}: cannot write", tmp.string());
  }
  std::filesystem::rename(tmp, path);
}

// Copies the files of one model folder (not its subfolders) into another.
void copy_model_files(const std::filesystem::path& from, const std::filesystem::path& to) {
  for (const auto& entry : std::filesystem::directory_iterator(from))
    if (entry.is_regular_file())
      std::filesystem::copy_file(entry.path(), to / entry.path().filename(),
                                 std::filesystem::copy_options::overwrite_existing);
}

std::string date_range(const dataset::Dataset& data, std::size_t begin, std::size_t end) {
  return core::format_trade_date(data.sessions()[begin].trade_date) + " .. " +
         core::format_trade_date(data.sessions()[end - 1].trade_date);
}

// Every fold's test days end to end (train/walk_forward.h): what the saved models made out of
// sample, how many seed indices are significant on their own, and the baselines over the same days.
void print_all_folds(const std::vector<FoldOutcome>& outcomes) {
  std::vector<WalkForwardFold> folds;
  for (const auto& o : outcomes) {
    WalkForwardFold f;
    for (const auto& so : o.seeds) f.seeds.push_back(&so.test);
    f.saved = o.chosen;
    folds.push_back(std::move(f));
  }
  const auto w = summarize_walk_forward(folds);
  if (w.folds == 0) return;
  const auto usd = [](double cents) { return backtest::dollars(static_cast<core::Cents>(std::llround(cents))); };
  const auto& st = w.saved.stats;
  std::string line = fmt::format("all   {} folds, {} test days end to end (walk-forward, out of sample)\n", w.folds, w.days);
  line += fmt::format("      saved models: net {}, {}", usd(w.saved.net_cents), backtest::significance_words(st));
  if (st.sharpe_annualised && st.sharpe_annualised_lo_ci)
    line += fmt::format("; annualised Sharpe {:.2f} (95% CI {:.2f} .. {:.2f}, Lo)", *st.sharpe_annualised,
                        st.sharpe_annualised_lo_ci->lower, st.sharpe_annualised_lo_ci->upper);
  if (w.seed_index_nets)
    line += fmt::format("\n      every seed index across the folds: median net {} (min {}, max {}); significantly "
                        "positive at 5%: {}/{}, significantly negative: {}/{}",
                        usd(w.seed_index_nets->median), usd(w.seed_index_nets->min), usd(w.seed_index_nets->max),
                        w.significantly_positive, w.seed_indices.size(), w.significantly_negative, w.seed_indices.size());
  line += "\n      baselines over the same days:";
  for (std::size_t i = 0; i < w.baselines.size(); ++i) {
    const auto& b = w.baselines[i];
    line += fmt::format("{} {} {}{}", i == 0 ? "" : ",", b.name, usd(b.net_cents),
                        b.stats.t_stat ? fmt::format(" (t = {:.2f})", *b.stats.t_stat) : std::string());
  }
  fmt::print("{}\n", line);
}

// The model's test results across seeds next to the baselines, and the saved model's statistics.
// Runs in each seed's test vector: 0 model, 1 always flat, 2 random, 3 buy and hold, 4 the
// order-flow rule (when the feature set has an order-flow column).
void write_summary(const std::vector<FoldOutcome>& outcomes, const dataset::Dataset& data,
                   const std::filesystem::path& path) {
  std::string csv =
      "fold,seed,saved,test_first,test_last,days,model_net_usd,model_trades,model_win_rate,model_max_dd_usd,"
      "model_sharpe_annualised,model_t_stat,validation_net_usd,flat_net_usd,random_net_usd,buy_hold_net_usd,"
      "order_flow_net_usd,order_flow_threshold\n";
  const auto usd = [](double cents) { return backtest::dollars(static_cast<core::Cents>(std::llround(cents))); };
  const auto share = [](const backtest::Share& sh) { return fmt::format("{}/{}", sh.count, sh.of); };
  fmt::print("{:<5} {:<23} {:>5}  {:>11} {:>25} {:>23}  {:>7} {:>6} {:>7} {:>9} {:>7}\n", "fold", "test range",
             "seeds", "median net", "quartiles", "min .. max", "no trade", "> flat", "> random", "> buy&hold",
             "> flow");
  for (std::size_t k = 0; k < outcomes.size(); ++k) {
    const auto& o = outcomes[k];
    const auto& f = o.fold;
    std::vector<double> net, flat, random, hold, flow;
    std::vector<std::int64_t> trades;
    for (const auto& so : o.seeds) {
      net.push_back(static_cast<double>(so.test[0].metrics.net_pnl_cents));
      flat.push_back(static_cast<double>(so.test[1].metrics.net_pnl_cents));
      random.push_back(static_cast<double>(so.test[2].metrics.net_pnl_cents));
      hold.push_back(static_cast<double>(so.test[3].metrics.net_pnl_cents));
      if (so.test.size() > backtest::kOrderFlowRun)
        flow.push_back(static_cast<double>(so.test[backtest::kOrderFlowRun].metrics.net_pnl_cents));
      trades.push_back(so.test[0].metrics.trades);
    }
    const bool has_flow = flow.size() == net.size() && !flow.empty();
    const auto dist = backtest::summarize(net);
    const std::string range = core::format_trade_date(data.sessions()[f.test_begin].trade_date) + ".." +
                              core::format_trade_date(data.sessions()[f.test_end - 1].trade_date).substr(5);
    fmt::print("{:<5} {:<23} {:>5}  {:>11} {:>25} {:>23}  {:>7} {:>6} {:>7} {:>9} {:>7}\n", k + 1, range,
               o.seeds.size(), usd(dist.median), fmt::format("{} .. {}", usd(dist.q1), usd(dist.q3)),
               fmt::format("{} .. {}", usd(dist.min), usd(dist.max)), share(backtest::share_never_trading(trades)),
               share(backtest::share_beating(net, flat)), share(backtest::share_beating(net, random)),
               share(backtest::share_beating(net, hold)), has_flow ? share(backtest::share_beating(net, flow)) : "-");

    // The saved model, judged on its own: is its test result more than luck?
    const auto& saved = o.seeds[o.chosen];
    const auto stats = backtest::daily_stats(backtest::daily_pnl_cents(saved.test[0].days));
    std::string line = fmt::format("      saved seed {}: net {}, {}", saved.seed,
                                   backtest::dollars(saved.test[0].metrics.net_pnl_cents),
                                   backtest::significance_words(stats));
    if (stats.sharpe_annualised && stats.sharpe_annualised_lo_ci)
      line += fmt::format("; annualised Sharpe {:.2f} (95% CI {:.2f} .. {:.2f}, Lo)", *stats.sharpe_annualised,
                          stats.sharpe_annualised_lo_ci->lower, stats.sharpe_annualised_lo_ci->upper);
    if (o.seeds.size() > 1) {
      std::vector<double> trial_sharpes;
      for (const auto& so : o.seeds) {
        const auto st = backtest::daily_stats(backtest::daily_pnl_cents(so.test[0].days));
        trial_sharpes.push_back(st.sharpe_per_day.value_or(0.0));
      }
      if (const auto sample = backtest::sharpe_sample(stats)) {
        if (const auto dsr = backtest::deflated_sharpe(*sample, trial_sharpes))
          line += fmt::format("; deflated Sharpe {:.2f} over {} seeds", dsr->dsr, dsr->trials);
      }
    }
    std::string flow_words = "order flow: none (no delta_share or delta column)";
    if (o.order_flow)
      flow_words = fmt::format("order flow {} ({} beyond {:.2f} sd, the best of {} thresholds on the training "
                               "sessions, where it made {})",
                               usd(backtest::summarize(flow).median), o.order_flow->feature, o.order_flow->threshold,
                               backtest::kOrderFlowThresholds.size(),
                               backtest::dollars(o.order_flow->fit_net_pnl_cents));
    fmt::print("{}\n      baselines: flat {}, random median {}, buy and hold {}, {}\n", line,
               usd(backtest::summarize(flat).median), usd(backtest::summarize(random).median),
               usd(backtest::summarize(hold).median), flow_words);

    for (std::size_t si = 0; si < o.seeds.size(); ++si) {
      const auto& so = o.seeds[si];
      const auto& m = so.test[0].metrics;
      const auto st = backtest::daily_stats(backtest::daily_pnl_cents(so.test[0].days));
      csv += fmt::format("{},{},{},{},{},{},{:.2f},{},{:.4f},{:.2f},{},{},{},{:.2f},{:.2f},{:.2f},{},{}\n", k + 1, so.seed,
                         si == o.chosen ? 1 : 0, core::format_trade_date(data.sessions()[f.test_begin].trade_date),
                         core::format_trade_date(data.sessions()[f.test_end - 1].trade_date), m.days,
                         static_cast<double>(m.net_pnl_cents) / 100.0, m.trades, m.win_rate,
                         static_cast<double>(m.max_drawdown_cents) / 100.0,
                         st.sharpe_annualised ? fmt::format("{:.4f}", *st.sharpe_annualised) : "",
                         st.t_stat ? fmt::format("{:.4f}", *st.t_stat) : "",
                         so.validation ? fmt::format("{:.2f}", static_cast<double>(so.validation->net_pnl_cents) / 100.0) : "",
                         static_cast<double>(so.test[1].metrics.net_pnl_cents) / 100.0,
                         static_cast<double>(so.test[2].metrics.net_pnl_cents) / 100.0,
                         static_cast<double>(so.test[3].metrics.net_pnl_cents) / 100.0,
                         so.test.size() > backtest::kOrderFlowRun
                             ? fmt::format("{:.2f}", static_cast<double>(
                                                         so.test[backtest::kOrderFlowRun].metrics.net_pnl_cents) / 100.0)
                             : "",
                         o.order_flow ? fmt::format("{:.2f}", o.order_flow->threshold) : "");
    }
  }
  if (outcomes.size() > 1) print_all_folds(outcomes);
  write_text(path, csv);
  fmt::print("Wrote     {}\n", path.string());
}

// runs/NAME/report.html (train/run_report.h): the folds' outcomes and every seed's metrics.csv on
// one page. A metrics.csv that cannot be read costs that seed its curves, not the report.
void write_report(const std::vector<FoldOutcome>& outcomes, const dataset::Dataset& data,
                  const config::RunConfig& run, const CvOptions& options, const std::string& effective) {
  const auto range = [&](std::size_t begin, std::size_t end) {
    if (end <= begin) return SessionRange{};
    return SessionRange{begin, end, data.sessions()[begin].trade_date, data.sessions()[end - 1].trade_date};
  };
  RunReport report{options.out.string(), options.data_path, effective, run.env.fill_rule,
                   run.env.slippage_ticks, run.env.commission_per_side_cents, {}};
  for (std::size_t k = 0; k < outcomes.size(); ++k) {
    const auto& o = outcomes[k];
    const auto& f = o.fold;
    FoldReport fold{k + 1, range(f.train_begin, f.train_end), range(f.validation_begin, f.validation_end),
                    range(f.test_begin, f.test_end), order_flow_words(o.order_flow), o.selection, {}};
    for (std::size_t si = 0; si < o.seeds.size(); ++si) {
      const auto& so = o.seeds[si];
      SeedReport seed{so.seed, si == o.chosen, {}, {}, so.test, so.validation, so.sensitivity};
      const auto csv = (o.seeds.size() == 1 ? o.dir : o.dir / fmt::format("seed_{}", so.seed)) / "metrics.csv";
      if (auto rows = read_metrics_csv(csv)) {
        seed.metrics = std::move(rows).value();
      } else {
        seed.metrics_error = rows.error().message;
        spdlog::warn("Report without the curves of seed {}: {}", so.seed, seed.metrics_error);
      }
      fold.seeds.push_back(std::move(seed));
    }
    report.folds.push_back(std::move(fold));
  }
  const auto path = options.out / "report.html";
  write_text(path, render_run_report(report));
  fmt::print("Wrote     {}\n", path.string());
}

}  // namespace

std::vector<FoldOutcome> run_cross_validation(const config::RunConfig& run, const dataset::Dataset& data,
                                              const CvOptions& options) {
  const auto folds = must(backtest::walk_forward_split(data.sessions().size(), config::split_plan(run.train)));
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
  std::filesystem::remove(out / "report.html");
  const std::string effective = config::to_toml(run);
  spdlog::info("Effective configuration:\n{}", effective);
  write_text(out / model::kRunConfigFile, effective);
  const auto n_seeds = static_cast<std::size_t>(run.train.seeds);
  const bool tty = ::isatty(STDERR_FILENO) != 0 && !options.quiet;

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
    if (f.has_validation())
      fmt::print("          validation sessions {}..{} ({}), for choosing the saved seed\n", f.validation_begin,
                 f.validation_end - 1, date_range(data, f.validation_begin, f.validation_end));

    const auto train_env = range_env(run, env::EpisodeMode::kTrain, f.train_begin, f.train_end);
    const auto scaler = must(env::fit_scaler(data, train_env, run.train.scaler));
    const auto train_data = must(env::EnvData::create(data, scaler, train_env));
    const auto test_data = must(env::EnvData::create(
        data, scaler, range_env(run, env::EpisodeMode::kEvaluate, f.test_begin, f.test_end)));
    std::shared_ptr<const env::EnvData> validation_data;
    if (f.has_validation())
      validation_data = must(env::EnvData::create(
          data, scaler, range_env(run, env::EpisodeMode::kEvaluate, f.validation_begin, f.validation_end)));

    FoldOutcome fold_outcome;
    fold_outcome.fold = f;
    fold_outcome.dir = final_dir;
    // The order-flow baseline's threshold, fitted on the training sessions (in evaluation mode:
    // each once, in order), never on the validation or test ones.
    if (backtest::order_flow_column(data.feature_set().columns())) {
      const auto fit_data = must(env::EnvData::create(
          data, scaler, range_env(run, env::EpisodeMode::kEvaluate, f.train_begin, f.train_end)));
      fold_outcome.order_flow = must(backtest::fit_order_flow_rule(data.feature_set().columns(), fit_data));
    }
    for (std::size_t si = 0; si < n_seeds; ++si) {
      rl::PpoConfig ppo = run.ppo;
      ppo.seed = run.ppo.seed + si;
      // One seed: the fold folder is the model folder, as it always was. Several: one each.
      const auto seed_dir = n_seeds == 1 ? fold_dir : fold_dir / fmt::format("seed_{}", ppo.seed);
      std::filesystem::create_directories(seed_dir);
      if (n_seeds > 1) fmt::print("Seed {} ({}/{})\n", ppo.seed, si + 1, n_seeds);
      env::TradingVecEnv vec(train_data, static_cast<std::size_t>(ppo.num_envs), ppo.seed);

      MetricsCsv csv(seed_dir / "metrics.csv");
      double recent_pnl = 0;
      const auto start = std::chrono::steady_clock::now();
      rl::PpoCallbacks callbacks;
      callbacks.on_update = [&](const rl::PpoMetrics& m) {
        csv.write(m);
        recent_pnl = m.ep_pnl_mean;
        // Without a terminal (a log file, CI) a line per tenth of the run, not per update.
        const std::int64_t per_update = ppo.n_steps * ppo.num_envs;
        const std::int64_t updates = (ppo.total_timesteps + per_update - 1) / per_update;
        const bool tenth = m.iteration % std::max<std::int64_t>(1, updates / 10) == 0 || m.timesteps >= ppo.total_timesteps;
        if (!tty && !options.quiet && tenth)
          fmt::print(stderr, "train: {}/{} steps  {:.0f} steps/s  episode P&L {:+.0f}  kl {:.4f}  clip {:.3f}  ev {:.3f}\n",
                     core::thousands(static_cast<std::uint64_t>(m.timesteps)),
                     core::thousands(static_cast<std::uint64_t>(ppo.total_timesteps)), m.fps, m.ep_pnl_mean, m.approx_kl,
                     m.clip_fraction, m.explained_variance);
        return true;
      };
      callbacks.progress_every_steps = 1024;
      callbacks.on_progress = [&](const rl::RolloutProgress& p) {
        if (!tty) return true;
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const double rate = secs > 0 ? static_cast<double>(p.timesteps) / secs : 0;
        const double eta = rate > 0 ? static_cast<double>(ppo.total_timesteps - p.timesteps) / rate : 0;
        std::fprintf(stderr, "\rtrain fold %zu: %s/%s steps  %.0f steps/s  ETA %.0fs  recent episode P&L %+.0f   ",
                     k + 1, core::thousands(static_cast<std::uint64_t>(p.timesteps)).c_str(),
                     core::thousands(static_cast<std::uint64_t>(ppo.total_timesteps)).c_str(), rate, std::max(0.0, eta),
                     recent_pnl);
        return true;
      };
      rl::PpoTrainer trainer(vec, ppo, callbacks);
      trainer.learn();
      if (tty) std::fprintf(stderr, "\r\033[K");
      const double train_secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

      // Evaluate the deterministic policy on the test sessions, next to the baselines, and on the
      // validation sessions alone.
      rl::Policy policy = trainer.policy();
      const bool det = run.train.deterministic_eval;
      const backtest::Decide decide = [&](std::span<const float> obs) {
        return static_cast<std::int32_t>(policy.act(obs, det));
      };
      SeedOutcome seed_outcome;
      seed_outcome.seed = ppo.seed;
      if (validation_data) seed_outcome.validation = backtest::evaluate("model", validation_data, decide).metrics;
      seed_outcome.test =
          must(backtest::evaluate_with_baselines(data, scaler, test_data, decide, ppo.seed + 17, fold_outcome.order_flow));
      if (det)
        seed_outcome.sensitivity = must(backtest::cost_sensitivity(data, scaler, test_data->config(), decide,
                                                                   ppo.seed + 17, fold_outcome.order_flow));
      seed_outcome.timesteps = trainer.timesteps();
      seed_outcome.train_seconds = train_secs;

      trainer.save(seed_dir);
      must(scaler.save((seed_dir / model::kScalerFile).string()));
      write_text(seed_dir / model::kRunConfigFile, config::to_toml([&] {
                   config::RunConfig r = run;
                   r.ppo.seed = ppo.seed;
                   return r;
                 }()));
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
          {"seed", ppo.seed},
          {"timesteps", trainer.timesteps()},
          {"train_seconds", train_secs},
          {"observation_size", train_data->observation_size()},
          {"num_actions", 5},
          {"test_metrics", metrics_json(seed_outcome.test.front().metrics)},
          {"compute", compute_json(rl::compute_info())},
      };
      if (fold_outcome.order_flow)
        meta["order_flow_rule"] = {{"feature", fold_outcome.order_flow->feature},
                                   {"threshold", fold_outcome.order_flow->threshold},
                                   {"fitted_on", "train"},
                                   {"train_net_usd", static_cast<double>(fold_outcome.order_flow->fit_net_pnl_cents) / 100.0}};
      if (f.has_validation()) {
        meta["validation"] = range_json(data, f.validation_begin, f.validation_end);
        meta["validation_metrics"] = metrics_json(*seed_outcome.validation);
      }
      write_text(seed_dir / model::kMetadataFile, meta.dump(2) + "\n");
      fmt::print("{}", backtest::format_metrics_table(seed_outcome.test));
      fmt::print("Trained   seed {} ({} steps in {:.1f} s, {:.0f} steps/s)\n\n", ppo.seed,
                 core::thousands(static_cast<std::uint64_t>(trainer.timesteps())), train_secs,
                 static_cast<double>(trainer.timesteps()) / std::max(train_secs, 1e-9));
      fold_outcome.seeds.push_back(std::move(seed_outcome));
    }

    // The fold's model: the seed with the best net P&L on the validation sessions (the first on
    // a tie); never a choice made on the test sessions.
    if (n_seeds == 1) {
      fold_outcome.selection = "one seed, nothing chosen";
    } else if (!f.has_validation()) {
      fold_outcome.selection = fmt::format("first seed {} (no validation range, so nothing is chosen)",
                                           fold_outcome.seeds.front().seed);
    } else {
      for (std::size_t si = 1; si < n_seeds; ++si)
        if (fold_outcome.seeds[si].validation->net_pnl_cents >
            fold_outcome.seeds[fold_outcome.chosen].validation->net_pnl_cents)
          fold_outcome.chosen = si;
      const auto& c = fold_outcome.seeds[fold_outcome.chosen];
      fold_outcome.selection = fmt::format("seed {}: best net P&L on the validation sessions ({}), {}",
                                           c.seed, date_range(data, f.validation_begin, f.validation_end),
                                           backtest::dollars(c.validation->net_pnl_cents));
    }
    if (n_seeds > 1) {
      const auto& c = fold_outcome.seeds[fold_outcome.chosen];
      copy_model_files(fold_dir / fmt::format("seed_{}", c.seed), fold_dir);
      nlohmann::json meta = nlohmann::json::parse(std::ifstream(fold_dir / model::kMetadataFile));
      meta["selection"] = {{"rule", "best net P&L on the validation sessions"},
                           {"chosen_seed", c.seed},
                           {"seeds", [&] {
                              std::vector<std::uint64_t> v;
                              for (const auto& so : fold_outcome.seeds) v.push_back(so.seed);
                              return v;
                            }()},
                           {"words", fold_outcome.selection}};
      write_text(fold_dir / model::kMetadataFile, meta.dump(2) + "\n");
    }
    std::filesystem::remove_all(final_dir);
    std::filesystem::rename(fold_dir, final_dir);
    fmt::print("Saved     {} ({})\n", final_dir.string(), fold_outcome.selection);
    if (const auto& saved = fold_outcome.seeds[fold_outcome.chosen]; !saved.sensitivity.empty()) {
      std::vector<std::string> names;
      for (const auto& r : saved.test) names.push_back(r.name);
      fmt::print("Net P&L of seed {} and the baselines on the test sessions under other costs and fill rules "
                 "(trained with {} tick{} of slippage, {}):\n{}",
                 saved.seed, run.env.slippage_ticks, run.env.slippage_ticks == 1 ? "" : "s",
                 exec::to_string(run.env.fill_rule), backtest::format_sensitivity_table(saved.sensitivity, names));
    }
    fmt::print("\n");
    outcomes.push_back(std::move(fold_outcome));
  }

  write_summary(outcomes, data, out / "summary.csv");
  write_report(outcomes, data, run, options, effective);
  return outcomes;
}

}  // namespace daytrader::train
