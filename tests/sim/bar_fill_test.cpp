// FillMode::kBar with client pacing: the simulator fills like the backtest environment
// (exec::BarFillModel). Market orders fill at the next trade with slippage; brackets and resting
// orders are checked once per bar at the boundary, and their fills arrive before the pacing
// heartbeat that closes the bar. Sans-I/O.

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>

#include "exec/bracket.h"
#include "exec/fill_model.h"
#include "sim_support.h"

namespace daytrader::testing {
namespace {

using sim::FillMode;
using sim::MarketMode;
using sim::PaceMode;

core::Ticks px(double price) {
  core::Ticks t;
  EXPECT_TRUE(core::Instrument::es().try_to_ticks(price, t)) << price;
  return t;
}

exec::BarPrices bar_of(const std::vector<double>& prices) {
  exec::BarPrices b{px(prices.front()), px(prices.front()), px(prices.front()), px(prices.back())};
  for (const double p : prices) {
    b.high = std::max(b.high, px(p));
    b.low = std::min(b.low, px(p));
  }
  return b;
}

// A trade at 14:30:30 (the market before the first decision), then each bar's trades one second
// apart from the bar's start: bar k covers [14:30 + k min, 14:31 + k min).
std::vector<scid::Record> script(const std::vector<std::vector<double>>& bars) {
  std::vector<scid::Record> out = {trade_at(30'000, 5000.00)};
  for (std::size_t k = 0; k < bars.size(); ++k)
    for (std::size_t i = 0; i < bars[k].size(); ++i)
      out.push_back(trade_at(static_cast<std::int64_t>(60'000 * (k + 1) + 1000 * (i + 1)), bars[k][i]));
  return out;
}

// The message indices of the trades of each bar, counted in stream order.
std::vector<int> trade_indices(const std::vector<dtc::Message>& msgs) {
  std::vector<int> out;
  for (std::size_t i = 0; i < msgs.size(); ++i)
    if (std::holds_alternative<dtc::MarketDataUpdateTrade>(msgs[i])) out.push_back(static_cast<int>(i));
  return out;
}

struct BracketRow {
  const char* name;
  bool long_entry;
  bool offsets;              // UseOffsets = 1, else absolute prices
  std::vector<double> bar1;  // the fill bar: its first trade is the entry's fill trade
  std::vector<double> bar2;
  std::optional<exec::ExitReason> reason;  // the expected exit, nothing if none
  double exit_price;
  int exit_bar;  // 1 or 2
};

TEST(BarFills, BracketsFillLikeTheBacktestBeforeThePacingHeartbeat) {
  using R = exec::ExitReason;
  // Entry trade 5000.00: long fills at 5000.25 (target 5002.25, stop 4998.25); short at 4999.75
  // (target 4997.75, stop 5001.75). Brackets of 8 ticks, slippage 1 tick, the default fill rule
  // (a target fills when the bar trades a tick beyond it).
  // clang-format off
  const std::vector<BracketRow> rows = {
      {"long target in the fill bar",  true,  true,  {5000.00, 5001.00, 5002.50, 5001.50}, {},                 R::kTarget, 5002.25, 1},
      {"long target only touched",     true,  true,  {5000.00, 5001.00, 5002.25, 5001.50}, {},                 std::nullopt, 0,     0},
      {"long stop in the fill bar",    true,  false, {5000.00, 4999.00, 4998.25, 4998.50}, {},                 R::kStop,   4998.00, 1},
      {"long both in one bar: stop",   true,  true,  {5000.00, 5002.50, 4998.00, 5000.00}, {},                 R::kStop,   4998.00, 1},
      {"long gap through the stop",    true,  false, {5000.00, 5000.50},                   {4997.00, 4999.00}, R::kStop,   4996.75, 2},
      {"long gap through the target",  true,  true,  {5000.00, 4999.50},                   {5003.00, 5001.00}, R::kTarget, 5002.25, 2},
      {"long stop in the next bar",    true,  false, {5000.00, 5000.75},                   {4999.00, 4998.25}, R::kStop,   4998.00, 2},
      {"long nothing reached",         true,  true,  {5000.00, 5001.00},                   {4999.00, 4998.50}, std::nullopt, 0,     0},
      {"short target in the fill bar", false, true,  {5000.00, 4999.00, 4997.50},          {},                 R::kTarget, 4997.75, 1},
      {"short target only touched",    false, true,  {5000.00, 4999.00, 4997.75},          {},                 std::nullopt, 0,     0},
      {"short stop in the fill bar",   false, false, {5000.00, 5001.00, 5001.75},          {},                 R::kStop,   5002.00, 1},
      {"short both in one bar: stop",  false, true,  {5000.00, 4997.00, 5002.00},          {},                 R::kStop,   5002.00, 1},
      {"short gap through the stop",   false, false, {5000.00, 4999.50},                   {5003.00},          R::kStop,   5003.25, 2},
      {"short gap through the target", false, true,  {5000.00, 5000.50},                   {4996.00, 4998.00}, R::kTarget, 4997.75, 2},
  };
  // clang-format on

  const exec::BarFillModel model(1);
  for (const BracketRow& row : rows) {
    SCOPED_TRACE(row.name);
    // What the backtest's model says for these bars.
    const exec::Side side = row.long_entry ? exec::Side::kLong : exec::Side::kShort;
    const core::Ticks entry = model.market_fill(exec::opening_order(side), px(row.bar1.front()));
    const auto bracket = exec::Bracket::around(side, entry, exec::BracketSpec{8, 8});
    std::optional<exec::BracketFill> expected;
    int expected_bar = 0;
    for (int k = 1; k <= 2 && !expected; ++k) {
      const auto& prices = k == 1 ? row.bar1 : row.bar2;
      if (prices.empty()) continue;
      expected = model.check_bracket(bracket, bar_of(prices));
      expected_bar = k;
    }
    ASSERT_EQ(expected.has_value(), row.reason.has_value());
    if (expected) {
      EXPECT_EQ(expected->reason, *row.reason);
      EXPECT_EQ(expected->price, px(row.exit_price));
      EXPECT_EQ(expected_bar, row.exit_bar);
    }

    std::vector<std::vector<double>> bars = {row.bar1};
    if (!row.bar2.empty()) bars.push_back(row.bar2);
    SimDriver d(script(bars), sim_config(MarketMode::kPerConnection, PaceMode::kClient, FillMode::kBar));
    d.logon(1);
    d.subscribe(1);
    ASSERT_EQ(find_heartbeat(d.messages(1), kT0 + 60), static_cast<int>(d.messages(1).size()) - 1);
    const auto entry_side = row.long_entry ? dtc::BuySell::kBuy : dtc::BuySell::kSell;
    const double tick = 0.25;
    d.send(1, single_order("P", dtc::OrderType::kMarket, entry_side, 0, true));
    if (row.offsets) {
      d.send(1, bracket_oco("P", "T", "S", entry_side, true, 8 * tick, 8 * tick));
    } else {
      d.send(1, bracket_oco("P", "T", "S", entry_side, false, core::Instrument::es().to_price(bracket.target),
                            core::Instrument::es().to_price(bracket.stop)));
    }
    d.poll();
    EXPECT_EQ(find_update(d.messages(1), "P", dtc::OrderStatus::kFilled), -1)
        << "filled before the next trade";

    d.ack(1, kT0 + 60);
    if (bars.size() == 2) d.ack(1, kT0 + 120);
    const auto& msgs = d.messages(1);
    const auto trades = trade_indices(msgs);
    ASSERT_EQ(trades.size(), 1 + row.bar1.size() + row.bar2.size());

    // The entry: at the first trade of bar 1, plus slippage, right after that trade.
    const int p_fill = find_update(msgs, "P", dtc::OrderStatus::kFilled);
    ASSERT_EQ(p_fill, trades[1] + 1);
    EXPECT_EQ(std::get<dtc::OrderUpdate>(msgs[static_cast<std::size_t>(p_fill)]).last_fill_price,
              core::Instrument::es().to_price(entry));
    const auto target_open = std::get<dtc::OrderUpdate>(
        msgs[static_cast<std::size_t>(find_update(msgs, "T", dtc::OrderStatus::kOpen))]);
    EXPECT_EQ(target_open.price1, core::Instrument::es().to_price(bracket.target));

    const int t_fill = find_update(msgs, "T", dtc::OrderStatus::kFilled);
    const int s_fill = find_update(msgs, "S", dtc::OrderStatus::kFilled);
    if (!row.reason) {
      EXPECT_EQ(t_fill, -1);
      EXPECT_EQ(s_fill, -1);
      continue;
    }
    const bool target = *row.reason == exec::ExitReason::kTarget;
    const int fill = target ? t_fill : s_fill;
    ASSERT_GE(fill, 0);
    EXPECT_EQ(target ? s_fill : t_fill, -1);
    const auto& u = std::get<dtc::OrderUpdate>(msgs[static_cast<std::size_t>(fill)]);
    EXPECT_EQ(u.last_fill_price, core::Instrument::es().to_price(expected->price));
    const std::int64_t boundary = kT0 + 60 * (row.exit_bar + 1);
    EXPECT_EQ(u.last_fill_date_time, boundary * 1000);  // stamped with the bar's end
    // After the bar's last trade, then the sibling's cancel, the position and the balance, all
    // before the heartbeat that closes the bar.
    const std::size_t last_trade_of_bar =
        row.exit_bar == 1 ? row.bar1.size() : row.bar1.size() + row.bar2.size();
    const int heartbeat = find_heartbeat(msgs, boundary);
    ASSERT_GE(heartbeat, 0);
    EXPECT_GT(fill, trades[last_trade_of_bar]);
    const int cancel = find_update(msgs, target ? "S" : "T", dtc::OrderStatus::kCanceled);
    EXPECT_EQ(cancel, fill + 1);
    ASSERT_TRUE(std::holds_alternative<dtc::PositionUpdate>(msgs[static_cast<std::size_t>(fill + 2)]));
    EXPECT_EQ(std::get<dtc::PositionUpdate>(msgs[static_cast<std::size_t>(fill + 2)]).quantity, 0);
    EXPECT_TRUE(std::holds_alternative<dtc::AccountBalanceUpdate>(msgs[static_cast<std::size_t>(fill + 3)]));
    EXPECT_EQ(heartbeat, fill + 4);
    // The balance: the round trip in ticks x $12.50, less two commissions.
    const std::int64_t ticks = (expected->price - entry).count() * (row.long_entry ? 1 : -1);
    EXPECT_DOUBLE_EQ(
        std::get<dtc::AccountBalanceUpdate>(msgs[static_cast<std::size_t>(fill + 3)]).cash_balance,
        50000.0 + static_cast<double>(ticks) * 12.5 - 4.5);
  }
}

TEST(BarFills, MarketOrdersFillAtTheNextTradeWithSlippageAgainstThem) {
  // Bars from 14:31: 5001.00 5001.50 | 4999.00 5000.00 | 5002.00 | 5003.00
  SimDriver d(script({{5001.00, 5001.50}, {4999.00, 5000.00}, {5002.00}, {5003.00}}),
              sim_config(MarketMode::kPerConnection, PaceMode::kClient, FillMode::kBar));
  d.logon(1);
  d.subscribe(1);
  // An entry while held: nothing until the next trade, then that trade + 1 tick.
  d.send(1, single_order("E", dtc::OrderType::kMarket, dtc::BuySell::kBuy));
  d.poll();
  EXPECT_GE(find_update(d.messages(1), "E", dtc::OrderStatus::kOpen), 0);  // accepted, working
  EXPECT_EQ(find_update(d.messages(1), "E", dtc::OrderStatus::kFilled), -1);
  d.ack(1, kT0 + 60);
  // An exit by a market sell: the next trade - 1 tick.
  d.send(1, single_order("X", dtc::OrderType::kMarket, dtc::BuySell::kSell));
  d.ack(1, kT0 + 120);
  // A short entry, then SUBMIT_FLATTEN_POSITION_ORDER: a market buy at the next trade + 1 tick.
  d.send(1, single_order("S", dtc::OrderType::kMarket, dtc::BuySell::kSell));
  d.ack(1, kT0 + 180);
  dtc::SubmitFlattenPositionOrder flat;
  flat.symbol = "ESZ25";
  flat.client_order_id = "F";
  d.send(1, flat);
  d.ack(1, kT0 + 240);

  const auto& msgs = d.messages(1);
  const auto fill_price = [&](const char* id) {
    const int i = find_update(msgs, id, dtc::OrderStatus::kFilled);
    return i < 0 ? 0.0 : std::get<dtc::OrderUpdate>(msgs[static_cast<std::size_t>(i)]).last_fill_price;
  };
  EXPECT_EQ(fill_price("E"), 5001.25);
  EXPECT_EQ(fill_price("X"), 4998.75);
  EXPECT_EQ(fill_price("S"), 5001.75);
  EXPECT_EQ(fill_price("F"), 5003.25);
  const auto balances = d.all<dtc::AccountBalanceUpdate>(1);
  ASSERT_EQ(balances.size(), 4u);
  // (4998.75 - 5001.25) x 4 x $12.50 + (5001.75 - 5003.25) x 4 x $12.50 - 4 x $2.25
  EXPECT_DOUBLE_EQ(balances.back().cash_balance, 50000.00 - 125.00 - 75.00 - 9.00);
  EXPECT_EQ(d.all<dtc::PositionUpdate>(1).back().quantity, 0);
}

struct LoneRow {
  const char* name;
  dtc::OrderType type;
  dtc::BuySell side;
  double price;
  std::vector<double> bar1;
  std::optional<double> fill;
};

// Limits by the fill rule (through by default, touch when --fill-rule touch), stops as the backtest.
TEST(BarFills, LoneLimitsFillByTheRuleAndStopsWithSlippageOrAtAGappedOpen) {
  using T = dtc::OrderType;
  using S = dtc::BuySell;
  using Rule = exec::LimitFillRule;
  struct RuleRow {
    Rule rule;
    LoneRow row;
  };
  // clang-format off
  const std::vector<RuleRow> rows = {
      {Rule::kThrough, {"buy limit touched",          T::kLimit, S::kBuy,  4999.00, {5000.00, 4999.00, 5000.50}, std::nullopt}},
      {Rule::kTouch,   {"buy limit touched",          T::kLimit, S::kBuy,  4999.00, {5000.00, 4999.00, 5000.50}, 4999.00}},
      {Rule::kThrough, {"buy limit traded through",   T::kLimit, S::kBuy,  4999.00, {5000.00, 4998.75, 5000.50}, 4999.00}},
      {Rule::kThrough, {"buy limit not reached",      T::kLimit, S::kBuy,  4999.00, {5000.00, 4999.25},          std::nullopt}},
      {Rule::kTouch,   {"buy limit not reached",      T::kLimit, S::kBuy,  4999.00, {5000.00, 4999.25},          std::nullopt}},
      {Rule::kThrough, {"sell limit touched",         T::kLimit, S::kSell, 5001.00, {5000.00, 5001.00},          std::nullopt}},
      {Rule::kTouch,   {"sell limit touched",         T::kLimit, S::kSell, 5001.00, {5000.00, 5001.00},          5001.00}},
      {Rule::kThrough, {"sell limit traded through",  T::kLimit, S::kSell, 5001.00, {5000.00, 5001.25},          5001.00}},
      {Rule::kThrough, {"marketable buy limit: at its price", T::kLimit, S::kBuy, 5001.00, {5000.00, 5000.50}, 5001.00}},
      {Rule::kThrough, {"buy stop reached",           T::kStop,  S::kBuy,  5001.00, {5000.00, 5001.00},          5001.25}},
      {Rule::kThrough, {"sell stop reached",          T::kStop,  S::kSell, 4999.00, {5000.00, 4998.50},          4998.75}},
      {Rule::kThrough, {"sell stop gapped at the open", T::kStop, S::kSell, 4999.00, {4998.00, 4999.50},         4997.75}},
      {Rule::kThrough, {"buy stop gapped at the open", T::kStop, S::kBuy,  5001.00, {5002.00},                   5002.25}},
      {Rule::kThrough, {"sell stop not reached",      T::kStop,  S::kSell, 4999.00, {5000.00, 4999.25},          std::nullopt}},
  };
  // clang-format on

  for (const auto& [rule, row] : rows) {
    SCOPED_TRACE(std::string(row.name) + ", " + std::string(exec::to_string(rule)));
    auto config = sim_config(MarketMode::kShared, PaceMode::kClient, FillMode::kBar);
    EXPECT_EQ(config.exchange.fill_rule, Rule::kThrough) << "the default";
    config.exchange.fill_rule = rule;
    SimDriver d(script({row.bar1}), config);
    d.logon(1);
    d.subscribe(1);
    d.send(1, single_order("L", row.type, row.side, row.price));
    d.ack(1, kT0 + 60);  // bar 1 streams; the end of the data closes it at 14:32:00
    const auto& msgs = d.messages(1);
    const int fill = find_update(msgs, "L", dtc::OrderStatus::kFilled);
    if (!row.fill) {
      EXPECT_EQ(fill, -1);
      EXPECT_GE(find_update(msgs, "L", dtc::OrderStatus::kOpen), 0);
      continue;
    }
    ASSERT_GE(fill, 0);
    EXPECT_EQ(std::get<dtc::OrderUpdate>(msgs[static_cast<std::size_t>(fill)]).last_fill_price, *row.fill);
    EXPECT_LT(fill, find_heartbeat(msgs, kT0 + 120));
    EXPECT_GT(fill, trade_indices(msgs).back());
  }
}

}  // namespace
}  // namespace daytrader::testing
