// Properties checked on arbitrary bytes, beyond "no crash, no UB, no leak, no hang, no huge
// allocation" (the pickle can ask for any shape; the file is small):
// 1. a refusal names the file it comes from;
// 2. accepted weights are consistent (PolicyWeights::check) and evaluate an observation.
// Byte 0 selects the input's form (sb3_fuzz.h).

#include "sb3_fuzz.h"

#include <vector>

#include "fuzz_support.h"
#include "rl/policy.h"
#include "rl/policy_weights.h"
#include "rl/sb3_import.h"
#include "rl/torch_pickle.h"

namespace daytrader::fuzz {
namespace {

void require(bool ok, const char* property) {
  fuzz::require(ok, "sb3", property);
}

void check_weights(const rl::PolicyWeights& w) {
  require(w.check().has_value(), "accepted weights chain");
  require(w.observation_size() > 0 && w.num_actions() > 0, "accepted weights have inputs and actions");
  const rl::Policy policy(w);
  const std::vector<float> obs(w.observation_size(), 0.5F);
  std::vector<float> logits(w.num_actions()), value(1);
  policy.evaluate(obs, logits, value);
}

void load_model(std::string_view zip) {
  const MemFile file(zip, "model.zip");
  auto model = rl::load_sb3_zip(file.path());
  if (!model) {
    require(model.error().message.find(file.path()) != std::string::npos, "a load error names the file");
    return;
  }
  check_weights(model->weights);
}

}  // namespace

std::string sb3_pth_from_parts(std::string_view parts) {
  const auto p = split_parts(parts, kSb3PartSeparator);
  std::vector<std::pair<std::string, std::string>> members{
      {"archive/data.pkl", p.size() > 1 ? std::string(p[1]) : std::string()},
      {"archive/byteorder", "little"}};
  for (std::size_t i = 2; i < p.size(); ++i)
    members.emplace_back("archive/data/" + std::to_string(i - 2), p[i]);
  return stored_zip(members);
}

std::string sb3_model_from_parts(std::string_view parts) {
  const auto p = split_parts(parts, kSb3PartSeparator);
  return stored_zip({{"data", std::string(p[0])},
                     {"policy.pth", sb3_pth_from_parts(parts)},
                     {"_stable_baselines3_version", "2.3.2"}});
}

int sb3_fuzz_one_input(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view rest = as_text(data + 1, size - 1);
  switch (data[0] % 3) {
    case kSb3Model:
      load_model(rest);
      break;
    case kSb3Pth: {
      const std::string source = "fuzz.pth";
      auto tensors = rl::read_torch_state_dict(rest, source);
      if (!tensors) {
        require(tensors.error().message.starts_with(source + ": "), "a read error names the file");
        break;
      }
      auto weights = rl::weights_from_tensors(*tensors, source);
      if (!weights) {
        require(weights.error().message.starts_with(source + ": "), "a shape error names the file");
        break;
      }
      check_weights(*weights);
      break;
    }
    default:
      load_model(sb3_model_from_parts(rest));
      break;
  }
  return 0;
}

}  // namespace daytrader::fuzz
