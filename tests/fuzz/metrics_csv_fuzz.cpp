// Properties checked on arbitrary text, beyond "no crash, no UB, no leak, no hang":
// 1. a refused file gets a message that starts with the file's name;
// 2. accepted rows hold only finite figures, at most one row per line after the header;
// 3. the report draws them: six charts, and no "nan" or "inf" anywhere on the page.

#include "metrics_csv_fuzz.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "fuzz_support.h"
#include "train/run_report.h"

namespace daytrader::fuzz {
namespace {

void require(bool ok, const char* property) { fuzz::require(ok, "metrics_csv", property); }

const std::string kSource = "fold_1/metrics.csv";

bool finite_or_empty(const std::optional<double>& v) { return !v || std::isfinite(*v); }

}  // namespace

int metrics_csv_fuzz_one_input(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = as_text(data, size);
  auto rows = train::parse_metrics_csv(text, kSource);
  if (!rows) {
    require(rows.error().message.starts_with(kSource + ": "), "an error names the file");
    return 0;
  }
  require(rows->size() <= static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')),
          "at most one row per line after the header");
  for (const auto& r : *rows)
    for (const auto* v : {&r.fps, &r.learning_rate, &r.approx_kl, &r.clip_fraction, &r.entropy_loss,
                          &r.explained_variance, &r.policy_loss, &r.value_loss, &r.loss, &r.ep_rew_mean,
                          &r.ep_len_mean, &r.ep_pnl_mean})
      require(finite_or_empty(*v), "an accepted figure is finite or missing");

  train::RunReport report;
  train::FoldReport fold;
  train::SeedReport seed;
  seed.saved = true;
  seed.metrics = std::move(rows).value();
  fold.seeds.push_back(std::move(seed));
  report.folds.push_back(std::move(fold));
  const std::string html = train::render_run_report(report);
  std::size_t charts = 0;
  for (auto at = html.find("<svg"); at != std::string::npos; at = html.find("<svg", at + 1)) ++charts;
  require(charts == 6, "one chart per metric");
  std::string lower = html;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  require(lower.find("nan") == std::string::npos && lower.find("inf") == std::string::npos,
          "the page prints no nan or inf");
  return 0;
}

}  // namespace daytrader::fuzz
