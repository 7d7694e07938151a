// `daytrader sweep` (train/sweep.h).

#include "train/sweep.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "backtest/stats.h"
#include "core/must.h"
#include "core/timestamp.h"
#include "dist/comm.h"
#include "dist/job_pool.h"
#include "model/model_bundle.h"
#include "train/cv_driver.h"
#include "train/text_files.h"
#include "train/walk_forward.h"

namespace daytrader::train {

namespace {

using core::fail;
using core::must;

// ---- A job's result.json: what the summary needs of a SeedOutcome ---------------------------

nlohmann::json metrics_to_json(const backtest::Metrics& m) {
  return {{"net_pnl_cents", m.net_pnl_cents},
          {"gross_pnl_cents", m.gross_pnl_cents},
          {"commission_cents", m.commission_cents},
          {"trades", m.trades},
          {"wins", m.wins},
          {"losses", m.losses},
          {"win_rate", m.win_rate},
          {"average_trade_cents", m.average_trade_cents},
          {"profit_factor", std::isinf(m.profit_factor) ? nlohmann::json(nullptr) : nlohmann::json(m.profit_factor)},
          {"max_drawdown_cents", m.max_drawdown_cents},
          {"days", m.days},
          {"daily_sharpe", m.daily_sharpe},
          {"mean_daily_pnl_cents", m.mean_daily_pnl_cents}};
}

backtest::Metrics metrics_from_json(const nlohmann::json& j) {
  backtest::Metrics m;
  m.net_pnl_cents = j.at("net_pnl_cents").get<core::Cents>();
  m.gross_pnl_cents = j.at("gross_pnl_cents").get<core::Cents>();
  m.commission_cents = j.at("commission_cents").get<core::Cents>();
  m.trades = j.at("trades").get<std::int64_t>();
  m.wins = j.at("wins").get<std::int64_t>();
  m.losses = j.at("losses").get<std::int64_t>();
  m.win_rate = j.at("win_rate").get<double>();
  m.average_trade_cents = j.at("average_trade_cents").get<double>();
  m.profit_factor = j.at("profit_factor").is_null() ? std::numeric_limits<double>::infinity()
                                                     : j.at("profit_factor").get<double>();
  m.max_drawdown_cents = j.at("max_drawdown_cents").get<core::Cents>();
  m.days = j.at("days").get<std::int64_t>();
  m.daily_sharpe = j.at("daily_sharpe").get<double>();
  m.mean_daily_pnl_cents = j.at("mean_daily_pnl_cents").get<double>();
  return m;
}

nlohmann::json outcome_to_json(const SeedOutcome& o) {
  nlohmann::json tests = nlohmann::json::array();
  for (const auto& r : o.test) {
    nlohmann::json days = nlohmann::json::array();
    for (const auto& d : r.days) days.push_back({d.trade_date, d.pnl_cents, d.trades});
    tests.push_back({{"name", r.name}, {"metrics", metrics_to_json(r.metrics)}, {"days", days}});
  }
  nlohmann::json sensitivity = nlohmann::json::array();
  for (const auto& row : o.sensitivity)
    sensitivity.push_back({{"slippage_ticks", row.slippage_ticks},
                           {"fill_rule", std::string(exec::to_string(row.fill_rule))},
                           {"net_pnl_cents", row.net_pnl_cents}});
  return {{"seed", o.seed},
          {"test", tests},
          {"validation", o.validation ? metrics_to_json(*o.validation) : nlohmann::json(nullptr)},
          {"sensitivity", sensitivity},
          {"timesteps", o.timesteps},
          {"train_seconds", o.train_seconds}};
}

SeedOutcome outcome_from_json(const nlohmann::json& j) {
  SeedOutcome o;
  o.seed = j.at("seed").get<std::uint64_t>();
  for (const auto& t : j.at("test")) {
    backtest::RunResult r;
    r.name = t.at("name").get<std::string>();
    r.metrics = metrics_from_json(t.at("metrics"));
    for (const auto& d : t.at("days"))
      r.days.push_back({d.at(0).get<std::int32_t>(), d.at(1).get<core::Cents>(), d.at(2).get<std::int64_t>()});
    o.test.push_back(std::move(r));
  }
  if (!j.at("validation").is_null()) o.validation = metrics_from_json(j.at("validation"));
  for (const auto& row : j.at("sensitivity")) {
    backtest::SensitivityRow r;
    r.slippage_ticks = row.at("slippage_ticks").get<std::int64_t>();
    r.fill_rule = must(exec::parse_limit_fill_rule(row.at("fill_rule").get<std::string>()));
    r.net_pnl_cents = row.at("net_pnl_cents").get<std::vector<core::Cents>>();
    o.sensitivity.push_back(std::move(r));
  }
  o.timesteps = j.at("timesteps").get<std::int64_t>();
  o.train_seconds = j.at("train_seconds").get<double>();
  return o;
}

constexpr const char* kResultFile = "result.json";

std::filesystem::path point_dir(const SweepConfig& c, const SweepPoint& p) {
  return std::filesystem::path(c.out) / fmt::format("point_{}", p.number);
}

std::filesystem::path job_dir(const SweepConfig& c, const std::vector<SweepPoint>& points, const SweepJob& j) {
  return point_dir(c, points[j.point]) / fmt::format("fold_{}", j.fold + 1) / fmt::format("seed_{}", j.seed);
}

std::string describe(const std::vector<SweepPoint>& points, const SweepJob& j) {
  return fmt::format("point {} ({}), fold {}, seed {}", points[j.point].number, points[j.point].label(), j.fold + 1,
                     j.seed);
}

// ---- The summary ---------------------------------------------------------------------------

struct PointResult {
  const SweepPoint* point = nullptr;
  std::vector<FoldOutcome> folds;
  WalkForwardSummary walk_forward;
  double validation_cents = 0;  // sum over folds of the median validation net of the seeds
  bool has_validation = false;
};

std::string usd(double cents) { return backtest::dollars(static_cast<core::Cents>(std::llround(cents))); }

// Every point's saved models over every fold's test days next to each other; the setting named
// best is the one with the highest validation figure (never a test figure), and its test result
// is deflated for having been picked from all of them.
void print_sweep_table(const std::vector<PointResult>& results, const std::filesystem::path& csv_path) {
  std::string csv = "point,settings,validation_net_usd,test_net_usd,test_days,test_t_stat,seed_index_median_usd,"
                    "beat_flat,beat_random,beat_buy_hold,beat_order_flow,never_trade,fold_runs\n";
  fmt::print("\nSweep: {} settings, each fold's saved seed over every test day (walk-forward, out of sample)\n",
             results.size());
  fmt::print("{:<6} {:<44} {:>13} {:>13} {:>8} {:>13}  {:>7} {:>7} {:>9} {:>7} {:>8}\n", "point", "settings",
             "validation", "test net", "t", "seed median", "> flat", "> rand", "> b&h", "> flow", "no trade");
  std::vector<double> trial_sharpes;
  for (const auto& r : results) {
    std::vector<double> net, flat, random, hold, flow;
    std::vector<std::int64_t> trades;
    for (const auto& fo : r.folds)
      for (const auto& so : fo.seeds) {
        net.push_back(static_cast<double>(so.test[backtest::kModelRun].metrics.net_pnl_cents));
        flat.push_back(static_cast<double>(so.test[backtest::kFlatRun].metrics.net_pnl_cents));
        random.push_back(static_cast<double>(so.test[backtest::kRandomRun].metrics.net_pnl_cents));
        hold.push_back(static_cast<double>(so.test[backtest::kBuyAndHoldRun].metrics.net_pnl_cents));
        if (so.test.size() > backtest::kOrderFlowRun)
          flow.push_back(static_cast<double>(so.test[backtest::kOrderFlowRun].metrics.net_pnl_cents));
        trades.push_back(so.test[backtest::kModelRun].metrics.trades);
      }
    const auto share = [](const backtest::Share& s) { return fmt::format("{}/{}", s.count, s.of); };
    const auto& w = r.walk_forward;
    const std::string t = w.saved.stats.t_stat ? fmt::format("{:.2f}", *w.saved.stats.t_stat) : "-";
    const std::string seed_median = w.seed_index_nets ? usd(w.seed_index_nets->median) : "-";
    const std::string beat_flow = flow.size() == net.size() ? share(backtest::share_beating(net, flow)) : "-";
    fmt::print("{:<6} {:<44} {:>13} {:>13} {:>8} {:>13}  {:>7} {:>7} {:>9} {:>7} {:>8}\n", r.point->number,
               r.point->label(), r.has_validation ? usd(r.validation_cents) : "-", usd(w.saved.net_cents), t,
               seed_median, share(backtest::share_beating(net, flat)), share(backtest::share_beating(net, random)),
               share(backtest::share_beating(net, hold)), beat_flow, share(backtest::share_never_trading(trades)));
    csv += fmt::format("{},\"{}\",{},{:.2f},{},{},{},{},{},{},{},{},{}\n", r.point->number, r.point->label(),
                       r.has_validation ? fmt::format("{:.2f}", r.validation_cents / 100.0) : "",
                       w.saved.net_cents / 100.0, w.days, t == "-" ? "" : t,
                       w.seed_index_nets ? fmt::format("{:.2f}", w.seed_index_nets->median / 100.0) : "",
                       share(backtest::share_beating(net, flat)), share(backtest::share_beating(net, random)),
                       share(backtest::share_beating(net, hold)), beat_flow == "-" ? "" : beat_flow,
                       share(backtest::share_never_trading(trades)), net.size());
    trial_sharpes.push_back(w.saved.stats.sharpe_per_day.value_or(0.0));
  }
  write_text(csv_path, csv);

  // The setting a trader would take forward: the best on the validation sessions.
  const PointResult* best = nullptr;
  for (const auto& r : results)
    if (r.has_validation && (best == nullptr || r.validation_cents > best->validation_cents)) best = &r;
  if (best == nullptr) {
    fmt::print("No validation range (train.validation_sessions = 0): the sweep names no best setting, since choosing "
               "on the test sessions would flatter it.\n");
  } else {
    std::string line = fmt::format(
        "Best on the validation sessions: point {} ({}), validation net {}; on the test days: net {}, {}",
        best->point->number, best->point->label(), usd(best->validation_cents), usd(best->walk_forward.saved.net_cents),
        backtest::significance_words(best->walk_forward.saved.stats));
    if (results.size() > 1)
      if (const auto sample = backtest::sharpe_sample(best->walk_forward.saved.stats))
        if (const auto dsr = backtest::deflated_sharpe(*sample, trial_sharpes))
          line += fmt::format("; deflated Sharpe {:.2f} over the {} settings tried", dsr->dsr, dsr->trials);
    fmt::print("{}\n", line);
  }
  fmt::print("Wrote     {}\n", csv_path.string());
}

}  // namespace

std::vector<SweepJob> sweep_jobs(const std::vector<SweepPoint>& points, std::size_t sessions) {
  std::vector<SweepJob> jobs;
  for (std::size_t p = 0; p < points.size(); ++p) {
    const auto& run = points[p].run;
    const auto folds = must(backtest::walk_forward_split(sessions, config::split_plan(run.train)));
    for (std::size_t k = 0; k < folds.size(); ++k)
      for (int s = 0; s < run.train.seeds; ++s) jobs.push_back({p, k, run.ppo.seed + static_cast<std::uint64_t>(s)});
  }
  return jobs;
}

void run_sweep(const SweepConfig& c, const SweepOptions& options) {
  dist::Comm& comm = dist::world();  // its settings are the caller's (the plugin sets options' timeout)
  const auto data = must(dataset::Dataset::open(c.data));
  const auto points = must(sweep_points(c));
  const auto jobs = sweep_jobs(points, data.sessions().size());
  std::vector<std::vector<backtest::Fold>> point_folds;  // each point's folds, as sweep_jobs laid them out
  for (const auto& p : points)
    point_folds.push_back(must(backtest::walk_forward_split(data.sessions().size(), config::split_plan(p.run.train))));
  const std::filesystem::path out(c.out);

  // Rank 0 lays out the folder and finds the jobs already done; every rank gets the list.
  std::vector<std::uint64_t> pending;
  if (comm.is_root()) {
    std::filesystem::create_directories(out);
    write_text(out / "sweep.toml", read_text(c.source));
    std::string points_csv = "point,settings\n";
    for (const auto& p : points) {
      points_csv += fmt::format("{},\"{}\"\n", p.number, p.label());
      const auto dir = point_dir(c, p);
      const std::string effective = config::to_toml(p.run);
      const auto run_toml = dir / model::kRunConfigFile;
      if (std::filesystem::exists(run_toml)) {
        if (read_text(run_toml) != effective)
          fail("{}: this folder holds a sweep point with other settings than point {} ({}) of {}: remove it, or "
               "sweep into another folder", dir.string(), p.number, p.label(), c.source);
      } else {
        std::filesystem::create_directories(dir);
        write_text(run_toml, effective);
      }
    }
    write_text(out / "points.csv", points_csv);
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      const auto dir = job_dir(c, points, jobs[i]);
      auto partial = dir;
      partial += ".partial";
      std::filesystem::remove_all(partial);  // a job interrupted part way starts again
      if (!std::filesystem::exists(dir / kResultFile)) pending.push_back(i);
    }
    fmt::print("Sweep {}: {} settings, {} jobs, {} done before, {} to run on {} rank{} ({})\n", c.source,
               points.size(), jobs.size(), jobs.size() - pending.size(), pending.size(), comm.size(),
               comm.size() == 1 ? "" : "s", dist::mpi_description());
    std::fflush(stdout);
  }
  std::uint64_t n_pending = pending.size();
  comm.broadcast(std::as_writable_bytes(std::span(&n_pending, 1)), 0, "the number of sweep jobs to run");
  pending.resize(n_pending);
  comm.broadcast(std::as_writable_bytes(std::span(pending)), 0, "the sweep jobs to run");
  // The pool's job numbers are 1-based, as the progress lines count them.
  std::vector<std::size_t> to_run;
  for (const auto i : pending) to_run.push_back(static_cast<std::size_t>(i) + 1);

  std::mutex print_mutex;
  const auto run_job = [&](std::size_t number) {
    const std::size_t i = number - 1;
    const SweepJob& j = jobs[i];
    const auto& point = points[j.point];
    const auto& folds = point_folds[j.point];
    const FoldData fd = prepare_fold(point.run, data, folds[j.fold]);
    const auto dir = job_dir(c, points, j);
    auto partial = dir;
    partial += ".partial";
    std::filesystem::remove_all(partial);
    std::filesystem::create_directories(partial);
    SeedRun s;
    s.fold_number = j.fold + 1;
    s.folds = folds.size();
    s.seed = j.seed;
    s.dir = partial;
    s.data_path = c.data;
    s.quiet = true;
    s.print_table = false;  // the sweep prints one line per job instead
    const auto t0 = std::chrono::steady_clock::now();
    const SeedOutcome o = train_seed(point.run, data, fd, s);
    write_text(partial / kResultFile, outcome_to_json(o).dump() + "\n");
    std::filesystem::remove_all(dir);
    std::filesystem::rename(partial, dir);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (options.quiet) return;
    const std::lock_guard lock(print_mutex);  // rank 0 prints from its job thread too
    fmt::print("Job {}/{} done on rank {}: {}: test net {} ({} trades){}, {:.1f} s\n", i + 1, jobs.size(), comm.rank(),
               describe(points, j), backtest::dollars(o.test[backtest::kModelRun].metrics.net_pnl_cents),
               o.test[backtest::kModelRun].metrics.trades,
               o.validation ? fmt::format(", validation {}", backtest::dollars(o.validation->net_pnl_cents)) : "",
               secs);
    std::fflush(stdout);
  };
  dist::JobPoolOptions pool;
  pool.silence_timeout_s = options.silence_timeout_s;
  (void)dist::run_job_pool(comm, to_run, run_job, [&](std::size_t number) { return describe(points, jobs[number - 1]); },
                           pool);
  if (!comm.is_root()) return;

  // Every job is done: each point's folds as `train` reports them, then the table across points.
  std::vector<PointResult> results;
  for (std::size_t p = 0; p < points.size(); ++p) {
    const auto& point = points[p];
    const auto dir = point_dir(c, point);
    fmt::print("\nPoint {}: {}\n", point.number, point.label());
    const auto& folds = point_folds[p];
    PointResult r;
    r.point = &point;
    for (std::size_t k = 0; k < folds.size(); ++k) {
      FoldOutcome fo;
      fo.fold = folds[k];
      fo.dir = dir / fmt::format("fold_{}", k + 1);
      if (backtest::order_flow_column(data.feature_set().columns())) {
        // The rule each job fitted on the training sessions; the same for every seed of the fold.
        const auto meta = nlohmann::json::parse(
            std::ifstream(fo.dir / fmt::format("seed_{}", point.run.ppo.seed) / model::kMetadataFile));
        if (meta.contains("order_flow_rule")) {
          backtest::OrderFlowRule rule;
          rule.feature = meta["order_flow_rule"]["feature"].get<std::string>();
          rule.threshold = meta["order_flow_rule"]["threshold"].get<float>();
          rule.fit_net_pnl_cents =
              static_cast<core::Cents>(std::llround(meta["order_flow_rule"]["train_net_usd"].get<double>() * 100.0));
          fo.order_flow = rule;
        }
      }
      std::vector<double> validation;
      for (int s = 0; s < point.run.train.seeds; ++s) {
        const auto seed_dir = fo.dir / fmt::format("seed_{}", point.run.ppo.seed + static_cast<std::uint64_t>(s));
        fo.seeds.push_back(outcome_from_json(nlohmann::json::parse(read_text(seed_dir / kResultFile))));
        if (fo.seeds.back().validation)
          validation.push_back(static_cast<double>(fo.seeds.back().validation->net_pnl_cents));
      }
      choose_saved_seed(fo, data, fo.dir, true);
      if (fo.seeds.size() == 1)  // the fold folder holds the saved model, as with several seeds
        copy_model_files(fo.dir / fmt::format("seed_{}", fo.seeds[0].seed), fo.dir);
      if (!validation.empty()) {
        r.has_validation = true;
        r.validation_cents += backtest::summarize(validation).median;
      }
      r.folds.push_back(std::move(fo));
    }
    write_summary(r.folds, data, dir / "summary.csv");
    write_report(r.folds, data, point.run, dir, c.data, config::to_toml(point.run));
    std::vector<WalkForwardFold> wf;
    for (const auto& fo : r.folds) {
      WalkForwardFold f;
      for (const auto& so : fo.seeds) f.seeds.push_back(&so.test);
      f.saved = fo.chosen;
      wf.push_back(std::move(f));
    }
    r.walk_forward = summarize_walk_forward(wf);
    results.push_back(std::move(r));
  }
  print_sweep_table(results, out / "sweep_summary.csv");
}

}  // namespace daytrader::train
