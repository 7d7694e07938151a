#include "env/trading_env.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "env_test_util.h"

namespace daytrader::env {
namespace {

using namespace daytrader::env::testing;
using exec::ExitReason;

// A TradingEnv with its own observation buffer.
struct Runner {
  explicit Runner(std::shared_ptr<const EnvData> d, std::uint64_t seed = 1) : env(std::move(d), seed) {
    obs.resize(env.observation_size());
    env.reset(obs);
  }
  StepResult step(Action a) { return env.step(static_cast<std::int32_t>(a), obs); }
  [[nodiscard]] float account(AccountValue v) const {
    return obs[env.data().num_features() + static_cast<std::size_t>(v)];
  }
  [[nodiscard]] const exec::Position& position() const { return env.account().position(); }
  TradingEnv env;
  std::vector<float> obs;
};

const char* name(Action a) {
  switch (a) {
    case Action::kBuyEntry:
      return "buy entry";
    case Action::kBuyExit:
      return "buy exit";
    case Action::kShortEntry:
      return "short entry";
    case Action::kShortExit:
      return "short exit";
    case Action::kNothing:
      return "nothing";
  }
  return "?";
}

TEST(TradingEnv, StartsAtTheFirstBarClosingInTheWindow) {
  TempDataset ds({flat_session(winter_day())});
  Runner r(make_data(ds.get(), test_config()));
  EXPECT_EQ(r.env.data().dataset_bar(r.env.bar()), 5u);
  EXPECT_EQ(core::format_utc(r.env.decision_time()), "2024-01-09T14:30:00.000000000Z");
  EXPECT_TRUE(r.env.entries_allowed());
  EXPECT_EQ(r.obs.size(), 3u + 6u);
  for (std::size_t i = 3; i < 9; ++i) EXPECT_EQ(r.obs[i], 0.0F) << "account value " << i - 3;
}

TEST(TradingEnv, AppliesEachActionFromEachStateAsTheOriginalDid) {
  enum class State { kFlat, kLong, kShort, kLockedOut };
  struct Row {
    State state;
    Action action;
    int position_after;  // +1 long, 0 flat, -1 short
    std::size_t new_trades;
  };
  using A = Action;
  const std::vector<Row> rows = {
      {State::kFlat, A::kBuyEntry, 1, 0},       {State::kFlat, A::kBuyExit, 0, 0},
      {State::kFlat, A::kShortEntry, -1, 0},    {State::kFlat, A::kShortExit, 0, 0},
      {State::kFlat, A::kNothing, 0, 0},        {State::kLong, A::kBuyEntry, 1, 0},
      {State::kLong, A::kBuyExit, 0, 1},        {State::kLong, A::kShortEntry, 1, 0},
      {State::kLong, A::kShortExit, 1, 0},      {State::kLong, A::kNothing, 1, 0},
      {State::kShort, A::kBuyEntry, -1, 0},     {State::kShort, A::kBuyExit, -1, 0},
      {State::kShort, A::kShortEntry, -1, 0},   {State::kShort, A::kShortExit, 0, 1},
      {State::kShort, A::kNothing, -1, 0},      {State::kLockedOut, A::kBuyEntry, 0, 0},
      {State::kLockedOut, A::kBuyExit, 0, 0},   {State::kLockedOut, A::kShortEntry, 0, 0},
      {State::kLockedOut, A::kShortExit, 0, 0}, {State::kLockedOut, A::kNothing, 0, 0},
  };
  const char* state_names[] = {"flat", "long", "short", "locked out"};
  TempDataset ds({flat_session(winter_day())});
  auto plain = make_data(ds.get(), test_config());
  // Locked out: a 1-cent commission against a 1-cent drawdown limit locks out on the first entry;
  // the next step flattens, and the episode goes on because end_episode_on_lockout is false.
  EnvConfig lc = test_config();
  lc.commission_per_side_cents = 1;
  lc.risk.max_drawdown_cents = 1;
  lc.end_episode_on_lockout = false;
  auto locking = make_data(ds.get(), lc);
  for (const auto& row : rows) {
    Runner r(row.state == State::kLockedOut ? locking : plain);
    switch (row.state) {
      case State::kFlat:
        break;
      case State::kLong:
        r.step(A::kBuyEntry);
        break;
      case State::kShort:
        r.step(A::kShortEntry);
        break;
      case State::kLockedOut:
        r.step(A::kBuyEntry);
        r.step(A::kNothing);
        break;
    }
    const std::string what = std::string(state_names[static_cast<int>(row.state)]) + " + " + name(row.action);
    ASSERT_FALSE(r.env.is_done()) << what;
    ASSERT_EQ(r.env.risk().is_locked_out(), row.state == State::kLockedOut) << what;
    const std::size_t trades_before = r.env.account().trades().size();
    const StepResult s = r.step(row.action);
    EXPECT_FALSE(s.done()) << what;
    EXPECT_EQ(r.position().quantity, row.position_after) << what;
    EXPECT_EQ(r.env.account().trades().size() - trades_before, row.new_trades) << what;
    if (row.new_trades == 1) {
      EXPECT_EQ(r.env.account().trades().back().reason, ExitReason::kAction) << what;
    }
    EXPECT_EQ(r.account(AccountValue::kLong), row.position_after > 0 ? 1.0F : 0.0F) << what;
    EXPECT_EQ(r.account(AccountValue::kShort), row.position_after < 0 ? 1.0F : 0.0F) << what;
    EXPECT_EQ(r.account(AccountValue::kLockedOut), row.state == State::kLockedOut ? 1.0F : 0.0F) << what;
  }
}

TEST(TradingEnv, FillsEntriesAtTheNextOpenPlusSlippageWithABracket) {
  struct Row {
    Action action;
    std::int64_t slippage;
    std::int64_t fill, target, stop;
  };
  const std::vector<Row> rows = {
      {Action::kBuyEntry, 0, 1000, 1010, 990},
      {Action::kBuyEntry, 1, 1001, 1011, 991},
      {Action::kShortEntry, 1, 999, 989, 1009},
      {Action::kShortEntry, 3, 997, 987, 1007},
  };
  SessionBars s = flat_session(winter_day(), 990);
  s.bars[6] = flat(1000);  // the bar after the first decision opens at 1000
  TempDataset ds({s});
  for (const auto& row : rows) {
    EnvConfig c = test_config();
    c.slippage_ticks = row.slippage;
    c.commission_per_side_cents = 225;
    c.bracket = {10, 10};
    c.risk = {0, 0};
    Runner r(make_data(ds.get(), c));
    r.step(row.action);
    const std::string what = std::string(name(row.action)) + " slippage " + std::to_string(row.slippage);
    ASSERT_FALSE(r.position().is_flat()) << what;
    EXPECT_EQ(r.position().entry_price.count(), row.fill) << what;
    EXPECT_EQ(core::format_utc(r.position().entry_time), "2024-01-09T14:30:00.000000000Z") << what;
    EXPECT_EQ(r.env.bracket().target.count(), row.target) << what;
    EXPECT_EQ(r.env.bracket().stop.count(), row.stop) << what;
    EXPECT_EQ(r.env.account().balance_cents(), 5'000'000 - 225) << what;
  }
}

TEST(TradingEnv, SimulatesTheBracketFromTheFillBarOn) {
  struct Row {
    std::string name;
    Action entry;
    std::int64_t slippage;
    Ohlc fill_bar, next_bar;
    bool exits;
    ExitReason reason;
    std::int64_t price;
    std::size_t exit_bar;  // session bar whose step closed the trade
    bool at_open;
  };
  const std::vector<Row> rows = {
      {"long target inside the fill bar",
       Action::kBuyEntry,
       0,
       {1000, 1010, 998, 1005},
       flat(1005),
       true,
       ExitReason::kTarget,
       1010,
       6,
       false},
      {"long both in the fill bar: stop",
       Action::kBuyEntry,
       1,
       {1000, 1012, 988, 1000},
       flat(1000),
       true,
       ExitReason::kStop,
       990,
       6,
       false},
      {"long gap through the stop",
       Action::kBuyEntry,
       1,
       {1000, 1003, 997, 1000},
       {985, 987, 980, 982},
       true,
       ExitReason::kStop,
       984,
       7,
       true},
      {"short stop on the next bar",
       Action::kShortEntry,
       0,
       flat(1000),
       {1002, 1010, 1001, 1005},
       true,
       ExitReason::kStop,
       1010,
       7,
       false},
      {"short target inside the fill bar",
       Action::kShortEntry,
       0,
       {1000, 1001, 990, 995},
       flat(995),
       true,
       ExitReason::kTarget,
       990,
       6,
       false},
      {"nothing reached",
       Action::kBuyEntry,
       0,
       {1000, 1009, 991, 1000},
       {1000, 1009, 991, 1000},
       false,
       ExitReason::kTarget,
       0,
       0,
       false},
  };
  for (const auto& row : rows) {
    SessionBars s = flat_session(winter_day());
    s.bars[6] = row.fill_bar;
    s.bars[7] = row.next_bar;
    for (std::size_t k = 8; k < s.bars.size(); ++k) s.bars[k] = flat(row.next_bar.close);
    TempDataset ds({s});
    EnvConfig c = test_config();
    c.slippage_ticks = row.slippage;
    c.fill_rule = exec::LimitFillRule::kTouch;  // the rows' targets are touched; the rules' own table is in exec
    Runner r(make_data(ds.get(), c));
    r.step(row.entry);
    if (r.env.account().trades().empty()) r.step(Action::kNothing);
    if (!row.exits) {
      EXPECT_TRUE(r.env.account().trades().empty()) << row.name;
      EXPECT_FALSE(r.position().is_flat()) << row.name;
      continue;
    }
    ASSERT_EQ(r.env.account().trades().size(), 1u) << row.name;
    const auto& t = r.env.account().trades()[0];
    EXPECT_EQ(t.reason, row.reason) << row.name;
    EXPECT_EQ(t.exit_price.count(), row.price) << row.name;
    const auto& bar = ds.get().bars()[row.exit_bar];
    EXPECT_EQ(core::to_unix_ns(t.exit_time), row.at_open ? bar.open_time_ns : bar.close_time_ns) << row.name;
    EXPECT_EQ(r.account(AccountValue::kLong) + r.account(AccountValue::kShort), 0.0F) << row.name;
  }
}

// The environment fills its target by the configured rule: by default (through) a bar that only
// touches the target leaves the position open, and one that trades a tick beyond it closes it.
TEST(TradingEnv, FillsTheTargetByTheConfiguredRule) {
  struct Row {
    const char* name;
    exec::LimitFillRule rule;
    std::int64_t fill_bar_high;
    bool exits;
  };
  const Row rows[] = {
      {"through, high at the target", exec::LimitFillRule::kThrough, 1010, false},
      {"through, high a tick beyond", exec::LimitFillRule::kThrough, 1011, true},
      {"touch, high at the target", exec::LimitFillRule::kTouch, 1010, true},
  };
  for (const Row& row : rows) {
    SessionBars s = flat_session(winter_day());
    s.bars[6] = {1000, row.fill_bar_high, 998, 1005};  // the entry fills at 1000: target 1010
    for (std::size_t k = 7; k < s.bars.size(); ++k) s.bars[k] = flat(1005);
    TempDataset ds({s});
    EnvConfig c = test_config();
    EXPECT_EQ(c.fill_rule, exec::LimitFillRule::kThrough) << "the default";
    c.fill_rule = row.rule;
    Runner r(make_data(ds.get(), c));
    r.step(Action::kBuyEntry);
    EXPECT_EQ(r.env.account().trades().size(), row.exits ? 1u : 0u) << row.name;
    if (row.exits) {
      EXPECT_EQ(r.env.account().trades()[0].exit_price.count(), 1010) << row.name;
    }
    EXPECT_EQ(r.position().is_flat(), row.exits) << row.name;
  }
}

TEST(TradingEnv, ExitsByActionAtTheNextOpenAndCancelsTheBracket) {
  SessionBars s = flat_session(winter_day());
  s.bars[8] = {1004, 1020, 1004, 1020};  // would hit the target 1011 if the bracket were alive
  for (std::size_t k = 9; k < s.bars.size(); ++k) s.bars[k] = flat(1020);
  TempDataset ds({s});
  EnvConfig c = test_config();
  c.slippage_ticks = 1;
  c.commission_per_side_cents = 225;
  Runner r(make_data(ds.get(), c));
  r.step(Action::kBuyEntry);  // fills at bar 6: 1001
  r.step(Action::kBuyExit);   // sent at bar 6's close, fills at bar 7's open: 1000 - 1
  r.step(Action::kNothing);
  ASSERT_EQ(r.env.account().trades().size(), 1u);
  const auto& t = r.env.account().trades()[0];
  EXPECT_EQ(t.reason, ExitReason::kAction);
  EXPECT_EQ(t.entry_price.count(), 1001);
  EXPECT_EQ(t.exit_price.count(), 999);
  EXPECT_EQ(core::to_unix_ns(t.exit_time), ds.get().bars()[7].open_time_ns);
  EXPECT_EQ(t.gross_cents, -2 * 1250);
  EXPECT_EQ(t.net_cents, -2 * 1250 - 450);
  EXPECT_TRUE(r.position().is_flat());
}

TEST(TradingEnv, ChargesCommissionAndSlippageAndValuesATickAt1250Cents) {
  struct Row {
    Action entry, exit;
    std::int64_t slippage;
    core::Cents commission;
    std::int64_t entry_open, exit_open, entry_fill, exit_fill;
    core::Cents gross, net;
  };
  const std::vector<Row> rows = {
      {Action::kBuyEntry, Action::kBuyExit, 0, 0, 1000, 1004, 1000, 1004, 5000, 5000},  // 4 ticks = $50
      {Action::kShortEntry, Action::kShortExit, 0, 0, 1000, 996, 1000, 996, 5000, 5000},
      {Action::kBuyEntry, Action::kBuyExit, 1, 225, 1000, 1005, 1001, 1004, 3750, 3300},
      {Action::kShortEntry, Action::kShortExit, 2, 225, 1000, 995, 998, 997, 1250, 800},
      {Action::kBuyEntry, Action::kBuyExit, 1, 225, 1000, 1000, 1001, 999, -2500, -2950},
  };
  for (const auto& row : rows) {
    SessionBars s = flat_session(winter_day(), row.entry_open);
    for (std::size_t k = 7; k < s.bars.size(); ++k) s.bars[k] = flat(row.exit_open);
    TempDataset ds({s});
    EnvConfig c = test_config();
    c.slippage_ticks = row.slippage;
    c.commission_per_side_cents = row.commission;
    Runner r(make_data(ds.get(), c));
    core::Cents sum = r.step(row.entry).equity_change_cents;
    sum += r.step(row.exit).equity_change_cents;
    const std::string what = std::string(name(row.entry)) + " slippage " + std::to_string(row.slippage) +
                             " commission " + std::to_string(row.commission);
    ASSERT_EQ(r.env.account().trades().size(), 1u) << what;
    const auto& t = r.env.account().trades()[0];
    EXPECT_EQ(t.entry_price.count(), row.entry_fill) << what;
    EXPECT_EQ(t.exit_price.count(), row.exit_fill) << what;
    EXPECT_EQ(t.gross_cents, row.gross) << what;
    EXPECT_EQ(t.commission_cents, 2 * row.commission) << what;
    EXPECT_EQ(t.net_cents, row.net) << what;
    EXPECT_EQ(sum, row.net) << what;
    EXPECT_EQ(r.env.account().balance_cents(), 5'000'000 + row.net) << what;
  }
}

TEST(TradingEnv, FlattensAtTheOpenAfterTheLastDecisionInTheWindow) {
  struct Row {
    date::sys_days day;
    std::string flatten_utc;  // 08:40 exchange time
  };
  const std::vector<Row> rows = {
      {winter_day(), "2024-01-09T14:40:00.000000000Z"},  // CST = UTC-6
      {summer_day(), "2024-07-09T13:40:00.000000000Z"},  // CDT = UTC-5
  };
  for (const auto& row : rows) {
    SessionBars s = flat_session(row.day, 1000);
    s.bars[15] = flat(1002);
    s.bars[16] = {1003, 1004, 1001, 1002};
    TempDataset ds({s});
    EnvConfig c = test_config();
    c.slippage_ticks = 1;
    Runner r(make_data(ds.get(), c));
    for (int i = 0; i < 9; ++i) r.step(Action::kNothing);  // to bar 14, closing 08:39
    ASSERT_EQ(r.env.data().dataset_bar(r.env.bar()), 14u);
    EXPECT_TRUE(r.env.entries_allowed());
    EXPECT_FALSE(r.step(Action::kBuyEntry).done());  // fills at bar 15's open (08:39)
    ASSERT_EQ(r.env.data().dataset_bar(r.env.bar()), 15u);
    EXPECT_FALSE(r.env.entries_allowed()) << "08:40 is the flatten decision";
    const StepResult last = r.step(Action::kNothing);
    EXPECT_TRUE(last.terminated);
    EXPECT_FALSE(last.truncated);
    ASSERT_EQ(r.env.account().trades().size(), 1u);
    const auto& t = r.env.account().trades()[0];
    EXPECT_EQ(t.reason, ExitReason::kEndOfDay);
    EXPECT_EQ(t.exit_price.count(), 1003 - 1);
    EXPECT_EQ(core::format_utc(t.exit_time), row.flatten_utc);
    EXPECT_EQ(r.env.episode_length(), 11);
    // The terminal observation is bar 16's, with a flat account.
    EXPECT_EQ(r.env.data().dataset_bar(r.env.bar()), 16u);
    EXPECT_EQ(r.account(AccountValue::kLong), 0.0F);
    EXPECT_FLOAT_EQ(r.account(AccountValue::kBalance), static_cast<float>(t.net_cents) / 100'000.0F);
  }
}

TEST(TradingEnv, RefusesEntriesAtTheFlattenDecisionAndBeforeTheWindow) {
  TempDataset ds({flat_session(winter_day())});
  EnvConfig c = test_config();
  c.bars_before_window = 3;
  Runner r(make_data(ds.get(), c));
  ASSERT_EQ(r.env.data().dataset_bar(r.env.bar()), 2u);  // 08:27
  EXPECT_FALSE(r.env.entries_allowed());
  r.step(Action::kBuyEntry);
  r.step(Action::kShortEntry);
  r.step(Action::kBuyEntry);
  EXPECT_TRUE(r.position().is_flat());
  ASSERT_EQ(r.env.data().dataset_bar(r.env.bar()), 5u);  // 08:30: inside the window
  r.step(Action::kBuyEntry);
  EXPECT_TRUE(r.position().is_long());
  r.step(Action::kBuyExit);
  while (r.env.data().dataset_bar(r.env.bar()) < 15) r.step(Action::kNothing);
  EXPECT_TRUE(r.step(Action::kShortEntry).terminated);
  EXPECT_EQ(r.env.account().trades().size(), 1u);
  EXPECT_EQ(r.env.episode_length(), 14);
}

TEST(TradingEnv, LocksOutAtAThousandBelowTheMovingHighWaterMark) {
  SessionBars s = flat_session(winter_day());
  s.bars[6] = {1000, 1040, 1000, 1040};  // +$500: the high-water mark moves up
  s.bars[7] = {1040, 1040, 960, 960};    // -$500: $1,000 below it
  for (std::size_t k = 8; k < s.bars.size(); ++k) s.bars[k] = flat(958);
  TempDataset ds({s});
  EnvConfig c = test_config();
  c.bracket = {200, 200};
  Runner r(make_data(ds.get(), c));
  EXPECT_FALSE(r.step(Action::kBuyEntry).done());
  EXPECT_FALSE(r.env.risk().is_locked_out());
  EXPECT_EQ(r.env.risk().high_water_mark_cents(), 5'000'000 + 50'000);
  EXPECT_FALSE(r.step(Action::kNothing).done());
  EXPECT_EQ(r.env.risk().lockout(), exec::Lockout::kDrawdown);
  EXPECT_EQ(r.account(AccountValue::kLockedOut), 1.0F);
  EXPECT_FLOAT_EQ(r.account(AccountValue::kDrawdown), 1.0F);
  EXPECT_FLOAT_EQ(r.account(AccountValue::kOpenPnl), -5.0F);
  EXPECT_FALSE(r.env.entries_allowed());
  const StepResult s3 = r.step(Action::kNothing);  // the flatten fills at bar 8's open
  EXPECT_TRUE(s3.terminated);
  EXPECT_FALSE(s3.truncated);
  ASSERT_EQ(r.env.account().trades().size(), 1u);
  const auto& t = r.env.account().trades()[0];
  EXPECT_EQ(t.reason, ExitReason::kRisk);
  EXPECT_EQ(t.exit_price.count(), 958);
  EXPECT_EQ(t.net_cents, -42 * 1250);
}

TEST(TradingEnv, LocksOutOnceTheDayReachesItsProfitTarget) {
  SessionBars s = flat_session(winter_day());
  s.bars[6] = {1000, 1080, 1000, 1080};  // +$1,000
  for (std::size_t k = 7; k < s.bars.size(); ++k) s.bars[k] = flat(1079);
  TempDataset ds({s});
  EnvConfig c = test_config();
  c.bracket = {200, 200};
  Runner r(make_data(ds.get(), c));
  EXPECT_FALSE(r.step(Action::kBuyEntry).done());
  EXPECT_EQ(r.env.risk().lockout(), exec::Lockout::kProfitTarget);
  EXPECT_TRUE(r.step(Action::kBuyEntry).terminated);
  ASSERT_EQ(r.env.account().trades().size(), 1u);
  EXPECT_EQ(r.env.account().trades()[0].reason, ExitReason::kRisk);
  EXPECT_EQ(r.env.account().trades()[0].net_cents, 79 * 1250);
}

TEST(TradingEnv, EndsTheEpisodeAtOnceWhenALockoutFindsItFlat) {
  SessionBars s = flat_session(winter_day());
  s.bars[6] = {1000, 1000, 990, 992};  // the 10-tick stop: -$125
  TempDataset ds({s});
  EnvConfig c = test_config();
  c.risk.max_drawdown_cents = 10'000;
  Runner r(make_data(ds.get(), c));
  const StepResult st = r.step(Action::kBuyEntry);
  EXPECT_TRUE(st.terminated);
  EXPECT_EQ(st.equity_change_cents, -12'500);
  EXPECT_EQ(r.env.account().trades()[0].reason, ExitReason::kStop);
  EXPECT_EQ(r.env.risk().lockout(), exec::Lockout::kDrawdown);
}

TEST(TradingEnv, KeepsALockedOutEpisodeToTheWindowEndWhenAsked) {
  SessionBars s = flat_session(winter_day());
  s.bars[6] = {1000, 1000, 990, 992};
  TempDataset ds({s});
  EnvConfig c = test_config();
  c.risk.max_drawdown_cents = 10'000;
  c.end_episode_on_lockout = false;
  Runner r(make_data(ds.get(), c));
  EXPECT_FALSE(r.step(Action::kBuyEntry).done());
  int steps = 1;
  StepResult st;
  do {
    st = r.step(Action::kBuyEntry);
    ++steps;
    EXPECT_TRUE(r.position().is_flat());
    EXPECT_EQ(st.equity_change_cents, 0);
    EXPECT_EQ(r.account(AccountValue::kLockedOut), 1.0F);
  } while (!st.done());
  EXPECT_TRUE(st.terminated);
  EXPECT_EQ(steps, 11);
  EXPECT_EQ(r.env.account().trades().size(), 1u);
}

TEST(TradingEnv, WritesTheAccountStateScaledAsDocumented) {
  SessionBars s = flat_session(winter_day());
  s.bars[6] = {1000, 1005, 1000, 1005};
  s.bars[7] = {1004, 1004, 1003, 1003};
  TempDataset ds({s});
  EnvConfig c = test_config();
  c.slippage_ticks = 1;
  c.commission_per_side_cents = 225;
  auto scaler = fit_scaler(ds.get(), c, features::ScalerKind::kStandard);
  ASSERT_TRUE(scaler);
  Runner r(make_data(ds.get(), c, &*scaler));
  r.step(Action::kBuyEntry);  // fill 1001, close 1005
  std::vector<float> row(ds.get().features(6).begin(), ds.get().features(6).end());
  ASSERT_TRUE(scaler->transform(row));
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(r.obs[i], row[i]) << "feature " << i;
  EXPECT_FLOAT_EQ(r.account(AccountValue::kBalance), -225.0F / 100'000.0F);
  EXPECT_EQ(r.account(AccountValue::kLong), 1.0F);
  EXPECT_EQ(r.account(AccountValue::kShort), 0.0F);
  EXPECT_EQ(r.account(AccountValue::kLockedOut), 0.0F);
  EXPECT_FLOAT_EQ(r.account(AccountValue::kOpenPnl), 4 * 1250 / 10'000.0F);
  EXPECT_FLOAT_EQ(r.account(AccountValue::kDrawdown), 0.0F);
  r.step(Action::kNothing);  // close 1003: equity 2 ticks lower than the high-water mark
  EXPECT_FLOAT_EQ(r.account(AccountValue::kOpenPnl), 2 * 1250 / 10'000.0F);
  EXPECT_FLOAT_EQ(r.account(AccountValue::kDrawdown), 2 * 1250 / 100'000.0F);
  std::vector<float> again(r.obs.size());
  r.env.observe(again);
  EXPECT_EQ(again, r.obs);
}

TEST(TradingEnv, NeverLetsLaterBarsChangeEarlierObservations) {
  std::mt19937_64 rng(21);
  const SessionBars a = random_session(winter_day(), rng, 50);  // decisions: bars 29 (08:30) .. 39
  constexpr std::size_t kT = 34;
  SessionBars b = a;
  for (std::size_t k = kT + 1; k < b.bars.size(); ++k)
    for (auto* p : {&b.bars[k].open, &b.bars[k].high, &b.bars[k].low, &b.bars[k].close}) *p += 50;
  auto bars_a = make_bars({a});
  auto bars_b = make_bars({b});
  auto feat_b = default_features(bars_b);
  for (std::size_t k = kT + 1; k < bars_b.size(); ++k) feat_b[k * 3 + 1] += 7.0F;
  TempDataset da(bars_a, default_features(bars_a));
  TempDataset db(bars_b, feat_b);
  EnvConfig c = test_config();
  c.slippage_ticks = 1;
  c.commission_per_side_cents = 225;
  auto scaler = fit_scaler(da.get(), c, features::ScalerKind::kMinMax);
  ASSERT_TRUE(scaler);
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    Runner ra(make_data(da.get(), c, &*scaler));
    Runner rb(make_data(db.get(), c, &*scaler));
    std::mt19937_64 actions(seed);
    while (true) {
      const std::size_t k = ra.env.data().dataset_bar(ra.env.bar());
      ASSERT_EQ(k, rb.env.data().dataset_bar(rb.env.bar()));
      if (k > kT) {
        // The test is sensitive: the first changed bar is seen at once.
        EXPECT_NE(ra.obs, rb.obs) << "seed " << seed << ": bar " << k << " should see the change";
        break;
      }
      ASSERT_EQ(ra.obs, rb.obs) << "seed " << seed << ": observation at bar " << k;
      const auto act = static_cast<Action>(actions() % kNumActions);
      const bool done_a = ra.step(act).done();
      const bool done_b = rb.step(act).done();
      ASSERT_EQ(done_a, done_b) << "seed " << seed << ": step from bar " << k;
      if (done_a) break;
    }
  }
}

TEST(TradingEnv, SumsTheEquityRewardToTheLedgersNetPnlToTheCent) {
  std::mt19937_64 rng(8);
  std::vector<SessionBars> sessions;
  for (int d = 0; d < 8; ++d) sessions.push_back(random_session(weekday(d), rng, 60, 20000 + 100 * d));
  TempDataset ds(sessions);
  EnvConfig c = test_config();
  c.window_start = {8 * 60 + 10, 0};
  c.window_end = {8 * 60 + 50, 0};
  c.slippage_ticks = 1;
  c.commission_per_side_cents = 225;
  c.risk = {30'000, 30'000};
  Runner r(make_data(ds.get(), c), 99);
  std::map<ExitReason, int> reasons;
  std::map<exec::Lockout, int> lockouts;
  std::mt19937_64 actions(3);
  for (int episode = 0; episode < 400; ++episode) {
    if (episode > 0) r.env.reset(r.obs);
    core::Cents sum_cents = 0;
    double sum_reward = 0;
    StepResult st;
    do {
      st = r.step(static_cast<Action>(actions() % kNumActions));
      sum_cents += st.equity_change_cents;
      sum_reward += st.reward;
    } while (!st.done());
    core::Cents net = 0;
    for (const auto& t : r.env.account().trades()) {
      net += t.net_cents;
      ++reasons[t.reason];
    }
    ++lockouts[r.env.risk().lockout()];
    ASSERT_TRUE(r.position().is_flat()) << "episode " << episode;
    ASSERT_EQ(sum_cents, net) << "episode " << episode;
    ASSERT_EQ(r.env.account().realized_cents(), net) << "episode " << episode;
    ASSERT_NEAR(sum_reward, static_cast<double>(net) * 0.0001, 1e-4) << "episode " << episode;
  }
  // The run exercised every way out of a trade and both lockouts.
  for (const auto reason : {ExitReason::kTarget, ExitReason::kStop, ExitReason::kAction,
                            ExitReason::kEndOfDay, ExitReason::kRisk})
    EXPECT_GT(reasons[reason], 0) << exec::to_string(reason);
  EXPECT_GT(lockouts[exec::Lockout::kDrawdown], 0);
  EXPECT_GT(lockouts[exec::Lockout::kProfitTarget], 0);
}

TEST(TradingEnv, GivesTheOriginalRewardWithTheLossComputedPerSide) {
  SessionBars s = flat_session(winter_day());
  s.bars[6] = {1000, 1041, 1000, 1041};  // a short is $512.50 under water at the close
  s.bars[7] = flat(1030);                // $375 under water
  for (std::size_t k = 8; k < s.bars.size(); ++k) s.bars[k] = flat(1020);
  TempDataset ds({s});
  EnvConfig c = test_config();
  c.reward = RewardKind::kOriginal;
  c.reward_scale = 1.0;
  c.commission_per_side_cents = 225;
  c.bracket = {100, 100};
  {
    Runner r(make_data(ds.get(), c));
    EXPECT_FLOAT_EQ(r.step(Action::kShortEntry).reward, -10.0F);
    EXPECT_FLOAT_EQ(r.step(Action::kNothing).reward, 0.0F);  // open loss $375: no penalty
    // Exit at bar 8's open, 1020: 20 ticks against, net -$254.50 -> 10 x -254.5.
    EXPECT_FLOAT_EQ(r.step(Action::kShortExit).reward, -2545.0F);
  }
  {
    Runner r(make_data(ds.get(), c));  // the same move is a gain for a long: no penalty
    EXPECT_FLOAT_EQ(r.step(Action::kBuyEntry).reward, 0.0F);
    EXPECT_FLOAT_EQ(r.step(Action::kNothing).reward, 0.0F);
    EXPECT_FLOAT_EQ(r.step(Action::kBuyExit).reward, 10.0F * (20 * 12.5F - 4.5F));
  }
}

TEST(TradingEnv, TruncatesWhenTheDataEndsInsideTheWindow) {
  SessionBars full = flat_session(weekday(0));
  SessionBars cut = flat_session(weekday(1), 1000, 12);  // last bar closes 08:36
  cut.bars[11] = {1000, 1006, 1000, 1006};
  TempDataset ds({full, cut});
  EnvConfig c = test_config();
  c.slippage_ticks = 1;
  c.mode = EpisodeMode::kEvaluate;
  auto data = make_data(ds.get(), c);
  ASSERT_EQ(data->episodes().size(), 2u);
  EXPECT_FALSE(data->episodes()[0].ends_data);
  EXPECT_TRUE(data->episodes()[1].ends_data);
  Runner r(data);
  r.env.reset_to(1, r.obs);
  for (int i = 0; i < 5; ++i) r.step(Action::kNothing);  // to bar 10, 08:35
  r.step(Action::kBuyEntry);                             // fills at bar 11's open: 1001
  const StepResult st = r.step(Action::kNothing);        // bar 11 is the last: closed at its close
  EXPECT_TRUE(st.truncated);
  EXPECT_FALSE(st.terminated);
  ASSERT_EQ(r.env.account().trades().size(), 1u);
  const auto& t = r.env.account().trades()[0];
  EXPECT_EQ(t.reason, ExitReason::kEndOfData);
  EXPECT_EQ(t.exit_price.count(), 1005);
  EXPECT_EQ(core::to_unix_ns(t.exit_time), ds.get().bars()[22 + 11].close_time_ns);
}

TEST(TradingEnv, TerminatesASessionThatClosesEarlyAtItsLastClose) {
  SessionBars early = flat_session(weekday(0), 1000, 12);
  TempDataset ds({early, flat_session(weekday(1))});
  EnvConfig c = test_config();
  c.mode = EpisodeMode::kEvaluate;
  Runner r(make_data(ds.get(), c));
  ASSERT_EQ(r.env.episode_index(), 0u);
  r.step(Action::kShortEntry);
  StepResult st;
  do st = r.step(Action::kNothing);
  while (!st.done());
  EXPECT_TRUE(st.terminated);
  ASSERT_EQ(r.env.account().trades().size(), 1u);
  EXPECT_EQ(r.env.account().trades()[0].reason, ExitReason::kEndOfDay);
  EXPECT_EQ(core::to_unix_ns(r.env.account().trades()[0].exit_time), ds.get().bars()[11].close_time_ns);
}

TEST(TradingEnv, WalksEvaluationSessionsInOrderOnce) {
  TempDataset ds({flat_session(weekday(0)), flat_session(weekday(1)), flat_session(weekday(2))});
  EnvConfig c = test_config();
  c.mode = EpisodeMode::kEvaluate;
  c.session_begin = 1;
  TradingEnv env(make_data(ds.get(), c), 5);
  std::vector<float> obs(env.observation_size());
  std::vector<std::size_t> sessions;
  while (env.reset(obs)) {
    sessions.push_back(env.episode().session);
    while (!env.step(4, obs).done()) {
    }
  }
  EXPECT_EQ(sessions, (std::vector<std::size_t>{1, 2}));
  EXPECT_EQ(obs, std::vector<float>(obs.size(), 0.0F));
}

}  // namespace
}  // namespace daytrader::env
