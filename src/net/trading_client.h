#pragma once
// net::TradingClient: typed DTC trading and history calls (dtc.md §6, §7) over a net::Client,
// so a user never composes a raw DTC message. It owns the Client, is its ClientListener, keeps
// the latest known state from the server's updates (orders, positions, balances, accounts) and
// forwards every callback to the user's listener afterwards (so the state is already updated
// when the user sees a message).
//
// Prices are core::Ticks in the API and become the wire's doubles through the Instrument
// (Instrument::to_price, exact for ES); quantities are whole contracts.
//
// Identifiers: request IDs come from one counter per client; ClientOrderIDs are
// "<order_id_prefix>-<counter>" (§7.2), never reused by this object.
//
// Threading: every public method is thread-safe. Listener and history callbacks run on the io
// thread. flatten() and wait_until() block, so they must not be called from a callback.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/instrument.h"
#include "core/ticks.h"
#include "core/timestamp.h"
#include "dtc/message.h"
#include "net/client.h"

namespace daytrader::net {

struct TradingClientOptions {
  ClientOptions client;
  core::Instrument instrument = core::Instrument::es();
  // ClientOrderID prefix; empty = derived from the start time (unique per run).
  std::string order_id_prefix;
  dtc::TimeInForce time_in_force = dtc::TimeInForce::kDay;
  bool automated = true;  // IsAutomatedOrder on every order
};

// The latest known state of one order (from ORDER_UPDATE).
struct OrderState {
  std::string server_order_id;
  std::string client_order_id;
  std::string symbol;
  std::string exchange;
  std::string account;
  dtc::OrderType type = dtc::OrderType::kUnset;
  dtc::BuySell side = dtc::BuySell::kUnset;
  std::optional<core::Ticks> price1;  // limit / stop price when set and on the tick grid
  std::int64_t quantity = 0;
  std::int64_t filled_quantity = 0;
  std::optional<core::Ticks> average_fill_price;
  dtc::OrderStatus status = dtc::OrderStatus::kUnspecified;
  dtc::OrderUpdateReason last_reason = dtc::OrderUpdateReason::kUnset;
  std::string parent_server_order_id;
  std::string oco_linked_server_order_id;
  std::string info_text;  // reject reason etc.

  // PENDING_OPEN, PENDING_CHILD, OPEN, PENDING_CANCEL(_REPLACE), PARTIALLY_FILLED.
  [[nodiscard]] bool is_working() const noexcept;
  // FILLED, CANCELED, REJECTED.
  [[nodiscard]] bool is_terminal() const noexcept;
};

struct PositionState {
  std::string account;
  std::string symbol;
  std::string exchange;
  std::int64_t quantity = 0;  // > 0 long, < 0 short
  double average_price = 0;   // wire price (an average need not be on the tick grid)
};

struct BalanceState {
  std::string account;
  std::string currency;
  core::Cents cash_balance = 0;
  core::Cents available_for_new_positions = 0;
  core::Cents open_profit_loss = 0;
  core::Cents daily_profit_loss = 0;
};

struct BracketIds {
  std::string parent;  // entry
  std::string target;  // limit, OCO leg 1
  std::string stop;    // stop, OCO leg 2
};

enum class HistoryInterval : std::int32_t { kTicks = 0, kOneMinute = 60 };

// One historical record: a 1-minute bar, or one trade (open = 0 ticks, high/low = ask/bid
// at the trade when the server sends them, §6.10).
struct HistoryRecord {
  std::int64_t unix_us = 0;  // bar start or trade time (seconds classified per §2.4)
  core::Ticks open, high, low, close;
  double volume = 0;
  std::uint32_t num_trades = 0;
  double bid_volume = 0;
  double ask_volume = 0;
};

struct HistoryDone {
  std::int32_t request_id = 0;
  bool ok = false;          // header and final record (or "no records") received
  std::size_t records = 0;  // records delivered
  std::string error;        // reject text when !ok
};

enum class FlattenMethod { kOffsettingMarketOrder, kFlattenPositionOrder };

struct FlattenOptions {
  std::chrono::milliseconds step_timeout{5000};  // per wait (open orders, cancels, positions, fill)
  int max_attempts = 3;                          // §7.11 step 5
  FlattenMethod method = FlattenMethod::kOffsettingMarketOrder;  // project default (§7.11 step 4)
};

struct FlattenResult {
  bool flat = false;                        // position 0 and no working orders of the symbol
  int attempts = 0;
  std::vector<std::string> canceled;        // ServerOrderIDs a CANCEL_ORDER was sent for
  bool cancel_timed_out = false;            // some cancel was not confirmed in time
  std::int64_t position_before = 0;         // position when the closing order was decided
  std::vector<std::string> closing_orders;  // ClientOrderIDs of the closing orders
};

class TradingClient : private ClientListener {
 public:
  // `listener` (optional) receives every callback after the state has been updated.
  explicit TradingClient(TradingClientOptions options, ClientListener* listener = nullptr);
  ~TradingClient() override;  // stop()
  TradingClient(const TradingClient&) = delete;
  TradingClient& operator=(const TradingClient&) = delete;

  void start();
  void stop(const std::string& reason = "client stopped");
  [[nodiscard]] bool is_logged_on() const noexcept { return client_.is_logged_on(); }
  // Successful logons so far (the first one, then one per reconnection).
  [[nodiscard]] std::uint64_t logons() const noexcept { return client_.logons(); }
  [[nodiscard]] const core::Instrument& instrument() const noexcept { return options_.instrument; }

  // Level-1 market data (the simulator needs it before market orders): kept across reconnects.
  void subscribe_market_data(std::uint32_t symbol_id, const std::string& symbol, const std::string& exchange);
  void unsubscribe_market_data(std::uint32_t symbol_id);

  // Requests; each returns the RequestID used. Replies update the snapshots below.
  std::int32_t request_trade_accounts();
  std::int32_t request_account_balance(const std::string& account);
  std::int32_t request_positions(const std::string& account);
  std::int32_t request_open_orders(const std::string& account);
  // HISTORICAL_ORDER_FILLS_REQUEST (§7.12) for the account's fills since `since` (0 = all the
  // server keeps); the answers are collected for fills(request_id).
  std::int32_t request_fills(const std::string& account, core::Timestamp since);

  // Orders; each returns the ClientOrderID(s) it allocated.
  std::string submit_market(const std::string& symbol, const std::string& exchange, const std::string& account,
                            dtc::BuySell side, std::int64_t quantity);
  std::string submit_limit(const std::string& symbol, const std::string& exchange, const std::string& account,
                           dtc::BuySell side, std::int64_t quantity, core::Ticks price);
  std::string submit_stop(const std::string& symbol, const std::string& exchange, const std::string& account,
                          dtc::BuySell side, std::int64_t quantity, core::Ticks price);
  // Parent (MARKET or LIMIT entry; entry_price ignored for MARKET) with IsParentOrder = 1, then
  // SUBMIT_NEW_OCO_ORDER with a LIMIT target and a STOP on the opposite side (§7.8).
  BracketIds submit_bracket(const std::string& symbol, const std::string& exchange, const std::string& account,
                            dtc::BuySell side, std::int64_t quantity, dtc::OrderType entry_type,
                            core::Ticks entry_price, core::Ticks target_price, core::Ticks stop_price);
  // CANCEL_ORDER for a ServerOrderID (its ClientOrderID and account from the known state).
  void cancel(const std::string& server_order_id);

  // The same orders with ClientOrderIDs chosen by the caller, so that a live engine can journal
  // an order's intent, id included, before it is sent. The ids must be unique (§7.2).
  void submit_market_as(const std::string& client_order_id, const std::string& symbol, const std::string& exchange,
                        const std::string& account, dtc::BuySell side, std::int64_t quantity);
  // Market entry with IsParentOrder = 1, then its OCO bracket priced by offsets from the entry's
  // fill (UseOffsets = 1): a LIMIT target `target_offset` ticks in the position's favour and a
  // STOP `stop_offset` ticks against it.
  void submit_bracket_offsets_as(const BracketIds& ids, const std::string& symbol, const std::string& exchange,
                                 const std::string& account, dtc::BuySell side, std::int64_t quantity,
                                 std::int64_t target_offset_ticks, std::int64_t stop_offset_ticks);
  // A plain OCO pair (LIMIT target, STOP) closing a position of `exit_side`'s opposite.
  void submit_oco_as(const std::string& target_id, const std::string& stop_id, const std::string& symbol,
                     const std::string& exchange, const std::string& account, dtc::BuySell exit_side,
                     std::int64_t quantity, core::Ticks target_price, core::Ticks stop_price);
  // CANCEL_ORDER for a ClientOrderID this client sent (with its ServerOrderID when known).
  void cancel_client_order(const std::string& client_order_id);
  // A HEARTBEAT carrying `t` as CurrentDateTime (Unix s): a paced replay server takes it as
  // "the client has acted up to t".
  void send_clock(core::Timestamp t);

  // The §7.11 procedure, blocking (bounded by options.step_timeout per wait): refresh the open
  // orders of the account, cancel every working order of the symbol, wait for them to be
  // terminal (or the timeout), refresh the position and close it with an offsetting market
  // order (or SUBMIT_FLATTEN_POSITION_ORDER), wait for flat; up to max_attempts times.
  FlattenResult flatten(const std::string& symbol, const std::string& exchange, const std::string& account,
                        const FlattenOptions& options = {});

  // HISTORICAL_PRICE_DATA_REQUEST on this connection; from/to as Unix seconds on the wire
  // (a default Timestamp = 0 = unbounded). on_record gets each record with a non-zero time;
  // on_done once: final record, "no records", reject, or disconnect. Returns the RequestID.
  std::int32_t request_history(const std::string& symbol, const std::string& exchange, core::Timestamp from,
                               core::Timestamp to, HistoryInterval interval,
                               std::function<void(const HistoryRecord&)> on_record,
                               std::function<void(const HistoryDone&)> on_done);

  // Snapshots (copies, thread-safe).
  [[nodiscard]] std::vector<std::string> trade_accounts() const;
  [[nodiscard]] std::optional<OrderState> order(const std::string& client_order_id) const;
  [[nodiscard]] std::vector<OrderState> working_orders(const std::string& account = {},
                                                       const std::string& symbol = {}) const;
  [[nodiscard]] std::vector<PositionState> positions() const;
  [[nodiscard]] std::int64_t position(const std::string& account, const std::string& symbol) const;
  [[nodiscard]] std::optional<BalanceState> balance(const std::string& account) const;
  // The fills a request_fills() got so far (complete once request_complete()); empty when the
  // server said it has none, or rejected the request (fills_rejected()).
  struct FillState {
    std::string server_order_id;
    std::string exec_id;
    dtc::BuySell side = dtc::BuySell::kUnset;
    std::optional<core::Ticks> price;
    std::int64_t quantity = 0;
    core::Timestamp time{};
  };
  [[nodiscard]] std::vector<FillState> fills(std::int32_t request_id) const;
  [[nodiscard]] bool fills_rejected(std::int32_t request_id) const;
  // True once every reply of that request has arrived (last message of the batch or a reject).
  [[nodiscard]] bool request_complete(std::int32_t request_id) const;

  // Blocks until pred() holds (re-checked after each state change) or the timeout passes.
  // pred may call the snapshot getters.
  bool wait_until(const std::function<bool()>& pred, std::chrono::milliseconds timeout);

 private:
  struct History {
    std::function<void(const HistoryRecord&)> on_record;
    std::function<void(const HistoryDone&)> on_done;
    std::size_t records = 0;
  };

  void on_logged_on(const dtc::LogonResponse& response) override;
  void on_message(const dtc::Message& message) override;
  void on_disconnected(const dtc::CloseInfo& info, bool will_reconnect, core::Nanoseconds retry_in) override;
  void on_send_error(const std::string& message) override;

  void handle(const dtc::OrderUpdate& u);
  void handle(const dtc::PositionUpdate& p);
  void handle(const dtc::AccountBalanceUpdate& b);
  void handle(const dtc::TradeAccountResponse& a);
  void handle_history(const dtc::Message& m);
  void finish_history(std::int32_t request_id, bool ok, std::string error);
  void bump();  // state changed: wake wait_until

  std::int32_t next_request_id() { return next_request_id_.fetch_add(1); }
  std::string next_order_id();
  dtc::SubmitNewSingleOrder single(const std::string& symbol, const std::string& exchange,
                                   const std::string& account, dtc::BuySell side, std::int64_t quantity,
                                   dtc::OrderType type, std::optional<core::Ticks> price,
                                   const std::string& client_order_id = {});
  std::optional<core::Ticks> to_ticks(double price) const;
  // A LIMIT target and a STOP closing a position, as one OCO message (ids allocated when empty).
  dtc::SubmitNewOcoOrder exit_pair(const std::string& symbol, const std::string& exchange, const std::string& account,
                                   dtc::BuySell exit_side, std::int64_t quantity, std::optional<core::Ticks> target_price,
                                   std::optional<core::Ticks> stop_price, const std::string& target_id,
                                   const std::string& stop_id);

  TradingClientOptions options_;
  ClientListener* listener_;
  std::atomic<std::int32_t> next_request_id_{1};
  std::atomic<std::uint64_t> next_order_{1};

  mutable std::mutex mutex_;
  std::vector<std::string> accounts_;
  std::map<std::string, OrderState> orders_;          // by ClientOrderID
  std::map<std::string, std::string> client_by_server_;  // ServerOrderID -> ClientOrderID
  std::map<std::pair<std::string, std::string>, PositionState> positions_;  // (account, symbol)
  std::map<std::string, BalanceState> balances_;
  std::map<std::int32_t, std::string> request_account_;  // RequestID -> account asked for
  std::map<std::int32_t, bool> complete_;                 // RequestID -> all replies in
  std::map<std::int32_t, History> history_;
  std::map<std::int32_t, std::vector<FillState>> fills_;
  std::map<std::int32_t, bool> fills_rejected_;

  std::mutex wait_mutex_;
  std::condition_variable wait_cv_;
  std::uint64_t version_ = 0;  // under wait_mutex_

  Client client_;  // last: destroyed (stopped) first
};

}  // namespace daytrader::net
