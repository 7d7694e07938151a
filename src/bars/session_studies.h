#pragma once
// Session studies of a sequence of bars: delta, cumulative delta (reset each session), the
// session's open/high/low, the previous session's high and low, and the session VWAP.
//
// One implementation serves every source of bars: the trade-by-trade builder calls it as each
// bar closes, and the importer of the original system's CSV calls it on imported bars, so that a
// model sees the same studies in training and live trading.

#include <cstdint>

#include "bars/footprint_bar.h"

namespace daytrader::bars {

class SessionStudies {
 public:
  // Fills bar.studies and bar.index_in_session from the bar (OHLC, levels, trade_date) and the
  // bars seen before it. A new trade_date starts a new session.
  void on_bar(FootprintBar& bar);
  void reset() { *this = SessionStudies{}; }

 private:
  bool has_session_ = false;
  std::int32_t trade_date_ = 0;
  bool has_prev_session_ = false;
  core::Ticks prev_high_, prev_low_;
  core::Ticks open_, high_, low_;
  std::int64_t cum_delta_ = 0;
  std::int64_t pv_ = 0;  // sum of price (ticks) x volume
  std::int64_t volume_ = 0;
  std::int32_t bars_ = 0;
};

}  // namespace daytrader::bars
