#pragma once
// Time-series cross-validation over whole sessions, like scikit-learn's TimeSeriesSplit: the test
// ranges are consecutive blocks at the end of the data and each training range is everything
// before its test range (an expanding window), less an optional gap of whole sessions.

#include <cstddef>
#include <vector>

#include "core/result.h"

namespace daytrader::backtest {

struct Fold {
  std::size_t train_begin = 0, train_end = 0;  // sessions [begin, end)
  std::size_t test_begin = 0, test_end = 0;
};

// n_sessions split into `folds` folds; test blocks have n_sessions / (folds + 1) sessions (the
// first training range takes the remainder). Errors when a range would be empty.
[[nodiscard]] core::Result<std::vector<Fold>> time_series_split(std::size_t n_sessions, int folds, int gap_sessions);

}  // namespace daytrader::backtest
