#pragma once
// Helpers for the scripted session tests: a fake clock, recording handlers, and decoding what a
// session wrote.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/timestamp.h"
#include "dtc/client_session.h"
#include "dtc/codec.h"
#include "dtc/decoder.h"
#include "dtc/server_session.h"

namespace daytrader::dtc::testing {

using namespace std::chrono_literals;

// 2025-01-02T14:30:00Z; the sessions only ever see what the test passes.
inline constexpr core::Timestamp kT0 = core::from_unix_ns(1'735'828'200'000'000'000);

// Every complete message in bytes (asserts there is no framing error and no partial tail).
inline std::vector<Message> decode_all(const std::vector<std::uint8_t>& bytes) {
  Decoder d;
  d.feed(bytes);
  std::vector<Message> out;
  while (auto m = d.next()) {
    EXPECT_TRUE(*m) << m->error().message;
    if (!*m) break;
    out.push_back(m->value());
  }
  EXPECT_EQ(d.buffered_bytes(), 0u) << "a partial message was written";
  return out;
}

template <class Session>
std::vector<Message> take_messages(Session& s) {
  std::vector<std::uint8_t> bytes;
  s.take_output(bytes);
  return decode_all(bytes);
}

template <class M>
const M& expect_one(const std::vector<Message>& messages) {
  EXPECT_EQ(messages.size(), 1u);
  static const M kEmpty{};
  if (messages.size() != 1 || !std::holds_alternative<M>(messages[0])) {
    ADD_FAILURE() << "expected one " << M::kName << ", got "
                  << (messages.empty() ? std::string("nothing")
                                       : std::string(message_name(message_type(messages[0]))));
    return kEmpty;
  }
  return std::get<M>(messages[0]);
}

struct RecordingClient : ClientSessionHandler {
  int logons = 0;
  std::vector<Message> messages;
  std::vector<CloseInfo> closes;
  void on_logged_on(const LogonResponse&) override { ++logons; }
  void on_message(const Message& m) override { messages.push_back(m); }
  void on_closed(const CloseInfo& info) override { closes.push_back(info); }
};

struct RecordingServer : ServerSessionHandler {
  int logons = 0;
  std::vector<Message> messages;
  std::vector<Message> ignored;
  std::vector<CloseInfo> closes;
  void on_logged_on(const LogonRequest&) override { ++logons; }
  void on_message(const Message& m) override { messages.push_back(m); }
  void on_ignored(const Message& m) override { ignored.push_back(m); }
  void on_closed(const CloseInfo& info) override { closes.push_back(info); }
};

}  // namespace daytrader::dtc::testing
