// History that ends at the replay's clock: during a replay a HISTORICAL_PRICE_DATA_REQUEST is
// answered from exactly the records already streamed, and its header is sent while the request
// is handled, so stream trades before the header are in the history and trades after it are
// not. Sans-I/O.

#include <gtest/gtest.h>

#include "sim_support.h"

namespace daytrader::testing {
namespace {

using sim::FillMode;
using sim::MarketMode;
using sim::PaceMode;

dtc::HistoricalPriceDataRequest history_request(std::int32_t id, std::int32_t interval_s = 0) {
  dtc::HistoricalPriceDataRequest r;
  r.request_id = id;
  r.symbol = "ESZ25";
  r.exchange = "CME";
  r.record_interval = static_cast<dtc::HistoricalDataInterval>(interval_s);
  return r;
}

std::vector<dtc::HistoricalPriceDataRecordResponse> records_of(const std::vector<dtc::Message>& msgs,
                                                               std::int32_t request_id) {
  std::vector<dtc::HistoricalPriceDataRecordResponse> out;
  for (const auto& m : msgs)
    if (const auto* r = std::get_if<dtc::HistoricalPriceDataRecordResponse>(&m);
        r && r->request_id == request_id)
      out.push_back(*r);
  return out;
}

// The trade records among the first n of a file: what a §6.10 tick answer sends for them.
std::vector<scid::Record> trades_in(const std::vector<scid::Record>& file, std::size_t n) {
  std::vector<scid::Record> out;
  for (std::size_t i = 0; i < n && i < file.size(); ++i)
    if (scid::classify(file[i]) == scid::RecordKind::kTrade) out.push_back(file[i]);
  return out;
}

dtc::HistoricalPriceDataRequest raw_request(std::int32_t id) {
  auto r = history_request(id);
  r.integer_1 = dtc::kInteger1RawScidRecords;
  return r;
}

TEST(ClippedHistory, ARequestMidReplayReturnsExactlyTheRecordsStreamedSoFar) {
  // Trades, quote-only records and equal timestamps (make_fixture), released 17 at a time.
  const auto fixture = make_fixture(60);
  for (const MarketMode mode : {MarketMode::kPerConnection, MarketMode::kShared}) {
    SCOPED_TRACE(sim::to_string(mode));
    SimDriver d(fixture, sim_config(mode, PaceMode::kNone, FillMode::kTick, "step"));
    d.logon(1);
    d.subscribe(1);
    d.release(17);
    const std::size_t trades_before = d.count<dtc::MarketDataUpdateTrade>(1);

    // The header comes with the request's own handling: it is the last message so far.
    d.send(1, history_request(9));
    ASSERT_TRUE(std::holds_alternative<dtc::HistoricalPriceDataResponseHeader>(d.messages(1).back()));
    const auto header_at = d.messages(1).size() - 1;
    EXPECT_EQ(std::get<dtc::HistoricalPriceDataResponseHeader>(d.messages(1).back()).no_records_to_return, 0);
    d.release(20);  // the stream goes on while the records are sent

    const auto& msgs = d.messages(1);
    const auto got = records_of(msgs, 9);
    const auto want = trades_in(fixture, 17);  // §6.10: one 803 per trade, no quote records
    ASSERT_LT(want.size(), 17u);
    ASSERT_EQ(got.size(), want.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
      SCOPED_TRACE(i);
      EXPECT_EQ(got[i].start_date_time, want[i].date_time - scid::kEpochOffsetUs);
      EXPECT_EQ(got[i].last_price, want[i].close);
      EXPECT_EQ(got[i].high_price, want[i].high);
      EXPECT_EQ(got[i].is_final_record, i + 1 == got.size() ? 1 : 0);
    }
    // Every stream trade before the header is in the history; none after it.
    std::size_t before = 0, after = 0;
    for (std::size_t i = 0; i < msgs.size(); ++i) {
      const auto* t = std::get_if<dtc::MarketDataUpdateTrade>(&msgs[i]);
      if (t == nullptr) continue;
      const auto us = static_cast<std::int64_t>(std::llround(t->date_time * 1e6));
      bool in_history = false;
      for (const auto& h : got) in_history |= h.start_date_time == us && h.last_price == t->price;
      if (i < header_at) {
        ++before;
        EXPECT_TRUE(in_history) << "stream trade " << i << " before the header is missing from the history";
      } else {
        ++after;
        EXPECT_GT(us, got.back().start_date_time) << "stream trade " << i << " after the header";
      }
    }
    EXPECT_EQ(before, trades_before);
    EXPECT_GT(after, 0u);
  }
}

TEST(ClippedHistory, WithoutASubscriptionSharedGivesWhatTheReplayPassedAndPerConnectionTheFile) {
  const auto fixture = make_fixture(30);
  {
    SimDriver d(fixture, sim_config(MarketMode::kShared, PaceMode::kNone, FillMode::kTick, "step"));
    d.logon(2);
    d.send(2, history_request(1));  // before the shared replay started: nothing
    EXPECT_EQ(std::get<dtc::HistoricalPriceDataResponseHeader>(d.messages(2).back()).no_records_to_return, 1);
    d.logon(1);
    d.subscribe(1);
    d.release(12);
    d.send(2, history_request(2));
    d.poll();
    EXPECT_EQ(records_of(d.messages(2), 2).size(), trades_in(fixture, 12).size());
    d.send(2, raw_request(3));  // the records as stored: quotes too
    d.poll();
    EXPECT_EQ(records_of(d.messages(2), 3).size(), 12u);
    EXPECT_EQ(d.count<dtc::MarketDataUpdateTrade>(2), 0u);
  }
  {
    SimDriver d(fixture, sim_config(MarketMode::kPerConnection, PaceMode::kNone, FillMode::kTick, "step"));
    d.logon(1);
    d.send(1, raw_request(3));  // never subscribed: the whole file (the downloader's case)
    d.poll();
    EXPECT_EQ(records_of(d.messages(1), 3).size(), fixture.size());
    d.send(1, history_request(4));
    d.poll();
    EXPECT_EQ(records_of(d.messages(1), 4).size(), trades_in(fixture, fixture.size()).size());
  }
}

TEST(ClippedHistory, MinuteBarsDuringAPacingHoldEndAtTheBoundary) {
  // 400 s of records from 14:30:01; held at 14:31:00, the history is the one bar 14:30.
  const auto fixture = make_fixture(400, 1'000'000);
  SimDriver d(fixture, sim_config(MarketMode::kPerConnection, PaceMode::kClient, FillMode::kBar));
  d.logon(1);
  d.subscribe(1);
  ASSERT_EQ(std::get<dtc::Heartbeat>(d.messages(1).back()).current_date_time, kT0 + 60);
  d.send(1, history_request(4, 60));
  d.poll();
  const auto bars = records_of(d.messages(1), 4);
  ASSERT_EQ(bars.size(), 1u);
  EXPECT_EQ(bars[0].start_date_time, kStartUnixUs);
  const auto prices = trade_prices(d.messages(1));
  EXPECT_EQ(bars[0].last_price, prices.back());
  EXPECT_EQ(bars[0].is_final_record, 1);
  // After the ack, the next request includes the next minute.
  d.ack(1, kT0 + 60);
  d.send(1, history_request(5, 60));
  d.poll();
  EXPECT_EQ(records_of(d.messages(1), 5).size(), 2u);
}

TEST(ClippedHistory, StartAtServesTheEarlierRecordsAsHistoryAndStreamsFromThere) {
  const auto fixture = make_fixture(30);
  const core::Timestamp start = scid::decode_time(fixture[12].date_time).value();  // a trade record
  for (const MarketMode mode : {MarketMode::kPerConnection, MarketMode::kShared}) {
    SCOPED_TRACE(sim::to_string(mode));
    auto config = sim_config(mode, PaceMode::kNone, FillMode::kTick, "step");
    config.start_at = start;
    SimDriver d(fixture, config);
    d.logon(2);
    d.send(2, history_request(1));  // not subscribed: the records before the start
    d.poll();
    EXPECT_EQ(records_of(d.messages(2), 1).size(), trades_in(fixture, 12).size());

    d.logon(1);
    d.subscribe(1);
    // The snapshot shows the quote of the last record before the start.
    const auto snap = d.all<dtc::MarketDataSnapshot>(1).at(0);
    if (mode == MarketMode::kShared) {
      EXPECT_EQ(snap.bid_price, fixture[11].low);
      EXPECT_EQ(snap.ask_price, fixture[11].high);
    }
    // A market order needs no streamed record: the market before the start is known.
    d.send(1, single_order("M", dtc::OrderType::kMarket, dtc::BuySell::kBuy));
    const int fill = find_update(d.messages(1), "M", dtc::OrderStatus::kFilled);
    ASSERT_GE(fill, 0);
    EXPECT_EQ(std::get<dtc::OrderUpdate>(d.messages(1)[static_cast<std::size_t>(fill)]).last_fill_price,
              fixture[11].high);
    d.release(3);  // records 12, 13 (a quote) and 14
    ASSERT_EQ(fixture[13].close, 0.0F);
    EXPECT_EQ(trade_prices(d.messages(1)), (std::vector<double>{fixture[12].close, fixture[14].close}));
  }
  auto late = sim_config(MarketMode::kShared, PaceMode::kNone, FillMode::kTick);
  late.start_at = scid::decode_time(fixture.back().date_time).value() + std::chrono::seconds(1);
  try {
    sim::SimServer s(late, fixture);
    ADD_FAILURE() << "a start after the data was accepted";
  } catch (const core::DaytraderError& e) {
    EXPECT_NE(std::string(e.what()).find("is after the last record of the data"), std::string::npos)
        << e.what();
  }
}

// --zlib-history compresses for a binary historical-only session only: the sim's frames are
// re-encoded for a JSON session, which zlib data cannot survive, so a JSON session gets the records
// plain (the header says UseZLibCompression = 0, as dtc.md §6.7 allows).
TEST(HistoryZlib, IsForBinarySessionsOnlyAndAJsonSessionGetsItsRecordsPlain) {
  struct JsonTransport : FakeTransport {
    [[nodiscard]] dtc::Encoding encoding(net::ConnectionId /*id*/) const override {
      return dtc::Encoding::kJson;
    }
  };
  const auto file = make_fixture(500);
  for (const bool json : {false, true}) {
    SCOPED_TRACE(json);
    auto config = sim_config(MarketMode::kPerConnection, PaceMode::kNone, FillMode::kTick);
    config.zlib_history = true;
    sim::SimServer server(config, file);
    FakeTransport binary_transport;
    JsonTransport json_transport;
    FakeTransport& transport = json ? json_transport : binary_transport;
    server.attach(transport);
    dtc::LogonRequest l;
    l.heartbeat_interval_in_seconds = 0;  // historical only
    const core::Timestamp now = core::from_unix_ns(1'800'000'000LL * 1'000'000'000LL);
    server.on_logged_on(1, l, now);
    auto request = history_request(4);
    request.use_zlib_compression = 1;
    server.on_message(1, request, now);
    for (int k = 0; k < 1000 && server.on_poll(now) == now; ++k) {
    }
    const auto& bytes = transport.bytes[1];
    ASSERT_GE(bytes.size(), dtc::HistoricalPriceDataResponseHeader::kSize);
    dtc::Decoder d;
    d.feed(bytes);
    auto first = d.next();
    ASSERT_TRUE(first && *first);
    const auto& header = std::get<dtc::HistoricalPriceDataResponseHeader>(first->value());
    EXPECT_EQ(header.use_zlib_compression, json ? 0 : 1);
    if (json) {  // the records follow as plain frames
      std::size_t records = 0;
      while (auto m = d.next()) {
        ASSERT_TRUE(*m) << m->error().message;
        records += std::holds_alternative<dtc::HistoricalPriceDataRecordResponse>(m->value()) ? 1 : 0;
      }
      EXPECT_EQ(records, trades_in(file, file.size()).size());
    }
  }
}

}  // namespace
}  // namespace daytrader::testing
