// The simulator's pieces without sockets: replay speed, historical answers, the exchange's
// ledger, and the DTC time/price conversions of market/from_dtc.h.

#include <gtest/gtest.h>

#include <cmath>
#include <string_view>
#include <type_traits>

#include <zlib.h>

#include "../net/loopback_support.h"
#include "dtc/codec.h"
#include "dtc/decoder.h"
#include "market/from_dtc.h"
#include "sim/exchange.h"
#include "sim/replay.h"

namespace daytrader::testing {
namespace {

std::vector<dtc::Message> decode_all(const std::vector<std::uint8_t>& bytes) {
  dtc::Decoder d;
  d.feed(bytes);
  std::vector<dtc::Message> out;
  while (auto m = d.next()) out.push_back(m->value());
  return out;
}

TEST(ReplaySpeed, ParsesRealtimeMultiplesAndMax) {
  struct Row {
    const char* text;
    bool ok;
    sim::ReplaySpeed::Kind kind;
    double factor;
  };
  for (const Row& row : {Row{"realtime", true, sim::ReplaySpeed::Kind::kScaled, 1.0},
                         Row{"10x", true, sim::ReplaySpeed::Kind::kScaled, 10.0},
                         Row{"0.5x", true, sim::ReplaySpeed::Kind::kScaled, 0.5},
                         Row{"max", true, sim::ReplaySpeed::Kind::kMax, 0}, Row{"x", false, {}, 0},
                         Row{"0x", false, {}, 0}, Row{"fast", false, {}, 0}, Row{"10", false, {}, 0}}) {
    SCOPED_TRACE(row.text);
    const auto s = sim::ReplaySpeed::parse(row.text);
    ASSERT_EQ(static_cast<bool>(s), row.ok);
    if (!row.ok) {
      EXPECT_EQ(s.error().message,
                std::string("--speed \"") + row.text + "\" is not realtime, max or a multiple like 10x");
      continue;
    }
    EXPECT_EQ(s->kind, row.kind);
    EXPECT_EQ(s->factor, row.factor);
  }
}

dtc::HistoricalPriceDataRequest history(std::int32_t interval_s, std::int64_t start_s = 0,
                                        std::int64_t end_s = 0) {
  dtc::HistoricalPriceDataRequest r;
  r.request_id = 9;
  r.symbol = "ESZ25";
  r.record_interval = static_cast<dtc::HistoricalDataInterval>(interval_s);
  r.start_date_time = start_s;
  r.end_date_time = end_s;
  return r;
}

TEST(HistoricalJob, BuildsOneMinuteBarsWithTheFinalFlagOnTheLast) {
  // Trades at 14:30:10, :50, 14:31:05 and 14:33:00, plus a quote record that is not a trade.
  const std::int64_t m0 = kStartUnixUs;  // 14:30:00
  std::vector<scid::Record> recs = {
      tick(m0 + 10'000'000, 5000.00F, 2, true), tick(m0 + 50'000'000, 5001.00F, 1, false),
      tick(m0 + 65'000'000, 4999.50F, 3, true), tick(m0 + 180'000'000, 5002.00F, 4, false)};
  scid::Record quote = tick(m0 + 70'000'000, 5000.00F, 0, true);
  quote.close = 0;
  quote.total_volume = quote.ask_volume = 0;
  recs.insert(recs.begin() + 3, quote);

  sim::HistoricalJob job(recs, history(60));
  std::vector<std::uint8_t> out;
  while (!job.next_batch(out, 100)) {
  }
  const auto msgs = decode_all(out);
  ASSERT_EQ(msgs.size(), 4u);  // header + 3 bars
  EXPECT_EQ(std::get<dtc::HistoricalPriceDataResponseHeader>(msgs[0]).no_records_to_return, 0);
  const auto& b1 = std::get<dtc::HistoricalPriceDataRecordResponse>(msgs[1]);
  EXPECT_EQ(b1.start_date_time, m0);  // microseconds (§6.9)
  EXPECT_EQ(b1.open_price, 5000.00);
  EXPECT_EQ(b1.high_price, 5001.00);
  EXPECT_EQ(b1.low_price, 5000.00);
  EXPECT_EQ(b1.last_price, 5001.00);
  EXPECT_EQ(b1.volume, 3);
  EXPECT_EQ(b1.num_trades, 2u);
  EXPECT_EQ(b1.ask_volume, 2);
  EXPECT_EQ(b1.bid_volume, 1);
  EXPECT_EQ(b1.is_final_record, 0);
  EXPECT_EQ(std::get<dtc::HistoricalPriceDataRecordResponse>(msgs[2]).start_date_time, m0 + 60'000'000);
  const auto& b3 = std::get<dtc::HistoricalPriceDataRecordResponse>(msgs[3]);
  EXPECT_EQ(b3.start_date_time, m0 + 180'000'000);
  EXPECT_EQ(b3.is_final_record, 1);
  EXPECT_EQ(b3.request_id, 9);
}

TEST(HistoricalJob, AnEmptyRangeSaysNoRecordsToReturn) {
  const std::vector<scid::Record> recs = {tick(kStartUnixUs, 5000.0F, 1, true)};
  sim::HistoricalJob job(recs, history(0, kStartUnixUs / 1'000'000 + 10));
  std::vector<std::uint8_t> out;
  EXPECT_TRUE(job.next_batch(out, 1 << 20));
  const auto msgs = decode_all(out);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(std::get<dtc::HistoricalPriceDataResponseHeader>(msgs[0]).no_records_to_return, 1);
}

std::vector<dtc::HistoricalPriceDataRecordResponse> records_of(sim::HistoricalJob& job) {
  std::vector<std::uint8_t> out;
  while (!job.next_batch(out, 100)) {
  }
  std::vector<dtc::HistoricalPriceDataRecordResponse> recs;
  for (const auto& m : decode_all(out))
    if (const auto* r = std::get_if<dtc::HistoricalPriceDataRecordResponse>(&m)) recs.push_back(*r);
  return recs;
}

TEST(HistoricalJob, TickAnswersAreOneSection610RecordPerTradeWithoutQuotesOrMarkers) {
  const std::int64_t t0 = kStartUnixUs;
  scid::Record plain = tick(t0 + 1'000'000, 5000.00F, 2, true);
  scid::Record first = tick(t0 + 2'000'000, 5000.25F, 3, false);
  first.open = scid::kFirstSubTrade;
  scid::Record last = tick(t0 + 2'000'000, 5000.25F, 1, false);
  last.open = scid::kLastSubTrade;
  scid::Record quote = tick(t0 + 3'000'000, 5000.00F, 0, true);
  quote.close = 0;
  quote.total_volume = quote.ask_volume = 0;
  const std::vector<scid::Record> file = {plain, first, quote, last};

  sim::HistoricalJob job(file, history(0));
  const auto got = records_of(job);
  ASSERT_EQ(got.size(), 3u);  // the quote record is not a trade
  const std::vector<const scid::Record*> want = {&plain, &first, &last};
  for (std::size_t i = 0; i < got.size(); ++i) {
    SCOPED_TRACE(i);
    const scid::Record& w = *want[i];
    EXPECT_EQ(got[i].start_date_time, w.date_time - scid::kEpochOffsetUs);
    EXPECT_EQ(got[i].open_price, 0.0);  // "NumTrades 1 and OpenPrice 0 is one trade"
    EXPECT_EQ(got[i].num_trades, 1u);
    EXPECT_EQ(got[i].high_price, static_cast<double>(w.high));  // ask
    EXPECT_EQ(got[i].low_price, static_cast<double>(w.low));    // bid
    EXPECT_EQ(got[i].last_price, static_cast<double>(w.close));
    EXPECT_EQ(got[i].volume, w.total_volume);
    EXPECT_EQ(got[i].bid_volume, w.bid_volume);
    EXPECT_EQ(got[i].ask_volume, w.ask_volume);
    EXPECT_EQ(got[i].is_final_record, i + 1 == got.size() ? 1 : 0);
  }

  // The downloader's raw mode: every record as stored, markers and quotes included.
  auto raw_request = history(0);
  raw_request.integer_1 = dtc::kInteger1RawScidRecords;
  sim::HistoricalJob raw(file, raw_request);
  const auto as_stored = records_of(raw);
  ASSERT_EQ(as_stored.size(), file.size());
  for (std::size_t i = 0; i < file.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(static_cast<float>(as_stored[i].open_price), file[i].open);
    EXPECT_EQ(as_stored[i].volume, file[i].total_volume);
    EXPECT_EQ(as_stored[i].last_price, static_cast<double>(file[i].close));
  }
}

TEST(HistoricalJob, SendsOnlyBarsWhoseWholeIntervalIsInsideTheRequest) {
  // 14:30:10 x5, 14:30:40 x7, 14:31:00 x26, 14:31:30 x3189, 14:32:05 x4.
  const std::int64_t m0 = kStartUnixUs;  // 14:30:00
  const std::int64_t s0 = m0 / 1'000'000;
  const std::vector<scid::Record> file = {
      tick(m0 + 10'000'000, 5000.00F, 5, true), tick(m0 + 40'000'000, 5000.25F, 7, false),
      tick(m0 + 60'000'000, 5000.50F, 26, true), tick(m0 + 90'000'000, 5001.00F, 3189, true),
      tick(m0 + 125'000'000, 5001.25F, 4, false)};
  struct Row {
    const char* what;
    std::int64_t start_s, end_s;
    std::vector<std::int64_t> bar_starts_us;
    std::vector<double> volumes;
  };
  const std::vector<Row> rows = {
      {"14:30-14:31: the 14:31 bar is not complete in the range", s0, s0 + 60, {m0}, {12}},
      {"14:30-14:31:59: the 14:31 bar is complete", s0, s0 + 119, {m0, m0 + 60'000'000}, {12, 3215}},
      {"14:30:30-14:32: the 14:30 bar began before the start", s0 + 30, s0 + 120, {m0 + 60'000'000}, {3215}},
      {"no end: every bar", 0, 0, {m0, m0 + 60'000'000, m0 + 120'000'000}, {12, 3215, 4}},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(::testing::Message() << row.what << " start=" << row.start_s << " end=" << row.end_s);
    sim::HistoricalJob job(file, history(60, row.start_s, row.end_s));
    const auto got = records_of(job);
    ASSERT_EQ(got.size(), row.bar_starts_us.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].start_date_time, row.bar_starts_us[i]);
      EXPECT_EQ(got[i].volume, row.volumes[i]);
    }
    EXPECT_EQ(got.back().is_final_record, 1);
  }
}

TEST(MarketData, EveryFormatEncodesTheSameTradeAndQuoteAndDecodesBack) {
  const core::Instrument es = core::Instrument::es();
  scid::Record rec = tick(kStartUnixUs + 1'250'000, 5000.25F, 7, true);  // ask 5000.25, bid 5000.00
  const auto e = sim::read_record(rec, es);
  ASSERT_TRUE(e && e->has_trade && e->has_quote);
  struct Row {
    const char* name;
    std::uint16_t trade_type, quote_type;
  };
  // no-timestamp: the first trade and quote of a stream carry their time (146/144); the ones
  // with the previous one's time do not (142/143, §5.5-§5.6).
  const std::vector<Row> rows = {{"standard", 107, 108},
                                 {"compact", 112, 117},
                                 {"no-timestamp", 146, 144},
                                 {"float-us", 146, 144}};
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    const auto format = sim::parse_market_data_format(row.name);
    ASSERT_TRUE(format);
    EXPECT_EQ(sim::to_string(*format), row.name);
    sim::StreamQuote last;
    std::vector<std::uint8_t> out;
    EXPECT_EQ(sim::encode_market_data(rec, *e, 3, last, out, *format), 1u);
    const auto msgs = decode_all(out);
    ASSERT_EQ(msgs.size(), 2u);
    double bid = 0, ask = 0, price = 0, volume = 0;
    std::int64_t quote_us = -1, trade_us = -1;
    int side = -1;
    std::uint32_t symbol = 0;
    std::uint16_t quote_type = 0, trade_type = 0;
    std::visit(
        [&](const auto& q) {
          using Q = std::decay_t<decltype(q)>;
          if constexpr (requires { Q::kType; }) quote_type = Q::kType;
          if constexpr (requires { q.bid_price; q.ask_price; q.symbol_id; }) {
            bid = q.bid_price;
            ask = q.ask_price;
            symbol = q.symbol_id;
          }
          if constexpr (std::is_same_v<Q, dtc::MarketDataUpdateBidAskFloatWithMicroseconds>)
            quote_us = q.date_time;
          else if constexpr (requires { q.date_time; })
            quote_us = static_cast<std::int64_t>(q.date_time) * 1'000'000;
        },
        msgs[0]);
    std::visit(
        [&](const auto& t) {
          using T = std::decay_t<decltype(t)>;
          if constexpr (requires { T::kType; }) trade_type = T::kType;
          if constexpr (requires { t.price; t.volume; t.at_bid_or_ask; t.symbol_id; }) {
            price = t.price;
            volume = static_cast<double>(t.volume);
            side = static_cast<int>(t.at_bid_or_ask);
            EXPECT_EQ(t.symbol_id, 3u);
          }
          if constexpr (std::is_same_v<T, dtc::MarketDataUpdateTrade>)
            trade_us = std::llround(t.date_time * 1e6);
          else if constexpr (std::is_same_v<T, dtc::MarketDataUpdateTradeWithUnbundledIndicator2>)
            trade_us = t.date_time;
          else if constexpr (requires { t.date_time; })
            trade_us = static_cast<std::int64_t>(t.date_time) * 1'000'000;
        },
        msgs[1]);
    EXPECT_EQ(quote_type, row.quote_type);
    EXPECT_EQ(trade_type, row.trade_type);
    EXPECT_EQ(symbol, 3u);
    EXPECT_EQ(bid, 5000.00);
    EXPECT_EQ(ask, 5000.25);
    EXPECT_EQ(price, 5000.25);
    EXPECT_EQ(volume, 7.0);
    EXPECT_EQ(side, 2);  // at ask, in both the uint16 and the uint8 enum
    const std::int64_t whole_s = kStartUnixUs + 1'000'000;
    if (std::string_view(row.name) == "standard") {
      EXPECT_EQ(quote_us, whole_s);
      EXPECT_EQ(trade_us, kStartUnixUs + 1'250'000);
    } else if (std::string_view(row.name) == "compact") {
      EXPECT_EQ(quote_us, whole_s);
      EXPECT_EQ(trade_us, whole_s);
    } else {
      EXPECT_EQ(quote_us, kStartUnixUs + 1'250'000);
      EXPECT_EQ(trade_us, kStartUnixUs + 1'250'000);
    }
    // The same quote again: only the trade, without its time in no-timestamp.
    out.clear();
    EXPECT_EQ(sim::encode_market_data(rec, *e, 3, last, out, *format), 1u);
    const auto again = decode_all(out);
    ASSERT_EQ(again.size(), 1u);
    EXPECT_EQ(dtc::message_type(again[0]),
              std::string_view(row.name) == "no-timestamp" ? 142 : row.trade_type);
    // A new quote at the same time: 143 in no-timestamp.
    scid::Record moved = rec;
    moved.low = 5000.25F;
    moved.high = 5000.50F;
    const auto e2 = sim::read_record(moved, es);
    out.clear();
    EXPECT_EQ(sim::encode_market_data(moved, *e2, 3, last, out, *format), 1u);
    const auto quoted = decode_all(out);
    ASSERT_EQ(quoted.size(), 2u);
    EXPECT_EQ(dtc::message_type(quoted[0]),
              std::string_view(row.name) == "no-timestamp" ? 143 : row.quote_type);
  }
  const auto bad = sim::parse_market_data_format("fast");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "--market-data \"fast\" is not standard, compact, no-timestamp or float-us");
}

// A test-only inflater (our client side does not inflate, dtc.md §6.7): the bytes after the
// plain header, through one long-lived inflate context, back into our Decoder.
std::vector<std::uint8_t> inflate_all(std::span<const std::uint8_t> in) {
  z_stream z{};
  EXPECT_EQ(inflateInit(&z), Z_OK);
  std::vector<std::uint8_t> out;
  z.next_in = const_cast<Bytef*>(in.data());
  z.avail_in = static_cast<uInt>(in.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    const std::size_t old = out.size();
    out.resize(old + 4096);
    z.next_out = out.data() + old;
    z.avail_out = 4096;
    rc = inflate(&z, Z_NO_FLUSH);
    out.resize(old + 4096 - z.avail_out);
    if (rc == Z_BUF_ERROR && z.avail_in == 0) break;
  }
  EXPECT_EQ(rc, Z_STREAM_END);
  EXPECT_EQ(z.avail_in, 0u);  // nothing after the stream's end
  inflateEnd(&z);
  return out;
}

TEST(HistoricalJob, AZlibAnswerInflatesToTheSameRecordsAfterAPlainHeader) {
  const auto file = make_fixture(3000);
  for (const std::int32_t interval : {0, 60}) {
    SCOPED_TRACE(interval);
    auto request = history(interval);
    request.use_zlib_compression = 1;
    sim::HistoricalJob plain(file, request);  // not allowed: the header says 0
    std::vector<std::uint8_t> plain_bytes;
    while (!plain.next_batch(plain_bytes, 8192)) {
    }
    sim::HistoricalJob zipped(file, request, true);
    EXPECT_TRUE(zipped.is_compressed());
    std::vector<std::uint8_t> zipped_bytes;
    int batches = 0;
    while (!zipped.next_batch(zipped_bytes, 8192)) ++batches;
    if (interval == 0) {
      EXPECT_GT(batches, 1);
    }

    const auto plain_msgs = decode_all(plain_bytes);
    const std::size_t header_size = dtc::HistoricalPriceDataResponseHeader::kSize;
    const auto head = decode_all(std::vector<std::uint8_t>(zipped_bytes.begin(), zipped_bytes.begin() + header_size));
    ASSERT_EQ(head.size(), 1u);
    EXPECT_EQ(std::get<dtc::HistoricalPriceDataResponseHeader>(head[0]).use_zlib_compression, 1);
    EXPECT_EQ(std::get<dtc::HistoricalPriceDataResponseHeader>(plain_msgs[0]).use_zlib_compression, 0);
    EXPECT_EQ(zipped_bytes[header_size], 0x78);  // the zlib header, RFC 1950
    const auto inflated =
        inflate_all(std::span<const std::uint8_t>(zipped_bytes).subspan(header_size));
    EXPECT_LT(zipped_bytes.size(), plain_bytes.size());
    const auto msgs = decode_all(inflated);
    ASSERT_EQ(msgs.size() + 1, plain_msgs.size());
    for (std::size_t i = 0; i < msgs.size(); ++i)
      ASSERT_EQ(std::get<dtc::HistoricalPriceDataRecordResponse>(msgs[i]),
                std::get<dtc::HistoricalPriceDataRecordResponse>(plain_msgs[i + 1]))
          << "record " << i;
    EXPECT_EQ(std::get<dtc::HistoricalPriceDataRecordResponse>(msgs.back()).is_final_record, 1);
  }
  // Nothing to return: a plain header with NoRecordsToReturn = 1, whatever was asked.
  auto empty = history(0, kStartUnixUs / 1'000'000 + 86'400 * 365);
  empty.use_zlib_compression = 1;
  sim::HistoricalJob none(file, empty, true);
  std::vector<std::uint8_t> out;
  EXPECT_TRUE(none.next_batch(out, 8192));
  const auto msgs = decode_all(out);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(std::get<dtc::HistoricalPriceDataResponseHeader>(msgs[0]).use_zlib_compression, 0);
  EXPECT_EQ(std::get<dtc::HistoricalPriceDataResponseHeader>(msgs[0]).no_records_to_return, 1);
}

TEST(HistoricalJob, TickAnswersAs804CarryTheTradesOfThe803Answer) {
  const auto file = make_fixture(3000);
  const auto answer = [&](sim::TickRecordFormat format, std::uint16_t integer_1 = 0) {
    auto request = history(0);
    request.integer_1 = integer_1;
    sim::HistoricalJob job(file, request, false, format);
    std::vector<std::uint8_t> bytes;
    while (!job.next_batch(bytes, 8192)) {
    }
    return decode_all(bytes);
  };
  const auto a803 = answer(sim::TickRecordFormat::k803);
  const auto a804 = answer(sim::TickRecordFormat::k804);
  ASSERT_GT(a803.size(), 2000u);
  ASSERT_EQ(a803.size(), a804.size());
  EXPECT_EQ(std::get<dtc::HistoricalPriceDataResponseHeader>(a804[0]).record_interval,
            dtc::HistoricalDataInterval::kTick);
  for (std::size_t i = 1; i < a803.size(); ++i) {
    SCOPED_TRACE(i);
    const auto& r = std::get<dtc::HistoricalPriceDataRecordResponse>(a803[i]);
    ASSERT_TRUE(std::holds_alternative<dtc::HistoricalPriceDataTickRecordResponse>(a804[i]));
    const auto& t = std::get<dtc::HistoricalPriceDataTickRecordResponse>(a804[i]);
    EXPECT_EQ(t.request_id, r.request_id);
    EXPECT_EQ(std::llround(t.date_time * 1e6), r.start_date_time);
    EXPECT_EQ(t.price, r.last_price);
    EXPECT_EQ(t.volume, r.volume);
    EXPECT_EQ(t.at_bid_or_ask, r.ask_volume > 0 ? dtc::AtBidOrAsk::kAtAsk : dtc::AtBidOrAsk::kAtBid);
    EXPECT_EQ(t.is_final_record, r.is_final_record);
    if (::testing::Test::HasFailure()) break;
  }
  // Raw SCID records only fit the 803 form: they stay 803 records.
  const auto raw = answer(sim::TickRecordFormat::k804, dtc::kInteger1RawScidRecords);
  ASSERT_GT(raw.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<dtc::HistoricalPriceDataRecordResponse>(raw[1]));
  // Bars are 803 records in either format.
  auto bars = history(60);
  sim::HistoricalJob job(file, bars, false, sim::TickRecordFormat::k804);
  std::vector<std::uint8_t> bytes;
  while (!job.next_batch(bytes, 8192)) {
  }
  const auto bar_msgs = decode_all(bytes);
  ASSERT_GT(bar_msgs.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<dtc::HistoricalPriceDataRecordResponse>(bar_msgs[1]));

  EXPECT_EQ(sim::parse_tick_record_format("804").value(), sim::TickRecordFormat::k804);
  EXPECT_EQ(sim::to_string(sim::TickRecordFormat::k803), "803");
  const auto bad = sim::parse_tick_record_format("805");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "--tick-records \"805\" is not 803 or 804");
}

TEST(Exchange, ClosesLotsFirstInFirstOutAndChargesEverySide) {
  sim::Exchange x(sim::ExchangeConfig{});
  std::vector<std::uint8_t> out;
  const auto t = core::from_unix_ns(kStartUnixUs * 1000);
  const auto market = [&](std::string id, dtc::BuySell side, int qty) {
    dtc::SubmitNewSingleOrder o;
    o.symbol = "ESZ25";
    o.client_order_id = id;
    o.order_type = dtc::OrderType::kMarket;
    o.buy_sell = side;
    o.quantity = qty;
    ASSERT_TRUE(x.on_message(o, t, out));
  };
  const auto quote = [&](std::int64_t bid) { x.on_quote(core::Ticks(bid), core::Ticks(bid + 1), t, out); };
  quote(20000);                        // 5000.00 / 5000.25
  market("a", dtc::BuySell::kBuy, 1);  // long 1 @ 20001
  quote(20004);
  market("b", dtc::BuySell::kBuy, 1);  // long 2: 20001, 20005
  quote(20008);
  market("c", dtc::BuySell::kSell, 3);  // closes 20001 (+7) and 20005 (+3) at 20008, short 1 @ 20008
  EXPECT_EQ(x.position(), -1);
  EXPECT_EQ(x.realized_gross_cents(), (7 + 3) * 1250);
  EXPECT_EQ(x.commission_cents(), 5 * 225);
  EXPECT_EQ(x.balance_cents(), 5'000'000 + 10 * 1250 - 5 * 225);
  const auto msgs = decode_all(out);
  const auto& last_position = [&]() -> const dtc::PositionUpdate& {
    for (auto it = msgs.rbegin(); it != msgs.rend(); ++it)
      if (const auto* p = std::get_if<dtc::PositionUpdate>(&*it)) return *p;
    throw std::runtime_error("no POSITION_UPDATE");
  }();
  EXPECT_EQ(last_position.quantity, -1);
  EXPECT_EQ(last_position.average_price, 5002.00);
}

TEST(FromDtc, ConvertsEveryTimeUnitAndRefusesPricesOffTheGrid) {
  EXPECT_EQ(market::from_dtc_integer_time(1'741'012'200), core::from_unix_ns(1'741'012'200'000'000'000));
  EXPECT_EQ(market::from_dtc_integer_time(1'741'012'200'123), core::from_unix_ns(1'741'012'200'123'000'000));
  EXPECT_EQ(market::from_dtc_integer_time(1'741'012'200'123'456),
            core::from_unix_ns(1'741'012'200'123'456'000));
  EXPECT_FALSE(market::from_dtc_integer_time(0));
  const auto t = core::from_unix_ns(1'741'012'200'123'457'000);
  EXPECT_EQ(market::from_dtc_seconds(market::to_dtc_seconds(t)), t);

  market::DtcAdapter a(core::Instrument::es());
  market::Trade trade;
  market::Quote quote;
  dtc::MarketDataUpdateTrade m;
  m.price = 5000.10;
  m.volume = 1;
  m.date_time = 1.7e9;
  EXPECT_EQ(a.convert(m, {}, trade, quote), market::DtcEvent::kBadPrice);
  m.price = 5000.25;
  m.at_bid_or_ask = dtc::AtBidOrAsk::kAtAsk;
  ASSERT_EQ(a.convert(m, {}, trade, quote), market::DtcEvent::kTrade);
  EXPECT_EQ(trade.price, core::Ticks(20001));
  EXPECT_EQ(trade.ask_volume, 1u);
  // A bid/ask update that sets only the ask keeps the previous bid.
  quote.bid = core::Ticks(19990);
  dtc::MarketDataUpdateBidAskCompact q;
  q.ask_price = 5000.50F;
  q.date_time = 1'700'000'000;
  ASSERT_EQ(a.convert(q, {}, trade, quote), market::DtcEvent::kQuote);
  EXPECT_EQ(quote.bid, core::Ticks(19990));
  EXPECT_EQ(quote.ask, core::Ticks(20002));
  // No timestamp on the wire: the time of the SymbolID's previous trade (§5.5), whatever the
  // receive time; for a SymbolID without one, the receive time, or kBadTime without that.
  dtc::MarketDataUpdateTradeNoTimestamp nt;
  nt.price = 5000.0F;
  nt.volume = 3;
  const auto received = core::from_unix_ns(42);
  ASSERT_EQ(a.convert(nt, received, trade, quote), market::DtcEvent::kTrade);
  EXPECT_EQ(trade.ts, market::from_dtc_seconds(1.7e9));
  nt.symbol_id = 5;
  ASSERT_EQ(a.convert(nt, received, trade, quote), market::DtcEvent::kTrade);
  EXPECT_EQ(trade.ts, received);
  nt.symbol_id = 6;
  EXPECT_EQ(a.convert(nt, core::Timestamp{}, trade, quote), market::DtcEvent::kBadTime);
  // The same for quotes: 143 reuses the previous quote time of its SymbolID (here 117's).
  dtc::MarketDataUpdateBidAskNoTimestamp nq;
  nq.bid_price = 5000.25F;
  nq.ask_price = 5000.50F;
  ASSERT_EQ(a.convert(nq, received, trade, quote), market::DtcEvent::kQuote);
  EXPECT_EQ(quote.ts, core::from_unix_ns(1'700'000'000'000'000'000));
  EXPECT_EQ(quote.bid, core::Ticks(20001));
  // Every trade and quote message names its SymbolID; others do not.
  EXPECT_EQ(market::DtcAdapter::symbol_id(dtc::Message(nt)), 6u);
  EXPECT_EQ(market::DtcAdapter::symbol_id(dtc::Message(q)), 0u);
  EXPECT_FALSE(market::DtcAdapter::symbol_id(dtc::Message(dtc::Heartbeat{})));
}

}  // namespace
}  // namespace daytrader::testing
