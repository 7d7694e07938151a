#include "journal/journal.h"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Statement.h>
#include <fmt/format.h>
#include <sqlite3.h>

#include <array>
#include <chrono>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "core/timestamp.h"

namespace daytrader::journal {
namespace {

using core::Error;
using core::Result;
using core::Status;
using core::Ticks;

constexpr int kBusyTimeoutMs = 5000;
constexpr int kSynchronousFull = 2;

// ---- vocabularies ------------------------------------------------------------------------------

template <typename E, std::size_t N>
std::optional<E> parse_from(const std::array<std::string_view, N>& names, std::string_view s) noexcept {
  for (std::size_t i = 0; i < N; ++i)
    if (names[i] == s) return static_cast<E>(i);
  return std::nullopt;
}

template <std::size_t N>
std::string_view name_of(const std::array<std::string_view, N>& names, std::size_t i) noexcept {
  return i < N ? names[i] : std::string_view("unknown");
}

constexpr std::array<std::string_view, 18> kEventKindNames = {
    "start", "stop",     "connect", "disconnect", "bar",   "decision", "intent", "order_sent", "order_update",
    "fill",  "position", "balance", "lockout",    "fault", "halt",     "kill",   "reconcile",  "status"};
constexpr std::array<std::string_view, 5> kRoleNames = {"entry", "target", "stop", "exit", "flatten"};
constexpr std::array<std::string_view, 3> kTypeNames = {"market", "limit", "stop"};
constexpr std::array<std::string_view, 7> kStatusNames = {"intent",   "sent",     "open",   "filled",
                                                          "canceled", "rejected", "unknown"};
constexpr std::array<std::string_view, 2> kSourceNames = {"stream", "recovered"};

// ---- schema ------------------------------------------------------------------------------------

constexpr const char* kSchemaSql = R"sql(
CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS events (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT,
  wall_ns     INTEGER NOT NULL,
  exchange_ns INTEGER,
  trade_date  INTEGER,
  kind        TEXT NOT NULL CHECK (kind <> ''),
  text        TEXT NOT NULL,
  payload     TEXT
) STRICT;
CREATE INDEX IF NOT EXISTS events_by_date ON events (trade_date, seq);
CREATE TABLE IF NOT EXISTS orders (
  client_order_id        TEXT PRIMARY KEY CHECK (client_order_id <> ''),
  intent_seq             INTEGER NOT NULL REFERENCES events (seq),
  trade_date             INTEGER NOT NULL,
  role                   TEXT NOT NULL CHECK (role IN ('entry', 'target', 'stop', 'exit', 'flatten')),
  side                   TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
  quantity               INTEGER NOT NULL CHECK (quantity > 0),
  order_type             TEXT NOT NULL CHECK (order_type IN ('market', 'limit', 'stop')),
  price_ticks            INTEGER,
  parent_client_order_id TEXT,
  status                 TEXT NOT NULL CHECK (status IN ('intent', 'sent', 'open', 'filled', 'canceled',
                                                         'rejected', 'unknown')),
  server_order_id        TEXT,
  filled_quantity        INTEGER NOT NULL DEFAULT 0,
  avg_fill_price_ticks   INTEGER,
  info                   TEXT NOT NULL DEFAULT '',
  created_wall_ns        INTEGER NOT NULL,
  sent_wall_ns           INTEGER,
  updated_wall_ns        INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS orders_by_date ON orders (trade_date, intent_seq);
CREATE INDEX IF NOT EXISTS orders_by_status ON orders (status);
CREATE TABLE IF NOT EXISTS fills (
  exec_id          TEXT PRIMARY KEY CHECK (exec_id <> ''),
  client_order_id  TEXT,
  server_order_id  TEXT,
  trade_date       INTEGER NOT NULL,
  side             TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
  quantity         INTEGER NOT NULL CHECK (quantity > 0),
  price_ticks      INTEGER NOT NULL,
  exchange_ns      INTEGER NOT NULL,
  received_wall_ns INTEGER NOT NULL,
  source           TEXT NOT NULL CHECK (source IN ('stream', 'recovered')),
  event_seq        INTEGER NOT NULL REFERENCES events (seq)
) STRICT;
CREATE INDEX IF NOT EXISTS fills_by_date ON fills (trade_date, exchange_ns, exec_id);
CREATE TABLE IF NOT EXISTS day_state (
  trade_date            INTEGER PRIMARY KEY,
  start_balance_cents   INTEGER NOT NULL,
  realized_cents        INTEGER NOT NULL,
  high_water_mark_cents INTEGER NOT NULL,
  lockout               TEXT NOT NULL,
  killed                INTEGER NOT NULL CHECK (killed IN (0, 1)),
  halted                INTEGER NOT NULL CHECK (halted IN (0, 1)),
  halt_reason           TEXT NOT NULL,
  orders_sent           INTEGER NOT NULL,
  trades                INTEGER NOT NULL,
  last_bar_close_ns     INTEGER,
  updated_wall_ns       INTEGER NOT NULL
) STRICT;
)sql";

constexpr const char* kOrderColumns =
    "client_order_id, intent_seq, trade_date, role, side, quantity, order_type, price_ticks, "
    "parent_client_order_id, status, server_order_id, filled_quantity, avg_fill_price_ticks, info, "
    "created_wall_ns, sent_wall_ns, updated_wall_ns";
constexpr const char* kFillColumns =
    "exec_id, client_order_id, server_order_id, trade_date, side, quantity, price_ticks, exchange_ns, "
    "received_wall_ns, source, event_seq";
constexpr const char* kEventColumns = "seq, wall_ns, exchange_ns, trade_date, kind, text, payload";
constexpr const char* kDayStateColumns =
    "trade_date, start_balance_cents, realized_cents, high_water_mark_cents, lockout, killed, halted, "
    "halt_reason, orders_sent, trades, last_bar_close_ns, updated_wall_ns";

// A stored row that does not decode (only a file edited by hand gets here: the schema's CHECKs
// keep the journal's own writes valid).
struct BadRow : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// ---- binding and reading -----------------------------------------------------------------------

void bind_text(SQLite::Statement& st, int i, std::string_view s) {
  st.bind(i, std::string(s));
}
void bind_opt(SQLite::Statement& st, int i, const std::optional<std::string>& s) {
  if (s)
    st.bind(i, *s);
  else
    st.bind(i);
}
void bind_opt(SQLite::Statement& st, int i, const std::optional<std::int64_t>& v) {
  if (v)
    st.bind(i, static_cast<std::int64_t>(*v));
  else
    st.bind(i);
}
void bind_opt(SQLite::Statement& st, int i, const std::optional<std::int32_t>& v) {
  if (v)
    st.bind(i, static_cast<std::int64_t>(*v));
  else
    st.bind(i);
}
void bind_opt(SQLite::Statement& st, int i, const std::optional<Ticks>& v) {
  if (v)
    st.bind(i, static_cast<std::int64_t>(v->count()));
  else
    st.bind(i);
}
void bind_int(SQLite::Statement& st, int i, std::int64_t v) {
  st.bind(i, v);
}

std::optional<std::int64_t> opt_int(const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  return c.getInt64();
}
std::optional<std::string> opt_text(const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  return c.getString();
}
std::int32_t int32_of(const SQLite::Column& c) {
  return static_cast<std::int32_t>(c.getInt64());
}

template <typename E, std::size_t N>
E decode(const std::array<std::string_view, N>& names, const SQLite::Column& c, std::string_view table,
         std::string_view key, std::string_view column) {
  const std::string s = c.getString();
  if (auto e = parse_from<E>(names, s)) return *e;
  std::string allowed;
  for (const auto n : names) {
    if (!allowed.empty()) allowed += '|';
    allowed += n;
  }
  throw BadRow(fmt::format("{} row {}: {} '{}' is not one of {}", table, key, column, s, allowed));
}

exec::OrderSide decode_side(const SQLite::Column& c, std::string_view table, std::string_view key) {
  const std::string s = c.getString();
  if (s == "buy") return exec::OrderSide::kBuy;
  if (s == "sell") return exec::OrderSide::kSell;
  throw BadRow(fmt::format("{} row {}: side '{}' is not one of buy|sell", table, key, s));
}

OrderRow read_order(SQLite::Statement& st) {
  OrderRow o;
  o.client_order_id = st.getColumn(0).getString();
  const std::string& key = o.client_order_id;
  o.intent_seq = st.getColumn(1).getInt64();
  o.trade_date = int32_of(st.getColumn(2));
  o.role = decode<OrderRole>(kRoleNames, st.getColumn(3), "orders", key, "role");
  o.side = decode_side(st.getColumn(4), "orders", key);
  o.quantity = int32_of(st.getColumn(5));
  o.type = decode<OrderType>(kTypeNames, st.getColumn(6), "orders", key, "order_type");
  if (auto p = opt_int(st.getColumn(7))) o.price = Ticks(*p);
  o.parent_client_order_id = opt_text(st.getColumn(8));
  o.status = decode<OrderStatus>(kStatusNames, st.getColumn(9), "orders", key, "status");
  o.server_order_id = opt_text(st.getColumn(10));
  o.filled_quantity = int32_of(st.getColumn(11));
  if (auto p = opt_int(st.getColumn(12))) o.avg_fill_price = Ticks(*p);
  o.info = st.getColumn(13).getString();
  o.created_wall_ns = st.getColumn(14).getInt64();
  o.sent_wall_ns = opt_int(st.getColumn(15));
  o.updated_wall_ns = st.getColumn(16).getInt64();
  return o;
}

FillRow read_fill(SQLite::Statement& st) {
  FillRow f;
  f.exec_id = st.getColumn(0).getString();
  f.client_order_id = opt_text(st.getColumn(1));
  f.server_order_id = opt_text(st.getColumn(2));
  f.trade_date = int32_of(st.getColumn(3));
  f.side = decode_side(st.getColumn(4), "fills", f.exec_id);
  f.quantity = int32_of(st.getColumn(5));
  f.price = Ticks(st.getColumn(6).getInt64());
  f.exchange_ns = st.getColumn(7).getInt64();
  f.received_wall_ns = st.getColumn(8).getInt64();
  f.source = decode<FillSource>(kSourceNames, st.getColumn(9), "fills", f.exec_id, "source");
  f.event_seq = st.getColumn(10).getInt64();
  return f;
}

EventRow read_event(SQLite::Statement& st) {
  EventRow e;
  e.seq = st.getColumn(0).getInt64();
  e.wall_ns = st.getColumn(1).getInt64();
  e.exchange_ns = opt_int(st.getColumn(2));
  if (auto d = opt_int(st.getColumn(3))) e.trade_date = static_cast<std::int32_t>(*d);
  e.kind = st.getColumn(4).getString();
  e.text = st.getColumn(5).getString();
  e.payload = opt_text(st.getColumn(6));
  return e;
}

DayState read_day_state(SQLite::Statement& st) {
  DayState d;
  d.trade_date = int32_of(st.getColumn(0));
  d.start_balance_cents = st.getColumn(1).getInt64();
  d.realized_cents = st.getColumn(2).getInt64();
  d.high_water_mark_cents = st.getColumn(3).getInt64();
  d.lockout = st.getColumn(4).getString();
  d.killed = st.getColumn(5).getInt64() != 0;
  d.halted = st.getColumn(6).getInt64() != 0;
  d.halt_reason = st.getColumn(7).getString();
  d.orders_sent = int32_of(st.getColumn(8));
  d.trades = int32_of(st.getColumn(9));
  d.last_bar_close_ns = opt_int(st.getColumn(10));
  d.updated_wall_ns = st.getColumn(11).getInt64();
  return d;
}

// ---- text and JSON -----------------------------------------------------------------------------

// Events are one line each.
std::string one_line(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c == '\n' || c == '\r') c = ' ';
  return out;
}

// Server text may not be valid UTF-8; replace rather than throw.
std::string dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

template <typename T>
nlohmann::json opt_json(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}
nlohmann::json opt_json(const std::optional<Ticks>& v) {
  return v ? nlohmann::json(v->count()) : nlohmann::json(nullptr);
}

nlohmann::json to_json(const OrderRow& o) {
  return {{"client_order_id", o.client_order_id},
          {"trade_date", o.trade_date},
          {"role", to_string(o.role)},
          {"side", exec::to_string(o.side)},
          {"quantity", o.quantity},
          {"order_type", to_string(o.type)},
          {"price_ticks", opt_json(o.price)},
          {"parent_client_order_id", opt_json(o.parent_client_order_id)},
          {"created_wall_ns", o.created_wall_ns}};
}

nlohmann::json to_json(std::string_view id, const OrderUpdate& u) {
  return {{"client_order_id", id},
          {"status", to_string(u.status)},
          {"server_order_id", opt_json(u.server_order_id)},
          {"filled_quantity", u.filled_quantity},
          {"avg_fill_price_ticks", opt_json(u.avg_fill_price)},
          {"info", u.info}};
}

nlohmann::json to_json(const FillRow& f) {
  return {{"exec_id", f.exec_id},
          {"client_order_id", opt_json(f.client_order_id)},
          {"server_order_id", opt_json(f.server_order_id)},
          {"trade_date", f.trade_date},
          {"side", exec::to_string(f.side)},
          {"quantity", f.quantity},
          {"price_ticks", f.price.count()},
          {"exchange_ns", f.exchange_ns},
          {"source", to_string(f.source)}};
}

std::string intent_text(const OrderRow& o) {
  std::string s = fmt::format("intent {} {} {} {} {}", o.client_order_id, to_string(o.role),
                              exec::to_string(o.side), o.quantity, to_string(o.type));
  if (o.price) s += fmt::format(" @ {}t", o.price->count());
  if (o.parent_client_order_id) s += fmt::format(" parent={}", *o.parent_client_order_id);
  return s;
}

std::string update_text(std::string_view id, const OrderUpdate& u, std::int32_t quantity) {
  std::string s =
      fmt::format("order {} {} filled={}/{}", id, to_string(u.status), u.filled_quantity, quantity);
  if (u.avg_fill_price) s += fmt::format(" avg={}t", u.avg_fill_price->count());
  if (u.server_order_id) s += fmt::format(" server={}", *u.server_order_id);
  if (!u.info.empty()) s += fmt::format(" info=\"{}\"", u.info);
  return s;
}

std::string fill_text(const FillRow& f) {
  std::string s =
      fmt::format("fill {} {} {} @ {}t", f.exec_id, exec::to_string(f.side), f.quantity, f.price.count());
  if (f.client_order_id) s += fmt::format(" order={}", *f.client_order_id);
  if (f.source == FillSource::kRecovered) s += " (recovered)";
  return s;
}

std::string hex32(std::int64_t v) {
  return fmt::format("0x{:08X}", static_cast<std::uint32_t>(v));
}

// ---- statements --------------------------------------------------------------------------------

std::int64_t insert_event(SQLite::Database& db, const EventRow& e) {
  SQLite::Statement st(db,
                       "INSERT INTO events (wall_ns, exchange_ns, trade_date, kind, text, payload) "
                       "VALUES (?, ?, ?, ?, ?, ?)");
  bind_int(st, 1, e.wall_ns);
  bind_opt(st, 2, e.exchange_ns);
  bind_opt(st, 3, e.trade_date);
  bind_text(st, 4, e.kind);
  bind_text(st, 5, one_line(e.text));
  bind_opt(st, 6, e.payload);
  st.exec();
  return db.getLastInsertRowid();
}

// Why an event cannot be stored, or empty.
std::string event_problem(const EventRow& e) {
  if (e.kind.empty()) return "the event kind is empty";
  if (e.payload && !nlohmann::json::accept(*e.payload))
    return fmt::format("the {} event's payload is not valid JSON", e.kind);
  return {};
}

std::optional<OrderRow> select_order(SQLite::Database& db, std::string_view id) {
  SQLite::Statement st(db, fmt::format("SELECT {} FROM orders WHERE client_order_id = ?", kOrderColumns));
  bind_text(st, 1, id);
  if (!st.executeStep()) return std::nullopt;
  return read_order(st);
}

std::int64_t scalar_int(SQLite::Database& db, const char* sql) {
  SQLite::Statement st(db, sql);
  if (!st.executeStep() || st.getColumn(0).isNull()) return 0;
  return st.getColumn(0).getInt64();
}

std::string scalar_text(SQLite::Database& db, const char* sql) {
  SQLite::Statement st(db, sql);
  if (!st.executeStep() || st.getColumn(0).isNull()) return {};
  return st.getColumn(0).getString();
}

}  // namespace

// ---- vocabularies ------------------------------------------------------------------------------

std::string_view to_string(EventKind k) noexcept {
  return name_of(kEventKindNames, static_cast<std::size_t>(k));
}
std::optional<EventKind> parse_event_kind(std::string_view s) noexcept {
  return parse_from<EventKind>(kEventKindNames, s);
}
std::string_view to_string(OrderRole r) noexcept {
  return name_of(kRoleNames, static_cast<std::size_t>(r));
}
std::optional<OrderRole> parse_order_role(std::string_view s) noexcept {
  return parse_from<OrderRole>(kRoleNames, s);
}
std::string_view to_string(OrderType t) noexcept {
  return name_of(kTypeNames, static_cast<std::size_t>(t));
}
std::optional<OrderType> parse_order_type(std::string_view s) noexcept {
  return parse_from<OrderType>(kTypeNames, s);
}
std::string_view to_string(OrderStatus s) noexcept {
  return name_of(kStatusNames, static_cast<std::size_t>(s));
}
std::optional<OrderStatus> parse_order_status(std::string_view s) noexcept {
  return parse_from<OrderStatus>(kStatusNames, s);
}
std::string_view to_string(FillSource s) noexcept {
  return name_of(kSourceNames, static_cast<std::size_t>(s));
}
std::optional<FillSource> parse_fill_source(std::string_view s) noexcept {
  return parse_from<FillSource>(kSourceNames, s);
}

EventRow EventRow::of(EventKind k, std::int64_t wall_ns, std::string text,
                      std::optional<std::int32_t> trade_date, std::optional<std::string> payload) {
  EventRow e;
  e.wall_ns = wall_ns;
  e.trade_date = trade_date;
  e.kind = std::string(to_string(k));
  e.text = std::move(text);
  e.payload = std::move(payload);
  return e;
}

// ---- Batch -------------------------------------------------------------------------------------

Batch::Batch(Batch&& other) noexcept : journal_(std::exchange(other.journal_, nullptr)) {}

Batch::~Batch() {
  if (journal_ != nullptr) (void)rollback();
}

Status Batch::commit() {
  if (journal_ == nullptr) return Error{"batch: commit: the batch is no longer active"};
  Journal* j = std::exchange(journal_, nullptr);
  j->in_batch_ = false;
  try {
    j->db_->exec("COMMIT");
    return {};
  } catch (const std::exception& e) {
    (void)j->db_->tryExec("ROLLBACK");
    return j->error("commit batch", fmt::format("{}; the batch was rolled back", e.what()));
  }
}

Status Batch::rollback() {
  if (journal_ == nullptr) return Error{"batch: rollback: the batch is no longer active"};
  Journal* j = std::exchange(journal_, nullptr);
  j->in_batch_ = false;
  const int rc = j->db_->tryExec("ROLLBACK");
  if (rc != SQLITE_OK) return j->error("rollback batch", sqlite3_errstr(rc));
  return {};
}

// ---- Journal: a transaction per write ----------------------------------------------------------

namespace {

// Runs `body` as one committed transaction, or inside the active batch (as a savepoint, so a
// failed write leaves the batch's earlier writes in place). Any exception rolls the write back.
template <typename F>
auto run_write(SQLite::Database& db, bool in_batch, F&& body) -> decltype(body()) {
  db.exec(in_batch ? "SAVEPOINT dt_write" : "BEGIN IMMEDIATE");
  try {
    auto r = body();
    if (!r.has_value()) {
      // The body refused (a validation failure): undo whatever it did.
      if (in_batch) {
        (void)db.tryExec("ROLLBACK TO dt_write");
        (void)db.tryExec("RELEASE dt_write");
      } else {
        (void)db.tryExec("ROLLBACK");
      }
      return r;
    }
    db.exec(in_batch ? "RELEASE dt_write" : "COMMIT");
    return r;
  } catch (...) {
    if (in_batch) {
      (void)db.tryExec("ROLLBACK TO dt_write");
      (void)db.tryExec("RELEASE dt_write");
    } else if (sqlite3_get_autocommit(db.getHandle()) == 0) {
      (void)db.tryExec("ROLLBACK");
    }
    throw;
  }
}

}  // namespace

Journal::Journal(std::filesystem::path path, Mode mode, std::unique_ptr<SQLite::Database> db)
    : path_(std::move(path)), mode_(mode), db_(std::move(db)) {}

Journal::~Journal() = default;

core::Error Journal::error(std::string_view op, std::string_view what) const {
  return Error{fmt::format("{}: {}: {}", path_.string(), op, what)};
}

Status Journal::check_writable(std::string_view op) const {
  if (mode_ == Mode::kReadOnly) return error(op, "the journal was opened read-only");
  return {};
}

Result<std::unique_ptr<Journal>> Journal::open(const std::filesystem::path& db_path, Mode mode) {
  const std::string name = db_path.string();
  const auto fail = [&](std::string_view what) { return Error{fmt::format("{}: open: {}", name, what)}; };
  try {
    std::error_code ec;
    const bool exists = std::filesystem::exists(db_path, ec);
    if (mode == Mode::kReadOnly && !exists) return fail("no such file");
    if (exists && std::filesystem::is_directory(db_path, ec))
      return fail("is a directory, not a journal file");

    const int flags =
        mode == Mode::kReadOnly ? SQLite::OPEN_READONLY : SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE;
    auto db = std::make_unique<SQLite::Database>(db_path, flags, kBusyTimeoutMs);
    std::unique_ptr<Journal> j(new Journal(db_path, mode, std::move(db)));
    SQLite::Database& d = *j->db_;

    // What is this file? Reading the schema fails with "file is not a database" for non-SQLite
    // bytes. Nothing is written until the file is known to be a journal or empty.
    const std::int64_t tables = scalar_int(d, "SELECT count(*) FROM sqlite_schema");
    const std::int64_t app_id = scalar_int(d, "PRAGMA application_id");
    if (app_id != 0 && app_id != kApplicationId)
      return fail(fmt::format("not a daytrader journal: application_id is {}, expected {}", hex32(app_id),
                              hex32(kApplicationId)));
    const bool has_meta =
        scalar_int(d, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'meta'") != 0;
    const bool is_new = tables == 0;
    if (!is_new && !has_meta)
      return fail(fmt::format("not a daytrader journal: the database has {} schema objects but no meta table",
                              tables));
    if (is_new && mode == Mode::kReadOnly) return fail("the database is empty, not a journal");

    if (has_meta) {
      SQLite::Statement st(d, "SELECT value FROM meta WHERE key = 'schema_version'");
      if (!st.executeStep()) return fail("not a daytrader journal: the meta table has no schema_version");
      const std::string v = st.getColumn(0).getString();
      int version = 0;
      try {
        std::size_t used = 0;
        version = std::stoi(v, &used);
        if (used != v.size()) version = 0;
      } catch (const std::exception&) {
        version = 0;
      }
      if (version < 1) return fail(fmt::format("schema_version '{}' is not a positive integer", v));
      if (version > kSchemaVersion)
        return fail(
            fmt::format("schema version {} is newer than this build supports ({}); "
                        "open it with a newer daytrader",
                        version, kSchemaVersion));
    }

    if (mode == Mode::kReadOnly) {
      d.exec("PRAGMA query_only = ON");
      return j;
    }

    d.exec("PRAGMA foreign_keys = ON");
    const std::string journal_mode = scalar_text(d, "PRAGMA journal_mode = WAL");
    if (journal_mode != "wal")
      return fail(
          fmt::format("could not switch to WAL mode: journal_mode is '{}', expected 'wal'", journal_mode));
    d.exec("PRAGMA synchronous = FULL");
    if (scalar_int(d, "PRAGMA synchronous") != kSynchronousFull)
      return fail("could not set synchronous=FULL");
    if (scalar_int(d, "PRAGMA foreign_keys") != 1) return fail("could not enable foreign keys");
    if (is_new) {
      if (auto s = j->init_schema(); !s) return s.error();
    }
    return j;
  } catch (const std::exception& e) {
    return fail(e.what());
  }
}

Status Journal::init_schema() {
  try {
    db_->exec("BEGIN IMMEDIATE");
    try {
      db_->exec(fmt::format("PRAGMA application_id = {}", kApplicationId));
      db_->exec(kSchemaSql);
      const std::string created =
          core::format_utc(std::chrono::time_point_cast<core::Nanoseconds>(std::chrono::system_clock::now()));
      SQLite::Statement st(*db_, "INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)");
      st.bind(1, std::string("schema_version"));
      st.bind(2, std::to_string(kSchemaVersion));
      st.exec();
      st.reset();
      st.bind(1, std::string("created_utc"));
      st.bind(2, created);
      st.exec();
      db_->exec("COMMIT");
    } catch (...) {
      (void)db_->tryExec("ROLLBACK");
      throw;
    }
    return {};
  } catch (const std::exception& e) {
    return error("create schema", e.what());
  }
}

Result<Settings> Journal::settings() const {
  try {
    Settings s;
    s.journal_mode = scalar_text(*db_, "PRAGMA journal_mode");
    s.synchronous = static_cast<int>(scalar_int(*db_, "PRAGMA synchronous"));
    s.foreign_keys = scalar_int(*db_, "PRAGMA foreign_keys") != 0;
    s.schema_version = std::stoi(scalar_text(*db_, "SELECT value FROM meta WHERE key = 'schema_version'"));
    return s;
  } catch (const std::exception& e) {
    return error("settings", e.what());
  }
}

Result<Batch> Journal::begin_batch() {
  if (auto s = check_writable("begin batch"); !s) return s.error();
  if (in_batch_) return error("begin batch", "a batch is already active");
  try {
    db_->exec("BEGIN IMMEDIATE");
  } catch (const std::exception& e) {
    return error("begin batch", e.what());
  }
  in_batch_ = true;
  return Batch(this);
}

// ---- meta --------------------------------------------------------------------------------------

Status Journal::set_meta(std::string_view key, std::string_view value) {
  const std::string op = fmt::format("set_meta {}", key);
  if (auto s = check_writable(op); !s) return s;
  if (key.empty()) return error(op, "the key is empty");
  if (key == "schema_version") return error(op, "schema_version is managed by the journal");
  try {
    return run_write(*db_, in_batch_, [&]() -> Status {
      SQLite::Statement st(*db_,
                           "INSERT INTO meta (key, value) VALUES (?, ?) "
                           "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
      bind_text(st, 1, key);
      bind_text(st, 2, value);
      st.exec();
      return {};
    });
  } catch (const std::exception& e) {
    return error(op, e.what());
  }
}

Result<std::optional<std::string>> Journal::get_meta(std::string_view key) const {
  try {
    SQLite::Statement st(*db_, "SELECT value FROM meta WHERE key = ?");
    bind_text(st, 1, key);
    if (!st.executeStep()) return std::optional<std::string>();
    return std::optional<std::string>(st.getColumn(0).getString());
  } catch (const std::exception& e) {
    return error(fmt::format("get_meta {}", key), e.what());
  }
}

Result<std::vector<std::pair<std::string, std::string>>> Journal::meta() const {
  try {
    std::vector<std::pair<std::string, std::string>> out;
    SQLite::Statement st(*db_, "SELECT key, value FROM meta ORDER BY key");
    while (st.executeStep()) out.emplace_back(st.getColumn(0).getString(), st.getColumn(1).getString());
    return out;
  } catch (const std::exception& e) {
    return error("meta", e.what());
  }
}

// ---- events ------------------------------------------------------------------------------------

Result<std::int64_t> Journal::append_event(const EventRow& event) {
  const std::string op = fmt::format("append_event {}", event.kind);
  if (auto s = check_writable(op); !s) return s.error();
  if (auto p = event_problem(event); !p.empty()) return error(op, p);
  try {
    return run_write(*db_, in_batch_, [&]() -> Result<std::int64_t> { return insert_event(*db_, event); });
  } catch (const std::exception& e) {
    return error(op, e.what());
  }
}

// ---- orders ------------------------------------------------------------------------------------

Result<std::int64_t> Journal::record_intent(const OrderRow& order, std::string_view text,
                                            std::optional<std::string> payload) {
  const std::string op = fmt::format("record_intent {}", order.client_order_id);
  if (auto s = check_writable(op); !s) return s.error();
  if (order.client_order_id.empty()) return error(op, "the client_order_id is empty");
  if (order.quantity <= 0) return error(op, fmt::format("quantity {} is not positive", order.quantity));
  // A bracket leg may be priced by an offset from its parent's fill, unknown until then.
  if (order.type != OrderType::kMarket && !order.price && !order.parent_client_order_id)
    return error(op, fmt::format("a {} order needs a price (or a parent whose fill prices it)", to_string(order.type)));
  if (order.type == OrderType::kMarket && order.price) return error(op, "a market order has no price");

  EventRow ev = EventRow::of(EventKind::kIntent, order.created_wall_ns,
                             text.empty() ? intent_text(order) : std::string(text), order.trade_date,
                             payload ? std::move(payload) : std::optional<std::string>(dump(to_json(order))));
  if (auto p = event_problem(ev); !p.empty()) return error(op, p);
  try {
    return run_write(*db_, in_batch_, [&]() -> Result<std::int64_t> {
      if (select_order(*db_, order.client_order_id))
        return error(op, "the client_order_id is already in the journal");
      const std::int64_t seq = insert_event(*db_, ev);
      SQLite::Statement st(*db_, fmt::format("INSERT INTO orders ({}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                                             "?, ?, ?, ?, ?, ?, ?)",
                                             kOrderColumns));
      bind_text(st, 1, order.client_order_id);
      bind_int(st, 2, seq);
      bind_int(st, 3, order.trade_date);
      bind_text(st, 4, to_string(order.role));
      bind_text(st, 5, exec::to_string(order.side));
      bind_int(st, 6, order.quantity);
      bind_text(st, 7, to_string(order.type));
      bind_opt(st, 8, order.price);
      bind_opt(st, 9, order.parent_client_order_id);
      bind_text(st, 10, to_string(OrderStatus::kIntent));
      bind_opt(st, 11, order.server_order_id);
      bind_int(st, 12, order.filled_quantity);
      bind_opt(st, 13, order.avg_fill_price);
      bind_text(st, 14, order.info);
      bind_int(st, 15, order.created_wall_ns);
      bind_opt(st, 16, order.sent_wall_ns);
      bind_int(st, 17, order.created_wall_ns);
      st.exec();
      return seq;
    });
  } catch (const std::exception& e) {
    return error(op, e.what());
  }
}

Result<std::int64_t> Journal::mark_sent(std::string_view client_order_id, std::int64_t wall_ns,
                                        std::string_view text) {
  const std::string op = fmt::format("mark_sent {}", client_order_id);
  if (auto s = check_writable(op); !s) return s.error();
  try {
    return run_write(*db_, in_batch_, [&]() -> Result<std::int64_t> {
      const auto order = select_order(*db_, client_order_id);
      if (!order) return error(op, "no such order in the journal");
      EventRow ev = EventRow::of(
          EventKind::kOrderSent, wall_ns,
          text.empty() ? fmt::format("sent {} {} {} {}", client_order_id, to_string(order->role),
                                     exec::to_string(order->side), order->quantity)
                       : std::string(text),
          order->trade_date,
          dump({{"client_order_id", client_order_id}, {"status_before", to_string(order->status)}}));
      const std::int64_t seq = insert_event(*db_, ev);
      SQLite::Statement st(*db_,
                           "UPDATE orders SET sent_wall_ns = ?, updated_wall_ns = ?, "
                           "status = CASE WHEN status = 'intent' THEN 'sent' ELSE status END "
                           "WHERE client_order_id = ?");
      bind_int(st, 1, wall_ns);
      bind_int(st, 2, wall_ns);
      bind_text(st, 3, client_order_id);
      st.exec();
      return seq;
    });
  } catch (const std::exception& e) {
    return error(op, e.what());
  }
}

Result<std::int64_t> Journal::update_order(std::string_view client_order_id, const OrderUpdate& update) {
  const std::string op = fmt::format("update_order {}", client_order_id);
  if (auto s = check_writable(op); !s) return s.error();
  if (update.filled_quantity < 0)
    return error(op, fmt::format("filled_quantity {} is negative", update.filled_quantity));
  try {
    return run_write(*db_, in_batch_, [&]() -> Result<std::int64_t> {
      const auto order = select_order(*db_, client_order_id);
      if (!order) return error(op, "no such order in the journal");
      EventRow ev;
      ev.kind = std::string(to_string(EventKind::kOrderUpdate));
      ev.wall_ns = update.wall_ns;
      ev.exchange_ns = update.exchange_ns;
      ev.trade_date = order->trade_date;
      ev.text = update.text.empty() ? update_text(client_order_id, update, order->quantity) : update.text;
      ev.payload = update.payload ? update.payload
                                  : std::optional<std::string>(dump(to_json(client_order_id, update)));
      if (auto p = event_problem(ev); !p.empty()) return error(op, p);
      const std::int64_t seq = insert_event(*db_, ev);
      SQLite::Statement st(*db_,
                           "UPDATE orders SET status = ?, server_order_id = COALESCE(?, server_order_id), "
                           "filled_quantity = ?, avg_fill_price_ticks = COALESCE(?, avg_fill_price_ticks), "
                           "info = ?, updated_wall_ns = ? WHERE client_order_id = ?");
      bind_text(st, 1, to_string(update.status));
      bind_opt(st, 2, update.server_order_id);
      bind_int(st, 3, update.filled_quantity);
      bind_opt(st, 4, update.avg_fill_price);
      bind_text(st, 5, update.info);
      bind_int(st, 6, update.wall_ns);
      bind_text(st, 7, client_order_id);
      st.exec();
      return seq;
    });
  } catch (const std::exception& e) {
    return error(op, e.what());
  }
}

Result<std::optional<OrderRow>> Journal::find_order(std::string_view client_order_id) const {
  try {
    return select_order(*db_, client_order_id);
  } catch (const std::exception& e) {
    return error(fmt::format("find_order {}", client_order_id), e.what());
  }
}

Result<std::vector<OrderRow>> Journal::orders(std::int32_t trade_date) const {
  try {
    std::vector<OrderRow> out;
    SQLite::Statement st(
        *db_, fmt::format("SELECT {} FROM orders WHERE trade_date = ? ORDER BY intent_seq", kOrderColumns));
    bind_int(st, 1, trade_date);
    while (st.executeStep()) out.push_back(read_order(st));
    return out;
  } catch (const std::exception& e) {
    return error(fmt::format("orders of trade date {}", trade_date), e.what());
  }
}

Result<std::vector<OrderRow>> Journal::orders_with_status(const std::vector<OrderStatus>& statuses,
                                                          std::optional<std::int32_t> trade_date) const {
  try {
    std::vector<OrderRow> out;
    if (statuses.empty()) return out;
    std::string marks;
    for (std::size_t i = 0; i < statuses.size(); ++i) marks += i == 0 ? "?" : ", ?";
    SQLite::Statement st(*db_, fmt::format("SELECT {} FROM orders WHERE status IN ({}){} ORDER BY intent_seq",
                                           kOrderColumns, marks, trade_date ? " AND trade_date = ?" : ""));
    int i = 1;
    for (const auto s : statuses) bind_text(st, i++, to_string(s));
    if (trade_date) bind_int(st, i, *trade_date);
    while (st.executeStep()) out.push_back(read_order(st));
    return out;
  } catch (const std::exception& e) {
    return error("orders_with_status", e.what());
  }
}

Result<std::vector<OrderRow>> Journal::open_orders() const {
  return orders_with_status({OrderStatus::kIntent, OrderStatus::kSent, OrderStatus::kOpen});
}

// ---- fills -------------------------------------------------------------------------------------

Result<bool> Journal::record_fill(const FillRow& fill, std::string_view text,
                                  std::optional<std::string> payload) {
  const std::string op = fmt::format("record_fill {}", fill.exec_id);
  if (auto s = check_writable(op); !s) return s.error();
  if (fill.exec_id.empty()) return error(op, "the exec_id is empty");
  if (fill.quantity <= 0) return error(op, fmt::format("quantity {} is not positive", fill.quantity));
  EventRow ev = EventRow::of(EventKind::kFill, fill.received_wall_ns,
                             text.empty() ? fill_text(fill) : std::string(text), fill.trade_date,
                             payload ? std::move(payload) : std::optional<std::string>(dump(to_json(fill))));
  ev.exchange_ns = fill.exchange_ns;
  if (auto p = event_problem(ev); !p.empty()) return error(op, p);
  try {
    return run_write(*db_, in_batch_, [&]() -> Result<bool> {
      SQLite::Statement seen(*db_, "SELECT 1 FROM fills WHERE exec_id = ?");
      bind_text(seen, 1, fill.exec_id);
      if (seen.executeStep()) return false;
      const std::int64_t seq = insert_event(*db_, ev);
      SQLite::Statement st(
          *db_, fmt::format("INSERT INTO fills ({}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", kFillColumns));
      bind_text(st, 1, fill.exec_id);
      bind_opt(st, 2, fill.client_order_id);
      bind_opt(st, 3, fill.server_order_id);
      bind_int(st, 4, fill.trade_date);
      bind_text(st, 5, exec::to_string(fill.side));
      bind_int(st, 6, fill.quantity);
      bind_int(st, 7, fill.price.count());
      bind_int(st, 8, fill.exchange_ns);
      bind_int(st, 9, fill.received_wall_ns);
      bind_text(st, 10, to_string(fill.source));
      bind_int(st, 11, seq);
      st.exec();
      return true;
    });
  } catch (const std::exception& e) {
    return error(op, e.what());
  }
}

Result<bool> Journal::has_fill(std::string_view exec_id) const {
  try {
    SQLite::Statement st(*db_, "SELECT 1 FROM fills WHERE exec_id = ?");
    bind_text(st, 1, exec_id);
    return st.executeStep();
  } catch (const std::exception& e) {
    return error(fmt::format("has_fill {}", exec_id), e.what());
  }
}

Result<std::vector<FillRow>> Journal::fills(std::int32_t trade_date) const {
  try {
    std::vector<FillRow> out;
    SQLite::Statement st(
        *db_,
        fmt::format("SELECT {} FROM fills WHERE trade_date = ? ORDER BY exchange_ns, exec_id", kFillColumns));
    bind_int(st, 1, trade_date);
    while (st.executeStep()) out.push_back(read_fill(st));
    return out;
  } catch (const std::exception& e) {
    return error(fmt::format("fills of trade date {}", trade_date), e.what());
  }
}

// ---- day state ---------------------------------------------------------------------------------

Status Journal::save_day_state(const DayState& state) {
  const std::string op = fmt::format("save_day_state {}", state.trade_date);
  if (auto s = check_writable(op); !s) return s;
  try {
    return run_write(*db_, in_batch_, [&]() -> Status {
      SQLite::Statement st(
          *db_, fmt::format("INSERT INTO day_state ({}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                            "ON CONFLICT (trade_date) DO UPDATE SET "
                            "start_balance_cents = excluded.start_balance_cents, "
                            "realized_cents = excluded.realized_cents, "
                            "high_water_mark_cents = excluded.high_water_mark_cents, "
                            "lockout = excluded.lockout, killed = excluded.killed, halted = excluded.halted, "
                            "halt_reason = excluded.halt_reason, orders_sent = excluded.orders_sent, "
                            "trades = excluded.trades, last_bar_close_ns = excluded.last_bar_close_ns, "
                            "updated_wall_ns = excluded.updated_wall_ns",
                            kDayStateColumns));
      bind_int(st, 1, state.trade_date);
      bind_int(st, 2, state.start_balance_cents);
      bind_int(st, 3, state.realized_cents);
      bind_int(st, 4, state.high_water_mark_cents);
      bind_text(st, 5, state.lockout);
      bind_int(st, 6, state.killed ? 1 : 0);
      bind_int(st, 7, state.halted ? 1 : 0);
      bind_text(st, 8, state.halt_reason);
      bind_int(st, 9, state.orders_sent);
      bind_int(st, 10, state.trades);
      bind_opt(st, 11, state.last_bar_close_ns);
      bind_int(st, 12, state.updated_wall_ns);
      st.exec();
      return {};
    });
  } catch (const std::exception& e) {
    return error(op, e.what());
  }
}

Result<std::optional<DayState>> Journal::load_day_state(std::int32_t trade_date) const {
  try {
    SQLite::Statement st(*db_,
                         fmt::format("SELECT {} FROM day_state WHERE trade_date = ?", kDayStateColumns));
    bind_int(st, 1, trade_date);
    if (!st.executeStep()) return std::optional<DayState>();
    return std::optional<DayState>(read_day_state(st));
  } catch (const std::exception& e) {
    return error(fmt::format("load_day_state {}", trade_date), e.what());
  }
}

Result<std::optional<std::int32_t>> Journal::latest_trade_date() const {
  try {
    SQLite::Statement st(*db_, "SELECT max(trade_date) FROM day_state");
    if (!st.executeStep() || st.getColumn(0).isNull()) return std::optional<std::int32_t>();
    return std::optional<std::int32_t>(int32_of(st.getColumn(0)));
  } catch (const std::exception& e) {
    return error("latest_trade_date", e.what());
  }
}

Result<std::vector<std::int32_t>> Journal::trade_dates() const {
  try {
    std::vector<std::int32_t> out;
    SQLite::Statement st(*db_,
                         "SELECT trade_date FROM orders UNION SELECT trade_date FROM fills "
                         "UNION SELECT trade_date FROM day_state "
                         "UNION SELECT trade_date FROM events WHERE trade_date IS NOT NULL ORDER BY 1");
    while (st.executeStep()) out.push_back(int32_of(st.getColumn(0)));
    return out;
  } catch (const std::exception& e) {
    return error("trade_dates", e.what());
  }
}

// ---- event queries -----------------------------------------------------------------------------

Result<std::vector<EventRow>> Journal::events(std::int64_t from_seq, std::int64_t limit) const {
  try {
    std::vector<EventRow> out;
    SQLite::Statement st(
        *db_, fmt::format("SELECT {} FROM events WHERE seq >= ? ORDER BY seq LIMIT ?", kEventColumns));
    bind_int(st, 1, from_seq);
    bind_int(st, 2, limit > 0 ? limit : -1);
    while (st.executeStep()) out.push_back(read_event(st));
    return out;
  } catch (const std::exception& e) {
    return error(fmt::format("events from seq {}", from_seq), e.what());
  }
}

Result<std::vector<EventRow>> Journal::events_on(std::int32_t trade_date) const {
  try {
    std::vector<EventRow> out;
    SQLite::Statement st(
        *db_, fmt::format("SELECT {} FROM events WHERE trade_date = ? ORDER BY seq", kEventColumns));
    bind_int(st, 1, trade_date);
    while (st.executeStep()) out.push_back(read_event(st));
    return out;
  } catch (const std::exception& e) {
    return error(fmt::format("events of trade date {}", trade_date), e.what());
  }
}

Result<std::int64_t> Journal::last_event_seq() const {
  try {
    return scalar_int(*db_, "SELECT max(seq) FROM events");
  } catch (const std::exception& e) {
    return error("last_event_seq", e.what());
  }
}

}  // namespace daytrader::journal
