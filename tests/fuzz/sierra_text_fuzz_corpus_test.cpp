// Runs the Sierra Chart text-export fuzz entry over every file of tests/fuzz/corpus/sierra_text/
// and keeps the seeds equal to what this file generates:
//   DT_UPDATE_GOLDEN=1 build/tests/fuzz/sierra_text_fuzz_corpus_test    # rewrites the seeds
// Seeds: the export as Sierra writes it, the variants the parser reads (study column names, tab
// and semicolon separators, BOM and CRLF, fractional seconds, extra columns), rows it skips and
// counts, and one broken row per kind of error.

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "corpus_test_support.h"
#include "interop/sierra_text.h"
#include "sierra_text_fuzz.h"

namespace daytrader::fuzz {
namespace {

const std::string kHeader = "Date, Time, Open, High, Low, Last, Volume, NumberOfTrades, BidVolume, AskVolume\n";
const std::string kRows =
    "2024/3/5, 08:30:00, 5100.25, 5102.00, 5099.50, 5101.00, 120, 31, 50, 70\n"
    "2024/3/5, 08:30:30, 5101.00, 5101.50, 5100.00, 5100.50, 30, 9, 20, 10\n"
    "2024/3/5, 08:31:00, 5100.50, 5100.75, 5100.25, 5100.75, 7, 2, 3, 4\n"
    "2024/3/5, 15:59:00, 5110.00, 5110.25, 5109.75, 5110.25, 44, 12, 20, 24\n"
    "2024/3/5, 17:00:00, 5110.25, 5110.50, 5110.00, 5110.50, 9, 3, 4, 5\n";

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

testing::Seeds seeds() {
  const std::string sample = kHeader + kRows;
  std::map<std::string, std::string> text;
  text["valid-export.txt"] = sample;
  text["valid-study-names.txt"] =
      "Date, Time, Open, High, Low, Last, Volume, # of Trades, OHLC Avg, Bid Volume, Ask Volume\n"
      "2024-03-05, 8:30:00.018, 5100.25, 5102.00, 5099.50, 5101.00, 120, 31, 5100.6875, 50, 70\n";
  text["valid-tabs.txt"] = replace_all(sample, ", ", "\t");
  text["valid-semicolons.txt"] = replace_all(sample, ", ", ";");
  std::string bom = "\xEF\xBB\xBF";
  bom += replace_all(sample, "\n", "\r\n");
  text["valid-bom-crlf.txt"] = bom;
  text["valid-microseconds.txt"] = replace_all(sample, ":00, ", ":00.000000, ");
  text["valid-sides-exceed-volume.txt"] =
      kHeader + "2024/3/5, 08:30:00, 5100.25, 5102.00, 5099.50, 5101.00, 120, 31, 90, 70\n";
  text["valid-zero-volume-skipped.txt"] =
      kHeader + kRows + "2024/3/5, 08:32:00, 5100.75, 5100.75, 5100.75, 5100.75, 0, 0, 0, 0\n";
  text["valid-zero-price-skipped.txt"] =
      kHeader + kRows + "2024/3/5, 08:33:00, 0, 0, 0, 0, 5, 1, 2, 3\n";
  text["valid-weekend-row.txt"] =
      kHeader + "2024/3/9, 08:30:00, 5100.25, 5102.00, 5099.50, 5101.00, 120, 31, 50, 70\n";
  text["valid-header-only.txt"] = kHeader;

  text["broken-not-a-number.txt"] = replace_all(sample, "5099.50", "50a9.50");
  text["broken-off-tick-grid.txt"] = replace_all(sample, "5099.50", "5099.10");
  text["broken-high-below-low.txt"] =
      kHeader + "2024/3/5, 08:30:00, 5100.25, 5099.00, 5099.50, 5099.50, 120, 31, 50, 70\n";
  text["broken-last-above-high.txt"] =
      kHeader + "2024/3/5, 08:30:00, 5100.25, 5102.00, 5099.50, 5103.00, 120, 31, 50, 70\n";
  text["broken-bad-date.txt"] = replace_all(sample, "2024/3/5, 08:31", "2024/2/30, 08:31");
  text["broken-bad-time.txt"] = replace_all(sample, "08:31:00", "08:61:00");
  text["broken-missing-column.txt"] = replace_all(sample, " High,", " Hihg,");
  text["broken-field-count.txt"] = kHeader + "2024/3/5, 08:30:00, 5100.25, 5102.00, 5099.50\n";
  text["broken-negative-volume.txt"] = replace_all(sample, ", 7, 2, 3, 4", ", -7, 2, 3, 4");
  text["broken-huge-volume.txt"] = replace_all(sample, ", 7, 2, 3, 4", ", 99999999999, 2, 3, 4");
  text["broken-year-9999.txt"] = replace_all(sample, "2024/3/5, 17:00", "9999/12/31, 17:00");
  text["broken-empty.txt"] = "";
  testing::Seeds s;
  for (const auto& [name, t] : text) s[name] = testing::to_bytes(t);
  return s;
}

TEST(SierraTextFuzzCorpus, SeedFilesAreWhatThisTestGenerates) {
  testing::expect_seed_files("sierra_text", seeds());
}

TEST(SierraTextFuzzCorpus, ValidSeedsParseAndBrokenOnesDoNot) {
  for (const auto& [name, bytes] : seeds()) {
    auto rows = interop::parse_sierra_text(testing::to_string(bytes), name, core::Instrument::es(), {});
    if (name.starts_with("valid-")) {
      EXPECT_TRUE(rows) << name << ": " << rows.error().message;
    } else {
      EXPECT_FALSE(rows) << name;
    }
  }
}

TEST(SierraTextFuzzCorpus, EveryCorpusFileRunsThroughTheFuzzEntry) {
  testing::expect_corpus_runs("sierra_text", &sierra_text_fuzz_one_input, seeds().size());
}

}  // namespace
}  // namespace daytrader::fuzz
