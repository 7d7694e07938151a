#include "sim/sim_server.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "dtc/codec.h"

namespace daytrader::sim {

SimServer::SimServer(SimServerConfig config, std::span<const scid::Record> records)
    : config_(std::move(config)), records_(records) {}

void SimServer::release(std::size_t n) {
  released_ += n;
  if (server_ != nullptr) server_->post([] {});  // a poll on the io thread lets them through
}

void SimServer::on_logged_on(net::ConnectionId id, const dtc::LogonRequest& /*request*/,
                             core::Timestamp /*now*/) {
  connections_.try_emplace(id, config_.exchange);
}

void SimServer::on_closed(net::ConnectionId id, const dtc::CloseInfo& /*info*/) {
  connections_.erase(id);
}

void SimServer::on_ignored(net::ConnectionId /*id*/, const dtc::Message& /*message*/) {
  ++stats_.ignored_messages;
}

void SimServer::send(net::ConnectionId id, std::vector<std::uint8_t>& bytes) {
  if (bytes.empty()) return;
  if (auto* s = server_->session(id); s != nullptr) (void)s->send_encoded(bytes);
  bytes.clear();
}

void SimServer::on_message(net::ConnectionId id, const dtc::Message& message, core::Timestamp now) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  Connection& c = it->second;
  scratch_.clear();
  if (const auto* m1 = std::get_if<dtc::MarketDataRequest>(&message)) {
    subscribe(id, c, *m1, now);
  } else if (const auto* m2 = std::get_if<dtc::HistoricalPriceDataRequest>(&message)) {
    ++stats_.historical_requests;
    if (m2->symbol.view() != config_.exchange.symbol) {
      dtc::HistoricalPriceDataReject r;
      r.request_id = m2->request_id;
      r.reject_text = fmt::format("unknown symbol \"{}\"; this server has {}", m2->symbol.view(),
                                  config_.exchange.symbol);
      r.reject_reason_code = dtc::HistoricalPriceDataRejectReasonCode::kUnableToServeDataDoNotRetry;
      dtc::encode_into(r, scratch_);
    } else if (m2->end_date_time != 0 && m2->end_date_time < m2->start_date_time) {
      dtc::HistoricalPriceDataReject r;
      r.request_id = m2->request_id;
      r.reject_text =
          fmt::format("EndDateTime {} is before StartDateTime {}", m2->end_date_time, m2->start_date_time);
      r.reject_reason_code = dtc::HistoricalPriceDataRejectReasonCode::kGeneralRejectError;
      dtc::encode_into(r, scratch_);
    } else {
      c.jobs.emplace_back(records_, *m2);
    }
  } else {
    const core::Timestamp t = c.replay ? c.replay->data_now : core::Timestamp{};
    (void)c.exchange.on_message(message, t, scratch_);
  }
  send(id, scratch_);
}

void SimServer::subscribe(net::ConnectionId /*id*/, Connection& c, const dtc::MarketDataRequest& m,
                          core::Timestamp now) {
  if (m.request_action == dtc::RequestAction::kUnsubscribe) {
    if (c.replay && c.replay->symbol_id == m.symbol_id) c.replay.reset();
    return;
  }
  const auto reject = [&](std::string text) {
    dtc::MarketDataReject r;
    r.symbol_id = m.symbol_id;
    r.reject_text = text;
    dtc::encode_into(r, scratch_);
  };
  if (m.symbol.view() != config_.exchange.symbol)
    return reject(fmt::format("unknown symbol \"{}\"; this server replays {}", m.symbol.view(),
                              config_.exchange.symbol));
  if (m.symbol_id == 0) return reject("SymbolID 0 is not allowed");
  if (c.replay && c.replay->symbol_id != m.symbol_id)
    return reject(fmt::format("{} is already subscribed with SymbolID {}", config_.exchange.symbol,
                              c.replay->symbol_id));
  if (m.request_action != dtc::RequestAction::kSubscribe && m.request_action != dtc::RequestAction::kSnapshot)
    return reject(fmt::format("RequestAction {} is not supported", static_cast<int>(m.request_action)));

  dtc::MarketDataSnapshot snap;
  snap.symbol_id = m.symbol_id;
  if (c.replay) {
    snap.bid_price = c.replay->quote.bid != 0 ? c.replay->quote.bid : dtc::kUnsetDouble;
    snap.ask_price = c.replay->quote.ask != 0 ? c.replay->quote.ask : dtc::kUnsetDouble;
  }
  dtc::encode_into(snap, scratch_);
  if (m.request_action == dtc::RequestAction::kSnapshot || c.replay) return;

  Replay r;
  r.symbol_id = m.symbol_id;
  r.wall_start = now;
  for (const auto& rec : records_) {
    if (auto t = scid::decode_time(rec.date_time); t && rec.date_time != 0) {
      r.data_start = *t;
      break;
    }
  }
  r.data_now = r.data_start;
  r.released_seen = released_.load();
  c.replay = r;
  ++stats_.subscriptions;
}

core::Timestamp SimServer::on_poll(core::Timestamp now) {
  core::Timestamp wake = core::Timestamp::max();
  for (auto& [id, c] : connections_) wake = std::min(wake, pump(id, c, now));
  return wake;
}

core::Timestamp SimServer::pump(net::ConnectionId id, Connection& c, core::Timestamp now) {
  core::Timestamp wake = core::Timestamp::max();
  if (server_->pending_bytes(id) >= config_.high_water_bytes) return wake;  // polled again after the write
  scratch_.clear();

  if (c.replay && c.replay->next < records_.size()) {
    Replay& r = *c.replay;
    const auto& speed = config_.speed;
    // How far data time may run now.
    core::Timestamp limit = core::Timestamp::max();
    std::uint64_t allowed = config_.batch_records;
    if (speed.kind == ReplaySpeed::Kind::kScaled) {
      const double elapsed_ns = static_cast<double>((now - r.wall_start).count()) * speed.factor;
      limit = r.data_start + core::Nanoseconds(static_cast<std::int64_t>(std::min(elapsed_ns, 9.0e18)));
    } else if (speed.kind == ReplaySpeed::Kind::kStep) {
      const std::uint64_t released = released_.load();
      allowed = std::min<std::uint64_t>(allowed, released - r.released_seen);
    }
    std::uint64_t used = 0;
    std::uint64_t trades = 0;
    while (r.next < records_.size() && used < allowed && scratch_.size() < config_.high_water_bytes) {
      const scid::Record& rec = records_[r.next];
      const auto e = read_record(rec, config_.exchange.instrument);
      if (e && e->time > limit) break;
      ++r.next;
      ++used;
      if (!e) continue;
      r.data_now = e->time;
      trades += encode_market_data(rec, *e, r.symbol_id, r.quote, scratch_);
      if (e->has_quote) c.exchange.on_quote(e->bid, e->ask, e->time, scratch_);
      if (e->has_trade) c.exchange.on_trade(e->price, e->time, scratch_);
    }
    if (speed.kind == ReplaySpeed::Kind::kStep) r.released_seen += used;
    stats_.trades_sent += trades;
    if (r.next < records_.size()) {
      if (used >= allowed && speed.kind != ReplaySpeed::Kind::kStep) {
        wake = now;  // batch budget spent: continue at once
      } else if (speed.kind == ReplaySpeed::Kind::kScaled) {
        const auto next_time = scid::decode_time(records_[r.next].date_time).value_or(r.data_now);
        const double wait_ns = static_cast<double>((next_time - r.data_start).count()) / speed.factor;
        wake = r.wall_start + core::Nanoseconds(static_cast<std::int64_t>(std::min(wait_ns, 9.0e18)));
      } else if (speed.kind == ReplaySpeed::Kind::kStep && released_.load() > r.released_seen) {
        wake = now;
      }
    }
  }
  if (!c.jobs.empty()) {
    const std::size_t room =
        config_.high_water_bytes > scratch_.size() ? config_.high_water_bytes - scratch_.size() : 0;
    if (room > 0) {
      if (c.jobs.front().next_batch(scratch_, std::min<std::size_t>(room, 256 * 1024))) c.jobs.pop_front();
      if (!c.jobs.empty()) wake = now;
    }
  }
  send(id, scratch_);
  return wake;
}

}  // namespace daytrader::sim
