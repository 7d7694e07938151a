#pragma once
// The observation the policy sees at a bar's close, built the same way in training, backtests and
// live trading: the bar's feature row scaled with the model's scaler, then six account values.
//
//   [ scaled features (feature set order) | balance, long, short, locked out, open P&L, drawdown ]
//
// Account values, in this order (the original's order, which its live code did not keep):
//   balance    (balance - starting balance) / obs_balance_scale, commission of an open entry included
//   long       1 when long, else 0
//   short      1 when short, else 0
//   locked out 1 once a risk limit stopped trading for the day (the "stop-loss flag")
//   open P&L   open P&L at the bar's close / obs_open_pnl_scale
//   drawdown   (high-water mark - equity) / obs_balance_scale, >= 0
// Every value is computed in float exactly as training computed it, so a live observation is
// bit-identical to the backtest's for the same bar and account.

#include <cstddef>
#include <span>

#include "core/result.h"
#include "env/env_config.h"
#include "exec/order_manager.h"
#include "features/scaler.h"

namespace daytrader::env {

// Account values after the scaled features (indices into the tail of the observation).
enum class AccountValue : std::size_t {
  kBalance = 0,
  kLong = 1,
  kShort = 2,
  kLockedOut = 3,
  kOpenPnl = 4,
  kDrawdown = 5,
};
inline constexpr std::size_t kAccountValues = 6;

class ObservationBuilder {
 public:
  // The multipliers come from the environment settings the model was trained with.
  explicit ObservationBuilder(const EnvConfig& config) noexcept;

  // Writes the six account values to out[0..6).
  void write_account(const exec::OrderManager& rules, float* out) const noexcept {
    const exec::Position& pos = rules.position();
    out[0] = static_cast<float>(rules.account().realized_cents()) * balance_scale_;
    out[1] = pos.is_long() ? 1.0F : 0.0F;
    out[2] = pos.is_short() ? 1.0F : 0.0F;
    out[3] = rules.is_locked_out() ? 1.0F : 0.0F;
    out[4] = static_cast<float>(rules.open_pnl_cents()) * open_pnl_scale_;
    out[5] = static_cast<float>(rules.drawdown_cents()) * balance_scale_;
  }

  // Live: a raw feature row (the FeaturePipeline's output) -> scaled with `scaler` -> plus the
  // account values. `out` holds raw.size() + kAccountValues floats. Errors: sizes, a non-finite
  // feature (naming its column).
  [[nodiscard]] core::Status build(std::span<const float> raw, const features::Scaler& scaler,
                                   const exec::OrderManager& rules, std::span<float> out) const;

 private:
  float balance_scale_ = 0;
  float open_pnl_scale_ = 0;
};

}  // namespace daytrader::env
