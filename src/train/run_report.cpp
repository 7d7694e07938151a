// The training run's report (train/run_report.h).

#include "train/run_report.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <utility>

#include <fmt/format.h>

#include "backtest/html.h"
#include "backtest/stats.h"
#include "core/session_calendar.h"
#include "train/walk_forward.h"

namespace daytrader::train {

namespace {

using backtest::html_escape;

// ---- metrics.csv --------------------------------------------------------------------------------

std::vector<std::string_view> split(std::string_view line, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t at = line.find(sep, start);
    out.push_back(line.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return out;
    start = at + 1;
  }
}

// A field as an error message shows it: quoted, and cut when it is long.
std::string shown(std::string_view field) {
  constexpr std::size_t kLongest = 40;
  return field.size() <= kLongest
             ? fmt::format("\"{}\"", field)
             : fmt::format("\"{}...\" ({} characters)", field.substr(0, kLongest), field.size());
}

// Where each column of MetricsRow comes from, by name.
struct IntColumn {
  std::string_view name;
  std::int64_t MetricsRow::*field;
};
struct RealColumn {
  std::string_view name;
  std::optional<double> MetricsRow::*field;
};
constexpr IntColumn kIntColumns[] = {{"iteration", &MetricsRow::iteration},
                                     {"timesteps", &MetricsRow::timesteps},
                                     {"n_updates", &MetricsRow::n_updates},
                                     {"episodes", &MetricsRow::episodes}};
constexpr RealColumn kRealColumns[] = {{"fps", &MetricsRow::fps},
                                       {"learning_rate", &MetricsRow::learning_rate},
                                       {"approx_kl", &MetricsRow::approx_kl},
                                       {"clip_fraction", &MetricsRow::clip_fraction},
                                       {"entropy_loss", &MetricsRow::entropy_loss},
                                       {"explained_variance", &MetricsRow::explained_variance},
                                       {"policy_loss", &MetricsRow::policy_loss},
                                       {"value_loss", &MetricsRow::value_loss},
                                       {"loss", &MetricsRow::loss},
                                       {"ep_rew_mean", &MetricsRow::ep_rew_mean},
                                       {"ep_len_mean", &MetricsRow::ep_len_mean},
                                       {"ep_pnl_mean", &MetricsRow::ep_pnl_mean}};
constexpr std::string_view kEarlyStopped = "early_stopped";

}  // namespace

core::Result<std::vector<MetricsRow>> parse_metrics_csv(std::string_view text,
                                                        const std::string& source) noexcept {
  if (text.empty())
    return core::Error{
        fmt::format("{}: the file is empty (expected the header {})", source, kMetricsCsvHeader)};
  std::vector<std::string_view> lines = split(text, '\n');
  for (auto& l : lines)
    if (l.ends_with('\r')) l.remove_suffix(1);

  // The header: every column we read, found by name.
  const std::vector<std::string_view> header = split(lines[0], ',');
  const auto find_column = [&](std::string_view name) -> std::optional<std::size_t> {
    const auto it = std::find(header.begin(), header.end(), name);
    if (it == header.end()) return std::nullopt;
    return static_cast<std::size_t>(it - header.begin());
  };
  std::vector<std::string_view> expected = split(kMetricsCsvHeader, ',');
  for (const auto name : expected)
    if (!find_column(name))
      return core::Error{fmt::format("{}: line 1: the header has no column {} (expected {})", source, name,
                                     kMetricsCsvHeader)};
  std::vector<std::pair<std::size_t, const IntColumn*>> ints;
  for (const auto& c : kIntColumns) ints.emplace_back(*find_column(c.name), &c);
  std::vector<std::pair<std::size_t, const RealColumn*>> reals;
  for (const auto& c : kRealColumns) reals.emplace_back(*find_column(c.name), &c);
  const std::size_t early_stopped = *find_column(kEarlyStopped);

  std::vector<MetricsRow> rows;
  for (std::size_t n = 1; n < lines.size(); ++n) {
    if (lines[n].empty()) continue;
    const std::size_t line_number = n + 1;
    const std::vector<std::string_view> fields = split(lines[n], ',');
    if (fields.size() != header.size())
      return core::Error{fmt::format("{}: line {}: {} fields, but the header has {} columns", source,
                                     line_number, fields.size(), header.size())};
    const auto error_at = [&](std::size_t column, std::string_view what) {
      return core::Error{fmt::format("{}: line {}, column {}: {} {}", source, line_number, header[column],
                                     shown(fields[column]), what)};
    };
    MetricsRow row;
    for (const auto& [column, c] : ints) {
      const std::string_view f = fields[column];
      std::int64_t v = 0;
      const auto [end, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
      if (f.empty() || ec != std::errc() || end != f.data() + f.size())
        return error_at(column, "is not a whole number");
      row.*(c->field) = v;
    }
    for (const auto& [column, c] : reals) {
      // "nan" and "inf" (written by fmt for a figure without a value) and an empty field are
      // missing figures, not errors.
      const std::string_view f = fields[column];
      if (f.empty()) continue;
      double v = 0;
      const auto [end, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
      if (ec != std::errc() || end != f.data() + f.size()) return error_at(column, "is not a number");
      if (std::isfinite(v)) row.*(c->field) = v;
    }
    const std::string_view stop = fields[early_stopped];
    if (stop != "0" && stop != "1") return error_at(early_stopped, "is not 0 or 1");
    row.early_stopped = stop == "1";
    rows.push_back(row);
  }
  return rows;
}

core::Result<std::vector<MetricsRow>> read_metrics_csv(const std::filesystem::path& path) noexcept {
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::Error{fmt::format("{}: cannot open: {}", path.string(), std::strerror(errno))};
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return core::Error{fmt::format("{}: cannot read", path.string())};
  return parse_metrics_csv(text.str(), path.string());
}

std::string order_flow_words(const std::optional<backtest::OrderFlowRule>& rule) {
  if (!rule) return "none (the feature set has no delta_share or delta column)";
  return fmt::format("{} beyond {:.2f} sd, the best of {} thresholds on the training sessions ({} there)",
                     rule->feature, rule->threshold, backtest::kOrderFlowThresholds.size(),
                     backtest::dollars(rule->fit_net_pnl_cents));
}

namespace {

// ---- Figures ------------------------------------------------------------------------------------

constexpr std::string_view kNone = "&ndash;";  // a figure without a value

std::string usd(double cents) {
  return backtest::dollars(static_cast<core::Cents>(std::llround(cents)));
}

std::string signed_class(double v) {
  return v > 0 ? "pos" : v < 0 ? "neg" : "";
}

// A table cell with dollars, coloured by sign.
std::string usd_cell(double cents) {
  return fmt::format("<td class=\"{}\">{}</td>", signed_class(cents), usd(cents));
}

std::string fixed(const std::optional<double>& v, int digits) {
  if (!v || !std::isfinite(*v)) return std::string(kNone);
  return fmt::format("{:.{}f}", *v, digits);
}

// p without its "p = " ("0.012", "< 0.0001"), as significance_words shows it.
std::string p_cell(const std::optional<double>& p) {
  if (!p || !std::isfinite(*p)) return std::string(kNone);
  std::string text = backtest::format_p_value(*p);
  if (text.starts_with("p = ")) return text.substr(4);
  return html_escape(text.substr(2));
}

std::string share_words(const backtest::Share& s) {
  if (s.of == 0) return std::string(kNone);
  return fmt::format("{}/{}", s.count, s.of);
}

std::string date_words(const SessionRange& r) {
  if (r.empty()) return "none";
  return fmt::format("{} .. {} ({} session{})", core::format_trade_date(r.first_trade_date),
                     core::format_trade_date(r.last_trade_date), r.sessions(), r.sessions() == 1 ? "" : "s");
}

std::string short_range(const SessionRange& r) {
  if (r.empty()) return std::string(kNone);
  return core::format_trade_date(r.first_trade_date) + " .. " + core::format_trade_date(r.last_trade_date);
}

// "a .. b" that a narrow column breaks after the "..", never inside a figure.
std::string span_words(const std::string& a, const std::string& b) {
  return fmt::format("<span class=\"nw\">{} ..</span> <span class=\"nw\">{}</span>", a, b);
}

const backtest::RunResult* run_of(const SeedReport& s, std::size_t index) {
  return index < s.test.size() ? &s.test[index] : nullptr;
}

// The model's test statistics, as the driver's summary computes them.
backtest::DailyStats model_stats(const SeedReport& s) {
  const auto* model = run_of(s, backtest::kModelRun);
  return backtest::daily_stats(model ? backtest::daily_pnl_cents(model->days) : std::vector<double>{});
}

// ---- Charts -------------------------------------------------------------------------------------

// Colours of the seeds' lines; after ten they repeat, dashed.
constexpr const char* kSeedColors[] = {"#1f6feb", "#cf222e", "#2da44e", "#d29922", "#8250df",
                                       "#1b7c83", "#bf3989", "#953800", "#6e7781", "#0550ae"};
constexpr std::size_t kSeedColorCount = std::size(kSeedColors);

const char* seed_color(std::size_t i) {
  return kSeedColors[i % kSeedColorCount];
}
bool seed_dashed(std::size_t i) {
  return (i / kSeedColorCount) % 2 == 1;
}

// A step of 1, 2 or 5 x 10^k near `raw`.
double nice_step(double raw) {
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double f = raw / magnitude;
  return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * magnitude;
}

// An axis label: 3 significant digits, k and M for thousands and millions.
std::string axis_label(double v, double step) {
  if (std::fabs(v) < step * 1e-6) return "0";
  const double a = std::fabs(v);
  if (a >= 1e6) return fmt::format("{:g}M", std::round(v / 1e6 * 1000) / 1000);
  if (a >= 1e3) return fmt::format("{:g}k", std::round(v / 1e3 * 1000) / 1000);
  return fmt::format("{:.3g}", v);
}

struct Axis {
  double lo = 0, hi = 1, step = 1;
  int intervals = 1;
  [[nodiscard]] double tick(int i) const { return lo + step * i; }
};

// Round bounds around [lo, hi] with about four intervals; empty when the values are too large or
// too close together for a double to tell the ticks apart.
std::optional<Axis> nice_axis(double lo, double hi) {
  if (!(hi > lo)) {
    const double pad = std::fabs(lo) > 1e-12 ? std::fabs(lo) * 0.1 : 1;
    lo -= pad;
    hi += pad;
  }
  Axis a;
  a.step = nice_step((hi - lo) / 4);
  a.lo = std::floor(lo / a.step) * a.step;
  a.hi = std::ceil(hi / a.step) * a.step;
  const double intervals = std::round((a.hi - a.lo) / a.step);
  if (!std::isfinite(intervals) || intervals < 1 || intervals > 12 || !(a.hi > a.lo) || a.lo + a.step == a.lo)
    return std::nullopt;
  a.intervals = static_cast<int>(intervals);
  return a;
}

struct Series {
  std::string label;
  const char* color = "#1f6feb";
  bool dashed = false;
  bool bold = false;
  std::vector<std::pair<double, double>> points;  // finite only
};

// One metric of every seed against timesteps, in a small chart of its own.
std::string line_chart(std::string_view title, const std::vector<Series>& series) {
  constexpr double kWidth = 320, kHeight = 200, x0 = 52, y0 = 28, w = 256, h = 140;
  std::string svg = fmt::format(
      "<svg viewBox=\"0 0 {} {}\" class=\"chart curve-chart\" role=\"img\" "
      "aria-label=\"{}\"><title>{}</title>"
      "<text x=\"{}\" y=\"16\" class=\"chart-title\">{}</text>",
      kWidth, kHeight, html_escape(title), html_escape(title), x0, html_escape(title));
  double x_max = 0, y_lo = 0, y_hi = 0;
  bool any = false;
  for (const auto& s : series)
    for (const auto& [x, y] : s.points) {
      x_max = std::max(x_max, x);
      y_lo = any ? std::min(y_lo, y) : y;
      y_hi = any ? std::max(y_hi, y) : y;
      any = true;
    }
  if (!any) {
    svg += fmt::format("<text x=\"{}\" y=\"{}\" class=\"axis\" text-anchor=\"middle\">no values</text></svg>",
                       x0 + w / 2, y0 + h / 2);
    return svg;
  }
  const auto x_axis = nice_axis(0, std::max(x_max, 1.0));
  const auto y_axis = nice_axis(y_lo, y_hi);
  if (!x_axis || !y_axis) {
    svg += fmt::format(
        "<text x=\"{}\" y=\"{}\" class=\"axis\" text-anchor=\"middle\">values out of range</text></svg>",
        x0 + w / 2, y0 + h / 2);
    return svg;
  }
  const Axis& ax = *x_axis;
  const Axis& ay = *y_axis;
  const auto px = [&](double x) { return x0 + w * (x - ax.lo) / (ax.hi - ax.lo); };
  const auto py = [&](double y) { return y0 + h * (ay.hi - y) / (ay.hi - ay.lo); };
  for (int i = 0; i <= ay.intervals; ++i) {
    const double v = ay.tick(i);
    svg += fmt::format(
        "<line x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\" class=\"grid\"/>"
        "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"axis\" text-anchor=\"end\">{}</text>",
        x0, x0 + w, py(v), py(v), x0 - 5, py(v) + 4, axis_label(v, ay.step));
  }
  if (ay.lo < 0 && ay.hi > 0)
    svg += fmt::format("<line x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\" class=\"zero\"/>", x0,
                       x0 + w, py(0), py(0));
  for (int i = 0; i <= ax.intervals; ++i)
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"axis\" text-anchor=\"middle\">{}</text>",
                       px(ax.tick(i)), y0 + h + 15, axis_label(ax.tick(i), ax.step));
  svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"axis\" text-anchor=\"end\">timesteps</text>",
                     x0 + w, kHeight - 4);
  constexpr std::size_t kMostPoints = 600;
  for (const auto& s : series) {
    if (s.points.empty()) continue;
    const std::string style = fmt::format("stroke=\"{}\" stroke-width=\"{}\"{}", s.color, s.bold ? 2.2 : 1.3,
                                          s.dashed ? " stroke-dasharray=\"5 3\"" : "");
    if (s.points.size() == 1) {
      svg += fmt::format(
          "<circle class=\"curve\" cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"2.5\" fill=\"{}\"><title>{}</title>"
          "</circle>",
          px(s.points[0].first), py(s.points[0].second), s.color, html_escape(s.label));
      continue;
    }
    std::string pts;
    const auto point = [&](std::size_t i) {
      pts += fmt::format("{:.1f},{:.1f} ", px(s.points[i].first), py(s.points[i].second));
    };
    const std::size_t step = std::max<std::size_t>(1, (s.points.size() + kMostPoints - 1) / kMostPoints);
    for (std::size_t i = 0; i + 1 < s.points.size(); i += step) point(i);
    point(s.points.size() - 1);
    pts.pop_back();
    svg +=
        fmt::format("<polyline class=\"curve\" points=\"{}\" fill=\"none\" {}><title>{}</title></polyline>",
                    pts, style, html_escape(s.label));
  }
  svg += "</svg>";
  return svg;
}

// The curves of a fold, one chart per metric.
struct Curve {
  std::string_view title;
  std::optional<double> MetricsRow::*field;
};
constexpr Curve kCurves[] = {
    {"Episode P&L, $ (recent mean)", &MetricsRow::ep_pnl_mean},
    {"Entropy loss (= -entropy)", &MetricsRow::entropy_loss},
    {"Approximate KL divergence", &MetricsRow::approx_kl},
    {"Explained variance", &MetricsRow::explained_variance},
    {"Policy loss", &MetricsRow::policy_loss},
    {"Value loss", &MetricsRow::value_loss},
};

std::string seed_label(const SeedReport& s) {
  return fmt::format("seed {}{}", s.seed, s.saved ? " (saved)" : "");
}

std::string swatch(std::size_t i) {
  return seed_dashed(i)
             ? fmt::format("<span class=\"swatch dashed\" style=\"border-color:{}\"></span>", seed_color(i))
             : fmt::format("<span class=\"swatch\" style=\"background:{}\"></span>", seed_color(i));
}

std::string training_curves(const FoldReport& fold) {
  std::string h = "<h3>Training curves</h3><p class=\"legend\">";
  for (std::size_t i = 0; i < fold.seeds.size(); ++i)
    h += "<span class=\"key\">" + swatch(i) + html_escape(seed_label(fold.seeds[i])) + "</span>";
  h += "</p>";
  for (const auto& s : fold.seeds)
    if (!s.metrics_error.empty())
      h += fmt::format("<p class=\"note\">Seed {}: no curves, {}</p>", s.seed, html_escape(s.metrics_error));
  h += "<div class=\"curves\">";
  for (const auto& c : kCurves) {
    std::vector<Series> series;
    for (std::size_t i = 0; i < fold.seeds.size(); ++i) {
      const auto& s = fold.seeds[i];
      Series line{seed_label(s), seed_color(i), seed_dashed(i), s.saved, {}};
      for (const auto& row : s.metrics)
        if (const auto& v = row.*(c.field); v && std::isfinite(*v))
          line.points.emplace_back(static_cast<double>(row.timesteps), *v);
      series.push_back(std::move(line));
    }
    h += line_chart(c.title, series);
  }
  h += "</div>";
  return h;
}

// ---- Tables -------------------------------------------------------------------------------------

// The model's and the baselines' test net P&L over the seeds of a fold.
struct FoldFigures {
  std::vector<double> net;  // the model's, per seed that has one
  std::vector<std::int64_t> trades;
  // Per baseline (flat, random, buy and hold, order flow): the seeds' own baseline values, and the
  // model's values of the same seeds (a seed without that run is left out of both).
  std::vector<double> baseline[4], model_vs[4];
  std::int64_t days = 0;
};

constexpr std::size_t kBaselineRuns[4] = {backtest::kFlatRun, backtest::kRandomRun, backtest::kBuyAndHoldRun,
                                          backtest::kOrderFlowRun};

FoldFigures fold_figures(const FoldReport& fold) {
  FoldFigures f;
  for (const auto& s : fold.seeds) {
    const auto* model = run_of(s, backtest::kModelRun);
    if (model == nullptr) continue;
    const auto net = static_cast<double>(model->metrics.net_pnl_cents);
    if (f.net.empty()) f.days = model->metrics.days;
    f.net.push_back(net);
    f.trades.push_back(model->metrics.trades);
    for (std::size_t b = 0; b < 4; ++b)
      if (const auto* base = run_of(s, kBaselineRuns[b])) {
        f.baseline[b].push_back(static_cast<double>(base->metrics.net_pnl_cents));
        f.model_vs[b].push_back(net);
      }
  }
  return f;
}

std::string median_cell(const std::vector<double>& values) {
  const auto d = backtest::summarize(values);
  return d.has_figures() ? usd_cell(d.median) : fmt::format("<td>{}</td>", kNone);
}

std::string cross_validation_table(const RunReport& report) {
  std::string h =
      "<h2>Cross-validation</h2><p>Per fold, the model's net P&amp;L on the test sessions over its seeds, "
      "the "
      "share of seeds that never traded and that beat each baseline (on the same sessions, seed by seed), "
      "and "
      "the baselines' net P&amp;L (the median over the seeds; only the random actions differ between "
      "seeds).</p>"
      "<table class=\"cv\"><tr><th colspan=\"4\"></th><th colspan=\"3\" class=\"group\">model's test net "
      "P&amp;L "
      "over seeds</th><th colspan=\"5\" class=\"group\">seeds that</th><th colspan=\"4\" class=\"group\">"
      "baselines' test net P&amp;L</th></tr><tr><th>fold</th><th>test range</th><th>days</th><th>seeds</th>"
      "<th>median</th><th>quartiles</th><th>min .. max</th><th>never traded</th><th>&gt;&nbsp;flat</th>"
      "<th>&gt;&nbsp;random</th><th>&gt; buy &amp; hold</th><th>&gt; order "
      "flow</th><th>flat</th><th>random</th>"
      "<th>buy &amp; hold</th><th>order flow</th></tr>";
  for (const auto& fold : report.folds) {
    const FoldFigures f = fold_figures(fold);
    const auto d = backtest::summarize(f.net);
    h += fmt::format(
        "<tr class=\"fold-row\"><td><a href=\"#fold-{0}\">{0}</a></td><td>{1}</td><td>{2}</td>"
        "<td>{3}</td>",
        fold.index,
        fold.test.empty() ? std::string(kNone)
                          : span_words(core::format_trade_date(fold.test.first_trade_date),
                                       core::format_trade_date(fold.test.last_trade_date)),
        f.days, fold.seeds.size());
    if (d.has_figures())
      h += usd_cell(d.median) + fmt::format("<td>{}</td><td>{}</td>", span_words(usd(d.q1), usd(d.q3)),
                                            span_words(usd(d.min), usd(d.max)));
    else
      h += fmt::format("<td>{0}</td><td>{0}</td><td>{0}</td>", kNone);
    h += fmt::format("<td>{}</td>", share_words(backtest::share_never_trading(f.trades)));
    for (std::size_t b = 0; b < 4; ++b)
      h += fmt::format("<td>{}</td>", share_words(backtest::share_beating(f.model_vs[b], f.baseline[b])));
    for (std::size_t b = 0; b < 4; ++b) h += median_cell(f.baseline[b]);
    h += "</tr>";
  }
  if (report.folds.empty()) h += "<tr><td colspan=\"16\">No folds.</td></tr>";
  h += "</table>";
  return h;
}

// Every fold's test days end to end (train/walk_forward.h), as the summary table's "all" line.
std::string walk_forward_section(const RunReport& report) {
  std::vector<WalkForwardFold> folds;
  for (const auto& fold : report.folds) {
    WalkForwardFold f;
    for (std::size_t i = 0; i < fold.seeds.size(); ++i) {
      f.seeds.push_back(&fold.seeds[i].test);
      if (fold.seeds[i].saved) f.saved = i;
    }
    folds.push_back(std::move(f));
  }
  if (folds.size() < 2) return {};
  const auto w = summarize_walk_forward(folds);
  if (w.folds == 0 || w.days == 0) return {};
  std::string h = fmt::format(
      "<h2>All folds end to end</h2><p>The {} folds' {} test days one after the other: what each fold's "
      "saved model made on the sessions after its training, the walk-forward record a trader would have "
      "had. One fold's days are often too few to judge; these are the figures to judge by.</p>",
      w.folds, w.days);
  const auto& st = w.saved.stats;
  h += fmt::format("<p class=\"verdict\"><b>Saved models:</b> net {}, {}", usd(w.saved.net_cents),
                   html_escape(backtest::significance_words(st)));
  if (st.sharpe_annualised && st.sharpe_annualised_lo_ci)
    h += fmt::format("; annualised Sharpe ratio {:.2f} (95% interval {:.2f} .. {:.2f}, Lo)", *st.sharpe_annualised,
                     st.sharpe_annualised_lo_ci->lower, st.sharpe_annualised_lo_ci->upper);
  h += ".</p>";
  if (w.seed_index_nets)
    h += fmt::format(
        "<p>The i-th seed of every fold, as one strategy: median net {} over the {} seed indices (min {}, "
        "max {}); significantly positive at 5%: {} of {}; significantly negative: {} of {}.</p>",
        usd(w.seed_index_nets->median), w.seed_indices.size(), usd(w.seed_index_nets->min),
        usd(w.seed_index_nets->max), w.significantly_positive, w.seed_indices.size(), w.significantly_negative,
        w.seed_indices.size());
  h += "<table class=\"seeds\"><tr><th>over the same days</th><th>net P&amp;L</th><th>t</th><th>p</th>"
       "<th>Sharpe (annualised)</th></tr>";
  const auto row = [&](const WalkForwardSeries& x) {
    h += fmt::format("<tr><td>{}</td>{}<td>{}</td><td>{}</td><td>{}</td></tr>", html_escape(x.name),
                     usd_cell(x.net_cents), fixed(x.stats.t_stat, 2), p_cell(x.stats.p_value),
                     fixed(x.stats.sharpe_annualised, 2));
  };
  row(w.saved);
  for (const auto& b : w.baselines) row(b);
  h += "</table>";
  return h;
}

// The saved model of a fold, judged on its own, and the deflated Sharpe ratio over its seeds.
std::string saved_model_words(const FoldReport& fold) {
  const auto saved =
      std::find_if(fold.seeds.begin(), fold.seeds.end(), [](const SeedReport& s) { return s.saved; });
  if (saved == fold.seeds.end() || run_of(*saved, backtest::kModelRun) == nullptr)
    return "<p><b>Saved model:</b> none with test results.</p>";
  const auto stats = model_stats(*saved);
  std::string h = fmt::format("<p><b>Saved model:</b> seed {}, net {} on the test sessions; {}", saved->seed,
                              backtest::dollars(saved->test[backtest::kModelRun].metrics.net_pnl_cents),
                              html_escape(backtest::significance_words(stats)));
  if (stats.sharpe_annualised && stats.sharpe_annualised_lo_ci)
    h += fmt::format("; annualised Sharpe ratio {:.2f} (95% interval {:.2f} .. {:.2f}, Lo)",
                     *stats.sharpe_annualised, stats.sharpe_annualised_lo_ci->lower,
                     stats.sharpe_annualised_lo_ci->upper);
  if (fold.seeds.size() > 1) {
    // As the summary table: every seed is a trial; one without a Sharpe ratio (no spread) counts as 0.
    std::vector<double> trial_sharpes;
    for (const auto& s : fold.seeds)
      if (run_of(s, backtest::kModelRun))
        trial_sharpes.push_back(model_stats(s).sharpe_per_day.value_or(0.0));
    const auto sample = backtest::sharpe_sample(stats);
    const auto dsr = sample ? backtest::deflated_sharpe(*sample, trial_sharpes)
                            : core::Result<backtest::DeflatedSharpe>(core::Error{"no Sharpe ratio"});
    if (dsr)
      h += fmt::format("; deflated Sharpe ratio {:.2f} over {} seeds", dsr->dsr, dsr->trials);
    else
      h += fmt::format("; no deflated Sharpe ratio over the {} seeds ({})", trial_sharpes.size(),
                       html_escape(dsr.error().message));
  } else {
    h += "; one seed, so no deflated Sharpe ratio (nothing was chosen among seeds)";
  }
  h += ".</p>";
  return h;
}

std::string seed_table(const FoldReport& fold) {
  std::string h =
      "<h3>Seeds on the test sessions</h3><table class=\"seeds\"><tr><th>seed</th><th>saved</th>"
      "<th>net P&amp;L</th><th>trades</th><th>t</th><th>p</th><th>Sharpe (annualised)</th>"
      "<th>95% interval (Lo)</th><th>max drawdown</th><th>validation P&amp;L</th></tr>";
  for (std::size_t i = 0; i < fold.seeds.size(); ++i) {
    const auto& s = fold.seeds[i];
    h += fmt::format("<tr class=\"seed-row{}\"><td>{}{}</td><td>{}</td>", s.saved ? " saved" : "", swatch(i),
                     s.seed, s.saved ? "saved" : "");
    const auto* model = run_of(s, backtest::kModelRun);
    if (model == nullptr) {
      h += fmt::format("<td colspan=\"7\">no test results</td>");
    } else {
      const auto& m = model->metrics;
      const auto st = model_stats(s);
      h += usd_cell(static_cast<double>(m.net_pnl_cents));
      h += fmt::format("<td>{}</td><td title=\"{}\">{}</td><td>{}</td><td>{}</td>", m.trades,
                       html_escape(backtest::significance_words(st)), fixed(st.t_stat, 2), p_cell(st.p_value),
                       fixed(st.sharpe_annualised, 2));
      h += st.sharpe_annualised_lo_ci
               ? fmt::format("<td>{:.2f} .. {:.2f}</td>", st.sharpe_annualised_lo_ci->lower,
                             st.sharpe_annualised_lo_ci->upper)
               : fmt::format("<td>{}</td>", kNone);
      h += fmt::format("<td>{}</td>", backtest::dollars(-m.max_drawdown_cents));
    }
    h += s.validation ? usd_cell(static_cast<double>(s.validation->net_pnl_cents))
                      : fmt::format("<td>{}</td>", kNone);
    h += "</tr>";
  }
  if (fold.seeds.empty()) h += "<tr><td colspan=\"10\">No seeds.</td></tr>";
  h += "</table>";
  return h;
}

std::string sensitivity_table(const FoldReport& fold, const RunReport& report) {
  const auto saved =
      std::find_if(fold.seeds.begin(), fold.seeds.end(), [](const SeedReport& s) { return s.saved; });
  if (saved == fold.seeds.end()) return {};
  if (saved->sensitivity.empty())
    return "<h3>Other costs and fill rules</h3><p>No sensitivity table (it is made for a deterministic "
           "evaluation only).</p>";
  std::string h = fmt::format(
      "<h3>Seed {} and the baselines under other costs and fill rules</h3><p>Net P&amp;L on the test "
      "sessions "
      "at 0, 1 and 2 ticks of slippage on market and stop fills, with the target filling when a bar trades a "
      "tick beyond it (through) or when it reaches it (touch, optimistic); trained with {} tick{} and {}.</p>"
      "<table class=\"sensitivity\"><tr><th>slippage</th><th>fills</th>",
      saved->seed, report.slippage_ticks, report.slippage_ticks == 1 ? "" : "s",
      exec::to_string(report.fill_rule));
  for (const auto& r : saved->test) h += "<th>" + html_escape(r.name) + "</th>";
  h += "</tr>";
  for (const auto& row : saved->sensitivity) {
    h += fmt::format("<tr><td>{} tick{}</td><td>{}</td>", row.slippage_ticks,
                     row.slippage_ticks == 1 ? "" : "s", exec::to_string(row.fill_rule));
    for (const core::Cents c : row.net_pnl_cents) h += usd_cell(static_cast<double>(c));
    h += "</tr>";
  }
  h += "</table>";
  return h;
}

std::string fold_section(const FoldReport& fold, const RunReport& report) {
  std::string h = fmt::format("<section class=\"fold\" id=\"fold-{0}\"><h2>Fold {0}: test {1}</h2>",
                              fold.index, short_range(fold.test));
  h += fmt::format(
      "<table class=\"facts\"><tr><td>training</td><td>{}</td></tr><tr><td>validation</td><td>{}</td>"
      "</tr><tr><td>test</td><td>{}</td></tr><tr><td>saved seed</td><td>{}</td></tr>"
      "<tr><td>order-flow rule</td><td>{}</td></tr></table>",
      date_words(fold.train), date_words(fold.validation), date_words(fold.test), html_escape(fold.selection),
      html_escape(fold.order_flow));
  h += saved_model_words(fold);
  h += seed_table(fold);
  h += sensitivity_table(fold, report);
  h += training_curves(fold);
  h += "</section>";
  return h;
}

constexpr std::string_view kExtraCss =
    "body{max-width:1180px}h3{font-size:14px;margin:20px 0 6px}"
    ".cv,.seeds,.sensitivity{font-size:13px}.cv td,.cv th{padding:4px 5px}.cv th{vertical-align:bottom}"
    ".nw{white-space:nowrap}th.group{text-align:center;border-bottom:1px solid #8c959f}"
    "tr.saved td{background:#f6f8fa;font-weight:600}.note{color:#9a6700}"
    ".curves{display:grid;grid-template-columns:repeat(3,1fr);gap:10px}"
    ".chart-title{font-size:12px;font-weight:600;fill:#1f2328}"
    ".legend .key{display:inline-block;margin-right:16px}"
    ".swatch.dashed{background:none;height:0;border-top:3px dashed}"
    "pre{background:#f6f8fa;padding:8px;overflow:auto;font-size:12px}"
    ".how{background:#f6f8fa;border-left:3px solid #1f6feb;padding:8px 12px}";

}  // namespace

std::string render_run_report(const RunReport& report) {
  const std::string title = "Training run " + report.name;
  std::string h = backtest::html_head(title, kExtraCss);
  std::size_t most_seeds = 0;
  for (const auto& f : report.folds) most_seeds = std::max(most_seeds, f.seeds.size());
  h += "<h1>" + html_escape(title) + "</h1><table class=\"facts\">";
  const auto fact = [&](std::string_view k, const std::string& v) {
    h += "<tr><td>" + html_escape(k) + "</td><td>" + html_escape(v) + "</td></tr>";
  };
  fact("data", report.data_path);
  fact("folds",
       fmt::format("{}, {} seed{} each", report.folds.size(), most_seeds, most_seeds == 1 ? "" : "s"));
  fact("fill rule",
       fmt::format("{} (a target fills when {})", exec::to_string(report.fill_rule),
                   report.fill_rule == exec::LimitFillRule::kTouch ? "a bar reaches it"
                                                                   : "a bar trades a tick beyond it"));
  fact("costs", fmt::format("{} tick{} of slippage on market and stop fills, commission ${:.2f} a side",
                            report.slippage_ticks, report.slippage_ticks == 1 ? "" : "s",
                            static_cast<double>(report.commission_per_side_cents) / 100.0));
  h += "</table>";
  h += "<details><summary>Effective configuration (run.toml)</summary><pre>" +
       html_escape(report.config_text) + "</pre></details>";
  h +=
      "<h2>How to read this</h2><p class=\"how\">Each fold trains only on sessions before its test range and "
      "is judged on its test sessions, which choose nothing: the saved seed is chosen on the validation "
      "sessions (or is the first seed when there are none) and the order-flow rule's threshold on the "
      "training sessions. Every seed is shown, so the spread over seeds is what training gives, not a picked "
      "run. A result is <b>significant</b> when the t-test of its daily net P&amp;L gives p &lt; 0.05 (at "
      "1%: "
      "p &lt; 0.01), and fewer than 20 days are too few to judge whatever p says; an annualised Sharpe ratio "
      "whose 95% interval holds 0 is not distinguishable from no edge. The deflated Sharpe ratio is the "
      "probability that the saved seed's Sharpe ratio beats the best of as many seeds without skill: 0.95 "
      "or more is convincing, below 0.5 the result is more likely than not luck. A model that never trades "
      "makes what always flat makes ($0). All P&amp;L is net of commission and slippage, in dollars; a "
      "&ndash; is a figure that cannot be computed (too few days, no spread).</p>";
  h += cross_validation_table(report);
  h += walk_forward_section(report);
  for (const auto& fold : report.folds) h += fold_section(fold, report);
  h += "</body></html>\n";
  return h;
}

}  // namespace daytrader::train
