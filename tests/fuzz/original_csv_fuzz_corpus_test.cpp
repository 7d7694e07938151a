// Runs the original-CSV fuzz entry over every file of tests/fuzz/corpus/original_csv/ and keeps
// the seeds equal to what the project's exporter produces:
//   DT_UPDATE_GOLDEN=1 build/tests/fuzz/original_csv_fuzz_corpus_test    # rewrites the seeds
// Seeds: our export of a few synthetic bars across two sessions, the test fixture
// (tests/data/ES_tuples_sample.csv) and variants of it the parser accepts (BOM and CRLF, quoted
// header, pandas' "60.0" integers), and one broken row per kind of error.

#include <gtest/gtest.h>

#include <string>

#include "corpus_test_support.h"
#include "interop/original_csv.h"
#include "original_csv_fuzz.h"
#include "seed_bars.h"

namespace daytrader::fuzz {
namespace {

using testing::Bytes;

const std::string kRow1 =
    "2024-03-05 "
    "08:30:00,5100.25,5101.0,5100.0,5100.75,60,10,10,5100.25,5120.5,5080.0,5100.5,5100.0,10,5,15,4";

std::string replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

// The last two bars of the first session and the first two of the second: PrevHigh/PrevLow are
// empty on the first session and set on the second.
std::string generated_export() {
  const auto all = testing::generated_bars(2, 30);
  std::vector<bars::FootprintBar> some;
  for (std::size_t i = 0; i < all.size(); ++i) {
    const bool boundary = i + 1 < all.size() && all[i + 1].trade_date != all[i].trade_date;
    if (boundary) {
      for (std::size_t k = (i >= 1 ? i - 1 : 0); k <= i + 2 && k < all.size(); ++k) some.push_back(all[k]);
      break;
    }
  }
  EXPECT_EQ(some.size(), 4U);
  return interop::format_original_csv(some, core::Instrument::es(), core::SessionCalendar::cme_globex());
}

testing::Seeds seeds() {
  const std::string sample =
      testing::to_string(testing::read_file(std::string(DAYTRADER_TEST_DATA_DIR) + "/ES_tuples_sample.csv"));
  EXPECT_FALSE(sample.empty());
  const std::string header = sample.substr(0, sample.find('\n') + 1);
  std::map<std::string, std::string> text;
  text["valid-generated-export.csv"] = generated_export();
  text["valid-sample.csv"] = sample;
  std::string bom = "\xEF\xBB\xBF";  // (not "..." + string: g++ 12 warns falsely about that at -O3)
  bom += replace_all(sample, "\n", "\r\n");
  text["valid-bom-crlf.csv"] = bom;
  std::string quoted(1, '"');
  quoted += replace_all(header.substr(0, header.size() - 1), ",", "\",\"");
  quoted += "\"\n" + sample.substr(header.size());
  text["valid-quoted-header.csv"] = quoted;
  text["valid-float-integers.csv"] = replace_all(sample, ",60,10,10,", ",60.0,10,10.0,");
  text["valid-no-previous-session.csv"] = replace_all(sample, ",5120.5,5080.0,", ",,,");

  text["broken-not-a-number.csv"] = replace(sample, ",5100.25,5,10,", ",50a0.25,5,10,");
  text["broken-off-tick-grid.csv"] = replace(sample, ",5100.25,5,10,", ",5100.1,5,10,");
  text["broken-huge-price.csv"] = replace(sample, ",5100.25,5,10,", ",99999999999999999.25,5,10,");
  // Found by the round-trip property: "nan" was read as a VWAP (and "inf" as a price, then called
  // off the tick grid).
  text["broken-nan-vwap.csv"] = replace_all(sample, ",5080.0,5100.5,", ",5080.0,nan,");
  text["broken-inf-price.csv"] = replace(sample, ",5100.25,5,10,", ",inf,5,10,");
  text["broken-negative-volume.csv"] = replace(sample, ",10,5,15,4", ",10,5,-15,4");
  text["broken-field-count.csv"] = replace(sample, ",10,5,15,4", ",10,5,15");
  text["broken-missing-column.csv"] = replace(sample, "Delta,", "Delat,");
  text["broken-unsorted-dates.csv"] = header + sample.substr(sample.find("2024-03-05 08:31")) + kRow1 + "\n";
  text["broken-unsorted-prices.csv"] = header + kRow1 + "\n" + kRow1 + "\n";
  text["broken-repeated-column-differs.csv"] =
      replace(sample, ",60,10,10,5100.25,5120.5,5080.0,5100.5,5100.25,",
              ",61,10,10,5100.25,5120.5,5080.0,5100.5,5100.25,");
  text["broken-dst-gap.csv"] = replace_all(sample, "2024-03-05 08:3", "2024-03-10 02:3");
  text["broken-weekend.csv"] = replace_all(sample, "2024-03-05 08:3", "2024-03-09 08:3");
  text["broken-bad-date.csv"] = replace(sample, "2024-03-05 08:33:00", "2024-02-30 08:33:00");
  text["broken-ohlc.csv"] =
      replace_all(sample, "5099.75,5099.75,5099.75,5099.75", "5099.75,5099.5,5099.75,5099.75");
  text["broken-header-only.csv"] = header;
  text["broken-empty.csv"] = "";
  testing::Seeds s;
  for (const auto& [name, t] : text) s[name] = testing::to_bytes(t);
  return s;
}

TEST(OriginalCsvFuzzCorpus, SeedFilesAreWhatTheExporterProduces) {
  testing::expect_seed_files("original_csv", seeds());
}

TEST(OriginalCsvFuzzCorpus, ValidSeedsImportAndBrokenOnesDoNot) {
  for (const auto& [name, bytes] : seeds()) {
    auto bars = interop::parse_original_csv(testing::to_string(bytes), name, core::Instrument::es(),
                                            core::SessionCalendar::cme_globex(), {});
    if (name.starts_with("valid-")) {
      EXPECT_TRUE(bars) << name << ": " << bars.error().message;
    } else if (name != "broken-header-only.csv") {
      EXPECT_FALSE(bars) << name;
    }
  }
}

TEST(OriginalCsvFuzzCorpus, EveryCorpusFileRunsThroughTheFuzzEntry) {
  testing::expect_corpus_runs("original_csv", &original_csv_fuzz_one_input, seeds().size());
}

}  // namespace
}  // namespace daytrader::fuzz
