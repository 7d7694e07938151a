#include "env/observation.h"

#include <algorithm>

#include <fmt/format.h>

namespace daytrader::env {

ObservationBuilder::ObservationBuilder(const EnvConfig& config) noexcept
    : balance_scale_(static_cast<float>(1.0 / static_cast<double>(config.obs_balance_scale_cents))),
      open_pnl_scale_(static_cast<float>(1.0 / static_cast<double>(config.obs_open_pnl_scale_cents))) {}

core::Status ObservationBuilder::build(std::span<const float> raw, const features::Scaler& scaler,
                                       const exec::OrderManager& rules, std::span<float> out) const {
  if (raw.size() != scaler.size())
    return core::Error{fmt::format("observation: the feature row has {} values; the model's scaler expects {} ({})",
                                   raw.size(), scaler.size(), scaler.feature_set().name())};
  if (out.size() != raw.size() + kAccountValues)
    return core::Error{fmt::format("observation: the output holds {} values; expected {}", out.size(),
                                   raw.size() + kAccountValues)};
  std::copy(raw.begin(), raw.end(), out.begin());
  if (auto st = scaler.transform(out.first(raw.size())); !st) return st;
  write_account(rules, out.data() + raw.size());
  return {};
}

}  // namespace daytrader::env
