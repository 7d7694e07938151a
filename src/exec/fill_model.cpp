#include "exec/fill_model.h"

#include <fmt/format.h>

#include "core/assert.h"

namespace daytrader::exec {

core::Result<LimitFillRule> parse_limit_fill_rule(std::string_view text) {
  if (text == "through") return LimitFillRule::kThrough;
  if (text == "touch") return LimitFillRule::kTouch;
  return core::Error{fmt::format("\"{}\" is not a fill rule (through or touch)", text)};
}

std::string_view to_string(LimitFillRule rule) noexcept {
  switch (rule) {
    case LimitFillRule::kThrough: return "through";
    case LimitFillRule::kTouch: return "touch";
    case LimitFillRule::kBarBestForTests: return "bar-best (a deliberate error, for tests)";
  }
  return "unknown";
}

BarFillModel::BarFillModel(std::int64_t slippage_ticks, LimitFillRule rule)
    : slippage_ticks_(slippage_ticks), rule_(rule) {
  DT_ASSERT(slippage_ticks >= 0, "slippage must not be negative");
}

}  // namespace daytrader::exec
