// Runs the metrics.csv fuzz entry over every file of tests/fuzz/corpus/metrics_csv/ and keeps the
// seeds equal to what this file generates:
//   DT_UPDATE_GOLDEN=1 build/tests/fuzz/metrics_csv_fuzz_corpus_test    # rewrites the seeds
// Seeds: updates as the training driver writes them (with the "nan" of an episode mean before any
// episode ended), the variants the parser reads (CRLF, columns in another order, an extra column,
// a header alone), and one broken file per kind of error.

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "corpus_test_support.h"
#include "metrics_csv_fuzz.h"
#include "train/run_report.h"

namespace daytrader::fuzz {
namespace {

const std::string kHeader = std::string(train::kMetricsCsvHeader) + "\n";
const std::string kRows =
    "1,2048,9012.5,0.0003,0.00412,0.051,-1.609,nan,-0.0123,41.2,20.59,10,0,0,nan,nan,nan\n"
    "2,4096,9100.0,0.0003,0.0125,0.12,-1.5,0.31,-0.002,30.5,15.2,20,1,4,0.25,360,-125.50\n"
    "3,6144,9050.2,0.0003,0.0098,0.1,-1.45,0.42,-0.004,28.1,14,30,0,9,0.31,360,42.75\n";

std::string replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

testing::Seeds seeds() {
  const std::string sample = kHeader + kRows;
  std::map<std::string, std::string> text;
  text["valid-driver.csv"] = sample;
  text["valid-header-only.csv"] = kHeader;
  std::string crlf;
  for (const char c : sample) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  text["valid-crlf.csv"] = crlf;
  text["valid-extra-column.csv"] =
      "note," + kHeader + "a,1,2048,9012.5,0.0003,0.00412,0.051,-1.609,0.5,-0.0123,41.2,20.59,10,0,0,1,360,-5\n";
  text["valid-other-order.csv"] =
      "timesteps,iteration," + replace(kHeader, "iteration,timesteps,", "") +
      "2048,1,9012.5,0.0003,0.00412,0.051,-1.609,0.5,-0.0123,41.2,20.59,10,0,0,1,360,-5\n";
  text["valid-inf-and-empty.csv"] = kHeader + "1,2048,inf,,-inf,0.051,-1.609,,-0.0123,41.2,20.59,10,0,0,,,\n";
  text["broken-empty.csv"] = "";
  text["broken-missing-column.csv"] = replace(sample, "approx_kl", "aprox_kl");
  text["broken-not-a-number.csv"] = replace(sample, "0.0125", "0.0x25");
  text["broken-not-whole.csv"] = replace(sample, "4096", "4096.5");
  text["broken-early-stopped.csv"] = replace(sample, ",20,1,4,", ",20,yes,4,");
  text["broken-short-line.csv"] = sample + "4,8192,9000\n";
  testing::Seeds s;
  for (const auto& [name, t] : text) s[name] = testing::to_bytes(t);
  return s;
}

TEST(MetricsCsvFuzzCorpus, SeedFilesAreCurrent) {
  testing::expect_seed_files("metrics_csv", seeds());
}

TEST(MetricsCsvFuzzCorpus, ValidSeedsParseAndBrokenOnesDoNot) {
  for (const auto& [name, bytes] : seeds()) {
    const auto rows = train::parse_metrics_csv(testing::to_string(bytes), name);
    if (name.starts_with("valid-"))
      EXPECT_TRUE(rows) << name << ": " << rows.error().message;
    else
      EXPECT_FALSE(rows) << name;
  }
}

TEST(MetricsCsvFuzzCorpus, EveryCorpusFileRunsThroughTheFuzzEntry) {
  testing::expect_corpus_runs("metrics_csv", &metrics_csv_fuzz_one_input, seeds().size());
}

}  // namespace
}  // namespace daytrader::fuzz
