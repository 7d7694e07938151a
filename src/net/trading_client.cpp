#include "net/trading_client.h"

#include <fmt/format.h>

#include <cmath>
#include <set>

namespace daytrader::net {

namespace {

bool is_set(double x) { return std::isfinite(x) && x != dtc::kUnsetDouble; }

std::int64_t to_qty(double x) { return is_set(x) ? std::llround(x) : 0; }

core::Cents to_cents(double x) { return is_set(x) ? std::llround(x * 100.0) : 0; }

std::int64_t unix_seconds(core::Timestamp t) {
  const std::int64_t ns = core::to_unix_ns(t);
  return ns <= 0 ? 0 : ns / 1'000'000'000;
}

// §2.4 / §6.9: < 1e11 seconds, >= 1e14 microseconds (milliseconds in between).
std::int64_t classify_us(std::int64_t v) {
  if (v < 100'000'000'000LL) return v * 1'000'000;
  if (v < 100'000'000'000'000LL) return v * 1'000;
  return v;
}

dtc::BuySell opposite(dtc::BuySell s) {
  return s == dtc::BuySell::kBuy ? dtc::BuySell::kSell : dtc::BuySell::kBuy;
}

}  // namespace

bool OrderState::is_working() const noexcept {
  switch (status) {
    case dtc::OrderStatus::kOrderSent:
    case dtc::OrderStatus::kPendingOpen:
    case dtc::OrderStatus::kPendingChild:
    case dtc::OrderStatus::kOpen:
    case dtc::OrderStatus::kPendingCancelReplace:
    case dtc::OrderStatus::kPendingCancel:
    case dtc::OrderStatus::kPartiallyFilled:
      return true;
    default:
      return false;
  }
}

bool OrderState::is_terminal() const noexcept {
  return status == dtc::OrderStatus::kFilled || status == dtc::OrderStatus::kCanceled ||
         status == dtc::OrderStatus::kRejected;
}

TradingClient::TradingClient(TradingClientOptions options, ClientListener* listener)
    : options_(std::move(options)), listener_(listener), client_(options_.client, *this) {
  if (options_.order_id_prefix.empty()) {
    const auto s = core::to_unix_ns(std::chrono::system_clock::now()) / 1'000'000;
    options_.order_id_prefix = fmt::format("TC{:x}", s);
  }
}

TradingClient::~TradingClient() { client_.stop(); }

void TradingClient::start() { client_.start(); }
void TradingClient::stop(const std::string& reason) { client_.stop(reason); }

void TradingClient::subscribe_market_data(std::uint32_t symbol_id, const std::string& symbol,
                                          const std::string& exchange) {
  dtc::MarketDataRequest r;
  r.request_action = dtc::RequestAction::kSubscribe;
  r.symbol_id = symbol_id;
  r.symbol = symbol;
  r.exchange = exchange;
  client_.subscribe(r);
}

void TradingClient::unsubscribe_market_data(std::uint32_t symbol_id) { client_.unsubscribe(symbol_id); }

std::string TradingClient::next_order_id() {
  return fmt::format("{}-{}", options_.order_id_prefix, next_order_.fetch_add(1));
}

std::optional<core::Ticks> TradingClient::to_ticks(double price) const {
  core::Ticks t;
  if (!is_set(price) || !options_.instrument.try_to_ticks(price, t)) return std::nullopt;
  return t;
}

std::int32_t TradingClient::request_trade_accounts() {
  const auto id = next_request_id();
  {
    std::lock_guard l(mutex_);
    complete_[id] = false;
  }
  dtc::TradeAccountsRequest r;
  r.request_id = id;
  client_.send(r);
  return id;
}

std::int32_t TradingClient::request_account_balance(const std::string& account) {
  const auto id = next_request_id();
  {
    std::lock_guard l(mutex_);
    complete_[id] = false;
    request_account_[id] = account;
  }
  dtc::AccountBalanceRequest r;
  r.request_id = id;
  r.trade_account = account;
  client_.send(r);
  return id;
}

std::int32_t TradingClient::request_positions(const std::string& account) {
  const auto id = next_request_id();
  {
    std::lock_guard l(mutex_);
    complete_[id] = false;
    request_account_[id] = account;
  }
  dtc::CurrentPositionsRequest r;
  r.request_id = id;
  r.trade_account = account;
  client_.send(r);
  return id;
}

std::int32_t TradingClient::request_fills(const std::string& account, core::Timestamp since) {
  const auto id = next_request_id();
  {
    std::lock_guard l(mutex_);
    fills_[id];
  }
  dtc::HistoricalOrderFillsRequest r;
  r.request_id = id;
  r.trade_account = account;
  r.start_date_time = since == core::Timestamp{} ? 0 : core::to_unix_ns(since) / 1'000'000'000;
  client_.send(r);
  return id;
}

std::vector<TradingClient::FillState> TradingClient::fills(std::int32_t request_id) const {
  std::lock_guard l(mutex_);
  const auto it = fills_.find(request_id);
  return it == fills_.end() ? std::vector<FillState>{} : it->second;
}

bool TradingClient::fills_rejected(std::int32_t request_id) const {
  std::lock_guard l(mutex_);
  const auto it = fills_rejected_.find(request_id);
  return it != fills_rejected_.end() && it->second;
}

std::int32_t TradingClient::request_open_orders(const std::string& account) {
  const auto id = next_request_id();
  {
    std::lock_guard l(mutex_);
    complete_[id] = false;
    request_account_[id] = account;
  }
  dtc::OpenOrdersRequest r;
  r.request_id = id;
  r.request_all_orders = 1;
  r.trade_account = account;
  client_.send(r);
  return id;
}

dtc::SubmitNewSingleOrder TradingClient::single(const std::string& symbol, const std::string& exchange,
                                                const std::string& account, dtc::BuySell side,
                                                std::int64_t quantity, dtc::OrderType type,
                                                std::optional<core::Ticks> price,
                                                const std::string& client_order_id) {
  dtc::SubmitNewSingleOrder o;
  o.symbol = symbol;
  o.exchange = exchange;
  o.trade_account = account;
  o.client_order_id = client_order_id.empty() ? next_order_id() : client_order_id;
  o.order_type = type;
  o.buy_sell = side;
  o.price1 = price ? options_.instrument.to_price(*price) : 0.0;
  o.quantity = static_cast<double>(quantity);
  o.time_in_force = options_.time_in_force;
  o.is_automated_order = options_.automated ? 1 : 0;

  OrderState s;  // ORDER_SENT until the first ORDER_UPDATE
  s.client_order_id = std::string(o.client_order_id.view());
  s.symbol = symbol;
  s.exchange = exchange;
  s.account = account;
  s.type = type;
  s.side = side;
  s.price1 = price;
  s.quantity = quantity;
  s.status = dtc::OrderStatus::kOrderSent;
  {
    std::lock_guard l(mutex_);
    orders_[s.client_order_id] = s;
  }
  return o;
}

std::string TradingClient::submit_market(const std::string& symbol, const std::string& exchange,
                                         const std::string& account, dtc::BuySell side, std::int64_t quantity) {
  auto o = single(symbol, exchange, account, side, quantity, dtc::OrderType::kMarket, std::nullopt);
  std::string id(o.client_order_id.view());
  client_.send(o);
  return id;
}

std::string TradingClient::submit_limit(const std::string& symbol, const std::string& exchange,
                                        const std::string& account, dtc::BuySell side, std::int64_t quantity,
                                        core::Ticks price) {
  auto o = single(symbol, exchange, account, side, quantity, dtc::OrderType::kLimit, price);
  std::string id(o.client_order_id.view());
  client_.send(o);
  return id;
}

std::string TradingClient::submit_stop(const std::string& symbol, const std::string& exchange,
                                       const std::string& account, dtc::BuySell side, std::int64_t quantity,
                                       core::Ticks price) {
  auto o = single(symbol, exchange, account, side, quantity, dtc::OrderType::kStop, price);
  std::string id(o.client_order_id.view());
  client_.send(o);
  return id;
}

dtc::SubmitNewOcoOrder TradingClient::exit_pair(const std::string& symbol, const std::string& exchange,
                                                const std::string& account, dtc::BuySell exit_side,
                                                std::int64_t quantity, std::optional<core::Ticks> target_price,
                                                std::optional<core::Ticks> stop_price, const std::string& target_id,
                                                const std::string& stop_id) {
  // The legs are registered as sent orders (single() records their state), then paired.
  const auto leg1 = single(symbol, exchange, account, exit_side, quantity, dtc::OrderType::kLimit, target_price, target_id);
  const auto leg2 = single(symbol, exchange, account, exit_side, quantity, dtc::OrderType::kStop, stop_price, stop_id);
  dtc::SubmitNewOcoOrder oco;
  oco.symbol = symbol;
  oco.exchange = exchange;
  oco.trade_account = account;
  oco.client_order_id_1 = leg1.client_order_id;
  oco.order_type_1 = dtc::OrderType::kLimit;
  oco.buy_sell_1 = exit_side;
  oco.price1_1 = leg1.price1;
  oco.quantity_1 = static_cast<double>(quantity);
  oco.client_order_id_2 = leg2.client_order_id;
  oco.order_type_2 = dtc::OrderType::kStop;
  oco.buy_sell_2 = exit_side;
  oco.price1_2 = leg2.price1;
  oco.quantity_2 = static_cast<double>(quantity);
  oco.time_in_force = options_.time_in_force;
  oco.is_automated_order = options_.automated ? 1 : 0;
  oco.partial_fill_handling = dtc::PartialFillHandling::kReduceQuantity;
  return oco;
}

BracketIds TradingClient::submit_bracket(const std::string& symbol, const std::string& exchange,
                                         const std::string& account, dtc::BuySell side, std::int64_t quantity,
                                         dtc::OrderType entry_type, core::Ticks entry_price,
                                         core::Ticks target_price, core::Ticks stop_price) {
  const std::optional<core::Ticks> entry =
      entry_type == dtc::OrderType::kMarket ? std::nullopt : std::optional<core::Ticks>(entry_price);
  auto parent = single(symbol, exchange, account, side, quantity, entry_type, entry);
  parent.is_parent_order = 1;
  BracketIds ids;
  ids.parent = std::string(parent.client_order_id.view());
  auto oco = exit_pair(symbol, exchange, account, opposite(side), quantity, target_price, stop_price, {}, {});
  ids.target = std::string(oco.client_order_id_1.view());
  ids.stop = std::string(oco.client_order_id_2.view());
  oco.parent_trigger_client_order_id = ids.parent;
  client_.send(parent);  // back to back, in this order (§7.8)
  client_.send(oco);
  return ids;
}

void TradingClient::submit_market_as(const std::string& client_order_id, const std::string& symbol,
                                     const std::string& exchange, const std::string& account, dtc::BuySell side,
                                     std::int64_t quantity) {
  client_.send(single(symbol, exchange, account, side, quantity, dtc::OrderType::kMarket, std::nullopt, client_order_id));
}

void TradingClient::submit_bracket_offsets_as(const BracketIds& ids, const std::string& symbol,
                                              const std::string& exchange, const std::string& account,
                                              dtc::BuySell side, std::int64_t quantity,
                                              std::int64_t target_offset_ticks, std::int64_t stop_offset_ticks) {
  auto parent = single(symbol, exchange, account, side, quantity, dtc::OrderType::kMarket, std::nullopt, ids.parent);
  parent.is_parent_order = 1;
  auto oco = exit_pair(symbol, exchange, account, opposite(side), quantity, std::nullopt, std::nullopt, ids.target, ids.stop);
  oco.parent_trigger_client_order_id = ids.parent;
  oco.use_offsets = 1;
  oco.offset_from_parent1 = options_.instrument.to_price(core::Ticks(target_offset_ticks));
  oco.offset_from_parent2 = options_.instrument.to_price(core::Ticks(stop_offset_ticks));
  client_.send(parent);  // back to back, in this order (§7.8)
  client_.send(oco);
}

void TradingClient::submit_oco_as(const std::string& target_id, const std::string& stop_id, const std::string& symbol,
                                  const std::string& exchange, const std::string& account, dtc::BuySell exit_side,
                                  std::int64_t quantity, core::Ticks target_price, core::Ticks stop_price) {
  client_.send(exit_pair(symbol, exchange, account, exit_side, quantity, target_price, stop_price, target_id, stop_id));
}

void TradingClient::cancel_client_order(const std::string& client_order_id) {
  dtc::CancelOrder c;
  c.client_order_id = client_order_id;
  {
    std::lock_guard l(mutex_);
    if (auto o = orders_.find(client_order_id); o != orders_.end()) {
      c.server_order_id = o->second.server_order_id;
      c.trade_account = o->second.account;
    }
  }
  client_.send(c);
}

void TradingClient::send_clock(core::Timestamp t) {
  dtc::Heartbeat hb;
  hb.current_date_time = core::to_unix_ns(t) / 1'000'000'000;
  client_.send(hb);
}

void TradingClient::cancel(const std::string& server_order_id) {
  dtc::CancelOrder c;
  c.server_order_id = server_order_id;
  {
    std::lock_guard l(mutex_);
    if (auto it = client_by_server_.find(server_order_id); it != client_by_server_.end()) {
      c.client_order_id = it->second;
      if (auto o = orders_.find(it->second); o != orders_.end()) c.trade_account = o->second.account;
    }
  }
  client_.send(c);
}

FlattenResult TradingClient::flatten(const std::string& symbol, const std::string& exchange,
                                     const std::string& account, const FlattenOptions& options) {
  FlattenResult result;
  const auto timeout = options.step_timeout;
  for (int attempt = 0; attempt < std::max(1, options.max_attempts); ++attempt) {
    result.attempts = attempt + 1;
    // 2. Refresh the book, cancel every working order of the symbol.
    const auto open_id = request_open_orders(account);
    (void)wait_until([&] { return request_complete(open_id); }, timeout);
    std::set<std::string> cancels;
    for (const auto& o : working_orders(account, symbol)) {
      if (o.server_order_id.empty()) continue;
      cancel(o.server_order_id);
      cancels.insert(o.server_order_id);
      result.canceled.push_back(o.server_order_id);
    }
    // 3. Wait until each is terminal or the timeout passes.
    const auto all_terminal = [&] {
      std::lock_guard l(mutex_);
      for (const auto& sid : cancels) {
        const auto c = client_by_server_.find(sid);
        if (c == client_by_server_.end()) continue;
        const auto o = orders_.find(c->second);
        if (o != orders_.end() && !o->second.is_terminal()) return false;
      }
      return true;
    };
    if (!wait_until(all_terminal, timeout)) result.cancel_timed_out = true;
    // 4. Refresh the position and close it.
    const auto pos_id = request_positions(account);
    (void)wait_until([&] { return request_complete(pos_id); }, timeout);
    const std::int64_t qty = position(account, symbol);
    result.position_before = qty;
    if (qty != 0) {
      std::string id;
      if (options.method == FlattenMethod::kFlattenPositionOrder) {
        dtc::SubmitFlattenPositionOrder f;
        f.symbol = symbol;
        f.exchange = exchange;
        f.trade_account = account;
        id = next_order_id();
        f.client_order_id = id;
        f.is_automated_order = options_.automated ? 1 : 0;
        {
          std::lock_guard l(mutex_);
          OrderState s;
          s.client_order_id = id;
          s.symbol = symbol;
          s.exchange = exchange;
          s.account = account;
          s.type = dtc::OrderType::kMarket;
          s.side = qty > 0 ? dtc::BuySell::kSell : dtc::BuySell::kBuy;
          s.quantity = std::abs(qty);
          s.status = dtc::OrderStatus::kOrderSent;
          orders_[id] = s;
        }
        client_.send(f);
      } else {
        id = submit_market(symbol, exchange, account, qty > 0 ? dtc::BuySell::kSell : dtc::BuySell::kBuy,
                           std::abs(qty));
      }
      result.closing_orders.push_back(id);
      // 5. Confirm: the order terminal and the position 0.
      (void)wait_until(
          [&] {
            const auto o = order(id);
            return o && o->is_terminal() && position(account, symbol) == 0;
          },
          timeout);
    }
    if (position(account, symbol) == 0 && working_orders(account, symbol).empty()) {
      result.flat = true;
      break;
    }
  }
  return result;
}

std::int32_t TradingClient::request_history(const std::string& symbol, const std::string& exchange,
                                            core::Timestamp from, core::Timestamp to, HistoryInterval interval,
                                            std::function<void(const HistoryRecord&)> on_record,
                                            std::function<void(const HistoryDone&)> on_done) {
  const auto id = next_request_id();
  {
    std::lock_guard l(mutex_);
    complete_[id] = false;
    history_[id] = History{std::move(on_record), std::move(on_done), 0};
  }
  dtc::HistoricalPriceDataRequest r;
  r.request_id = id;
  r.symbol = symbol;
  r.exchange = exchange;
  r.record_interval = static_cast<dtc::HistoricalDataInterval>(interval);
  r.start_date_time = unix_seconds(from);
  r.end_date_time = unix_seconds(to);
  client_.send(r);
  return id;
}

// --- snapshots ----------------------------------------------------------------------------

std::vector<std::string> TradingClient::trade_accounts() const {
  std::lock_guard l(mutex_);
  return accounts_;
}

std::optional<OrderState> TradingClient::order(const std::string& client_order_id) const {
  std::lock_guard l(mutex_);
  const auto it = orders_.find(client_order_id);
  if (it == orders_.end()) return std::nullopt;
  return it->second;
}

std::vector<OrderState> TradingClient::working_orders(const std::string& account, const std::string& symbol) const {
  std::lock_guard l(mutex_);
  std::vector<OrderState> out;
  for (const auto& [id, o] : orders_) {
    if (!o.is_working() || o.status == dtc::OrderStatus::kOrderSent) continue;
    if (!account.empty() && o.account != account) continue;
    if (!symbol.empty() && o.symbol != symbol) continue;
    out.push_back(o);
  }
  return out;
}

std::vector<PositionState> TradingClient::positions() const {
  std::lock_guard l(mutex_);
  std::vector<PositionState> out;
  for (const auto& [k, p] : positions_) out.push_back(p);
  return out;
}

std::int64_t TradingClient::position(const std::string& account, const std::string& symbol) const {
  std::lock_guard l(mutex_);
  const auto it = positions_.find({account, symbol});
  return it == positions_.end() ? 0 : it->second.quantity;
}

std::optional<BalanceState> TradingClient::balance(const std::string& account) const {
  std::lock_guard l(mutex_);
  const auto it = balances_.find(account);
  if (it == balances_.end()) return std::nullopt;
  return it->second;
}

bool TradingClient::request_complete(std::int32_t request_id) const {
  std::lock_guard l(mutex_);
  const auto it = complete_.find(request_id);
  return it != complete_.end() && it->second;
}

bool TradingClient::wait_until(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    std::uint64_t seen = 0;
    {
      std::lock_guard l(wait_mutex_);
      seen = version_;
    }
    if (pred()) return true;
    std::unique_lock l(wait_mutex_);
    if (!wait_cv_.wait_until(l, deadline, [&] { return version_ != seen; })) return pred();
  }
}

void TradingClient::bump() {
  {
    std::lock_guard l(wait_mutex_);
    ++version_;
  }
  wait_cv_.notify_all();
}

// --- updates (io thread) -----------------------------------------------------------------

void TradingClient::on_logged_on(const dtc::LogonResponse& response) {
  bump();
  if (listener_ != nullptr) listener_->on_logged_on(response);
}

void TradingClient::on_disconnected(const dtc::CloseInfo& info, bool will_reconnect, core::Nanoseconds retry_in) {
  // History requests in flight are answered on this connection only: they end here (§6.8).
  std::vector<std::int32_t> pending;
  {
    std::lock_guard l(mutex_);
    for (const auto& [id, h] : history_) pending.push_back(id);
  }
  for (const auto id : pending) finish_history(id, false, "disconnected before the final record");
  bump();
  if (listener_ != nullptr) listener_->on_disconnected(info, will_reconnect, retry_in);
}

void TradingClient::on_send_error(const std::string& message) {
  bump();
  if (listener_ != nullptr) listener_->on_send_error(message);
}

void TradingClient::on_message(const dtc::Message& message) {
  if (const auto* u = std::get_if<dtc::OrderUpdate>(&message)) {
    handle(*u);
  } else if (const auto* p = std::get_if<dtc::PositionUpdate>(&message)) {
    handle(*p);
  } else if (const auto* b = std::get_if<dtc::AccountBalanceUpdate>(&message)) {
    handle(*b);
  } else if (const auto* a = std::get_if<dtc::TradeAccountResponse>(&message)) {
    handle(*a);
  } else if (const auto* r1 = std::get_if<dtc::OpenOrdersReject>(&message)) {
    std::lock_guard l(mutex_);
    complete_[r1->request_id] = true;
  } else if (const auto* r2 = std::get_if<dtc::CurrentPositionsReject>(&message)) {
    std::lock_guard l(mutex_);
    complete_[r2->request_id] = true;
  } else if (const auto* r3 = std::get_if<dtc::AccountBalanceReject>(&message)) {
    std::lock_guard l(mutex_);
    complete_[r3->request_id] = true;
  } else if (const auto* f = std::get_if<dtc::HistoricalOrderFillResponse>(&message)) {
    std::lock_guard l(mutex_);
    auto& v = fills_[f->request_id];
    if (f->no_order_fills == 0) {
      FillState x;
      x.server_order_id = std::string(f->server_order_id.view());
      x.exec_id = std::string(f->unique_execution_id.view());
      x.side = f->buy_sell;
      x.price = to_ticks(f->price);
      x.quantity = to_qty(f->quantity);
      if (f->date_time > 0) x.time = core::from_unix_ns(classify_us(f->date_time) * 1000);
      v.push_back(std::move(x));
    }
    if (f->no_order_fills != 0 || f->message_number >= f->total_number_messages) complete_[f->request_id] = true;
  } else if (const auto* r4 = std::get_if<dtc::HistoricalOrderFillsReject>(&message)) {
    std::lock_guard l(mutex_);
    fills_rejected_[r4->request_id] = true;
    complete_[r4->request_id] = true;
  } else {
    handle_history(message);
  }
  bump();
  if (listener_ != nullptr) listener_->on_message(message);
}

void TradingClient::handle(const dtc::OrderUpdate& u) {
  std::lock_guard l(mutex_);
  const bool reply = u.request_id != 0 && u.order_update_reason == dtc::OrderUpdateReason::kOpenOrdersRequestResponse;
  if (reply && u.message_number <= 1) {
    // A fresh open-orders list of the account: forget the working orders it replaces.
    const auto acc = request_account_.find(u.request_id);
    const std::string account = acc == request_account_.end() ? std::string() : acc->second;
    for (auto& [id, o] : orders_)
      if (o.is_working() && o.status != dtc::OrderStatus::kOrderSent && (account.empty() || o.account == account))
        o.status = dtc::OrderStatus::kUnspecified;  // unknown until listed again
  }
  if (reply && (u.no_orders == 1 || u.message_number >= u.total_num_messages)) complete_[u.request_id] = true;
  if (u.no_orders == 1) return;

  const std::string sid(u.server_order_id.view());
  std::string cid(u.client_order_id.view());
  if (!u.previous_server_order_id.empty()) {
    const auto prev = client_by_server_.find(std::string(u.previous_server_order_id.view()));
    if (prev != client_by_server_.end()) {
      if (cid.empty()) cid = prev->second;
      client_by_server_.erase(prev);
    }
  }
  if (cid.empty() && !sid.empty()) {
    if (const auto it = client_by_server_.find(sid); it != client_by_server_.end()) cid = it->second;
  }
  if (cid.empty()) cid = "server:" + sid;  // an order we know only by its server id
  if (!sid.empty()) client_by_server_[sid] = cid;

  OrderState& o = orders_[cid];
  o.client_order_id = cid;
  if (!sid.empty()) o.server_order_id = sid;
  if (!u.symbol.empty()) o.symbol = std::string(u.symbol.view());
  if (!u.exchange.empty()) o.exchange = std::string(u.exchange.view());
  if (!u.trade_account.empty()) o.account = std::string(u.trade_account.view());
  if (u.order_type != dtc::OrderType::kUnset) o.type = u.order_type;
  if (u.buy_sell != dtc::BuySell::kUnset) o.side = u.buy_sell;
  if (const auto p = to_ticks(u.price1)) o.price1 = p;
  if (is_set(u.order_quantity)) o.quantity = to_qty(u.order_quantity);
  if (is_set(u.filled_quantity)) o.filled_quantity = to_qty(u.filled_quantity);
  if (const auto p = to_ticks(u.average_fill_price)) o.average_fill_price = p;
  if (u.order_status != dtc::OrderStatus::kUnspecified) o.status = u.order_status;
  o.last_reason = u.order_update_reason;
  if (!u.parent_server_order_id.empty()) o.parent_server_order_id = std::string(u.parent_server_order_id.view());
  if (!u.oco_linked_order_server_order_id.empty())
    o.oco_linked_server_order_id = std::string(u.oco_linked_order_server_order_id.view());
  if (!u.info_text.empty()) o.info_text = std::string(u.info_text.view());
}

void TradingClient::handle(const dtc::PositionUpdate& p) {
  std::lock_guard l(mutex_);
  const bool reply = p.request_id != 0 && p.unsolicited == 0;
  if (reply && p.message_number <= 1) {
    // A fresh list for the account: positions it does not name are flat.
    const auto acc = request_account_.find(p.request_id);
    const std::string account = acc == request_account_.end() ? std::string() : acc->second;
    for (auto& [k, pos] : positions_)
      if (account.empty() || k.first == account) pos.quantity = 0;
  }
  if (reply && (p.no_positions == 1 || p.message_number >= p.total_number_messages)) complete_[p.request_id] = true;
  if (p.no_positions == 1) return;
  PositionState& s = positions_[{std::string(p.trade_account.view()), std::string(p.symbol.view())}];
  s.account = std::string(p.trade_account.view());
  s.symbol = std::string(p.symbol.view());
  s.exchange = std::string(p.exchange.view());
  s.quantity = to_qty(p.quantity);
  s.average_price = p.average_price;
}

void TradingClient::handle(const dtc::AccountBalanceUpdate& b) {
  std::lock_guard l(mutex_);
  const bool reply = b.request_id != 0 && b.unsolicited == 0;
  if (reply && (b.no_account_balances == 1 || b.message_number >= b.total_number_messages))
    complete_[b.request_id] = true;
  if (b.no_account_balances == 1) return;
  BalanceState& s = balances_[std::string(b.trade_account.view())];
  s.account = std::string(b.trade_account.view());
  s.currency = std::string(b.account_currency.view());
  s.cash_balance = to_cents(b.cash_balance);
  s.available_for_new_positions = to_cents(b.balance_available_for_new_positions);
  s.open_profit_loss = to_cents(b.open_positions_profit_loss);
  s.daily_profit_loss = to_cents(b.daily_profit_loss);
}

void TradingClient::handle(const dtc::TradeAccountResponse& a) {
  std::lock_guard l(mutex_);
  if (a.message_number <= 1) accounts_.clear();
  if (!a.trade_account.empty()) accounts_.emplace_back(a.trade_account.view());
  if (a.message_number >= a.total_number_messages) complete_[a.request_id] = true;
}

void TradingClient::handle_history(const dtc::Message& m) {
  std::int32_t id = 0;
  std::optional<HistoryRecord> record;
  bool final = false;
  bool failed = false;
  std::string error;
  if (const auto* h = std::get_if<dtc::HistoricalPriceDataResponseHeader>(&m)) {
    id = h->request_id;
    final = h->no_records_to_return == 1;
  } else if (const auto* rj = std::get_if<dtc::HistoricalPriceDataReject>(&m)) {
    id = rj->request_id;
    failed = true;
    error = std::string(rj->reject_text.view());
  } else if (const auto* r = std::get_if<dtc::HistoricalPriceDataRecordResponse>(&m)) {
    id = r->request_id;
    final = r->is_final_record == 1;
    if (r->start_date_time != 0) {
      HistoryRecord x;
      x.unix_us = classify_us(r->start_date_time);
      x.open = to_ticks(r->open_price).value_or(core::Ticks{});
      x.high = to_ticks(r->high_price).value_or(core::Ticks{});
      x.low = to_ticks(r->low_price).value_or(core::Ticks{});
      x.close = to_ticks(r->last_price).value_or(core::Ticks{});
      x.volume = r->volume;
      x.num_trades = r->num_trades;
      x.bid_volume = r->bid_volume;
      x.ask_volume = r->ask_volume;
      record = x;
    }
  } else if (const auto* t = std::get_if<dtc::HistoricalPriceDataTickRecordResponse>(&m)) {
    id = t->request_id;
    final = t->is_final_record == 1;
    if (t->date_time != 0) {
      HistoryRecord x;
      x.unix_us = std::llround(t->date_time * 1e6);
      x.close = to_ticks(t->price).value_or(core::Ticks{});
      x.high = x.low = x.close;
      x.volume = t->volume;
      x.num_trades = 1;
      // The side as the 803 form carries it (§6.10): unset leaves both volumes at 0.
      if (t->at_bid_or_ask == dtc::AtBidOrAsk::kAtBid) x.bid_volume = t->volume;
      if (t->at_bid_or_ask == dtc::AtBidOrAsk::kAtAsk) x.ask_volume = t->volume;
      record = x;
    }
  } else {
    return;
  }
  std::function<void(const HistoryRecord&)> on_record;
  {
    std::lock_guard l(mutex_);
    const auto it = history_.find(id);
    if (it == history_.end()) return;
    if (record) {
      ++it->second.records;
      on_record = it->second.on_record;
    }
  }
  if (record && on_record) on_record(*record);
  if (failed) {
    finish_history(id, false, std::move(error));
  } else if (final) {
    finish_history(id, true, {});
  }
}

void TradingClient::finish_history(std::int32_t request_id, bool ok, std::string error) {
  History h;
  {
    std::lock_guard l(mutex_);
    const auto it = history_.find(request_id);
    if (it == history_.end()) return;
    h = std::move(it->second);
    history_.erase(it);
  }
  if (h.on_done) h.on_done(HistoryDone{request_id, ok, h.records, std::move(error)});
  std::lock_guard l(mutex_);
  complete_[request_id] = true;  // after on_done: a waiter on request_complete sees its effects
}

}  // namespace daytrader::net
