// Runs the SCID fuzz entry over every file of tests/fuzz/corpus/scid/ (a gcc build has no
// libFuzzer) and keeps the seeds equal to what the project's writers produce:
//   DT_UPDATE_GOLDEN=1 build/tests/fuzz/scid_fuzz_corpus_test    # rewrites the seeds
// Seeds: a synthetic session (gen::MarketGenerator through scid::Writer), every record kind the
// reader and the bar builder tell apart, and broken headers and tails.

#include <gtest/gtest.h>

#include <bit>
#include <cstring>
#include <filesystem>

#include "bars/scid_bars.h"
#include "corpus_test_support.h"
#include "gen/market_generator.h"
#include "scid/reader.h"
#include "scid/writer.h"
#include "scid_fuzz.h"

namespace daytrader::fuzz {
namespace {

namespace fs = std::filesystem;
using testing::Bytes;

// 2024-03-05 14:30:00 UTC (08:30 Central) as a SCID DateTime.
constexpr std::int64_t kRth = 3'918'810'600'000'000;
constexpr std::int64_t kSecond = 1'000'000;

Bytes write_scid(const std::vector<scid::Record>& records) {
  const fs::path path = fs::temp_directory_path() / "dt_scid_fuzz_seed.scid";
  {
    auto w = scid::Writer::open(path.string(), scid::Writer::Mode::kTruncate);
    EXPECT_TRUE(w) << w.error().message;
    w->append(records);
    EXPECT_TRUE(w->close());
  }
  Bytes out = testing::read_file(path);
  fs::remove(path);
  return out;
}

scid::Record trade(std::int64_t t, float price, std::uint32_t volume, bool at_ask) {
  scid::Record r;
  r.date_time = t;
  r.high = price + 0.25F;
  r.low = price;
  r.close = at_ask ? price + 0.25F : price;
  r.num_trades = 1;
  r.total_volume = volume;
  (at_ask ? r.ask_volume : r.bid_volume) = volume;
  return r;
}

std::vector<scid::Record> generated_session() {
  gen::GeneratorConfig config;
  config.sessions = 1;
  config.orders_per_session = 40;
  auto g = gen::MarketGenerator::create(config);
  EXPECT_TRUE(g) << g.error().message;
  std::vector<scid::Record> out;
  (void)g->next_session(out);
  return out;
}

// One of each record kind: trades at bid and ask, a quote, a bundled trade (first/last sub-trade
// markers), a bar record, a legacy double DateTime, an empty record, and the ones the bar builder
// skips and names (off the tick grid, zero volume, past 2262, backwards in time).
std::vector<scid::Record> record_kinds() {
  std::vector<scid::Record> rs;
  rs.push_back(trade(kRth, 5100.0F, 2, false));
  rs.push_back(trade(kRth + 1 * kSecond, 5100.25F, 3, true));
  scid::Record quote;
  quote.date_time = kRth + 2 * kSecond;
  quote.high = 5100.5F;
  quote.low = 5100.25F;
  quote.num_trades = 1;
  rs.push_back(quote);
  scid::Record first = trade(kRth + 3 * kSecond, 5100.5F, 1, true);
  first.open = scid::kFirstSubTrade;
  scid::Record last = trade(kRth + 3 * kSecond, 5100.75F, 4, true);
  last.open = scid::kLastSubTrade;
  rs.push_back(first);
  rs.push_back(last);
  scid::Record bar;
  bar.date_time = kRth + 70 * kSecond;
  bar.open = 5101.0F;
  bar.high = 5102.0F;
  bar.low = 5100.0F;
  bar.close = 5101.5F;
  bar.num_trades = 12;
  bar.total_volume = 40;
  bar.bid_volume = 15;
  bar.ask_volume = 25;
  rs.push_back(bar);
  scid::Record legacy = trade(0, 5101.25F, 1, false);
  legacy.date_time = std::bit_cast<std::int64_t>(45356.60488425926);  // 2024-03-05 14:31:02 as days
  rs.push_back(legacy);
  rs.push_back(scid::Record{});
  rs.push_back(trade(kRth + 130 * kSecond, 5101.1F, 1, false));                 // off the grid
  rs.push_back(trade(kRth + 131 * kSecond, 5101.0F, 0, false));                 // zero volume
  rs.push_back(trade(scid::kMaxRepresentableDateTime + 1, 5101.0F, 1, false));  // past 2262
  rs.push_back(trade(kRth + 10 * kSecond, 5101.0F, 1, true));                   // backwards
  rs.push_back(trade(kRth + 200 * kSecond, 5099.75F, 5, false));
  return rs;
}

template <typename T>
void poke(Bytes& b, std::size_t at, T v) {
  std::memcpy(b.data() + at, &v, sizeof v);
}

testing::Seeds seeds() {
  testing::Seeds s;
  const Bytes session = write_scid(generated_session());
  const Bytes kinds = write_scid(record_kinds());
  s["valid-generated-session.scid"] = session;
  s["valid-record-kinds.scid"] = kinds;
  s["valid-header-only.scid"] = write_scid({});
  // Two prints 40,000 points apart: a bar wider than the builder's range limit.
  s["valid-too-wide-bar.scid"] =
      write_scid({trade(kRth, 0.25F, 1, false), trade(kRth + kSecond, 40000.25F, 1, true)});

  // Found by fuzzing: a price of 1e-40 is above the band's 0 but rounded to tick 0, and a trade
  // earlier than the open volume or tick bar's start made the bar close before it opened.
  s["regression-tiny-price.scid"] =
      write_scid({trade(kRth, 5100.0F, 1, false), trade(kRth + kSecond, 1e-40F, 1, false),
                  trade(kRth + 2 * kSecond, 0.001F, 1, false)});
  s["regression-backwards-into-open-bar.scid"] =
      write_scid({trade(kRth, 5100.0F, 1, false), trade(kRth - 86'400 * kSecond, 5100.25F, 1, true),
                  trade(kRth + kSecond, 5100.5F, 1, true)});
  // A trade in the last minutes of core::Timestamp's range needed a session past its end.
  s["regression-last-accepted-time.scid"] =
      write_scid({trade(scid::kMaxRepresentableDateTime - 3'600 * kSecond, 5100.0F, 1, false),
                  trade(scid::kMaxRepresentableDateTime, 5100.25F, 1, true),
                  trade(scid::kMaxRepresentableDateTime + 6 * 86'400 * kSecond, 5100.25F, 1, true)});

  Bytes tail = kinds;
  tail.insert(tail.end(), {1, 2, 3, 4, 5, 6, 7});
  s["broken-partial-tail.scid"] = tail;
  Bytes version = kinds;
  poke<std::uint16_t>(version, 12, 2);
  s["broken-version-2.scid"] = version;
  // A header 4 bytes longer: the records are not 8-byte aligned, so the reader copies them.
  Bytes misaligned(kinds.begin(), kinds.begin() + scid::kHeaderSize);
  misaligned.insert(misaligned.end(), 4, 0);
  misaligned.insert(misaligned.end(), kinds.begin() + scid::kHeaderSize, kinds.end());
  poke<std::uint32_t>(misaligned, 4, scid::kHeaderSize + 4);
  s["broken-header-size-60.scid"] = misaligned;
  Bytes big_header = kinds;
  poke<std::uint32_t>(big_header, 4, 1'000'000);
  s["broken-header-size-past-end.scid"] = big_header;
  Bytes record_size = kinds;
  poke<std::uint32_t>(record_size, 8, 44);
  s["broken-record-size-44.scid"] = record_size;
  Bytes magic = kinds;
  magic[0] = 'X';
  s["broken-magic.scid"] = magic;
  s["broken-short-header.scid"] = Bytes(kinds.begin(), kinds.begin() + 30);
  return s;
}

TEST(ScidFuzzCorpus, SeedFilesAreWhatTheWritersProduce) {
  testing::expect_seed_files("scid", seeds());
}

TEST(ScidFuzzCorpus, ValidSeedsOpen) {
  for (const auto& [name, bytes] : seeds()) {
    if (!name.starts_with("valid-")) continue;
    const fs::path path = testing::corpus_dir("scid") / name;
    auto r = scid::Reader::open(path.string());
    EXPECT_TRUE(r) << name << ": " << r.error().message;
  }
}

// The fuzzing findings, as the bar builder reports them.
TEST(ScidFuzzCorpus, APriceThatRoundsToZeroIsSkippedAndNamed) {
  const auto rs =
      std::vector<scid::Record>{trade(kRth, 5100.0F, 1, false), trade(kRth + kSecond, 1e-40F, 1, false)};
  bars::FootprintBuilder builder(bars::BarSpec{bars::BarKind::kVolume, 7});
  std::vector<bars::FootprintBar> out;
  const auto rep = bars::build_bars_from_scid(
      rs, core::Instrument::es(), builder, [&out](bars::FootprintBar&& b) { out.push_back(std::move(b)); });
  EXPECT_EQ(rep.bad_price, 1U);
  ASSERT_EQ(rep.problems.size(), 1U);
  EXPECT_EQ(rep.problems[0],
            "record 1: Close 1e-40 rounds to 0, outside the accepted price band (0, 1000000]; skipped");
  ASSERT_EQ(out.size(), 1U);
  EXPECT_EQ(out[0].low, core::Ticks(20400));
}

TEST(ScidFuzzCorpus, ATradeBeforeTheOpenBarDoesNotMoveItsCloseBack) {
  const auto rs = std::vector<scid::Record>{trade(kRth, 5100.0F, 1, false),
                                            trade(kRth - 86'400 * kSecond, 5100.25F, 1, true)};
  bars::FootprintBuilder builder(bars::BarSpec{bars::BarKind::kVolume, 7});
  std::vector<bars::FootprintBar> out;
  (void)bars::build_bars_from_scid(rs, core::Instrument::es(), builder,
                                   [&out](bars::FootprintBar&& b) { out.push_back(std::move(b)); });
  ASSERT_EQ(out.size(), 1U);
  EXPECT_EQ(out[0].volume, 2U);
  EXPECT_EQ(out[0].close_time, out[0].open_time + core::Nanoseconds(1));
}

TEST(ScidFuzzCorpus, EveryCorpusFileRunsThroughTheFuzzEntry) {
  testing::expect_corpus_runs("scid", &scid_fuzz_one_input, seeds().size());
}

}  // namespace
}  // namespace daytrader::fuzz
