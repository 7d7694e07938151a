#include "sim/replay.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "dtc/codec.h"
#include "market/from_scid.h"

namespace daytrader::sim {

core::Result<ReplaySpeed> ReplaySpeed::parse(const std::string& text) {
  if (text == "realtime") return ReplaySpeed{Kind::kScaled, 1.0};
  if (text == "max") return ReplaySpeed{Kind::kMax, 0};
  if (text == "step") return ReplaySpeed{Kind::kStep, 0};
  if (text.size() >= 2 && text.back() == 'x') {
    double f = 0;
    const auto* end = text.data() + text.size() - 1;
    const auto [p, ec] = std::from_chars(text.data(), end, f);
    if (ec == std::errc() && p == end && f > 0 && f <= 1e6) return ReplaySpeed{Kind::kScaled, f};
  }
  return core::Error{fmt::format("--speed \"{}\" is not realtime, max or a multiple like 10x", text)};
}

std::string ReplaySpeed::to_string() const {
  switch (kind) {
    case Kind::kMax:
      return "max";
    case Kind::kStep:
      return "step";
    case Kind::kScaled:
      break;
  }
  return factor == 1.0 ? std::string("realtime") : fmt::format("{}x", factor);
}

std::optional<RecordEvent> read_record(const scid::Record& r, const core::Instrument& instrument) {
  const market::ScidAdapter adapter(instrument);
  market::Trade trade;
  market::Quote quote;
  RecordEvent e;
  switch (adapter.convert(r, trade, quote)) {
    case market::ScidEvent::kTrade:
      e.has_trade = true;
      e.price = trade.price;
      e.time = trade.ts;
      if (quote.bid.count() != 0 && quote.ask.count() != 0) {
        e.has_quote = true;
        e.bid = quote.bid;
        e.ask = quote.ask;
      }
      return e;
    case market::ScidEvent::kQuote:
      e.has_quote = true;
      e.bid = quote.bid;
      e.ask = quote.ask;
      e.time = quote.ts;
      return e;
    default:
      return std::nullopt;
  }
}

std::size_t encode_market_data(const scid::Record& r, const RecordEvent& e, std::uint32_t symbol_id,
                               StreamQuote& last, std::vector<std::uint8_t>& out) {
  const std::int64_t us = core::to_unix_ns(e.time) / 1000;
  if (e.has_quote && (r.low != last.bid || r.high != last.ask)) {
    dtc::MarketDataUpdateBidAsk q;
    q.symbol_id = symbol_id;
    q.bid_price = r.low;
    q.ask_price = r.high;
    q.date_time = static_cast<std::uint32_t>(us / 1'000'000);
    dtc::encode_into(q, out);
    last.bid = r.low;
    last.ask = r.high;
  }
  if (!e.has_trade) return 0;
  dtc::MarketDataUpdateTrade t;
  t.symbol_id = symbol_id;
  t.at_bid_or_ask = r.ask_volume > 0 && r.bid_volume == 0   ? dtc::AtBidOrAsk::kAtAsk
                    : r.bid_volume > 0 && r.ask_volume == 0 ? dtc::AtBidOrAsk::kAtBid
                                                            : dtc::AtBidOrAsk::kUnset;
  t.price = r.close;
  t.volume = r.total_volume;
  t.date_time = static_cast<double>(us) / 1e6;
  dtc::encode_into(t, out);
  return 1;
}

// --- historical ------------------------------------------------------------------------------

namespace {

std::int64_t unix_us_of(const scid::Record& r) {
  return r.date_time - scid::kEpochOffsetUs;
}

}  // namespace

HistoricalJob::HistoricalJob(std::span<const scid::Record> records,
                             const dtc::HistoricalPriceDataRequest& request)
    : records_(records),
      request_id_(request.request_id),
      interval_s_(static_cast<std::int32_t>(request.record_interval)) {
  const auto raw_at = [](std::int64_t unix_s) { return unix_s * 1'000'000 + scid::kEpochOffsetUs; };
  const auto by_time = [](const scid::Record& r, std::int64_t raw) { return r.date_time < raw; };
  next_ = request.start_date_time > 0
              ? static_cast<std::size_t>(std::lower_bound(records.begin(), records.end(),
                                                          raw_at(request.start_date_time), by_time) -
                                         records.begin())
              : 0;
  end_ = request.end_date_time > 0
             ? static_cast<std::size_t>(std::lower_bound(records.begin(), records.end(),
                                                         raw_at(request.end_date_time + 1), by_time) -
                                        records.begin())
             : records.size();
  end_ = std::max(end_, next_);
}

bool HistoricalJob::produce(dtc::HistoricalPriceDataRecordResponse& out) {
  if (interval_s_ <= 0) {
    while (next_ < end_) {
      const scid::Record& r = records_[next_++];
      if (scid::classify(r) == scid::RecordKind::kEmpty || r.date_time <= scid::kEpochOffsetUs) continue;
      out = dtc::HistoricalPriceDataRecordResponse{};
      out.request_id = request_id_;
      out.start_date_time = unix_us_of(r);
      out.open_price = r.open;
      out.high_price = r.high;
      out.low_price = r.low;
      out.last_price = r.close;
      out.volume = r.total_volume;
      out.num_trades = r.num_trades;
      out.bid_volume = r.bid_volume;
      out.ask_volume = r.ask_volume;
      return true;
    }
    return false;
  }
  // Bars: trades (and bar records) of [start, start + interval).
  const std::int64_t interval_us = static_cast<std::int64_t>(interval_s_) * 1'000'000;
  bool any = false;
  std::int64_t bar_start = 0;
  while (next_ < end_) {
    const scid::Record& r = records_[next_];
    const scid::RecordKind kind = scid::classify(r);
    if (kind != scid::RecordKind::kTrade && kind != scid::RecordKind::kBar) {
      ++next_;
      continue;
    }
    const std::int64_t us = unix_us_of(r);
    const std::int64_t start = us - ((us % interval_us) + interval_us) % interval_us;
    if (any && start != bar_start) break;
    const bool is_bar = kind == scid::RecordKind::kBar;
    const double open = is_bar ? r.open : r.close;
    const double high = is_bar ? r.high : r.close;
    const double low = is_bar ? r.low : r.close;
    if (!any) {
      any = true;
      bar_start = start;
      out = dtc::HistoricalPriceDataRecordResponse{};
      out.request_id = request_id_;
      out.start_date_time = start;
      out.open_price = open;
      out.high_price = high;
      out.low_price = low;
    }
    out.high_price = std::max(out.high_price, high);
    out.low_price = std::min(out.low_price, low);
    out.last_price = r.close;
    out.volume += r.total_volume;
    out.num_trades += r.num_trades;
    out.bid_volume += r.bid_volume;
    out.ask_volume += r.ask_volume;
    ++next_;
  }
  return any;
}

bool HistoricalJob::write_header(std::vector<std::uint8_t>& out) {
  if (done_ || header_sent_) return done_;
  header_sent_ = true;
  dtc::HistoricalPriceDataRecordResponse first;
  const bool has = produce(first);
  dtc::HistoricalPriceDataResponseHeader h;
  h.request_id = request_id_;
  h.record_interval = static_cast<dtc::HistoricalDataInterval>(interval_s_);
  h.no_records_to_return = has ? 0 : 1;
  dtc::encode_into(h, out);
  if (!has) {
    done_ = true;
    return true;
  }
  pending_ = first;
  return false;
}

bool HistoricalJob::next_batch(std::vector<std::uint8_t>& out, std::size_t max_bytes) {
  if (done_) return true;
  const std::size_t start = out.size();
  if (!header_sent_ && write_header(out)) return true;
  dtc::HistoricalPriceDataRecordResponse record;
  while (out.size() - start < max_bytes) {
    if (!produce(record)) {
      pending_->is_final_record = 1;
      dtc::encode_into(*pending_, out);
      done_ = true;
      return true;
    }
    dtc::encode_into(*pending_, out);
    pending_ = record;
  }
  return false;
}

}  // namespace daytrader::sim
