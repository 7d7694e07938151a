#include "live/engine.h"

#include <fmt/format.h>

#include <cstring>

#include "core/assert.h"

namespace daytrader::live {

namespace {

exec::RulesConfig rules_config(const EngineSettings& s) {
  exec::RulesConfig r;
  r.account.starting_balance_cents = s.env.starting_balance_cents;
  r.account.commission_per_side_cents = s.env.commission_per_side_cents;
  r.account.tick_value_cents = s.instrument.tick_value_cents;
  r.risk = s.env.risk;
  r.bracket = s.env.bracket;
  return r;
}

core::Nanoseconds period_of(const bars::BarSpec& spec) {
  if (spec.kind != bars::BarKind::kTime)
    throw core::DaytraderError(fmt::format(
        "live trading needs time bars; the model was trained on {} bars, whose close cannot be known "
        "from the clock",
        spec.to_string()));
  return std::chrono::seconds(spec.size);
}

std::uint64_t fnv1a(std::span<const float> v) {
  std::uint64_t h = 1469598103934665603ULL;
  const auto* p = reinterpret_cast<const unsigned char*>(v.data());
  for (std::size_t i = 0; i < v.size_bytes(); ++i) {
    h ^= p[i];
    h *= 1099511628211ULL;
  }
  return h;
}

std::string dollars(core::Cents c) {
  return fmt::format("{}{:.2f}", c < 0 ? "-" : "+", static_cast<double>(c < 0 ? -c : c) / 100.0);
}

}  // namespace

std::string_view to_string(OrderRole r) noexcept {
  switch (r) {
    case OrderRole::kEntry:
      return "entry";
    case OrderRole::kTarget:
      return "target";
    case OrderRole::kStop:
      return "stop";
    case OrderRole::kExit:
      return "exit";
  }
  return "unknown";
}

std::string_view to_string(RecordKind k) noexcept {
  switch (k) {
    case RecordKind::kBar:
      return "bar";
    case RecordKind::kDecision:
      return "decision";
    case RecordKind::kLockout:
      return "lockout";
    case RecordKind::kFault:
      return "fault";
    case RecordKind::kHalt:
      return "halt";
    case RecordKind::kKill:
      return "kill";
    case RecordKind::kPause:
      return "pause";
    case RecordKind::kFill:
      return "fill";
    case RecordKind::kInfo:
      return "info";
  }
  return "unknown";
}

Engine::Engine(EngineSettings settings, features::Scaler scaler, PolicyFn policy, std::size_t observation_size)
    : settings_(std::move(settings)),
      scaler_(std::move(scaler)),
      policy_(std::move(policy)),
      builder_(settings_.bar, *settings_.calendar),
      pipeline_(settings_.features, *settings_.calendar),
      rules_(rules_config(settings_)),
      observation_(settings_.env),
      window_(*settings_.calendar, settings_.env.window_start, settings_.env.window_end, period_of(settings_.bar)),
      bar_period_(period_of(settings_.bar)) {
  if (auto st = scaler_.check_feature_set(pipeline_.feature_set()); !st)
    throw core::DaytraderError(fmt::format("live: {}", st.error().message));
  if (observation_size != pipeline_.feature_set().size() + env::kAccountValues)
    throw core::DaytraderError(fmt::format("live: the policy takes {} inputs; features + account give {}",
                                           observation_size,
                                           pipeline_.feature_set().size() + env::kAccountValues));
  row_.resize(pipeline_.feature_set().size());
  obs_.resize(row_.size() + env::kAccountValues);
}

// --- warm-up and restore ---------------------------------------------------------------------

void Engine::warm_up(const market::Trade& t) {
  DT_ASSERT(!live_, "warm_up() after go_live()");
  if (auto bar = builder_.on_trade(t)) on_bar(*bar);
  last_trade_time_ = t.ts;
}

void Engine::go_live(core::Timestamp now) {
  live_ = true;
  now_ = now;
  if (last_trade_time_ == core::Timestamp{}) last_trade_time_ = now;
  record(RecordKind::kInfo, now, fmt::format("Live bars_warmed_up={} trade_date={}", bars_.size(),
                                             trade_date_ == 0 ? std::string("none") : core::format_trade_date(trade_date_)));
}

void Engine::restore(const RestoredDay& day) {
  start_day(day.trade_date);
  for (const auto& f : day.fills) {
    if (f.role == OrderRole::kEntry) {
      if (!rules_.position().is_flat()) continue;
      rules_.on_entry_fill(f.position_side, f.price, f.time);
      position_opened_at_ = f.time;
      legs_acknowledged_ = true;
    } else if (!rules_.position().is_flat()) {
      all_trades_.push_back(rules_.on_exit_fill(f.price, f.time, f.reason));
    }
  }
  rules_.restore_risk(day.high_water_mark_cents, day.lockout);
  killed_ = day.killed;
  halted_ = day.halted;
  halt_reason_ = day.halt_reason;
  orders_sent_ = day.orders_sent;
  trades_today_ = day.trades;
  next_order_ = std::max(next_order_, day.next_order_number);
  last_decision_close_ = day.last_decision_close;
  for (const auto& w : day.working) {
    OrderInfo info;
    info.role = w.role;
    info.server_id = w.server_id;
    info.acknowledged = true;
    info.sent_at = now_;
    if (w.role == OrderRole::kTarget || w.role == OrderRole::kStop || w.role == OrderRole::kExit)
      info.side = rules_.position().is_long() ? exec::OrderSide::kSell : exec::OrderSide::kBuy;
    orders_[w.client_id] = info;
    own_ids_.insert(w.client_id);
    if (w.role == OrderRole::kTarget) target_id_ = w.client_id;
    if (w.role == OrderRole::kStop) stop_id_ = w.client_id;
    if (w.role == OrderRole::kEntry) entry_id_ = w.client_id;
    if (w.role == OrderRole::kExit) {
      // An exit was on its way when the engine stopped: it is the exit in progress.
      exiting_ = true;
      exit_order_ = w.client_id;
    }
  }
  record(RecordKind::kInfo, now_,
         fmt::format("Restored trade_date={} position={} realized={} lockout={} killed={} halted={} orders_sent={} "
                     "trades={}",
                     core::format_trade_date(day.trade_date), rules_.position().quantity,
                     dollars(rules_.account().realized_cents()), exec::to_string(rules_.risk().lockout()), killed_,
                     halted_, orders_sent_, trades_today_));
}

// --- market data -----------------------------------------------------------------------------

void Engine::on_trade(const market::Trade& t) {
  last_trade_time_ = t.ts;
  if (t.ts > now_) now_ = t.ts;
  if (paused_) {
    paused_ = false;
    record(RecordKind::kPause, t.ts, "Feed resumed: entries allowed again");
  }
  if (auto bar = builder_.on_trade(t)) on_bar(*bar);
}

void Engine::on_time(core::Timestamp now) {
  if (now > now_) now_ = now;
  if (auto bar = builder_.on_time(now)) on_bar(*bar);
  if (!live_) return;
  check_timeouts(now);
  // The window ended without a final decision (no trade in its last period): flatten now.
  if (trade_date_ != 0 && !final_done_) {
    const auto [ws, we] = window_.window(trade_date_);
    (void)ws;
    if (now >= we) {
      final_done_ = true;
      if (!rules_.position().is_flat() || has_working_orders())
        begin_exit(exec::ExitReason::kEndOfDay, "window ended", now);
    }
  }
}

void Engine::start_day(std::int32_t trade_date) {
  trade_date_ = trade_date;
  rules_.begin_day();
  orders_sent_ = 0;
  trades_today_ = 0;
  final_done_ = false;
  paused_ = false;
  // A halt lasts for the day; the kill switch lasts until the operator removes it.
  halted_ = false;
  halt_reason_.clear();
}

void Engine::on_bar(const bars::FootprintBar& bar) {
  pipeline_.on_bar(bar, row_);
  if (keep_history_) {
    bars_.push_back(bar);
    rows_.push_back(row_);
  }
  if (bar.trade_date != trade_date_) {
    if (rules_.position().is_flat() && !has_working_orders()) {
      start_day(bar.trade_date);
    } else if (live_) {
      fault(fmt::format("A new trade date {} began with position={} still open", core::format_trade_date(bar.trade_date),
                        rules_.position().quantity),
            bar.close_time);
      trade_date_ = bar.trade_date;
    } else {
      start_day(bar.trade_date);
    }
  }
  if (!live_) return;
  const BarPlace place = window_.place(bar.trade_date, bar.close_time);
  record(RecordKind::kBar, bar.close_time,
         fmt::format("Bar close={} open={} high={} low={} close={} volume={} trades={}", core::format_utc(bar.close_time),
                     settings_.instrument.to_price(bar.open), settings_.instrument.to_price(bar.high),
                     settings_.instrument.to_price(bar.low), settings_.instrument.to_price(bar.close), bar.volume,
                     bar.num_trades));
  if (!place.is_decision || final_done_) return;
  if (bar.close_time <= last_decision_close_) return;  // decided before a restart
  last_decision_close_ = bar.close_time;
  decide(bar, place);
}

void Engine::prune_finished() {
  for (auto it = orders_.begin(); it != orders_.end();) {
    const bool referenced = it->first == entry_id_ || it->first == target_id_ || it->first == stop_id_ ||
                            it->first == exit_order_;
    if (it->second.terminal && !referenced) it = orders_.erase(it);
    else ++it;
  }
}

void Engine::decide(const bars::FootprintBar& bar, const BarPlace& place) {
  prune_finished();
  // Mark at the bar's close (fills during the bar are already in the ledger), as the env does.
  const exec::Lockout before = rules_.risk().lockout();
  const exec::Lockout now_lock = rules_.mark(bar.close);
  if (now_lock != before)
    record(RecordKind::kLockout, bar.close_time,
           fmt::format("Lockout {} equity={} high_water_mark={}", exec::to_string(now_lock),
                       dollars(rules_.equity_cents() - rules_.config().account.starting_balance_cents),
                       dollars(rules_.risk().high_water_mark_cents() - rules_.config().account.starting_balance_cents)));

  if (auto st = observation_.build(row_, scaler_, rules_, obs_); !st) {
    fault(fmt::format("Observation refused: {}", st.error().message), bar.close_time);
    return;
  }
  const int action = policy_(obs_);
  if (action < 0 || action >= static_cast<int>(exec::kNumActions)) {
    fault(fmt::format("The policy returned action {}; expected 0..4", action), bar.close_time);
    return;
  }
  const exec::Decision d = rules_.decide(action, place.point);
  if (place.point.is_final) {
    final_done_ = true;
    // Flat at the window's end with orders still working (an entry not filled): cancel them.
    if (d.intent == exec::Intent::kNone && has_working_orders())
      begin_exit(exec::ExitReason::kEndOfDay, "window ended with working orders", bar.close_time);
  }

  DecisionInfo info;
  info.bar_close = bar.close_time;
  info.trade_date = bar.trade_date;
  info.close = bar.close;
  info.action = action;
  info.decision = d;
  info.observation_hash = fnv1a(obs_);
  info.lockout = rules_.risk().lockout();

  // Live limits.
  const bool entry = d.intent == exec::Intent::kEnterLong || d.intent == exec::Intent::kEnterShort;
  if (entry) {
    if (killed_) info.refused = "kill switch";
    else if (stopped_) info.refused = "stopping";
    else if (halted_) info.refused = "halted: " + halt_reason_;
    else if (paused_) info.refused = "paused: stale feed";
    else if (has_pending() || exiting_) info.refused = "an order is pending";
    else if (has_working_orders()) info.refused = "working orders remain";
    else if (orders_sent_ >= settings_.limits.max_orders_per_day)
      info.refused = fmt::format("max_orders_per_day {} reached", settings_.limits.max_orders_per_day);
    else if (trades_today_ >= settings_.limits.max_trades_per_day)
      info.refused = fmt::format("max_trades_per_day {} reached", settings_.limits.max_trades_per_day);
    else if (std::abs(rules_.position().quantity) + 1 > settings_.limits.max_position)
      info.refused = fmt::format("max_position {} reached", settings_.limits.max_position);
    else if (server_position_ && *server_position_ != 0)
      info.refused = fmt::format("the server reports position {}", *server_position_);
  } else if (d.intent == exec::Intent::kExit && exiting_) {
    info.refused = "an exit is in progress";
  }

  info.position = rules_.position().quantity;
  info.open_pnl_cents = rules_.open_pnl_cents();
  info.day_pnl_cents = rules_.equity_cents() - rules_.risk().start_cents();
  if (keep_history_) observations_.push_back(obs_);

  record(RecordKind::kDecision, bar.close_time,
         fmt::format("Decision bar={} action={} intent={}{} position={} open_pnl={} day_pnl={} lockout={} obs_hash={:016x}",
                     core::format_utc(bar.close_time), exec::to_string(static_cast<exec::Action>(action)),
                     exec::to_string(d.intent), info.refused.empty() ? "" : fmt::format(" refused=\"{}\"", info.refused),
                     info.position, dollars(info.open_pnl_cents), dollars(info.day_pnl_cents),
                     exec::to_string(info.lockout), info.observation_hash));
  decisions_.push_back(info);
  if (!info.refused.empty()) return;

  switch (d.intent) {
    case exec::Intent::kEnterLong:
      enter(exec::Side::kLong, bar.close_time);
      break;
    case exec::Intent::kEnterShort:
      enter(exec::Side::kShort, bar.close_time);
      break;
    case exec::Intent::kExit:
      begin_exit(d.exit_reason, fmt::format("decision {}", exec::to_string(d.exit_reason)), bar.close_time);
      break;
    case exec::Intent::kNone:
      break;
  }
}

// --- orders ----------------------------------------------------------------------------------

std::string Engine::new_order_id() {
  return fmt::format("{}-{}", settings_.order_id_prefix, next_order_++);
}

void Engine::enter(exec::Side side, core::Timestamp now) {
  SubmitBracket b;
  b.entry_id = new_order_id();
  b.target_id = new_order_id();
  b.stop_id = new_order_id();
  b.side = side;
  b.quantity = 1;
  b.target_offset_ticks = settings_.env.bracket.target_ticks;
  b.stop_offset_ticks = settings_.env.bracket.stop_ticks;
  const exec::OrderSide open = exec::opening_order(side);
  const exec::OrderSide close = exec::closing_order(side);
  orders_[b.entry_id] = OrderInfo{OrderRole::kEntry, open, 1, {}, false, false, false, now, exec::ExitReason::kAction};
  own_ids_.insert(b.entry_id);
  orders_[b.target_id] = OrderInfo{OrderRole::kTarget, close, 1, {}, false, false, false, now, exec::ExitReason::kTarget};
  own_ids_.insert(b.target_id);
  orders_[b.stop_id] = OrderInfo{OrderRole::kStop, close, 1, {}, false, false, false, now, exec::ExitReason::kStop};
  own_ids_.insert(b.stop_id);
  entry_id_ = b.entry_id;
  target_id_ = b.target_id;
  stop_id_ = b.stop_id;
  legs_acknowledged_ = false;
  ++orders_sent_;
  ++trades_today_;
  commands_.emplace_back(std::move(b));
}

void Engine::cancel_working(const std::string& why) {
  for (auto& [id, o] : orders_) {
    if (o.terminal || o.cancel_sent) continue;
    if (o.role == OrderRole::kExit) continue;  // an exit is never canceled by the engine
    o.cancel_sent = true;
    o.sent_at = now_;
    commands_.emplace_back(CancelOrder{id, why});
  }
}

void Engine::begin_exit(exec::ExitReason reason, const std::string& why, core::Timestamp now) {
  if (exiting_) return;
  exiting_ = true;
  exit_reason_ = reason;
  exit_order_.clear();
  record(RecordKind::kInfo, now,
         fmt::format("Flatten reason={} why=\"{}\" position={}", exec::to_string(reason), why, rules_.position().quantity));
  cancel_working(why);
  continue_exit(now);
}

void Engine::continue_exit(core::Timestamp now) {
  if (!exiting_) return;
  // Wait for every canceled order (and an entry in flight) to be done before offsetting.
  for (const auto& [id, o] : orders_)
    if (!o.terminal && o.role != OrderRole::kExit) return;
  if (!exit_order_.empty()) {
    const auto it = orders_.find(exit_order_);
    if (it != orders_.end() && !it->second.terminal) return;  // the offset is working
  }
  const std::int64_t q = rules_.position().quantity;
  if (q == 0) {
    exiting_ = false;
    exit_order_.clear();
    return;
  }
  SubmitMarket m;
  m.id = new_order_id();
  m.side = q > 0 ? exec::OrderSide::kSell : exec::OrderSide::kBuy;
  m.quantity = q > 0 ? q : -q;
  m.reason = exit_reason_;
  orders_[m.id] = OrderInfo{OrderRole::kExit, m.side, m.quantity, {}, false, false, false, now, exit_reason_};
  own_ids_.insert(m.id);
  exit_order_ = m.id;
  ++orders_sent_;
  commands_.emplace_back(std::move(m));
}

bool Engine::has_pending() const noexcept {
  for (const auto& [id, o] : orders_) {
    if (o.terminal) continue;
    if (!o.acknowledged || o.cancel_sent) return true;
    if (o.role == OrderRole::kEntry || o.role == OrderRole::kExit) return true;  // working market order
  }
  return false;
}

bool Engine::has_working_orders() const noexcept {
  for (const auto& [id, o] : orders_)
    if (!o.terminal) return true;
  return false;
}

bool Engine::is_settled() const noexcept {
  if (!commands_.empty()) return false;
  for (const auto& [id, o] : orders_) {
    if (o.terminal) continue;
    if (o.cancel_sent) return false;  // waiting for the cancel's answer
    if (!o.acknowledged && o.role != OrderRole::kTarget && o.role != OrderRole::kStop) return false;
  }
  if (exiting_ && exit_order_.empty() && !rules_.position().is_flat()) return false;
  return true;
}

bool Engine::is_done_for_day() const noexcept {
  return (final_done_ || killed_ || halted_ || stopped_) && rules_.position().is_flat() && !has_working_orders() && !exiting_;
}

void Engine::on_order_event(const OrderEvent& e, core::Timestamp now) {
  if (now > now_) now_ = now;
  auto it = orders_.find(e.client_id);
  if (it == orders_.end()) {
    if (e.fill_quantity > 0)
      halt(fmt::format("A fill of an order this engine {}: client_id=\"{}\" server_id=\"{}\" qty={} price={}",
                       own_ids_.contains(e.client_id) ? "saw finish before" : "does not know", e.client_id, e.server_id,
                       e.fill_quantity, settings_.instrument.to_price(e.fill_price)),
           now);
    return;
  }
  OrderInfo& o = it->second;
  if (!e.server_id.empty()) o.server_id = e.server_id;
  if (e.status != OrderEvent::Status::kPending) o.acknowledged = true;

  if (e.fill_quantity > 0 && !o.terminal) {
    const auto t = e.fill_time == core::Timestamp{} ? now : e.fill_time;
    switch (o.role) {
      case OrderRole::kEntry: {
        const exec::Side side = o.side == exec::OrderSide::kBuy ? exec::Side::kLong : exec::Side::kShort;
        if (!rules_.position().is_flat()) {
          halt(fmt::format("Entry {} filled while the ledger already holds position {}", e.client_id,
                           rules_.position().quantity),
               now);
          break;
        }
        const auto& b = rules_.on_entry_fill(side, e.fill_price, t);
        position_opened_at_ = now;
        record(RecordKind::kFill, t,
               fmt::format("Fill entry {} {} at {} target={} stop={}", e.client_id, exec::to_string(side),
                           settings_.instrument.to_price(e.fill_price), settings_.instrument.to_price(b.target),
                           settings_.instrument.to_price(b.stop)));
        break;
      }
      case OrderRole::kTarget:
      case OrderRole::kStop:
      case OrderRole::kExit: {
        if (rules_.position().is_flat()) {
          halt(fmt::format("{} {} filled at {} while the ledger is flat", to_string(o.role), e.client_id,
                           settings_.instrument.to_price(e.fill_price)),
               now);
          break;
        }
        const exec::ExitReason reason = o.role == OrderRole::kTarget ? exec::ExitReason::kTarget
                                        : o.role == OrderRole::kStop ? exec::ExitReason::kStop
                                                                     : o.reason;
        const auto& trade = rules_.on_exit_fill(e.fill_price, t, reason);
        all_trades_.push_back(trade);
        record(RecordKind::kFill, t,
               fmt::format("Fill {} {} at {} reason={} net={}", to_string(o.role), e.client_id,
                           settings_.instrument.to_price(e.fill_price), exec::to_string(reason), dollars(trade.net_cents)));
        break;
      }
    }
  }
  switch (e.status) {
    case OrderEvent::Status::kFilled:
    case OrderEvent::Status::kCanceled:
      o.terminal = true;
      break;
    case OrderEvent::Status::kRejected:
      o.terminal = true;
      if (o.role == OrderRole::kExit) {
        halt(fmt::format("Exit order {} rejected: {}", e.client_id, e.text), now);
      } else if (o.role == OrderRole::kEntry) {
        record(RecordKind::kFault, now, fmt::format("Order rejected id={} role=entry reason=\"{}\"", e.client_id, e.text));
        // The legs die with their parent; mark them so nothing waits for them.
        for (const auto& id : {target_id_, stop_id_})
          if (auto l = orders_.find(id); l != orders_.end() && !l->second.acknowledged) l->second.terminal = true;
      } else {
        // A bracket leg refused: the position is unprotected.
        fault(fmt::format("Bracket leg {} rejected: {}", e.client_id, e.text), now);
      }
      break;
    default:
      break;
  }
  // Legs acknowledged once both work (or are done).
  if (!legs_acknowledged_ && !rules_.position().is_flat()) {
    const auto t = orders_.find(target_id_);
    const auto s = orders_.find(stop_id_);
    if (t != orders_.end() && s != orders_.end() && t->second.acknowledged && s->second.acknowledged)
      legs_acknowledged_ = true;
  }
  continue_exit(now);
}

void Engine::on_server_position(std::int64_t quantity, core::Timestamp now) {
  server_position_ = quantity;
  if (now > now_) now_ = now;
}

void Engine::check_timeouts(core::Timestamp now) {
  const auto& L = settings_.limits;
  // Orders not answered in time.
  // Orders not answered in time; market orders (entry, exit) not filled in time.
  for (auto& [id, o] : orders_) {
    if (o.terminal || now - o.sent_at <= L.order_ack_timeout) continue;
    const bool market = o.role == OrderRole::kEntry || o.role == OrderRole::kExit;
    if (!(market || o.cancel_sent || !o.acknowledged) || (!market && !o.cancel_sent)) continue;
    o.sent_at = now;  // once per timeout
    fault(fmt::format("{} for {} order {} after {:.1f} s",
                      o.acknowledged && !o.cancel_sent ? "No fill" : "No answer from the server", to_string(o.role), id,
                      std::chrono::duration<double>(L.order_ack_timeout).count()),
          now);
  }
  // Bracket legs must work soon after the entry's fill.
  if (!rules_.position().is_flat() && !legs_acknowledged_ && !exiting_ &&
      now - position_opened_at_ > L.bracket_ack_timeout) {
    legs_acknowledged_ = true;  // report once
    fault(fmt::format("Bracket legs {} / {} not acknowledged {:.1f} s after the entry's fill", target_id_, stop_id_,
                      std::chrono::duration<double>(L.bracket_ack_timeout).count()),
          now);
  }
  // Leftover legs while flat.
  if (rules_.position().is_flat() && !exiting_) {
    bool entry_working = false;
    for (const auto& [id, o] : orders_)
      if (!o.terminal && o.role == OrderRole::kEntry) entry_working = true;
    if (!entry_working) {
      bool any = false;
      for (const auto& [id, o] : orders_)
        if (!o.terminal && !o.cancel_sent && (o.role == OrderRole::kTarget || o.role == OrderRole::kStop)) any = true;
      if (any) cancel_working("flat with bracket legs working");
    }
  }
  // Server position against the ledger, once nothing is in flight.
  if (server_position_) {
    const bool differs = *server_position_ != rules_.position().quantity;
    if (differs && !has_pending() && !exiting_) {
      if (!position_mismatch_) {
        position_mismatch_ = true;
        position_mismatch_since_ = now;
      } else if (now - position_mismatch_since_ > L.order_ack_timeout) {
        position_mismatch_ = false;
        halt(fmt::format("Position mismatch: the server reports {} but the journal's fills give {}", *server_position_,
                         rules_.position().quantity),
             now);
      }
    } else {
      position_mismatch_ = false;
    }
  }
  // Stale feed inside the window.
  if (trade_date_ != 0 && !paused_) {
    const auto [ws, we] = window_.window(trade_date_);
    if (now >= ws && now < we && now - last_trade_time_ > L.stale_feed) {
      paused_ = true;
      record(RecordKind::kPause, now,
             fmt::format("Stale feed: no trade for {:.0f} s inside the window; flattening and pausing entries",
                         std::chrono::duration<double>(now - last_trade_time_).count()));
      if (!rules_.position().is_flat() || has_working_orders()) begin_exit(exec::ExitReason::kRisk, "stale feed", now);
    }
  }
}

void Engine::fault(const std::string& text, core::Timestamp now) {
  record(RecordKind::kFault, now, text);
  // When in doubt, flatten.
  if (!rules_.position().is_flat() || has_working_orders()) begin_exit(exec::ExitReason::kRisk, text, now);
}

void Engine::halt(const std::string& why, core::Timestamp now) {
  if (!halted_) {
    halted_ = true;
    halt_reason_ = why;
    record(RecordKind::kHalt, now, fmt::format("Halt: {}", why));
  }
  exiting_ = false;  // restart the flatten with whatever is known now
  begin_exit(exec::ExitReason::kRisk, why, now);
}

void Engine::restore_bracket(core::Timestamp now) {
  if (rules_.position().is_flat()) return;
  SubmitOco o;
  o.target_id = new_order_id();
  o.stop_id = new_order_id();
  o.position_side = rules_.position().side();
  o.quantity = rules_.position().abs_quantity();
  o.target = rules_.bracket().target;
  o.stop = rules_.bracket().stop;
  const exec::OrderSide close = exec::closing_order(o.position_side);
  orders_[o.target_id] = OrderInfo{OrderRole::kTarget, close, o.quantity, {}, false, false, false, now, exec::ExitReason::kTarget};
  own_ids_.insert(o.target_id);
  orders_[o.stop_id] = OrderInfo{OrderRole::kStop, close, o.quantity, {}, false, false, false, now, exec::ExitReason::kStop};
  own_ids_.insert(o.stop_id);
  target_id_ = o.target_id;
  stop_id_ = o.stop_id;
  legs_acknowledged_ = false;
  position_opened_at_ = now;
  ++orders_sent_;
  record(RecordKind::kInfo, now,
         fmt::format("Bracket restored target={} stop={}", settings_.instrument.to_price(o.target),
                     settings_.instrument.to_price(o.stop)));
  commands_.emplace_back(std::move(o));
}

void Engine::stop_trading(const std::string& why, bool flatten, core::Timestamp now) {
  if (!stopped_) {
    stopped_ = true;
    record(RecordKind::kInfo, now, fmt::format("Stopping: {}", why));
  }
  if (flatten) begin_exit(exec::ExitReason::kAction, why, now);
}

void Engine::kill(const std::string& why, core::Timestamp now) {
  if (!killed_) {
    killed_ = true;
    record(RecordKind::kKill, now, fmt::format("Kill switch: {}", why));
  }
  begin_exit(exec::ExitReason::kRisk, why, now);
}

void Engine::on_disconnected(core::Timestamp now) {
  record(RecordKind::kFault, now, "Disconnected from the server: orders wait for the reconnection");
}

void Engine::on_reconnected(core::Timestamp now) {
  record(RecordKind::kInfo, now, "Reconnected: re-synchronising orders and positions");
  server_position_.reset();
}

void Engine::record(RecordKind kind, core::Timestamp t, std::string text, std::string payload) {
  records_.push_back(Record{kind, t, trade_date_, std::move(text), std::move(payload)});
}

}  // namespace daytrader::live
