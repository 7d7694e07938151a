#pragma once
// What the client and server sessions (client_session.h, server_session.h) have in common: the
// heartbeat timing rules of dtc.md §4.3/§9.9 and the description of why a session ended.
//
// Sessions are sans-I/O: they never read a clock. Every call that can move time forward takes
// `now` (core::Timestamp, UTC ns), and next_deadline() tells the transport when to call
// on_time() again. Tests drive them with a fake clock.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/timestamp.h"

namespace daytrader::dtc {

using std::chrono::seconds;

// Liveness rules. The peer is declared silent when nothing at all (heartbeat or any other
// message) arrived for max(missed_heartbeats x interval, min_peer_timeout): the spec's
// max(2 x interval, 10 s) with the defaults (§4.3, §9.9).
struct HeartbeatPolicy {
  int missed_heartbeats = 2;
  core::Nanoseconds min_peer_timeout = seconds(10);
  // Until the logon completes (encoding and logon responses), §3.4's 10 s.
  core::Nanoseconds handshake_timeout = seconds(10);
  // A connection without heartbeats (interval <= 0: historical-only, §6.1) is closed after this
  // long without receiving anything instead.
  core::Nanoseconds inactivity_timeout = seconds(60);

  [[nodiscard]] core::Nanoseconds peer_timeout(std::int32_t interval_s) const noexcept {
    if (interval_s <= 0) return inactivity_timeout;
    const core::Nanoseconds n = seconds(interval_s) * missed_heartbeats;
    return std::max(n, min_peer_timeout);
  }
};

enum class CloseKind : std::uint8_t {
  kLocalLogoff,    // we sent LOGOFF
  kPeerLogoff,     // the peer sent LOGOFF
  kLogonRejected,  // LOGON_RESPONSE was not a success (client) / we refused the logon (server)
  kTimeout,        // the peer stayed silent, or the handshake did not complete in time
  kProtocolError,  // a framing error or a refused ENCODING_RESPONSE: the stream is unusable
  kTransport,      // the socket closed or failed underneath the session
  kLimit,          // the transport's limit (unread output, idle connection) closed it
};

[[nodiscard]] constexpr std::string_view to_string(CloseKind k) noexcept {
  switch (k) {
    case CloseKind::kLocalLogoff:
      return "local_logoff";
    case CloseKind::kPeerLogoff:
      return "peer_logoff";
    case CloseKind::kLogonRejected:
      return "logon_rejected";
    case CloseKind::kTimeout:
      return "timeout";
    case CloseKind::kProtocolError:
      return "protocol_error";
    case CloseKind::kTransport:
      return "transport";
    case CloseKind::kLimit:
      return "limit";
  }
  return "unknown";
}

// Why a session ended. `may_reconnect` is false after LOGOFF with DoNotReconnect = 1, after
// LOGON_ERROR_NO_RECONNECT and after our own logoff (§4.4, §9.9).
struct CloseInfo {
  CloseKind kind = CloseKind::kTransport;
  std::string reason;
  bool may_reconnect = true;
  std::string reconnect_address;  // LOGON_RECONNECT_NEW_ADDRESS only
};

}  // namespace daytrader::dtc
