#include "env/trading_vec_env.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "env_test_util.h"

namespace daytrader::env {
namespace {

using namespace daytrader::env::testing;

std::vector<SessionBars> random_sessions(int n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<SessionBars> out;
  for (int d = 0; d < n; ++d) out.push_back(random_session(weekday(d), rng, 45, 20000 + 37 * d));
  return out;
}

EnvConfig vec_config() {
  EnvConfig c = test_config();
  c.slippage_ticks = 1;
  c.commission_per_side_cents = 225;
  return c;
}

TEST(TradingVecEnv, AutoResetsAndHandsBackTerminalObservations) {
  TempDataset ds(random_sessions(6, 1));
  auto data = make_data(ds.get(), vec_config());
  constexpr std::size_t kEnvs = 3;
  constexpr std::uint64_t kSeed = 100;
  TradingVecEnv vec(data, kEnvs, kSeed);
  const std::size_t m = vec.observation_size();
  ASSERT_EQ(vec.num_actions(), 5u);
  // The same environments stepped by hand: env i seeded kSeed + i.
  std::vector<TradingEnv> solo;
  std::vector<std::vector<float>> solo_obs(kEnvs, std::vector<float>(m));
  for (std::size_t i = 0; i < kEnvs; ++i) solo.emplace_back(data, kSeed + i);
  std::vector<float> obs(kEnvs * m);
  vec.reset(obs);
  for (std::size_t i = 0; i < kEnvs; ++i) {
    solo[i].reset(solo_obs[i]);
    ASSERT_TRUE(std::equal(solo_obs[i].begin(), solo_obs[i].end(), obs.begin() + static_cast<long>(i * m)));
  }
  StepBuffers out;
  out.resize(kEnvs, m);
  std::mt19937_64 rng(4);
  std::vector<std::int32_t> actions(kEnvs);
  int episodes = 0;
  for (int t = 0; t < 200; ++t) {
    for (auto& a : actions) a = static_cast<std::int32_t>(rng() % 5);
    vec.step(actions, out);
    std::size_t finished = 0;
    for (std::size_t i = 0; i < kEnvs; ++i) {
      const StepResult r = solo[i].step(actions[i], solo_obs[i]);
      ASSERT_EQ(out.rewards[i], r.reward) << "t " << t << " env " << i;
      ASSERT_EQ(out.terminated[i] != 0, r.terminated);
      ASSERT_EQ(out.truncated[i] != 0, r.truncated);
      const auto row = [&](const std::vector<float>& v) {
        return std::vector<float>(v.begin() + static_cast<long>(i * m),
                                  v.begin() + static_cast<long>((i + 1) * m));
      };
      if (r.done()) {
        ASSERT_EQ(row(out.terminal_observations), solo_obs[i])
            << "terminal observation, t " << t << " env " << i;
        const auto& stats = vec.finished_episodes()[finished];
        const auto& outcome = vec.finished_outcomes()[finished];
        EXPECT_EQ(stats.env_index, i);
        EXPECT_EQ(stats.length, solo[i].episode_length());
        EXPECT_DOUBLE_EQ(stats.reward, solo[i].episode_reward());
        EXPECT_DOUBLE_EQ(stats.pnl_dollars, static_cast<double>(solo[i].account().realized_cents()) / 100.0);
        EXPECT_EQ(outcome.env_index, i);
        EXPECT_EQ(outcome.session, solo[i].episode().session);
        EXPECT_EQ(outcome.terminated, r.terminated);
        EXPECT_EQ(outcome.net_pnl_cents, solo[i].account().realized_cents());
        EXPECT_TRUE(std::equal(outcome.trades.begin(), outcome.trades.end(),
                               solo[i].account().trades().begin(), solo[i].account().trades().end()));
        ++finished;
        ++episodes;
        solo[i].reset(solo_obs[i]);
      }
      ASSERT_EQ(row(out.observations), solo_obs[i]) << "observation, t " << t << " env " << i;
    }
    ASSERT_EQ(vec.finished_episodes().size(), finished);
  }
  EXPECT_GT(episodes, 20);
}

TEST(TradingVecEnv, IsDeterministicForASeed) {
  TempDataset ds(random_sessions(8, 2));
  auto data = make_data(ds.get(), vec_config());
  auto run = [&](std::uint64_t seed) {
    TradingVecEnv vec(data, 4, seed);
    std::vector<float> trace(4 * vec.observation_size());
    vec.reset(trace);
    StepBuffers out;
    out.resize(4, vec.observation_size());
    std::mt19937_64 rng(9);
    std::vector<std::int32_t> actions(4);
    for (int t = 0; t < 150; ++t) {
      for (auto& a : actions) a = static_cast<std::int32_t>(rng() % 5);
      vec.step(actions, out);
      trace.insert(trace.end(), out.observations.begin(), out.observations.end());
      trace.insert(trace.end(), out.rewards.begin(), out.rewards.end());
      for (std::size_t i = 0; i < 4; ++i) trace.push_back(out.done(i) ? 1.0F : 0.0F);
    }
    return trace;
  };
  EXPECT_EQ(run(7), run(7));
  EXPECT_NE(run(7), run(8));
}

TEST(TradingVecEnv, PlaysEveryEvaluationSessionExactlyOnceInOrder) {
  TempDataset ds(random_sessions(5, 3));
  EnvConfig c = vec_config();
  c.mode = EpisodeMode::kEvaluate;
  auto data = make_data(ds.get(), c);
  ASSERT_EQ(data->episodes().size(), 5u);
  TradingVecEnv vec(data, 3, 0);
  const std::size_t m = vec.observation_size();
  std::vector<float> obs(3 * m);
  vec.reset(obs);
  std::vector<std::size_t> started = {vec.env(0).episode().session, vec.env(1).episode().session,
                                      vec.env(2).episode().session};
  std::vector<std::size_t> finished;
  StepBuffers out;
  out.resize(3, m);
  const std::vector<std::int32_t> actions = {0, 2, 4};
  int steps = 0;
  while (!vec.evaluation_finished()) {
    ASSERT_LT(++steps, 1000);
    vec.step(actions, out);
    for (const auto& o : vec.finished_outcomes()) {
      finished.push_back(o.session);
      if (!vec.is_idle(o.env_index)) started.push_back(vec.env(o.env_index).episode().session);
    }
    for (std::size_t i = 0; i < 3; ++i) {
      if (!vec.is_idle(i)) continue;
      EXPECT_FALSE(out.done(i) && std::none_of(vec.finished_outcomes().begin(), vec.finished_outcomes().end(),
                                               [&](const EpisodeOutcome& o) { return o.env_index == i; }));
      if (std::none_of(vec.finished_outcomes().begin(), vec.finished_outcomes().end(),
                       [&](const EpisodeOutcome& o) { return o.env_index == i; })) {
        EXPECT_EQ(out.rewards[i], 0.0F);
        EXPECT_TRUE(std::all_of(out.observations.begin() + static_cast<long>(i * m),
                                out.observations.begin() + static_cast<long>((i + 1) * m),
                                [](float x) { return x == 0.0F; }));
      }
    }
  }
  EXPECT_EQ(started, (std::vector<std::size_t>{0, 1, 2, 3, 4}));
  std::sort(finished.begin(), finished.end());
  EXPECT_EQ(finished, (std::vector<std::size_t>{0, 1, 2, 3, 4}));
}

}  // namespace
}  // namespace daytrader::env
