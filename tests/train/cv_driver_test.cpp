// The cross-validation driver on a tiny dataset: several seeds per fold, the saved seed chosen on
// the validation sessions, the run folder's layout and its summary.

#include "train/cv_driver.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "../env/env_test_util.h"

namespace daytrader::train {
namespace {

using namespace date::literals;
using env::testing::Ohlc;
using env::testing::SessionBars;

// Six weekdays that alternately rise and fall through the window, so policies differ in P&L.
std::vector<SessionBars> six_days() {
  std::vector<SessionBars> days;
  const date::sys_days dates[] = {2024_y / 3 / 4, 2024_y / 3 / 5, 2024_y / 3 / 6,
                                  2024_y / 3 / 7, 2024_y / 3 / 8, 2024_y / 3 / 11};
  int step = 2;
  for (const auto d : dates) {
    SessionBars s{d, {8 * 60 + 24, 0}, {}};
    std::int64_t p = 20000;
    for (int k = 0; k < 22; ++k) {
      s.bars.push_back(Ohlc{p, p + std::max(step, 0), p + std::min(step, 0), p + step});
      p += step;
    }
    days.push_back(s);
    step = -step;
  }
  return days;
}

config::RunConfig tiny_run(int seeds, int validation) {
  config::RunConfig run;
  run.env = env::testing::test_config();
  run.ppo.total_timesteps = 128;
  run.ppo.num_envs = 2;
  run.ppo.n_steps = 32;
  run.ppo.batch_size = 32;
  run.ppo.n_epochs = 1;
  run.ppo.ent_coef = 0.05;
  run.ppo.seed = 5;
  run.train.folds = 1;
  run.train.seeds = seeds;
  run.train.validation_sessions = validation;
  return run;
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

class CvDriver : public ::testing::Test {
 protected:
  void SetUp() override {
    out_ = std::filesystem::temp_directory_path() /
           ("dt_cv_" + std::to_string(::getpid()) + "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(out_);
  }
  void TearDown() override { std::filesystem::remove_all(out_); }
  std::filesystem::path out_;
};

TEST_F(CvDriver, TrainsEverySeedAndSavesTheOneBestOnValidation) {
  env::testing::TempDataset data(six_days());
  CvOptions options;
  options.data_path = "six-days.dtds";
  options.out = out_;
  options.quiet = true;
  const auto outcomes = run_cross_validation(tiny_run(3, 1), data.get(), options);

  ASSERT_EQ(outcomes.size(), 1u);
  const FoldOutcome& fold = outcomes[0];
  // 6 sessions, 1 fold: test = the last 3, validation = the one before, training = the first 2.
  EXPECT_EQ(fold.fold.train_end, 2u);
  EXPECT_EQ(fold.fold.validation_begin, 2u);
  EXPECT_EQ(fold.fold.test_begin, 3u);
  ASSERT_EQ(fold.seeds.size(), 3u);
  std::size_t best = 0;
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(fold.seeds[i].seed, 5 + i);
    ASSERT_TRUE(fold.seeds[i].validation.has_value());
    ASSERT_EQ(fold.seeds[i].test.size(), 4u);  // model, flat, random, buy and hold
    if (fold.seeds[i].validation->net_pnl_cents > fold.seeds[best].validation->net_pnl_cents) best = i;
  }
  EXPECT_EQ(fold.chosen, best);
  EXPECT_NE(fold.selection.find("validation"), std::string::npos) << fold.selection;

  // Every seed has its own complete model folder; the fold folder holds the chosen one.
  const auto fold_dir = out_ / "fold_1";
  EXPECT_FALSE(std::filesystem::exists(out_ / "fold_1.partial"));
  for (std::uint64_t s = 5; s <= 7; ++s) {
    const auto dir = fold_dir / ("seed_" + std::to_string(s));
    EXPECT_TRUE(std::filesystem::exists(dir / "policy.bin")) << dir;
    EXPECT_TRUE(std::filesystem::exists(dir / "metadata.json")) << dir;
  }
  const auto chosen_dir = fold_dir / ("seed_" + std::to_string(fold.seeds[best].seed));
  EXPECT_EQ(read_file(fold_dir / "policy.bin"), read_file(chosen_dir / "policy.bin"));
  const auto meta = nlohmann::json::parse(read_file(fold_dir / "metadata.json"));
  EXPECT_EQ(meta.at("selection").at("chosen_seed").get<std::uint64_t>(), fold.seeds[best].seed);
  EXPECT_EQ(meta.at("seed").get<std::uint64_t>(), fold.seeds[best].seed);
  EXPECT_TRUE(meta.contains("validation_metrics"));

  // summary.csv: a header and one row per seed, one of them marked saved.
  std::istringstream summary(read_file(out_ / "summary.csv"));
  std::string line;
  int rows = 0, saved = 0;
  std::getline(summary, line);
  EXPECT_EQ(line.rfind("fold,seed,saved,", 0), 0u) << line;
  while (std::getline(summary, line)) {
    ++rows;
    if (line.rfind("1," + std::to_string(fold.seeds[best].seed) + ",1,", 0) == 0) ++saved;
  }
  EXPECT_EQ(rows, 3);
  EXPECT_EQ(saved, 1);

  // report.html: the fold's row, a row for every seed, and the curves read from their metrics.csv.
  const std::string report = read_file(out_ / "report.html");
  const auto count = [&](const std::string& what) {
    int n = 0;
    for (auto at = report.find(what); at != std::string::npos; at = report.find(what, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("<tr class=\"fold-row\">"), 1);
  EXPECT_EQ(count("<tr class=\"seed-row"), 3);
  EXPECT_EQ(count("<tr class=\"seed-row saved\">"), 1);
  EXPECT_EQ(count("<svg"), 6);
  EXPECT_EQ(count("<span class=\"key\">"), 3);
  EXPECT_EQ(count("no curves"), 0);
  EXPECT_GT(count("<polyline class=\"curve\""), 0);
  EXPECT_FALSE(std::filesystem::exists(out_ / "report.html.tmp"));
}

TEST_F(CvDriver, OneSeedKeepsTheFoldFolderAsTheModelFolder) {
  env::testing::TempDataset data(six_days());
  CvOptions options;
  options.out = out_;
  options.quiet = true;
  const auto outcomes = run_cross_validation(tiny_run(1, 0), data.get(), options);
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].seeds.size(), 1u);
  EXPECT_FALSE(outcomes[0].seeds[0].validation.has_value());
  EXPECT_TRUE(std::filesystem::exists(out_ / "fold_1" / "policy.bin"));
  for (const auto& entry : std::filesystem::directory_iterator(out_ / "fold_1"))
    EXPECT_FALSE(entry.is_directory()) << entry.path();
}

TEST_F(CvDriver, ARunReplacesAnEarlierRunsFolds) {
  env::testing::TempDataset data(six_days());
  std::filesystem::create_directories(out_ / "fold_7");
  std::filesystem::create_directories(out_ / "fold_2.partial");
  CvOptions options;
  options.out = out_;
  options.quiet = true;
  (void)run_cross_validation(tiny_run(1, 0), data.get(), options);
  EXPECT_FALSE(std::filesystem::exists(out_ / "fold_7"));
  EXPECT_FALSE(std::filesystem::exists(out_ / "fold_2.partial"));
  EXPECT_TRUE(std::filesystem::exists(out_ / "fold_1"));
}

TEST_F(CvDriver, TheSummaryJudgesEveryFoldsTestDaysEndToEnd) {
  env::testing::TempDataset data(six_days());
  config::RunConfig run = tiny_run(2, 0);
  run.train.folds = 2;  // 6 sessions: test ranges of 2 (sessions 2-3 and 4-5)
  CvOptions options;
  options.out = out_;
  options.quiet = true;
  ::testing::internal::CaptureStdout();
  const auto outcomes = run_cross_validation(run, data.get(), options);
  const std::string out = ::testing::internal::GetCapturedStdout();
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_NE(out.find("all   2 folds, 4 test days end to end"), std::string::npos) << out;
  EXPECT_NE(out.find("saved models: net "), std::string::npos) << out;
  EXPECT_NE(out.find("every seed index across the folds"), std::string::npos) << out;
  EXPECT_NE(out.find("baselines over the same days: flat $0.00"), std::string::npos) << out;
  // The saved models' net over all folds is the sum of each fold's saved model.
  core::Cents sum = 0;
  for (const auto& o : outcomes) sum += o.seeds[o.chosen].test[0].metrics.net_pnl_cents;
  EXPECT_NE(out.find("saved models: net " + backtest::dollars(sum) + ","), std::string::npos) << out;
}

// Same seed, same machine: the same models and reports, byte for byte. Everything a user
// compares (weights, optimiser state, scaler, summary.csv, report.html) comes out of the run
// again; only the wall-clock fields of metadata.json (created_utc, train_seconds) and
// metrics.csv's fps differ.
TEST_F(CvDriver, TheSameSeedGivesBitIdenticalModelsAndSummaries) {
  env::testing::TempDataset data(six_days());
  config::RunConfig run = tiny_run(2, 1);
  run.ppo.total_timesteps = 1024;
  run.ppo.n_epochs = 3;
  std::vector<std::filesystem::path> dirs = {out_ / "a", out_ / "b"};
  for (const auto& dir : dirs) {
    CvOptions options;
    options.out = dir;
    options.quiet = true;
    (void)run_cross_validation(run, data.get(), options);
  }
  for (const char* file : {"fold_1/policy.bin", "fold_1/optimizer.bin", "fold_1/scaler.json",
                           "fold_1/seed_5/policy.bin", "fold_1/seed_6/policy.bin", "fold_1/seed_6/optimizer.bin",
                           "summary.csv"}) {
    const std::string a = read_file(dirs[0] / file);
    EXPECT_FALSE(a.empty()) << file;
    EXPECT_TRUE(a == read_file(dirs[1] / file)) << file << " differs between two runs with the same seed";
  }
  // The report names its run folder; apart from that it is the same page.
  std::string report_a = read_file(dirs[0] / "report.html");
  const std::string report_b = read_file(dirs[1] / "report.html");
  ASSERT_FALSE(report_a.empty());
  for (auto at = report_a.find(dirs[0].string()); at != std::string::npos; at = report_a.find(dirs[0].string(), at))
    report_a.replace(at, dirs[0].string().size(), dirs[1].string());
  EXPECT_TRUE(report_a == report_b) << "report.html differs between two runs with the same seed";
  auto meta_a = nlohmann::json::parse(read_file(dirs[0] / "fold_1/metadata.json"));
  auto meta_b = nlohmann::json::parse(read_file(dirs[1] / "fold_1/metadata.json"));
  for (auto* m : {&meta_a, &meta_b}) {
    m->erase("created_utc");
    m->erase("train_seconds");
  }
  EXPECT_EQ(meta_a, meta_b);

  // What would make another machine differ is on record.
  const auto& compute = meta_a.at("compute");
  const auto cpu = compute.at("cpu_model").get<std::string>();
  EXPECT_FALSE(cpu.empty());
  EXPECT_TRUE(cpu.find_first_of(":\t") == std::string::npos) << "not the raw /proc/cpuinfo line: " << cpu;
  EXPECT_FALSE(compute.at("blas").get<std::string>().empty());
  EXPECT_EQ(compute.at("threads").get<int>(), run.ppo.torch_threads);
  EXPECT_GE(compute.at("logical_cpus").get<unsigned>(), 1u);
}

}  // namespace
}  // namespace daytrader::train
