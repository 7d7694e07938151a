#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

#include "market/from_scid.h"
#include "scid/reader.h"
#include "scid/writer.h"

namespace daytrader::scid {
namespace {

namespace fs = std::filesystem;

class ScidFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("dt_scid_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const char* name) const { return (dir_ / name).string(); }

  static void write_bytes(const std::string& p, const std::vector<unsigned char>& bytes) {
    std::ofstream f(p, std::ios::binary);
    f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  }
  static std::vector<unsigned char> read_bytes(const std::string& p) {
    std::ifstream f(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), {}};
  }
  fs::path dir_;
};

Record tick(std::int64_t t, float price, float bid, float ask, std::uint32_t size, bool at_ask) {
  Record r;
  r.date_time = t;
  r.open = 0.0F;
  r.high = ask;
  r.low = bid;
  r.close = price;
  r.num_trades = 1;
  r.total_volume = size;
  r.bid_volume = at_ask ? 0 : size;
  r.ask_volume = at_ask ? size : 0;
  return r;
}

constexpr std::int64_t kT0 = 3'919'671'000'000'000;  // 2024-03-15 13:30:00 UTC

TEST_F(ScidFile, WritesAndReadsBackEveryField) {
  std::vector<Record> in;
  for (int i = 0; i < 1000; ++i)
    in.push_back(tick(kT0 + i * 1000 + (i % 3), 5000.25F + 0.25F * static_cast<float>(i % 7),
                      5000.0F, 5000.5F, static_cast<std::uint32_t>(1 + i % 11), i % 2 == 0));
  {
    auto w = Writer::open(path("a.scid"), Writer::Mode::kTruncate);
    ASSERT_TRUE(w) << w.error().message;
    w->append(in);
    ASSERT_TRUE(w->close());
  }
  auto r = Reader::open(path("a.scid"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->warnings().empty());
  ASSERT_EQ(r->size(), in.size());
  EXPECT_EQ(std::memcmp(r->records().data(), in.data(), in.size() * sizeof(Record)), 0);
  EXPECT_EQ(r->header().header_size, 56u);
  EXPECT_EQ(r->header().record_size, 40u);
  EXPECT_EQ(r->header().version, 1);
  // The file is exactly the spec's layout: "SCID", 56, 40, version 1, then 40-byte records.
  const auto bytes = read_bytes(path("a.scid"));
  ASSERT_EQ(bytes.size(), 56u + 40u * in.size());
  EXPECT_EQ(std::string(bytes.begin(), bytes.begin() + 4), "SCID");
  EXPECT_EQ(bytes[4], 56);
  EXPECT_EQ(bytes[8], 40);
  EXPECT_EQ(bytes[12], 1);
}

TEST_F(ScidFile, AppendKeepsExistingRecordsAndDropsAPartialTail) {
  {
    auto w = Writer::open(path("b.scid"), Writer::Mode::kTruncate);
    ASSERT_TRUE(w);
    w->append(tick(kT0, 5000.0F, 4999.75F, 5000.0F, 1, true));
    w->append(tick(kT0 + 1, 5000.0F, 4999.75F, 5000.0F, 2, true));
    ASSERT_TRUE(w->close());
  }
  {
    std::ofstream f(path("b.scid"), std::ios::binary | std::ios::app);
    f.write("garbage", 7);  // a writer died mid-record
  }
  {
    auto w = Writer::open(path("b.scid"), Writer::Mode::kAppend);
    ASSERT_TRUE(w) << w.error().message;
    EXPECT_EQ(w->existing_records(), 2u);
    ASSERT_TRUE(w->last_date_time());
    EXPECT_EQ(*w->last_date_time(), kT0 + 1);
    ASSERT_EQ(w->warnings().size(), 1u);
    w->append(tick(kT0 + 2, 5000.25F, 5000.0F, 5000.25F, 3, true));
    ASSERT_TRUE(w->close());
  }
  auto r = Reader::open(path("b.scid"));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ(r->trailing_bytes(), 0u);
  EXPECT_EQ(r->records()[2].total_volume, 3u);
}

TEST_F(ScidFile, IgnoresATrailingPartialRecordWithAWarningNamingTheOffset) {
  std::vector<unsigned char> bytes(56 + 40 * 2 + 17, 0);
  const Header h{};
  std::memcpy(bytes.data(), &h, sizeof h);
  const Record r0 = tick(kT0, 5000.0F, 4999.75F, 5000.0F, 1, true);
  std::memcpy(bytes.data() + 56, &r0, 40);
  std::memcpy(bytes.data() + 96, &r0, 40);
  write_bytes(path("c.scid"), bytes);
  auto r = Reader::open(path("c.scid"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->size(), 2u);
  EXPECT_EQ(r->trailing_bytes(), 17u);
  ASSERT_EQ(r->warnings().size(), 1u);
  EXPECT_NE(r->warnings()[0].find("offset 136"), std::string::npos) << r->warnings()[0];
  EXPECT_NE(r->warnings()[0].find("17 bytes"), std::string::npos) << r->warnings()[0];
}

TEST_F(ScidFile, RejectsBadHeadersWithFileAndOffset) {
  struct Row {
    const char* name;
    std::vector<unsigned char> bytes;
    const char* expected;
  };
  auto header_with = [](std::size_t offset, std::uint32_t value) {
    std::vector<unsigned char> b(56 + 40, 0);
    const Header h{};
    std::memcpy(b.data(), &h, sizeof h);
    std::memcpy(b.data() + offset, &value, 4);
    return b;
  };
  std::vector<unsigned char> foreign(200, 'x');
  std::memcpy(foreign.data(), "PK\x03\x04", 4);
  const Row rows[] = {
      {"empty.scid", {}, "offset 0: file has 0 bytes, fewer than the 56-byte SCID header"},
      {"short.scid", {'S', 'C', 'I', 'D', 56, 0}, "offset 0: file has 6 bytes"},
      {"foreign.scid", foreign, "offset 0: magic is \"PK??\" (0x04034B50), expected \"SCID\""},
      {"hsize.scid", header_with(4, 40), "offset 4: header size is 40, expected at least 56"},
      {"hsize_big.scid", header_with(4, 4096), "offset 4: header size is 4096, expected at least 56 and at most the file size 96"},
      {"rsize.scid", header_with(8, 32), "offset 8: record size is 32, expected 40"},
  };
  for (const Row& row : rows) {
    write_bytes(path(row.name), row.bytes);
    auto r = Reader::open(path(row.name));
    ASSERT_FALSE(r) << row.name;
    EXPECT_NE(r.error().message.find(path(row.name) + ": "), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find(row.expected), std::string::npos) << r.error().message;
  }
  auto missing = Reader::open(path("missing.scid"));
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("cannot open"), std::string::npos);
}

TEST_F(ScidFile, WarnsAboutAnUnknownVersionButReads) {
  std::vector<unsigned char> b(56 + 40, 0);
  Header h{};
  h.version = 2;
  std::memcpy(b.data(), &h, sizeof h);
  write_bytes(path("v2.scid"), b);
  auto r = Reader::open(path("v2.scid"));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->warnings().size(), 1u);
  EXPECT_NE(r->warnings()[0].find("offset 12: version is 2"), std::string::npos);
}

TEST_F(ScidFile, ReportsTimestampsGoingBackwards) {
  auto w = Writer::open(path("d.scid"), Writer::Mode::kTruncate);
  ASSERT_TRUE(w);
  for (std::int64_t t : {kT0, kT0 + 10, kT0 + 5, kT0 + 20, kT0 + 1})
    w->append(tick(t, 5000.0F, 4999.75F, 5000.0F, 1, true));
  ASSERT_TRUE(w->close());
  auto r = Reader::open(path("d.scid"));
  ASSERT_TRUE(r);
  const ValidationReport rep = r->validate();
  EXPECT_EQ(rep.trades, 5u);
  EXPECT_EQ(rep.backwards, 2u);
  ASSERT_EQ(rep.first_backwards.size(), 2u);
  EXPECT_EQ(rep.first_backwards[0].index, 2u);
  EXPECT_EQ(rep.first_backwards[0].previous, kT0 + 10);
  EXPECT_EQ(rep.first_backwards[1].index, 4u);
}

TEST_F(ScidFile, SeeksToATimeByBinarySearch) {
  auto w = Writer::open(path("e.scid"), Writer::Mode::kTruncate);
  ASSERT_TRUE(w);
  for (int i = 0; i < 10000; ++i) w->append(tick(kT0 + i * 100, 5000.0F, 4999.75F, 5000.0F, 1, true));
  ASSERT_TRUE(w->close());
  auto r = Reader::open(path("e.scid"));
  ASSERT_TRUE(r);
  const auto t0 = *decode_time(kT0);
  EXPECT_EQ(r->lower_bound(t0 - std::chrono::seconds(1)), 0u);
  EXPECT_EQ(r->lower_bound(t0), 0u);
  EXPECT_EQ(r->lower_bound(t0 + std::chrono::microseconds(1)), 1u);
  EXPECT_EQ(r->lower_bound(t0 + std::chrono::microseconds(100 * 5000)), 5000u);
  EXPECT_EQ(r->lower_bound(t0 + std::chrono::microseconds(100 * 5000 + 1)), 5001u);
  EXPECT_EQ(r->lower_bound(t0 + std::chrono::hours(1)), 10000u);
}

TEST(ScidFormat, ClassifiesRecordsLikeSierra) {
  Record trade = tick(kT0, 5000.0F, 4999.75F, 5000.0F, 3, true);
  Record first = trade;
  first.open = kFirstSubTrade;
  Record last = trade;
  last.open = kLastSubTrade;
  Record neg_zero = trade;
  neg_zero.open = -0.0F;
  Record quote = trade;
  quote.total_volume = quote.ask_volume = 0;
  Record bar;
  bar.date_time = kT0;
  bar.open = 5000.0F;
  bar.high = 5001.0F;
  bar.low = 4999.0F;
  bar.close = 5000.5F;
  bar.num_trades = 40;
  bar.total_volume = 120;
  Record quoteless = bar;  // a tick without a quote: O=H=L=C and one trade
  quoteless.num_trades = 1;
  quoteless.open = quoteless.high = quoteless.low = quoteless.close = 5000.0F;
  struct Row { const char* name; Record r; RecordKind kind; };
  const Row rows[] = {
      {"trade", trade, RecordKind::kTrade},       {"first sub-trade", first, RecordKind::kTrade},
      {"last sub-trade", last, RecordKind::kTrade}, {"-0.0 marker", neg_zero, RecordKind::kTrade},
      {"quote", quote, RecordKind::kQuote},       {"bar", bar, RecordKind::kBar},
      {"quote-less tick", quoteless, RecordKind::kBar}, {"empty", Record{}, RecordKind::kEmpty},
  };
  for (const Row& row : rows) EXPECT_EQ(classify(row.r), row.kind) << row.name;
  // The two sentinels are 8 ULPs apart and must not compare equal.
  EXPECT_NE(std::bit_cast<std::uint32_t>(kFirstSubTrade), std::bit_cast<std::uint32_t>(kLastSubTrade));
}

TEST(ScidFormat, DecodesIntegerAndLegacyDoubleTimes) {
  const auto t = decode_time(kT0);
  ASSERT_TRUE(t);
  EXPECT_EQ(core::format_utc(*t), "2024-03-15T13:30:00.000000000Z");
  EXPECT_EQ(encode_time(*t), kT0);
  // Legacy: days since 1899-12-30 as a double; 45366.5625 = 2024-03-15 13:30 UTC.
  const auto legacy = decode_time(std::bit_cast<std::int64_t>(45366.5625));
  ASSERT_TRUE(legacy);
  EXPECT_EQ(*legacy, *t);
  EXPECT_FALSE(decode_time(0));
  EXPECT_FALSE(decode_time(-5));
  EXPECT_FALSE(decode_time(std::bit_cast<std::int64_t>(-3.0)));
}

// Past 2262-04-11 a DateTime does not fit core::Timestamp (int64 ns), and a week before it the
// sessions around it do not either: refused, never wrapped.
TEST(ScidFormat, RefusesDateTimesPastTheRepresentableRange) {
  struct Row { const char* name; std::int64_t raw; TimeError error; const char* utc; };
  const Row rows[] = {
      {"2024", kT0, TimeError::kNone, "2024-03-15T13:30:00.000000000Z"},
      {"last representable", kMaxRepresentableDateTime, TimeError::kNone, "2262-04-04T23:47:16.854775000Z"},
      {"one past", kMaxRepresentableDateTime + 1, TimeError::kOutOfRange, ""},
      {"99999999999999999", 99'999'999'999'999'999, TimeError::kOutOfRange, ""},
      {"legacy 2024", std::bit_cast<std::int64_t>(45366.5625), TimeError::kNone, "2024-03-15T13:30:00.000000000Z"},
      {"legacy 9999-12-31", std::bit_cast<std::int64_t>(2'958'465.0), TimeError::kOutOfRange, ""},
      {"legacy 2263", std::bit_cast<std::int64_t>(132'400.0), TimeError::kOutOfRange, ""},
      {"zero", 0, TimeError::kNotATime, ""},
      {"negative", -5, TimeError::kNotATime, ""},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(classify_time(row.raw), row.error) << row.name;
    const auto t = decode_time(row.raw);
    EXPECT_EQ(t.has_value(), row.error == TimeError::kNone) << row.name;
    if (t) {
      EXPECT_EQ(core::format_utc(*t), row.utc) << row.name;
    }
  }
}

TEST(ScidAdapter, RefusesPricesOutsideTheBandAndZeroVolume) {
  const market::ScidAdapter adapter(core::Instrument::es(), market::PriceBand{0.0, 10'000.0});
  market::Trade t;
  market::Quote q;
  market::BarExtent e;
  struct Row { const char* name; Record r; market::ScidEvent expected; };
  Record zero = tick(kT0, 5000.0F, 5000.0F, 5000.25F, 0, true);
  zero.high = 0;  // with both quote sides it would be a quote
  Record bar;
  bar.date_time = kT0;
  bar.open = 5000.0F;
  bar.high = 5002.0F;
  bar.low = 4999.0F;
  bar.close = 5001.0F;
  bar.num_trades = 7;
  bar.total_volume = 9;
  Record high_bar = bar;
  high_bar.high = 20'000.0F;
  const Row rows[] = {
      {"in band", tick(kT0, 5000.0F, 4999.75F, 5000.0F, 1, true), market::ScidEvent::kTrade},
      {"above band", tick(kT0, 10'000.25F, 4999.75F, 5000.0F, 1, true), market::ScidEvent::kBadPrice},
      {"price 0", tick(kT0, 0.0F, 4999.75F, 5000.0F, 1, true), market::ScidEvent::kBadPrice},
      {"negative", tick(kT0, -1.0F, 4999.75F, 5000.0F, 1, true), market::ScidEvent::kBadPrice},
      {"zero volume", zero, market::ScidEvent::kZeroVolume},
      {"bar record", bar, market::ScidEvent::kBar},
      {"bar high above band", high_bar, market::ScidEvent::kBadPrice},
  };
  for (const Row& row : rows) EXPECT_EQ(adapter.convert(row.r, t, q, e), row.expected) << row.name;
  ASSERT_EQ(adapter.convert(bar, t, q, e), market::ScidEvent::kBar);
  EXPECT_EQ(e.open.count(), 20000);
  EXPECT_EQ(e.high.count(), 20008);
  EXPECT_EQ(e.low.count(), 19996);
  EXPECT_EQ(t.price.count(), 20004);
  EXPECT_EQ(t.volume, 9u);
  EXPECT_EQ(t.num_trades, 7u);
  // The 3-argument form reports a bar record as one trade at its close (other callers).
  EXPECT_EQ(adapter.convert(bar, t, q), market::ScidEvent::kTrade);
}

TEST(ScidAdapter, TurnsTickRecordsIntoTradesAndQuotes) {
  const market::ScidAdapter adapter(core::Instrument::es());
  market::Trade t;
  market::Quote q;
  ASSERT_EQ(adapter.convert(tick(kT0, 5000.25F, 5000.0F, 5000.25F, 4, true), t, q), market::ScidEvent::kTrade);
  EXPECT_EQ(t.price.count(), 20001);
  EXPECT_EQ(t.volume, 4u);
  EXPECT_EQ(t.ask_volume, 4u);
  EXPECT_EQ(t.bid_volume, 0u);
  EXPECT_EQ(q.bid.count(), 20000);
  EXPECT_EQ(q.ask.count(), 20001);
  Record quote = tick(kT0, 5000.0F, 4999.5F, 5000.0F, 0, true);
  ASSERT_EQ(adapter.convert(quote, t, q), market::ScidEvent::kQuote);
  EXPECT_EQ(q.bid.count(), 19998);
  ASSERT_EQ(adapter.convert(tick(kT0, 5000.1F, 5000.0F, 5000.25F, 1, true), t, q), market::ScidEvent::kBadPrice);
  ASSERT_EQ(adapter.convert(tick(-7, 5000.0F, 5000.0F, 5000.25F, 1, true), t, q), market::ScidEvent::kBadTime);
  ASSERT_EQ(adapter.convert(Record{}, t, q), market::ScidEvent::kSkip);
}

}  // namespace
}  // namespace daytrader::scid
