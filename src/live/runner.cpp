#include "live/runner.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <thread>
#include <variant>

#include "core/instrument_table.h"
#include "journal/journal.h"
#include "market/from_dtc.h"
#include "market/from_scid.h"
#include "model/model_bundle.h"
#include "net/credentials.h"
#include "net/trading_client.h"
#include "scid/follower.h"
#include "scid/reader.h"

namespace daytrader::live {

namespace {

using SteadyClock = std::chrono::steady_clock;

template <typename... Args>
[[noreturn]] void fail(fmt::format_string<Args...> f, Args&&... args) {
  throw core::DaytraderError(fmt::format(f, std::forward<Args>(args)...));
}

core::Timestamp wall_now() {
  return std::chrono::time_point_cast<core::Nanoseconds>(std::chrono::system_clock::now());
}
std::int64_t wall_ns() { return core::to_unix_ns(wall_now()); }

// --- events from the io thread, in the order the server sent them ----------------------------
struct TradeEv {
  market::Trade trade;
};
struct ClockEv {
  core::Timestamp t;
};
struct OrderEv {
  dtc::OrderUpdate u;
};
struct PositionEv {
  std::string symbol, account;
  std::int64_t quantity = 0;
};
struct HistHeaderEv {};
struct HistRecordEv {
  net::HistoryRecord r;
};
struct HistDoneEv {
  net::HistoryDone d;
};
struct LogonEv {};
struct DisconnectEv {
  std::string why;
  bool will_reconnect = false;
};
struct RejectEv {
  std::string text;
};
using Event =
    std::variant<TradeEv, ClockEv, OrderEv, PositionEv, HistHeaderEv, HistRecordEv, HistDoneEv, LogonEv, DisconnectEv, RejectEv>;

class Queue {
 public:
  void push(Event e) {
    {
      std::lock_guard l(m_);
      q_.push_back(std::move(e));
    }
    cv_.notify_one();
  }
  // Takes everything queued, waiting up to `wait` for the first event.
  void take(std::deque<Event>& out, std::chrono::milliseconds wait) {
    std::unique_lock l(m_);
    if (q_.empty()) cv_.wait_for(l, wait, [&] { return !q_.empty(); });
    out.swap(q_);
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<Event> q_;
};

class Listener final : public net::ClientListener {
 public:
  Listener(Queue& q, const core::Instrument& instrument, std::uint32_t symbol_id)
      : q_(q), adapter_(instrument), symbol_id_(symbol_id) {}
  void on_logged_on(const dtc::LogonResponse& /*r*/) override { q_.push(LogonEv{}); }
  void on_disconnected(const dtc::CloseInfo& info, bool will_reconnect, core::Nanoseconds /*retry*/) override {
    q_.push(DisconnectEv{info.reason, will_reconnect});
  }
  void on_message(const dtc::Message& m) override {
    if (const auto* hb = std::get_if<dtc::Heartbeat>(&m)) {
      // A replay server's clock mark carries data time; the session's periodic heartbeats carry
      // the server's wall clock, which is not a clock of the data: within a minute of ours.
      if (hb->current_date_time > 0) {
        const auto t = core::from_unix_ns(hb->current_date_time * 1'000'000'000);
        const auto wall = std::chrono::time_point_cast<core::Nanoseconds>(std::chrono::system_clock::now());
        if (t < wall - std::chrono::minutes(1)) q_.push(ClockEv{t});
      }
      return;
    }
    if (const auto* u = std::get_if<dtc::OrderUpdate>(&m)) return q_.push(OrderEv{*u});
    if (const auto* p = std::get_if<dtc::PositionUpdate>(&m)) {
      if (p->no_positions != 0) return;
      return q_.push(PositionEv{std::string(p->symbol.view()), std::string(p->trade_account.view()),
                                std::llround(p->quantity)});
    }
    if (std::holds_alternative<dtc::HistoricalPriceDataResponseHeader>(m)) return q_.push(HistHeaderEv{});
    if (const auto* r = std::get_if<dtc::MarketDataReject>(&m)) return q_.push(RejectEv{std::string(r->reject_text.view())});
    if (const auto* u = std::get_if<dtc::UnknownMessage>(&m)) {
      if (unknown_.fetch_add(1) < 5) spdlog::warn("Skipped a message of unknown type={} size={}", u->type, u->size);
      return;
    }
    market::Trade t;
    market::Quote quote;
    const auto ev = adapter_.convert(m, core::Timestamp{}, t, quote);
    if (ev == market::DtcEvent::kBadPrice || ev == market::DtcEvent::kBadTime) {
      if (bad_.fetch_add(1) < 5)
        spdlog::warn("Skipped a market data message with a {}: {}", ev == market::DtcEvent::kBadPrice ? "bad price" : "bad time",
                     dtc::message_name(dtc::message_type(m)));
      return;
    }
    if (ev != market::DtcEvent::kTrade) return;
    if (const auto* x = std::get_if<dtc::MarketDataUpdateTrade>(&m); x != nullptr && x->symbol_id != symbol_id_) return;
    if (t.volume == 0) return;
    if (t.price.count() <= 0) {
      if (bad_.fetch_add(1) < 5) spdlog::warn("Skipped a trade at a price of {} ticks (not a price)", t.price.count());
      return;
    }
    q_.push(TradeEv{t});
  }
  [[nodiscard]] std::uint64_t unknown() const noexcept { return unknown_.load(); }
  [[nodiscard]] std::uint64_t bad() const noexcept { return bad_.load(); }

 private:
  std::atomic<std::uint64_t> unknown_{0};
  std::atomic<std::uint64_t> bad_{0};
  Queue& q_;
  market::DtcAdapter adapter_;
  std::uint32_t symbol_id_;
};

journal::OrderRole journal_role(OrderRole r) {
  switch (r) {
    case OrderRole::kEntry:
      return journal::OrderRole::kEntry;
    case OrderRole::kTarget:
      return journal::OrderRole::kTarget;
    case OrderRole::kStop:
      return journal::OrderRole::kStop;
    case OrderRole::kExit:
      return journal::OrderRole::kExit;
  }
  return journal::OrderRole::kExit;
}

std::optional<OrderRole> engine_role(journal::OrderRole r) {
  switch (r) {
    case journal::OrderRole::kEntry:
      return OrderRole::kEntry;
    case journal::OrderRole::kTarget:
      return OrderRole::kTarget;
    case journal::OrderRole::kStop:
      return OrderRole::kStop;
    case journal::OrderRole::kExit:
    case journal::OrderRole::kFlatten:
      return OrderRole::kExit;
  }
  return std::nullopt;
}

exec::ExitReason parse_reason(const std::string& s) {
  for (auto r : {exec::ExitReason::kTarget, exec::ExitReason::kStop, exec::ExitReason::kAction, exec::ExitReason::kEndOfDay,
                 exec::ExitReason::kRisk, exec::ExitReason::kEndOfData})
    if (exec::to_string(r) == s) return r;
  return exec::ExitReason::kAction;
}

exec::Lockout parse_lockout(const std::string& s) {
  if (s == "drawdown") return exec::Lockout::kDrawdown;
  if (s == "profit_target") return exec::Lockout::kProfitTarget;
  return exec::Lockout::kNone;
}

dtc::BuySell to_dtc(exec::OrderSide s) { return s == exec::OrderSide::kBuy ? dtc::BuySell::kBuy : dtc::BuySell::kSell; }

OrderEvent::Status to_event_status(dtc::OrderStatus s) {
  switch (s) {
    case dtc::OrderStatus::kOpen:
    case dtc::OrderStatus::kPartiallyFilled:
    case dtc::OrderStatus::kPendingCancel:
    case dtc::OrderStatus::kPendingCancelReplace:
      return OrderEvent::Status::kOpen;
    case dtc::OrderStatus::kPendingChild:
      return OrderEvent::Status::kOpen;  // a bracket leg accepted, waiting for its parent
    case dtc::OrderStatus::kFilled:
      return OrderEvent::Status::kFilled;
    case dtc::OrderStatus::kCanceled:
      return OrderEvent::Status::kCanceled;
    case dtc::OrderStatus::kRejected:
      return OrderEvent::Status::kRejected;
    case dtc::OrderStatus::kPendingOpen:
    case dtc::OrderStatus::kOrderSent:
      return OrderEvent::Status::kPending;
    default:
      return OrderEvent::Status::kOther;
  }
}

journal::OrderStatus to_journal_status(OrderEvent::Status s) {
  switch (s) {
    case OrderEvent::Status::kFilled:
      return journal::OrderStatus::kFilled;
    case OrderEvent::Status::kCanceled:
      return journal::OrderStatus::kCanceled;
    case OrderEvent::Status::kRejected:
      return journal::OrderStatus::kRejected;
    case OrderEvent::Status::kPending:
      return journal::OrderStatus::kSent;
    default:
      return journal::OrderStatus::kOpen;
  }
}

journal::EventKind journal_kind(RecordKind k) {
  switch (k) {
    case RecordKind::kBar:
      return journal::EventKind::kBar;
    case RecordKind::kDecision:
      return journal::EventKind::kDecision;
    case RecordKind::kLockout:
      return journal::EventKind::kLockout;
    case RecordKind::kFault:
    case RecordKind::kPause:
      return journal::EventKind::kFault;
    case RecordKind::kHalt:
      return journal::EventKind::kHalt;
    case RecordKind::kKill:
      return journal::EventKind::kKill;
    case RecordKind::kFill:
      return journal::EventKind::kFill;
    case RecordKind::kInfo:
      return journal::EventKind::kStatus;
  }
  return journal::EventKind::kStatus;
}

std::string dollars(core::Cents c) {
  return fmt::format("{}${:.2f}", c < 0 ? "-" : "+", static_cast<double>(c < 0 ? -c : c) / 100.0);
}

// The trade date `n` weekdays before `d`.
std::int32_t weekdays_before(std::int32_t d, int n) {
  while (n > 0) {
    --d;
    if (core::SessionCalendar::is_weekday(date::sys_days(date::days(d)))) --n;
  }
  return d;
}

// Sierra Chart's DTC server may refuse CME data to outside clients: say so, and what to do.
[[noreturn]] void refused_market_data(const std::string& symbol, const std::string& text) {
  fail("live: the server refused market data for {}: {}. Sierra Chart's DTC server may not serve CME data to "
       "outside clients (dtc.md §5.9); set [market] source = \"scid\" to follow the chart's .scid file",
       symbol, text);
}

void must(const core::Status& st) {
  if (!st) throw core::DaytraderError(st.error().message);
}
template <typename T>
T must(core::Result<T> r) {
  if (!r) throw core::DaytraderError(r.error().message);
  return std::move(r).value();
}

}  // namespace

Runner::Runner(RunnerConfig config) : config_(std::move(config)) {}
Runner::~Runner() = default;

RunSummary Runner::run() {
  const RunnerConfig& c = config_;
  if (c.symbol.empty()) fail("live: [market] symbol is empty");
  if (c.run_dir.empty()) fail("live: [run] dir is empty");
  std::filesystem::create_directories(c.run_dir);

  // --- the model ---
  const auto bundle = model::load_model_bundle(c.model_dir);
  rl::Policy policy = bundle.load_policy(c.seed);
  // The symbol traded must be the model's instrument: its root (ESZ25-CME -> ES, MESZ25 -> MES), and
  // through the table its tick size and value.
  const auto traded = core::parse_symbol(c.symbol);
  if (!traded) fail("live: [market] {}", traded.error().message);
  if (auto st = bundle.check_instrument(core::find_instrument(traded->root)->instrument(c.symbol)); !st)
    fail("live: symbol \"{}\" is {}: {}", c.symbol, traded->root, st.error().message);
  if (c.source == DataSource::kScid) {
    // A chart file named for another contract than the symbol traded (Sierra names files by symbol).
    const auto file = core::symbol_from_file_name(c.scid_path);
    if (file && file->has_value() && (*file)->root != traded->root)
      fail("live: [market] scid_path {} is a {} file; the symbol traded is {} ({})", c.scid_path, (*file)->root,
           c.symbol, traded->root);
  }
  EngineSettings settings;
  settings.env = bundle.config.env;
  settings.bar = bundle.bar;
  settings.features = bundle.features;
  settings.instrument = bundle.instrument;
  settings.calendar = &core::session_calendar_of(bundle.instrument);
  settings.limits = c.limits;
  settings.deterministic = c.deterministic;

  // --- the journal ---
  auto journal = must(journal::Journal::open(journal::journal_path(c.run_dir)));
  auto prefix = must(journal->get_meta("order_prefix"));
  if (!prefix) {
    // Unique per run folder and short: ClientOrderIDs are at most 31 characters (§2.6).
    prefix = fmt::format("dt{:x}", static_cast<std::uint64_t>(wall_ns() / 1'000'000'000) & 0xffffffffULL);
    must(journal->set_meta("order_prefix", *prefix));
  }
  must(journal->set_meta("model", c.model_dir.string()));
  must(journal->set_meta("symbol", c.symbol));
  must(journal->set_meta("tick_size", fmt::format("{}", bundle.instrument.tick_size)));
  must(journal->set_meta("tick_value_cents", fmt::format("{}", bundle.instrument.tick_value_cents)));
  must(journal->set_meta("commission_per_side_cents", fmt::format("{}", bundle.config.env.commission_per_side_cents)));
  settings.order_id_prefix = *prefix;
  const bool det = c.deterministic;
  engine_ = std::make_unique<Engine>(
      settings, bundle.scaler, [&policy, det](std::span<const float> obs) { return policy.act(obs, det); },
      policy.observation_size());
  Engine& engine = *engine_;
  const auto event = [&](journal::EventKind k, std::string text, std::optional<std::int64_t> exch = {}) {
    auto row = journal::EventRow::of(k, wall_ns(), std::move(text),
                                     engine.trade_date() == 0 ? std::nullopt : std::optional(engine.trade_date()));
    row.exchange_ns = exch;
    (void)journal->append_event(row);
  };
  event(journal::EventKind::kStart, fmt::format("Start model={} symbol={} server={}:{} source={} clock={}",
                                                c.model_dir.string(), c.symbol, c.host, c.port,
                                                c.source == DataSource::kDtc ? "dtc" : "scid",
                                                c.clock == ClockSource::kFeed ? "feed" : "system"));

  // --- connect ---
  Queue queue;
  constexpr std::uint32_t kSymbolId = 1;
  Listener listener(queue, bundle.instrument, kSymbolId);
  net::TradingClientOptions to;
  to.client.host = c.host;
  to.client.port = c.port;
  to.client.reconnect = c.reconnect;
  to.client.connect_timeout = c.connect_timeout;
  to.client.session.heartbeat_interval_s = c.heartbeat_s;
  const auto credentials = must(net::load_credentials(c.env_file));
  to.client.session.username = credentials.username;
  to.client.session.password = credentials.password;
  to.instrument = bundle.instrument;
  to.order_id_prefix = *prefix + "x";  // ids the client would allocate itself (never used by the engine)
  net::TradingClient client(to, &listener);
  client.start();
  spdlog::info("Connecting server={}:{} credentials={}", c.host, c.port, net::describe(credentials));
  if (!client.wait_until([&] { return client.is_logged_on(); }, std::chrono::duration_cast<std::chrono::milliseconds>(c.connect_timeout)))
    fail("live: could not log on to {}:{} within {:.0f} s", c.host, c.port,
         std::chrono::duration<double>(c.connect_timeout).count());
  const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(c.flatten_timeout);
  const auto acc_id = client.request_trade_accounts();
  client.wait_until([&] { return client.request_complete(acc_id); }, wait);
  const auto accounts = client.trade_accounts();
  std::string account = c.trade_account;
  if (account.empty()) {
    if (accounts.empty()) fail("live: the server lists no trade account; set [account] trade_account");
    account = accounts.front();
  } else if (!accounts.empty() && std::find(accounts.begin(), accounts.end(), account) == accounts.end()) {
    fail("live: trade account \"{}\" is not among the server's: {}", account, fmt::join(accounts, ", "));
  }
  event(journal::EventKind::kConnect, fmt::format("Logged on server={}:{} account={}", c.host, c.port, account));

  std::deque<Event> batch;
  std::vector<market::Trade> buffered;
  std::optional<core::Timestamp> pending_ack;  // a paced server's clock mark to acknowledge
  std::optional<core::Timestamp> feed_now;
  const auto now = [&]() -> core::Timestamp {
    if (c.clock == ClockSource::kSystem) return wall_now();
    return feed_now.value_or(core::Timestamp{});
  };

  // --- warm-up ---
  std::optional<scid::Follower> follower;
  std::vector<scid::Record> records;
  const market::ScidAdapter scid_adapter(bundle.instrument);
  if (c.source == DataSource::kDtc) {
    client.subscribe_market_data(kSymbolId, c.symbol, c.exchange);
    // The feed clock starts with the first trade or the server's clock.
    if (c.clock == ClockSource::kFeed) {
      const auto deadline = SteadyClock::now() + c.connect_timeout;
      while (!feed_now && SteadyClock::now() < deadline) {
        queue.take(batch, std::chrono::milliseconds(50));
        for (auto& e : batch) {
          if (const auto* t = std::get_if<TradeEv>(&e)) {
            feed_now = t->trade.ts;
          } else if (const auto* k = std::get_if<ClockEv>(&e)) {
            feed_now = k->t;
            pending_ack = k->t;
          }
          else if (const auto* r = std::get_if<RejectEv>(&e))
            refused_market_data(c.symbol, r->text);
        }
        batch.clear();
      }
      if (!feed_now) fail("live: no trade and no clock from the server within {:.0f} s", std::chrono::duration<double>(c.connect_timeout).count());
    }
    const auto& cal = *settings.calendar;
    const auto today = static_cast<std::int32_t>(cal.trade_date(now()).time_since_epoch().count());
    const auto from = cal.session(date::sys_days(date::days(weekdays_before(today, c.warmup_sessions)))).open;
    bool header = false, done = false;
    std::size_t history = 0, dropped = 0;
    client.request_history(c.symbol, c.exchange, from, core::Timestamp{}, net::HistoryInterval::kTicks,
                           [&queue](const net::HistoryRecord& r) { queue.push(HistRecordEv{r}); },
                           [&queue](const net::HistoryDone& d) { queue.push(HistDoneEv{d}); });
    const auto deadline = SteadyClock::now() + std::chrono::minutes(10);
    while (!done) {
      if (SteadyClock::now() > deadline) fail("live: the history download did not finish in 10 minutes");
      queue.take(batch, std::chrono::milliseconds(100));
      for (auto& e : batch) {
        if (const auto* t = std::get_if<TradeEv>(&e)) {
          // Before the history's header: already in the history. After it: new.
          if (header) buffered.push_back(t->trade);
          else ++dropped;
        } else if (std::holds_alternative<HistHeaderEv>(e)) {
          header = true;
        } else if (const auto* r = std::get_if<HistRecordEv>(&e)) {
          if (r->r.volume <= 0 || r->r.close.count() <= 0) continue;  // quote-only records
          market::Trade h;
          h.ts = core::from_unix_ns(r->r.unix_us * 1000);
          h.price = r->r.close;
          h.volume = static_cast<std::uint32_t>(std::llround(r->r.volume));
          h.bid_volume = static_cast<std::uint32_t>(std::llround(r->r.bid_volume));
          h.ask_volume = static_cast<std::uint32_t>(std::llround(r->r.ask_volume));
          h.num_trades = std::max<std::uint32_t>(1, r->r.num_trades);
          engine.warm_up(h);
          ++history;
        } else if (const auto* d = std::get_if<HistDoneEv>(&e)) {
          if (!d->d.ok) fail("live: the history request failed: {}", d->d.error);
          done = true;
        } else if (const auto* k = std::get_if<ClockEv>(&e)) {
          feed_now = k->t;
          pending_ack = k->t;
        } else if (const auto* rj = std::get_if<RejectEv>(&e)) {
          refused_market_data(c.symbol, rj->text);
        } else {
          // Order and position events before go-live are handled at reconciliation.
        }
      }
      batch.clear();
    }
    for (const auto& t : buffered) engine.warm_up(t);
    spdlog::info("Warm-up history_trades={} since={} stream_trades_in_history={} after_history={}", history,
                 core::format_utc(from), dropped, buffered.size());
    if (!buffered.empty() && c.clock == ClockSource::kFeed) feed_now = std::max(*feed_now, buffered.back().ts);
    buffered.clear();
  } else {
    scid::FollowerOptions fo;
    fo.start = scid::StartAt::kTime;
    const auto& cal = *settings.calendar;
    // "Now" is the wall clock, or with the feed clock the file's last complete record.
    core::Timestamp file_now = wall_now();
    if (c.clock == ClockSource::kFeed) {
      auto reader = scid::Reader::open(c.scid_path);
      if (!reader) fail("live: {}", reader.error().message);
      if (reader->size() == 0) fail("live: {}: no record yet to take the feed clock from", c.scid_path);
      const auto last = scid::decode_time(reader->records().back().date_time);
      if (!last) fail("live: {}: the last record's DateTime cannot be read", c.scid_path);
      file_now = *last;
      feed_now = file_now;
    }
    const auto today = static_cast<std::int32_t>(cal.trade_date(file_now).time_since_epoch().count());
    fo.start_time = cal.session(date::sys_days(date::days(weekdays_before(today, c.warmup_sessions)))).open;
    follower.emplace(must(scid::Follower::open(c.scid_path, fo)));
    std::size_t n = 0;
    for (;;) {
      records.clear();
      const auto got = must(follower->poll(records));
      for (const auto& r : records) {
        market::Trade t;
        market::Quote q;
        if (scid_adapter.convert(r, t, q) == market::ScidEvent::kTrade && t.volume > 0) {
          engine.warm_up(t);
          if (c.clock == ClockSource::kFeed && (!feed_now || t.ts > *feed_now)) feed_now = t.ts;
          ++n;
        }
      }
      if (got == 0) break;
    }
    spdlog::info("Warm-up scid={} trades={}", c.scid_path, n);
  }

  // --- restore and reconcile ---
  const auto& cal = *settings.calendar;
  const core::Timestamp t0 = c.clock == ClockSource::kFeed ? now() : wall_now();
  const auto today = static_cast<std::int32_t>(cal.trade_date(t0).time_since_epoch().count());
  std::map<std::string, std::string> server_to_client;
  {
    RestoredDay day;
    day.trade_date = today;
    const auto state = must(journal->load_day_state(today));
    const auto orders = must(journal->orders(today));
    std::map<std::string, journal::OrderRow> by_id;
    for (const auto& o : orders) {
      by_id[o.client_order_id] = o;
      if (o.server_order_id) server_to_client[*o.server_order_id] = o.client_order_id;
    }
    // The server's view.
    const auto pos_id = client.request_positions(account);
    const auto open_id = client.request_open_orders(account);
    const auto fill_id = client.request_fills(account, cal.session(date::sys_days(date::days(today))).open);
    client.wait_until([&] { return client.request_complete(pos_id) && client.request_complete(open_id) && client.request_complete(fill_id); }, wait);
    // Fills the server has and the journal lacks (the engine was down): recovered.
    for (const auto& f : client.fills(fill_id)) {
      auto it = server_to_client.find(f.server_order_id);
      std::optional<std::string> cid;
      if (it != server_to_client.end()) cid = it->second;
      for (const auto& o : client.working_orders(account, c.symbol))
        if (o.server_order_id == f.server_order_id) cid = o.client_order_id;
      if (!cid) {
        for (const auto& [id, row] : by_id)
          if (const auto s = client.order(id); s && s->server_order_id == f.server_order_id) cid = id;
      }
      if (!cid || !by_id.contains(*cid)) continue;  // not ours
      journal::FillRow row;
      row.exec_id = f.exec_id;
      row.client_order_id = cid;
      row.server_order_id = f.server_order_id;
      row.trade_date = today;
      row.side = f.side == dtc::BuySell::kBuy ? exec::OrderSide::kBuy : exec::OrderSide::kSell;
      row.quantity = static_cast<std::int32_t>(f.quantity);
      row.price = f.price.value_or(core::Ticks{});
      row.exchange_ns = core::to_unix_ns(f.time);
      row.received_wall_ns = wall_ns();
      row.source = journal::FillSource::kRecovered;
      if (must(journal->record_fill(row, fmt::format("Recovered fill {} of {} at {}", f.exec_id, *cid,
                                                     bundle.instrument.to_price(row.price)))))
        spdlog::warn("Recovered a fill the journal did not have exec_id={} order={}", f.exec_id, *cid);
      journal::OrderUpdate u;
      u.status = journal::OrderStatus::kFilled;
      u.server_order_id = f.server_order_id;
      u.filled_quantity = row.quantity;
      u.avg_fill_price = row.price;
      u.info = by_id[*cid].info;
      u.wall_ns = wall_ns();
      (void)journal->update_order(*cid, u);
      by_id[*cid].status = journal::OrderStatus::kFilled;
    }
    // Orders whose intent was journalled but whose fate is unknown.
    for (auto& [id, o] : by_id) {
      if (!journal::is_working(o.status)) continue;
      const auto s = client.order(id);
      if (!s || s->status == dtc::OrderStatus::kOrderSent) {
        journal::OrderUpdate u;
        u.status = o.status == journal::OrderStatus::kIntent ? journal::OrderStatus::kCanceled : journal::OrderStatus::kUnknown;
        u.info = "not at the server after a restart; not sent again";
        u.wall_ns = wall_ns();
        (void)journal->update_order(id, u);
        o.status = u.status;
      } else if (s->is_working()) {
        day.working.push_back({id, s->server_order_id, *engine_role(o.role)});
      }
    }
    // Working orders of the symbol the journal does not know.
    for (const auto& o : client.working_orders(account, c.symbol))
      if (!by_id.contains(o.client_order_id))
        spdlog::warn("Working order not in the journal client_id={} server_id={}", o.client_order_id, o.server_order_id);
    // The journal's fills (now including the recovered ones) rebuild the ledger.
    for (const auto& f : must(journal->fills(today))) {
      if (!f.client_order_id || !by_id.contains(*f.client_order_id)) continue;
      const auto& o = by_id[*f.client_order_id];
      RestoredDay::Fill x;
      x.role = *engine_role(o.role);
      x.position_side = (o.role == journal::OrderRole::kEntry) == (o.side == exec::OrderSide::kBuy) ? exec::Side::kLong : exec::Side::kShort;
      x.price = f.price;
      x.time = core::from_unix_ns(f.exchange_ns);
      x.reason = o.role == journal::OrderRole::kTarget ? exec::ExitReason::kTarget
                 : o.role == journal::OrderRole::kStop ? exec::ExitReason::kStop
                                                       : parse_reason(o.info);
      day.fills.push_back(x);
    }
    std::uint64_t max_n = 0;
    for (const auto& o : must(journal->orders_with_status({journal::OrderStatus::kIntent, journal::OrderStatus::kSent,
                                                           journal::OrderStatus::kOpen, journal::OrderStatus::kFilled,
                                                           journal::OrderStatus::kCanceled, journal::OrderStatus::kRejected,
                                                           journal::OrderStatus::kUnknown}))) {
      const auto dash = o.client_order_id.rfind('-');
      if (dash != std::string::npos) max_n = std::max<std::uint64_t>(max_n, std::strtoull(o.client_order_id.c_str() + dash + 1, nullptr, 10));
    }
    day.next_order_number = max_n + 1;
    if (state) {
      day.high_water_mark_cents = state->high_water_mark_cents;
      day.lockout = parse_lockout(state->lockout);
      day.killed = state->killed;
      day.halted = state->halted;
      day.halt_reason = state->halt_reason;
      day.orders_sent = state->orders_sent;
      day.trades = state->trades;
      if (state->last_bar_close_ns) day.last_decision_close = core::from_unix_ns(*state->last_bar_close_ns);
    }
    const bool restart = state.has_value() || !orders.empty();
    if (restart) engine.restore(day);
    // The position: the server's against the ledger's.
    const std::int64_t server_pos = client.position(account, c.symbol);
    engine.on_server_position(server_pos, t0);
    const std::int64_t ledger = engine.rules().position().quantity;
    event(journal::EventKind::kReconcile,
          fmt::format("Reconcile trade_date={} restart={} server_position={} journal_position={} working_orders={} "
                      "recovered_fills={}",
                      core::format_trade_date(today), restart, server_pos, ledger, day.working.size(),
                      client.fills(fill_id).size()));
    if (server_pos != ledger) {
      engine.halt(fmt::format("Reconciliation: the server reports position {} but the journal's fills give {}", server_pos, ledger), t0);
    } else if (ledger != 0) {
      // In a position after a restart: the bracket must be working, else it is placed again.
      bool target = false, stop = false;
      for (const auto& w : day.working) {
        target = target || w.role == OrderRole::kTarget;
        stop = stop || w.role == OrderRole::kStop;
      }
      if (!(target && stop)) engine.restore_bracket(t0);
    }
  }
  engine.go_live(t0);
  // A clock mark received during the warm-up closes its bar now, as a live decision.
  if (pending_ack && c.clock == ClockSource::kFeed) engine.on_time(*pending_ack);

  // --- live ---
  RunSummary summary;
  auto last_kill_check = SteadyClock::now();
  const auto started = SteadyClock::now();
  std::string stop_reason;
  std::size_t decisions_seen = 0;

  const auto save_state = [&] {
    journal::DayState s;
    s.trade_date = engine.trade_date();
    s.start_balance_cents = engine.rules().risk().start_cents();
    s.realized_cents = engine.rules().account().realized_cents();
    s.high_water_mark_cents = engine.rules().risk().high_water_mark_cents();
    s.lockout = std::string(exec::to_string(engine.rules().risk().lockout()));
    s.killed = engine.is_killed();
    s.halted = engine.is_halted();
    s.halt_reason = engine.halt_reason();
    s.orders_sent = static_cast<std::int32_t>(engine.orders_sent());
    s.trades = static_cast<std::int32_t>(engine.trades_today());
    s.updated_wall_ns = wall_ns();
    if (!engine.decisions().empty()) s.last_bar_close_ns = core::to_unix_ns(engine.decisions().back().bar_close);
    if (auto st = journal->save_day_state(s); !st) spdlog::error("{}", st.error().message);
  };

  const auto intent = [&](const std::string& id, OrderRole role, exec::OrderSide side, std::int64_t qty,
                          journal::OrderType type, std::optional<core::Ticks> price, std::optional<std::string> parent,
                          const std::string& info) {
    journal::OrderRow o;
    o.client_order_id = id;
    o.trade_date = engine.trade_date();
    o.role = journal_role(role);
    o.side = side;
    o.quantity = static_cast<std::int32_t>(qty);
    o.type = type;
    o.price = price;
    o.parent_client_order_id = std::move(parent);
    o.info = info;
    o.created_wall_ns = wall_ns();
    o.updated_wall_ns = o.created_wall_ns;
    auto r = journal->record_intent(o);
    if (!r) {
      // Never send an order whose intent is not on disk: the engine learns it was not sent.
      OrderEvent rejected;
      rejected.client_id = id;
      rejected.status = OrderEvent::Status::kRejected;
      rejected.text = "not sent: the journal could not record its intent";
      engine.on_order_event(rejected, now());
      engine.halt(fmt::format("Journal write failed, order {} not sent: {}", id, r.error().message), now());
      return false;
    }
    return true;
  };
  const auto not_sent = [&](std::initializer_list<const std::string*> ids) {
    for (const auto* id : ids) {
      OrderEvent rejected;
      rejected.client_id = *id;
      rejected.status = OrderEvent::Status::kRejected;
      rejected.text = "not sent";
      engine.on_order_event(rejected, now());
    }
  };

  std::size_t decisions_saved = 0;
  const auto flush = [&] {
    // The decision is committed before the orders it causes are sent: after a crash it is not
    // taken again.
    if (engine.decisions().size() != decisions_saved) {
      decisions_saved = engine.decisions().size();
      save_state();
    }
    for (int round = 0; round < 4 && engine.has_output(); ++round) {
      for (auto& cmd : engine.take_commands()) {
        if (const auto* b = std::get_if<SubmitBracket>(&cmd)) {
          const auto open = exec::opening_order(b->side);
          const auto close = exec::closing_order(b->side);
          if (!intent(b->entry_id, OrderRole::kEntry, open, b->quantity, journal::OrderType::kMarket, {}, {}, "action") ||
              !intent(b->target_id, OrderRole::kTarget, close, b->quantity, journal::OrderType::kLimit, {}, b->entry_id,
                      fmt::format("offset {} ticks", b->target_offset_ticks)) ||
              !intent(b->stop_id, OrderRole::kStop, close, b->quantity, journal::OrderType::kStop, {}, b->entry_id,
                      fmt::format("offset {} ticks", b->stop_offset_ticks))) {
            not_sent({&b->entry_id, &b->target_id, &b->stop_id});
            continue;
          }
          client.submit_bracket_offsets_as({b->entry_id, b->target_id, b->stop_id}, c.symbol, c.exchange, account,
                                           to_dtc(open), b->quantity, b->target_offset_ticks, b->stop_offset_ticks);
          for (const auto* id : {&b->entry_id, &b->target_id, &b->stop_id}) (void)journal->mark_sent(*id, wall_ns());
        } else if (const auto* o = std::get_if<SubmitOco>(&cmd)) {
          const auto close = exec::closing_order(o->position_side);
          if (!intent(o->target_id, OrderRole::kTarget, close, o->quantity, journal::OrderType::kLimit, o->target, {}, "restored") ||
              !intent(o->stop_id, OrderRole::kStop, close, o->quantity, journal::OrderType::kStop, o->stop, {}, "restored"))
            continue;
          client.submit_oco_as(o->target_id, o->stop_id, c.symbol, c.exchange, account, to_dtc(close), o->quantity,
                               o->target, o->stop);
          (void)journal->mark_sent(o->target_id, wall_ns());
          (void)journal->mark_sent(o->stop_id, wall_ns());
        } else if (const auto* m = std::get_if<SubmitMarket>(&cmd)) {
          if (!intent(m->id, OrderRole::kExit, m->side, m->quantity, journal::OrderType::kMarket, {}, {},
                      std::string(exec::to_string(m->reason))))
            continue;
          client.submit_market_as(m->id, c.symbol, c.exchange, account, to_dtc(m->side), m->quantity);
          (void)journal->mark_sent(m->id, wall_ns());
        } else if (const auto* x = std::get_if<CancelOrder>(&cmd)) {
          client.cancel_client_order(x->id);
          event(journal::EventKind::kOrderSent, fmt::format("Cancel {} why=\"{}\"", x->id, x->why));
        }
      }
      for (auto& r : engine.take_records()) {
        auto row = journal::EventRow::of(journal_kind(r.kind), wall_ns(), r.text,
                                         r.trade_date == 0 ? std::nullopt : std::optional(r.trade_date));
        row.exchange_ns = core::to_unix_ns(r.exchange_time);
        (void)journal->append_event(row);
        switch (r.kind) {
          case RecordKind::kFault:
          case RecordKind::kHalt:
          case RecordKind::kKill:
          case RecordKind::kPause:
            spdlog::warn("{}", r.text);
            summary.faults.push_back(r.text);
            break;
          case RecordKind::kBar:
            spdlog::debug("{}", r.text);
            break;
          case RecordKind::kDecision:
            break;
          default:
            spdlog::info("{}", r.text);
        }
      }
    }
    // One status line per decision.
    const auto& ds = engine.decisions();
    for (; decisions_seen < ds.size(); ++decisions_seen) {
      const auto& d = ds[decisions_seen];
      if (c.print_status)
        fmt::print("{}  close {:>9.2f}  action {:<11} pos {:+d}  open {:>10}  day {:>10}  lockout {}{}\n",
                   cal.format_local(d.bar_close), bundle.instrument.to_price(d.close),
                   exec::to_string(static_cast<exec::Action>(d.action)), d.position, dollars(d.open_pnl_cents),
                   dollars(d.day_pnl_cents), exec::to_string(d.lockout),
                   d.refused.empty() ? std::string() : fmt::format("  refused: {}", d.refused));
    }
  };

  flush();
  for (;;) {
    if (crash_requested_.load()) {
      summary.stop_reason = "crash (simulated)";
      client.stop("simulated crash");
      return summary;
    }
    queue.take(batch, std::chrono::milliseconds(20));
    for (auto& e : batch) {
      if (const auto* t = std::get_if<TradeEv>(&e)) {
        if (c.clock == ClockSource::kFeed && (!feed_now || t->trade.ts > *feed_now)) feed_now = t->trade.ts;
        engine.on_trade(t->trade);
      } else if (const auto* k = std::get_if<ClockEv>(&e)) {
        // A paced server's clock drives the feed clock when it is also the data source; with the
        // SCID source the file's own times do, and the mark is only acknowledged.
        if (c.clock == ClockSource::kFeed) {
          if (c.source == DataSource::kDtc) {
            if (!feed_now || k->t > *feed_now) feed_now = k->t;
            engine.on_time(k->t);
          }
          pending_ack = k->t;
        }
      } else if (const auto* o = std::get_if<OrderEv>(&e)) {
        const auto& u = o->u;
        OrderEvent ev;
        ev.client_id = std::string(u.client_order_id.view());
        ev.server_id = std::string(u.server_order_id.view());
        ev.status = to_event_status(u.order_status);
        ev.text = std::string(u.info_text.view());
        const bool fill_reason = u.order_update_reason == dtc::OrderUpdateReason::kOrderFilled ||
                                 u.order_update_reason == dtc::OrderUpdateReason::kOrderFilledPartially;
        if (ev.client_id.empty()) {
          if (auto it = server_to_client.find(ev.server_id); it != server_to_client.end()) ev.client_id = it->second;
        }
        if (!ev.server_id.empty() && !ev.client_id.empty()) server_to_client[ev.server_id] = ev.client_id;
        const bool ours = engine.is_own_order(ev.client_id);
        if (!ours && !fill_reason) continue;  // another client's order, or an old one
        journal::OrderUpdate ju;
        ju.status = to_journal_status(ev.status);
        if (!ev.server_id.empty()) ju.server_order_id = ev.server_id;
        ju.info = ev.text;
        ju.wall_ns = wall_ns();
        if (fill_reason && u.last_fill_quantity != dtc::kUnsetDouble && u.last_fill_quantity > 0) {
          core::Ticks px;
          if (!bundle.instrument.try_to_ticks(u.last_fill_price, px)) {
            engine.halt(fmt::format("Fill price {} of order {} is off the {} tick grid", u.last_fill_price, ev.client_id,
                                    bundle.instrument.tick_size),
                        now());
            continue;
          }
          journal::FillRow f;
          f.exec_id = std::string(u.last_fill_execution_id.view());
          if (f.exec_id.empty()) f.exec_id = fmt::format("{}:{}:{}", ev.server_id, u.last_fill_date_time, u.filled_quantity);
          f.client_order_id = ev.client_id;
          f.server_order_id = ev.server_id;
          f.trade_date = engine.trade_date();
          f.side = u.buy_sell == dtc::BuySell::kBuy ? exec::OrderSide::kBuy : exec::OrderSide::kSell;
          f.quantity = static_cast<std::int32_t>(std::llround(u.last_fill_quantity));
          f.price = px;
          const auto ft = market::from_dtc_integer_time(u.last_fill_date_time);
          f.exchange_ns = core::to_unix_ns(ft.value_or(now()));
          f.received_wall_ns = wall_ns();
          auto inserted = journal->record_fill(f);
          if (!inserted) {
            engine.halt(fmt::format("Journal write failed for fill {}: {}", f.exec_id, inserted.error().message), now());
            continue;
          }
          if (*inserted) {
            ev.fill_quantity = f.quantity;
            ev.fill_price = px;
            ev.fill_time = core::from_unix_ns(f.exchange_ns);
            ev.exec_id = f.exec_id;
            ju.filled_quantity = static_cast<std::int32_t>(std::llround(u.filled_quantity == dtc::kUnsetDouble ? 0 : u.filled_quantity));
            ju.avg_fill_price = px;
          }
        }
        if (ours) (void)journal->update_order(ev.client_id, ju);
        engine.on_order_event(ev, now());
      } else if (const auto* p = std::get_if<PositionEv>(&e)) {
        if (p->symbol == c.symbol && (p->account.empty() || p->account == account))
          engine.on_server_position(p->quantity, now());
      } else if (const auto* d = std::get_if<DisconnectEv>(&e)) {
        engine.on_disconnected(now());
        event(journal::EventKind::kDisconnect, fmt::format("Disconnected: {} reconnect={}", d->why, d->will_reconnect));
        if (!d->will_reconnect) {
          engine.halt(fmt::format("Disconnected for good: {}", d->why), now());
          stop_reason = "disconnected";
        }
      } else if (std::holds_alternative<LogonEv>(e)) {
        if (client.logons() <= 1) continue;  // the first logon, queued before the loop
        engine.on_reconnected(now());
        event(journal::EventKind::kConnect, "Logged on again: re-synchronising");
        client.request_positions(account);
        client.request_open_orders(account);
      } else if (const auto* rj = std::get_if<RejectEv>(&e)) {
        engine.halt(fmt::format("Market data refused: {}", rj->text), now());
      }
    }
    batch.clear();

    // The SCID source: new records are live trades.
    if (follower) {
      records.clear();
      if (auto got = follower->poll(records); !got) {
        engine.halt(fmt::format("SCID source: {}", got.error().message), now());
      }
      for (const auto& r : records) {
        market::Trade t;
        market::Quote q;
        if (scid_adapter.convert(r, t, q) == market::ScidEvent::kTrade && t.volume > 0) {
          if (c.clock == ClockSource::kFeed && (!feed_now || t.ts > *feed_now)) feed_now = t.ts;
          engine.on_trade(t);
        }
      }
    }
    if (c.clock == ClockSource::kSystem) engine.on_time(wall_now());

    // The kill switch: a file in the run folder (or an absolute path).
    if (SteadyClock::now() - last_kill_check > std::chrono::milliseconds(250)) {
      last_kill_check = SteadyClock::now();
      const std::filesystem::path kf = std::filesystem::path(c.kill_file).is_absolute() ? std::filesystem::path(c.kill_file)
                                                                                        : c.run_dir / c.kill_file;
      if (!c.kill_file.empty() && std::filesystem::exists(kf) && !engine.is_killed())
        engine.kill(fmt::format("kill file {} exists", kf.string()), now());
    }
    if (stop_requested_.load() && !engine.is_stopped()) engine.stop_trading("stop requested", c.flatten_on_exit, now());
    if (c.max_runtime.count() > 0 && SteadyClock::now() - started > c.max_runtime && !engine.is_stopped())
      engine.stop_trading("max_runtime reached", c.flatten_on_exit, now());

    flush();
    if (c.crash_when && c.crash_when(engine)) crash_requested_.store(true);
    if (crash_requested_.load()) continue;  // nothing more is sent
    if (pending_ack && engine.is_settled()) {
      client.send_clock(*pending_ack);
      pending_ack.reset();
    }
    const bool done = engine.is_done_for_day() || (engine.is_stopped() && (!c.flatten_on_exit || engine.is_flat()));
    if ((c.session_end_exit || engine.is_killed() || engine.is_stopped() || engine.is_halted()) && done) {
      if (stop_reason.empty())
        stop_reason = engine.is_killed()    ? "kill switch"
                      : engine.is_halted()  ? "halted: " + engine.halt_reason()
                      : engine.is_stopped() ? "stopped"
                                            : "end of the trading window";
      break;
    }
    if (stop_reason == "disconnected") break;
  }
  save_state();
  if (listener.unknown() + listener.bad() > 0) {
    const auto text = fmt::format("Skipped messages: unknown_types={} bad_market_data={}", listener.unknown(), listener.bad());
    spdlog::warn("{}", text);
    event(journal::EventKind::kFault, text);
    summary.faults.push_back(text);
  }
  event(journal::EventKind::kStop, fmt::format("Stop reason=\"{}\"", stop_reason));
  client.stop("session over");

  summary.trade_date = engine.trade_date();
  summary.trades = engine.all_trades();
  for (const auto& t : summary.trades) summary.net_cents += t.net_cents;
  summary.bars = engine.bars().size();
  summary.decisions = engine.decisions().size();
  summary.orders_sent = engine.orders_sent();
  summary.killed = engine.is_killed();
  summary.halted = engine.is_halted();
  summary.halt_reason = engine.halt_reason();
  summary.stop_reason = stop_reason;
  return summary;
}

}  // namespace daytrader::live
