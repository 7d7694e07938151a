#include "dtc/server_session.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "dtc/handshake.h"

namespace daytrader::dtc {

namespace {

// Compares without an early exit, so the time taken does not reveal a matching prefix.
bool same_secret(std::string_view a, std::string_view b) noexcept {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < b.size(); ++i)
    diff |= static_cast<unsigned char>(b[i] ^ (i < a.size() ? a[i] : 0));
  return diff == 0;
}

}  // namespace

LogonResponse ServerSessionConfig::default_logon_response() {
  LogonResponse r;
  r.server_name = "dtc-sim";
  r.trading_is_supported = 1;
  r.oco_orders_supported = 1;
  r.order_cancel_replace_supported = 1;
  r.security_definitions_supported = 1;
  r.historical_price_data_supported = 1;
  r.market_depth_is_supported = 0;
  r.one_historical_price_data_request_per_connection = 0;
  r.bracket_orders_supported = 1;
  r.market_data_supported = 1;
  return r;
}

ServerSession::ServerSession(ServerSessionConfig config, ServerSessionHandler& handler)
    : config_(std::move(config)), handler_(handler) {
  decoder_.detect_json_at_start(config_.allow_json);
}

void ServerSession::start(core::Timestamp now) {
  last_received_ = now;
  logon_deadline_ = now + config_.policy.handshake_timeout;
}

void ServerSession::on_bytes(std::span<const std::uint8_t> bytes, core::Timestamp now) {
  if (state_ == ServerState::kClosed) return;
  decoder_.feed(bytes);
  while (state_ != ServerState::kClosed) {
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

void ServerSession::handle(const Message& message, core::Timestamp now) {
  if (state_ == ServerState::kAwaitingLogon) {
    if (const auto* r = std::get_if<EncodingRequest>(&message)) {
      const EncodingResponse answer = answer_encoding_request(*r, config_.allow_json);
      encode_into(answer, out_);  // always binary (§3.4), then the switch
      encoding_ = answer.encoding;
      decoder_.set_encoding(answer.encoding);
      negotiated_ = true;
    } else if (const auto* logon = std::get_if<LogonRequest>(&message)) {
      // A JSON logon without an ENCODING_REQUEST: answer in the form it came in.
      if (!negotiated_ && is_json(decoder_.last_form())) encoding_ = decoder_.last_form();
      on_logon(*logon, now);
    } else {
      handler_.on_ignored(message);
    }
    return;
  }
  if (const auto* hb = std::get_if<Heartbeat>(&message)) {
    ++heartbeats_received_;
    handler_.on_heartbeat(*hb);
    return;
  }
  if (const auto* logoff = std::get_if<Logoff>(&message)) {
    close(CloseKind::kPeerLogoff, fmt::format("LOGOFF from the client: {}", logoff->reason.view()), true);
    return;
  }
  if (std::holds_alternative<EncodingRequest>(message) || std::holds_alternative<LogonRequest>(message)) {
    handler_.on_ignored(message);  // a second logon on a logged-on connection
    return;
  }
  handler_.on_message(message);
}

void ServerSession::on_logon(const LogonRequest& request, core::Timestamp now) {
  const bool user_ok = !config_.username || same_secret(request.username.view(), *config_.username);
  const bool password_ok = !config_.password || same_secret(request.password.view(), *config_.password);
  if (!user_ok || !password_ok) {
    LogonResponse r = config_.logon_response;
    r.result = LogonStatus::kError;
    r.result_text = "Logon rejected: wrong username or password";
    emit(r);
    // The username is safe to name; the password never is.
    close(CloseKind::kLogonRejected,
          fmt::format("Logon rejected username=\"{}\" password={}", request.username.view(),
                      request.password.empty() ? "<empty>" : "<set>"),
          true);
    return;
  }
  logon_ = request;
  const std::int32_t asked = request.heartbeat_interval_in_seconds;
  interval_s_ =
      asked <= 0 ? 0 : std::clamp(asked, config_.min_heartbeat_interval_s, config_.max_heartbeat_interval_s);
  LogonResponse r = config_.logon_response;
  r.result = LogonStatus::kSuccess;
  r.result_text = "Logon successful";
  emit(r);
  state_ = ServerState::kLoggedOn;
  logon_deadline_ = core::Timestamp::max();
  if (interval_s_ > 0) next_heartbeat_ = now + seconds(interval_s_);
  handler_.on_logged_on(request);
}

void ServerSession::on_time(core::Timestamp now) {
  if (state_ == ServerState::kClosed) return;
  if (state_ == ServerState::kAwaitingLogon) {
    if (now >= logon_deadline_)
      close(CloseKind::kTimeout,
            fmt::format("no LOGON_REQUEST within {:.1f} s",
                        std::chrono::duration<double>(config_.policy.handshake_timeout).count()),
            true);
    return;
  }
  if (interval_s_ <= 0) return;  // no heartbeats and no heartbeat timeout (§4.3 project rule)
  const core::Nanoseconds timeout = config_.policy.peer_timeout(interval_s_);
  if (now - last_received_ >= timeout) {
    close(CloseKind::kTimeout,
          fmt::format("no message from the client for {:.1f} s (heartbeat interval {} s, {} missed "
                      "heartbeats allowed)",
                      std::chrono::duration<double>(now - last_received_).count(), interval_s_,
                      config_.policy.missed_heartbeats),
          true);
    return;
  }
  if (now >= next_heartbeat_) {
    Heartbeat hb;
    hb.current_date_time = core::to_unix_ns(now) / 1'000'000'000;
    emit(hb);
    next_heartbeat_ = now + seconds(interval_s_);
  }
}

void ServerSession::logoff(std::string_view reason, bool do_not_reconnect, core::Timestamp /*now*/) {
  if (state_ == ServerState::kClosed) return;
  Logoff m;
  m.reason = reason;
  m.do_not_reconnect = do_not_reconnect ? 1 : 0;
  emit(m);
  close(CloseKind::kLocalLogoff, std::string(reason), !do_not_reconnect);
}

void ServerSession::on_transport_closed(std::string_view reason) {
  if (state_ == ServerState::kClosed) return;
  close(CloseKind::kTransport, std::string(reason), true);
}

void ServerSession::on_limit(std::string_view reason) {
  if (state_ == ServerState::kClosed) return;
  close(CloseKind::kLimit, std::string(reason), true);
}

core::Status ServerSession::send_encoded(std::span<const std::uint8_t> frames) {
  if (state_ != ServerState::kLoggedOn) return not_logged_on(0);
  transcode_binary_frames(frames, encoding_, out_);
  return {};
}

core::Status ServerSession::not_logged_on(std::uint16_t type) const {
  return core::Error{fmt::format("DTC server: cannot send {}: the session is {}",
                                 type == 0 ? std::string_view("messages") : message_name(type),
                                 state_ == ServerState::kClosed ? "closed" : "not logged on")};
}

void ServerSession::close(CloseKind kind, std::string reason, bool may_reconnect) {
  state_ = ServerState::kClosed;
  next_heartbeat_ = core::Timestamp::max();
  logon_deadline_ = core::Timestamp::max();
  close_info_ = CloseInfo{kind, std::move(reason), may_reconnect, {}};
  handler_.on_closed(close_info_);
}

void ServerSession::take_output(std::vector<std::uint8_t>& into) {
  into.clear();
  std::swap(into, out_);
}

core::Timestamp ServerSession::next_deadline() const noexcept {
  if (state_ == ServerState::kAwaitingLogon) return logon_deadline_;
  if (state_ == ServerState::kLoggedOn && interval_s_ > 0)
    return std::min(next_heartbeat_, last_received_ + config_.policy.peer_timeout(interval_s_));
  return core::Timestamp::max();
}

}  // namespace daytrader::dtc
