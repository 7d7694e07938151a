#pragma once
// sim::Exchange: the matching engine and the trade account of one simulator account
// (dtc.md §7, §8(c)-(d), §10). Sans-I/O: market events and client messages in, encoded DTC
// messages (ORDER_UPDATE, POSITION_UPDATE, ACCOUNT_BALANCE_UPDATE, request replies) appended to
// a byte buffer out. Prices are integer ticks and money integer cents inside; doubles appear
// only on the wire.
//
// Two fill modes (ExchangeConfig::fills), deterministic, liquidity unlimited, no partial fills.
//
// FillMode::kTick (the default), tick by tick:
// - MARKET: at the touching side of the replayed market (buy at the ask, sell at the bid; the
//   last trade when the file has no quotes). Refused before any market data.
// - LIMIT: at once at the touching price when marketable on arrival (buy: ask <= limit);
//   otherwise it rests and fills at its own price when a trade prints THROUGH it (buy: trade
//   price < limit; a touch is not a fill).
// - STOP: triggered when a trade prints at or through it (buy: trade >= stop), or on arrival
//   when the last trade is already there; fills at the touching price at that moment (the trade
//   price when there is no quote).
//
// FillMode::kBar, the backtest environment's rules (exec::BarFillModel, docs/environment.md):
// - MARKET (entries, exits, the flatten order, bracket parents): at the price of the NEXT trade
//   after its arrival, `slippage_ticks` against the order (a buy pays trade + slippage). Still
//   refused before any market data.
// - LIMIT and STOP orders never fill tick by tick. Each working one collects the OHLC of the
//   trades since it started working (a bracket child: from its parent's fill trade, which is the
//   open) up to the end of the bar, and on_bar_close() checks that bar:
//   * a target (LIMIT) + stop (STOP) OCO pair on the same side, the limit beyond the stop (a
//     sell limit above a sell stop, or a buy limit below a buy stop): BarFillModel::check_bracket
//     (a gap through the stop fills at the open - slippage, a gap through the target at the
//     target, both reachable in one bar: the stop; stops carry slippage, targets none);
//   * any other LIMIT: filled at its price by `fill_rule` (through, the default: the bar traded
//     a tick beyond it, buy: low <= limit - 1 tick; touch: low <= limit);
//   * any other STOP: filled when the bar reached it (buy: high >= stop) at stop + slippage, or
//     at open + slippage when the bar opened through it (sells mirrored).
//   Orders whose bar had no trade are not checked. Fills are stamped with the bar's end.
//
// Both modes:
// - Brackets (§7.8): a parent (IsParentOrder = 1) is held until its SUBMIT_NEW_OCO_ORDER; the
//   children stay PENDING_CHILD until the parent fills, then work as an OCO pair. Offsets
//   (UseOffsets = 1) are applied to the parent's fill price. One child's fill cancels the other;
//   canceling a child leaves its sibling; canceling an unfilled parent cancels its children.
// - Plain OCO: one leg's fill or cancel cancels the other.
// - SUBMIT_FLATTEN_POSITION_ORDER: a market order for -position; working orders are left alone
//   (§10). The client's flatten procedure (§7.11) cancels them first.
// - Commission per contract per side at each fill (exec::AccountConfig); P&L FIFO by lot.
// After every fill: ORDER_UPDATE, then any sibling cancel, then POSITION_UPDATE and
// ACCOUNT_BALANCE_UPDATE (unsolicited).

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/instrument.h"
#include "core/result.h"
#include "core/ticks.h"
#include "core/timestamp.h"
#include "dtc/message.h"
#include "exec/account.h"
#include "exec/fill_model.h"
#include "exec/position.h"

namespace daytrader::sim {

enum class FillMode : std::uint8_t { kTick, kBar };

// "tick" or "bar"; an error naming --fills and the value otherwise.
[[nodiscard]] core::Result<FillMode> parse_fill_mode(std::string_view text);
[[nodiscard]] std::string_view to_string(FillMode m) noexcept;

struct ExchangeConfig {
  std::string symbol = "ESZ25";
  std::string exchange;  // echoed in updates; requests may leave it empty
  std::string trade_account = "SIM1";
  std::string currency = "USD";
  core::Instrument instrument = core::Instrument::es();
  exec::AccountConfig account;  // starting balance, commission per side, tick value
  FillMode fills = FillMode::kTick;
  std::int64_t slippage_ticks = 1;  // kBar: adverse ticks on market and stop fills, >= 0
  exec::LimitFillRule fill_rule = exec::LimitFillRule::kThrough;  // kBar: how limits fill
};

class Exchange {
 public:
  explicit Exchange(ExchangeConfig config);

  // The replayed market. `t` is the data time, used for every timestamp the exchange sends.
  void on_quote(core::Ticks bid, core::Ticks ask, core::Timestamp t, std::vector<std::uint8_t>& out);
  void on_trade(core::Ticks price, core::Timestamp t, std::vector<std::uint8_t>& out);

  // A trading message of the client (orders, cancels, account/position/order/fill/security
  // requests). Returns false for a message that is not the exchange's business.
  bool on_message(const dtc::Message& message, core::Timestamp t, std::vector<std::uint8_t>& out);

  // FillMode::kBar: the bar that ends at `bar_end` is over; checks every working LIMIT/STOP
  // against the trades it has seen since it started working or since the previous call (see
  // above), fills what the bar reached, and starts the next bar. A no-op in kTick mode.
  void on_bar_close(core::Timestamp bar_end, std::vector<std::uint8_t>& out);

  // The market as it is, for an account created in the middle of a replay (no fills checked).
  void set_market(std::optional<core::Ticks> bid, std::optional<core::Ticks> ask,
                  std::optional<core::Ticks> last, core::Timestamp t);

  [[nodiscard]] core::Contracts position() const noexcept { return position_; }
  [[nodiscard]] core::Cents balance_cents() const noexcept;
  [[nodiscard]] core::Cents commission_cents() const noexcept { return commission_cents_; }
  [[nodiscard]] core::Cents realized_gross_cents() const noexcept { return realized_gross_cents_; }
  [[nodiscard]] std::size_t working_orders() const noexcept;
  [[nodiscard]] const ExchangeConfig& config() const noexcept { return config_; }

 private:
  struct Order {
    std::uint64_t seq = 0;
    std::string server_id;
    std::string client_id;
    std::string free_text;
    dtc::OrderType type = dtc::OrderType::kMarket;
    exec::OrderSide side = exec::OrderSide::kBuy;
    core::Ticks price;         // limit or stop price
    double offset_points = 0;  // bracket child priced from the parent's fill (UseOffsets)
    bool has_offset = false;
    core::Contracts quantity = 0;
    core::Contracts filled = 0;
    core::Ticks fill_price;
    dtc::OrderStatus status = dtc::OrderStatus::kOpen;
    dtc::TimeInForce tif = dtc::TimeInForce::kDay;
    std::string parent_id;   // bracket child: the parent's server id
    std::string sibling_id;  // OCO: the other leg's server id
    bool is_bracket_child = false;
    core::Timestamp received{};
    core::Timestamp last_fill_time{};
    std::string last_exec_id;
    // kBar: the trades seen since the order started working or since the last bar close, and
    // the index of the first of them (which of two bars opened first).
    std::optional<exec::BarPrices> bar;
    std::uint64_t bar_first_trade = 0;
  };
  struct Fill {
    std::string server_id;
    exec::OrderSide side;
    core::Ticks price;
    core::Contracts quantity;
    core::Timestamp time;
    std::string exec_id;
    core::Contracts position_after;
  };
  struct Lot {
    core::Ticks price;
    core::Contracts quantity;  // > 0
  };

  // Validation of one order (leg); an error text or nothing.
  std::optional<std::string> check_symbol_account(std::string_view symbol, std::string_view account) const;
  std::optional<std::string> check_order(std::string_view client_id, dtc::OrderType type, dtc::BuySell side,
                                         double price1, double quantity, bool needs_market,
                                         core::Ticks& price_out) const;

  void submit_single(const dtc::SubmitNewSingleOrder& m, std::vector<std::uint8_t>& out);
  void submit_oco(const dtc::SubmitNewOcoOrder& m, std::vector<std::uint8_t>& out);
  void cancel(const dtc::CancelOrder& m, std::vector<std::uint8_t>& out);
  void cancel_replace(const dtc::CancelReplaceOrder& m, std::vector<std::uint8_t>& out);
  void flatten(const dtc::SubmitFlattenPositionOrder& m, std::vector<std::uint8_t>& out);

  Order& add_order(Order o);
  void set_status(Order& o, dtc::OrderStatus status);  // keeps live_ in step
  Order* find(std::string_view server_id);
  void reject_new(std::string_view client_id, dtc::OrderType type, dtc::BuySell side, double price1,
                  double qty, std::string_view why, std::vector<std::uint8_t>& out);
  void try_execute(Order& o, std::vector<std::uint8_t>& out);
  void fill(Order& o, core::Ticks price, std::vector<std::uint8_t>& out);
  void cancel_order(Order& o, std::vector<std::uint8_t>& out);
  void activate_children(const Order& parent, std::vector<std::uint8_t>& out);
  void apply_fill(exec::OrderSide side, core::Contracts qty, core::Ticks price);

  [[nodiscard]] dtc::OrderUpdate update_of(const Order& o, dtc::OrderUpdateReason reason) const;
  [[nodiscard]] dtc::PositionUpdate position_update() const;
  [[nodiscard]] dtc::AccountBalanceUpdate balance_update() const;
  [[nodiscard]] double average_price_points() const;
  [[nodiscard]] core::Cents open_pnl_cents() const;
  [[nodiscard]] std::optional<core::Ticks> touch(exec::OrderSide side) const;
  void held_parent_expired(std::vector<std::uint8_t>& out);
  void on_trade_bar_mode(core::Ticks price, std::vector<std::uint8_t>& out);
  // kBar: the fill price of a lone LIMIT/STOP over its bar, if the bar reached it.
  [[nodiscard]] std::optional<core::Ticks> lone_bar_fill(const Order& o) const;
  void historical_fills(const dtc::HistoricalOrderFillsRequest& m, std::vector<std::uint8_t>& out) const;

  ExchangeConfig config_;
  exec::BarFillModel bar_model_;
  std::uint64_t trades_seen_ = 0;
  core::Timestamp now_{};
  std::optional<core::Ticks> bid_, ask_, last_;
  std::map<std::uint64_t, Order> orders_;  // by submission sequence
  std::map<std::string, std::uint64_t, std::less<>> by_server_id_;
  std::set<std::uint64_t> live_;  // the working orders (OPEN or PENDING_CHILD), by sequence
  std::set<std::string, std::less<>> used_client_ids_;
  std::optional<Order> held_parent_;  // a bracket parent waiting for its OCO
  std::vector<Fill> fills_;
  std::uint64_t next_seq_ = 1;
  std::uint64_t next_exec_ = 1;
  std::uint64_t next_transaction_ = 1;
  // Ledger.
  core::Contracts position_ = 0;
  std::deque<Lot> lots_;
  core::Cents realized_gross_cents_ = 0;
  core::Cents commission_cents_ = 0;
  core::Timestamp position_entry_time_{};
};

}  // namespace daytrader::sim
