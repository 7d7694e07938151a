#include "exec/account.h"

namespace daytrader::exec {

Account::Account(const AccountConfig& config) : config_(config) {
  DT_ASSERT(config.commission_per_side_cents >= 0, "commission must not be negative");
  DT_ASSERT(config.tick_value_cents > 0, "tick value must be positive");
  reset();
}

void Account::reset() noexcept {
  balance_cents_ = config_.starting_balance_cents;
  entry_commission_cents_ = 0;
  position_ = Position{};
  trades_.clear();  // keeps the capacity: no allocation once warmed up
}

const ClosedTrade& Account::close(core::Ticks price, core::Timestamp time, ExitReason reason) {
  DT_ASSERT(!position_.is_flat(), "close() on a flat account");
  const auto quantity = static_cast<core::Contracts>(position_.abs_quantity());
  const core::Cents exit_commission = config_.commission_per_side_cents * quantity;
  ClosedTrade t;
  t.side = position_.side();
  t.quantity = quantity;
  t.entry_time = position_.entry_time;
  t.exit_time = time;
  t.entry_price = position_.entry_price;
  t.exit_price = price;
  t.reason = reason;
  t.gross_cents = open_pnl_cents(price);
  t.commission_cents = entry_commission_cents_ + exit_commission;
  t.net_cents = t.gross_cents - t.commission_cents;
  balance_cents_ += t.gross_cents - exit_commission;
  entry_commission_cents_ = 0;
  position_ = Position{};
  trades_.push_back(t);
  return trades_.back();
}

}  // namespace daytrader::exec
