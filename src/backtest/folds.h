#pragma once
// Walk-forward cross-validation over whole sessions. The test ranges are consecutive blocks at the
// end of the data, n_sessions / (folds + 1) sessions each, as scikit-learn's TimeSeriesSplit lays
// them out; each fold trains only on sessions before its test range:
//
//   expanding:  [train ....................][purge][validation][purge][test]
//   rolling:             [train (W sessions)][purge][validation][purge][test]
//
// - purge_sessions whole sessions are dropped between training and what is judged on it (the
//   validation range, if any, and the test range), so that nothing that spans a session boundary
//   (features with long windows, a position held into the next session) links them.
// - validation_sessions, when > 0, are the last sessions before the test range (after a purge):
//   anything chosen for a fold (the seed of the saved model, a baseline's threshold) is chosen on
//   them, never on the test range. Training ends a purge before them.
// - rolling windows keep W = train_sessions sessions (0: as many as the first fold has), so every
//   fold learns from the same amount of the most recent data; expanding windows start at 0.
//
// An embargo (dropping training sessions that FOLLOW a test range) has no object here: no fold
// trains on anything after its own test range.

#include <cstddef>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace daytrader::backtest {

enum class WindowScheme { kExpanding, kRolling };

[[nodiscard]] std::string_view to_string(WindowScheme s) noexcept;
[[nodiscard]] core::Result<WindowScheme> parse_window_scheme(std::string_view text);

struct SplitPlan {
  int folds = 2;
  int purge_sessions = 0;
  int validation_sessions = 0;
  WindowScheme scheme = WindowScheme::kExpanding;
  int train_sessions = 0;  // rolling only; 0 = the first fold's training length
};

struct Fold {
  std::size_t train_begin = 0, train_end = 0;  // sessions [begin, end)
  std::size_t validation_begin = 0, validation_end = 0;  // empty when the plan has no validation
  std::size_t test_begin = 0, test_end = 0;
  [[nodiscard]] bool has_validation() const noexcept { return validation_end > validation_begin; }
};

// The folds of `plan` over n_sessions sessions. Errors name the setting when a range would be
// empty or a rolling window does not fit before the first test range.
[[nodiscard]] core::Result<std::vector<Fold>> walk_forward_split(std::size_t n_sessions, const SplitPlan& plan);

// Expanding windows without validation: walk_forward_split(n, {folds, gap_sessions}).
[[nodiscard]] core::Result<std::vector<Fold>> time_series_split(std::size_t n_sessions, int folds, int gap_sessions);

}  // namespace daytrader::backtest
