#include "backtest/folds.h"

#include <algorithm>

#include <fmt/format.h>

namespace daytrader::backtest {

std::string_view to_string(WindowScheme s) noexcept {
  return s == WindowScheme::kRolling ? "rolling" : "expanding";
}

core::Result<WindowScheme> parse_window_scheme(std::string_view text) {
  if (text == "expanding") return WindowScheme::kExpanding;
  if (text == "rolling") return WindowScheme::kRolling;
  return core::Error{fmt::format("window scheme \"{}\"; expected \"expanding\" or \"rolling\"", text)};
}

core::Result<std::vector<Fold>> walk_forward_split(std::size_t n_sessions, const SplitPlan& plan) {
  if (plan.folds < 1) return core::Error{fmt::format("folds is {}; expected at least 1", plan.folds)};
  if (plan.purge_sessions < 0)
    return core::Error{fmt::format("gap_sessions (the purge) is {}; expected >= 0", plan.purge_sessions)};
  if (plan.validation_sessions < 0)
    return core::Error{fmt::format("validation_sessions is {}; expected >= 0", plan.validation_sessions)};
  if (plan.train_sessions < 0)
    return core::Error{fmt::format("train_sessions is {}; expected >= 0", plan.train_sessions)};
  const auto k = static_cast<std::size_t>(plan.folds);
  const auto purge = static_cast<std::size_t>(plan.purge_sessions);
  const auto validation = static_cast<std::size_t>(plan.validation_sessions);
  const std::size_t test = n_sessions / (k + 1);
  // Sessions before the first test range that training can use: less the purge, the validation
  // range and the purge before it.
  const std::size_t first_test_begin = n_sessions - k * test;
  const std::size_t reserved = purge + (validation > 0 ? validation + purge : 0);
  if (test == 0 || first_test_begin <= reserved)
    return core::Error{fmt::format(
        "{} sessions cannot make {} folds with a gap of {} and {} validation sessions: every training, "
        "validation and test range needs at least one session",
        n_sessions, plan.folds, plan.purge_sessions, plan.validation_sessions)};
  const std::size_t first_train_length = first_test_begin - reserved;
  std::size_t window = first_train_length;
  if (plan.scheme == WindowScheme::kRolling && plan.train_sessions > 0) {
    window = static_cast<std::size_t>(plan.train_sessions);
    if (window > first_train_length)
      return core::Error{fmt::format("train_sessions is {}, but fold 1 has only {} sessions to train on", window,
                                     first_train_length)};
  }
  std::vector<Fold> out;
  for (std::size_t i = 0; i < k; ++i) {
    Fold f;
    f.test_begin = first_test_begin + i * test;
    f.test_end = f.test_begin + test;
    if (validation > 0) {
      f.validation_end = f.test_begin - purge;
      f.validation_begin = f.validation_end - validation;
      f.train_end = f.validation_begin - purge;
    } else {
      f.train_end = f.test_begin - purge;
    }
    f.train_begin = plan.scheme == WindowScheme::kRolling ? f.train_end - window : 0;
    out.push_back(f);
  }
  return out;
}

core::Result<std::vector<Fold>> time_series_split(std::size_t n_sessions, int folds, int gap_sessions) {
  SplitPlan plan;
  plan.folds = folds;
  plan.purge_sessions = gap_sessions;
  return walk_forward_split(n_sessions, plan);
}

}  // namespace daytrader::backtest
