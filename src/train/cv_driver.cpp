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
#include "core/must.h"
#include "core/numbers.h"
#include "core/timestamp.h"
#include "dist/comm.h"
#include "env/trading_vec_env.h"
#include "model/model_bundle.h"
#include "rl/ppo_trainer.h"
#include "train/run_report.h"
#include "train/text_files.h"
#include "train/walk_forward.h"

namespace daytrader::train {

namespace {

using core::fail;
using core::must;

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

}  // namespace

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

void write_report(const std::vector<FoldOutcome>& outcomes, const dataset::Dataset& data,
                  const config::RunConfig& run, const std::filesystem::path& out, const std::string& data_path,
                  const std::string& effective) {
  const auto range = [&](std::size_t begin, std::size_t end) {
    if (end <= begin) return SessionRange{};
    return SessionRange{begin, end, data.sessions()[begin].trade_date, data.sessions()[end - 1].trade_date};
  };
  RunReport report{out.string(), data_path, effective, run.env.fill_rule,
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
  const auto path = out / "report.html";
  write_text(path, render_run_report(report));
  fmt::print("Wrote     {}\n", path.string());
}

FoldData prepare_fold(const config::RunConfig& run, const dataset::Dataset& data, const backtest::Fold& f) {
  const auto train_env = range_env(run, env::EpisodeMode::kTrain, f.train_begin, f.train_end);
  FoldData fd{f, must(env::fit_scaler(data, train_env, run.train.scaler)), nullptr, nullptr, nullptr, std::nullopt};
  fd.train = must(env::EnvData::create(data, fd.scaler, train_env));
  fd.test = must(env::EnvData::create(data, fd.scaler, range_env(run, env::EpisodeMode::kEvaluate, f.test_begin, f.test_end)));
  if (f.has_validation())
    fd.validation = must(env::EnvData::create(
        data, fd.scaler, range_env(run, env::EpisodeMode::kEvaluate, f.validation_begin, f.validation_end)));
  // The order-flow baseline's threshold, fitted on the training sessions (in evaluation mode:
  // each once, in order), never on the validation or test ones.
  if (backtest::order_flow_column(data.feature_set().columns())) {
    const auto fit_data = must(env::EnvData::create(
        data, fd.scaler, range_env(run, env::EpisodeMode::kEvaluate, f.train_begin, f.train_end)));
    fd.order_flow = must(backtest::fit_order_flow_rule(data.feature_set().columns(), fit_data));
  }
  return fd;
}

SeedOutcome train_seed(const config::RunConfig& run, const dataset::Dataset& data, const FoldData& fd,
                       const SeedRun& s) {
  const auto& f = fd.fold;
  rl::PpoConfig ppo = run.ppo;
  ppo.seed = s.seed;
  const int processes = s.group != nullptr ? s.group->size() : 1;
  const int rank = s.group != nullptr ? s.group->rank() : 0;
  if (ppo.num_envs % processes != 0)
    fail("ppo.num_envs = {} cannot be shared by {} ranks: make it a multiple of {}", ppo.num_envs, processes, processes);
  // A data-parallel rank steps its slice of the run's environments (rl/ppo_trainer.h).
  const auto local_envs = static_cast<std::size_t>(ppo.num_envs / processes);
  env::TradingVecEnv vec(fd.train, local_envs, ppo.seed, local_envs * static_cast<std::size_t>(rank));

  std::optional<MetricsCsv> csv;
  if (s.write) csv.emplace(s.dir / "metrics.csv");
  double recent_pnl = 0;
  const auto start = std::chrono::steady_clock::now();
  const bool speak = s.write && !s.quiet;
  rl::PpoCallbacks callbacks;
  const std::int64_t per_update = ppo.n_steps * ppo.num_envs;
  const std::int64_t updates = (ppo.total_timesteps + per_update - 1) / per_update;
  // Data-parallel: what this rank is doing, for the message if a rank fails or the job is ended
  // (dist/comm.h). A sweep's job pool names the job itself, so a job alone leaves that be.
  const auto say_activity = [&](std::int64_t update) {
    if (s.group != nullptr)
      dist::set_activity(fmt::format("fold {} seed {}, update {}/{}", s.fold_number, ppo.seed, update, updates));
  };
  say_activity(1);
  callbacks.on_update = [&](const rl::PpoMetrics& m) {
    if (csv) csv->write(m);
    recent_pnl = m.ep_pnl_mean;
    say_activity(std::min(m.iteration + 1, updates));
    // Without a terminal (a log file, CI) a line per tenth of the run, not per update.
    const bool tenth = m.iteration % std::max<std::int64_t>(1, updates / 10) == 0 || m.timesteps >= ppo.total_timesteps;
    if (!s.tty && speak && tenth)
      fmt::print(stderr, "train: {}/{} steps  {:.0f} steps/s  episode P&L {:+.0f}  kl {:.4f}  clip {:.3f}  ev {:.3f}\n",
                 core::thousands(static_cast<std::uint64_t>(m.timesteps)),
                 core::thousands(static_cast<std::uint64_t>(ppo.total_timesteps)), m.fps, m.ep_pnl_mean, m.approx_kl,
                 m.clip_fraction, m.explained_variance);
    return true;
  };
  callbacks.progress_every_steps = 1024;
  callbacks.on_progress = [&](const rl::RolloutProgress& p) {
    if (!s.tty || !speak) return true;
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double rate = secs > 0 ? static_cast<double>(p.timesteps) / secs : 0;
    const double eta = rate > 0 ? static_cast<double>(ppo.total_timesteps - p.timesteps) / rate : 0;
    std::fprintf(stderr, "\rtrain fold %zu: %s/%s steps  %.0f steps/s  ETA %.0fs  recent episode P&L %+.0f   ",
                 s.fold_number, core::thousands(static_cast<std::uint64_t>(p.timesteps)).c_str(),
                 core::thousands(static_cast<std::uint64_t>(ppo.total_timesteps)).c_str(), rate, std::max(0.0, eta),
                 recent_pnl);
    return true;
  };
  rl::PpoTrainer trainer(vec, ppo, callbacks, s.group);
  trainer.learn();
  if (s.tty && speak) std::fprintf(stderr, "\r\033[K");
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
  if (fd.validation) seed_outcome.validation = backtest::evaluate("model", fd.validation, decide).metrics;
  seed_outcome.test = must(backtest::evaluate_with_baselines(data, fd.scaler, fd.test, decide, ppo.seed + 17, fd.order_flow));
  if (det)
    seed_outcome.sensitivity =
        must(backtest::cost_sensitivity(data, fd.scaler, fd.test->config(), decide, ppo.seed + 17, fd.order_flow));
  seed_outcome.timesteps = trainer.timesteps();
  seed_outcome.train_seconds = train_secs;
  if (!s.write) return seed_outcome;

  trainer.save(s.dir);
  must(fd.scaler.save((s.dir / model::kScalerFile).string()));
  write_text(s.dir / model::kRunConfigFile, config::to_toml([&] {
               config::RunConfig r = run;
               r.ppo.seed = ppo.seed;
               return r;
             }()));
  const auto& fs = data.feature_set();
  nlohmann::json meta = {
      {"daytrader_version", DAYTRADER_VERSION},
      {"created_utc", core::format_utc(std::chrono::time_point_cast<core::Nanoseconds>(std::chrono::system_clock::now()))},
      {"dataset", {{"path", s.data_path}, {"source", data.meta().source}, {"bar", data.meta().bar.to_string()},
                   {"format_version", dataset::kFormatVersion}}},
      {"instrument", model::instrument_json(data.meta().instrument)},
      {"feature_set", {{"name", fs.name()}, {"version", fs.version()}, {"hash", fs.hash_hex()}, {"columns", fs.columns()}}},
      {"fold", s.fold_number},
      {"folds", s.folds},
      {"train", range_json(data, f.train_begin, f.train_end)},
      {"test", range_json(data, f.test_begin, f.test_end)},
      {"seed", ppo.seed},
      {"timesteps", trainer.timesteps()},
      {"train_seconds", train_secs},
      {"observation_size", fd.train->observation_size()},
      {"num_actions", 5},
      {"test_metrics", metrics_json(seed_outcome.test.front().metrics)},
      {"compute", compute_json(rl::compute_info())},
  };
  if (processes > 1) meta["compute"]["ranks"] = processes;
  if (fd.order_flow)
    meta["order_flow_rule"] = {{"feature", fd.order_flow->feature},
                               {"threshold", fd.order_flow->threshold},
                               {"fitted_on", "train"},
                               {"train_net_usd", static_cast<double>(fd.order_flow->fit_net_pnl_cents) / 100.0}};
  if (f.has_validation()) {
    meta["validation"] = range_json(data, f.validation_begin, f.validation_end);
    meta["validation_metrics"] = metrics_json(*seed_outcome.validation);
  }
  write_text(s.dir / model::kMetadataFile, meta.dump(2) + "\n");
  if (s.print_table) {
    fmt::print("{}", backtest::format_metrics_table(seed_outcome.test));
    fmt::print("Trained   seed {} ({} steps in {:.1f} s, {:.0f} steps/s)\n\n", ppo.seed,
               core::thousands(static_cast<std::uint64_t>(trainer.timesteps())), train_secs,
               static_cast<double>(trainer.timesteps()) / std::max(train_secs, 1e-9));
  }
  return seed_outcome;
}

void choose_saved_seed(FoldOutcome& o, const dataset::Dataset& data, const std::filesystem::path& fold_dir, bool write) {
  const auto& f = o.fold;
  const std::size_t n_seeds = o.seeds.size();
  // The fold's model: the seed with the best net P&L on the validation sessions (the first on a
  // tie); never a choice made on the test sessions.
  o.chosen = 0;
  if (n_seeds == 1) {
    o.selection = "one seed, nothing chosen";
  } else if (!f.has_validation()) {
    o.selection = fmt::format("first seed {} (no validation range, so nothing is chosen)", o.seeds.front().seed);
  } else {
    for (std::size_t si = 1; si < n_seeds; ++si)
      if (o.seeds[si].validation->net_pnl_cents > o.seeds[o.chosen].validation->net_pnl_cents) o.chosen = si;
    const auto& c = o.seeds[o.chosen];
    o.selection = fmt::format("seed {}: best net P&L on the validation sessions ({}), {}", c.seed,
                              date_range(data, f.validation_begin, f.validation_end),
                              backtest::dollars(c.validation->net_pnl_cents));
  }
  if (n_seeds > 1 && write) {
    const auto& c = o.seeds[o.chosen];
    copy_model_files(fold_dir / fmt::format("seed_{}", c.seed), fold_dir);
    nlohmann::json meta = nlohmann::json::parse(std::ifstream(fold_dir / model::kMetadataFile));
    meta["selection"] = {{"rule", "best net P&L on the validation sessions"},
                         {"chosen_seed", c.seed},
                         {"seeds", [&] {
                            std::vector<std::uint64_t> v;
                            for (const auto& so : o.seeds) v.push_back(so.seed);
                            return v;
                          }()},
                         {"words", o.selection}};
    write_text(fold_dir / model::kMetadataFile, meta.dump(2) + "\n");
  }
}

void print_sensitivity(const FoldOutcome& o, const config::RunConfig& run) {
  const auto& saved = o.seeds[o.chosen];
  if (saved.sensitivity.empty()) return;
  std::vector<std::string> names;
  for (const auto& r : saved.test) names.push_back(r.name);
  fmt::print("Net P&L of seed {} and the baselines on the test sessions under other costs and fill rules "
             "(trained with {} tick{} of slippage, {}):\n{}",
             saved.seed, run.env.slippage_ticks, run.env.slippage_ticks == 1 ? "" : "s",
             exec::to_string(run.env.fill_rule), backtest::format_sensitivity_table(saved.sensitivity, names));
}

std::vector<FoldOutcome> run_cross_validation(const config::RunConfig& run, const dataset::Dataset& data,
                                              const CvOptions& options) {
  const auto folds = must(backtest::walk_forward_split(data.sessions().size(), config::split_plan(run.train)));
  // Data-parallel (options.group): every rank runs this function in step and trains every seed
  // together; rank 0 alone prints and writes.
  const bool write = options.group == nullptr || options.group->rank() == 0;
  const std::filesystem::path& out = options.out;
  const std::string effective = config::to_toml(run);
  if (write) {
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
    spdlog::info("Effective configuration:\n{}", effective);
    write_text(out / model::kRunConfigFile, effective);
  }
  const auto n_seeds = static_cast<std::size_t>(run.train.seeds);
  const bool tty = ::isatty(STDERR_FILENO) != 0 && !options.quiet;

  std::vector<FoldOutcome> outcomes;
  for (std::size_t k = 0; k < folds.size(); ++k) {
    const auto& f = folds[k];
    // The fold is written into fold_<k>.partial and renamed to fold_<k> once every file is in
    // place: a fold_<k> folder is always complete.
    const auto final_dir = out / fmt::format("fold_{}", k + 1);
    const auto fold_dir = out / fmt::format("fold_{}.partial", k + 1);
    if (write) {
      std::filesystem::remove_all(fold_dir);
      std::filesystem::create_directories(fold_dir);
      fmt::print("Fold {}/{}: train sessions {}..{} ({} .. {}), test sessions {}..{} ({} .. {})\n", k + 1, folds.size(),
                 f.train_begin, f.train_end - 1, core::format_trade_date(data.sessions()[f.train_begin].trade_date),
                 core::format_trade_date(data.sessions()[f.train_end - 1].trade_date), f.test_begin, f.test_end - 1,
                 core::format_trade_date(data.sessions()[f.test_begin].trade_date),
                 core::format_trade_date(data.sessions()[f.test_end - 1].trade_date));
      if (f.has_validation())
        fmt::print("          validation sessions {}..{} ({}), for choosing the saved seed\n", f.validation_begin,
                   f.validation_end - 1, date_range(data, f.validation_begin, f.validation_end));
    }

    const FoldData fd = prepare_fold(run, data, f);
    FoldOutcome fold_outcome;
    fold_outcome.fold = f;
    fold_outcome.dir = final_dir;
    fold_outcome.order_flow = fd.order_flow;
    for (std::size_t si = 0; si < n_seeds; ++si) {
      SeedRun s;
      s.fold_number = k + 1;
      s.folds = folds.size();
      s.seed = run.ppo.seed + si;
      // One seed: the fold folder is the model folder, as it always was. Several: one each.
      s.dir = n_seeds == 1 ? fold_dir : fold_dir / fmt::format("seed_{}", s.seed);
      s.data_path = options.data_path;
      s.write = write;
      s.quiet = options.quiet;
      s.tty = tty;
      s.group = options.group;
      if (write) {
        std::filesystem::create_directories(s.dir);
        if (n_seeds > 1) fmt::print("Seed {} ({}/{})\n", s.seed, si + 1, n_seeds);
      }
      fold_outcome.seeds.push_back(train_seed(run, data, fd, s));
    }
    choose_saved_seed(fold_outcome, data, fold_dir, write);
    if (write) {
      std::filesystem::remove_all(final_dir);
      std::filesystem::rename(fold_dir, final_dir);
      fmt::print("Saved     {} ({})\n", final_dir.string(), fold_outcome.selection);
      print_sensitivity(fold_outcome, run);
      fmt::print("\n");
    }
    outcomes.push_back(std::move(fold_outcome));
  }

  if (write) {
    write_summary(outcomes, data, out / "summary.csv");
    write_report(outcomes, data, run, out, options.data_path, effective);
  }
  return outcomes;
}

}  // namespace daytrader::train
