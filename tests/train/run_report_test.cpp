// The training run's report: the page's structure over folds and seeds, escaping, a page that
// needs nothing from the network, missing figures, and the metrics.csv parser.

#include "train/run_report.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <regex>
#include <string>

#include <fmt/format.h>

#include "backtest/html.h"
#include "backtest/stats.h"
#include "run_report_fixture.h"

namespace daytrader::train {
namespace {

using testing::fixture_report;

int count(const std::string& text, const std::string& what) {
  int n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

// Words a figure without a value would print.
void expect_no_missing_figures_printed(const std::string& html) {
  EXPECT_FALSE(std::regex_search(html, std::regex(R"(\bnan\b)", std::regex::icase))) << html;
  EXPECT_FALSE(std::regex_search(html, std::regex(R"(\binf(inity)?\b)", std::regex::icase)));
}

void expect_self_contained(const std::string& html) {
  for (const char* outside : {"http://", "https://", "<script", "src=", "url(", "@import", "<link", "<img"})
    EXPECT_EQ(html.find(outside), std::string::npos) << outside;
}

TEST(RunReport, HasARowPerFoldAndSeedAndAChartPerMetricPerFold) {
  const std::string html = render_run_report(fixture_report());
  EXPECT_EQ(count(html, "<tr class=\"fold-row\">"), testing::kFixtureFolds);
  EXPECT_EQ(count(html, "<tr class=\"seed-row"), testing::kFixtureSeeds);
  EXPECT_EQ(count(html, "<tr class=\"seed-row saved\">"), 2);  // one saved model per fold
  EXPECT_EQ(count(html, "<svg"), testing::kFixtureCharts);
  for (const char* metric : {"Episode P&amp;L", "Entropy loss", "Approximate KL divergence",
                             "Explained variance", "Policy loss", "Value loss"})
    EXPECT_EQ(count(html, std::string("aria-label=\"") + metric), testing::kFixtureFolds) << metric;
  // Legend: a key per seed of each fold; fold 1's three seeds each draw a line in all six charts,
  // fold 2's single update is a point.
  EXPECT_EQ(count(html, "<span class=\"key\">"), testing::kFixtureSeeds);
  EXPECT_EQ(count(html, ">seed 5 (saved)</span>"), 2);
  EXPECT_EQ(count(html, ">seed 6</span>"), 1);
  EXPECT_EQ(count(html, ">seed 7</span>"), 1);
  EXPECT_EQ(count(html, "<polyline class=\"curve\""), 3 * 6);
  EXPECT_EQ(count(html, "<circle class=\"curve\""), 6);
  EXPECT_EQ(count(html, "id=\"fold-1\""), 1);
  EXPECT_EQ(count(html, "id=\"fold-2\""), 1);
}

TEST(RunReport, ShowsTheStatisticsTheSummaryTableShows) {
  const auto report = fixture_report();
  const std::string html = render_run_report(report);
  const auto& saved = report.folds[0].seeds[0];
  const auto stats = backtest::daily_stats(backtest::daily_pnl_cents(saved.test[backtest::kModelRun].days));
  EXPECT_NE(html.find(backtest::html_escape(backtest::significance_words(stats))), std::string::npos);
  EXPECT_NE(html.find(fmt::format("annualised Sharpe ratio {:.2f} (95% interval {:.2f} .. {:.2f}, Lo)",
                                  *stats.sharpe_annualised, stats.sharpe_annualised_lo_ci->lower,
                                  stats.sharpe_annualised_lo_ci->upper)),
            std::string::npos);
  EXPECT_NE(html.find("deflated Sharpe ratio 0."), std::string::npos);
  EXPECT_NE(html.find("over 3 seeds"), std::string::npos);
  EXPECT_NE(html.find("one seed, so no deflated Sharpe ratio"), std::string::npos);
  EXPECT_NE(html.find("<th>Sharpe (annualised)</th>"), std::string::npos);
  EXPECT_NE(html.find("How to read this"), std::string::npos);
  // Fold 1: seed 6 never trades; fold 2 has no order-flow rule, so "> order flow" has no seeds.
  EXPECT_NE(html.find("<td>1/3</td>"), std::string::npos);
  EXPECT_NE(html.find("no verdict: every one of the 25 days has the same P&amp;L"), std::string::npos);
  EXPECT_NE(html.find("none (the feature set has no delta_share or delta column)"), std::string::npos);
  // The saved seed's sensitivity table: six rows, a column per run.
  EXPECT_NE(html.find("<th>order flow</th>"), std::string::npos);
  EXPECT_EQ(count(html, "<td>2 ticks</td><td>touch</td>"), 2);
  expect_no_missing_figures_printed(html);
  expect_self_contained(html);
}

TEST(RunReport, JudgesEveryFoldsTestDaysEndToEnd) {
  const auto report = fixture_report();
  const std::string html = render_run_report(report);
  std::vector<double> days;
  double net = 0;
  for (const auto& fold : report.folds)
    for (const auto& seed : fold.seeds)
      if (seed.saved) {
        const auto d = backtest::daily_pnl_cents(seed.test[backtest::kModelRun].days);
        days.insert(days.end(), d.begin(), d.end());
        net += static_cast<double>(seed.test[backtest::kModelRun].metrics.net_pnl_cents);
      }
  EXPECT_NE(html.find(fmt::format("<h2>All folds end to end</h2><p>The 2 folds' {} test days", days.size())),
            std::string::npos);
  const auto stats = backtest::daily_stats(days);
  EXPECT_NE(html.find(fmt::format("<b>Saved models:</b> net {}, {}",
                                  backtest::dollars(static_cast<core::Cents>(std::llround(net))),
                                  backtest::html_escape(backtest::significance_words(stats)))),
            std::string::npos);
  // Fold 2 has one seed: no seed-index line; it has no order-flow rule: no such baseline row.
  EXPECT_EQ(html.find("The i-th seed of every fold"), std::string::npos);
  EXPECT_NE(html.find("<tr><td>buy and hold</td>"), std::string::npos);
  EXPECT_EQ(html.find("<tr><td>order flow</td>"), std::string::npos);
}

TEST(RunReport, EscapesEveryName) {
  auto report = fixture_report();
  report.name = "runs/<b>&x</b>";
  report.data_path = "data/\"quoted\".dtds";
  report.config_text = "name = \"<script>alert(1)</script>\"";
  report.folds[0].selection = "seed <5> & co";
  report.folds[0].order_flow = "delta_share > 0.75";
  report.folds[0].seeds[0].test[backtest::kBuyAndHoldRun].name = "buy & <hold>";
  report.folds[0].seeds[2].metrics_error = "a <bad> file";
  const std::string html = render_run_report(report);
  EXPECT_NE(html.find("<title>Training run runs/&lt;b&gt;&amp;x&lt;/b&gt;</title>"), std::string::npos);
  EXPECT_NE(html.find("data/&quot;quoted&quot;.dtds"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("seed &lt;5&gt; &amp; co"), std::string::npos);
  EXPECT_NE(html.find("delta_share &gt; 0.75"), std::string::npos);
  EXPECT_NE(html.find("<th>buy &amp; &lt;hold&gt;</th>"), std::string::npos);
  EXPECT_NE(html.find("Seed 7: no curves, a &lt;bad&gt; file"), std::string::npos);
  for (const char* raw : {"<b>&x", "<script>", "<5>", "<hold>", "<bad>"})
    EXPECT_EQ(html.find(raw), std::string::npos) << raw;
  expect_self_contained(html);
}

TEST(RunReport, RendersDegenerateRunsWithoutMissingFigures) {
  struct Row {
    const char* what;
    void (*change)(RunReport&);
  };
  const Row rows[] = {
      {"no folds", [](RunReport& r) { r.folds.clear(); }},
      {"a fold without seeds", [](RunReport& r) { r.folds[0].seeds.clear(); }},
      {"a seed without test runs", [](RunReport& r) { r.folds[0].seeds[1].test.clear(); }},
      {"only the model run", [](RunReport& r) { r.folds[1].seeds[0].test.resize(1); }},
      {"no saved seed", [](RunReport& r) { r.folds[0].seeds[0].saved = false; }},
      {"no metrics rows", [](RunReport& r) { r.folds[0].seeds[0].metrics.clear(); }},
      {"every figure missing",
       [](RunReport& r) {
         for (auto& row : r.folds[0].seeds[0].metrics) {
           MetricsRow bare;
           bare.iteration = row.iteration;
           bare.timesteps = row.timesteps;
           row = bare;
         }
       }},
      {"constant curves",
       [](RunReport& r) {
         for (auto& row : r.folds[0].seeds[1].metrics) {
           row.value_loss = 0.0;
           row.approx_kl = 0.25;
         }
       }},
      {"extreme values",
       [](RunReport& r) {
         for (auto& seed : r.folds[0].seeds)
           for (std::size_t i = 0; i < seed.metrics.size(); ++i) {
             auto& m = seed.metrics[i];
             m.value_loss = i == 0 ? 1.5e308 : -1.5e308;               // a range past a double
             m.entropy_loss = 1e15 + 0.01 * static_cast<double>(i);    // too close to tell apart
             m.ep_pnl_mean = 1e-300 * static_cast<double>(i % 2);      // tiny
             m.policy_loss = std::numeric_limits<double>::infinity();  // not from the parser
           }
       }},
      {"no test days",
       [](RunReport& r) {
         for (auto& run : r.folds[1].seeds[0].test) run.days.clear();
       }},
      {"one seed everywhere", [](RunReport& r) { r.folds[0].seeds.resize(1); }},
      {"no sensitivity", [](RunReport& r) { r.folds[0].seeds[0].sensitivity.clear(); }},
  };
  for (const Row& row : rows) {
    auto report = fixture_report();
    row.change(report);
    const std::string html = render_run_report(report);
    EXPECT_TRUE(html.starts_with("<!doctype html>")) << row.what;
    EXPECT_TRUE(html.ends_with("</body></html>\n")) << row.what;
    EXPECT_EQ(count(html, "<svg"), 6 * static_cast<int>(report.folds.size())) << row.what;
    expect_no_missing_figures_printed(html);
    expect_self_contained(html);
  }
}

TEST(RunReport, KeepsEverySeedApartWhenThereAreMany) {
  auto report = fixture_report();
  auto& seeds = report.folds[0].seeds;
  while (seeds.size() < 25) {
    SeedReport s = seeds[seeds.size() % 3];
    s.seed = 5 + seeds.size();
    s.saved = false;
    s.sensitivity.clear();
    seeds.push_back(s);
  }
  const std::string html = render_run_report(report);
  EXPECT_EQ(count(html, "<span class=\"key\">"), 26);
  EXPECT_EQ(count(html, "<tr class=\"seed-row"), 26);
  EXPECT_NE(html.find(">seed 29</span>"), std::string::npos);
  EXPECT_GT(count(html, "stroke-dasharray=\"5 3\""), 0);  // colours repeat after ten, dashed
  EXPECT_NE(html.find("over 25 seeds"), std::string::npos);
  expect_no_missing_figures_printed(html);
}

// ---- metrics.csv --------------------------------------------------------------------------------

// Two updates as the driver writes them: before any episode ended, then after.
const std::string kHeader = std::string(kMetricsCsvHeader) + "\n";
const std::string kGood =
    kHeader +
    "1,2048,9012.5,0.0003,0.00412,0.051,-1.609,nan,-0.0123,41.2,20.59,10,0,0,nan,nan,nan\n"
    "2,4096,9100.0,0.0003,0.0125,0.12,-1.5,0.31,-0.002,30.5,15.2,20,1,4,0.25,360,-125.50\n";

TEST(MetricsCsv, ReadsWhatTheDriverWrites) {
  const auto rows = parse_metrics_csv(kGood, "metrics.csv");
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), 2u);
  const MetricsRow& a = (*rows)[0];
  const MetricsRow& b = (*rows)[1];
  EXPECT_EQ(a.iteration, 1);
  EXPECT_EQ(a.timesteps, 2048);
  EXPECT_DOUBLE_EQ(*a.approx_kl, 0.00412);
  EXPECT_DOUBLE_EQ(*a.entropy_loss, -1.609);
  EXPECT_FALSE(a.explained_variance.has_value());  // "nan": no spread
  EXPECT_FALSE(a.ep_pnl_mean.has_value());         // no episode had ended
  EXPECT_FALSE(a.early_stopped);
  EXPECT_EQ(b.n_updates, 20);
  EXPECT_TRUE(b.early_stopped);
  EXPECT_EQ(b.episodes, 4);
  EXPECT_DOUBLE_EQ(*b.explained_variance, 0.31);
  EXPECT_DOUBLE_EQ(*b.ep_pnl_mean, -125.5);
  EXPECT_DOUBLE_EQ(*b.value_loss, 30.5);
  EXPECT_DOUBLE_EQ(*b.policy_loss, -0.002);
}

TEST(MetricsCsv, FindsColumnsByNameAndToleratesCrlf) {
  // The same columns in another order, one more, Windows line ends, no final newline.
  std::string header = "extra," + std::string(kMetricsCsvHeader);
  const std::string text =
      "ep_pnl_mean," + header + "\r\n" + "12.5,x,1,2048,1,1,1,1,1,1,1,1,1,1,0,1,1,1,inf\r\n";
  // ep_pnl_mean appears twice: the first one is read.
  const auto rows = parse_metrics_csv(text, "m.csv");
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_DOUBLE_EQ(*(*rows)[0].ep_pnl_mean, 12.5);
  EXPECT_EQ((*rows)[0].timesteps, 2048);
}

TEST(MetricsCsv, ErrorsNameTheFileLineAndColumn) {
  struct Row {
    std::string text;
    std::string error;
  };
  const std::string line2 =
      "1,2048,9012.5,0.0003,0.00412,0.051,-1.609,0.5,-0.0123,41.2,20.59,10,0,0,1,360,-5\n";
  const Row rows[] = {
      {"", "runs/x/fold_1/metrics.csv: the file is empty (expected the header iteration,timesteps,"},
      {"iteration,timesteps\n1,2\n", "runs/x/fold_1/metrics.csv: line 1: the header has no column fps"},
      {kHeader + line2 +
           "2,4096,9100.0,0.0003,0.0x1,0.12,-1.5,0.31,-0.002,30.5,15.2,20,1,4,0.25,360,-125.50\n",
       "runs/x/fold_1/metrics.csv: line 3, column approx_kl: \"0.0x1\" is not a number"},
      {kHeader + "1,2048.5,9012.5,0.0003,0.00412,0.051,-1.609,0.5,-0.0123,41.2,20.59,10,0,0,1,360,-5\n",
       "runs/x/fold_1/metrics.csv: line 2, column timesteps: \"2048.5\" is not a whole number"},
      {kHeader + line2 + "\n" + "3,6144,9000\n",
       "runs/x/fold_1/metrics.csv: line 4: 3 fields, but the header has 17 columns"},
      {kHeader + "1,2048,9012.5,0.0003,0.00412,0.051,-1.609,0.5,-0.0123,41.2,20.59,10,yes,0,1,360,-5\n",
       "runs/x/fold_1/metrics.csv: line 2, column early_stopped: \"yes\" is not 0 or 1"},
      {kHeader + "1,,9012.5,0.0003,0.00412,0.051,-1.609,0.5,-0.0123,41.2,20.59,10,0,0,1,360,-5\n",
       "runs/x/fold_1/metrics.csv: line 2, column timesteps: \"\" is not a whole number"},
      {kHeader + "1,2048,9012.5,0.0003,0.00412,0.051,-1.609,0.5,-0.0123,41.2,20.59,10,0,0,1,360," +
           std::string(100, '9') + "z\n",
       "runs/x/fold_1/metrics.csv: line 2, column ep_pnl_mean: "
       "\"9999999999999999999999999999999999999999...\" "
       "(101 characters) is not a number"},
  };
  for (const Row& r : rows) {
    const auto parsed = parse_metrics_csv(r.text, "runs/x/fold_1/metrics.csv");
    ASSERT_FALSE(parsed) << r.text;
    EXPECT_TRUE(parsed.error().message.starts_with(r.error))
        << parsed.error().message << "\nexpected: " << r.error;
  }
}

TEST(MetricsCsv, AHeaderAloneHasNoRowsAndAMissingFileIsNamed) {
  const auto header_only = parse_metrics_csv(kHeader, "metrics.csv");
  ASSERT_TRUE(header_only) << header_only.error().message;
  EXPECT_TRUE(header_only->empty());

  const auto dir = std::filesystem::temp_directory_path() / "daytrader_run_report_test";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "metrics.csv") << kGood;
  const auto from_file = read_metrics_csv(dir / "metrics.csv");
  ASSERT_TRUE(from_file) << from_file.error().message;
  EXPECT_EQ(from_file->size(), 2u);
  std::ofstream(dir / "empty.csv").close();
  const auto empty = read_metrics_csv(dir / "empty.csv");
  ASSERT_FALSE(empty);
  EXPECT_TRUE(empty.error().message.starts_with((dir / "empty.csv").string() + ": the file is empty"));
  const auto missing = read_metrics_csv(dir / "nope.csv");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message,
            (dir / "nope.csv").string() + ": cannot open: No such file or directory");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace daytrader::train
