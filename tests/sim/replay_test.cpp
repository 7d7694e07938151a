// The simulator's pieces without sockets: replay speed, historical answers, the exchange's
// ledger, and the DTC time/price conversions of market/from_dtc.h.

#include <gtest/gtest.h>

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

  const market::DtcAdapter a(core::Instrument::es());
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
  // No timestamp on the wire: the receive time.
  dtc::MarketDataUpdateTradeNoTimestamp nt;
  nt.price = 5000.0F;
  nt.volume = 3;
  const auto received = core::from_unix_ns(42);
  ASSERT_EQ(a.convert(nt, received, trade, quote), market::DtcEvent::kTrade);
  EXPECT_EQ(trade.ts, received);
}

}  // namespace
}  // namespace daytrader::testing
