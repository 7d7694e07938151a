#include "env/env_data.h"

#include <cmath>
#include <exception>
#include <utility>

#include <fmt/format.h>

#include "core/session_calendar.h"

namespace daytrader::env {

namespace {

// A usable session, in dataset bar indices.
struct RawPlan {
  std::size_t session = 0;
  std::int32_t trade_date = 0;
  std::size_t begin = 0, entry_begin = 0, last = 0;
  bool has_fill_bar = false;
  bool ends_data = false;
};

core::Status check_view(const MarketView& v) {
  if (v.feature_set == nullptr) return core::Error{fmt::format("{}: no feature set", v.name)};
  if (v.feature_set->size() == 0)
    return core::Error{fmt::format("{}: feature set {} has no columns", v.name, v.feature_set->name())};
  if (v.features.size() != v.bars.size() * v.feature_set->size())
    return core::Error{fmt::format("{}: {} feature values for {} bars of {} features", v.name,
                                   v.features.size(), v.bars.size(), v.feature_set->size())};
  if (v.instrument.tick_value_cents <= 0)
    return core::Error{fmt::format("{}: instrument tick_value_cents is {}; expected > 0", v.name,
                                   v.instrument.tick_value_cents)};
  for (std::size_t s = 0; s < v.sessions.size(); ++s) {
    const auto& r = v.sessions[s];
    if (r.first_bar > v.bars.size() || r.bar_count > v.bars.size() - r.first_bar)
      return core::Error{fmt::format("{}: session {}: bars {}+{} are outside the {} bars", v.name, s,
                                     r.first_bar, r.bar_count, v.bars.size())};
  }
  return {};
}

// Which sessions the config selects, and which of their bars an episode steps through.
core::Result<std::vector<RawPlan>> plan_sessions(const MarketView& v, const EnvConfig& c) {
  if (auto st = validate(c); !st) return st.error();
  if (auto st = check_view(v); !st) return st.error();
  const std::size_t n_sessions = v.sessions.size();
  if (c.session_begin >= n_sessions)
    return core::Error{fmt::format("{}: EnvConfig.session_begin is {}; the data has {} sessions", v.name,
                                   c.session_begin, n_sessions)};
  const std::size_t end = c.session_count == 0 ? n_sessions : c.session_begin + c.session_count;
  if (end > n_sessions || end < c.session_begin)
    return core::Error{
        fmt::format("{}: EnvConfig.session_count is {} from session {}; the data has {} sessions", v.name,
                    c.session_count, c.session_begin, n_sessions)};
  std::optional<core::SessionCalendar> calendar;
  try {
    calendar.emplace(v.instrument.time_zone);
  } catch (const std::exception& e) {
    return core::Error{fmt::format("{}: {}", v.name, e.what())};
  }

  std::vector<RawPlan> plans;
  for (std::size_t s = c.session_begin; s < end; ++s) {
    const auto& rec = v.sessions[s];
    if (rec.bar_count == 0) continue;
    const auto day = date::sys_days(date::days(rec.trade_date));
    const std::int64_t ws = core::to_unix_ns(calendar->at(day, c.window_start));
    const std::int64_t we = core::to_unix_ns(calendar->at(day, c.window_end));
    const std::size_t first = rec.first_bar;
    const std::size_t stop = rec.first_bar + rec.bar_count;
    // Times must increase, so that "the bars closing in the window" is a contiguous run.
    for (std::size_t i = first; i < stop; ++i) {
      const auto& b = v.bars[i];
      if (b.close_time_ns < b.open_time_ns)
        return core::Error{fmt::format("{}: bar {}: close time {} is before open time {}", v.name, i,
                                       core::format_utc(core::from_unix_ns(b.close_time_ns)),
                                       core::format_utc(core::from_unix_ns(b.open_time_ns)))};
      if (i > first && b.close_time_ns <= v.bars[i - 1].close_time_ns)
        return core::Error{fmt::format("{}: bar {}: close time {} is not after the previous bar's {}", v.name,
                                       i, core::format_utc(core::from_unix_ns(b.close_time_ns)),
                                       core::format_utc(core::from_unix_ns(v.bars[i - 1].close_time_ns)))};
    }
    std::size_t entry_begin = first;
    while (entry_begin < stop && v.bars[entry_begin].close_time_ns < ws) ++entry_begin;
    if (entry_begin == stop || v.bars[entry_begin].close_time_ns > we)
      continue;  // no bar closes in the window
    std::size_t last = entry_begin;
    while (last + 1 < stop && v.bars[last + 1].close_time_ns <= we) ++last;
    RawPlan p;
    p.session = s;
    p.trade_date = rec.trade_date;
    const auto before = static_cast<std::size_t>(c.bars_before_window);
    p.begin = entry_begin - std::min(before, entry_begin - first);
    p.entry_begin = entry_begin;
    p.last = last;
    p.has_fill_bar = last + 1 < stop;
    p.ends_data = !p.has_fill_bar && s + 1 == n_sessions && v.bars[last].close_time_ns < we;
    const std::size_t stored_end = p.has_fill_bar ? last + 2 : last + 1;
    for (std::size_t i = p.begin; i < stored_end; ++i) {
      const auto& b = v.bars[i];
      if (b.low > b.high || b.open < b.low || b.open > b.high || b.close < b.low || b.close > b.high)
        return core::Error{
            fmt::format("{}: bar {}: open {} high {} low {} close {} (ticks) are inconsistent; expected "
                        "low <= open, close <= high",
                        v.name, i, b.open, b.high, b.low, b.close)};
      const float* row = v.features.data() + i * v.feature_set->size();
      for (std::size_t col = 0; col < v.feature_set->size(); ++col)
        if (!std::isfinite(row[col]))
          return core::Error{fmt::format("{}: bar {}: feature {} ({}) is {}; expected a finite number",
                                         v.name, i, col, v.feature_set->columns()[col], row[col])};
    }
    plans.push_back(p);
  }
  if (plans.empty())
    return core::Error{fmt::format("{}: none of sessions {}..{} has a bar closing in the window {}-{}",
                                   v.name, c.session_begin, end - 1, c.window_start.to_string(),
                                   c.window_end.to_string())};
  return plans;
}

}  // namespace

MarketView MarketView::of(const dataset::Dataset& d) {
  MarketView v;
  v.name = d.path();
  v.instrument = d.meta().instrument;
  v.feature_set = &d.feature_set();
  v.sessions = d.sessions();
  v.bars = d.bars();
  v.features = d.feature_matrix();
  return v;
}

core::Result<std::shared_ptr<const EnvData>> EnvData::create(const dataset::Dataset& data,
                                                             const features::Scaler& scaler,
                                                             const EnvConfig& config) {
  return create(MarketView::of(data), scaler, config);
}

core::Result<std::shared_ptr<const EnvData>> EnvData::create(const MarketView& view,
                                                             const features::Scaler& scaler,
                                                             const EnvConfig& config) {
  auto plans = plan_sessions(view, config);
  if (!plans) return plans.error();
  if (auto st = scaler.check_feature_set(*view.feature_set); !st)
    return core::Error{fmt::format("{}: {}", view.name, st.error().message)};

  std::shared_ptr<EnvData> d(new EnvData());
  d->config_ = config;
  d->instrument_ = view.instrument;
  d->feature_set_ = *view.feature_set;
  d->num_features_ = view.feature_set->size();
  std::size_t n_bars = 0;
  for (const auto& p : *plans) n_bars += p.last - p.begin + 1 + (p.has_fill_bar ? 1 : 0);
  d->prices_.reserve(n_bars);
  d->times_.reserve(n_bars);
  d->dataset_bar_.reserve(n_bars);
  d->features_.reserve(n_bars * d->num_features_);
  for (const auto& p : *plans) {
    EpisodePlan e;
    e.session = p.session;
    e.trade_date = p.trade_date;
    e.begin = d->prices_.size();
    e.entry_begin = e.begin + (p.entry_begin - p.begin);
    e.last = e.begin + (p.last - p.begin);
    e.has_fill_bar = p.has_fill_bar;
    e.ends_data = p.ends_data;
    const std::size_t stored_end = p.has_fill_bar ? p.last + 2 : p.last + 1;
    for (std::size_t i = p.begin; i < stored_end; ++i) {
      const auto& b = view.bars[i];
      d->prices_.push_back(
          {core::Ticks(b.open), core::Ticks(b.high), core::Ticks(b.low), core::Ticks(b.close)});
      d->times_.push_back({b.open_time_ns, b.close_time_ns});
      d->dataset_bar_.push_back(i);
      const auto row = view.features.subspan(i * d->num_features_, d->num_features_);
      d->features_.insert(d->features_.end(), row.begin(), row.end());
    }
    d->episodes_.push_back(e);
  }
  if (auto st = scaler.transform(d->features_); !st)
    return core::Error{fmt::format("{}: {}", view.name, st.error().message)};
  return std::shared_ptr<const EnvData>(std::move(d));
}

core::Result<std::vector<float>> decision_feature_rows(const MarketView& view, const EnvConfig& config) {
  auto plans = plan_sessions(view, config);
  if (!plans) return plans.error();
  const std::size_t f = view.feature_set->size();
  std::vector<float> rows;
  for (const auto& p : *plans) {
    const auto span = view.features.subspan(p.begin * f, (p.last - p.begin + 1) * f);
    rows.insert(rows.end(), span.begin(), span.end());
  }
  return rows;
}

core::Result<features::Scaler> fit_scaler(const MarketView& view, const EnvConfig& training_config,
                                          features::ScalerKind kind) {
  auto rows = decision_feature_rows(view, training_config);
  if (!rows) return rows.error();
  auto scaler = features::Scaler::fit(kind, *view.feature_set, *rows);
  if (!scaler) return core::Error{fmt::format("{}: {}", view.name, scaler.error().message)};
  return scaler;
}

core::Result<features::Scaler> fit_scaler(const dataset::Dataset& data, const EnvConfig& training_config,
                                          features::ScalerKind kind) {
  return fit_scaler(MarketView::of(data), training_config, kind);
}

}  // namespace daytrader::env
