#include "core/instrument.h"

#include <gtest/gtest.h>

#include <cmath>

namespace daytrader::core {
namespace {

TEST(Instrument, ConvertsGridPricesToTicksExactly) {
  const Instrument es = Instrument::es();
  struct Row { double price; std::int64_t ticks; };
  for (const Row& r : {Row{5000.0, 20000}, Row{5000.25, 20001}, Row{4999.75, 19999},
                       Row{0.25, 1}, Row{-1.5, -6}}) {
    auto t = es.to_ticks(r.price);
    ASSERT_TRUE(t) << r.price;
    EXPECT_EQ(t->count(), r.ticks) << r.price;
    EXPECT_EQ(es.to_price(*t), r.price);
  }
}

TEST(Instrument, RejectsPricesOffTheGridWithTheValueInTheMessage) {
  const Instrument es = Instrument::es();
  auto t = es.to_ticks(4512.13, "ESZ25.scid: record 1834");
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().message, "ESZ25.scid: record 1834: price 4512.13 is not on the 0.25 tick grid of ES");
  EXPECT_FALSE(es.to_ticks(std::nan("")));
  EXPECT_FALSE(es.to_ticks(INFINITY));
}

TEST(Instrument, ValuesTicksAtTwelveFiftyEach) {
  const Instrument es = Instrument::es();
  EXPECT_EQ(es.value_cents(Ticks(1)), 1250);
  EXPECT_EQ(es.value_cents(Ticks(4)), 5000);  // one point is $50
  EXPECT_EQ(es.value_cents(Ticks(-10), 2), -25000);
}

}  // namespace
}  // namespace daytrader::core
