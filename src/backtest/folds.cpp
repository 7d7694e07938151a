#include "backtest/folds.h"

#include <fmt/format.h>

namespace daytrader::backtest {

core::Result<std::vector<Fold>> time_series_split(std::size_t n_sessions, int folds, int gap_sessions) {
  if (folds < 1) return core::Error{fmt::format("folds is {}; expected at least 1", folds)};
  if (gap_sessions < 0) return core::Error{fmt::format("gap_sessions is {}; expected >= 0", gap_sessions)};
  const std::size_t k = static_cast<std::size_t>(folds);
  const std::size_t test = n_sessions / (k + 1);
  const auto gap = static_cast<std::size_t>(gap_sessions);
  if (test == 0 || n_sessions - k * test <= gap)
    return core::Error{fmt::format("{} sessions cannot make {} folds with a gap of {}: every training and test "
                                   "range needs at least one session",
                                   n_sessions, folds, gap_sessions)};
  std::vector<Fold> out;
  for (std::size_t i = 0; i < k; ++i) {
    Fold f;
    f.test_begin = n_sessions - (k - i) * test;
    f.test_end = f.test_begin + test;
    f.train_begin = 0;
    f.train_end = f.test_begin - gap;
    out.push_back(f);
  }
  return out;
}

}  // namespace daytrader::backtest
