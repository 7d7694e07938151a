#include "config/run_config.h"

#include <fmt/format.h>

#include "config/toml_fields.h"

namespace daytrader::config {

namespace {

core::Result<rl::LrSchedule> parse_lr_schedule(std::string_view s) {
  if (s == "constant") return rl::LrSchedule::kConstant;
  if (s == "linear") return rl::LrSchedule::kLinear;
  return core::Error{fmt::format("\"{}\" is not a schedule (constant or linear)", s)};
}

Schema schema_of(RunConfig& c) {
  Schema s;
  s.override_example = "ppo.n_steps=256";
  auto& e = c.env;
  s.sections.push_back({"env",
                    {
                        time_field("window_start", e.window_start),
                        time_field("window_end", e.window_end),
                        int_field("bars_before_window", e.bars_before_window, 0, 10'000),
                        int_field("target_ticks", e.bracket.target_ticks, 1, 100'000),
                        int_field("stop_ticks", e.bracket.stop_ticks, 1, 100'000),
                        int_field("slippage_ticks", e.slippage_ticks, 0, 1'000),
                        enum_field("fill_rule", e.fill_rule, exec::parse_limit_fill_rule,
                                   [](exec::LimitFillRule k) { return std::string(exec::to_string(k)); }),
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
  s.sections.push_back({"ppo",
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
  s.sections.push_back({"train",
                    {
                        int_field("folds", t.folds, 1, 100),
                        int_field("gap_sessions", t.gap_sessions, 0, 10'000),
                        enum_field("window", t.window, backtest::parse_window_scheme,
                                   [](backtest::WindowScheme k) { return std::string(backtest::to_string(k)); }),
                        int_field("train_sessions", t.train_sessions, 0, 100'000),
                        int_field("validation_sessions", t.validation_sessions, 0, 10'000),
                        int_field("seeds", t.seeds, 1, 1'000),
                        enum_field("scaler", t.scaler, features::parse_scaler_kind,
                                   [](features::ScalerKind k) { return features::to_string(k); }),
                        bool_field("deterministic_eval", t.deterministic_eval),
                    }});
  return s;
}

}  // namespace

core::Result<RunConfig> parse_run_config(std::string_view text, const std::string& source,
                                         const std::vector<std::string>& overrides) {
  RunConfig config;
  const Schema schema = schema_of(config);
  if (!text.empty()) {
    auto root = parse_toml(text, source);
    if (!root) return root.error();
    if (auto st = apply_table(*root, source, schema); !st) return st.error();
  }
  if (auto st = apply_overrides(overrides, schema); !st) return st.error();
  if (auto st = env::validate(config.env); !st) return core::Error{fmt::format("{}: {}", source, st.error().message)};
  if (auto st = config.ppo.validate(); !st) return core::Error{fmt::format("{}: {}", source, st.error().message)};
  return config;
}

core::Result<RunConfig> load_run_config(const std::string& path, const std::vector<std::string>& overrides) {
  if (path.empty()) return parse_run_config({}, "defaults", overrides);
  auto text = read_text_file(path);
  if (!text) return text.error();
  return parse_run_config(*text, path, overrides);
}

backtest::SplitPlan split_plan(const TrainSettings& settings) {
  backtest::SplitPlan plan;
  plan.folds = settings.folds;
  plan.purge_sessions = settings.gap_sessions;
  plan.validation_sessions = settings.validation_sessions;
  plan.scheme = settings.window;
  plan.train_sessions = settings.train_sessions;
  return plan;
}

std::string to_toml(const RunConfig& config) {
  RunConfig copy = config;
  return to_toml(schema_of(copy));
}

}  // namespace daytrader::config
