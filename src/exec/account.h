#pragma once
// The account and its ledger: cash balance in integer cents, at most one open position, and the
// list of closed trades.
//
// Commission is charged per contract per side when each fill happens, so the balance always
// holds realised money after costs; slippage is already inside the fill prices. Hence, whenever
// the account is flat, balance - starting balance equals the sum of the closed trades' net_cents.
// Equity = balance + open P&L marked at a price (gross; the exit's commission is not anticipated).

#include <span>
#include <vector>

#include "core/assert.h"
#include "core/ticks.h"
#include "core/timestamp.h"
#include "exec/closed_trade.h"
#include "exec/position.h"

namespace daytrader::exec {

struct AccountConfig {
  core::Cents starting_balance_cents = 5'000'000;  // $50,000
  core::Cents commission_per_side_cents = 225;     // per contract per side: $4.50 a round turn
  core::Cents tick_value_cents = 1250;             // ES: $12.50 per tick per contract
};

class Account {
 public:
  explicit Account(const AccountConfig& config = {});

  // Back to the starting balance: flat, no trades.
  void reset() noexcept;

  // Opens a position with a fill at `price`; the account must be flat. Charges one side.
  void open(Side side, core::Ticks price, core::Timestamp time, core::Contracts quantity = 1) noexcept {
    DT_ASSERT(position_.is_flat(), "open() on an account that already holds a position");
    DT_ASSERT(quantity > 0, "quantity must be positive");
    position_.quantity = side == Side::kLong ? quantity : -quantity;
    position_.entry_price = price;
    position_.entry_time = time;
    entry_commission_cents_ = config_.commission_per_side_cents * quantity;
    balance_cents_ -= entry_commission_cents_;
  }

  // Closes the whole position with a fill at `price`; records and returns the trade.
  const ClosedTrade& close(core::Ticks price, core::Timestamp time, ExitReason reason);

  [[nodiscard]] const AccountConfig& config() const noexcept { return config_; }
  [[nodiscard]] const Position& position() const noexcept { return position_; }
  [[nodiscard]] bool is_flat() const noexcept { return position_.is_flat(); }
  [[nodiscard]] core::Cents balance_cents() const noexcept { return balance_cents_; }
  // Realised profit after costs since reset (includes the entry commission of an open position).
  [[nodiscard]] core::Cents realized_cents() const noexcept {
    return balance_cents_ - config_.starting_balance_cents;
  }
  // Gross P&L of the open position if it were closed at `mark` (0 when flat).
  [[nodiscard]] core::Cents open_pnl_cents(core::Ticks mark) const noexcept {
    return position_.favourable_move(mark).count() * position_.abs_quantity() * config_.tick_value_cents;
  }
  [[nodiscard]] core::Cents equity_cents(core::Ticks mark) const noexcept {
    return balance_cents_ + open_pnl_cents(mark);
  }
  [[nodiscard]] std::span<const ClosedTrade> trades() const noexcept { return trades_; }

 private:
  AccountConfig config_;
  core::Cents balance_cents_ = 0;
  core::Cents entry_commission_cents_ = 0;
  Position position_;
  std::vector<ClosedTrade> trades_;
};

}  // namespace daytrader::exec
