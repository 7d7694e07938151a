#pragma once
// ServerSession: the server side of one DTC connection as a sans-I/O state machine (dtc.md §3.4,
// §4, §9.10, §10). Used by the stand-in server (`daytrader serve`).
//
// Same driving pattern as ClientSession: the transport feeds on_bytes(bytes, now), calls
// on_time(now) at next_deadline(), writes take_output(), and closes the socket once is_closed()
// and the output is written (a refused logon is answered first, then closed).
//
//   ENCODING_REQUEST (optional) -> ENCODING_RESPONSE (binary): the encoding asked for when it is
//     binary, JSON or compact JSON (json_codec.h; ServerSessionConfig::allow_json), else binary;
//     from then on the session reads and writes that encoding, both ways
//   LOGON_REQUEST -> password check -> LOGON_RESPONSE success, or LOGON_ERROR and close
//     (a stream whose first byte is '{' is a JSON LOGON_REQUEST without an ENCODING_REQUEST: the
//     session answers in the JSON form it came in)
//   then HEARTBEAT every interval the client asked for (clamped to 1..60 s; <= 0: none, and no
//   heartbeat timeout), application messages to the handler, LOGOFF or silence: closed.
//   A client HEARTBEAT keeps the connection alive here and is then shown to the handler's
//   on_heartbeat() (the simulator's client pacing reads its CurrentDateTime); LOGOFF is not.
//
// Messages other than ENCODING_REQUEST/LOGON_REQUEST before logon are ignored and reported to
// on_ignored() for the log (§9.10 project rule).
//
// The application may produce binary frames (send_encoded(), the simulator's batches): in a
// JSON session they are re-encoded here, so an application never needs to know the encoding,
// except that zlib-compressed bytes cannot be re-encoded (the simulator compresses only for a
// binary session).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/timestamp.h"
#include "dtc/codec.h"
#include "dtc/decoder.h"
#include "dtc/json_codec.h"
#include "dtc/message.h"
#include "dtc/session_types.h"

namespace daytrader::dtc {

struct ServerSessionConfig {
  // When set, LOGON_REQUEST.Password must equal it (and Username must equal `username` when that
  // is set too); otherwise any credentials are accepted.
  std::optional<std::string> password;
  std::optional<std::string> username;
  // The LOGON_RESPONSE sent on success: server name and capability flags. Result and
  // ResultText are filled by the session.
  LogonResponse logon_response = default_logon_response();
  std::int32_t min_heartbeat_interval_s = 1;
  std::int32_t max_heartbeat_interval_s = 60;
  HeartbeatPolicy policy;
  // Answer an ENCODING_REQUEST for JSON or compact JSON with it, and accept a JSON LOGON_REQUEST
  // without one; false: binary only (a JSON request is answered binary, as §3.4 allows).
  bool allow_json = true;

  // §10: "dtc-sim", trading, OCO, brackets, cancel/replace, historical and market data, no depth,
  // security definitions.
  [[nodiscard]] static LogonResponse default_logon_response();
};

enum class ServerState : std::uint8_t {
  kAwaitingLogon,  // ENCODING_REQUEST may come first
  kLoggedOn,
  kClosed,
};

class ServerSessionHandler {
 public:
  virtual ~ServerSessionHandler() = default;
  virtual void on_logged_on(const LogonRequest& request) { (void)request; }
  // Every message after logon except HEARTBEAT and LOGOFF.
  virtual void on_message(const Message& message) { (void)message; }
  // A HEARTBEAT from the logged-on client, after the session has counted it as life.
  virtual void on_heartbeat(const Heartbeat& heartbeat) { (void)heartbeat; }
  // A message other than ENCODING_REQUEST/LOGON_REQUEST before logon, dropped.
  virtual void on_ignored(const Message& message) { (void)message; }
  virtual void on_closed(const CloseInfo& info) { (void)info; }
};

class ServerSession {
 public:
  ServerSession(ServerSessionConfig config, ServerSessionHandler& handler);

  // The connection was accepted: starts the logon timer.
  void start(core::Timestamp now);
  void on_bytes(std::span<const std::uint8_t> bytes, core::Timestamp now);
  void on_time(core::Timestamp now);
  void logoff(std::string_view reason, bool do_not_reconnect, core::Timestamp now);
  void on_transport_closed(std::string_view reason);
  // The transport closes the connection because of one of its limits (kLimit).
  void on_limit(std::string_view reason);

  // Encodes m for sending; an error before logon or after close.
  template <KnownMessage M>
  core::Status send(const M& m) {
    if (state_ != ServerState::kLoggedOn) return not_logged_on(M::kType);
    emit(m);
    return {};
  }
  // Appends already-encoded binary frames (the replay batches its frames), re-encoded in a JSON
  // session; same rule as send().
  core::Status send_encoded(std::span<const std::uint8_t> frames);

  void take_output(std::vector<std::uint8_t>& into);
  [[nodiscard]] bool has_output() const noexcept { return !out_.empty(); }
  [[nodiscard]] std::size_t output_size() const noexcept { return out_.size(); }
  [[nodiscard]] core::Timestamp next_deadline() const noexcept;

  [[nodiscard]] ServerState state() const noexcept { return state_; }
  [[nodiscard]] bool is_logged_on() const noexcept { return state_ == ServerState::kLoggedOn; }
  [[nodiscard]] bool is_closed() const noexcept { return state_ == ServerState::kClosed; }
  [[nodiscard]] const CloseInfo& close_info() const noexcept { return close_info_; }
  // The interval in force after logon (0 = no heartbeats).
  [[nodiscard]] std::int32_t heartbeat_interval_s() const noexcept { return interval_s_; }
  [[nodiscard]] const LogonRequest& logon_request() const noexcept { return logon_; }
  [[nodiscard]] const DecoderStats& decoder_stats() const noexcept { return decoder_.stats(); }
  [[nodiscard]] std::uint64_t heartbeats_received() const noexcept { return heartbeats_received_; }
  // The encoding in force: binary until an ENCODING_RESPONSE or a JSON LOGON_REQUEST says otherwise.
  [[nodiscard]] Encoding encoding() const noexcept { return encoding_; }

 private:
  template <KnownMessage M>
  void emit(const M& m) {
    if (is_json(encoding_)) {
      encode_json_into(Message(m), encoding_, out_);
    } else {
      encode_into(m, out_);
    }
  }
  [[nodiscard]] core::Status not_logged_on(std::uint16_t type) const;
  void handle(const Message& message, core::Timestamp now);
  void on_logon(const LogonRequest& request, core::Timestamp now);
  void close(CloseKind kind, std::string reason, bool may_reconnect);

  ServerSessionConfig config_;
  ServerSessionHandler& handler_;
  Decoder decoder_;
  std::vector<std::uint8_t> out_;
  ServerState state_ = ServerState::kAwaitingLogon;
  Encoding encoding_ = Encoding::kBinary;
  bool negotiated_ = false;  // an ENCODING_RESPONSE was sent
  CloseInfo close_info_;
  LogonRequest logon_{};
  std::int32_t interval_s_ = 0;
  core::Timestamp last_received_{};
  core::Timestamp next_heartbeat_ = core::Timestamp::max();
  core::Timestamp logon_deadline_ = core::Timestamp::max();
  std::uint64_t heartbeats_received_ = 0;
};

}  // namespace daytrader::dtc
