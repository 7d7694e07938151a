#include "gen/market_generator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include <unistd.h>

#include <date/date.h>

#include "core/instrument.h"
#include "core/session_calendar.h"
#include "gen/activity_profile.h"
#include "gen/market_stats.h"
#include "market/from_scid.h"
#include "scid/reader.h"
#include "scid/writer.h"

namespace daytrader::gen {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// --- helpers ---------------------------------------------------------------------------------

fs::path temp_dir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const fs::path dir = fs::temp_directory_path() /
                       (std::string("dt_gen_") + (info ? info->test_suite_name() : "suite") + "_" +
                        (info ? info->name() : "setup") + "_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir;
}

std::vector<unsigned char> read_bytes(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), {}};
}

struct Generated {
  GeneratorSummary summary;
  std::vector<scid::Record> records;
};

// Generates into a file, then reads the file back (the records a consumer would see).
Generated generate_file(const GeneratorConfig& config, const fs::path& path) {
  Generated g;
  {
    auto writer = scid::Writer::open(path.string(), scid::Writer::Mode::kTruncate);
    EXPECT_TRUE(writer.has_value()) << writer.error().message;
    auto summary = generate(config, *writer);
    EXPECT_TRUE(summary.has_value()) << summary.error().message;
    g.summary = std::move(*summary);
    EXPECT_TRUE(writer->close().has_value());
  }
  auto reader = scid::Reader::open(path.string());
  EXPECT_TRUE(reader.has_value()) << reader.error().message;
  g.records.assign(reader->records().begin(), reader->records().end());
  return g;
}

// A trade read back through the market adapter, with its session.
struct Print {
  market::Trade trade;
  market::Quote quote;
  std::size_t session = 0;
};

std::vector<Print> read_back(const Generated& g) {
  const market::ScidAdapter adapter(core::Instrument::es());
  std::vector<Print> out;
  out.reserve(g.records.size());
  std::size_t s = 0;
  for (const scid::Record& r : g.records) {
    Print p;
    const auto ev = adapter.convert(r, p.trade, p.quote);
    EXPECT_EQ(ev, market::ScidEvent::kTrade);
    while (s + 1 < g.summary.per_session.size() && p.trade.ts >= g.summary.per_session[s].close) ++s;
    p.session = s;
    out.push_back(p);
  }
  return out;
}

int local_minute_of_day(core::Timestamp t) {
  const auto local = core::SessionCalendar::cme_globex().to_local(t);
  return static_cast<int>(
      std::chrono::duration_cast<std::chrono::minutes>(local - date::floor<date::days>(local)).count());
}

// One-minute buckets, built here from the trades (not with the project's bar builders).
struct Minute {
  std::int64_t index = 0;  // minutes since the Unix epoch
  std::size_t session = 0;
  int local_minute = 0;  // Central time, minutes after midnight
  double ask_volume = 0, bid_volume = 0, volume = 0;
  std::int64_t close = 0;  // ticks
  std::size_t first_print = 0;
  double open_mid = 0;  // ticks: the quote of the first print
};

std::vector<Minute> minute_buckets(const std::vector<Print>& prints) {
  std::vector<Minute> out;
  for (std::size_t i = 0; i < prints.size(); ++i) {
    const Print& p = prints[i];
    const std::int64_t index = core::to_unix_ns(p.trade.ts) / 60'000'000'000LL;
    if (out.empty() || out.back().index != index) {
      Minute m;
      m.index = index;
      m.session = p.session;
      m.local_minute = local_minute_of_day(p.trade.ts);
      m.first_print = i;
      m.open_mid = 0.5 * static_cast<double>(p.quote.bid.count() + p.quote.ask.count());
      out.push_back(m);
    }
    Minute& m = out.back();
    m.ask_volume += p.trade.ask_volume;
    m.bid_volume += p.trade.bid_volume;
    m.volume += p.trade.volume;
    m.close = p.trade.price.count();
  }
  return out;
}

bool in_rth(int local_minute) { return local_minute >= kRthOpenMinute && local_minute < kRthCloseMinute; }

double correlation(const std::vector<double>& x, const std::vector<double>& y) {
  double mx = 0, my = 0;
  for (std::size_t i = 0; i < x.size(); ++i) mx += x[i], my += y[i];
  mx /= static_cast<double>(x.size());
  my /= static_cast<double>(y.size());
  double sxy = 0, sxx = 0, syy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  return sxy / std::sqrt(sxx * syy);
}

// Imbalance of minute t (a bar with trades) against the return from the quote after it to the
// quote after minute t + h, a quote after minute k being the mid of the first print at or after
// the start of minute k + 1 in the same session (docs/synthetic-market.md: unlike the bar's
// close, it carries no bid-ask bounce). Written here independently of gen/market_stats.cpp.
struct ImbalanceReturns {
  std::vector<double> imbalance;
  std::vector<double> forward_return;  // ticks
};

ImbalanceReturns imbalance_vs_return(const std::vector<Minute>& minutes, int h, bool rth_only) {
  std::map<std::int64_t, std::size_t> by_index;
  for (std::size_t i = 0; i < minutes.size(); ++i) by_index[minutes[i].index] = i;
  auto quote_after = [&](const Minute& m, std::int64_t k, double& mid) {
    const auto it = by_index.lower_bound(k + 1);
    if (it == by_index.end() || minutes[it->second].session != m.session) return false;
    mid = minutes[it->second].open_mid;
    return true;
  };
  ImbalanceReturns r;
  for (const Minute& m : minutes) {
    if (rth_only && !in_rth(m.local_minute)) continue;
    double now = 0, later = 0;
    if (!quote_after(m, m.index, now) || !quote_after(m, m.index + h, later)) continue;
    r.imbalance.push_back((m.ask_volume - m.bid_volume) / m.volume);
    r.forward_return.push_back(later - now);
  }
  return r;
}

// A small generator config for tests: fewer orders than the default, same dynamics.
GeneratorConfig test_config(std::uint64_t seed, int sessions, date::sys_days first) {
  GeneratorConfig c;
  c.seed = seed;
  c.sessions = sessions;
  c.first_trade_date = first;
  c.orders_per_session = 20'000;
  return c;
}

constexpr auto kThu20240307 = date::sys_days(date::year{2024} / 3 / 7);
// Fingerprints of today's output (TheDefaultMarketIsPinnedByteForByte).
constexpr std::size_t kPinnedDefaultRecords = 2'955'711;
constexpr std::uint64_t kPinnedDefaultHash = 0x42e1e42e3654fe59ULL;
constexpr std::size_t kPinnedSmallBytes = 2'525'416;
constexpr std::uint64_t kPinnedSmallHash = 0xa4de809891cd9edfULL;

// --- one shared file for the structural tests --------------------------------------------------
// Thu 2024-03-07 .. Tue 2024-03-12 at half the default scale: a weekend and the DST switch of
// Sunday 2024-03-10 in between.
class GeneratedMarket : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // One directory per process: ctest runs each test in its own process, possibly in parallel.
    dir_ = new fs::path(fs::temp_directory_path() / ("dt_gen_GeneratedMarket_" + std::to_string(::getpid())));
    fs::create_directories(*dir_);
    GeneratorConfig c;
    c.seed = 11;
    c.sessions = 4;
    c.first_trade_date = kThu20240307;
    c.orders_per_session = 50'000;
    g_ = new Generated(generate_file(c, *dir_ / "ES.scid"));
    prints_ = new std::vector<Print>(read_back(*g_));
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete prints_;
    delete g_;
    delete dir_;
  }
  static fs::path* dir_;
  static Generated* g_;
  static std::vector<Print>* prints_;
};
fs::path* GeneratedMarket::dir_ = nullptr;
Generated* GeneratedMarket::g_ = nullptr;
std::vector<Print>* GeneratedMarket::prints_ = nullptr;

TEST_F(GeneratedMarket, SessionsAreConsecutiveWeekdayTradeDates) {
  const auto& s = g_->summary.per_session;
  ASSERT_EQ(s.size(), 4U);
  EXPECT_EQ(s[0].trade_date, date::sys_days(date::year{2024} / 3 / 7));
  EXPECT_EQ(s[1].trade_date, date::sys_days(date::year{2024} / 3 / 8));
  EXPECT_EQ(s[2].trade_date, date::sys_days(date::year{2024} / 3 / 11));  // Monday, opened Sunday
  EXPECT_EQ(s[3].trade_date, date::sys_days(date::year{2024} / 3 / 12));
  EXPECT_EQ(g_->summary.sessions, 4);
}

TEST_F(GeneratedMarket, SessionsOpenAt17ChicagoOnBothSidesOfTheDstChange) {
  const auto& cal = core::SessionCalendar::cme_globex();
  struct Row {
    std::size_t session;
    int open_utc_hour;   // 17:00 CT in UTC: 23 in winter (CST), 22 in summer (CDT)
    int close_utc_hour;  // 16:00 CT in UTC
  };
  const Row rows[] = {{0, 23, 22}, {1, 23, 22}, {2, 22, 21}, {3, 22, 21}};
  for (const Row& row : rows) {
    const SessionSummary& s = g_->summary.per_session[row.session];
    const auto open_tod = date::make_time(s.open - date::floor<date::days>(s.open));
    const auto close_tod = date::make_time(s.close - date::floor<date::days>(s.close));
    EXPECT_EQ(open_tod.hours().count(), row.open_utc_hour) << "session " << row.session;
    EXPECT_EQ(close_tod.hours().count(), row.close_utc_hour) << "session " << row.session;
    EXPECT_EQ(cal.format_local(s.open).substr(11), "17:00:00") << "session " << row.session;
    EXPECT_EQ(cal.format_local(s.close).substr(11), "16:00:00") << "session " << row.session;
  }
  // The first and last print of each session sit just after its open and just before its close.
  std::vector<core::Timestamp> first(4, core::Timestamp::max()), last(4, core::Timestamp::min());
  for (const Print& p : *prints_) {
    first[p.session] = std::min(first[p.session], p.trade.ts);
    last[p.session] = std::max(last[p.session], p.trade.ts);
  }
  for (std::size_t i = 0; i < 4; ++i) {
    const SessionSummary& s = g_->summary.per_session[i];
    EXPECT_GE(first[i], s.open);
    EXPECT_LT(first[i], s.open + 1min) << "session " << i;
    EXPECT_LT(last[i], s.close);
    EXPECT_GE(last[i], s.close - 1min) << "session " << i;
  }
}

TEST_F(GeneratedMarket, EveryTradeIsInsideASessionOnTheGridAtTheBidOrTheAsk) {
  const auto& cal = core::SessionCalendar::cme_globex();
  std::size_t outside = 0, bad_quote = 0, not_at_touch = 0, bad_side = 0, bad_fields = 0;
  for (std::size_t i = 0; i < prints_->size(); ++i) {
    const Print& p = (*prints_)[i];
    const scid::Record& r = g_->records[i];
    const core::Session s = cal.session(cal.trade_date(p.trade.ts));
    if (!s.contains(p.trade.ts) || !core::SessionCalendar::is_weekday(s.trade_date)) ++outside;
    if (!(p.quote.bid < p.quote.ask) || p.quote.bid.count() <= 0) ++bad_quote;
    const bool at_bid = p.trade.price == p.quote.bid;
    const bool at_ask = p.trade.price == p.quote.ask;
    if (!at_bid && !at_ask) ++not_at_touch;
    if ((at_ask && (p.trade.ask_volume != p.trade.volume || p.trade.bid_volume != 0)) ||
        (at_bid && (p.trade.bid_volume != p.trade.volume || p.trade.ask_volume != 0)))
      ++bad_side;
    // Prices are exact multiples of 0.25 as floats; Open is one of the three markers.
    const std::uint32_t open_bits = std::bit_cast<std::uint32_t>(r.open);
    const bool marker = open_bits == scid::kSingleTradeBits || open_bits == scid::kFirstSubTradeBits ||
                        open_bits == scid::kLastSubTradeBits;
    if (!marker || r.num_trades != 1 || r.total_volume == 0 || r.close * 4.0F != std::round(r.close * 4.0F) ||
        r.high * 4.0F != std::round(r.high * 4.0F) || r.low * 4.0F != std::round(r.low * 4.0F))
      ++bad_fields;
  }
  EXPECT_GT(prints_->size(), 200'000U);
  EXPECT_EQ(outside, 0U);
  EXPECT_EQ(bad_quote, 0U);
  EXPECT_EQ(not_at_touch, 0U);
  EXPECT_EQ(bad_side, 0U);
  EXPECT_EQ(bad_fields, 0U);
}

TEST_F(GeneratedMarket, TimestampsStrictlyIncreaseWithAMicrosecondCounterInsideEachMillisecond) {
  std::size_t not_increasing = 0, bad_counter = 0, shared_ms = 0;
  for (std::size_t i = 1; i < g_->records.size(); ++i) {
    const std::int64_t prev = g_->records[i - 1].date_time;
    const std::int64_t cur = g_->records[i].date_time;
    if (cur <= prev) ++not_increasing;
    if (cur / 1000 == prev / 1000) {
      ++shared_ms;
      if (cur != prev + 1) ++bad_counter;  // the next number of the counter
    } else if (cur % 1000 != 0) {
      ++bad_counter;  // a new millisecond starts the counter at 000
    }
  }
  EXPECT_EQ(not_increasing, 0U);
  EXPECT_EQ(bad_counter, 0U);
  EXPECT_GT(shared_ms, g_->records.size() / 10);  // multi-fill orders share their millisecond
}

TEST_F(GeneratedMarket, UnbundledFillsAreMarkedFirstAndLastAndShareSideAndMillisecond) {
  std::size_t groups = 0, broken = 0;
  bool in_group = false;
  std::int64_t group_ms = 0;
  std::uint32_t group_side = 0;
  for (const scid::Record& r : g_->records) {
    const std::uint32_t bits = std::bit_cast<std::uint32_t>(r.open);
    const std::uint32_t side = r.ask_volume > 0 ? 1 : 2;
    if (bits == scid::kFirstSubTradeBits) {
      if (in_group) ++broken;
      in_group = true;
      group_ms = r.date_time / 1000;
      group_side = side;
      ++groups;
    } else if (in_group) {
      if (r.date_time / 1000 != group_ms || side != group_side) ++broken;
      if (bits == scid::kLastSubTradeBits) in_group = false;
    } else if (bits == scid::kLastSubTradeBits) {
      ++broken;
    }
  }
  EXPECT_FALSE(in_group);
  EXPECT_EQ(broken, 0U);
  EXPECT_GT(groups, g_->summary.orders / 10);
}

TEST_F(GeneratedMarket, SpreadIsUsuallyOneTickAndSometimesTwo) {
  std::size_t one = 0, two = 0;
  for (const Print& p : *prints_) {
    const auto spread = (p.quote.ask - p.quote.bid).count();
    one += spread == 1;
    two += spread == 2;
  }
  const double n = static_cast<double>(prints_->size());
  EXPECT_GT(one / n, 0.95);
  EXPECT_GT(two / n, 0.005);
  EXPECT_LT(two / n, 0.05);
}

TEST_F(GeneratedMarket, VolumeIsUShapedAndConcentratedInRegularTradingHours) {
  // Average volume per minute in Central-time windows.
  struct Window {
    int from, to;
    double volume = 0;
  };
  Window first30{8 * 60 + 30, 9 * 60}, last30{14 * 60 + 30, 15 * 60}, midday{11 * 60, 13 * 60},
      rth{8 * 60 + 30, 15 * 60}, overnight_a{17 * 60, 24 * 60}, overnight_b{0, 8 * 60 + 30};
  double total = 0;
  for (const Print& p : *prints_) {
    const int m = local_minute_of_day(p.trade.ts);
    for (Window* w : {&first30, &last30, &midday, &rth, &overnight_a, &overnight_b})
      if (m >= w->from && m < w->to) w->volume += p.trade.volume;
    total += p.trade.volume;
  }
  const double sessions = 4;
  auto per_minute = [&](const Window& w) { return w.volume / ((w.to - w.from) * sessions); };
  const double overnight = (overnight_a.volume + overnight_b.volume) /
                           ((overnight_a.to - overnight_a.from + overnight_b.to - overnight_b.from) * sessions);
  EXPECT_GT(per_minute(first30), 1.8 * per_minute(midday));
  EXPECT_GT(per_minute(last30), 1.3 * per_minute(midday));
  EXPECT_GT(per_minute(rth), 4.0 * overnight);
  const double rth_share = rth.volume / total;
  EXPECT_GT(rth_share, 0.6);
  EXPECT_LT(rth_share, 0.85);
}

TEST_F(GeneratedMarket, TradeSizesAreHeavyTailedWithASmallMean) {
  std::uint64_t volume = 0, big_fills = 0;
  for (const scid::Record& r : g_->records) {
    volume += r.total_volume;
    big_fills += r.total_volume >= 100;
  }
  const double mean_fill = static_cast<double>(volume) / static_cast<double>(g_->records.size());
  const double mean_order = static_cast<double>(g_->summary.volume) / static_cast<double>(g_->summary.orders);
  std::uint32_t largest = 0;
  for (const auto& s : g_->summary.per_session) largest = std::max(largest, s.largest_order);
  EXPECT_GT(mean_fill, 1.5);
  EXPECT_LT(mean_fill, 4.0);
  EXPECT_GT(mean_order, 2.5);
  EXPECT_LT(mean_order, 5.0);
  EXPECT_GE(big_fills, 4U);    // occasional 100+ lot prints
  EXPECT_GE(largest, 1000U);   // and a few very large orders
}

TEST_F(GeneratedMarket, SummaryAgreesWithTheRecordsInTheFile) {
  std::uint64_t volume = 0, ask = 0, bid = 0;
  std::vector<std::int64_t> hi(4, INT64_MIN), lo(4, INT64_MAX);
  for (const Print& p : *prints_) {
    volume += p.trade.volume;
    ask += p.trade.ask_volume;
    bid += p.trade.bid_volume;
    hi[p.session] = std::max(hi[p.session], p.trade.price.count());
    lo[p.session] = std::min(lo[p.session], p.trade.price.count());
  }
  std::uint64_t ask_sum = 0, bid_sum = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    const auto& s = g_->summary.per_session[i];
    ask_sum += s.ask_volume;
    bid_sum += s.bid_volume;
    EXPECT_EQ(s.high.count(), hi[i]);
    EXPECT_EQ(s.low.count(), lo[i]);
  }
  EXPECT_EQ(g_->summary.trades, g_->records.size());
  EXPECT_EQ(g_->summary.volume, volume);
  EXPECT_EQ(ask_sum, ask);
  EXPECT_EQ(bid_sum, bid);
  EXPECT_EQ(ask + bid, volume);
}

// --- determinism ---------------------------------------------------------------------------------

TEST(MarketGenerator, SameSeedWritesAByteIdenticalFileAndAnotherSeedDoesNot) {
  const fs::path dir = temp_dir();
  const GeneratorConfig a = test_config(5, 2, kThu20240307);
  GeneratorConfig b = a;
  b.seed = 6;
  (void)generate_file(a, dir / "a1.scid");
  (void)generate_file(a, dir / "a2.scid");
  (void)generate_file(b, dir / "b.scid");
  const auto a1 = read_bytes(dir / "a1.scid");
  const auto a2 = read_bytes(dir / "a2.scid");
  const auto b1 = read_bytes(dir / "b.scid");
  fs::remove_all(dir);
  EXPECT_GT(a1.size(), 56U + 40U * 50'000U);
  EXPECT_TRUE(a1 == a2);
  EXPECT_FALSE(a1 == b1);
}

// FNV-1a, 64 bits: a fingerprint of bytes that needs no library.
std::uint64_t fnv1a(const void* data, std::size_t n, std::uint64_t h = 0xcbf29ce484222325ULL) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 0x100000001b3ULL;
  return h;
}

// The output is pinned: these fingerprints were taken before signal_strength existed, so the
// default (strength 1) market, and the bundled default data file with it, stays byte-for-byte the
// same. A deliberate change of the model updates them (and docs/synthetic-market.md's figures).
TEST(MarketGenerator, TheDefaultMarketIsPinnedByteForByte) {
  // The bundled default data (`daytrader generate` with no options): 20 sessions, seed 1.
  auto gen = MarketGenerator::create(GeneratorConfig{});
  ASSERT_TRUE(gen.has_value());
  std::vector<scid::Record> records;
  std::uint64_t h = 0xcbf29ce484222325ULL;
  std::size_t n = 0;
  while (!gen->done()) {
    records.clear();
    (void)gen->next_session(records);
    h = fnv1a(records.data(), records.size() * sizeof(scid::Record), h);
    n += records.size();
  }
  EXPECT_EQ(n, kPinnedDefaultRecords);
  EXPECT_EQ(h, kPinnedDefaultHash) << std::hex << "0x" << h;

  // A small file, header included, with every record kind and a weekend.
  const fs::path dir = temp_dir();
  GeneratorConfig c = test_config(5, 3, kThu20240307);
  c.unbundle_fills = false;
  (void)generate_file(c, dir / "small.scid");
  const auto bytes = read_bytes(dir / "small.scid");
  fs::remove_all(dir);
  EXPECT_EQ(bytes.size(), kPinnedSmallBytes);
  EXPECT_EQ(fnv1a(bytes.data(), bytes.size()), kPinnedSmallHash) << std::hex << "0x" << fnv1a(bytes.data(), bytes.size());
}

TEST(MarketGenerator, AShortRunIsAPrefixOfALongerRun) {
  auto short_run = MarketGenerator::create(test_config(9, 1, kThu20240307));
  auto long_run = MarketGenerator::create(test_config(9, 3, kThu20240307));
  ASSERT_TRUE(short_run.has_value());
  ASSERT_TRUE(long_run.has_value());
  std::vector<scid::Record> s, l;
  while (!short_run->done()) (void)short_run->next_session(s);
  while (!long_run->done()) (void)long_run->next_session(l);
  ASSERT_GT(l.size(), s.size());
  EXPECT_EQ(0, std::memcmp(s.data(), l.data(), s.size() * sizeof(scid::Record)));
}

TEST(MarketGenerator, WithoutUnbundlingEachOrderPrintsOneRecordPerPriceLevel) {
  GeneratorConfig c = test_config(4, 1, kThu20240307);
  c.unbundle_fills = false;
  auto gen = MarketGenerator::create(c);
  ASSERT_TRUE(gen.has_value());
  std::vector<scid::Record> records;
  const SessionSummary s = gen->next_session(records);
  std::size_t single = 0;
  for (const scid::Record& r : records) single += std::bit_cast<std::uint32_t>(r.open) == scid::kSingleTradeBits;
  // Only sweeps print more than one record, one per price level, FIRST ... LAST.
  EXPECT_GE(s.trades, s.orders);
  EXPECT_LE(s.trades, s.orders + s.sweeps * static_cast<std::uint64_t>(c.max_sweep_levels - 1));
  EXPECT_GE(single, s.orders - s.sweeps);
  EXPECT_GT(s.sweeps, 0U);
}

// --- price behaviour -------------------------------------------------------------------------

TEST(MarketGenerator, DailyRangesAreRealisticForEs) {
  // 20 sessions at a reduced order count; the price dynamics do not depend on the scale.
  GeneratorConfig c;
  c.orders_per_session = 20'000;
  auto gen = MarketGenerator::create(c);
  ASSERT_TRUE(gen.has_value());
  std::vector<double> ranges;
  std::vector<scid::Record> records;
  while (!gen->done()) {
    records.clear();
    const SessionSummary s = gen->next_session(records);
    ranges.push_back(static_cast<double>((s.high - s.low).count()) * 0.25);
  }
  std::sort(ranges.begin(), ranges.end());
  const double median = (ranges[9] + ranges[10]) / 2;
  EXPECT_GE(ranges.front(), 15.0);
  EXPECT_LE(ranges.back(), 200.0);
  EXPECT_GE(median, 35.0);
  EXPECT_LE(median, 90.0);
  EXPECT_NEAR(gen->config().start_price, 5000.0, 0.0);
}

// Three seeds x ten sessions at a reduced order count, read back through market::ScidAdapter and
// bucketed into 1-minute bars here (not with the project's bar builders).
class PredictiveMarket : public ::testing::Test {
 protected:
  struct Run {
    std::uint64_t seed = 0;
    std::vector<Print> prints;
    std::vector<Minute> minutes;
  };
  static void SetUpTestSuite() {
    runs_ = new std::vector<Run>();
    const fs::path dir = fs::temp_directory_path() / ("dt_gen_PredictiveMarket_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    for (std::uint64_t seed : {101, 202, 303}) {
      GeneratorConfig c = test_config(seed, 10, date::sys_days(date::year{2024} / 2 / 26));
      c.orders_per_session = 20'000;
      const Generated g = generate_file(c, dir / "ES.scid");
      Run r;
      r.seed = seed;
      r.prints = read_back(g);
      r.minutes = minute_buckets(r.prints);
      runs_->push_back(std::move(r));
    }
    fs::remove_all(dir);
  }
  static void TearDownTestSuite() { delete runs_; }
  static std::vector<Run>* runs_;
};
std::vector<PredictiveMarket::Run>* PredictiveMarket::runs_ = nullptr;

ImbalanceReturns pooled(const std::vector<const std::vector<Minute>*>& runs, int h, bool rth_only) {
  ImbalanceReturns all;
  for (const auto* minutes : runs) {
    const ImbalanceReturns r = imbalance_vs_return(*minutes, h, rth_only);
    all.imbalance.insert(all.imbalance.end(), r.imbalance.begin(), r.imbalance.end());
    all.forward_return.insert(all.forward_return.end(), r.forward_return.begin(), r.forward_return.end());
  }
  return all;
}

TEST_F(PredictiveMarket, OrderFlowImbalancePredictsTheNextMinutesReturnAcrossSeeds) {
  // Thresholds are well below the measured values (docs/synthetic-market.md has both).
  std::vector<const std::vector<Minute>*> all_runs;
  for (const Run& r : *runs_) {
    all_runs.push_back(&r.minutes);
    const ImbalanceReturns all5 = imbalance_vs_return(r.minutes, 5, false);
    const ImbalanceReturns rth5 = imbalance_vs_return(r.minutes, 5, true);
    EXPECT_GT(correlation(all5.imbalance, all5.forward_return), 0.025) << "seed " << r.seed;
    EXPECT_GT(correlation(rth5.imbalance, rth5.forward_return), 0.04) << "seed " << r.seed;
  }
  const ImbalanceReturns all1 = pooled(all_runs, 1, false);
  const ImbalanceReturns all5 = pooled(all_runs, 5, false);
  const ImbalanceReturns rth3 = pooled(all_runs, 3, true);
  const ImbalanceReturns rth5 = pooled(all_runs, 5, true);
  EXPECT_GT(all1.imbalance.size(), 30U * 1300U);
  EXPECT_GT(correlation(all1.imbalance, all1.forward_return), 0.01);
  EXPECT_GT(correlation(all5.imbalance, all5.forward_return), 0.04);
  EXPECT_GT(correlation(rth3.imbalance, rth3.forward_return), 0.07);
  EXPECT_GT(correlation(rth5.imbalance, rth5.forward_return), 0.08);
  // No drift: the unconditional next-minute return is about zero.
  double sum = 0, sum2 = 0;
  for (double r : all1.forward_return) sum += r, sum2 += r * r;
  const double n = static_cast<double>(all1.forward_return.size());
  const double mean = sum / n;
  const double sd = std::sqrt(sum2 / n - mean * mean);
  EXPECT_LT(std::fabs(mean), 0.05 * sd);
  EXPECT_LT(std::fabs(mean), 0.2);
}

// The trade an agent would make: decide at a 1-minute close, enter at the next minute's first
// print, exit on a 10-tick target or stop (or the session's last print), pay 1 tick of slippage
// and $4.50 commission per round trip. One position at a time.
struct BracketResult {
  int trades = 0;
  double net_ticks = 0;
  [[nodiscard]] double per_trade() const { return trades > 0 ? net_ticks / trades : 0.0; }
};

template <typename Decide>
BracketResult trade_brackets(const std::vector<Print>& prints, const std::vector<Minute>& minutes, Decide decide) {
  constexpr std::int64_t kBracketTicks = 10;
  constexpr double kCostTicks = 1.0 + 450.0 / 1250.0;
  BracketResult result;
  std::int64_t flat_from_minute = 0;
  for (std::size_t i = 0; i + 1 < minutes.size(); ++i) {
    const Minute& m = minutes[i];
    if (!in_rth(m.local_minute) || minutes[i + 1].session != m.session || minutes[i + 1].index <= flat_from_minute)
      continue;
    const int side = decide(i);
    if (side == 0) continue;
    const std::size_t entry_at = minutes[i + 1].first_print;
    const std::int64_t entry = prints[entry_at].trade.price.count();
    std::size_t j = entry_at + 1;
    std::int64_t gross = 0;
    for (; j < prints.size() && prints[j].session == m.session; ++j) {
      gross = (prints[j].trade.price.count() - entry) * side;
      if (gross >= kBracketTicks || gross <= -kBracketTicks) break;
    }
    if (j == prints.size() || prints[j].session != m.session) --j;  // the session's last print
    gross = std::clamp((prints[j].trade.price.count() - entry) * side, -kBracketTicks, kBracketTicks);
    result.net_ticks += static_cast<double>(gross) - kCostTicks;
    ++result.trades;
    flat_from_minute = core::to_unix_ns(prints[j].trade.ts) / 60'000'000'000LL;
  }
  return result;
}

TEST_F(PredictiveMarket, FollowingImbalanceBeatsRandomEntriesAfterCosts) {
  // A fixed rule (no learning): follow the last three minutes' imbalance when it exceeds 0.35.
  BracketResult follow, random;
  Rng coin(99);
  for (const Run& r : *runs_) {
    const auto& mins = r.minutes;
    const BracketResult f = trade_brackets(r.prints, mins, [&](std::size_t i) {
      if (i < 2 || mins[i - 2].session != mins[i].session) return 0;
      const double ask = mins[i].ask_volume + mins[i - 1].ask_volume + mins[i - 2].ask_volume;
      const double bid = mins[i].bid_volume + mins[i - 1].bid_volume + mins[i - 2].bid_volume;
      const double imbalance = (ask - bid) / (ask + bid);
      return imbalance > 0.35 ? 1 : imbalance < -0.35 ? -1 : 0;
    });
    const BracketResult c = trade_brackets(r.prints, mins, [&](std::size_t) { return coin.bernoulli(0.5) ? 1 : -1; });
    follow.trades += f.trades;
    follow.net_ticks += f.net_ticks;
    random.trades += c.trades;
    random.net_ticks += c.net_ticks;
  }
  EXPECT_GT(follow.trades, 300);
  EXPECT_GT(random.trades, 1000);
  EXPECT_GT(follow.per_trade(), 0.0) << "net ticks per trade over " << follow.trades << " trades";
  EXPECT_LT(random.per_trade(), -0.5) << "net ticks per trade over " << random.trades << " trades";
  EXPECT_GT(follow.per_trade() - random.per_trade(), 1.0);
}

// `daytrader generate --stats` (gen::measure_predictability) computes the same figures as the
// hand-written code above, on the records of the file.
TEST_F(PredictiveMarket, MeasurePredictabilityAgreesWithTheseIndependentComputations) {
  const fs::path dir = fs::temp_directory_path() / ("dt_gen_MeasureAgrees_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  for (const Run& r : *runs_) {
    // The records behind r.prints, read back from a file as `generate --stats` does.
    GeneratorConfig c = test_config(r.seed, 10, date::sys_days(date::year{2024} / 2 / 26));
    const Generated g = generate_file(c, dir / "ES.scid");
    ASSERT_EQ(g.records.size(), r.prints.size());
    const PredictabilityStats s = measure_predictability(g.records);
    EXPECT_EQ(s.sessions, 10);
    EXPECT_EQ(s.minutes, r.minutes.size());
    for (const auto& [h, rth] : {std::pair{1, false}, {5, false}, {1, true}, {3, true}, {5, true}, {10, true}}) {
      const ImbalanceReturns ir = imbalance_vs_return(r.minutes, h, rth);
      const Estimate e = s.correlation(h, rth);
      EXPECT_EQ(e.n, ir.imbalance.size()) << "seed " << r.seed << " h " << h;
      EXPECT_NEAR(e.value, correlation(ir.imbalance, ir.forward_return), 1e-9) << "seed " << r.seed << " h " << h;
      EXPECT_GT(e.se, 0.0);
    }
    const auto& mins = r.minutes;
    const BracketResult f = trade_brackets(r.prints, mins, [&](std::size_t i) {
      if (i < 2 || mins[i - 2].session != mins[i].session) return 0;
      const double ask = mins[i].ask_volume + mins[i - 1].ask_volume + mins[i - 2].ask_volume;
      const double bid = mins[i].bid_volume + mins[i - 1].bid_volume + mins[i - 2].bid_volume;
      const double imbalance = (ask - bid) / (ask + bid);
      return imbalance > 0.35 ? 1 : imbalance < -0.35 ? -1 : 0;
    });
    Rng coin(99);
    const BracketResult c1 = trade_brackets(r.prints, mins, [&](std::size_t) { return coin.bernoulli(0.5) ? 1 : -1; });
    EXPECT_EQ(s.follow.net_ticks.n, static_cast<std::uint64_t>(f.trades));
    EXPECT_NEAR(s.follow.net_ticks.value, f.per_trade(), 1e-9);
    EXPECT_NEAR(s.follow.gross_ticks.value - s.follow.net_ticks.value, s.cost_ticks, 1e-9);
    EXPECT_EQ(s.random.net_ticks.n, static_cast<std::uint64_t>(c1.trades));
    EXPECT_NEAR(s.random.net_ticks.value, c1.per_trade(), 1e-9);
  }
  fs::remove_all(dir);
}

// --- the API around the generator ---------------------------------------------------------------

TEST(MarketGenerator, RejectsAnInvalidConfigNamingTheField) {
  struct Row {
    const char* field;
    GeneratorConfig config;
  };
  std::vector<Row> rows;
  auto row = [&](const char* field, auto mutate) {
    GeneratorConfig c;
    mutate(c);
    rows.push_back({field, c});
  };
  row("sessions", [](GeneratorConfig& c) { c.sessions = 0; });
  row("first_trade_date", [](GeneratorConfig& c) { c.first_trade_date = date::sys_days(date::year{2024} / 3 / 9); });
  // 9999-12-30 is a Thursday, far past the int64-nanosecond timestamps' end in 2262.
  row("first_trade_date", [](GeneratorConfig& c) { c.first_trade_date = date::sys_days(date::year{9999} / 12 / 30); });
  row("first_trade_date", [](GeneratorConfig& c) { c.first_trade_date = date::sys_days(date::year{1900} / 1 / 1); });
  row("first_trade_date", [](GeneratorConfig& c) {
    c.first_trade_date = date::sys_days(date::year{2200} / 12 / 1);  // a Monday; 20 sessions run into 2201
  });
  row("start_price", [](GeneratorConfig& c) { c.start_price = 5000.1; });
  row("orders_per_session", [](GeneratorConfig& c) { c.orders_per_session = -1; });
  row("informed_half_life_minutes", [](GeneratorConfig& c) { c.informed_half_life_minutes = 0; });
  row("single_lot_probability", [](GeneratorConfig& c) { c.single_lot_probability = 1.5; });
  row("daily_noise_points", [](GeneratorConfig& c) { c.daily_noise_points = NAN; });
  for (const Row& r : rows) {
    const core::Status s = validate(r.config);
    ASSERT_FALSE(s.has_value()) << r.field;
    EXPECT_NE(s.error().message.find(r.field), std::string::npos) << s.error().message;
    EXPECT_FALSE(MarketGenerator::create(r.config).has_value()) << r.field;
  }
  EXPECT_TRUE(validate(GeneratorConfig{}).has_value());
}

TEST(MarketGenerator, RefusesToAppendBeforeRecordsAlreadyInTheFile) {
  const fs::path dir = temp_dir();
  const fs::path path = dir / "ES.scid";
  (void)generate_file(test_config(1, 1, kThu20240307), path);
  auto writer = scid::Writer::open(path.string(), scid::Writer::Mode::kAppend);
  ASSERT_TRUE(writer.has_value());
  const auto again = generate(test_config(1, 1, kThu20240307), *writer);
  ASSERT_FALSE(again.has_value());
  EXPECT_NE(again.error().message.find("already holds records"), std::string::npos) << again.error().message;
  // Later sessions may be appended.
  const auto later = generate(test_config(1, 1, date::sys_days(date::year{2024} / 3 / 8)), *writer);
  EXPECT_TRUE(later.has_value());
  EXPECT_TRUE(writer->close().has_value());
  auto reader = scid::Reader::open(path.string());
  ASSERT_TRUE(reader.has_value());
  EXPECT_EQ(reader->validate().backwards, 0U);
  fs::remove_all(dir);
}

TEST(MarketGenerator, ReportsProgressAfterEachSession) {
  const fs::path dir = temp_dir();
  auto writer = scid::Writer::open((dir / "ES.scid").string(), scid::Writer::Mode::kTruncate);
  ASSERT_TRUE(writer.has_value());
  GeneratorConfig c = test_config(3, 3, kThu20240307);
  c.orders_per_session = 5'000;
  std::vector<std::pair<int, int>> calls;
  const auto summary = generate(c, *writer, [&](int done, int total) { calls.emplace_back(done, total); });
  ASSERT_TRUE(summary.has_value());
  EXPECT_EQ(calls, (std::vector<std::pair<int, int>>{{1, 3}, {2, 3}, {3, 3}}));
  EXPECT_EQ(writer->records_written(), summary->trades);
  EXPECT_TRUE(writer->close().has_value());
  fs::remove_all(dir);
}

TEST(ActivityProfile, IsAUOverRthAndQuietOvernight) {
  const GeneratorConfig c;
  const double open = activity_at(c, 8 * 60 + 31);
  const double midday = activity_at(c, 12 * 60);
  const double close = activity_at(c, 14 * 60 + 59);
  const double asia = activity_at(c, 22 * 60);
  EXPECT_GT(open, 3 * midday);
  EXPECT_GT(close, 2 * midday);
  EXPECT_GT(midday, 5 * asia);
  const std::vector<double> w = session_profile(c, 17 * 60, 23 * 60);
  double sum = 0;
  for (double x : w) sum += x;
  EXPECT_NEAR(sum, 1.0, 1e-12);
}

}  // namespace
}  // namespace daytrader::gen
