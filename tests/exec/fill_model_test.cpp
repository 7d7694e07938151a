#include "exec/fill_model.h"

#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace daytrader::exec {

// Readable failures for the tables below.
void PrintTo(const BracketFill& f, std::ostream* os) {
  *os << to_string(f.reason) << " at " << f.price.count() << (f.at_open ? " (open)" : "");
}

namespace {

using core::Ticks;

TEST(BarFillModel, FillsMarketOrdersAtTheReferencePlusAdverseSlippage) {
  struct Row {
    OrderSide side;
    std::int64_t reference, slippage, expected;
  };
  const std::vector<Row> rows = {
      {OrderSide::kBuy, 1000, 0, 1000},  {OrderSide::kBuy, 1000, 1, 1001}, {OrderSide::kBuy, 1000, 3, 1003},
      {OrderSide::kSell, 1000, 0, 1000}, {OrderSide::kSell, 1000, 1, 999}, {OrderSide::kSell, 1000, 3, 997},
  };
  for (const auto& r : rows) {
    const BarFillModel m(r.slippage);
    EXPECT_EQ(m.market_fill(r.side, Ticks(r.reference)).count(), r.expected)
        << to_string(r.side) << " ref=" << r.reference << " slippage=" << r.slippage;
  }
}

TEST(Bracket, SitsTargetAndStopAtTheirOffsetsFromTheFill) {
  const BracketSpec spec{12, 8};
  EXPECT_EQ(Bracket::around(Side::kLong, Ticks(1000), spec), (Bracket{Side::kLong, Ticks(1012), Ticks(992)}));
  EXPECT_EQ(Bracket::around(Side::kShort, Ticks(1000), spec),
            (Bracket{Side::kShort, Ticks(988), Ticks(1008)}));
}

TEST(BarFillModel, FillsBracketsByTheDocumentedRulesWithTheTouchRule) {
  // A bracket around a fill at 1000, target 10, stop 10: long 1010/990, short 990/1010.
  struct Row {
    std::string name;
    Side side;
    std::int64_t open, high, low, close, slippage;
    std::optional<BracketFill> expected;
  };
  using R = ExitReason;
  const std::vector<Row> rows = {
      {"long, inside the bracket", Side::kLong, 1000, 1009, 991, 1005, 1, std::nullopt},
      {"long, target touched", Side::kLong, 1000, 1010, 995, 1008, 1,
       BracketFill{R::kTarget, Ticks(1010), false}},
      {"long, target exceeded fills at the target", Side::kLong, 1000, 1020, 995, 1015, 1,
       BracketFill{R::kTarget, Ticks(1010), false}},
      {"long, stop touched pays slippage", Side::kLong, 1000, 1005, 990, 995, 1,
       BracketFill{R::kStop, Ticks(989), false}},
      {"long, stop with 2 ticks slippage", Side::kLong, 1000, 1005, 985, 995, 2,
       BracketFill{R::kStop, Ticks(988), false}},
      {"long, both in one bar assumes the stop", Side::kLong, 1000, 1015, 985, 1012, 1,
       BracketFill{R::kStop, Ticks(989), false}},
      {"long, gap through the stop fills at the open", Side::kLong, 980, 985, 975, 983, 1,
       BracketFill{R::kStop, Ticks(979), true}},
      {"long, open exactly at the stop", Side::kLong, 990, 1000, 990, 995, 0,
       BracketFill{R::kStop, Ticks(990), true}},
      {"long, gap through the target fills at the target", Side::kLong, 1015, 1020, 1012, 1018, 1,
       BracketFill{R::kTarget, Ticks(1010), true}},
      {"short, inside the bracket", Side::kShort, 1000, 1009, 991, 1005, 1, std::nullopt},
      {"short, target touched", Side::kShort, 1000, 1005, 990, 992, 1,
       BracketFill{R::kTarget, Ticks(990), false}},
      {"short, stop touched pays slippage", Side::kShort, 1000, 1010, 995, 1005, 1,
       BracketFill{R::kStop, Ticks(1011), false}},
      {"short, both in one bar assumes the stop", Side::kShort, 1000, 1012, 988, 990, 1,
       BracketFill{R::kStop, Ticks(1011), false}},
      {"short, gap through the stop fills at the open", Side::kShort, 1020, 1025, 1018, 1022, 1,
       BracketFill{R::kStop, Ticks(1021), true}},
      {"short, gap through the target fills at the target", Side::kShort, 985, 988, 980, 982, 1,
       BracketFill{R::kTarget, Ticks(990), true}},
  };
  for (const auto& r : rows) {
    const BarFillModel m(r.slippage, LimitFillRule::kTouch);
    const Bracket b = Bracket::around(r.side, Ticks(1000), BracketSpec{10, 10});
    const BarPrices bar{Ticks(r.open), Ticks(r.high), Ticks(r.low), Ticks(r.close)};
    EXPECT_EQ(m.check_bracket(b, bar), r.expected)
        << r.name << ": O=" << r.open << " H=" << r.high << " L=" << r.low << " C=" << r.close
        << " slippage=" << r.slippage;
  }
}

// The default rule: a limit fills only when the price trades at least one tick beyond it. The
// stop's rules do not change.
TEST(BarFillModel, TheThroughRuleFillsATargetOnlyWhenTheBarTradesBeyondIt) {
  struct Row {
    std::string name;
    Side side;
    std::int64_t open, high, low, close;
    std::optional<BracketFill> touch, through;
  };
  using R = ExitReason;
  const auto target = [](std::int64_t p, bool at_open) { return BracketFill{R::kTarget, Ticks(p), at_open}; };
  const auto stop = [](std::int64_t p, bool at_open) { return BracketFill{R::kStop, Ticks(p), at_open}; };
  // Long 1010/990, short 990/1010, 1 tick of slippage.
  const std::vector<Row> rows = {
      {"long, high exactly at the target", Side::kLong, 1000, 1010, 995, 1008, target(1010, false), std::nullopt},
      {"long, high one tick beyond", Side::kLong, 1000, 1011, 995, 1008, target(1010, false), target(1010, false)},
      {"long, open exactly at the target, no higher", Side::kLong, 1010, 1010, 1002, 1005, target(1010, true),
       std::nullopt},
      {"long, open at the target, then beyond", Side::kLong, 1010, 1012, 1002, 1005, target(1010, true),
       target(1010, false)},
      {"long, gap one tick beyond the target", Side::kLong, 1011, 1013, 1009, 1012, target(1010, true),
       target(1010, true)},
      {"long, both legs, target only touched", Side::kLong, 1000, 1010, 990, 1000, stop(989, false),
       stop(989, false)},
      {"long, both legs through", Side::kLong, 1000, 1015, 985, 1000, stop(989, false), stop(989, false)},
      {"long, gap through the stop", Side::kLong, 985, 1012, 980, 1011, stop(984, true), stop(984, true)},
      {"short, low exactly at the target", Side::kShort, 1000, 1005, 990, 992, target(990, false), std::nullopt},
      {"short, low one tick beyond", Side::kShort, 1000, 1005, 989, 992, target(990, false), target(990, false)},
      {"short, open exactly at the target, no lower", Side::kShort, 990, 998, 990, 995, target(990, true),
       std::nullopt},
      {"short, gap one tick beyond the target", Side::kShort, 989, 991, 985, 987, target(990, true),
       target(990, true)},
      {"short, both legs, target only touched", Side::kShort, 1000, 1010, 990, 1000, stop(1011, false),
       stop(1011, false)},
      {"short, inside", Side::kShort, 1000, 1009, 991, 1000, std::nullopt, std::nullopt},
  };
  const BarFillModel touch(1, LimitFillRule::kTouch);
  const BarFillModel through(1);
  EXPECT_EQ(through.limit_rule(), LimitFillRule::kThrough) << "the default rule";
  for (const auto& r : rows) {
    const BarPrices bar{Ticks(r.open), Ticks(r.high), Ticks(r.low), Ticks(r.close)};
    const Bracket b = Bracket::around(r.side, Ticks(1000), BracketSpec{10, 10});
    EXPECT_EQ(touch.check_bracket(b, bar), r.touch) << "touch: " << r.name;
    EXPECT_EQ(through.check_bracket(b, bar), r.through) << "through: " << r.name;
  }
}

TEST(BarFillModel, LoneLimitsFollowTheRule) {
  const BarPrices bar{Ticks(1000), Ticks(1010), Ticks(990), Ticks(1000)};
  const BarFillModel touch(0, LimitFillRule::kTouch);
  const BarFillModel through(0, LimitFillRule::kThrough);
  EXPECT_TRUE(touch.limit_fills(OrderSide::kSell, Ticks(1010), bar));
  EXPECT_FALSE(through.limit_fills(OrderSide::kSell, Ticks(1010), bar));
  EXPECT_TRUE(through.limit_fills(OrderSide::kSell, Ticks(1009), bar));
  EXPECT_TRUE(touch.limit_fills(OrderSide::kBuy, Ticks(990), bar));
  EXPECT_FALSE(through.limit_fills(OrderSide::kBuy, Ticks(990), bar));
  EXPECT_TRUE(through.limit_fills(OrderSide::kBuy, Ticks(991), bar));
  EXPECT_FALSE(touch.limit_fills(OrderSide::kSell, Ticks(1011), bar));
}

// The deliberately wrong rule the null-market test uses to show it catches an optimistic fill:
// the target is taken at the bar's best price whenever the bar trades beyond the entry.
TEST(BarFillModel, TheBarBestRuleForTestsSellsAtTheHigh) {
  const BarFillModel wrong(1, LimitFillRule::kBarBestForTests);
  const Bracket long_b = Bracket::around(Side::kLong, Ticks(1000), BracketSpec{10, 10});
  const Bracket short_b = Bracket::around(Side::kShort, Ticks(1000), BracketSpec{10, 10});
  const auto fill = [&](const Bracket& b, std::int64_t o, std::int64_t h, std::int64_t l) {
    return wrong.check_bracket(b, BarPrices{Ticks(o), Ticks(h), Ticks(l), Ticks(o)});
  };
  EXPECT_EQ(fill(long_b, 1000, 1003, 998), (BracketFill{ExitReason::kTarget, Ticks(1003), false}));
  EXPECT_EQ(fill(long_b, 1000, 1000, 995), std::nullopt) << "no higher than the entry";
  EXPECT_EQ(fill(long_b, 1000, 1004, 990), (BracketFill{ExitReason::kStop, Ticks(989), false})) << "the stop first";
  EXPECT_EQ(fill(short_b, 1000, 1002, 996), (BracketFill{ExitReason::kTarget, Ticks(996), false}));
  EXPECT_EQ(fill(short_b, 1000, 1002, 1000), std::nullopt);
  EXPECT_FALSE(parse_limit_fill_rule(to_string(LimitFillRule::kBarBestForTests))) << "never from configuration";
}

TEST(LimitFillRule, ParsesItsNamesAndRefusesOthers) {
  EXPECT_EQ(parse_limit_fill_rule("through").value(), LimitFillRule::kThrough);
  EXPECT_EQ(parse_limit_fill_rule("touch").value(), LimitFillRule::kTouch);
  for (const auto rule : {LimitFillRule::kThrough, LimitFillRule::kTouch})
    EXPECT_EQ(parse_limit_fill_rule(to_string(rule)).value(), rule);
  const auto bad = parse_limit_fill_rule("high");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("\"high\""), std::string::npos) << bad.error().message;
  EXPECT_NE(bad.error().message.find("through or touch"), std::string::npos) << bad.error().message;
}

}  // namespace
}  // namespace daytrader::exec
