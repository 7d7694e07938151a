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

TEST(BarFillModel, FillsBracketsByTheDocumentedRules) {
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
    const BarFillModel m(r.slippage);
    const Bracket b = Bracket::around(r.side, Ticks(1000), BracketSpec{10, 10});
    const BarPrices bar{Ticks(r.open), Ticks(r.high), Ticks(r.low), Ticks(r.close)};
    EXPECT_EQ(m.check_bracket(b, bar), r.expected)
        << r.name << ": O=" << r.open << " H=" << r.high << " L=" << r.low << " C=" << r.close
        << " slippage=" << r.slippage;
  }
}

}  // namespace
}  // namespace daytrader::exec
