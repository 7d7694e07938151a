// The JSON encodings against the real `serve` code path (sim::SimServer on net::Server) over
// 127.0.0.1: a JSON client logs on, receives the market data, gets an order filled and a history
// answer; every trade/quote variant `serve --market-data` sends gives our client the trades of the
// standard variant, in binary and in JSON; a password DTC cannot carry is refused before
// connecting. Every wait is bounded.

#include <gtest/gtest.h>

#include <cmath>
#include <mutex>
#include <optional>

#include "loopback_support.h"
#include "market/from_dtc.h"
#include "market/from_scid.h"
#include "net/credentials.h"
#include "net/history_download.h"
#include "net/trading_client.h"

namespace daytrader::testing {
namespace {

constexpr auto kWait = 10s;

core::Ticks px(double price) {
  core::Ticks t;
  EXPECT_TRUE(core::Instrument::es().try_to_ticks(price, t)) << price;
  return t;
}

// Every record prints at the bid: bid = price, ask = price + 0.25.
std::vector<scid::Record> path() {
  const float prices[] = {5000.00F, 5000.00F, 5000.50F, 5001.00F, 5001.25F, 5001.00F};
  std::vector<scid::Record> out;
  std::int64_t t = kStartUnixUs;
  for (const float p : prices) out.push_back(tick(t += 1'000'000, p, 1, false));
  return out;
}

std::size_t trades_in(const std::vector<dtc::Message>& messages) {
  std::size_t n = 0;
  for (const auto& m : messages) {
    const std::uint16_t type = dtc::message_type(m);
    n += type == 107 || type == 112 || type == 137 || type == 142 || type == 146 ? 1 : 0;
  }
  return n;
}

struct JsonRow {
  dtc::Encoding encoding;
  bool negotiate;
  const char* logged;  // the server's logon line names the encoding
};

TEST(JsonCompatibility, AJsonClientLogsOnGetsTradesAFillAndHistoryFromServe) {
  for (const JsonRow& row : {JsonRow{dtc::Encoding::kJson, true, "encoding=JSON_ENCODING"},
                             JsonRow{dtc::Encoding::kJsonCompact, true, "encoding=JSON_COMPACT_ENCODING"},
                             JsonRow{dtc::Encoding::kJson, false, "encoding=JSON_ENCODING"}}) {
    SCOPED_TRACE(row.logged + std::string(row.negotiate ? " negotiated" : " without ENCODING_REQUEST"));
    SimHarness h(path(), sim::ReplaySpeed::parse("step").value());
    Recorder r;
    net::TradingClientOptions o;
    o.client = client_options(h.server.port());
    o.client.session.encoding = row.encoding;
    o.client.session.negotiate_encoding = row.negotiate;
    o.order_id_prefix = "JSON";
    net::TradingClient tc(o, &r);
    tc.subscribe_market_data(1, "ESZ25", "CME");
    tc.start();

    // Logon and the subscription's snapshot.
    ASSERT_TRUE(r.wait([&] { return r.count_unlocked<dtc::MarketDataSnapshot>() == 1; }, kWait));
    EXPECT_TRUE(tc.is_logged_on());
    EXPECT_TRUE(h.log.contains(row.logged)) << h.log.all();

    // Market data: the released records' trades, as the file has them.
    h.sim.release(2);
    ASSERT_TRUE(r.wait([&] { return trades_in(r.messages) == 2; }, kWait));
    {
      std::lock_guard l(r.mutex);
      market::DtcAdapter adapter(core::Instrument::es());
      std::vector<market::Trade> got;
      market::Quote quote;
      for (const auto& m : r.messages) {
        market::Trade t;
        if (adapter.convert(m, core::Timestamp{}, t, quote) == market::DtcEvent::kTrade) got.push_back(t);
      }
      ASSERT_EQ(got.size(), 2u);
      EXPECT_EQ(got[1].price, px(5000.00));
      EXPECT_EQ(got[1].ts, core::from_unix_ns((kStartUnixUs + 2'000'000) * 1000));
      EXPECT_EQ(got[1].bid_volume, 1u);
      EXPECT_EQ(quote.ask, px(5000.25));
    }

    // An order that fills at the ask, with its position.
    const auto id = tc.submit_market("ESZ25", "CME", "SIM1", dtc::BuySell::kBuy, 1);
    ASSERT_TRUE(tc.wait_until(
        [&] {
          const auto s = tc.order(id);
          return s && s->status == dtc::OrderStatus::kFilled;
        },
        kWait));
    EXPECT_EQ(tc.order(id)->average_fill_price, px(5000.25));
    ASSERT_TRUE(tc.wait_until([&] { return tc.position("SIM1", "ESZ25") == 1; }, kWait));

    // History on the same connection: the ticks the replay has sent.
    std::mutex m;
    std::vector<net::HistoryRecord> records;
    std::optional<net::HistoryDone> done;
    const auto hid = tc.request_history(
        "ESZ25", "CME", core::Timestamp{}, core::Timestamp{}, net::HistoryInterval::kTicks,
        [&](const net::HistoryRecord& x) {
          std::lock_guard l(m);
          records.push_back(x);
        },
        [&](const net::HistoryDone& d) {
          std::lock_guard l(m);
          done = d;
        });
    ASSERT_TRUE(tc.wait_until([&] { return tc.request_complete(hid); }, kWait));
    {
      std::lock_guard l(m);
      ASSERT_TRUE(done && done->ok) << (done ? done->error : "no answer");
      ASSERT_EQ(records.size(), 2u);
      EXPECT_EQ(records[0].unix_us, kStartUnixUs + 1'000'000);
      EXPECT_EQ(records[1].close, px(5000.00));
      EXPECT_EQ(records[1].high, px(5000.25));  // the ask at the trade (§6.10)
      EXPECT_EQ(records[1].bid_volume, 1.0);
    }
    tc.stop();
    EXPECT_TRUE(r.send_errors.empty());
    EXPECT_TRUE(
        r.wait([&] { return h.log.contains("disconnected (peer_logoff): LOGOFF from the client"); }, kWait))
        << h.log.all();
  }
}

// --- market data variants (§5.9) ---------------------------------------------------------------

struct Stream {
  std::vector<market::Trade> trades;
  std::size_t quotes = 0;
};

Stream stream_of(const std::vector<scid::Record>& records, sim::MarketDataFormat format,
                 dtc::Encoding encoding, std::size_t expected_trades) {
  SimHarness h(records, sim::ReplaySpeed::parse("max").value(), std::nullopt, 0,
               [format](sim::SimServerConfig& c) { c.market_data = format; });
  Recorder r;
  auto o = client_options(h.server.port());
  o.session.encoding = encoding;
  net::Client c(o, r);
  c.subscribe(subscription(1));
  c.start();
  EXPECT_TRUE(r.wait([&] { return trades_in(r.messages) >= expected_trades; }, 30s));
  c.stop();
  std::lock_guard l(r.mutex);
  Stream out;
  market::DtcAdapter adapter(core::Instrument::es());
  market::Quote quote;
  for (const auto& m : r.messages) {
    market::Trade t;
    const auto e = adapter.convert(m, core::Timestamp{}, t, quote);
    EXPECT_NE(e, market::DtcEvent::kBadTime) << dtc::message_name(dtc::message_type(m));
    EXPECT_NE(e, market::DtcEvent::kBadPrice) << dtc::message_name(dtc::message_type(m));
    if (e == market::DtcEvent::kTrade) out.trades.push_back(t);
    if (e == market::DtcEvent::kQuote) ++out.quotes;
  }
  return out;
}

TEST(MarketDataVariants, EveryVariantServeSendsGivesTheTradesOfTheStandardOne) {
  const auto records = make_fixture(2500);  // every 11th trade shares its predecessor's time
  std::size_t expected = 0;
  const market::ScidAdapter scid_adapter(core::Instrument::es());
  for (const auto& rec : records) {
    market::Trade t;
    market::Quote q;
    expected += scid_adapter.convert(rec, t, q) == market::ScidEvent::kTrade ? 1 : 0;
  }
  const Stream standard =
      stream_of(records, sim::MarketDataFormat::kStandard, dtc::Encoding::kBinary, expected);
  ASSERT_EQ(standard.trades.size(), expected);
  struct Row {
    sim::MarketDataFormat format;
    dtc::Encoding encoding;
    bool whole_seconds;  // compact messages carry whole-second times (§5.5)
  };
  const std::vector<Row> rows = {
      {sim::MarketDataFormat::kCompact, dtc::Encoding::kBinary, true},
      {sim::MarketDataFormat::kNoTimestamp, dtc::Encoding::kBinary, false},
      {sim::MarketDataFormat::kFloatMicroseconds, dtc::Encoding::kBinary, false},
      {sim::MarketDataFormat::kStandard, dtc::Encoding::kJson, false},
      {sim::MarketDataFormat::kNoTimestamp, dtc::Encoding::kJsonCompact, false},
      {sim::MarketDataFormat::kCompact, dtc::Encoding::kJson, true},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(::testing::Message() << sim::to_string(row.format) << " " << dtc::to_string(row.encoding));
    const Stream got = stream_of(records, row.format, row.encoding, expected);
    ASSERT_EQ(got.trades.size(), standard.trades.size());
    EXPECT_EQ(got.quotes, standard.quotes);
    for (std::size_t i = 0; i < got.trades.size(); ++i) {
      SCOPED_TRACE(i);
      const auto& a = got.trades[i];
      const auto& b = standard.trades[i];
      EXPECT_EQ(a.price, b.price);
      EXPECT_EQ(a.volume, b.volume);
      EXPECT_EQ(a.bid_volume, b.bid_volume);
      EXPECT_EQ(a.ask_volume, b.ask_volume);
      if (row.whole_seconds) {
        const auto second = [](core::Timestamp t) { return core::to_unix_ns(t) / 1'000'000'000; };
        EXPECT_EQ(second(a.ts), second(b.ts));
      } else {
        EXPECT_EQ(a.ts, b.ts);
      }
      if (::testing::Test::HasFailure()) break;
    }
  }
}

// --- credentials (§2.6: Password is a char[32]) ------------------------------------------------

TEST(ClientCredentials, APasswordLongerThanDtcCarriesIsRefusedBeforeConnecting) {
  SimHarness h(make_fixture(10), sim::ReplaySpeed::parse("max").value());
  const std::string secret(40, 'x');
  Recorder r;
  net::Client c(client_options(h.server.port(), secret), r);
  c.start();
  ASSERT_TRUE(r.wait([&] { return !r.disconnects.empty(); }, kWait));
  const auto& [info, again] = r.disconnects[0];
  EXPECT_EQ(info.kind, dtc::CloseKind::kLogonRejected);
  EXPECT_FALSE(again);
  EXPECT_EQ(
      info.reason,
      "DTC client: the password is 40 bytes, but the LOGON_REQUEST Password field holds at most 31 (char[32] "
      "with its NUL): it would be cut, so the server could never accept it");
  c.stop();
  EXPECT_EQ(h.server.connections_accepted(), 0u);

  // The same from the environment's credentials, for `download` and `live`.
  net::Credentials creds{"trader", std::string(32, 'y')};
  const auto too_long = net::check_logon_limits(creds);
  ASSERT_FALSE(too_long);
  EXPECT_EQ(too_long.error().message,
            "DTC_PASSWORD is 32 bytes, but the DTC LOGON_REQUEST Password field holds at most 31 (char[32] "
            "with its "
            "NUL): it would be cut and could never log on; use a password of at most 31 bytes");
  EXPECT_EQ(too_long.error().message.find("yyyy"), std::string::npos);
  creds.password.resize(31);
  EXPECT_TRUE(net::check_logon_limits(creds));
  creds.username = std::string(33, 'u');
  EXPECT_NE(net::check_logon_limits(creds).error().message.find("DTC_USERNAME is 33 bytes"),
            std::string::npos);

  net::DownloadOptions d;
  d.port = h.server.port();
  d.symbol = "ESZ25";
  d.password = secret;
  d.out_path = temp_path("never-written.scid");
  const auto result = net::download_ticks(d);
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find("DTC_PASSWORD is 40 bytes"), std::string::npos)
      << result.error().message;
  EXPECT_EQ(h.server.connections_accepted(), 0u);
  EXPECT_FALSE(std::filesystem::exists(d.out_path));
}

}  // namespace
}  // namespace daytrader::testing
