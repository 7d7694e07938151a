#pragma once
// The live engine's audit journal and recovery store: one SQLite database per run folder
// (`journal.sqlite`), in WAL mode with synchronous=FULL and foreign keys on.
//
// Durability: every write method is its own committed transaction (or part of an explicit
// Batch), so when record_intent() returns the order's intent is on disk and survives kill -9 and
// power loss; only then is the order sent. record_fill() never stores the same exec_id twice,
// whether a fill arrives live or again from the server's historical fills after a restart.
//
// Errors: no exception escapes. Every method returns core::Result / core::Status whose message
// names the database file and the operation: "runs/x/journal.sqlite: record_intent E-1: ...".
// A Journal is one SQLite connection, used from one thread.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "core/ticks.h"
#include "exec/position.h"

namespace SQLite {
class Database;
}

namespace daytrader::journal {

// The schema this build writes. open() refuses a file with a newer version.
inline constexpr int kSchemaVersion = 1;
// The journal's file name inside a run folder.
inline constexpr std::string_view kFileName = "journal.sqlite";
// PRAGMA application_id of a daytrader journal ("DTJN").
inline constexpr std::int32_t kApplicationId = 0x44544A4E;

[[nodiscard]] inline std::filesystem::path journal_path(const std::filesystem::path& run_dir) {
  return run_dir / std::string(kFileName);
}

// ---- vocabularies ------------------------------------------------------------------------------

// The event kinds the engine writes. events.kind stays a free string; these are the known ones.
enum class EventKind : std::uint8_t {
  kStart,
  kStop,
  kConnect,
  kDisconnect,
  kBar,
  kDecision,
  kIntent,
  kOrderSent,
  kOrderUpdate,
  kFill,
  kPosition,
  kBalance,
  kLockout,
  kFault,
  kHalt,
  kKill,
  kReconcile,
  kStatus,
};
[[nodiscard]] std::string_view to_string(EventKind k) noexcept;
[[nodiscard]] std::optional<EventKind> parse_event_kind(std::string_view s) noexcept;

// What an order is for.
enum class OrderRole : std::uint8_t { kEntry, kTarget, kStop, kExit, kFlatten };
[[nodiscard]] std::string_view to_string(OrderRole r) noexcept;
[[nodiscard]] std::optional<OrderRole> parse_order_role(std::string_view s) noexcept;

enum class OrderType : std::uint8_t { kMarket, kLimit, kStop };
[[nodiscard]] std::string_view to_string(OrderType t) noexcept;
[[nodiscard]] std::optional<OrderType> parse_order_type(std::string_view s) noexcept;

// intent: journaled, not yet sent; sent: handed to the transport; open: acknowledged by the
// server (possibly partly filled); filled/canceled/rejected: final; unknown: lost track (e.g.
// the server does not know it after a restart) and needs reconciling.
enum class OrderStatus : std::uint8_t { kIntent, kSent, kOpen, kFilled, kCanceled, kRejected, kUnknown };
[[nodiscard]] std::string_view to_string(OrderStatus s) noexcept;
[[nodiscard]] std::optional<OrderStatus> parse_order_status(std::string_view s) noexcept;
// intent, sent and open: the orders recovery must look at.
[[nodiscard]] constexpr bool is_working(OrderStatus s) noexcept {
  return s == OrderStatus::kIntent || s == OrderStatus::kSent || s == OrderStatus::kOpen;
}

// stream: received live; recovered: from the server's historical fills after a restart.
enum class FillSource : std::uint8_t { kStream, kRecovered };
[[nodiscard]] std::string_view to_string(FillSource s) noexcept;
[[nodiscard]] std::optional<FillSource> parse_fill_source(std::string_view s) noexcept;

// ---- rows --------------------------------------------------------------------------------------
// Times are int64 nanoseconds since the Unix epoch, UTC; trade dates are days since 1970-01-01
// (the CME trade date); prices are ticks; money is cents.

struct EventRow {
  std::int64_t seq = 0;  // assigned by the journal
  std::int64_t wall_ns = 0;
  std::optional<std::int64_t> exchange_ns;
  std::optional<std::int32_t> trade_date;
  std::string kind;                    // to_string(EventKind) for the known kinds
  std::string text;                    // a one-line summary; CR and LF are stored as spaces
  std::optional<std::string> payload;  // JSON; must parse

  [[nodiscard]] static EventRow of(EventKind k, std::int64_t wall_ns, std::string text,
                                   std::optional<std::int32_t> trade_date = {},
                                   std::optional<std::string> payload = {});
  bool operator==(const EventRow&) const = default;
};

struct OrderRow {
  std::string client_order_id;
  std::int64_t intent_seq = 0;  // the 'intent' event; assigned by record_intent
  std::int32_t trade_date = 0;
  OrderRole role = OrderRole::kEntry;
  exec::OrderSide side = exec::OrderSide::kBuy;
  std::int32_t quantity = 1;  // contracts, > 0
  OrderType type = OrderType::kMarket;
  std::optional<core::Ticks> price;                   // limit or stop price; none for market orders
  std::optional<std::string> parent_client_order_id;  // a bracket leg's entry order
  OrderStatus status = OrderStatus::kIntent;
  std::optional<std::string> server_order_id;
  std::int32_t filled_quantity = 0;
  std::optional<core::Ticks> avg_fill_price;
  std::string info;                  // the last reason / text from the server
  std::int64_t created_wall_ns = 0;  // when the intent was recorded
  std::optional<std::int64_t> sent_wall_ns;
  std::int64_t updated_wall_ns = 0;

  bool operator==(const OrderRow&) const = default;
};

// A change reported for an order (an acknowledgement, a partial or full fill, a cancel, a reject).
struct OrderUpdate {
  OrderStatus status = OrderStatus::kOpen;
  std::optional<std::string> server_order_id;  // none keeps the stored one
  std::int32_t filled_quantity = 0;
  std::optional<core::Ticks> avg_fill_price;  // none keeps the stored one
  std::string info;
  std::int64_t wall_ns = 0;
  std::optional<std::int64_t> exchange_ns;
  std::string text;                    // the event's summary; generated when empty
  std::optional<std::string> payload;  // the event's JSON; the update as JSON when none
};

struct FillRow {
  std::string exec_id;                         // the server's unique execution id
  std::optional<std::string> client_order_id;  // none when the server cannot say (recovered)
  std::optional<std::string> server_order_id;
  std::int32_t trade_date = 0;
  exec::OrderSide side = exec::OrderSide::kBuy;
  std::int32_t quantity = 1;  // contracts, > 0
  core::Ticks price;
  std::int64_t exchange_ns = 0;
  std::int64_t received_wall_ns = 0;
  FillSource source = FillSource::kStream;
  std::int64_t event_seq = 0;  // the 'fill' event; assigned by record_fill

  bool operator==(const FillRow&) const = default;
};

// The day's risk state, which holds across restarts within a session.
struct DayState {
  std::int32_t trade_date = 0;
  core::Cents start_balance_cents = 0;
  core::Cents realized_cents = 0;
  core::Cents high_water_mark_cents = 0;
  std::string lockout = "none";  // exec::to_string(exec::Lockout)
  bool killed = false;
  bool halted = false;
  std::string halt_reason;
  std::int32_t orders_sent = 0;
  std::int32_t trades = 0;
  std::optional<std::int64_t> last_bar_close_ns;
  std::int64_t updated_wall_ns = 0;

  bool operator==(const DayState&) const = default;
};

// The connection settings open() establishes, as SQLite reports them.
struct Settings {
  std::string journal_mode;  // "wal"
  int synchronous = 0;       // 2 = FULL
  bool foreign_keys = false;
  int schema_version = 0;
};

// ---- the journal -------------------------------------------------------------------------------

class Journal;

// An explicit transaction: the writes made while it is active commit together on commit(), and
// roll back if it is destroyed uncommitted. At most one at a time per Journal, which must outlive
// it. A write that fails inside a batch undoes only itself (a savepoint); the others stay.
class [[nodiscard]] Batch {
 public:
  Batch(Batch&& other) noexcept;
  Batch& operator=(Batch&&) = delete;
  Batch(const Batch&) = delete;
  Batch& operator=(const Batch&) = delete;
  ~Batch();

  core::Status commit();
  core::Status rollback();
  [[nodiscard]] bool is_active() const noexcept { return journal_ != nullptr; }

 private:
  friend class Journal;
  explicit Batch(Journal* journal) noexcept : journal_(journal) {}
  Journal* journal_ = nullptr;
};

class Journal {
 public:
  enum class Mode : std::uint8_t { kReadWrite, kReadOnly };

  // kReadWrite creates the file (and the schema) when it does not exist, or opens it and checks
  // the schema. kReadOnly requires an existing journal and never writes (for the printer, also
  // while the engine is writing). Refuses a file that is not SQLite, a database without the
  // journal's meta table, and a schema version newer than kSchemaVersion.
  [[nodiscard]] static core::Result<std::unique_ptr<Journal>> open(const std::filesystem::path& db_path,
                                                                   Mode mode = Mode::kReadWrite);

  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
  [[nodiscard]] bool is_read_only() const noexcept { return mode_ == Mode::kReadOnly; }
  [[nodiscard]] core::Result<Settings> settings() const;

  // -- writes (each one committed transaction unless a Batch is active) --
  [[nodiscard]] core::Result<Batch> begin_batch();

  [[nodiscard]] core::Status set_meta(std::string_view key, std::string_view value);
  [[nodiscard]] core::Result<std::optional<std::string>> get_meta(std::string_view key) const;
  [[nodiscard]] core::Result<std::vector<std::pair<std::string, std::string>>> meta() const;

  // Returns the event's seq.
  [[nodiscard]] core::Result<std::int64_t> append_event(const EventRow& event);

  // Inserts the order with status 'intent' (whatever order.status says) and an 'intent' event
  // (wall time created_wall_ns, the order's trade date) in one transaction; returns the event's
  // seq, which the order row references. The text is generated when empty; the payload defaults
  // to the order as JSON. Fails, writing nothing, for a client_order_id already present.
  [[nodiscard]] core::Result<std::int64_t> record_intent(const OrderRow& order, std::string_view text = {},
                                                         std::optional<std::string> payload = {});

  // The order was handed to the transport: sets sent_wall_ns, moves 'intent' to 'sent' (a later
  // status is kept) and appends an 'order_sent' event. Returns the event's seq.
  [[nodiscard]] core::Result<std::int64_t> mark_sent(std::string_view client_order_id, std::int64_t wall_ns,
                                                     std::string_view text = {});

  // Applies an update to the order and appends an 'order_update' event, in one transaction.
  // Returns the event's seq. Fails, writing nothing, for an unknown client_order_id.
  [[nodiscard]] core::Result<std::int64_t> update_order(std::string_view client_order_id,
                                                        const OrderUpdate& update);

  // Inserts the fill and a 'fill' event in one transaction; false (writing nothing) when the
  // exec_id is already present. The text is generated when empty; the payload defaults to the
  // fill as JSON.
  [[nodiscard]] core::Result<bool> record_fill(const FillRow& fill, std::string_view text = {},
                                               std::optional<std::string> payload = {});

  // Inserts or replaces the day's state.
  [[nodiscard]] core::Status save_day_state(const DayState& state);

  // -- reads --
  [[nodiscard]] core::Result<std::optional<DayState>> load_day_state(std::int32_t trade_date) const;
  [[nodiscard]] core::Result<std::optional<std::int32_t>> latest_trade_date() const;  // in day_state
  // Every trade date that has an order, a fill, a day state or a dated event, ascending.
  [[nodiscard]] core::Result<std::vector<std::int32_t>> trade_dates() const;

  [[nodiscard]] core::Result<std::optional<OrderRow>> find_order(std::string_view client_order_id) const;
  // Orders in the order their intents were recorded.
  [[nodiscard]] core::Result<std::vector<OrderRow>> orders(std::int32_t trade_date) const;
  [[nodiscard]] core::Result<std::vector<OrderRow>> orders_with_status(
      const std::vector<OrderStatus>& statuses, std::optional<std::int32_t> trade_date = {}) const;
  // intent, sent and open, of every trade date.
  [[nodiscard]] core::Result<std::vector<OrderRow>> open_orders() const;

  [[nodiscard]] core::Result<bool> has_fill(std::string_view exec_id) const;
  // Ordered by exchange_ns, then exec_id.
  [[nodiscard]] core::Result<std::vector<FillRow>> fills(std::int32_t trade_date) const;

  // Events with seq >= from_seq, ascending, at most `limit` (all when limit <= 0).
  [[nodiscard]] core::Result<std::vector<EventRow>> events(std::int64_t from_seq, std::int64_t limit) const;
  [[nodiscard]] core::Result<std::vector<EventRow>> events_on(std::int32_t trade_date) const;
  // The highest seq, 0 when there is none.
  [[nodiscard]] core::Result<std::int64_t> last_event_seq() const;

 private:
  friend class Batch;
  Journal(std::filesystem::path path, Mode mode, std::unique_ptr<SQLite::Database> db);

  [[nodiscard]] core::Error error(std::string_view op, std::string_view what) const;
  core::Status init_schema();
  core::Status check_writable(std::string_view op) const;

  std::filesystem::path path_;
  Mode mode_;
  std::unique_ptr<SQLite::Database> db_;
  bool in_batch_ = false;
};

}  // namespace daytrader::journal
