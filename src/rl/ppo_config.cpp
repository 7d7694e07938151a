#include "rl/ppo_config.h"

#include <cmath>
#include <string>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

namespace daytrader::rl {

std::string_view to_string(LrSchedule s) noexcept {
  switch (s) {
    case LrSchedule::kConstant: return "constant";
    case LrSchedule::kLinear: return "linear";
  }
  return "?";
}

namespace {

core::Error field_error(std::string_view field, const auto& value, std::string_view expected) {
  return core::Error{fmt::format("ppo config: {} = {} is invalid: expected {}", field, value, expected)};
}

bool finite(double x) { return std::isfinite(x); }

constexpr std::int64_t kMaxRolloutSamples = std::int64_t{1} << 22;     // 4.2 M env steps per rollout
constexpr std::int64_t kMaxHiddenParameters = std::int64_t{1} << 26;   // 67 M weights per network

}  // namespace

core::Status PpoConfig::validate() const {
  if (total_timesteps < 1) return field_error("total_timesteps", total_timesteps, "an integer >= 1");
  if (num_envs < 1) return field_error("num_envs", num_envs, "an integer >= 1");
  if (n_steps < 1) return field_error("n_steps", n_steps, "an integer >= 1");
  // The rollout buffer holds n_steps * num_envs samples (observations, actions, log-probs,
  // values, returns): refuse a size that would exhaust memory before anything is allocated.
  if (n_steps > kMaxRolloutSamples || num_envs > kMaxRolloutSamples ||
      n_steps * num_envs > kMaxRolloutSamples) {
    return field_error("n_steps", n_steps,
                       fmt::format("n_steps * num_envs <= {} (num_envs = {})", kMaxRolloutSamples, num_envs));
  }
  if (n_steps * num_envs < 2) {
    return field_error("n_steps", n_steps,
                       fmt::format("n_steps * num_envs > 1 (num_envs = {})", num_envs));
  }
  if (batch_size < 1) return field_error("batch_size", batch_size, "an integer >= 1");
  if (normalize_advantage && batch_size < 2) {
    return field_error("batch_size", batch_size,
                       "an integer > 1 when normalize_advantage is true (the std needs 2 samples)");
  }
  if (n_epochs < 1) return field_error("n_epochs", n_epochs, "an integer >= 1");
  if (!finite(gamma) || gamma < 0.0 || gamma > 1.0) return field_error("gamma", gamma, "a number in [0, 1]");
  if (!finite(gae_lambda) || gae_lambda < 0.0 || gae_lambda > 1.0) {
    return field_error("gae_lambda", gae_lambda, "a number in [0, 1]");
  }
  if (!finite(clip_range) || clip_range <= 0.0) return field_error("clip_range", clip_range, "a number > 0");
  if (clip_range_vf && (!finite(*clip_range_vf) || *clip_range_vf <= 0.0)) {
    return field_error("clip_range_vf", *clip_range_vf, "a number > 0, or unset for no value clipping");
  }
  if (!finite(ent_coef) || ent_coef < 0.0) return field_error("ent_coef", ent_coef, "a number >= 0");
  if (!finite(vf_coef) || vf_coef < 0.0) return field_error("vf_coef", vf_coef, "a number >= 0");
  if (target_kl && (!finite(*target_kl) || *target_kl <= 0.0)) {
    return field_error("target_kl", *target_kl, "a number > 0, or unset for no early stopping");
  }
  if (!finite(learning_rate) || learning_rate <= 0.0) {
    return field_error("learning_rate", learning_rate, "a number > 0");
  }
  if (!finite(learning_rate_final) || learning_rate_final < 0.0) {
    return field_error("learning_rate_final", learning_rate_final, "a number >= 0");
  }
  if (!finite(adam_eps) || adam_eps <= 0.0) return field_error("adam_eps", adam_eps, "a number > 0");
  if (!finite(max_grad_norm) || max_grad_norm <= 0.0) {
    return field_error("max_grad_norm", max_grad_norm, "a number > 0");
  }
  for (const auto* layers : {&policy_hidden, &value_hidden}) {
    const char* name = layers == &policy_hidden ? "policy_hidden" : "value_hidden";
    for (const std::int64_t width : *layers) {
      if (width < 1 || width > 65536) {
        return field_error(name, fmt::format("[{}]", fmt::join(*layers, ", ")),
                           "a list of layer widths in [1, 65536]");
      }
    }
  }
  // Hidden-to-hidden weights dominate the parameter count (the input and output layers add width
  // times the observation size or action count); Adam keeps three more copies of every parameter.
  for (const auto* layers : {&policy_hidden, &value_hidden}) {
    const char* name = layers == &policy_hidden ? "policy_hidden" : "value_hidden";
    std::int64_t params = 0;
    for (std::size_t i = 0; i < layers->size(); ++i) {
      params += (*layers)[i] * (i + 1 < layers->size() ? (*layers)[i + 1] + 1 : 1);
    }
    if (params > kMaxHiddenParameters) {
      return field_error(name, fmt::format("[{}]", fmt::join(*layers, ", ")),
                         fmt::format("layers with at most {} hidden weights in all (these have {})",
                                     kMaxHiddenParameters, params));
    }
  }
  if (stats_window_size < 1) return field_error("stats_window_size", stats_window_size, "an integer >= 1");
  if (torch_threads < 1 || torch_threads > 256) {
    return field_error("torch_threads", torch_threads, "an integer in [1, 256]");
  }
  return {};
}

bool operator==(const PpoConfig& a, const PpoConfig& b) {
  return a.total_timesteps == b.total_timesteps && a.num_envs == b.num_envs && a.n_steps == b.n_steps &&
         a.batch_size == b.batch_size && a.n_epochs == b.n_epochs && a.gamma == b.gamma &&
         a.gae_lambda == b.gae_lambda && a.normalize_advantage == b.normalize_advantage &&
         a.clip_range == b.clip_range && a.clip_range_vf == b.clip_range_vf && a.ent_coef == b.ent_coef &&
         a.vf_coef == b.vf_coef && a.target_kl == b.target_kl && a.learning_rate == b.learning_rate &&
         a.lr_schedule == b.lr_schedule && a.learning_rate_final == b.learning_rate_final &&
         a.adam_eps == b.adam_eps && a.max_grad_norm == b.max_grad_norm &&
         a.policy_hidden == b.policy_hidden && a.value_hidden == b.value_hidden &&
         a.ortho_init == b.ortho_init && a.stats_window_size == b.stats_window_size && a.seed == b.seed &&
         a.torch_threads == b.torch_threads;
}

void to_json(nlohmann::json& j, const PpoConfig& c) {
  auto opt = [](const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); };
  j = nlohmann::json{
      {"total_timesteps", c.total_timesteps},
      {"num_envs", c.num_envs},
      {"n_steps", c.n_steps},
      {"batch_size", c.batch_size},
      {"n_epochs", c.n_epochs},
      {"gamma", c.gamma},
      {"gae_lambda", c.gae_lambda},
      {"normalize_advantage", c.normalize_advantage},
      {"clip_range", c.clip_range},
      {"clip_range_vf", opt(c.clip_range_vf)},
      {"ent_coef", c.ent_coef},
      {"vf_coef", c.vf_coef},
      {"target_kl", opt(c.target_kl)},
      {"learning_rate", c.learning_rate},
      {"lr_schedule", std::string(to_string(c.lr_schedule))},
      {"learning_rate_final", c.learning_rate_final},
      {"adam_eps", c.adam_eps},
      {"max_grad_norm", c.max_grad_norm},
      {"policy_hidden", c.policy_hidden},
      {"value_hidden", c.value_hidden},
      {"ortho_init", c.ortho_init},
      {"stats_window_size", c.stats_window_size},
      {"seed", c.seed},
      {"torch_threads", c.torch_threads},
  };
}

namespace {

template <typename T>
void read_field(const nlohmann::json& j, const std::string& key, T& out) {
  try {
    out = j.get<T>();
  } catch (const nlohmann::json::exception& e) {
    throw core::DaytraderError(
        fmt::format("ppo config JSON: key \"{}\" has value {}: {}", key, j.dump(), e.what()));
  }
}

void read_optional(const nlohmann::json& j, const std::string& key, std::optional<double>& out) {
  if (j.is_null()) {
    out.reset();
    return;
  }
  double v = 0;
  read_field(j, key, v);
  out = v;
}

}  // namespace

void from_json(const nlohmann::json& j, PpoConfig& c) {
  if (!j.is_object()) {
    throw core::DaytraderError(fmt::format("ppo config JSON: expected an object, was {}", j.type_name()));
  }
  c = PpoConfig{};
  for (const auto& [key, v] : j.items()) {
    if (key == "total_timesteps") read_field(v, key, c.total_timesteps);
    else if (key == "num_envs") read_field(v, key, c.num_envs);
    else if (key == "n_steps") read_field(v, key, c.n_steps);
    else if (key == "batch_size") read_field(v, key, c.batch_size);
    else if (key == "n_epochs") read_field(v, key, c.n_epochs);
    else if (key == "gamma") read_field(v, key, c.gamma);
    else if (key == "gae_lambda") read_field(v, key, c.gae_lambda);
    else if (key == "normalize_advantage") read_field(v, key, c.normalize_advantage);
    else if (key == "clip_range") read_field(v, key, c.clip_range);
    else if (key == "clip_range_vf") read_optional(v, key, c.clip_range_vf);
    else if (key == "ent_coef") read_field(v, key, c.ent_coef);
    else if (key == "vf_coef") read_field(v, key, c.vf_coef);
    else if (key == "target_kl") read_optional(v, key, c.target_kl);
    else if (key == "learning_rate") read_field(v, key, c.learning_rate);
    else if (key == "lr_schedule") {
      std::string s;
      read_field(v, key, s);
      if (s == "constant") c.lr_schedule = LrSchedule::kConstant;
      else if (s == "linear") c.lr_schedule = LrSchedule::kLinear;
      else throw core::DaytraderError(fmt::format(
          "ppo config JSON: key \"lr_schedule\" has value \"{}\": expected \"constant\" or \"linear\"", s));
    }
    else if (key == "learning_rate_final") read_field(v, key, c.learning_rate_final);
    else if (key == "adam_eps") read_field(v, key, c.adam_eps);
    else if (key == "max_grad_norm") read_field(v, key, c.max_grad_norm);
    else if (key == "policy_hidden") read_field(v, key, c.policy_hidden);
    else if (key == "value_hidden") read_field(v, key, c.value_hidden);
    else if (key == "ortho_init") read_field(v, key, c.ortho_init);
    else if (key == "stats_window_size") read_field(v, key, c.stats_window_size);
    else if (key == "seed") read_field(v, key, c.seed);
    else if (key == "torch_threads") read_field(v, key, c.torch_threads);
    else throw core::DaytraderError(fmt::format("ppo config JSON: unknown key \"{}\"", key));
  }
}

}  // namespace daytrader::rl
