// Live latency: from reading the trade message that closes a bar to the order bytes written to
// the socket. Per closing trade: the DTC bytes of MARKET_DATA_UPDATE_TRADE are fed to the
// dtc::Decoder, converted by market::DtcAdapter, and given to live::Engine, which closes the
// bar (bars::FootprintBuilder), computes its feature row (features::FeaturePipeline), scales it
// and builds the observation, runs the policy (rl::Policy, SB3's 64x64 MLP, plain C++), applies
// the rules and limits, and emits the orders; they are encoded (SUBMIT_NEW_SINGLE_ORDER +
// SUBMIT_NEW_OCO_ORDER for an entry, CANCEL_ORDER for an exit's first step) and written with
// write(2) to a UNIX socket. The journal's commit is not in this measurement (it is its
// own fsync; see README). Prints p50, p99 and max over every bar close.
//
//   build/bench/bench_live [sessions=3]

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "bars/scid_bars.h"
#include "dtc/codec.h"
#include "dtc/decoder.h"
#include "gen/market_generator.h"
#include "live/engine.h"
#include "market/from_dtc.h"
#include "market/from_scid.h"
#include "rl/policy.h"

using namespace daytrader;

int main(int argc, char** argv) {
  const int sessions = argc > 1 ? std::atoi(argv[1]) : 3;
  gen::GeneratorConfig g;
  g.sessions = sessions;
  auto gen = gen::MarketGenerator::create(g).value();
  std::vector<scid::Record> records;
  while (!gen.done()) gen.next_session(records);
  const core::Instrument es = core::Instrument::es();

  // Trades as DTC messages on the wire.
  std::vector<std::vector<std::uint8_t>> wire;
  const market::ScidAdapter sa(es);
  for (const auto& r : records) {
    market::Trade t;
    market::Quote q;
    if (sa.convert(r, t, q) != market::ScidEvent::kTrade || t.volume == 0) continue;
    dtc::MarketDataUpdateTrade m;
    m.symbol_id = 1;
    m.price = es.to_price(t.price);
    m.volume = t.volume;
    m.at_bid_or_ask = t.bid_volume > 0 ? dtc::AtBidOrAsk::kAtBid : dtc::AtBidOrAsk::kAtAsk;
    m.date_time = market::to_dtc_seconds(t.ts);
    std::vector<std::uint8_t> bytes;
    dtc::encode_into(m, bytes);
    wire.push_back(std::move(bytes));
  }

  live::EngineSettings s;
  s.bar = bars::BarSpec{bars::BarKind::kTime, 60};
  s.limits.max_orders_per_day = 1'000'000;
  s.limits.max_trades_per_day = 1'000'000;
  s.env.risk.max_drawdown_cents = 0;  // no lockout: an order at every decision of the window
  s.env.risk.daily_profit_target_cents = 0;
  auto fs = features::FeatureSet::by_name(s.features.feature_set, s.features).value();
  std::vector<float> fit(fs.size() * 2, 0.0F);
  for (std::size_t c = 0; c < fs.size(); ++c) fit[fs.size() + c] = 1.0F;
  auto scaler = features::Scaler::fit(features::ScalerKind::kMinMax, fs, fit).value();
  const std::int64_t hidden[] = {64, 64};
  auto w = rl::PolicyWeights::zeros(fs.size() + env::kAccountValues, 5, hidden, hidden);
  std::mt19937_64 rng(1);
  std::normal_distribution<float> n(0.0F, 0.1F);
  for (auto& t : w.tensors())
    for (auto& x : t.data) x = n(rng);
  rl::Policy policy(w, 1);
  bool flat = true;
  live::Engine engine(
      s, scaler,
      [&](std::span<const float> obs) {
        (void)policy.act(obs, true);  // the real cost; then an order at every close
        return flat ? 0 : 1;
      },
      fs.size() + env::kAccountValues);

  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) return 1;
  std::vector<std::uint8_t> out, drain(1 << 16);
  dtc::Decoder decoder;
  market::DtcAdapter adapter(es);
  std::vector<double> close_us, other_us;
  const std::size_t warm = wire.size() / sessions;  // the first session warms up
  using Clock = std::chrono::steady_clock;

  for (std::size_t i = 0; i < wire.size(); ++i) {
    const auto t0 = Clock::now();
    decoder.feed(wire[i]);
    auto msg = decoder.next();
    market::Trade trade;
    market::Quote quote;
    (void)adapter.convert(msg->value(), core::Timestamp{}, trade, quote);
    if (i < warm) {
      engine.warm_up(trade);
      if (i + 1 == warm) engine.go_live(trade.ts);
      continue;
    }
    engine.on_trade(trade);
    auto cmds = engine.take_commands();
    out.clear();
    for (const auto& c : cmds) {
      if (const auto* b = std::get_if<live::SubmitBracket>(&c)) {
        dtc::SubmitNewSingleOrder p;
        p.symbol = "ESZ25";
        p.exchange = "CME";
        p.trade_account = "SIM1";
        p.client_order_id = b->entry_id;
        p.order_type = dtc::OrderType::kMarket;
        p.buy_sell = b->side == exec::Side::kLong ? dtc::BuySell::kBuy : dtc::BuySell::kSell;
        p.quantity = 1;
        p.is_parent_order = 1;
        dtc::encode_into(p, out);
        dtc::SubmitNewOcoOrder o;
        o.symbol = "ESZ25";
        o.client_order_id_1 = b->target_id;
        o.client_order_id_2 = b->stop_id;
        o.order_type_1 = dtc::OrderType::kLimit;
        o.order_type_2 = dtc::OrderType::kStop;
        o.use_offsets = 1;
        o.offset_from_parent1 = es.to_price(core::Ticks(b->target_offset_ticks));
        o.offset_from_parent2 = es.to_price(core::Ticks(b->stop_offset_ticks));
        o.parent_trigger_client_order_id = b->entry_id;
        dtc::encode_into(o, out);
      } else if (const auto* x = std::get_if<live::CancelOrder>(&c)) {
        dtc::CancelOrder m;
        m.client_order_id = x->id;
        dtc::encode_into(m, out);
      } else if (const auto* mk = std::get_if<live::SubmitMarket>(&c)) {
        dtc::SubmitNewSingleOrder m;
        m.client_order_id = mk->id;
        m.order_type = dtc::OrderType::kMarket;
        m.quantity = 1;
        dtc::encode_into(m, out);
      }
    }
    if (!out.empty() && ::write(sv[0], out.data(), out.size()) < 0) return 1;
    const auto t1 = Clock::now();
    const double us = std::chrono::duration<double, std::micro>(t1 - t0).count();
    if (!out.empty()) close_us.push_back(us);
    else other_us.push_back(us);
    if (!out.empty()) (void)::read(sv[1], drain.data(), drain.size());

    // The broker, outside the timing: fills and acknowledgements at once (the cancels' answers
    // release the exit's market order, which fills too).
    while (!cmds.empty()) {
    for (const auto& c : cmds) {
      live::OrderEvent e;
      e.fill_price = trade.price;
      e.fill_time = trade.ts;
      if (const auto* b = std::get_if<live::SubmitBracket>(&c)) {
        e.client_id = b->entry_id, e.status = live::OrderEvent::Status::kFilled, e.fill_quantity = 1;
        engine.on_order_event(e, trade.ts);
        for (const auto& id : {b->target_id, b->stop_id}) {
          live::OrderEvent a;
          a.client_id = id, a.status = live::OrderEvent::Status::kOpen;
          engine.on_order_event(a, trade.ts);
        }
        flat = false;
      } else if (const auto* x = std::get_if<live::CancelOrder>(&c)) {
        e.client_id = x->id, e.status = live::OrderEvent::Status::kCanceled;
        engine.on_order_event(e, trade.ts);
      } else if (const auto* mk = std::get_if<live::SubmitMarket>(&c)) {
        e.client_id = mk->id, e.status = live::OrderEvent::Status::kFilled, e.fill_quantity = 1;
        engine.on_order_event(e, trade.ts);
        flat = true;
      }
    }
    cmds = engine.take_commands();
    }
    (void)engine.take_records();
  }
  const auto pct = [](std::vector<double> v, double p) {
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
  };
  std::printf("bar-closing trades with orders: %zu  p50 %.1f us  p99 %.1f us  max %.1f us\n", close_us.size(),
              pct(close_us, 0.50), pct(close_us, 0.99), pct(close_us, 1.0));
  std::printf("other trades:                   %zu  p50 %.2f us  p99 %.2f us\n", other_us.size(), pct(other_us, 0.50),
              pct(other_us, 0.99));
  ::close(sv[0]);
  ::close(sv[1]);
  return 0;
}
