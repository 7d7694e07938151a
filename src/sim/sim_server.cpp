#include "sim/sim_server.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "dtc/codec.h"

namespace daytrader::sim {

namespace {

constexpr std::int64_t kNsPerSecond = 1'000'000'000;
constexpr core::Timestamp kNever = core::Timestamp::max();

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if (a % b != 0 && ((a < 0) != (b < 0))) --q;
  return q;
}

// The replies that go to the requester only; everything else an account produces goes to all
// of the account's connections.
bool is_request(const dtc::Message& m) {
  return std::holds_alternative<dtc::TradeAccountsRequest>(m) ||
         std::holds_alternative<dtc::OpenOrdersRequest>(m) ||
         std::holds_alternative<dtc::CurrentPositionsRequest>(m) ||
         std::holds_alternative<dtc::AccountBalanceRequest>(m) ||
         std::holds_alternative<dtc::HistoricalOrderFillsRequest>(m) ||
         std::holds_alternative<dtc::SecurityDefinitionForSymbolRequest>(m);
}

class NetTransport final : public Transport {
 public:
  explicit NetTransport(net::Server& server) : server_(server) {}
  void send(net::ConnectionId id, std::span<const std::uint8_t> frames) override {
    if (auto* s = server_.session(id); s != nullptr) (void)s->send_encoded(frames);
  }
  [[nodiscard]] std::size_t pending_bytes(net::ConnectionId id) const override {
    return server_.pending_bytes(id);
  }
  [[nodiscard]] dtc::Encoding encoding(net::ConnectionId id) const override {
    const auto* s = server_.session(id);
    return s != nullptr ? s->encoding() : dtc::Encoding::kBinary;
  }
  void wake() override {
    server_.post([] {});  // a poll on the io thread follows every posted job
  }

 private:
  net::Server& server_;
};

}  // namespace

core::Result<MarketMode> parse_market_mode(std::string_view text) {
  if (text == "per-connection") return MarketMode::kPerConnection;
  if (text == "shared") return MarketMode::kShared;
  return core::Error{fmt::format("--market \"{}\" is not per-connection or shared", text)};
}

core::Result<PaceMode> parse_pace_mode(std::string_view text) {
  if (text == "none") return PaceMode::kNone;
  if (text == "client") return PaceMode::kClient;
  return core::Error{fmt::format("--pace \"{}\" is not none or client", text)};
}

std::string_view to_string(MarketMode m) noexcept {
  return m == MarketMode::kShared ? "shared" : "per-connection";
}

std::string_view to_string(PaceMode m) noexcept {
  return m == PaceMode::kClient ? "client" : "none";
}

core::Status validate(const SimServerConfig& c) {
  if (c.pace_seconds < 1 || c.pace_seconds > 86'400)
    return core::Error{
        fmt::format("--pace-seconds {} is not a whole number of seconds in 1..86400", c.pace_seconds)};
  if (c.exchange.slippage_ticks < 0 || c.exchange.slippage_ticks > 1000)
    return core::Error{fmt::format("--slippage-ticks {} is not a whole number of ticks in 0..1000",
                                   c.exchange.slippage_ticks)};
  if (c.pace == PaceMode::kClient && c.speed.kind != ReplaySpeed::Kind::kMax &&
      c.speed.kind != ReplaySpeed::Kind::kStep)
    return core::Error{fmt::format(
        "--pace client needs --speed max (the replay waits for its client; a clock-driven speed cannot), "
        "was --speed {}",
        c.speed.to_string())};
  if (c.batch_records == 0) return core::Error{"SimServerConfig::batch_records is 0: nothing would be sent"};
  return {};
}

SimServer::SimServer(SimServerConfig config, std::span<const scid::Record> records)
    : config_(std::move(config)), records_(records) {
  if (auto s = validate(config_); !s) throw core::DaytraderError(s.error().message);
  if (config_.start_at != core::Timestamp{}) {
    std::optional<core::Timestamp> last;
    start_index_ = records_.size();
    for (std::size_t i = 0; i < records_.size(); ++i) {
      const auto t = scid::decode_time(records_[i].date_time);
      if (!t || records_[i].date_time == 0) continue;
      last = std::max(last.value_or(*t), *t);
      if (*t >= config_.start_at && start_index_ == records_.size()) start_index_ = i;
    }
    if (!last || config_.start_at > *last)
      throw core::DaytraderError(fmt::format("--start-at {} is after the last record of the data ({})",
                                             core::format_utc(config_.start_at),
                                             last ? core::format_utc(*last) : std::string("no records")));
    seed_market(shared_);
  }
}

SimServer::~SimServer() = default;

void SimServer::attach(net::Server& server) {
  owned_transport_ = std::make_unique<NetTransport>(server);
  transport_ = owned_transport_.get();
}

void SimServer::release(std::size_t n) {
  released_ += n;
  if (transport_ != nullptr) transport_->wake();
}

bool SimServer::boundaries() const noexcept {
  return config_.pace == PaceMode::kClient || config_.exchange.fills == FillMode::kBar;
}

void SimServer::on_logged_on(net::ConnectionId id, const dtc::LogonRequest& request,
                             core::Timestamp /*now*/) {
  auto [it, fresh] = connections_.try_emplace(id);
  if (!fresh) return;
  Connection& c = it->second;
  c.id = id;
  c.historical_only = request.heartbeat_interval_in_seconds <= 0;
  if (config_.market == MarketMode::kPerConnection) {
    c.account = config_.exchange.trade_account;
    c.own = std::make_unique<Market>();
    c.own->accounts.try_emplace(c.account, config_.exchange);
    // Never subscribed: the whole file (the downloader), or what precedes --start-at.
    c.history_limit = config_.start_at != core::Timestamp{} ? start_index_ : records_.size();
    return;
  }
  c.account = request.trade_account.empty() ? config_.exchange.trade_account : request.trade_account.str();
  if (!shared_.accounts.contains(c.account)) {
    ExchangeConfig ec = config_.exchange;
    ec.trade_account = c.account;
    Exchange& x = shared_.accounts.try_emplace(c.account, std::move(ec)).first->second;
    x.set_market(shared_.bid, shared_.ask, shared_.last,
                 shared_.replay ? shared_.replay->data_now : core::Timestamp{});
  }
}

void SimServer::on_closed(net::ConnectionId id, const dtc::CloseInfo& /*info*/) {
  connections_.erase(id);  // a shared account stays; its orders keep working
}

void SimServer::on_ignored(net::ConnectionId /*id*/, const dtc::Message& /*message*/) {
  ++stats_.ignored_messages;
}

void SimServer::flush_all() {
  for (auto& [id, c] : connections_) {
    if (c.out.empty()) continue;
    transport_->send(id, c.out);
    c.out.clear();
  }
}

void SimServer::on_message(net::ConnectionId id, const dtc::Message& message, core::Timestamp now) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  Connection& c = it->second;
  if (c.compressed) {  // everything after a zlib header is zlib data: no other replies
    ++stats_.ignored_messages;
    return;
  }
  Market& m = market_of(c);
  if (const auto* m1 = std::get_if<dtc::MarketDataRequest>(&message)) {
    subscribe(c, *m1, now);
  } else if (const auto* m2 = std::get_if<dtc::HistoricalPriceDataRequest>(&message)) {
    historical(c, *m2);
  } else {
    Exchange& x = m.accounts.at(c.account);
    const core::Timestamp t = m.replay ? m.replay->data_now : core::Timestamp{};
    account_out_.clear();
    (void)x.on_message(message, t, account_out_);
    if (!account_out_.empty()) {
      if (c.own || is_request(message)) {
        c.out.insert(c.out.end(), account_out_.begin(), account_out_.end());
      } else {
        for (auto& [other_id, other] : connections_)
          if (other.account == c.account)
            other.out.insert(other.out.end(), account_out_.begin(), account_out_.end());
      }
    }
  }
  flush_all();
}

void SimServer::on_heartbeat(net::ConnectionId id, const dtc::Heartbeat& heartbeat, core::Timestamp /*now*/) {
  if (config_.pace != PaceMode::kClient) return;
  auto it = connections_.find(id);
  if (it == connections_.end() || !it->second.stream) return;
  Connection& c = it->second;
  const Market& m = market_of(c);
  if (!m.replay || !m.replay->hold_s) return;
  // An ack names a time in [B, B + P): earlier ones are stale, later ones are a client
  // session's own wall-clock heartbeats.
  const std::int64_t boundary = *m.replay->hold_s;
  const std::int64_t t = heartbeat.current_date_time;
  if (t >= boundary && t - boundary < config_.pace_seconds)
    c.stream->acked_s = std::max(c.stream->acked_s, t);
}

void SimServer::historical(Connection& c, const dtc::HistoricalPriceDataRequest& m) {
  ++stats_.historical_requests;
  if (m.symbol.view() != config_.exchange.symbol) {
    dtc::HistoricalPriceDataReject r;
    r.request_id = m.request_id;
    r.reject_text =
        fmt::format("unknown symbol \"{}\"; this server has {}", m.symbol.view(), config_.exchange.symbol);
    r.reject_reason_code = dtc::HistoricalPriceDataRejectReasonCode::kUnableToServeDataDoNotRetry;
    dtc::encode_into(r, c.out);
    return;
  }
  if (m.end_date_time != 0 && m.end_date_time < m.start_date_time) {
    dtc::HistoricalPriceDataReject r;
    r.request_id = m.request_id;
    r.reject_text =
        fmt::format("EndDateTime {} is before StartDateTime {}", m.end_date_time, m.start_date_time);
    r.reject_reason_code = dtc::HistoricalPriceDataRejectReasonCode::kGeneralRejectError;
    dtc::encode_into(r, c.out);
    return;
  }
  // Never beyond the replay's clock: the records already sent.
  std::size_t limit = 0;
  if (c.own)
    limit = c.own->replay ? c.own->replay->next : c.history_limit;
  else
    limit = shared_.replay ? shared_.replay->next : start_index_;
  // zlib data cannot be re-encoded as JSON: a JSON session gets the records uncompressed.
  const bool zlib = config_.zlib_history && c.historical_only && !c.stream && c.jobs.empty() &&
                    !dtc::is_json(transport_->encoding(c.id));
  HistoricalJob job(records_.first(std::min(limit, records_.size())), m, zlib, config_.tick_records);
  if (job.write_header(c.out)) return;
  c.compressed = job.is_compressed();
  c.jobs.push_back(std::move(job));
}

void SimServer::start_replay(Market& m, core::Timestamp now) {
  Replay& r = m.replay.emplace();
  r.wall_start = now;
  r.released_seen = released_.load();
  const bool late = config_.start_at != core::Timestamp{};
  r.next = start_index_;
  for (std::size_t i = r.next; i < records_.size(); ++i) {
    if (auto t = scid::decode_time(records_[i].date_time); t && records_[i].date_time != 0) {
      r.data_start = *t;
      break;
    }
  }
  r.data_now = late ? config_.start_at : r.data_start;
  if (!late || r.next == 0) return;
  // The records before the start count as sent: the bar they are in, and the market they show.
  if (boundaries())
    if (auto t = scid::decode_time(records_[r.next - 1].date_time))
      r.last_bucket = floor_div(core::to_unix_ns(*t), config_.pace_seconds * kNsPerSecond);
  if (&m != &shared_) seed_market(m);  // the shared market was seeded at construction
}

void SimServer::seed_market(Market& m) {
  m.bid.reset();
  m.ask.reset();
  m.last.reset();
  for (std::size_t i = start_index_; i-- > 0 && (!m.last || !m.bid);) {
    const auto e = read_record(records_[i], config_.exchange.instrument);
    if (!e) continue;
    if (e->has_quote && !m.bid) {
      m.bid = e->bid;
      m.ask = e->ask;
    }
    if (e->has_trade && !m.last) m.last = e->price;
    if (start_index_ - i > 100'000) break;  // a file without quotes: stop looking
  }
  for (auto& [name, x] : m.accounts) x.set_market(m.bid, m.ask, m.last, config_.start_at);
}

void SimServer::subscribe(Connection& c, const dtc::MarketDataRequest& m, core::Timestamp now) {
  if (m.request_action == dtc::RequestAction::kUnsubscribe) {
    if (c.stream && c.stream->symbol_id == m.symbol_id) {
      if (c.own) {
        if (c.own->replay) c.history_limit = c.own->replay->next;
        c.own->replay.reset();
      }
      c.stream.reset();
    }
    return;
  }
  const auto reject = [&](std::string text) {
    dtc::MarketDataReject r;
    r.symbol_id = m.symbol_id;
    r.reject_text = text;
    dtc::encode_into(r, c.out);
  };
  if (m.symbol.view() != config_.exchange.symbol)
    return reject(fmt::format("unknown symbol \"{}\"; this server replays {}", m.symbol.view(),
                              config_.exchange.symbol));
  if (m.symbol_id == 0) return reject("SymbolID 0 is not allowed");
  if (c.stream && c.stream->symbol_id != m.symbol_id)
    return reject(fmt::format("{} is already subscribed with SymbolID {}", config_.exchange.symbol,
                              c.stream->symbol_id));
  if (m.request_action != dtc::RequestAction::kSubscribe && m.request_action != dtc::RequestAction::kSnapshot)
    return reject(fmt::format("RequestAction {} is not supported", static_cast<int>(m.request_action)));

  dtc::MarketDataSnapshot snap;
  snap.symbol_id = m.symbol_id;
  if (!c.own) {
    if (shared_.bid) snap.bid_price = config_.exchange.instrument.to_price(*shared_.bid);
    if (shared_.ask) snap.ask_price = config_.exchange.instrument.to_price(*shared_.ask);
  } else if (c.stream) {
    snap.bid_price = c.stream->quote.bid != 0 ? c.stream->quote.bid : dtc::kUnsetDouble;
    snap.ask_price = c.stream->quote.ask != 0 ? c.stream->quote.ask : dtc::kUnsetDouble;
  }
  dtc::encode_into(snap, c.out);
  if (m.request_action == dtc::RequestAction::kSnapshot || c.stream) return;

  c.stream = Stream{};
  c.stream->symbol_id = m.symbol_id;
  if (c.own) {
    start_replay(*c.own, now);
  } else if (!shared_.replay) {
    start_replay(shared_, now);  // the shared clock starts at the first subscription
  } else if (shared_.replay->hold_s) {
    dtc::Heartbeat hb;  // the pending pacing heartbeat, for a (re)joining client to ack
    hb.current_date_time = *shared_.replay->hold_s;
    dtc::encode_into(hb, c.out);
  }
  ++stats_.subscriptions;
}

std::vector<SimServer::Route> SimServer::routes_of(Market& m, const std::vector<Connection*>& members) {
  std::vector<Route> routes;
  routes.reserve(m.accounts.size());
  for (auto& [name, x] : m.accounts) {
    Route r;
    r.exchange = &x;
    for (Connection* c : members)
      if (c->account == name) r.connections.push_back(c);
    routes.push_back(std::move(r));
  }
  return routes;
}

void SimServer::publish(const std::vector<Route>& routes, std::size_t k) {
  if (account_out_.empty()) return;
  for (Connection* c : routes[k].connections)
    c->out.insert(c->out.end(), account_out_.begin(), account_out_.end());
}

void SimServer::close_bar(Replay& r, std::int64_t boundary_s, const std::vector<Connection*>& subs,
                          const std::vector<Route>& routes) {
  const core::Timestamp t = core::from_unix_ns(boundary_s * kNsPerSecond);
  for (std::size_t k = 0; k < routes.size(); ++k) {
    account_out_.clear();
    routes[k].exchange->on_bar_close(t, account_out_);
    publish(routes, k);
  }
  if (config_.pace == PaceMode::kClient) {
    dtc::Heartbeat hb;
    hb.current_date_time = boundary_s;
    for (Connection* c : subs) dtc::encode_into(hb, c->out);
  }
  r.data_now = std::max(r.data_now, t);
  ++stats_.bar_closes;
}

core::Timestamp SimServer::on_poll(core::Timestamp now) {
  core::Timestamp wake = kNever;
  if (config_.market == MarketMode::kShared) {
    std::vector<Connection*> members;
    members.reserve(connections_.size());
    for (auto& [id, c] : connections_) members.push_back(&c);
    wake = pump(shared_, members, now);
  } else {
    for (auto& [id, c] : connections_) wake = std::min(wake, pump(*c.own, {&c}, now));
  }
  for (auto& [id, c] : connections_) {
    if (c.jobs.empty() || transport_->pending_bytes(id) >= config_.high_water_bytes) continue;
    const std::size_t room =
        config_.high_water_bytes > c.out.size() ? config_.high_water_bytes - c.out.size() : 0;
    if (room == 0) continue;
    if (c.jobs.front().next_batch(c.out, std::min<std::size_t>(room, 256 * 1024))) c.jobs.pop_front();
    if (!c.jobs.empty()) wake = now;
  }
  flush_all();
  return wake;
}

core::Timestamp SimServer::pump(Market& m, const std::vector<Connection*>& members, core::Timestamp now) {
  if (!m.replay) return kNever;
  Replay& r = *m.replay;
  std::vector<Connection*> subs;
  for (Connection* c : members)
    if (c->stream) subs.push_back(c);
  for (const Connection* c : subs)
    if (transport_->pending_bytes(c->id) >= config_.high_water_bytes)
      return kNever;  // polled after the write
  const bool shared = &m == &shared_;
  const auto publish_clock = [&] {
    if (!shared) return;
    stats_.clock_unix_s = core::to_unix_ns(r.data_now) / kNsPerSecond;
    stats_.held_at_unix_s = r.hold_s.value_or(0);
  };

  if (r.hold_s) {
    const bool acked = !subs.empty() && std::all_of(subs.begin(), subs.end(), [&](const Connection* c) {
      return c->stream->acked_s >= *r.hold_s;
    });
    if (!acked) return kNever;  // an ack, a subscriber leaving or a new one wakes us
    r.hold_s.reset();
  }
  if (r.next >= records_.size()) return kNever;

  const auto routes = routes_of(m, members);
  const auto& speed = config_.speed;
  const bool cut = boundaries();
  const std::int64_t period_ns = config_.pace_seconds * kNsPerSecond;
  // How far data time may run now.
  core::Timestamp limit = core::Timestamp::max();
  std::uint64_t allowed = config_.batch_records;
  if (speed.kind == ReplaySpeed::Kind::kScaled) {
    const double elapsed_ns = static_cast<double>((now - r.wall_start).count()) * speed.factor;
    limit = r.data_start + core::Nanoseconds(static_cast<std::int64_t>(std::min(elapsed_ns, 9.0e18)));
  } else if (speed.kind == ReplaySpeed::Kind::kStep) {
    allowed = std::min<std::uint64_t>(allowed, released_.load() - r.released_seen);
  }
  std::uint64_t used = 0;
  std::uint64_t trades = 0;
  std::size_t produced = 0;
  while (r.next < records_.size() && used < allowed && produced < config_.high_water_bytes) {
    const scid::Record& rec = records_[r.next];
    const auto e = read_record(rec, config_.exchange.instrument);
    if (e && e->time > limit) break;
    std::int64_t bucket = 0;
    if (e && cut) {
      bucket = floor_div(core::to_unix_ns(e->time), period_ns);
      if (r.last_bucket && bucket > *r.last_bucket && r.closed_bucket != bucket) {
        r.closed_bucket = bucket;
        close_bar(r, bucket * config_.pace_seconds, subs, routes);
        if (config_.pace == PaceMode::kClient) {
          r.hold_s = bucket * config_.pace_seconds;
          ++stats_.pacing_holds;
          break;
        }
      }
    }
    ++r.next;
    ++used;
    if (!e) continue;
    if (cut) r.last_bucket = bucket;
    r.data_now = e->time;
    for (Connection* c : subs) {
      trades += encode_market_data(rec, *e, c->stream->symbol_id, c->stream->quote, c->out, config_.market_data);
      produced = std::max(produced, c->out.size());
    }
    if (e->has_quote) {
      m.bid = e->bid;
      m.ask = e->ask;
    }
    if (e->has_trade) m.last = e->price;
    for (std::size_t k = 0; k < routes.size(); ++k) {
      account_out_.clear();
      if (e->has_quote) routes[k].exchange->on_quote(e->bid, e->ask, e->time, account_out_);
      if (e->has_trade) routes[k].exchange->on_trade(e->price, e->time, account_out_);
      publish(routes, k);
    }
  }
  if (speed.kind == ReplaySpeed::Kind::kStep) r.released_seen += used;
  stats_.trades_sent += trades;

  core::Timestamp wake = kNever;
  if (r.hold_s) {
    // Wait for the acks.
  } else if (r.next >= records_.size()) {
    if (cut && !r.end_closed && r.last_bucket) {
      r.end_closed = true;  // the last bar closes too; nothing follows, so nothing to wait for
      close_bar(r, (*r.last_bucket + 1) * config_.pace_seconds, subs, routes);
    }
  } else if (used >= allowed && speed.kind != ReplaySpeed::Kind::kStep) {
    wake = now;  // batch budget spent: continue at once
  } else if (speed.kind == ReplaySpeed::Kind::kScaled) {
    const auto next_time = scid::decode_time(records_[r.next].date_time).value_or(r.data_now);
    const double wait_ns = static_cast<double>((next_time - r.data_start).count()) / speed.factor;
    wake = r.wall_start + core::Nanoseconds(static_cast<std::int64_t>(std::min(wait_ns, 9.0e18)));
  } else if (speed.kind == ReplaySpeed::Kind::kStep && released_.load() > r.released_seen) {
    wake = now;
  } else if (speed.kind == ReplaySpeed::Kind::kMax && produced >= config_.high_water_bytes) {
    wake = now;  // this poll's output is full: the next poll checks the backlog first
  }
  publish_clock();
  return wake;
}

}  // namespace daytrader::sim
