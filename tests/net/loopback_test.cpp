// The client and the simulator over 127.0.0.1: logon, market data replay, historical download,
// reconnection. Every wait is bounded.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

#include "loopback_support.h"
#include "market/from_dtc.h"
#include "market/from_scid.h"
#include "net/credentials.h"
#include "net/history_download.h"
#include "scid/reader.h"

namespace daytrader::testing {
namespace {

sim::ReplaySpeed speed(const char* s) {
  return sim::ReplaySpeed::parse(s).value();
}

TEST(Loopback, LogonIsAcceptedWithTheRightPasswordAndRejectedWithAWrongOne) {
  SimHarness h(make_fixture(10), speed("max"), std::string("pw"));
  {
    Recorder r;
    auto o = client_options(h.server.port(), "pw");
    net::Client c(o, r);
    c.start();
    ASSERT_TRUE(r.wait([&] { return r.logons == 1; }));
    EXPECT_TRUE(c.is_logged_on());
    c.stop();
  }
  {
    Recorder r;
    auto o = client_options(h.server.port(), "wrong");
    o.reconnect = false;
    net::Client c(o, r);
    c.start();
    ASSERT_TRUE(r.wait([&] { return !r.disconnects.empty(); }));
    EXPECT_EQ(r.logons, 0);
    EXPECT_EQ(r.disconnects[0].first.kind, dtc::CloseKind::kLogonRejected);
    EXPECT_EQ(r.disconnects[0].first.reason,
              "LOGON_RESPONSE: Result 2 (LOGON_ERROR): Logon rejected: wrong username or password");
    EXPECT_FALSE(r.disconnects[0].second);
    c.stop();
  }
}

TEST(Loopback, SubscribersReceiveExactlyTheTradesOfTheFile) {
  const auto records = make_fixture(3000);
  SimHarness h(records, speed("max"));
  const core::Instrument es = core::Instrument::es();

  // What a backtest of the file sees.
  std::vector<market::Trade> expected;
  const market::ScidAdapter scid_adapter(es);
  for (const auto& rec : records) {
    market::Trade t;
    market::Quote q;
    if (scid_adapter.convert(rec, t, q) == market::ScidEvent::kTrade) expected.push_back(t);
  }
  ASSERT_GT(expected.size(), 2000u);

  // Two clients at once, each gets the whole file.
  Recorder r1, r2;
  net::Client c1(client_options(h.server.port()), r1);
  net::Client c2(client_options(h.server.port()), r2);
  c1.subscribe(subscription(1));
  c2.subscribe(subscription(7));
  c1.start();
  c2.start();
  for (Recorder* r : {&r1, &r2}) {
    ASSERT_TRUE(r->wait([&] { return r->count_unlocked<dtc::MarketDataUpdateTrade>() >= expected.size(); }));
    std::lock_guard lock(r->mutex);
    market::DtcAdapter adapter(es);
    std::vector<market::Trade> got;
    market::Quote quote;
    std::size_t snapshots = 0;
    for (const auto& m : r->messages) {
      snapshots += std::holds_alternative<dtc::MarketDataSnapshot>(m) ? 1 : 0;
      market::Trade t;
      if (adapter.convert(m, core::Timestamp{}, t, quote) == market::DtcEvent::kTrade) got.push_back(t);
    }
    EXPECT_EQ(snapshots, 1u);
    ASSERT_EQ(got.size(), expected.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
      SCOPED_TRACE(i);
      EXPECT_EQ(got[i].ts, expected[i].ts);
      EXPECT_EQ(got[i].price, expected[i].price);
      EXPECT_EQ(got[i].volume, expected[i].volume);
      EXPECT_EQ(got[i].bid_volume, expected[i].bid_volume);
      EXPECT_EQ(got[i].ask_volume, expected[i].ask_volume);
      if (::testing::Test::HasFailure()) break;
    }
  }
  EXPECT_EQ(r2.all<dtc::MarketDataUpdateTrade>().back().symbol_id, 7u);
  c1.stop();
  c2.stop();
}

TEST(Loopback, AnUnknownSymbolIsRejected) {
  SimHarness h(make_fixture(10), speed("max"));
  Recorder r;
  net::Client c(client_options(h.server.port()), r);
  auto bad = subscription(3);
  bad.symbol = "NQZ25";
  c.subscribe(bad);
  c.start();
  ASSERT_TRUE(r.wait([&] { return r.count_unlocked<dtc::MarketDataReject>() == 1; }));
  EXPECT_EQ(r.all<dtc::MarketDataReject>()[0].reject_text,
            "unknown symbol \"NQZ25\"; this server replays ESZ25");
  c.stop();
}

net::DownloadOptions download_options(std::uint16_t port, const std::string& out) {
  net::DownloadOptions o;
  o.host = "127.0.0.1";
  o.port = port;
  o.symbol = "ESZ25";
  o.exchange = "CME";
  o.from = core::from_unix_ns(kStartUnixUs * 1000);
  o.to = core::from_unix_ns((kStartUnixUs + 3'600'000'000) * 1000);
  o.out_path = out;
  o.retry_delay = 10ms;
  return o;
}

std::vector<scid::Record> read_all(const std::string& path) {
  auto r = scid::Reader::open(path);
  EXPECT_TRUE(r) << r.error().message;
  return {r->records().begin(), r->records().end()};
}

bool same(const scid::Record& a, const scid::Record& b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

TEST(Loopback, DownloadReproducesTheSourceFileAndResumesWithoutDuplicates) {
  const auto records = make_fixture(5000);
  SimHarness h(records, speed("max"));
  const std::string out = temp_path("download.scid");
  std::filesystem::remove(out);

  auto first = net::download_ticks(download_options(h.server.port(), out));
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->written, records.size());
  EXPECT_EQ(first->existing_records, 0u);
  auto got = read_all(out);
  ASSERT_EQ(got.size(), records.size());
  for (std::size_t i = 0; i < got.size(); ++i) ASSERT_TRUE(same(got[i], records[i])) << "record " << i;

  // Cut the file between two records of the same time and download again: the tail comes back,
  // nothing twice.
  std::size_t cut = 2000;
  while (records[cut].date_time != records[cut + 1].date_time) ++cut;  // cut between two equal times
  ++cut;
  write_scid(out,
             std::vector<scid::Record>(records.begin(), records.begin() + static_cast<std::ptrdiff_t>(cut)));
  auto second = net::download_ticks(download_options(h.server.port(), out));
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->existing_records, cut);
  EXPECT_EQ(second->written, records.size() - cut);
  EXPECT_GT(second->duplicates, 0u);
  got = read_all(out);
  ASSERT_EQ(got.size(), records.size());
  for (std::size_t i = 0; i < got.size(); ++i) ASSERT_TRUE(same(got[i], records[i])) << "record " << i;

  // Up to date: a third run writes nothing.
  auto third = net::download_ticks(download_options(h.server.port(), out));
  ASSERT_TRUE(third) << third.error().message;
  EXPECT_EQ(third->written, 0u);
  EXPECT_EQ(read_all(out).size(), records.size());
}

std::vector<std::uint8_t> file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void append_bytes(const std::string& path, std::size_t n, std::uint8_t value = 0) {
  std::ofstream f(path, std::ios::binary | std::ios::app);
  const std::vector<char> z(n, static_cast<char>(value));
  f.write(z.data(), static_cast<std::streamsize>(z.size()));
}

TEST(Loopback, DownloadResumeCutsTheZeroBytesACrashLeftAtTheEnd) {
  const auto records = make_fixture(600);
  SimHarness h(records, speed("max"));
  const std::string out = temp_path("zero-tail.scid");
  write_scid(out, std::vector<scid::Record>(records.begin(), records.begin() + 250));
  append_bytes(out, 3 * scid::kRecordSize + 17);  // three empty records and a partial one
  auto r = net::download_ticks(download_options(h.server.port(), out));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->existing_records, 250u);
  EXPECT_EQ(r->written, records.size() - 250);
  const auto got = read_all(out);
  ASSERT_EQ(got.size(), records.size());  // no empty records in the middle
  for (std::size_t i = 0; i < got.size(); ++i) ASSERT_TRUE(same(got[i], records[i])) << "record " << i;
}

TEST(Loopback, DownloadNamesTheFilesLastRecordWhenItIsAfterTheRangeOrInTheFuture) {
  SimHarness h(make_fixture(10), speed("max"));
  const std::string out = temp_path("future.scid");
  auto recs = make_fixture(3);
  recs.push_back(tick(4'102'444'800'000'000, 5000.0F, 1, true));  // 2100-01-01
  write_scid(out, recs);
  const auto before = file_bytes(out);
  auto r = net::download_ticks(download_options(h.server.port(), out));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find(out + ": its last record (record 3, DateTime 2100-01-01"), std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find("in the future"), std::string::npos) << r.error().message;
  EXPECT_EQ(file_bytes(out), before);

  // After --to but not in the future: the same message names the range's end.
  recs.back() = tick(kStartUnixUs + 7'200'000'000, 5000.0F, 1, true);
  write_scid(out, recs);
  r = net::download_ticks(download_options(h.server.port(), out));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("(record 3, DateTime"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("after the end of the range"), std::string::npos) << r.error().message;
}

TEST(Loopback, ADownloadThatCannotConnectLeavesTheFileUntouched) {
  std::uint16_t dead_port = 0;
  {
    SimHarness gone(make_fixture(1), speed("max"));
    dead_port = gone.server.port();
  }
  const std::string out = temp_path("unreachable.scid");
  write_scid(out, make_fixture(20));
  append_bytes(out, scid::kRecordSize + 11);  // an empty record and a partial one
  const auto before = file_bytes(out);
  auto o = download_options(dead_port, out);
  o.max_attempts = 2;
  auto r = net::download_ticks(o);
  ASSERT_FALSE(r);
  EXPECT_EQ(file_bytes(out), before);
}

TEST(Loopback, DownloadErrorsAreClear) {
  SimHarness h(make_fixture(10), speed("max"));
  const std::string out = temp_path("bad-symbol.scid");
  std::filesystem::remove(out);
  auto o = download_options(h.server.port(), out);
  o.symbol = "NQZ25";
  auto r = net::download_ticks(o);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            fmt::format("127.0.0.1:{}: historical data request for NQZ25 rejected: unknown symbol \"NQZ25\"; "
                        "this server has ESZ25 (reason code 2)",
                        h.server.port()));

  // A wrong password is fatal at once, not retried.
  {
    SimHarness locked(make_fixture(10), speed("max"), std::string("pw"));
    auto w = download_options(locked.server.port(), out);
    w.password = "nope";
    w.max_attempts = 3;
    r = net::download_ticks(w);
    ASSERT_FALSE(r);
    EXPECT_EQ(
        r.error().message,
        fmt::format("127.0.0.1:{}: LOGON_RESPONSE: Result 2 (LOGON_ERROR): Logon rejected: wrong username or "
                    "password",
                    locked.server.port()));
  }

  // Nobody listening: the attempts fail with the socket's reason.
  const std::uint16_t closed_port = h.server.port();
  h.server.stop();
  o.symbol = "ESZ25";
  o.max_attempts = 2;
  r = net::download_ticks(o);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("incomplete after 2 attempts"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find(fmt::format("cannot connect to 127.0.0.1:{}", closed_port)),
            std::string::npos)
      << r.error().message;
}

TEST(Loopback, TheClientReconnectsAfterAServerRestartAndResumesItsSubscription) {
  // 100 trades per second of data time, replayed in real time: mid-stream when the server dies.
  const auto records = make_fixture(100000, 10'000);
  auto first = std::make_unique<SimHarness>(records, speed("realtime"));
  const std::uint16_t port = first->server.port();
  Recorder r;
  net::Client c(client_options(port), r);
  c.subscribe(subscription(1));
  c.start();
  ASSERT_TRUE(r.wait([&] { return r.count_unlocked<dtc::MarketDataUpdateTrade>() >= 10; }));
  first->server.stop();  // abrupt: no LOGOFF
  ASSERT_TRUE(r.wait([&] { return !r.disconnects.empty(); }));
  EXPECT_TRUE(r.disconnects[0].second) << "the client must plan to reconnect";
  std::size_t before;
  {
    std::lock_guard l(r.mutex);
    before = r.count_unlocked<dtc::MarketDataUpdateTrade>();
  }
  first.reset();
  SimHarness second(records, speed("realtime"), std::nullopt, port);
  ASSERT_TRUE(r.wait([&] { return r.logons >= 2; }));
  ASSERT_TRUE(r.wait([&] { return r.count_unlocked<dtc::MarketDataUpdateTrade>() >= before + 10; }));
  {
    std::lock_guard l(r.mutex);
    EXPECT_EQ(r.count_unlocked<dtc::MarketDataSnapshot>(), 2u);  // the subscription was re-sent
  }
  EXPECT_EQ(second.sim.stats().subscriptions.load(), 1u);
  c.stop();
}

TEST(Credentials, ComeFromTheEnvironmentOrADotEnvFileAndAreNeverPrinted) {
  const std::string path = temp_path("test.env");
  {
    std::ofstream f(path);
    f << "# comment\n\nexport DTC_USERNAME = trader\nDTC_PASSWORD=\"p@ss word\"\nOTHER=1\n";
  }
  ::unsetenv("DTC_USERNAME");
  ::unsetenv("DTC_PASSWORD");
  auto c = net::load_credentials(path);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->username, "trader");
  EXPECT_EQ(c->password, "p@ss word");
  EXPECT_EQ(net::describe(*c), "username=\"trader\" password=<set>");
  ::setenv("DTC_PASSWORD", "from-env", 1);
  c = net::load_credentials(path);
  EXPECT_EQ(c->password, "from-env");
  ::unsetenv("DTC_PASSWORD");
  {
    std::ofstream f(path);
    f << "DTC_PASSWORD\n";
  }
  c = net::load_credentials(path);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message, path + ": line 1: expected KEY=VALUE");
}

}  // namespace
}  // namespace daytrader::testing
