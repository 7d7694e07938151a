#include "sim/exchange.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "dtc/codec.h"

namespace daytrader::sim {

namespace {

using dtc::OrderStatus;
using dtc::OrderType;
using dtc::OrderUpdateReason;

exec::OrderSide to_side(dtc::BuySell s) {
  return s == dtc::BuySell::kSell ? exec::OrderSide::kSell : exec::OrderSide::kBuy;
}
dtc::BuySell to_wire(exec::OrderSide s) {
  return s == exec::OrderSide::kSell ? dtc::BuySell::kSell : dtc::BuySell::kBuy;
}

bool is_working(OrderStatus s) {
  return s == OrderStatus::kOpen || s == OrderStatus::kPendingChild;
}

std::int64_t unix_s(core::Timestamp t) {
  return core::to_unix_ns(t) / 1'000'000'000;
}
std::int64_t unix_ms(core::Timestamp t) {
  return core::to_unix_ns(t) / 1'000'000;
}
double unix_s_fraction(core::Timestamp t) {
  return static_cast<double>(core::to_unix_ns(t) / 1000) / 1e6;
}

std::string_view type_name(OrderType t) {
  switch (t) {
    case OrderType::kMarket:
      return "MARKET";
    case OrderType::kLimit:
      return "LIMIT";
    case OrderType::kStop:
      return "STOP";
    case OrderType::kStopLimit:
      return "STOP_LIMIT";
    case OrderType::kMarketIfTouched:
      return "MARKET_IF_TOUCHED";
    case OrderType::kLimitIfTouched:
      return "LIMIT_IF_TOUCHED";
    case OrderType::kMarketLimit:
      return "MARKET_LIMIT";
    case OrderType::kUnset:
      return "UNSET";
  }
  return "UNKNOWN";
}

std::string_view status_name(OrderStatus s) {
  switch (s) {
    case OrderStatus::kOpen:
      return "OPEN";
    case OrderStatus::kPendingChild:
      return "PENDING_CHILD";
    case OrderStatus::kFilled:
      return "FILLED";
    case OrderStatus::kCanceled:
      return "CANCELED";
    case OrderStatus::kRejected:
      return "REJECTED";
    default:
      return "OTHER";
  }
}

}  // namespace

core::Result<FillMode> parse_fill_mode(std::string_view text) {
  if (text == "tick") return FillMode::kTick;
  if (text == "bar") return FillMode::kBar;
  return core::Error{fmt::format("--fills \"{}\" is not tick or bar", text)};
}

std::string_view to_string(FillMode m) noexcept {
  return m == FillMode::kBar ? "bar" : "tick";
}

Exchange::Exchange(ExchangeConfig config) : config_(std::move(config)), bar_model_(config_.slippage_ticks, config_.fill_rule) {}

core::Cents Exchange::balance_cents() const noexcept {
  return config_.account.starting_balance_cents + realized_gross_cents_ - commission_cents_;
}

std::size_t Exchange::working_orders() const noexcept {
  return live_.size();
}

// --- market ---------------------------------------------------------------------------------

void Exchange::on_quote(core::Ticks bid, core::Ticks ask, core::Timestamp t,
                        std::vector<std::uint8_t>& /*out*/) {
  now_ = t;
  bid_ = bid;
  ask_ = ask;
}

void Exchange::set_market(std::optional<core::Ticks> bid, std::optional<core::Ticks> ask,
                          std::optional<core::Ticks> last, core::Timestamp t) {
  now_ = std::max(now_, t);
  bid_ = bid;
  ask_ = ask;
  last_ = last;
}

void Exchange::on_trade(core::Ticks price, core::Timestamp t, std::vector<std::uint8_t>& out) {
  now_ = t;
  last_ = price;
  ++trades_seen_;
  if (live_.empty()) return;
  if (config_.fills == FillMode::kBar) {
    on_trade_bar_mode(price, out);
    return;
  }
  // Snapshot the working orders: a fill can cancel a sibling or activate children.
  std::vector<std::uint64_t> working;
  for (const std::uint64_t seq : live_)
    if (orders_.at(seq).status == OrderStatus::kOpen) working.push_back(seq);
  for (const std::uint64_t seq : working) {
    auto it = orders_.find(seq);
    if (it == orders_.end() || it->second.status != OrderStatus::kOpen) continue;
    Order& o = it->second;
    const bool buy = o.side == exec::OrderSide::kBuy;
    if (o.type == OrderType::kLimit) {
      if (buy ? price < o.price : price > o.price) fill(o, o.price, out);
    } else if (o.type == OrderType::kStop) {
      if (buy ? price >= o.price : price <= o.price) fill(o, touch(o.side).value_or(price), out);
    }
  }
}

void Exchange::on_trade_bar_mode(core::Ticks price, std::vector<std::uint8_t>& out) {
  // Market orders waiting for this trade fill first (their children start working at it).
  std::vector<std::uint64_t> markets;
  for (const std::uint64_t seq : live_)
    if (const Order& o = orders_.at(seq); o.status == OrderStatus::kOpen && o.type == OrderType::kMarket)
      markets.push_back(seq);
  for (const std::uint64_t seq : markets)
    if (Order& o = orders_.at(seq); o.status == OrderStatus::kOpen)
      fill(o, bar_model_.market_fill(o.side, price), out);
  // Then every working limit and stop sees the trade in its bar.
  for (const std::uint64_t seq : live_) {
    Order& o = orders_.at(seq);
    if (o.status != OrderStatus::kOpen || (o.type != OrderType::kLimit && o.type != OrderType::kStop))
      continue;
    if (!o.bar) {
      o.bar = exec::BarPrices{price, price, price, price};
      o.bar_first_trade = trades_seen_;
    } else {
      o.bar->high = std::max(o.bar->high, price);
      o.bar->low = std::min(o.bar->low, price);
      o.bar->close = price;
    }
  }
}

std::optional<core::Ticks> Exchange::lone_bar_fill(const Order& o) const {
  const exec::BarPrices& b = *o.bar;
  const bool buy = o.side == exec::OrderSide::kBuy;
  if (o.type == OrderType::kLimit) {
    // By the fill rule, at the limit (a gap through it gets no price improvement).
    if (bar_model_.limit_fills(o.side, o.price, b)) return o.price;
    return std::nullopt;
  }
  if (buy ? b.open >= o.price : b.open <= o.price) return bar_model_.market_fill(o.side, b.open);
  if (buy ? b.high >= o.price : b.low <= o.price) return bar_model_.market_fill(o.side, o.price);
  return std::nullopt;
}

void Exchange::on_bar_close(core::Timestamp bar_end, std::vector<std::uint8_t>& out) {
  if (config_.fills != FillMode::kBar) return;
  now_ = std::max(now_, bar_end);
  std::vector<std::uint64_t> checked;
  for (const std::uint64_t seq : live_)
    if (const Order& o = orders_.at(seq); o.status == OrderStatus::kOpen && o.bar) checked.push_back(seq);
  for (const std::uint64_t seq : checked) {
    Order& o = orders_.at(seq);
    if (o.status != OrderStatus::kOpen || !o.bar) continue;  // filled or canceled by a sibling
    Order* s = o.sibling_id.empty() ? nullptr : find(o.sibling_id);
    if (s != nullptr && (s->status != OrderStatus::kOpen || !s->bar)) s = nullptr;
    // A target + stop pair on one side, the limit beyond the stop: the environment's bracket.
    Order* limit = o.type == OrderType::kLimit ? &o : s;
    Order* stop = o.type == OrderType::kStop ? &o : s;
    const bool pair =
        s != nullptr && limit != nullptr && stop != nullptr && limit != stop &&
        limit->type == OrderType::kLimit && stop->type == OrderType::kStop && limit->side == stop->side &&
        (limit->side == exec::OrderSide::kSell ? limit->price > stop->price : limit->price < stop->price);
    if (pair) {
      // The pair's bar: both legs normally started at the same trade; else the older one's open.
      const Order& first = limit->bar_first_trade <= stop->bar_first_trade ? *limit : *stop;
      exec::BarPrices bar = *first.bar;
      bar.high = std::max(limit->bar->high, stop->bar->high);
      bar.low = std::min(limit->bar->low, stop->bar->low);
      const exec::Bracket bracket{
          limit->side == exec::OrderSide::kSell ? exec::Side::kLong : exec::Side::kShort, limit->price,
          stop->price};
      if (const auto f = bar_model_.check_bracket(bracket, bar))
        fill(f->reason == exec::ExitReason::kTarget ? *limit : *stop, f->price, out);
      continue;
    }
    if (const auto price = lone_bar_fill(o)) fill(o, *price, out);
  }
  // The next bar starts with the next trade.
  for (const std::uint64_t seq : live_) orders_.at(seq).bar.reset();
}

std::optional<core::Ticks> Exchange::touch(exec::OrderSide side) const {
  const auto& quote = side == exec::OrderSide::kBuy ? ask_ : bid_;
  return quote ? quote : last_;
}

// --- validation -------------------------------------------------------------------------------

std::optional<std::string> Exchange::check_symbol_account(std::string_view symbol,
                                                          std::string_view account) const {
  if (symbol != config_.symbol)
    return fmt::format("unknown symbol \"{}\"; this server trades {}", symbol, config_.symbol);
  if (!account.empty() && account != config_.trade_account)
    return fmt::format("unknown trade account \"{}\"; use {}", account, config_.trade_account);
  return std::nullopt;
}

std::optional<std::string> Exchange::check_order(std::string_view client_id, OrderType type,
                                                 dtc::BuySell side, double price1, double quantity,
                                                 bool needs_market, core::Ticks& price_out) const {
  if (client_id.empty()) return std::string("ClientOrderID is empty");
  if (used_client_ids_.contains(client_id) || (held_parent_ && held_parent_->client_id == client_id))
    return fmt::format("ClientOrderID \"{}\" was already used in this session", client_id);
  if (side != dtc::BuySell::kBuy && side != dtc::BuySell::kSell)
    return fmt::format("BuySell {} is not BUY (1) or SELL (2)", static_cast<int>(side));
  if (!(quantity >= 1 && quantity <= 10'000 && quantity == std::floor(quantity)))
    return fmt::format("Quantity {} is not a whole number of contracts in 1..10000", quantity);
  if (type == OrderType::kLimit || type == OrderType::kStop) {
    if (!config_.instrument.try_to_ticks(price1, price_out))
      return fmt::format("Price1 {} is not on the {} tick grid", price1, config_.instrument.tick_size);
  } else if (type != OrderType::kMarket) {
    return fmt::format("OrderType {} ({}) is not supported by the simulator (MARKET, LIMIT, STOP)",
                       static_cast<int>(type), type_name(type));
  }
  if (needs_market && type == OrderType::kMarket && !touch(to_side(side)))
    return fmt::format("no market data yet for {}: subscribe before sending market orders", config_.symbol);
  return std::nullopt;
}

// --- orders -----------------------------------------------------------------------------------

Exchange::Order& Exchange::add_order(Order o) {
  o.seq = next_seq_++;
  o.server_id = fmt::format("S{}", o.seq);
  o.received = now_;
  used_client_ids_.insert(o.client_id);
  by_server_id_[o.server_id] = o.seq;
  if (is_working(o.status)) live_.insert(o.seq);
  return orders_.emplace(o.seq, std::move(o)).first->second;
}

void Exchange::set_status(Order& o, OrderStatus status) {
  o.status = status;
  if (is_working(status)) {
    live_.insert(o.seq);
  } else {
    live_.erase(o.seq);
    o.bar.reset();
  }
}

Exchange::Order* Exchange::find(std::string_view server_id) {
  auto it = by_server_id_.find(server_id);
  if (it == by_server_id_.end()) return nullptr;
  return &orders_.at(it->second);
}

void Exchange::reject_new(std::string_view client_id, OrderType type, dtc::BuySell side, double price1,
                          double qty, std::string_view why, std::vector<std::uint8_t>& out) {
  dtc::OrderUpdate u;
  u.total_num_messages = 1;
  u.message_number = 1;
  u.symbol = config_.symbol;
  u.exchange = config_.exchange;
  u.client_order_id = client_id;
  u.order_status = OrderStatus::kRejected;
  u.order_update_reason = OrderUpdateReason::kNewOrderRejected;
  u.order_type = type;
  u.buy_sell = side;
  if (type != OrderType::kMarket) u.price1 = price1;
  u.order_quantity = qty;
  u.trade_account = config_.trade_account;
  u.info_text = why;
  u.latest_transaction_date_time = unix_s_fraction(now_);
  dtc::encode_into(u, out);
}

void Exchange::held_parent_expired(std::vector<std::uint8_t>& out) {
  if (!held_parent_) return;
  const Order p = *held_parent_;
  held_parent_.reset();
  reject_new(p.client_id, p.type, to_wire(p.side), config_.instrument.to_price(p.price), p.quantity,
             "bracket parent was not followed by its SUBMIT_NEW_OCO_ORDER", out);
}

void Exchange::submit_single(const dtc::SubmitNewSingleOrder& m, std::vector<std::uint8_t>& out) {
  held_parent_expired(out);
  core::Ticks price;
  auto why = check_symbol_account(m.symbol.view(), m.trade_account.view());
  if (!why)
    why = check_order(m.client_order_id.view(), m.order_type, m.buy_sell, m.price1, m.quantity, true, price);
  if (why) {
    reject_new(m.client_order_id.view(), m.order_type, m.buy_sell, m.price1, m.quantity, *why, out);
    return;
  }
  Order o;
  o.client_id = m.client_order_id.str();
  o.free_text = m.free_form_text.str();
  o.type = m.order_type;
  o.side = to_side(m.buy_sell);
  o.price = price;
  o.quantity = static_cast<core::Contracts>(m.quantity);
  o.tif = m.time_in_force;
  if (m.is_parent_order != 0) {
    o.received = now_;
    held_parent_ = std::move(o);
    return;
  }
  Order& added = add_order(std::move(o));
  dtc::encode_into(update_of(added, OrderUpdateReason::kNewOrderAccepted), out);
  try_execute(added, out);
}

void Exchange::submit_oco(const dtc::SubmitNewOcoOrder& m, std::vector<std::uint8_t>& out) {
  const bool bracket = !m.parent_trigger_client_order_id.empty();
  std::optional<Order> parent;
  if (bracket) {
    if (held_parent_ && held_parent_->client_id == m.parent_trigger_client_order_id.view()) {
      parent = std::move(held_parent_);
      held_parent_.reset();
    }
  } else {
    held_parent_expired(out);
  }
  const bool offsets = bracket && m.use_offsets != 0;
  core::Ticks p1, p2;
  auto why = check_symbol_account(m.symbol.view(), m.trade_account.view());
  if (!why && bracket && !parent)
    why = fmt::format("ParentTriggerClientOrderID \"{}\" does not name a parent order sent just before",
                      m.parent_trigger_client_order_id.view());
  if (!why && m.client_order_id_1 == m.client_order_id_2)
    why = std::string("the two legs have the same ClientOrderID");
  if (!why)
    why = check_order(m.client_order_id_1.view(), m.order_type_1, m.buy_sell_1, offsets ? 0.0 : m.price1_1,
                      m.quantity_1, !bracket, p1);
  if (!why)
    why = check_order(m.client_order_id_2.view(), m.order_type_2, m.buy_sell_2, offsets ? 0.0 : m.price1_2,
                      m.quantity_2, !bracket, p2);
  if (!why && bracket && (m.order_type_1 == OrderType::kMarket || m.order_type_2 == OrderType::kMarket))
    why = std::string("bracket children must be LIMIT or STOP orders");
  if (!why && offsets && !(m.offset_from_parent1 > 0 && m.offset_from_parent2 > 0))
    why = std::string("UseOffsets = 1 needs positive OffsetFromParent1 and OffsetFromParent2");
  if (why) {
    if (parent)
      reject_new(parent->client_id, parent->type, to_wire(parent->side),
                 config_.instrument.to_price(parent->price), parent->quantity, *why, out);
    reject_new(m.client_order_id_1.view(), m.order_type_1, m.buy_sell_1, m.price1_1, m.quantity_1, *why, out);
    reject_new(m.client_order_id_2.view(), m.order_type_2, m.buy_sell_2, m.price1_2, m.quantity_2, *why, out);
    return;
  }
  std::string parent_id;
  if (parent) {
    Order& added = add_order(std::move(*parent));
    parent_id = added.server_id;
    dtc::encode_into(update_of(added, OrderUpdateReason::kNewOrderAccepted), out);
  }
  const auto leg = [&](const dtc::FixedString<32>& id, OrderType type, dtc::BuySell side, core::Ticks price,
                       double qty, double offset) {
    Order o;
    o.client_id = id.str();
    o.free_text = m.free_form_text.str();
    o.type = type;
    o.side = to_side(side);
    o.price = price;
    o.quantity = static_cast<core::Contracts>(qty);
    o.tif = m.time_in_force;
    o.parent_id = parent_id;
    o.is_bracket_child = bracket;
    o.has_offset = offsets;
    o.offset_points = offset;
    o.status = bracket ? OrderStatus::kPendingChild : OrderStatus::kOpen;
    return add_order(std::move(o)).seq;
  };
  const std::uint64_t s1 =
      leg(m.client_order_id_1, m.order_type_1, m.buy_sell_1, p1, m.quantity_1, m.offset_from_parent1);
  const std::uint64_t s2 =
      leg(m.client_order_id_2, m.order_type_2, m.buy_sell_2, p2, m.quantity_2, m.offset_from_parent2);
  Order& a = orders_.at(s1);
  Order& b = orders_.at(s2);
  a.sibling_id = b.server_id;
  b.sibling_id = a.server_id;
  dtc::encode_into(update_of(a, OrderUpdateReason::kNewOrderAccepted), out);
  dtc::encode_into(update_of(b, OrderUpdateReason::kNewOrderAccepted), out);
  if (bracket) {
    try_execute(orders_.at(by_server_id_.at(parent_id)), out);
  } else {
    try_execute(orders_.at(s1), out);
    if (orders_.at(s2).status == OrderStatus::kOpen) try_execute(orders_.at(s2), out);
  }
}

void Exchange::try_execute(Order& o, std::vector<std::uint8_t>& out) {
  if (o.status != OrderStatus::kOpen) return;
  if (config_.fills == FillMode::kBar) return;  // the next trade (market) or the bar close
  const bool buy = o.side == exec::OrderSide::kBuy;
  const auto at = touch(o.side);
  switch (o.type) {
    case OrderType::kMarket:
      if (at) fill(o, *at, out);
      return;
    case OrderType::kLimit: {
      const auto& quote = buy ? ask_ : bid_;
      if (quote && (buy ? *quote <= o.price : *quote >= o.price)) fill(o, *quote, out);
      return;
    }
    case OrderType::kStop:
      if (last_ && (buy ? *last_ >= o.price : *last_ <= o.price)) fill(o, at.value_or(*last_), out);
      return;
    default:
      return;
  }
}

void Exchange::fill(Order& o, core::Ticks price, std::vector<std::uint8_t>& out) {
  o.filled = o.quantity;
  o.fill_price = price;
  set_status(o, OrderStatus::kFilled);
  o.last_fill_time = now_;
  o.last_exec_id = fmt::format("E{}", next_exec_++);
  apply_fill(o.side, o.quantity, price);
  fills_.push_back(Fill{o.server_id, o.side, price, o.quantity, now_, o.last_exec_id, position_});
  dtc::encode_into(update_of(o, OrderUpdateReason::kOrderFilled), out);
  // Copy what is needed: cancel_order/activate_children may rehash nothing, but keep it simple.
  const std::string sibling = o.sibling_id;
  const Order filled = o;
  if (!sibling.empty())
    if (Order* s = find(sibling); s != nullptr && is_working(s->status)) cancel_order(*s, out);
  activate_children(filled, out);
  dtc::encode_into(position_update(), out);
  dtc::encode_into(balance_update(), out);
}

void Exchange::activate_children(const Order& parent, std::vector<std::uint8_t>& out) {
  std::vector<std::uint64_t> children;
  for (const std::uint64_t seq : live_)
    if (const Order& o = orders_.at(seq);
        o.parent_id == parent.server_id && o.status == OrderStatus::kPendingChild)
      children.push_back(seq);
  for (const std::uint64_t seq : children) {
    Order& c = orders_.at(seq);
    if (c.has_offset) {
      // A positive distance from the fill, in the direction of each child's purpose.
      core::Ticks off;
      (void)config_.instrument.try_to_ticks(c.offset_points, off);
      const bool above = (c.type == OrderType::kLimit) == (c.side == exec::OrderSide::kSell);
      c.price = above ? parent.fill_price + off : parent.fill_price - off;
    }
    set_status(c, OrderStatus::kOpen);
    dtc::encode_into(update_of(c, OrderUpdateReason::kGeneralOrderUpdate), out);
  }
  for (const std::uint64_t seq : children) try_execute(orders_.at(seq), out);
}

void Exchange::cancel_order(Order& o, std::vector<std::uint8_t>& out) {
  set_status(o, OrderStatus::kCanceled);
  dtc::encode_into(update_of(o, OrderUpdateReason::kOrderCanceled), out);
  // An unfilled parent takes its children with it.
  std::vector<std::uint64_t> children;
  for (const std::uint64_t seq : live_)
    if (const Order& c = orders_.at(seq); !o.server_id.empty() && c.parent_id == o.server_id)
      children.push_back(seq);
  for (const std::uint64_t seq : children) {
    Order& c = orders_.at(seq);
    set_status(c, OrderStatus::kCanceled);
    dtc::encode_into(update_of(c, OrderUpdateReason::kOrderCanceled), out);
  }
}

void Exchange::cancel(const dtc::CancelOrder& m, std::vector<std::uint8_t>& out) {
  held_parent_expired(out);
  Order* o = find(m.server_order_id.view());
  if (o == nullptr || !is_working(o->status)) {
    dtc::OrderUpdate u;
    if (o != nullptr) u = update_of(*o, OrderUpdateReason::kOrderCancelRejected);
    u.total_num_messages = u.message_number = 1;
    u.order_update_reason = OrderUpdateReason::kOrderCancelRejected;
    u.server_order_id = m.server_order_id;
    u.client_order_id = m.client_order_id;
    u.info_text = o == nullptr ? fmt::format("unknown ServerOrderID \"{}\"", m.server_order_id.view())
                               : fmt::format("order {} is {} and cannot be canceled", o->server_id,
                                             status_name(o->status));
    dtc::encode_into(u, out);
    return;
  }
  const std::string sibling = o->is_bracket_child ? std::string() : o->sibling_id;
  cancel_order(*o, out);
  if (!sibling.empty())
    if (Order* s = find(sibling); s != nullptr && is_working(s->status)) cancel_order(*s, out);
}

void Exchange::cancel_replace(const dtc::CancelReplaceOrder& m, std::vector<std::uint8_t>& out) {
  held_parent_expired(out);
  Order* o = find(m.server_order_id.view());
  std::optional<std::string> why;
  core::Ticks price;
  if (o == nullptr)
    why = fmt::format("unknown ServerOrderID \"{}\"", m.server_order_id.view());
  else if (!is_working(o->status))
    why = fmt::format("order {} is {}", o->server_id, status_name(o->status));
  else if (m.client_order_id.view() != o->client_id)
    why = fmt::format("ClientOrderID \"{}\" differs from the order's \"{}\"", m.client_order_id.view(),
                      o->client_id);
  else if (m.price1_is_set != 0 && o->type != OrderType::kMarket &&
           !config_.instrument.try_to_ticks(m.price1, price))
    why = fmt::format("Price1 {} is not on the {} tick grid", m.price1, config_.instrument.tick_size);
  else if (m.quantity != 0 && !(m.quantity >= 1 && m.quantity == std::floor(m.quantity)))
    why = fmt::format("Quantity {} is not a whole number of contracts", m.quantity);
  if (why) {
    dtc::OrderUpdate u;
    if (o != nullptr) u = update_of(*o, OrderUpdateReason::kOrderCancelReplaceRejected);
    u.total_num_messages = u.message_number = 1;
    u.order_update_reason = OrderUpdateReason::kOrderCancelReplaceRejected;
    u.server_order_id = m.server_order_id;
    u.client_order_id = m.client_order_id;
    u.info_text = *why;
    dtc::encode_into(u, out);
    return;
  }
  if (m.price1_is_set != 0 && o->type != OrderType::kMarket) {
    o->price = price;
    o->has_offset = false;
    o->bar.reset();  // kBar: the new price works from the next trade
  }
  if (m.quantity != 0) o->quantity = static_cast<core::Contracts>(m.quantity);
  dtc::encode_into(update_of(*o, OrderUpdateReason::kOrderCancelReplaceComplete), out);
  try_execute(*o, out);
}

void Exchange::flatten(const dtc::SubmitFlattenPositionOrder& m, std::vector<std::uint8_t>& out) {
  held_parent_expired(out);
  const dtc::BuySell side = position_ > 0 ? dtc::BuySell::kSell : dtc::BuySell::kBuy;
  const double qty = std::abs(static_cast<double>(position_));
  core::Ticks unused;
  auto why = check_symbol_account(m.symbol.view(), m.trade_account.view());
  if (!why && position_ == 0) why = fmt::format("no position in {} to flatten", config_.symbol);
  if (!why) why = check_order(m.client_order_id.view(), OrderType::kMarket, side, 0, qty, true, unused);
  if (why) {
    reject_new(m.client_order_id.view(), OrderType::kMarket, side, 0, qty, *why, out);
    return;
  }
  Order o;
  o.client_id = m.client_order_id.str();
  o.free_text = m.free_form_text.str();
  o.type = OrderType::kMarket;
  o.side = to_side(side);
  o.quantity = static_cast<core::Contracts>(qty);
  Order& added = add_order(std::move(o));
  dtc::encode_into(update_of(added, OrderUpdateReason::kNewOrderAccepted), out);
  try_execute(added, out);
}

// --- ledger -----------------------------------------------------------------------------------

void Exchange::apply_fill(exec::OrderSide side, core::Contracts qty, core::Ticks price) {
  commission_cents_ += config_.account.commission_per_side_cents * qty;
  const core::Contracts s = side == exec::OrderSide::kBuy ? 1 : -1;
  core::Contracts remaining = qty;
  while (remaining > 0 && position_ != 0 && (position_ > 0) != (s > 0)) {
    Lot& lot = lots_.front();
    const core::Contracts q = std::min(lot.quantity, remaining);
    const std::int64_t dir = position_ > 0 ? 1 : -1;
    realized_gross_cents_ += (price - lot.price).count() * dir * q * config_.account.tick_value_cents;
    lot.quantity -= q;
    if (lot.quantity == 0) lots_.pop_front();
    position_ += s * q;
    remaining -= q;
  }
  if (remaining > 0) {
    if (position_ == 0) position_entry_time_ = now_;
    lots_.push_back(Lot{price, remaining});
    position_ += s * remaining;
  }
}

double Exchange::average_price_points() const {
  if (position_ == 0) return 0;
  std::int64_t sum = 0;
  std::int64_t n = 0;
  for (const Lot& l : lots_) {
    sum += l.price.count() * l.quantity;
    n += l.quantity;
  }
  return static_cast<double>(sum) / static_cast<double>(n) * config_.instrument.tick_size;
}

core::Cents Exchange::open_pnl_cents() const {
  if (position_ == 0 || !last_) return 0;
  const std::int64_t dir = position_ > 0 ? 1 : -1;
  core::Cents pnl = 0;
  for (const Lot& l : lots_)
    pnl += (*last_ - l.price).count() * dir * l.quantity * config_.account.tick_value_cents;
  return pnl;
}

// --- messages -----------------------------------------------------------------------------------

dtc::OrderUpdate Exchange::update_of(const Order& o, OrderUpdateReason reason) const {
  const double tick = config_.instrument.tick_size;
  dtc::OrderUpdate u;
  u.total_num_messages = 1;
  u.message_number = 1;
  u.symbol = config_.symbol;
  u.exchange = config_.exchange;
  u.server_order_id = o.server_id;
  u.client_order_id = o.client_id;
  u.order_status = o.status;
  u.order_update_reason = reason;
  u.order_type = o.type;
  u.buy_sell = to_wire(o.side);
  if (o.type != OrderType::kMarket && !(o.has_offset && o.status == OrderStatus::kPendingChild))
    u.price1 = static_cast<double>(o.price.count()) * tick;
  u.time_in_force = o.tif;
  u.order_quantity = o.quantity;
  u.filled_quantity = o.filled;
  u.remaining_quantity =
      o.status == OrderStatus::kFilled || o.status == OrderStatus::kCanceled ? 0 : o.quantity - o.filled;
  if (o.filled > 0) {
    u.average_fill_price = static_cast<double>(o.fill_price.count()) * tick;
    if (reason == OrderUpdateReason::kOrderFilled) {
      u.last_fill_price = u.average_fill_price;
      u.last_fill_quantity = o.filled;
      u.last_fill_date_time = unix_ms(o.last_fill_time);
      u.last_fill_execution_id = o.last_exec_id;
    }
  }
  u.trade_account = config_.trade_account;
  u.parent_server_order_id = o.parent_id;
  u.oco_linked_order_server_order_id = o.sibling_id;
  u.free_form_text = o.free_text;
  u.order_received_date_time = unix_s(o.received);
  u.latest_transaction_date_time = unix_s_fraction(now_);
  return u;
}

dtc::PositionUpdate Exchange::position_update() const {
  dtc::PositionUpdate p;
  p.total_number_messages = 1;
  p.message_number = 1;
  p.symbol = config_.symbol;
  p.exchange = config_.exchange;
  p.quantity = position_;
  p.average_price = average_price_points();
  p.trade_account = config_.trade_account;
  p.unsolicited = 1;
  if (position_ != 0) p.entry_date_time = static_cast<std::uint32_t>(unix_s(position_entry_time_));
  p.open_profit_loss = static_cast<double>(open_pnl_cents()) / 100.0;
  return p;
}

dtc::AccountBalanceUpdate Exchange::balance_update() const {
  dtc::AccountBalanceUpdate b;
  const core::Cents balance = balance_cents();
  const core::Cents open = open_pnl_cents();
  b.cash_balance = static_cast<double>(balance) / 100.0;
  b.balance_available_for_new_positions = b.cash_balance;
  b.account_currency = config_.currency;
  b.trade_account = config_.trade_account;
  b.securities_value = static_cast<double>(balance + open) / 100.0;
  b.total_number_messages = 1;
  b.message_number = 1;
  b.unsolicited = 1;
  b.open_positions_profit_loss = static_cast<double>(open) / 100.0;
  b.daily_profit_loss = static_cast<double>(realized_gross_cents_ - commission_cents_) / 100.0;
  b.transaction_date_time = core::to_unix_ns(now_) / 1000;
  return b;
}

void Exchange::historical_fills(const dtc::HistoricalOrderFillsRequest& m,
                                std::vector<std::uint8_t>& out) const {
  if (!m.trade_account.empty() && m.trade_account.view() != config_.trade_account) {
    dtc::HistoricalOrderFillsReject r;
    r.request_id = m.request_id;
    r.reject_text =
        fmt::format("unknown trade account \"{}\"; use {}", m.trade_account.view(), config_.trade_account);
    dtc::encode_into(r, out);
    return;
  }
  // §7.12: StartDateTime (Unix s) when set, else NumberOfDays back from the replay's clock,
  // both 0 = every fill.
  std::int64_t since_s = std::numeric_limits<std::int64_t>::min();
  if (m.start_date_time != 0)
    since_s = m.start_date_time;
  else if (m.number_of_days > 0)
    since_s = unix_s(now_) - static_cast<std::int64_t>(m.number_of_days) * 86'400;
  std::vector<const Fill*> selected;
  for (const Fill& f : fills_)
    if ((m.server_order_id.empty() || f.server_id == m.server_order_id.view()) && unix_s(f.time) >= since_s)
      selected.push_back(&f);
  if (selected.empty()) {
    dtc::HistoricalOrderFillResponse r;
    r.request_id = m.request_id;
    r.total_number_messages = r.message_number = 1;
    r.no_order_fills = 1;
    dtc::encode_into(r, out);
  }
  for (std::size_t k = 0; k < selected.size(); ++k) {
    const Fill& f = *selected[k];
    dtc::HistoricalOrderFillResponse r;
    r.request_id = m.request_id;
    r.total_number_messages = static_cast<std::int32_t>(selected.size());
    r.message_number = static_cast<std::int32_t>(k + 1);
    r.symbol = config_.symbol;
    r.exchange = config_.exchange;
    r.server_order_id = f.server_id;
    r.buy_sell = to_wire(f.side);
    r.price = config_.instrument.to_price(f.price);
    r.date_time = unix_s(f.time);
    r.quantity = f.quantity;
    r.unique_execution_id = f.exec_id;
    r.trade_account = config_.trade_account;
    r.position_quantity = f.position_after;
    dtc::encode_into(r, out);
  }
}

bool Exchange::on_message(const dtc::Message& message, core::Timestamp t, std::vector<std::uint8_t>& out) {
  now_ = std::max(now_, t);
  if (const auto* m1 = std::get_if<dtc::SubmitNewSingleOrder>(&message)) {
    submit_single(*m1, out);
  } else if (const auto* m2 = std::get_if<dtc::SubmitNewOcoOrder>(&message)) {
    submit_oco(*m2, out);
  } else if (const auto* m3 = std::get_if<dtc::CancelOrder>(&message)) {
    cancel(*m3, out);
  } else if (const auto* m4 = std::get_if<dtc::CancelReplaceOrder>(&message)) {
    cancel_replace(*m4, out);
  } else if (const auto* m5 = std::get_if<dtc::SubmitFlattenPositionOrder>(&message)) {
    flatten(*m5, out);
  } else if (const auto* m6 = std::get_if<dtc::TradeAccountsRequest>(&message)) {
    dtc::TradeAccountResponse r;
    r.total_number_messages = 1;
    r.message_number = 1;
    r.trade_account = config_.trade_account;
    r.request_id = m6->request_id;
    dtc::encode_into(r, out);
  } else if (const auto* m7 = std::get_if<dtc::OpenOrdersRequest>(&message)) {
    std::vector<const Order*> open;
    for (const auto& [seq, o] : orders_)
      if (is_working(o.status) && (m7->request_all_orders != 0 || o.server_id == m7->server_order_id.view()))
        open.push_back(&o);
    if (open.empty()) {
      dtc::OrderUpdate u;
      u.request_id = m7->request_id;
      u.total_num_messages = 1;
      u.message_number = 1;
      u.order_update_reason = OrderUpdateReason::kOpenOrdersRequestResponse;
      u.no_orders = 1;
      dtc::encode_into(u, out);
    }
    for (std::size_t k = 0; k < open.size(); ++k) {
      auto u = update_of(*open[k], OrderUpdateReason::kOpenOrdersRequestResponse);
      u.request_id = m7->request_id;
      u.total_num_messages = static_cast<std::int32_t>(open.size());
      u.message_number = static_cast<std::int32_t>(k + 1);
      dtc::encode_into(u, out);
    }
  } else if (const auto* m8 = std::get_if<dtc::CurrentPositionsRequest>(&message)) {
    dtc::PositionUpdate p;
    if (position_ != 0) {
      p = position_update();
    } else {
      p.no_positions = 1;
      p.total_number_messages = 1;
      p.message_number = 1;
    }
    p.request_id = m8->request_id;
    p.unsolicited = 0;
    dtc::encode_into(p, out);
  } else if (const auto* m9 = std::get_if<dtc::AccountBalanceRequest>(&message)) {
    if (!m9->trade_account.empty() && m9->trade_account.view() != config_.trade_account) {
      dtc::AccountBalanceReject r;
      r.request_id = m9->request_id;
      r.reject_text = fmt::format("unknown trade account \"{}\"", m9->trade_account.view());
      dtc::encode_into(r, out);
    } else {
      auto b = balance_update();
      b.request_id = m9->request_id;
      b.unsolicited = 0;
      dtc::encode_into(b, out);
    }
  } else if (const auto* m10 = std::get_if<dtc::HistoricalOrderFillsRequest>(&message)) {
    historical_fills(*m10, out);
  } else if (const auto* m11 = std::get_if<dtc::SecurityDefinitionForSymbolRequest>(&message)) {
    if (m11->symbol.view() != config_.symbol) {
      dtc::SecurityDefinitionReject r;
      r.request_id = m11->request_id;
      r.reject_text =
          fmt::format("unknown symbol \"{}\"; this server trades {}", m11->symbol.view(), config_.symbol);
      dtc::encode_into(r, out);
    } else {
      dtc::SecurityDefinitionResponse r;
      r.request_id = m11->request_id;
      r.symbol = config_.symbol;
      r.exchange = config_.exchange;
      r.security_type = dtc::SecurityType::kFutures;
      r.min_price_increment = static_cast<float>(config_.instrument.tick_size);
      r.currency_value_per_increment = static_cast<float>(config_.instrument.tick_value_cents) / 100.0F;
      r.is_final_message = 1;
      r.underlying_symbol = config_.instrument.root;
      r.currency = config_.currency;
      r.has_market_depth_data = 0;
      dtc::encode_into(r, out);
    }
  } else {
    return false;
  }
  return true;
}

}  // namespace daytrader::sim
