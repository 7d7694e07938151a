#include "train/walk_forward.h"

#include <algorithm>

namespace daytrader::train {

namespace {

// Run `run` of the seed chosen by `pick` in every fold, day after day; empty if a fold lacks it.
template <typename Pick>
WalkForwardSeries series(const std::vector<WalkForwardFold>& folds, std::size_t run, std::string name, Pick pick) {
  WalkForwardSeries s;
  s.name = std::move(name);
  for (const auto& f : folds) {
    const SeedTests& tests = *f.seeds[pick(f)];
    if (tests.size() <= run) return WalkForwardSeries{s.name, 0, {}, {}};
    const auto days = backtest::daily_pnl_cents(tests[run].days);
    s.daily_cents.insert(s.daily_cents.end(), days.begin(), days.end());
  }
  for (const double d : s.daily_cents) s.net_cents += d;
  s.stats = backtest::daily_stats(s.daily_cents);
  return s;
}

}  // namespace

WalkForwardSummary summarize_walk_forward(const std::vector<WalkForwardFold>& folds) {
  WalkForwardSummary w;
  if (folds.empty()) return w;
  std::size_t n_seeds = folds.front().seeds.size();
  for (const auto& f : folds) n_seeds = std::min(n_seeds, f.seeds.size());
  if (n_seeds == 0) return w;
  w.folds = folds.size();
  const auto saved = [](const WalkForwardFold& f) { return f.saved; };
  w.saved = series(folds, backtest::kModelRun, "saved models", saved);
  w.days = w.saved.daily_cents.size();
  if (n_seeds > 1) {
    std::vector<double> nets;
    for (std::size_t i = 0; i < n_seeds; ++i) {
      auto s = series(folds, backtest::kModelRun, "seed index " + std::to_string(i),
                      [i](const WalkForwardFold&) { return i; });
      nets.push_back(s.net_cents);
      if (s.stats.t_stat && s.stats.p_value && *s.stats.p_value < 0.05)
        (*s.stats.t_stat > 0 ? w.significantly_positive : w.significantly_negative) += 1;
      w.seed_indices.push_back(std::move(s));
    }
    w.seed_index_nets = backtest::summarize(nets);
  }
  const std::pair<std::size_t, const char*> baselines[] = {{backtest::kFlatRun, "flat"},
                                                           {backtest::kRandomRun, "random"},
                                                           {backtest::kBuyAndHoldRun, "buy and hold"},
                                                           {backtest::kOrderFlowRun, "order flow"}};
  for (const auto& [run, name] : baselines) {
    auto s = series(folds, run, name, saved);
    if (s.daily_cents.size() == w.days) w.baselines.push_back(std::move(s));
  }
  return w;
}

}  // namespace daytrader::train
