#pragma once
// live::Engine: the live trader's brain, sans-I/O. Trades, the clock, order updates and the
// server's position go in; orders to place or cancel (Commands) and journal records come out.
// The runner (live/runner.h) connects it to DTC and SQLite; tests and the latency benchmark
// drive it directly.
//
// At every bar close (bars::FootprintBuilder, on a trade past the bar's end or on the clock) it
// does what training did, with the same code:
//   features::FeaturePipeline -> env::ObservationBuilder (the model's scaler + the account)
//   -> rl::Policy -> exec::OrderManager::decide -> risk checks -> commands
// and the ledger (OrderManager) follows the server's fills, so the account values in the next
// observation are the ones the environment would have computed for the same fills.
//
// Orders: an entry is a market order with an attached OCO bracket (limit target, stop), priced
// by offsets from the entry's fill (the model's target/stop ticks). An exit cancels the working
// legs first, then, once they are done and the position is still open, sends an offsetting
// market order. Every order gets a ClientOrderID from the engine ("<prefix>-<n>"), so its intent
// can be journalled before it is sent.
//
// Safety that holds whatever the model says (LiveLimits): maximum position, orders and trades
// per day, no order outside the window, no new order while one is pending, flatten when the
// bracket legs are not acknowledged in time, cancel leftover legs when flat, a stale-feed guard
// (no trade for stale_feed inside the window: flatten and pause entries), a kill switch
// (flatten and stop), and halts (flatten and stop for the day) on faults it cannot resolve:
// a rejected exit, a position the server reports differently from the ledger, a fill of an
// unknown order. Lockouts, the kill and halts are restored from the journal after a restart.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "bars/bar_spec.h"
#include "bars/footprint_builder.h"
#include "core/instrument.h"
#include "core/session_calendar.h"
#include "core/timestamp.h"
#include "env/env_config.h"
#include "env/observation.h"
#include "exec/order_manager.h"
#include "features/feature_config.h"
#include "features/feature_pipeline.h"
#include "features/scaler.h"
#include "live/session_window.h"
#include "market/trade.h"

namespace daytrader::live {

struct LiveLimits {
  std::int64_t max_position = 1;        // contracts, either side
  std::int64_t max_orders_per_day = 50;  // orders sent (entry + its two legs count as one)
  std::int64_t max_trades_per_day = 20;  // entries
  core::Nanoseconds order_ack_timeout{std::chrono::seconds(5)};    // entry / exit / cancel answered
  core::Nanoseconds bracket_ack_timeout{std::chrono::seconds(5)};  // legs working after the entry fill
  core::Nanoseconds stale_feed{std::chrono::seconds(120)};         // no trade this long in the window
};

struct EngineSettings {
  env::EnvConfig env;  // the model's: window, bracket, commission, balance, risk, observation scales
  bars::BarSpec bar;
  features::FeatureConfig features;
  core::Instrument instrument = core::Instrument::es();
  LiveLimits limits;
  bool deterministic = true;
  std::string order_id_prefix = "dt";
  const core::SessionCalendar* calendar = &core::SessionCalendar::cme_globex();
};

enum class OrderRole : std::uint8_t { kEntry, kTarget, kStop, kExit };
[[nodiscard]] std::string_view to_string(OrderRole r) noexcept;

// --- Commands (engine -> broker) --------------------------------------------------------------
struct SubmitBracket {  // market entry + OCO bracket priced from the entry's fill
  std::string entry_id, target_id, stop_id;
  exec::Side side = exec::Side::kLong;
  std::int64_t quantity = 1;
  std::int64_t target_offset_ticks = 0;  // > 0, away from the fill in the position's favour
  std::int64_t stop_offset_ticks = 0;    // > 0, against it
};
struct SubmitOco {  // a bracket re-placed for an open position (after a restart), absolute prices
  std::string target_id, stop_id;
  exec::Side position_side = exec::Side::kLong;
  std::int64_t quantity = 1;
  core::Ticks target, stop;
};
struct SubmitMarket {  // an offsetting exit
  std::string id;
  exec::OrderSide side = exec::OrderSide::kSell;
  std::int64_t quantity = 1;
  exec::ExitReason reason = exec::ExitReason::kAction;
};
struct CancelOrder {
  std::string id;  // ClientOrderID
  std::string why;
};
using Command = std::variant<SubmitBracket, SubmitOco, SubmitMarket, CancelOrder>;

// --- Records (engine -> journal and log) ------------------------------------------------------
enum class RecordKind : std::uint8_t { kBar, kDecision, kLockout, kFault, kHalt, kKill, kPause, kFill, kInfo };
[[nodiscard]] std::string_view to_string(RecordKind k) noexcept;
struct Record {
  RecordKind kind = RecordKind::kInfo;
  core::Timestamp exchange_time{};
  std::int32_t trade_date = 0;
  std::string text;     // one readable line
  std::string payload;  // JSON, may be empty
};

// One decision, as the parity test and the status line see it.
struct DecisionInfo {
  core::Timestamp bar_close{};
  std::int32_t trade_date = 0;
  core::Ticks close;
  std::int32_t action = 4;
  exec::Decision decision;   // what the rules made of it
  std::string refused;       // non-empty: a live limit refused the intent
  std::uint64_t observation_hash = 0;  // FNV-1a of the observation's bytes
  std::int64_t position = 0;
  core::Cents open_pnl_cents = 0;
  core::Cents day_pnl_cents = 0;  // realised + open since the day's start
  exec::Lockout lockout = exec::Lockout::kNone;
};

// --- Inputs (broker -> engine) ----------------------------------------------------------------
struct OrderEvent {
  std::string client_id;
  std::string server_id;
  enum class Status : std::uint8_t { kOpen, kFilled, kCanceled, kRejected, kPending, kOther };
  Status status = Status::kOther;
  std::int64_t fill_quantity = 0;  // > 0: this update carries a fill of that many contracts
  core::Ticks fill_price;
  core::Timestamp fill_time{};
  std::string exec_id;
  std::string text;  // reject reason etc.
};

// State restored from the journal at a restart, for the trade date in progress.
struct RestoredDay {
  std::int32_t trade_date = 0;
  core::Cents high_water_mark_cents = 0;
  exec::Lockout lockout = exec::Lockout::kNone;
  bool killed = false;
  bool halted = false;
  std::string halt_reason;
  std::int64_t orders_sent = 0;
  std::int64_t trades = 0;
  std::uint64_t next_order_number = 1;
  // The close of the last bar decided before the restart: that bar is not decided again.
  core::Timestamp last_decision_close{};
  struct Fill {  // in time order
    OrderRole role;
    exec::Side position_side;  // the side of the position the fill opened or closed
    core::Ticks price;
    core::Timestamp time;
    exec::ExitReason reason;   // exits
  };
  std::vector<Fill> fills;
  struct WorkingOrder {
    std::string client_id, server_id;
    OrderRole role;
  };
  std::vector<WorkingOrder> working;  // known to be working at the server after reconciliation
};

// The policy: an observation -> an action in 0..4 (rl::Policy::act in the runner; scripted in tests).
using PolicyFn = std::function<int(std::span<const float> observation)>;

class Engine {
 public:
  // The scaler comes from the model bundle; `observation_size` is the policy's input size,
  // checked against the feature set + account values.
  Engine(EngineSettings settings, features::Scaler scaler, PolicyFn policy, std::size_t observation_size);

  // --- Warm-up: history before trading (bars and features only, no decisions). ----------------
  void warm_up(const market::Trade& t);
  // Ends warm-up; from now on bar closes decide.
  void go_live(core::Timestamp now);
  // After a restart: the day's ledger, counters and lockouts from the journal (call before
  // go_live). Fills are replayed through the rules, so the ledger is what it was.
  void restore(const RestoredDay& day);

  // --- Live inputs. ---------------------------------------------------------------------------
  void on_trade(const market::Trade& t);
  void on_time(core::Timestamp now);  // the exchange clock (a bar may close; timeouts)
  void on_order_event(const OrderEvent& e, core::Timestamp now);
  // The server's position for the symbol and account (POSITION_UPDATE / CURRENT_POSITIONS).
  void on_server_position(std::int64_t quantity, core::Timestamp now);
  void on_disconnected(core::Timestamp now);
  void on_reconnected(core::Timestamp now);
  // The kill switch: flatten and stop.
  void kill(const std::string& why, core::Timestamp now);
  // After a restart in a position whose bracket is not working at the server: place the OCO pair
  // again at the prices the ledger's entry fill gives.
  void restore_bracket(core::Timestamp now);
  // A planned stop: flatten (when `flatten`) and send no new entry; not remembered across restarts.
  void stop_trading(const std::string& why, bool flatten, core::Timestamp now);
  // Flatten and stop for the day (the runner's faults: a mismatch found at reconciliation...).
  void halt(const std::string& why, core::Timestamp now);

  // --- Outputs. -------------------------------------------------------------------------------
  [[nodiscard]] std::vector<Command> take_commands() { return std::exchange(commands_, {}); }
  [[nodiscard]] std::vector<Record> take_records() { return std::exchange(records_, {}); }
  [[nodiscard]] bool has_output() const noexcept { return !commands_.empty() || !records_.empty(); }

  // --- State. ---------------------------------------------------------------------------------
  [[nodiscard]] const exec::OrderManager& rules() const noexcept { return rules_; }
  [[nodiscard]] const std::vector<bars::FootprintBar>& bars() const noexcept { return bars_; }
  [[nodiscard]] const std::vector<std::vector<float>>& feature_rows() const noexcept { return rows_; }
  [[nodiscard]] const std::vector<std::vector<float>>& observations() const noexcept { return observations_; }
  [[nodiscard]] const std::vector<DecisionInfo>& decisions() const noexcept { return decisions_; }
  [[nodiscard]] const std::vector<exec::ClosedTrade>& all_trades() const noexcept { return all_trades_; }
  [[nodiscard]] bool is_live() const noexcept { return live_; }
  [[nodiscard]] bool is_killed() const noexcept { return killed_; }
  [[nodiscard]] bool is_halted() const noexcept { return halted_; }
  [[nodiscard]] bool is_paused() const noexcept { return paused_; }
  [[nodiscard]] bool is_stopped() const noexcept { return stopped_; }
  [[nodiscard]] bool is_flat() const noexcept { return rules_.position().is_flat(); }
  // No order or cancel waiting for the server: the time may be acknowledged (serve's pacing).
  [[nodiscard]] bool is_settled() const noexcept;
  [[nodiscard]] bool has_working_orders() const noexcept;
  // The day is over for this engine: after the final decision's flatten, a kill or a halt,
  // flat and with nothing working.
  [[nodiscard]] bool is_done_for_day() const noexcept;
  [[nodiscard]] std::int32_t trade_date() const noexcept { return trade_date_; }
  [[nodiscard]] std::int64_t orders_sent() const noexcept { return orders_sent_; }
  [[nodiscard]] std::int64_t trades_today() const noexcept { return trades_today_; }
  [[nodiscard]] const std::string& halt_reason() const noexcept { return halt_reason_; }
  [[nodiscard]] std::uint64_t next_order_number() const noexcept { return next_order_; }
  [[nodiscard]] core::Timestamp last_trade_time() const noexcept { return last_trade_time_; }
  [[nodiscard]] const EngineSettings& settings() const noexcept { return settings_; }
  // The known orders (ClientOrderID -> role and state), for the runner's reconciliation.
  struct OrderInfo {
    OrderRole role = OrderRole::kEntry;
    exec::OrderSide side = exec::OrderSide::kBuy;
    std::int64_t quantity = 1;
    std::string server_id;
    bool acknowledged = false;  // the server answered (open, filled, canceled or rejected)
    bool terminal = false;      // filled, canceled or rejected
    bool cancel_sent = false;
    core::Timestamp sent_at{};
    exec::ExitReason reason = exec::ExitReason::kAction;
  };
  // Orders still working, or finished since the last decision (finished ones are dropped then).
  [[nodiscard]] const std::map<std::string, OrderInfo>& orders() const noexcept { return orders_; }
  // Whether this engine sent the order (all of the day's, finished ones included).
  [[nodiscard]] bool is_own_order(const std::string& client_id) const { return own_ids_.contains(client_id); }

 private:
  void on_bar(const bars::FootprintBar& bar);
  void decide(const bars::FootprintBar& bar, const BarPlace& place);
  void start_day(std::int32_t trade_date);
  void enter(exec::Side side, core::Timestamp now);
  void begin_exit(exec::ExitReason reason, const std::string& why, core::Timestamp now);
  void continue_exit(core::Timestamp now);
  void cancel_working(const std::string& why);
  void fault(const std::string& text, core::Timestamp now);
  void record(RecordKind kind, core::Timestamp t, std::string text, std::string payload = {});
  std::string new_order_id();
  [[nodiscard]] bool has_pending() const noexcept;
  void check_timeouts(core::Timestamp now);

  EngineSettings settings_;
  features::Scaler scaler_;
  PolicyFn policy_;
  bars::FootprintBuilder builder_;
  features::FeaturePipeline pipeline_;
  exec::OrderManager rules_;
  env::ObservationBuilder observation_;
  SessionWindow window_;
  core::Nanoseconds bar_period_;

  bool live_ = false;
  bool killed_ = false;
  bool halted_ = false;
  bool paused_ = false;
  bool final_done_ = false;
  bool stopped_ = false;
  core::Timestamp last_decision_close_{};  // the final decision (or the window-end flatten) happened today
  std::string halt_reason_;
  std::int32_t trade_date_ = 0;
  std::int64_t orders_sent_ = 0;
  std::int64_t trades_today_ = 0;
  std::uint64_t next_order_ = 1;
  core::Timestamp last_trade_time_{};
  core::Timestamp now_{};

  // Exit in progress: legs being canceled, then the offsetting order.
  bool exiting_ = false;
  exec::ExitReason exit_reason_ = exec::ExitReason::kAction;
  std::string exit_order_;  // the offsetting market order, once sent
  // The entry whose fill opened the position (its legs protect it).
  std::string entry_id_, target_id_, stop_id_;
  core::Timestamp position_opened_at_{};
  bool legs_acknowledged_ = false;
  // Server position check.
  std::optional<std::int64_t> server_position_;
  core::Timestamp position_mismatch_since_{};
  bool position_mismatch_ = false;

  std::map<std::string, OrderInfo> orders_;
  std::set<std::string, std::less<>> own_ids_;
  void prune_finished();
  std::vector<Command> commands_;
  std::vector<Record> records_;
  std::vector<float> row_, obs_;

  // History for tests, the parity check and the end-of-session summary.
  std::vector<bars::FootprintBar> bars_;
  std::vector<std::vector<float>> rows_;
  std::vector<std::vector<float>> observations_;
  std::vector<DecisionInfo> decisions_;
  std::vector<exec::ClosedTrade> all_trades_;
  bool keep_history_ = true;
};

}  // namespace daytrader::live
