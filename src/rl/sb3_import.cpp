#include "rl/sb3_import.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <type_traits>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "rl/torch_pickle.h"

namespace daytrader::rl {

namespace {

// A hyperparameter stored as a number (anything else is left at its default). An integer setting
// must hold a whole number inside its type: converting 1e300 to int64 would be undefined.
template <typename T>
core::Status take_number(const nlohmann::json& data, const char* key, T& out,
                         const std::string& path) {
  const auto it = data.find(key);
  if (it == data.end() || !it->is_number()) return {};
  if constexpr (std::is_floating_point_v<T>) {
    out = it->get<T>();
  } else {
    const double v = it->get<double>();
    const double lo = static_cast<double>(std::numeric_limits<T>::min());
    const double hi = std::ldexp(1.0, std::numeric_limits<T>::digits);  // 2^63 or 2^64, just past T
    if (!(v == std::floor(v) && v >= lo && v < hi)) {
      return core::Error{fmt::format("{}: data {} is {}, expected a whole number from {} to {}", path, key,
                                     it->dump(), std::numeric_limits<T>::min(), std::numeric_limits<T>::max())};
    }
    out = it->is_number_integer() ? it->get<T>() : static_cast<T>(v);
  }
  return {};
}

}  // namespace

core::Result<Sb3Model> load_sb3_zip(const std::string& path) noexcept {
  try {
    Sb3Model model;
    auto version = read_zip_member_from_file(path, "_stable_baselines3_version");
    if (!version) {
      return core::Error{fmt::format("{}: not a Stable-Baselines3 model zip ({})", path, version.error().message)};
    }
    model.sb3_version = *version;
    while (!model.sb3_version.empty() && (model.sb3_version.back() == '\n' || model.sb3_version.back() == '\r')) {
      model.sb3_version.pop_back();
    }
    auto data = read_zip_member_from_file(path, "data");
    if (!data) return data.error();
    model.data_json = *data;
    const auto j = nlohmann::json::parse(model.data_json, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) {
      return core::Error{fmt::format("{}: member \"data\" is not a JSON object", path)};
    }
    // The action space must be Discrete; the policy an MlpPolicy with tanh activations.
    if (const auto as = j.find("action_space"); as != j.end() && as->is_object()) {
      const std::string type = as->value(":type:", std::string());
      if (!type.empty() && type.find("Discrete") == std::string::npos) {
        return core::Error{fmt::format("{}: action_space is {}, expected gymnasium.spaces.Discrete", path, type)};
      }
    }
    if (const auto pk = j.find("policy_kwargs"); pk != j.end() && pk->is_object()) {
      if (const auto act = pk->find("activation_fn"); act != pk->end()) {
        const std::string a = act->is_string() ? act->get<std::string>() : act->dump();
        if (a.find("Tanh") == std::string::npos) {
          return core::Error{fmt::format("{}: policy_kwargs.activation_fn is {}, only nn.Tanh is supported", path, a)};
        }
      }
    }
    auto pth = read_zip_member_from_file(path, "policy.pth");
    if (!pth) return pth.error();
    auto tensors = read_torch_state_dict(*pth, path + ":policy.pth");
    if (!tensors) return tensors.error();
    auto weights = weights_from_tensors(*tensors, path + ":policy.pth");
    if (!weights) return weights.error();
    model.weights = std::move(*weights);
    // SB3 stores action_space.n as a string ("3"); older versions as a number. Either must match.
    if (const auto as = j.find("action_space"); as != j.end() && as->is_object()) {
      if (const auto n = as->find("n"); n != as->end()) {
        std::int64_t count = -1;
        if (n->is_number_integer()) {
          count = n->get<std::int64_t>();
        } else if (n->is_string()) {
          const std::string text = n->get<std::string>();
          const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), count);
          if (ec != std::errc() || end != text.data() + text.size()) count = -1;
        }
        if (count < 1) {
          return core::Error{fmt::format("{}: action_space.n is {}, expected a positive integer", path, n->dump())};
        }
        if (count != static_cast<std::int64_t>(model.weights.num_actions())) {
          return core::Error{fmt::format("{}: action_space.n = {} but action_net has {} outputs", path, count,
                                         model.weights.num_actions())};
        }
      }
    }

    PpoConfig& c = model.config;
    for (const core::Status& st : {
             take_number(j, "n_steps", c.n_steps, path), take_number(j, "batch_size", c.batch_size, path),
             take_number(j, "n_epochs", c.n_epochs, path), take_number(j, "gamma", c.gamma, path),
             take_number(j, "gae_lambda", c.gae_lambda, path), take_number(j, "ent_coef", c.ent_coef, path),
             take_number(j, "vf_coef", c.vf_coef, path), take_number(j, "max_grad_norm", c.max_grad_norm, path),
             take_number(j, "n_envs", c.num_envs, path), take_number(j, "learning_rate", c.learning_rate, path),
             take_number(j, "clip_range", c.clip_range, path), take_number(j, "seed", c.seed, path)}) {
      if (!st) return st.error();
    }
    if (const auto it = j.find("normalize_advantage"); it != j.end() && it->is_boolean()) {
      c.normalize_advantage = it->get<bool>();
    }
    if (const auto it = j.find("target_kl"); it != j.end() && it->is_number()) c.target_kl = it->get<double>();
    if (const auto it = j.find("clip_range_vf"); it != j.end() && it->is_number()) c.clip_range_vf = it->get<double>();
    c.policy_hidden = model.weights.policy_hidden();
    c.value_hidden = model.weights.value_hidden();
    return model;
  } catch (const std::exception& e) {
    return core::Error{fmt::format("{}: {}", path, e.what())};
  }
}

}  // namespace daytrader::rl
