#include "dtc/client_session.h"

#include <fmt/format.h>

#include <chrono>
#include <utility>

#include "dtc/handshake.h"

namespace daytrader::dtc {

namespace {

double to_seconds(core::Nanoseconds d) {
  return std::chrono::duration<double>(d).count();
}

std::string_view to_string(LogonStatus s) noexcept {
  switch (s) {
    case LogonStatus::kSuccess:
      return "LOGON_SUCCESS";
    case LogonStatus::kError:
      return "LOGON_ERROR";
    case LogonStatus::kErrorNoReconnect:
      return "LOGON_ERROR_NO_RECONNECT";
    case LogonStatus::kReconnectNewAddress:
      return "LOGON_RECONNECT_NEW_ADDRESS";
  }
  return "UNKNOWN";
}

}  // namespace

std::string_view to_string(ClientState s) noexcept {
  switch (s) {
    case ClientState::kIdle:
      return "idle";
    case ClientState::kAwaitingEncoding:
      return "awaiting_encoding_response";
    case ClientState::kAwaitingLogon:
      return "awaiting_logon_response";
    case ClientState::kLoggedOn:
      return "logged_on";
    case ClientState::kClosed:
      return "closed";
  }
  return "unknown";
}

core::Status validate(const ClientSessionConfig& config) {
  const auto check = [](std::string_view field, std::string_view what, std::size_t length,
                        std::size_t capacity) -> core::Status {
    if (length <= capacity) return {};
    return core::Error{
        fmt::format("DTC client: {} is {} bytes, but the LOGON_REQUEST {} field holds at most {} (char[{}] "
                    "with its NUL): "
                    "it would be cut, so the server could never accept it",
                    what, length, field, capacity, capacity + 1)};
  };
  using Logon = LogonRequest;
  if (auto s =
          check("Username", "the username", config.username.size(), decltype(Logon::username)::kCapacity);
      !s)
    return s;
  if (auto s =
          check("Password", "the password", config.password.size(), decltype(Logon::password)::kCapacity);
      !s)
    return s;
  if (auto s = check("TradeAccount", "the trade account", config.trade_account.size(),
                     decltype(Logon::trade_account)::kCapacity);
      !s)
    return s;
  if (auto s = check("ClientName", "the client name", config.client_name.size(),
                     decltype(Logon::client_name)::kCapacity);
      !s)
    return s;
  if (config.password.find('\0') != std::string::npos)
    return core::Error{"DTC client: the password contains a NUL byte, which a DTC text field cannot carry"};
  if (!is_spoken(config.encoding))
    return core::Error{
        fmt::format("DTC client: encoding {} ({}) is not spoken; use BINARY_ENCODING, JSON_ENCODING "
                    "or JSON_COMPACT_ENCODING",
                    static_cast<std::int32_t>(config.encoding), to_string(config.encoding))};
  return {};
}

ClientSession::ClientSession(ClientSessionConfig config, ClientSessionHandler& handler)
    : config_(std::move(config)), handler_(handler) {}

void ClientSession::use_encoding(Encoding encoding) {
  encoding_ = encoding;
  decoder_.set_encoding(encoding);
}

void ClientSession::start(core::Timestamp now) {
  DT_ASSERT(state_ == ClientState::kIdle, "ClientSession::start() called twice");
  last_received_ = now;
  handshake_deadline_ = now + config_.policy.handshake_timeout;
  if (auto ok = validate(config_); !ok) {
    state_ = ClientState::kAwaitingLogon;  // so that close() reports from a started session
    close(CloseKind::kLogonRejected, ok.error().message, false);
    return;
  }
  if (config_.negotiate_encoding) {
    encode_into(make_encoding_request(config_.encoding), out_);  // always binary (§3.4)
    state_ = ClientState::kAwaitingEncoding;
  } else {
    use_encoding(config_.encoding);
    send_logon();
  }
}

void ClientSession::send_logon() {
  LogonRequest logon;
  logon.username = config_.username;
  logon.password = config_.password;
  logon.client_name = config_.client_name;
  logon.trade_account = config_.trade_account;
  logon.heartbeat_interval_in_seconds = config_.heartbeat_interval_s;
  emit(logon);
  state_ = ClientState::kAwaitingLogon;
}

void ClientSession::on_bytes(std::span<const std::uint8_t> bytes, core::Timestamp now) {
  if (state_ == ClientState::kClosed || state_ == ClientState::kIdle) return;
  decoder_.feed(bytes);
  while (state_ != ClientState::kClosed) {
    auto frame = decoder_.next();
    if (!frame) break;
    if (!*frame) {
      close(CloseKind::kProtocolError, frame->error().message, true);
      break;
    }
    last_received_ = now;
    handle(frame->value(), now);
  }
}

void ClientSession::handle(const Message& message, core::Timestamp now) {
  switch (state_) {
    case ClientState::kAwaitingEncoding: {
      if (const auto* r = std::get_if<EncodingResponse>(&message)) {
        auto ok = accept_encoding_response(*r, config_.encoding);
        if (!ok) {
          close(CloseKind::kProtocolError, ok.error().message, false);
          return;
        }
        use_encoding(ok.value());  // the bytes after the response are in it already
        send_logon();
      }
      // Anything else before the encoding answer is ignored (§9.10).
      return;
    }
    case ClientState::kAwaitingLogon: {
      const auto* r = std::get_if<LogonResponse>(&message);
      if (r == nullptr) return;
      if (r->result != LogonStatus::kSuccess) {
        const bool may_reconnect = r->result != LogonStatus::kErrorNoReconnect;
        close(CloseKind::kLogonRejected,
              fmt::format("LOGON_RESPONSE: Result {} ({}): {}", static_cast<std::int32_t>(r->result),
                          to_string(r->result), r->result_text.view()),
              may_reconnect,
              r->result == LogonStatus::kReconnectNewAddress ? r->reconnect_address.str() : std::string());
        return;
      }
      server_ = *r;
      state_ = ClientState::kLoggedOn;
      handshake_deadline_ = core::Timestamp::max();
      if (config_.heartbeat_interval_s > 0) next_heartbeat_ = now + seconds(config_.heartbeat_interval_s);
      handler_.on_logged_on(server_);
      return;
    }
    case ClientState::kLoggedOn: {
      if (std::holds_alternative<Heartbeat>(message)) {
        ++heartbeats_received_;
        // Passed on as well: a replay server's heartbeat carries its clock (CurrentDateTime).
        handler_.on_message(message);
        return;
      }
      if (const auto* logoff = std::get_if<Logoff>(&message)) {
        close(CloseKind::kPeerLogoff, fmt::format("LOGOFF from the server: {}", logoff->reason.view()),
              logoff->do_not_reconnect == 0);
        return;
      }
      if (const auto* h = std::get_if<HistoricalPriceDataResponseHeader>(&message);
          h != nullptr && h->use_zlib_compression != 0 && h->no_records_to_return == 0) {
        if (is_json(encoding_)) {
          close(CloseKind::kProtocolError,
                fmt::format(
                    "HISTORICAL_PRICE_DATA_RESPONSE_HEADER RequestID {} announces zlib compression, which "
                    "this client reads in the binary encoding only ({} is in force)",
                    h->request_id, to_string(encoding_)),
                true);
          return;
        }
        decoder_.start_inflate(config_.inflate);  // every later byte is one zlib stream (§6.7)
      }
      handler_.on_message(message);
      return;
    }
    case ClientState::kIdle:
    case ClientState::kClosed:
      return;
  }
}

void ClientSession::on_time(core::Timestamp now) {
  if (state_ == ClientState::kClosed || state_ == ClientState::kIdle) return;
  if (now >= handshake_deadline_) {
    close(CloseKind::kTimeout,
          fmt::format("no {} within {:.1f} s",
                      state_ == ClientState::kAwaitingEncoding ? "ENCODING_RESPONSE" : "LOGON_RESPONSE",
                      to_seconds(config_.policy.handshake_timeout)),
          true);
    return;
  }
  if (state_ != ClientState::kLoggedOn) return;
  const core::Nanoseconds timeout = config_.policy.peer_timeout(config_.heartbeat_interval_s);
  if (now - last_received_ >= timeout) {
    close(CloseKind::kTimeout,
          config_.heartbeat_interval_s > 0
              ? fmt::format("no message from the server for {:.1f} s (heartbeat interval {} s, "
                            "{} missed heartbeats allowed)",
                            to_seconds(now - last_received_), config_.heartbeat_interval_s,
                            config_.policy.missed_heartbeats)
              : fmt::format("no message from the server for {:.1f} s (inactivity timeout)",
                            to_seconds(now - last_received_)),
          true);
    return;
  }
  if (now >= next_heartbeat_) {
    Heartbeat hb;
    hb.current_date_time = core::to_unix_ns(now) / 1'000'000'000;
    emit(hb);
    ++heartbeats_sent_;
    // The next one an interval from now: a late call does not send a burst.
    next_heartbeat_ = now + seconds(config_.heartbeat_interval_s);
  }
}

void ClientSession::logoff(std::string_view reason, core::Timestamp /*now*/) {
  if (state_ == ClientState::kClosed) return;
  if (state_ != ClientState::kIdle) {
    Logoff m;
    m.reason = reason;
    emit(m);
  }
  close(CloseKind::kLocalLogoff, std::string(reason), false);
}

void ClientSession::on_transport_closed(std::string_view reason) {
  if (state_ == ClientState::kClosed) return;
  close(CloseKind::kTransport, std::string(reason), true);
}

void ClientSession::close(CloseKind kind, std::string reason, bool may_reconnect,
                          std::string reconnect_address) {
  state_ = ClientState::kClosed;
  next_heartbeat_ = core::Timestamp::max();
  handshake_deadline_ = core::Timestamp::max();
  close_info_ = CloseInfo{kind, std::move(reason), may_reconnect, std::move(reconnect_address)};
  handler_.on_closed(close_info_);
}

core::Status ClientSession::check_can_send(std::uint16_t type, bool parent_order) const {
  if (state_ != ClientState::kLoggedOn)
    return core::Error{fmt::format("DTC client: cannot send {} while {} (only after LOGON_SUCCESS)",
                                   message_name(type), to_string(state_))};
  auto refuse = [type](std::string_view flag) {
    return core::Error{fmt::format("DTC client: cannot send {}: the server's LOGON_RESPONSE has {} = 0",
                                   message_name(type), flag)};
  };
  switch (type) {
    case SubmitNewSingleOrder::kType:
    case CancelOrder::kType:
    case SubmitFlattenPositionOrder::kType:
    case OpenOrdersRequest::kType:
    case HistoricalOrderFillsRequest::kType:
    case CurrentPositionsRequest::kType:
    case TradeAccountsRequest::kType:
    case AccountBalanceRequest::kType:
      if (server_.trading_is_supported == 0) return refuse("TradingIsSupported");
      if (parent_order && server_.bracket_orders_supported == 0) return refuse("BracketOrdersSupported");
      break;
    case SubmitNewOcoOrder::kType:
      if (server_.trading_is_supported == 0) return refuse("TradingIsSupported");
      if (server_.oco_orders_supported == 0) return refuse("OCOOrdersSupported");
      break;
    case CancelReplaceOrder::kType:
      if (server_.trading_is_supported == 0) return refuse("TradingIsSupported");
      if (server_.order_cancel_replace_supported == 0) return refuse("OrderCancelReplaceSupported");
      break;
    case MarketDataRequest::kType:
      if (server_.market_data_supported == 0) return refuse("MarketDataSupported");
      break;
    case HistoricalPriceDataRequest::kType:
      if (server_.historical_price_data_supported == 0) return refuse("HistoricalPriceDataSupported");
      break;
    default:
      break;
  }
  return {};
}

void ClientSession::take_output(std::vector<std::uint8_t>& into) {
  into.clear();
  std::swap(into, out_);
}

core::Timestamp ClientSession::next_deadline() const noexcept {
  switch (state_) {
    case ClientState::kAwaitingEncoding:
    case ClientState::kAwaitingLogon:
      return handshake_deadline_;
    case ClientState::kLoggedOn:
      return std::min(next_heartbeat_,
                      last_received_ + config_.policy.peer_timeout(config_.heartbeat_interval_s));
    case ClientState::kIdle:
    case ClientState::kClosed:
      break;
  }
  return core::Timestamp::max();
}

}  // namespace daytrader::dtc
