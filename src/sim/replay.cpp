#include "sim/replay.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include <zlib.h>

#include "core/assert.h"
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

core::Result<MarketDataFormat> parse_market_data_format(std::string_view text) {
  if (text == "standard") return MarketDataFormat::kStandard;
  if (text == "compact") return MarketDataFormat::kCompact;
  if (text == "no-timestamp") return MarketDataFormat::kNoTimestamp;
  if (text == "float-us") return MarketDataFormat::kFloatMicroseconds;
  return core::Error{
      fmt::format("--market-data \"{}\" is not standard, compact, no-timestamp or float-us", text)};
}

std::string_view to_string(MarketDataFormat f) noexcept {
  switch (f) {
    case MarketDataFormat::kCompact:
      return "compact";
    case MarketDataFormat::kNoTimestamp:
      return "no-timestamp";
    case MarketDataFormat::kFloatMicroseconds:
      return "float-us";
    case MarketDataFormat::kStandard:
      break;
  }
  return "standard";
}

std::size_t encode_market_data(const scid::Record& r, const RecordEvent& e, std::uint32_t symbol_id,
                               StreamQuote& last, std::vector<std::uint8_t>& out, MarketDataFormat format) {
  const std::int64_t us = core::to_unix_ns(e.time) / 1000;
  const auto seconds = static_cast<std::uint32_t>(us / 1'000'000);
  if (e.has_quote && (r.low != last.bid || r.high != last.ask)) {
    switch (format) {
      case MarketDataFormat::kStandard: {
        dtc::MarketDataUpdateBidAsk q;
        q.symbol_id = symbol_id;
        q.bid_price = r.low;
        q.ask_price = r.high;
        q.date_time = seconds;
        dtc::encode_into(q, out);
        break;
      }
      case MarketDataFormat::kCompact: {
        dtc::MarketDataUpdateBidAskCompact q;
        q.symbol_id = symbol_id;
        q.bid_price = r.low;
        q.ask_price = r.high;
        q.date_time = seconds;
        dtc::encode_into(q, out);
        break;
      }
      case MarketDataFormat::kNoTimestamp: {
        if (us == last.quote_us) {  // the receiver reuses the previous quote's time (§5.6)
          dtc::MarketDataUpdateBidAskNoTimestamp q;
          q.symbol_id = symbol_id;
          q.bid_price = r.low;
          q.ask_price = r.high;
          dtc::encode_into(q, out);
        } else {
          dtc::MarketDataUpdateBidAskFloatWithMicroseconds q;
          q.symbol_id = symbol_id;
          q.bid_price = r.low;
          q.ask_price = r.high;
          q.date_time = us;
          dtc::encode_into(q, out);
        }
        break;
      }
      case MarketDataFormat::kFloatMicroseconds: {
        dtc::MarketDataUpdateBidAskFloatWithMicroseconds q;
        q.symbol_id = symbol_id;
        q.bid_price = r.low;
        q.ask_price = r.high;
        q.date_time = us;
        dtc::encode_into(q, out);
        break;
      }
    }
    last.bid = r.low;
    last.ask = r.high;
    last.quote_us = us;
  }
  if (!e.has_trade) return 0;
  const bool at_ask = r.ask_volume > 0 && r.bid_volume == 0;
  const bool at_bid = r.bid_volume > 0 && r.ask_volume == 0;
  const auto side8 = at_ask ? dtc::AtBidOrAsk8::kAtAsk : at_bid ? dtc::AtBidOrAsk8::kAtBid : dtc::AtBidOrAsk8::kUnset;
  switch (format) {
    case MarketDataFormat::kStandard: {
      dtc::MarketDataUpdateTrade t;
      t.symbol_id = symbol_id;
      t.at_bid_or_ask = at_ask ? dtc::AtBidOrAsk::kAtAsk : at_bid ? dtc::AtBidOrAsk::kAtBid : dtc::AtBidOrAsk::kUnset;
      t.price = r.close;
      t.volume = r.total_volume;
      t.date_time = static_cast<double>(us) / 1e6;
      dtc::encode_into(t, out);
      break;
    }
    case MarketDataFormat::kCompact: {
      dtc::MarketDataUpdateTradeCompact t;
      t.symbol_id = symbol_id;
      t.at_bid_or_ask = at_ask ? dtc::AtBidOrAsk::kAtAsk : at_bid ? dtc::AtBidOrAsk::kAtBid : dtc::AtBidOrAsk::kUnset;
      t.price = r.close;
      t.volume = static_cast<float>(r.total_volume);
      t.date_time = seconds;
      dtc::encode_into(t, out);
      break;
    }
    case MarketDataFormat::kNoTimestamp: {
      if (us == last.trade_us) {  // the receiver reuses the previous trade's time (§5.5)
        dtc::MarketDataUpdateTradeNoTimestamp t;
        t.symbol_id = symbol_id;
        t.at_bid_or_ask = side8;
        t.price = r.close;
        t.volume = r.total_volume;
        dtc::encode_into(t, out);
      } else {
        dtc::MarketDataUpdateTradeWithUnbundledIndicator2 t;
        t.symbol_id = symbol_id;
        t.at_bid_or_ask = side8;
        t.price = r.close;
        t.volume = r.total_volume;
        t.date_time = us;
        dtc::encode_into(t, out);
      }
      break;
    }
    case MarketDataFormat::kFloatMicroseconds: {
      dtc::MarketDataUpdateTradeWithUnbundledIndicator2 t;
      t.symbol_id = symbol_id;
      t.at_bid_or_ask = side8;
      t.price = r.close;
      t.volume = r.total_volume;
      t.date_time = us;
      dtc::encode_into(t, out);
      break;
    }
  }
  last.trade_us = us;
  return 1;
}

core::Result<TickRecordFormat> parse_tick_record_format(std::string_view text) {
  if (text == "803") return TickRecordFormat::k803;
  if (text == "804") return TickRecordFormat::k804;
  return core::Error{fmt::format("--tick-records \"{}\" is not 803 or 804", text)};
}

std::string_view to_string(TickRecordFormat f) noexcept {
  return f == TickRecordFormat::k804 ? "804" : "803";
}

// --- historical ------------------------------------------------------------------------------

namespace {

std::int64_t unix_us_of(const scid::Record& r) {
  return r.date_time - scid::kEpochOffsetUs;
}

}  // namespace

struct HistoricalJob::Deflater {
  z_stream z{};
  Deflater() {
    const int rc = deflateInit(&z, Z_DEFAULT_COMPRESSION);
    DT_ASSERT(rc == Z_OK, "deflateInit failed");
  }
  ~Deflater() { deflateEnd(&z); }
  Deflater(const Deflater&) = delete;
  Deflater& operator=(const Deflater&) = delete;

  // Deflates `in` onto `out`: Z_SYNC_FLUSH (a client can inflate everything so far) or Z_FINISH.
  void run(const std::vector<std::uint8_t>& in, std::vector<std::uint8_t>& out, int flush) {
    z.next_in = const_cast<Bytef*>(in.data());  // zlib's API is not const-correct
    z.avail_in = static_cast<uInt>(in.size());
    constexpr std::size_t kChunk = 64 * 1024;
    int rc = Z_OK;
    do {
      const std::size_t old = out.size();
      out.resize(old + kChunk);
      z.next_out = out.data() + old;
      z.avail_out = static_cast<uInt>(kChunk);
      rc = deflate(&z, flush);
      out.resize(old + kChunk - z.avail_out);
    } while (z.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
  }
};

HistoricalJob::~HistoricalJob() = default;
HistoricalJob::HistoricalJob(HistoricalJob&&) noexcept = default;
HistoricalJob& HistoricalJob::operator=(HistoricalJob&&) noexcept = default;

HistoricalJob::HistoricalJob(std::span<const scid::Record> records,
                             const dtc::HistoricalPriceDataRequest& request, bool allow_zlib,
                             TickRecordFormat tick_format)
    : records_(records),
      request_id_(request.request_id),
      interval_s_(static_cast<std::int32_t>(request.record_interval)),
      raw_(request.record_interval == dtc::HistoricalDataInterval::kTick &&
           (request.integer_1 & dtc::kInteger1RawScidRecords) != 0) {
  // Raw records are SCID records as stored: only the 803 form carries all of their fields.
  tick804_ = interval_s_ <= 0 && !raw_ && tick_format == TickRecordFormat::k804;
  const auto raw_at = [](std::int64_t unix_s) { return unix_s * 1'000'000 + scid::kEpochOffsetUs; };
  const auto by_time = [](const scid::Record& r, std::int64_t raw) { return r.date_time < raw; };
  // Ticks: [StartDateTime, EndDateTime] in whole seconds, both included. Bars: only the bars
  // whose whole interval [s, s + I) lies inside that range, so the first bar starts at the
  // first multiple of I at or after StartDateTime and the last one ends by EndDateTime + 1 s
  // (asking 14:30:00-14:31:00 for minutes gives the 14:30 bar only, never a cut-off 14:31 bar).
  std::int64_t first_s = request.start_date_time;
  std::int64_t end_s = request.end_date_time > 0 ? request.end_date_time + 1 : 0;  // exclusive
  if (interval_s_ > 0) {
    const std::int64_t i = interval_s_;
    if (first_s > 0) first_s = ((first_s % i == 0) ? first_s : first_s - (first_s % i) + i);
    if (end_s > 0) end_s -= end_s % i;
  }
  next_ = first_s > 0
              ? static_cast<std::size_t>(std::lower_bound(records.begin(), records.end(), raw_at(first_s), by_time) -
                                         records.begin())
              : 0;
  end_ = end_s > 0
             ? static_cast<std::size_t>(std::lower_bound(records.begin(), records.end(), raw_at(end_s), by_time) -
                                        records.begin())
             : records.size();
  end_ = std::max(end_, next_);
  if (allow_zlib && request.use_zlib_compression != 0) deflater_ = std::make_unique<Deflater>();
}

bool HistoricalJob::produce(dtc::HistoricalPriceDataRecordResponse& out) {
  if (interval_s_ <= 0) {
    while (next_ < end_) {
      const scid::Record& r = records_[next_++];
      const scid::RecordKind kind = scid::classify(r);
      if (kind == scid::RecordKind::kEmpty || r.date_time <= scid::kEpochOffsetUs) continue;
      out = dtc::HistoricalPriceDataRecordResponse{};
      out.request_id = request_id_;
      out.start_date_time = unix_us_of(r);
      if (raw_) {  // the record as stored (dtc::kInteger1RawScidRecords)
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
      // §6.10: one record per trade, OpenPrice 0 (sub-trade markers dropped), NumTrades 1,
      // ask in High, bid in Low; quote-only records and zero-volume trades are not trades.
      if (kind == scid::RecordKind::kQuote) continue;
      if (kind == scid::RecordKind::kTrade) {
        if (r.total_volume == 0) continue;
        out.open_price = 0;
        out.num_trades = 1;
      } else {  // a bar record in a tick file: sent as the bar it is (NumTrades, OpenPrice)
        out.open_price = r.open;
        out.num_trades = r.num_trades;
      }
      out.high_price = r.high;
      out.low_price = r.low;
      out.last_price = r.close;
      out.volume = r.total_volume;
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

void HistoricalJob::emit(const dtc::HistoricalPriceDataRecordResponse& r,
                         std::vector<std::uint8_t>& out) const {
  if (!tick804_) {
    dtc::encode_into(r, out);
    return;
  }
  dtc::HistoricalPriceDataTickRecordResponse t;
  t.request_id = r.request_id;
  t.date_time = static_cast<double>(r.start_date_time) / 1e6;  // exact to the microsecond
  const bool at_ask = r.ask_volume > 0 && r.bid_volume == 0;
  const bool at_bid = r.bid_volume > 0 && r.ask_volume == 0;
  t.at_bid_or_ask = at_ask   ? dtc::AtBidOrAsk::kAtAsk
                    : at_bid ? dtc::AtBidOrAsk::kAtBid
                             : dtc::AtBidOrAsk::kUnset;
  t.price = r.last_price;
  t.volume = r.volume;
  t.is_final_record = r.is_final_record;
  dtc::encode_into(t, out);
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
  if (!has) deflater_.reset();  // nothing follows the header: nothing to compress
  h.use_zlib_compression = deflater_ ? 1 : 0;
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
  // Compressed: the records of this batch go to plain_ first, then through deflate.
  std::vector<std::uint8_t>& target = deflater_ ? plain_ : out;
  const std::size_t target_start = deflater_ ? 0 : start;
  if (deflater_) plain_.clear();
  dtc::HistoricalPriceDataRecordResponse record;
  bool finished = false;
  while (target.size() - target_start < max_bytes) {
    if (!produce(record)) {
      pending_->is_final_record = 1;
      emit(*pending_, target);
      finished = true;
      break;
    }
    emit(*pending_, target);
    pending_ = record;
  }
  if (deflater_) deflater_->run(plain_, out, finished ? Z_FINISH : Z_SYNC_FLUSH);
  if (finished) {
    done_ = true;
    deflater_.reset();
    plain_ = {};
  }
  return finished;
}

}  // namespace daytrader::sim
