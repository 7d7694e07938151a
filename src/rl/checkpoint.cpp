#include "rl/checkpoint.h"

#include <fstream>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace daytrader::rl {

namespace {

core::Status ensure_dir(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return core::Error{fmt::format("{}: cannot create model folder: {}", dir.string(), ec.message())};
  return {};
}

core::Status write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) return core::Error{fmt::format("{}: cannot open for writing", path.string())};
  f << text;
  f.close();
  if (!f) return core::Error{fmt::format("{}: write failed", path.string())};
  return {};
}

core::Result<nlohmann::json> read_json(const std::filesystem::path& path) {
  auto text = read_file_bytes(path.string());
  if (!text) return text.error();
  auto j = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return core::Error{fmt::format("{}: not valid JSON", path.string())};
  return j;
}

}  // namespace

core::Status save_policy(const std::filesystem::path& dir, const PolicyWeights& weights, const PpoConfig& config) {
  if (auto s = ensure_dir(dir); !s) return s;
  const auto tensors = weights_to_tensors(weights);
  if (auto s = write_tensor_file((dir / kPolicyFile).string(), tensors); !s) return s;
  nlohmann::json j = config;
  return write_text(dir / kConfigFile, j.dump(2) + "\n");
}

core::Result<PolicyWeights> load_policy_weights(const std::filesystem::path& dir) {
  const auto path = (dir / kPolicyFile).string();
  auto tensors = read_tensor_file(path);
  if (!tensors) return tensors.error();
  return weights_from_tensors(*tensors, path);
}

core::Result<PpoConfig> load_ppo_config(const std::filesystem::path& dir) {
  const auto path = dir / kConfigFile;
  auto j = read_json(path);
  if (!j) return j.error();
  try {
    return j->get<PpoConfig>();
  } catch (const std::exception& e) {
    return core::Error{fmt::format("{}: {}", path.string(), e.what())};
  }
}

core::Status save_trainer_state(const std::filesystem::path& dir, const PolicyWeights& weights,
                                const TrainerState& state) {
  if (auto s = ensure_dir(dir); !s) return s;
  std::vector<NamedTensor> tensors;
  std::size_t offset = 0;
  const bool has_moments = !state.adam.exp_avg.empty();
  for (const auto& t : weights.tensors()) {
    if (has_moments) {
      DT_ASSERT(offset + t.data.size() <= state.adam.exp_avg.size(), "save_trainer_state: Adam state too small");
      const auto b = state.adam.exp_avg.begin() + static_cast<std::ptrdiff_t>(offset);
      const auto b2 = state.adam.exp_avg_sq.begin() + static_cast<std::ptrdiff_t>(offset);
      const auto n = static_cast<std::ptrdiff_t>(t.data.size());
      tensors.push_back(NamedTensor{"exp_avg." + t.name, t.shape, std::vector<float>(b, b + n)});
      tensors.push_back(NamedTensor{"exp_avg_sq." + t.name, t.shape, std::vector<float>(b2, b2 + n)});
    }
    offset += t.data.size();
  }
  if (auto s = write_tensor_file((dir / kOptimizerFile).string(), tensors); !s) return s;
  auto rng = [](const std::uint64_t (&s)[4]) { return nlohmann::json::array({s[0], s[1], s[2], s[3]}); };
  const nlohmann::json j = {
      {"format", "daytrader-ppo-trainer-state-1"},
      {"timesteps", state.timesteps},
      {"iterations", state.iterations},
      {"n_updates", state.n_updates},
      {"episodes_total", state.episodes_total},
      {"adam_step", state.adam.step},
      {"sample_rng", rng(state.sample_rng)},
      {"shuffle_rng", rng(state.shuffle_rng)},
      {"observation_size", weights.observation_size()},
      {"num_actions", weights.num_actions()},
      {"parameter_count", weights.parameter_count()},
  };
  return write_text(dir / kTrainerStateFile, j.dump(2) + "\n");
}

core::Result<TrainerState> load_trainer_state(const std::filesystem::path& dir, const PolicyWeights& weights) {
  const auto state_path = dir / kTrainerStateFile;
  auto j = read_json(state_path);
  if (!j) return j.error();
  TrainerState st;
  try {
    if (j->value("format", std::string()) != "daytrader-ppo-trainer-state-1") {
      return core::Error{fmt::format("{}: format is {}, expected \"daytrader-ppo-trainer-state-1\"",
                                     state_path.string(), j->value("format", nlohmann::json()).dump())};
    }
    if (j->at("parameter_count").get<std::size_t>() != weights.parameter_count() ||
        j->at("observation_size").get<std::size_t>() != weights.observation_size() ||
        j->at("num_actions").get<std::size_t>() != weights.num_actions()) {
      return core::Error{fmt::format(
          "{}: network shape (observation_size {}, num_actions {}, {} parameters) differs from the trainer's "
          "({}, {}, {})",
          state_path.string(), j->at("observation_size").dump(), j->at("num_actions").dump(),
          j->at("parameter_count").dump(), weights.observation_size(), weights.num_actions(),
          weights.parameter_count())};
    }
    st.timesteps = j->at("timesteps").get<std::int64_t>();
    st.iterations = j->at("iterations").get<std::int64_t>();
    st.n_updates = j->at("n_updates").get<std::int64_t>();
    st.episodes_total = j->at("episodes_total").get<std::int64_t>();
    st.adam.step = j->at("adam_step").get<std::int64_t>();
    for (int i = 0; i < 4; ++i) {
      st.sample_rng[i] = j->at("sample_rng").at(static_cast<std::size_t>(i)).get<std::uint64_t>();
      st.shuffle_rng[i] = j->at("shuffle_rng").at(static_cast<std::size_t>(i)).get<std::uint64_t>();
    }
  } catch (const std::exception& e) {
    return core::Error{fmt::format("{}: {}", state_path.string(), e.what())};
  }
  const auto opt_path = (dir / kOptimizerFile).string();
  auto tensors = read_tensor_file(opt_path);
  if (!tensors) return tensors.error();
  if (st.adam.step == 0 && tensors->empty()) return st;
  std::map<std::string, const NamedTensor*> by_name;
  for (const auto& t : *tensors) by_name[t.name] = &t;
  for (const auto& t : weights.tensors()) {
    for (const char* kind : {"exp_avg.", "exp_avg_sq."}) {
      const auto it = by_name.find(kind + t.name);
      if (it == by_name.end() || it->second->shape != t.shape) {
        return core::Error{fmt::format("{}: missing or misshapen tensor {}{}", opt_path, kind, t.name)};
      }
      auto& dst = std::string_view(kind) == "exp_avg." ? st.adam.exp_avg : st.adam.exp_avg_sq;
      dst.insert(dst.end(), it->second->data.begin(), it->second->data.end());
    }
  }
  return st;
}

Policy load_policy(const std::filesystem::path& dir, std::uint64_t seed) {
  auto w = load_policy_weights(dir);
  if (!w) throw core::DaytraderError(w.error().message);
  return Policy(std::move(*w), seed);
}

}  // namespace daytrader::rl
