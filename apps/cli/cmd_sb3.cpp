// daytrader sb3: run a policy trained with the original system (a Stable-Baselines3 PPO .zip,
// MlpPolicy on a Discrete action space) here: show its network and, for observations given on
// the command line, its action probabilities, value and chosen action.

#include <charconv>
#include <cmath>

#include "commands.h"
#include "common.h"
#include "rl/policy.h"
#include "rl/sb3_import.h"

namespace daytrader::cli {

namespace {

std::vector<float> parse_observation(const std::string& text, std::size_t expected) {
  std::vector<float> out;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t comma = std::min(text.find(',', pos), text.size());
    const std::string item = text.substr(pos, comma - pos);
    float v = 0;
    const auto [p, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
    if (ec != std::errc() || p != item.data() + item.size() || !std::isfinite(v))
      fail("--obs value {} \"{}\" is not a number", out.size() + 1, item);
    out.push_back(v);
    pos = comma + 1;
  }
  if (out.size() != expected) fail("--obs has {} values; the policy takes {}", out.size(), expected);
  return out;
}

}  // namespace

void add_sb3(CLI::App& app) {
  struct Opts {
    std::string zip;
    std::vector<std::string> observations;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand("sb3", "Load a Stable-Baselines3 PPO .zip (MlpPolicy, Discrete) and run its policy");
  cmd->add_option("zip", o->zip, "The model .zip saved by SB3's model.save()")->required();
  cmd->add_option("--obs", o->observations,
                  "An observation as comma-separated numbers, already scaled as in training (repeatable)");
  cmd->callback([o] {
    auto model = must(rl::load_sb3_zip(o->zip));
    rl::Policy policy(model.weights);
    const std::size_t d = policy.observation_size(), k = policy.num_actions();
    fmt::print("Model     {} (Stable-Baselines3 {})\n", o->zip, model.sb3_version);
    fmt::print("Network   {} inputs -> policy [{}] tanh -> {} actions; value [{}] tanh -> 1\n", d,
               fmt::join(model.config.policy_hidden, ", "), k, fmt::join(model.config.value_hidden, ", "));
    if (d == 28 && k == 5)
      fmt::print("Note      28 inputs and 5 actions is the original system's layout (22 row columns + 6 account "
                 "values); daytrader's footprint features differ, so this policy needs the original's inputs\n");
    std::vector<float> logits(k), value(1);
    for (const auto& text : o->observations) {
      const auto obs = parse_observation(text, d);
      policy.evaluate(obs, logits, value);
      const float m = *std::max_element(logits.begin(), logits.end());
      double z = 0;
      for (float l : logits) z += std::exp(static_cast<double>(l - m));
      std::string probs;
      for (std::size_t a = 0; a < k; ++a)
        probs += fmt::format("{}{:.4f}", a == 0 ? "" : " ", std::exp(static_cast<double>(logits[a] - m)) / z);
      fmt::print("obs [{}]\n  probabilities {}  value {:.6f}  action {} (argmax)\n", text, probs, value[0],
                 rl::argmax(logits));
    }
  });
}

}  // namespace daytrader::cli
