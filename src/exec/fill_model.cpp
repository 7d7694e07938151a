#include "exec/fill_model.h"

#include "core/assert.h"

namespace daytrader::exec {

BarFillModel::BarFillModel(std::int64_t slippage_ticks) : slippage_ticks_(slippage_ticks) {
  DT_ASSERT(slippage_ticks >= 0, "slippage must not be negative");
}

}  // namespace daytrader::exec
