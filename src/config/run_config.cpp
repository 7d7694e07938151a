#include "config/run_config.h"

#include <cmath>
#include <fstream>
#include <functional>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

namespace daytrader::config {

namespace {

using Setter = std::function<core::Status(const toml::node&, const std::string& where)>;
using Getter = std::function<void(toml::table&)>;

struct Field {
  std::string name;
  Setter set;
  Getter get;
};

core::Error type_error(const std::string& where, const char* expected, const toml::node& n) {
  std::ostringstream shown;
  if (auto s = n.as_string()) shown << '"' << s->get() << '"';
  else n.visit([&](const auto& v) { shown << v; });
  return core::Error{fmt::format("{}: expected {}, got {}", where, expected, shown.str())};
}

// An integer of any width, range-checked before it is narrowed.
template <typename I>
Field int_field(std::string name, I& ref, std::int64_t lo, std::int64_t hi) {
  return {name,
          [&ref, lo, hi](const toml::node& n, const std::string& where) -> core::Status {
            const auto v = n.value_exact<std::int64_t>();
            if (!v) return type_error(where, "an integer", n);
            if (*v < lo || *v > hi) return core::Error{fmt::format("{}: {} is outside {}..{}", where, *v, lo, hi)};
            ref = static_cast<I>(*v);
            return {};
          },
          [name, &ref](toml::table& t) { t.insert_or_assign(name, static_cast<std::int64_t>(ref)); }};
}

Field double_field(std::string name, double& ref) {
  return {name,
          [&ref](const toml::node& n, const std::string& where) -> core::Status {
            const auto v = n.value<double>();  // integers are accepted as numbers
            if (!v || !n.is_number()) return type_error(where, "a number", n);
            if (!std::isfinite(*v)) return core::Error{fmt::format("{}: {} is not finite", where, *v)};
            ref = *v;
            return {};
          },
          [name, &ref](toml::table& t) { t.insert_or_assign(name, ref); }};
}

// An optional number: a value, or false for none.
Field optional_double_field(std::string name, std::optional<double>& ref) {
  return {name,
          [&ref](const toml::node& n, const std::string& where) -> core::Status {
            if (auto b = n.value_exact<bool>(); b && !*b) {
              ref.reset();
              return {};
            }
            const auto v = n.value<double>();
            if (!v || !n.is_number() || !std::isfinite(*v)) return type_error(where, "a number or false (none)", n);
            ref = *v;
            return {};
          },
          [name, &ref](toml::table& t) {
            if (ref) t.insert_or_assign(name, *ref);
            else t.insert_or_assign(name, false);
          }};
}

Field bool_field(std::string name, bool& ref) {
  return {name,
          [&ref](const toml::node& n, const std::string& where) -> core::Status {
            const auto v = n.value_exact<bool>();
            if (!v) return type_error(where, "true or false", n);
            ref = *v;
            return {};
          },
          [name, &ref](toml::table& t) { t.insert_or_assign(name, ref); }};
}

// Money in dollars with at most two decimals, stored as cents.
Field dollars_field(std::string name, core::Cents& ref) {
  return {name,
          [&ref](const toml::node& n, const std::string& where) -> core::Status {
            const auto v = n.value<double>();
            if (!v || !n.is_number()) return type_error(where, "an amount in dollars", n);
            const double cents = *v * 100.0;
            if (!std::isfinite(cents) || std::fabs(cents - std::round(cents)) > 1e-6 || std::fabs(cents) > 1e15)
              return core::Error{fmt::format("{}: {} is not a dollar amount in whole cents", where, *v)};
            ref = static_cast<core::Cents>(std::llround(cents));
            return {};
          },
          [name, &ref](toml::table& t) { t.insert_or_assign(name, static_cast<double>(ref) / 100.0); }};
}

Field time_field(std::string name, core::LocalTimeOfDay& ref) {
  return {name,
          [&ref](const toml::node& n, const std::string& where) -> core::Status {
            const auto s = n.value_exact<std::string>();
            if (!s) return type_error(where, "an exchange time like \"08:30\"", n);
            const auto t = core::LocalTimeOfDay::parse(*s);
            if (!t) return core::Error{fmt::format("{}: \"{}\" is not a time like 08:30 or 14:30:00", where, *s)};
            ref = *t;
            return {};
          },
          [name, &ref](toml::table& t) { t.insert_or_assign(name, ref.to_string()); }};
}

template <typename E, typename Parse, typename Show>
Field enum_field(std::string name, E& ref, Parse parse, Show show) {
  return {name,
          [&ref, parse](const toml::node& n, const std::string& where) -> core::Status {
            const auto s = n.value_exact<std::string>();
            if (!s) return type_error(where, "a string", n);
            auto v = parse(*s);
            if (!v) return core::Error{fmt::format("{}: {}", where, v.error().message)};
            ref = *v;
            return {};
          },
          [name, &ref, show](toml::table& t) { t.insert_or_assign(name, std::string(show(ref))); }};
}

Field int_list_field(std::string name, std::vector<std::int64_t>& ref) {
  return {name,
          [&ref](const toml::node& n, const std::string& where) -> core::Status {
            const auto* a = n.as_array();
            if (a == nullptr || a->empty()) return type_error(where, "a list of layer sizes like [64, 64]", n);
            std::vector<std::int64_t> out;
            for (const auto& e : *a) {
              const auto v = e.value_exact<std::int64_t>();
              if (!v || *v < 1 || *v > 65536) return type_error(where, "layer sizes between 1 and 65536", n);
              out.push_back(*v);
            }
            ref = std::move(out);
            return {};
          },
          [name, &ref](toml::table& t) {
            toml::array a;
            for (auto v : ref) a.push_back(v);
            t.insert_or_assign(name, std::move(a));
          }};
}

core::Result<rl::LrSchedule> parse_lr_schedule(std::string_view s) {
  if (s == "constant") return rl::LrSchedule::kConstant;
  if (s == "linear") return rl::LrSchedule::kLinear;
  return core::Error{fmt::format("\"{}\" is not a schedule (constant or linear)", s)};
}

struct Sections {
  std::vector<std::pair<std::string, std::vector<Field>>> list;
  const std::vector<Field>* find(std::string_view section) const {
    for (const auto& [name, fields] : list)
      if (name == section) return &fields;
    return nullptr;
  }
};

Sections sections_of(RunConfig& c) {
  Sections s;
  auto& e = c.env;
  s.list.push_back({"env",
                    {
                        time_field("window_start", e.window_start),
                        time_field("window_end", e.window_end),
                        int_field("bars_before_window", e.bars_before_window, 0, 10'000),
                        int_field("target_ticks", e.bracket.target_ticks, 1, 100'000),
                        int_field("stop_ticks", e.bracket.stop_ticks, 1, 100'000),
                        int_field("slippage_ticks", e.slippage_ticks, 0, 1'000),
                        dollars_field("commission_per_side", e.commission_per_side_cents),
                        dollars_field("starting_balance", e.starting_balance_cents),
                        dollars_field("max_drawdown", e.risk.max_drawdown_cents),
                        dollars_field("daily_profit_target", e.risk.daily_profit_target_cents),
                        bool_field("end_episode_on_lockout", e.end_episode_on_lockout),
                        enum_field("reward", e.reward, env::parse_reward_kind,
                                   [](env::RewardKind k) { return env::to_string(k); }),
                        double_field("reward_scale", e.reward_scale),
                        double_field("original_exit_multiplier", e.original_exit_multiplier),
                        double_field("original_loss_penalty", e.original_loss_penalty),
                        dollars_field("original_loss_threshold", e.original_loss_threshold_cents),
                        dollars_field("obs_balance_scale", e.obs_balance_scale_cents),
                        dollars_field("obs_open_pnl_scale", e.obs_open_pnl_scale_cents),
                    }});
  auto& p = c.ppo;
  s.list.push_back({"ppo",
                    {
                        int_field("total_timesteps", p.total_timesteps, 1, 1'000'000'000'000),
                        int_field("num_envs", p.num_envs, 1, 4096),
                        int_field("n_steps", p.n_steps, 1, 1'000'000),
                        int_field("batch_size", p.batch_size, 1, 10'000'000),
                        int_field("n_epochs", p.n_epochs, 1, 10'000),
                        double_field("gamma", p.gamma),
                        double_field("gae_lambda", p.gae_lambda),
                        bool_field("normalize_advantage", p.normalize_advantage),
                        double_field("clip_range", p.clip_range),
                        optional_double_field("clip_range_vf", p.clip_range_vf),
                        double_field("ent_coef", p.ent_coef),
                        double_field("vf_coef", p.vf_coef),
                        optional_double_field("target_kl", p.target_kl),
                        double_field("learning_rate", p.learning_rate),
                        enum_field("lr_schedule", p.lr_schedule, parse_lr_schedule,
                                   [](rl::LrSchedule k) { return rl::to_string(k); }),
                        double_field("learning_rate_final", p.learning_rate_final),
                        double_field("adam_eps", p.adam_eps),
                        double_field("max_grad_norm", p.max_grad_norm),
                        int_list_field("policy_hidden", p.policy_hidden),
                        int_list_field("value_hidden", p.value_hidden),
                        bool_field("ortho_init", p.ortho_init),
                        int_field("stats_window_size", p.stats_window_size, 1, 1'000'000),
                        int_field("seed", p.seed, 0, INT64_MAX),
                        int_field("torch_threads", p.torch_threads, 1, 256),
                    }});
  auto& t = c.train;
  s.list.push_back({"train",
                    {
                        int_field("folds", t.folds, 1, 100),
                        int_field("gap_sessions", t.gap_sessions, 0, 10'000),
                        enum_field("scaler", t.scaler, features::parse_scaler_kind,
                                   [](features::ScalerKind k) { return features::to_string(k); }),
                        bool_field("deterministic_eval", t.deterministic_eval),
                    }});
  return s;
}

std::string location(const std::string& source, const toml::source_region& r) {
  return fmt::format("{}:{}:{}", source, r.begin.line, r.begin.column);
}

std::string known_keys(const std::vector<Field>& fields) {
  std::string out;
  for (const auto& f : fields) out += (out.empty() ? "" : ", ") + f.name;
  return out;
}

core::Status apply_table(const toml::table& root, const std::string& source, Sections& sections) {
  for (const auto& [key, node] : root) {
    const std::string section(key.str());
    const auto* fields = sections.find(section);
    if (fields == nullptr || !node.is_table())
      return core::Error{fmt::format("{}: unknown section [{}] (known: [env], [ppo], [train])",
                                     location(source, key.source()), section)};
    for (const auto& [k, v] : *node.as_table()) {
      const std::string name(k.str());
      const Field* field = nullptr;
      for (const auto& f : *fields)
        if (f.name == name) field = &f;
      if (field == nullptr)
        return core::Error{fmt::format("{}: unknown key {}.{} (known: {})", location(source, k.source()), section,
                                       name, known_keys(*fields))};
      if (auto st = field->set(v, fmt::format("{}: {}.{}", location(source, v.source()), section, name)); !st)
        return st;
    }
  }
  return {};
}

core::Status apply_override(const std::string& text, Sections& sections) {
  const auto eq = text.find('=');
  const auto dot = text.find('.');
  if (eq == std::string::npos || dot == std::string::npos || dot > eq)
    return core::Error{fmt::format("--set {}: expected section.key=value, like ppo.n_steps=256", text)};
  const std::string section = text.substr(0, dot), name = text.substr(dot + 1, eq - dot - 1);
  const std::string value = text.substr(eq + 1);
  const auto* fields = sections.find(section);
  if (fields == nullptr)
    return core::Error{fmt::format("--set {}: unknown section {} (known: env, ppo, train)", text, section)};
  const Field* field = nullptr;
  for (const auto& f : *fields)
    if (f.name == name) field = &f;
  if (field == nullptr)
    return core::Error{fmt::format("--set {}: unknown key {}.{} (known: {})", text, section, name, known_keys(*fields))};
  // A TOML value (42, 3e-4, true, [64, 64], "x"); a bare word is taken as a string.
  toml::table parsed;
  try {
    parsed = toml::parse("v = " + value);
  } catch (const toml::parse_error&) {
    parsed = toml::table{{"v", value}};
  }
  return field->set(*parsed.get("v"), fmt::format("--set {}", text));
}

}  // namespace

core::Result<RunConfig> parse_run_config(std::string_view text, const std::string& source,
                                         const std::vector<std::string>& overrides) {
  RunConfig config;
  Sections sections = sections_of(config);
  if (!text.empty()) {
    toml::table root;
    try {
      root = toml::parse(text, source);
    } catch (const toml::parse_error& e) {
      return core::Error{fmt::format("{}: {}", location(source, e.source()), e.description())};
    }
    if (auto st = apply_table(root, source, sections); !st) return st.error();
  }
  for (const auto& o : overrides)
    if (auto st = apply_override(o, sections); !st) return st.error();
  if (auto st = env::validate(config.env); !st) return core::Error{fmt::format("{}: {}", source, st.error().message)};
  if (auto st = config.ppo.validate(); !st) return core::Error{fmt::format("{}: {}", source, st.error().message)};
  return config;
}

core::Result<RunConfig> load_run_config(const std::string& path, const std::vector<std::string>& overrides) {
  if (path.empty()) return parse_run_config({}, "defaults", overrides);
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::Error{fmt::format("{}: cannot open", path)};
  std::ostringstream text;
  text << in.rdbuf();
  return parse_run_config(text.str(), path, overrides);
}

std::string to_toml(const RunConfig& config) {
  RunConfig copy = config;
  Sections sections = sections_of(copy);
  toml::table root;
  for (const auto& [name, fields] : sections.list) {
    toml::table t;
    for (const auto& f : fields) f.get(t);
    root.insert_or_assign(name, std::move(t));
  }
  std::ostringstream out;
  out << root << '\n';
  return out.str();
}

}  // namespace daytrader::config
