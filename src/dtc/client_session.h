#pragma once
// ClientSession: the client side of a DTC connection as a sans-I/O state machine (dtc.md §3-§4,
// §8(a), §9.9-§9.10).
//
// It owns the framing Decoder and an output buffer. The transport
//   - calls start(now) once connected, then writes what take_output() returns;
//   - feeds every read with on_bytes(bytes, now) and writes take_output() again;
//   - calls on_time(now) at next_deadline() (heartbeats, silent peer, handshake timeout);
//   - calls on_transport_closed() when the socket fails, and closes the socket once
//     is_closed() is true and the output is written.
// Events (logged on, each application message, closed) go to the ClientSessionHandler given at
// construction, synchronously from on_bytes/on_time. The handler may call send() from inside.
//
//   connect -> ENCODING_REQUEST -> ENCODING_RESPONSE (the encoding asked for or binary, else
//              close) -> LOGON_REQUEST -> LOGON_RESPONSE (success: logged on; else close)
//           -> HEARTBEAT every interval, application traffic -> LOGOFF or silence or socket
//              loss: closed.
//
// Encodings: binary by default; ClientSessionConfig::encoding asks for JSON or compact JSON
// (json_codec.h). The ENCODING_REQUEST/RESPONSE pair is binary (§3.4); everything after it, both
// ways, is in the encoding the server answered. Without negotiation, a JSON session sends its
// LOGON_REQUEST in JSON at once.
//
// zlib (§6.7): a HISTORICAL_PRICE_DATA_RESPONSE_HEADER with UseZLibCompression = 1 (and records
// to follow) switches the decoder to inflating every later byte, within config.inflate's bounds
// (a zip bomb closes the session with a protocol error). Compression is read in the binary
// encoding only; in a JSON session such a header closes the session with a protocol error.
//
// Heartbeats and LOGOFF are handled here and never reach the handler; every other message
// received after logon does (UnknownMessage included, so the caller can count it).

#include <cstdint>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "core/result.h"
#include "core/timestamp.h"
#include "dtc/codec.h"
#include "dtc/decoder.h"
#include "dtc/json_codec.h"
#include "dtc/message.h"
#include "dtc/session_types.h"

namespace daytrader::dtc {

struct ClientSessionConfig {
  std::string username;  // empty if the server does not authenticate
  std::string password;  // never logged
  std::string client_name = "daytrader";
  std::string trade_account;  // LOGON_REQUEST.TradeAccount; usually empty
  // HeartbeatIntervalInSeconds of LOGON_REQUEST; both sides use it. 0 = historical-only
  // connection: no heartbeats, an inactivity timeout instead (§6.1, §8(b)).
  std::int32_t heartbeat_interval_s = 10;
  HeartbeatPolicy policy;
  // Send ENCODING_REQUEST first (§3.4 project rule); false logs on directly in `encoding`.
  bool negotiate_encoding = true;
  // kBinary (the default), kJson or kJsonCompact.
  Encoding encoding = Encoding::kBinary;
  // Bounds of a zlib-compressed historical response.
  InflateLimits inflate;
};

// Errors a LOGON_REQUEST built from config would hide: text longer than its DTC field (Username,
// Password, TradeAccount, ClientName: char[32], at most 31 bytes) would be cut, so the server
// could never accept the password; an encoding this client does not speak. The message names the
// field, the length and the limit, never the text.
[[nodiscard]] core::Status validate(const ClientSessionConfig& config);

enum class ClientState : std::uint8_t {
  kIdle,              // before start()
  kAwaitingEncoding,  // ENCODING_REQUEST sent
  kAwaitingLogon,     // LOGON_REQUEST sent
  kLoggedOn,
  kClosed,
};

[[nodiscard]] std::string_view to_string(ClientState s) noexcept;

class ClientSessionHandler {
 public:
  virtual ~ClientSessionHandler() = default;
  virtual void on_logged_on(const LogonResponse& response) { (void)response; }
  // Every message after logon except HEARTBEAT and LOGOFF.
  virtual void on_message(const Message& message) { (void)message; }
  virtual void on_closed(const CloseInfo& info) { (void)info; }
};

class ClientSession {
 public:
  ClientSession(ClientSessionConfig config, ClientSessionHandler& handler);

  // Queues ENCODING_REQUEST (or LOGON_REQUEST) and starts the handshake timer.
  void start(core::Timestamp now);
  // Bytes read from the socket. Ignored once closed.
  void on_bytes(std::span<const std::uint8_t> bytes, core::Timestamp now);
  // Sends due heartbeats and closes on a silent peer or a handshake that took too long.
  void on_time(core::Timestamp now);
  // Sends LOGOFF and closes (kLocalLogoff, no reconnect).
  void logoff(std::string_view reason, core::Timestamp now);
  // The socket closed or failed: closes with kTransport unless already closed.
  void on_transport_closed(std::string_view reason);

  // Encodes m for sending. Errors: not logged on (§9.10), or a feature the server said it does
  // not support (§4.2 project rule: trading, OCO, brackets, cancel/replace, market data,
  // historical data).
  template <KnownMessage M>
  core::Status send(const M& m) {
    if (auto s = check_can_send(M::kType, is_parent_order(m)); !s) return s;
    emit(m);
    return {};
  }

  // Moves the bytes to write into `into` (cleared first; its capacity is reused next time).
  void take_output(std::vector<std::uint8_t>& into);
  [[nodiscard]] bool has_output() const noexcept { return !out_.empty(); }

  // When on_time() must be called next; Timestamp::max() when nothing is scheduled.
  [[nodiscard]] core::Timestamp next_deadline() const noexcept;

  [[nodiscard]] ClientState state() const noexcept { return state_; }
  [[nodiscard]] bool is_logged_on() const noexcept { return state_ == ClientState::kLoggedOn; }
  [[nodiscard]] bool is_closed() const noexcept { return state_ == ClientState::kClosed; }
  [[nodiscard]] const CloseInfo& close_info() const noexcept { return close_info_; }
  // The server's capability flags (valid once logged on).
  [[nodiscard]] const LogonResponse& server() const noexcept { return server_; }
  [[nodiscard]] const DecoderStats& decoder_stats() const noexcept { return decoder_.stats(); }
  [[nodiscard]] std::uint64_t heartbeats_sent() const noexcept { return heartbeats_sent_; }
  [[nodiscard]] std::uint64_t heartbeats_received() const noexcept { return heartbeats_received_; }
  [[nodiscard]] const ClientSessionConfig& config() const noexcept { return config_; }
  // The encoding in force (binary until the ENCODING_RESPONSE, or from the start without one).
  [[nodiscard]] Encoding encoding() const noexcept { return encoding_; }

 private:
  template <class M>
  static bool is_parent_order(const M& m) noexcept {
    if constexpr (std::is_same_v<M, SubmitNewSingleOrder>) return m.is_parent_order != 0;
    (void)m;
    return false;
  }
  template <KnownMessage M>
  void emit(const M& m) {
    if (is_json(encoding_)) {
      encode_json_into(Message(m), encoding_, out_);
    } else {
      encode_into(m, out_);
    }
  }
  void use_encoding(Encoding encoding);
  [[nodiscard]] core::Status check_can_send(std::uint16_t type, bool parent_order) const;
  void handle(const Message& message, core::Timestamp now);
  void send_logon();
  void close(CloseKind kind, std::string reason, bool may_reconnect, std::string reconnect_address = {});

  ClientSessionConfig config_;
  ClientSessionHandler& handler_;
  Decoder decoder_;
  std::vector<std::uint8_t> out_;
  Encoding encoding_ = Encoding::kBinary;
  ClientState state_ = ClientState::kIdle;
  CloseInfo close_info_;
  LogonResponse server_{};
  core::Timestamp last_received_{};
  core::Timestamp next_heartbeat_ = core::Timestamp::max();
  core::Timestamp handshake_deadline_ = core::Timestamp::max();
  std::uint64_t heartbeats_sent_ = 0;
  std::uint64_t heartbeats_received_ = 0;
};

}  // namespace daytrader::dtc
