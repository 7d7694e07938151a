#include "bars/session_studies.h"

#include <algorithm>

namespace daytrader::bars {

void SessionStudies::on_bar(FootprintBar& bar) {
  if (!has_session_ || bar.trade_date != trade_date_) {
    if (has_session_ && bars_ > 0) {
      has_prev_session_ = true;
      prev_high_ = high_;
      prev_low_ = low_;
    }
    has_session_ = true;
    trade_date_ = bar.trade_date;
    open_ = bar.open;
    high_ = bar.high;
    low_ = bar.low;
    cum_delta_ = 0;
    pv_ = 0;
    volume_ = 0;
    bars_ = 0;
  }
  std::int64_t pv = 0, volume = 0;
  for (const PriceLevel& l : bar.levels) {
    pv += l.price.count() * static_cast<std::int64_t>(l.volume);
    volume += l.volume;
  }
  BarStudies& s = bar.studies;
  s.delta = static_cast<std::int64_t>(bar.ask_volume) - static_cast<std::int64_t>(bar.bid_volume);
  cum_delta_ += s.delta;
  s.cum_delta = cum_delta_;
  high_ = std::max(high_, bar.high);
  low_ = std::min(low_, bar.low);
  s.session_open = open_;
  s.session_high = high_;
  s.session_low = low_;
  s.has_prev_session = has_prev_session_;
  s.prev_high = has_prev_session_ ? prev_high_ : core::Ticks(0);
  s.prev_low = has_prev_session_ ? prev_low_ : core::Ticks(0);
  pv_ += pv;
  volume_ += volume;
  s.vwap = volume_ > 0 ? static_cast<double>(pv_) / static_cast<double>(volume_)
                       : static_cast<double>(bar.close.count());
  bar.index_in_session = bars_++;
}

}  // namespace daytrader::bars
