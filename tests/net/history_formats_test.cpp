// History in every form `serve` can answer in, over 127.0.0.1: zlib-compressed (§6.7, `serve
// --zlib-history`) gives our downloader exactly the records of a plain answer, and a zip bomb is
// refused with a clear error; tick requests answered with 803 or 804 records (§6.10, `serve
// --tick-records`) give the downloader and net::TradingClient the same trades. Every wait is
// bounded.

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstring>
#include <mutex>
#include <optional>

#include "dtc/codec.h"
#include "loopback_support.h"
#include "net/history_download.h"
#include "net/trading_client.h"
#include "scid/reader.h"

namespace daytrader::testing {
namespace {

constexpr auto kWait = 10s;

sim::ReplaySpeed max_speed() {
  return sim::ReplaySpeed::parse("max").value();
}

net::DownloadOptions download_to(std::uint16_t port, const std::string& out) {
  net::DownloadOptions o;
  o.host = "127.0.0.1";
  o.port = port;
  o.symbol = "ESZ25";
  o.exchange = "CME";
  o.from = core::from_unix_ns(kStartUnixUs * 1000);
  o.to = core::from_unix_ns((kStartUnixUs + 3'600'000'000) * 1000);
  o.out_path = out;
  o.retry_delay = 10ms;
  o.max_attempts = 1;
  return o;
}

std::vector<scid::Record> download(const net::DownloadOptions& o) {
  std::filesystem::remove(o.out_path);
  auto r = net::download_ticks(o);
  EXPECT_TRUE(r) << r.error().message;
  auto reader = scid::Reader::open(o.out_path);
  EXPECT_TRUE(reader) << reader.error().message;
  if (!reader) return {};
  return {reader->records().begin(), reader->records().end()};
}

bool same_bytes(const std::vector<scid::Record>& a, const std::vector<scid::Record>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof a[0]) == 0);
}

TEST(ZlibHistory, ACompressedDownloadGetsExactlyTheRecordsOfAPlainOne) {
  const auto records = make_fixture(20'000);
  SimHarness h(records, max_speed(), std::nullopt, 0, [](sim::SimServerConfig& c) { c.zlib_history = true; });
  for (const bool raw : {true, false}) {
    SCOPED_TRACE(raw ? "records as stored" : "trades only");
    auto o = download_to(h.server.port(), temp_path(raw ? "zlib-raw.scid" : "zlib-trades.scid"));
    o.raw_records = raw;
    const auto plain = download(o);
    o.zlib = true;
    const auto zipped = download(o);
    ASSERT_GT(plain.size(), 10'000u);
    EXPECT_TRUE(same_bytes(plain, zipped));
    if (raw) {
      EXPECT_TRUE(same_bytes(plain, records));  // byte for byte the served file
    }
  }

  // The answer really was compressed: the header says so, and the records still arrive.
  Recorder r;
  auto co = client_options(h.server.port());
  co.session.heartbeat_interval_s = 0;  // historical only: where serve compresses
  co.reconnect = false;
  net::Client c(co, r);
  c.start();
  ASSERT_TRUE(r.wait([&] { return r.logons == 1; }, kWait));
  dtc::HistoricalPriceDataRequest q;
  q.request_id = 5;
  q.symbol = "ESZ25";
  q.use_zlib_compression = 1;
  c.send(q);
  ASSERT_TRUE(r.wait(
      [&] {
        for (const auto& m : r.messages)
          if (const auto* x = std::get_if<dtc::HistoricalPriceDataRecordResponse>(&m);
              x && x->is_final_record)
            return true;
        return false;
      },
      kWait));
  const auto headers = r.all<dtc::HistoricalPriceDataResponseHeader>();
  ASSERT_EQ(headers.size(), 1u);
  EXPECT_EQ(headers[0].use_zlib_compression, 1);
  EXPECT_GT(r.all<dtc::HistoricalPriceDataRecordResponse>().size(), 10'000u);
  c.stop();
}

// A server that answers every historical request with a zlib header and a bomb: a small stream
// that inflates to far more than records ever compress from.
struct BombApp : net::ServerApp {
  net::Server* server = nullptr;
  std::vector<std::uint8_t> bomb;
  void on_message(net::ConnectionId id, const dtc::Message& m, core::Timestamp) override {
    const auto* r = std::get_if<dtc::HistoricalPriceDataRequest>(&m);
    auto* s = server->session(id);
    if (r == nullptr || s == nullptr) return;
    dtc::HistoricalPriceDataResponseHeader h;
    h.request_id = r->request_id;
    h.use_zlib_compression = 1;
    (void)s->send(h);
    (void)s->send_encoded(bomb);  // binary session: the bytes as they are
  }
};

TEST(ZlibHistory, AZipBombIsRefusedWithAClearError) {
  std::vector<std::uint8_t> plain;
  dtc::HistoricalPriceDataRecordResponse same;
  same.request_id = 1;
  same.start_date_time = kStartUnixUs;
  same.last_price = 5000;
  same.volume = 1;
  same.num_trades = 1;
  for (int i = 0; i < 80'000; ++i) dtc::encode_into(dtc::Message(same), plain);
  uLongf size = compressBound(static_cast<uLong>(plain.size()));
  BombApp app;
  app.bomb.resize(size);
  ASSERT_EQ(compress2(app.bomb.data(), &size, plain.data(), static_cast<uLong>(plain.size()), 9), Z_OK);
  app.bomb.resize(size);
  net::ServerOptions so;
  so.bind_address = "127.0.0.1";
  so.port = 0;
  net::Server server(so, app);
  app.server = &server;
  ASSERT_TRUE(server.start());
  auto o = download_to(server.port(), temp_path("bomb.scid"));
  o.zlib = true;
  o.raw_records = false;
  std::filesystem::remove(o.out_path);
  const auto r = net::download_ticks(o);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find(fmt::format("127.0.0.1:{}: DTC zlib: ", server.port())), std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find("refusing it as a zip bomb"), std::string::npos) << r.error().message;
  server.stop();
}

// --- tick records: 803 or 804 (§6.10) --------------------------------------------------------

struct TradeFields {
  std::int64_t unix_us;
  double price, volume, bid_volume, ask_volume;
  bool operator==(const TradeFields&) const = default;
};

std::vector<TradeFields> trades_of(const std::vector<scid::Record>& file) {
  std::vector<TradeFields> out;
  for (const auto& r : file)
    out.push_back({r.date_time - scid::kEpochOffsetUs, r.close, static_cast<double>(r.total_volume),
                   static_cast<double>(r.bid_volume), static_cast<double>(r.ask_volume)});
  return out;
}

std::vector<TradeFields> history_trades(std::uint16_t port) {
  net::TradingClientOptions o;
  o.client = client_options(port);
  o.order_id_prefix = "TRK";
  net::TradingClient tc(o);
  tc.start();
  EXPECT_TRUE(tc.wait_until([&] { return tc.is_logged_on(); }, kWait));
  std::mutex m;
  std::vector<TradeFields> got;
  std::optional<net::HistoryDone> done;
  const auto es = core::Instrument::es();
  const auto id = tc.request_history(
      "ESZ25", "CME", core::Timestamp{}, core::Timestamp{}, net::HistoryInterval::kTicks,
      [&](const net::HistoryRecord& x) {
        std::lock_guard l(m);
        got.push_back({x.unix_us, es.to_price(x.close), x.volume, x.bid_volume, x.ask_volume});
      },
      [&](const net::HistoryDone& d) {
        std::lock_guard l(m);
        done = d;
      });
  EXPECT_TRUE(tc.wait_until([&] { return tc.request_complete(id); }, kWait));
  tc.stop();
  std::lock_guard l(m);
  EXPECT_TRUE(done && done->ok) << (done ? done->error : "no answer");
  return got;
}

TEST(TickRecords, ServeAnswersTicksAs803Or804AndOurClientsReadTheSameTrades) {
  const auto records = make_fixture(6000);
  std::vector<TradeFields> expected;
  for (const auto& r : records)
    if (scid::classify(r) == scid::RecordKind::kTrade && r.total_volume > 0)
      expected.push_back(trades_of({r})[0]);
  std::optional<std::vector<TradeFields>> downloaded_803, history_803;
  for (const auto format : {sim::TickRecordFormat::k803, sim::TickRecordFormat::k804}) {
    SCOPED_TRACE(sim::to_string(format));
    SimHarness h(records, max_speed(), std::nullopt, 0,
                 [format](sim::SimServerConfig& c) { c.tick_records = format; });
    auto o = download_to(h.server.port(), temp_path(fmt::format("ticks-{}.scid", sim::to_string(format))));
    o.raw_records = false;  // the §6.10 answer, in the chosen record type
    const auto file = download(o);
    const auto downloaded = trades_of(file);
    EXPECT_EQ(downloaded, expected);
    for (const auto& r : file) EXPECT_EQ(scid::classify(r), scid::RecordKind::kTrade);
    const auto history = history_trades(h.server.port());
    EXPECT_EQ(history, expected);
    if (format == sim::TickRecordFormat::k803) {
      downloaded_803 = downloaded;
      history_803 = history;
      // 803 records carry the bid and ask of each trade too.
      ASSERT_FALSE(file.empty());
      EXPECT_NE(file[0].high, 0.0F);
    } else {
      EXPECT_EQ(downloaded, *downloaded_803);
      EXPECT_EQ(history, *history_803);
    }
    // Asking for the records as stored (the downloader's default) is 803 either way: the file
    // comes back byte for byte.
    o.raw_records = true;
    EXPECT_TRUE(same_bytes(download(o), records));
  }
}

}  // namespace
}  // namespace daytrader::testing
