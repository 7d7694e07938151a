#include "env/env_config.h"

#include <gtest/gtest.h>

#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "env/env_data.h"
#include "env_test_util.h"

namespace daytrader::env {
namespace {

using namespace daytrader::env::testing;

TEST(EnvConfig, HasTheLiveSystemsDefaults) {
  const EnvConfig c;
  EXPECT_TRUE(validate(c));
  EXPECT_EQ(c.window_start.to_string(), "08:30:00");
  EXPECT_EQ(c.window_end.to_string(), "14:30:00");
  EXPECT_EQ(c.bracket.target_ticks, 10);
  EXPECT_EQ(c.bracket.stop_ticks, 10);
  EXPECT_EQ(c.slippage_ticks, 1);
  EXPECT_EQ(c.commission_per_side_cents, 225);
  EXPECT_EQ(c.starting_balance_cents, 5'000'000);
  EXPECT_EQ(c.risk.max_drawdown_cents, 100'000);
  EXPECT_EQ(c.risk.daily_profit_target_cents, 100'000);
  EXPECT_EQ(c.reward, RewardKind::kEquityChange);
  EXPECT_DOUBLE_EQ(c.reward_scale, 0.01);
  EXPECT_EQ(c.mode, EpisodeMode::kTrain);
}

TEST(EnvConfig, ValidateNamesTheFieldAndTheValue) {
  struct Row {
    std::function<void(EnvConfig&)> change;
    std::string expected;
  };
  const std::vector<Row> rows = {
      {[](EnvConfig& c) { c.slippage_ticks = -1; }, "EnvConfig.slippage_ticks is -1; expected >= 0"},
      {[](EnvConfig& c) { c.bracket.target_ticks = 0; }, "EnvConfig.bracket.target_ticks is 0; expected > 0"},
      {[](EnvConfig& c) { c.bracket.stop_ticks = -3; }, "EnvConfig.bracket.stop_ticks is -3; expected > 0"},
      {[](EnvConfig& c) { c.commission_per_side_cents = -225; },
       "EnvConfig.commission_per_side_cents is -225; expected >= 0"},
      {[](EnvConfig& c) { c.starting_balance_cents = 0; },
       "EnvConfig.starting_balance_cents is 0; expected > 0"},
      {[](EnvConfig& c) { c.risk.max_drawdown_cents = -1; },
       "EnvConfig.risk.max_drawdown_cents is -1; expected >= 0 (0 disables it)"},
      {[](EnvConfig& c) { c.risk.daily_profit_target_cents = -5; },
       "EnvConfig.risk.daily_profit_target_cents is -5; expected >= 0 (0 disables it)"},
      {[](EnvConfig& c) {
         c.window_end = {8 * 60, 0};
       },
       "EnvConfig.window_end is 08:00:00; expected after window_start 08:30:00 on the same trade date"},
      {[](EnvConfig& c) {
         c.window_start = {-5, 0};
       },
       "EnvConfig.window_start is -5 min 0 s"},
      {[](EnvConfig& c) { c.bars_before_window = -2; }, "EnvConfig.bars_before_window is -2; expected >= 0"},
      {[](EnvConfig& c) { c.reward_scale = 0; }, "EnvConfig.reward_scale is 0; expected a finite number > 0"},
      {[](EnvConfig& c) { c.reward_scale = std::numeric_limits<double>::quiet_NaN(); },
       "EnvConfig.reward_scale is nan"},
      {[](EnvConfig& c) { c.original_loss_threshold_cents = -1; },
       "EnvConfig.original_loss_threshold_cents is -1; expected >= 0"},
      {[](EnvConfig& c) { c.obs_balance_scale_cents = 0; },
       "EnvConfig.obs_balance_scale_cents is 0; expected > 0"},
      {[](EnvConfig& c) { c.obs_open_pnl_scale_cents = -1; },
       "EnvConfig.obs_open_pnl_scale_cents is -1; expected > 0"},
  };
  for (const auto& row : rows) {
    EnvConfig c;
    row.change(c);
    const auto st = validate(c);
    ASSERT_FALSE(st) << row.expected;
    EXPECT_EQ(st.error().message.rfind(row.expected, 0), 0u) << st.error().message;
  }
}

TEST(EnvConfig, ParsesModeAndRewardNames) {
  EXPECT_EQ(*parse_episode_mode("train"), EpisodeMode::kTrain);
  EXPECT_EQ(*parse_episode_mode("evaluate"), EpisodeMode::kEvaluate);
  EXPECT_EQ(*parse_reward_kind("equity"), RewardKind::kEquityChange);
  EXPECT_EQ(*parse_reward_kind("original"), RewardKind::kOriginal);
  const auto bad = parse_reward_kind("sharpe");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "reward \"sharpe\" is not known; expected \"equity\" or \"original\"");
}

TEST(EnvData, UsesTheSessionsOfTheRangeThatHaveBarsInTheWindow) {
  SessionBars afternoon = flat_session(weekday(2));
  afternoon.first_open = {13 * 60, 0};  // no bar closes 08:30-08:40
  TempDataset ds({flat_session(weekday(0)), flat_session(weekday(1)), afternoon, flat_session(weekday(3)),
                  flat_session(weekday(4))});
  EnvConfig c = test_config();
  c.session_begin = 1;
  c.session_count = 3;
  auto data = make_data(ds.get(), c);
  ASSERT_EQ(data->episodes().size(), 2u);
  EXPECT_EQ(data->episodes()[0].session, 1u);
  EXPECT_EQ(data->episodes()[1].session, 3u);
  EXPECT_EQ(data->episodes()[1].trade_date, ds.get().sessions()[3].trade_date);
  EXPECT_EQ(data->episodes()[0].decisions(), 11u);
  EXPECT_TRUE(data->episodes()[0].has_fill_bar);
  EXPECT_EQ(data->observation_size(), 9u);
  // Stored: the 11 decision bars and the fill bar of each session.
  EXPECT_EQ(data->num_bars(), 24u);
  auto rows = decision_feature_rows(MarketView::of(ds.get()), c);
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows->size(), 2u * 11u * 3u);
  // Training draws only those sessions.
  TradingEnv env(data, 1);
  std::vector<float> obs(env.observation_size());
  for (int i = 0; i < 50; ++i) {
    env.reset(obs);
    EXPECT_TRUE(env.episode().session == 1 || env.episode().session == 3);
  }
}

TEST(EnvData, RefusesBadRangesForeignScalersAndBrokenBars) {
  TempDataset ds({flat_session(weekday(0)), flat_session(weekday(1))});
  const std::string& path = ds.get().path();
  auto scaler = fit_scaler(ds.get(), test_config(), features::ScalerKind::kMinMax);
  ASSERT_TRUE(scaler);
  struct Row {
    std::string name;
    std::function<void(EnvConfig&)> change;
    std::string expected;
  };
  const std::vector<Row> rows = {
      {"begin past the end", [](EnvConfig& c) { c.session_begin = 2; },
       path + ": EnvConfig.session_begin is 2; the data has 2 sessions"},
      {"count past the end", [](EnvConfig& c) { c.session_count = 3; },
       path + ": EnvConfig.session_count is 3 from session 0; the data has 2 sessions"},
      {"no bar in the window",
       [](EnvConfig& c) {
         c.window_start = {12 * 60, 0}, c.window_end = {13 * 60, 0};
       },
       path + ": none of sessions 0..1 has a bar closing in the window 12:00:00-13:00:00"},
      {"invalid config", [](EnvConfig& c) { c.slippage_ticks = -2; }, "EnvConfig.slippage_ticks is -2"},
  };
  for (const auto& row : rows) {
    EnvConfig c = test_config();
    row.change(c);
    auto d = EnvData::create(ds.get(), *scaler, c);
    ASSERT_FALSE(d) << row.name;
    EXPECT_EQ(d.error().message.rfind(row.expected, 0), 0u) << row.name << ": " << d.error().message;
  }
  // A scaler fitted on another feature set.
  const features::FeatureSet other("other", 1, {"close", "index", "range"}, {});
  const std::vector<float> one_row = {1, 2, 3};
  auto foreign = features::Scaler::fit(features::ScalerKind::kMinMax, other, one_row);
  ASSERT_TRUE(foreign);
  auto d = EnvData::create(ds.get(), *foreign, test_config());
  ASSERT_FALSE(d);
  EXPECT_NE(d.error().message.find("scaler: model was trained on feature set other v1"), std::string::npos)
      << d.error().message;
  // A bar whose high is below its close.
  SessionBars broken = flat_session(weekday(0));
  broken.bars[7] = {1000, 999, 995, 1000};
  TempDataset bad({broken});
  auto b = EnvData::create(bad.get(), *scaler, test_config());
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().message, bad.get().path() +
                                   ": bar 7: open 1000 high 999 low 995 close 1000 (ticks) are inconsistent; "
                                   "expected low <= open, close <= high");
}

}  // namespace
}  // namespace daytrader::env
