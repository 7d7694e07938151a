// Properties checked on arbitrary bytes, beyond "no crash, no UB, no leak" (the sanitizers):
// 1. framing does not depend on how the stream is split into reads: feeding it in chunks gives
//    the same frames and the same error as feeding it at once;
// 2. every decoded message re-encodes to its full current size, and decoding that image gives
//    back the same bytes when encoded again (decode is a projection onto canonical images);
// 3. the one-shot decode() agrees with the Decoder on the first frame;
// 4. a failed Decoder buffers nothing, and the stats count what came out.
//
// Byte 0 of the input: low 7 bits = chunk size for property 1 (0 = feed at once), high bit =
// use a 64-byte frame bound instead of the default, so bound errors are reachable.

#include "dtc_fuzz.h"

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "dtc/codec.h"
#include "dtc/decoder.h"

namespace daytrader::fuzz {
namespace {

using Bytes = std::vector<std::uint8_t>;

void require(bool ok, const char* property) {
  if (ok) return;
  std::fprintf(stderr, "dtc_fuzz: property violated: %s\n", property);
  std::abort();
}

// A frame as bytes (so NaN payloads compare equal to themselves), or the error text.
struct Outcome {
  Bytes encoded;
  std::optional<std::string> error;
  bool operator==(const Outcome&) const = default;
};

std::vector<Outcome> run(std::span<const std::uint8_t> stream, std::size_t chunk,
                         std::size_t bound) {
  dtc::Decoder decoder(bound);
  std::vector<Outcome> out;
  std::uint64_t good = 0;
  const auto pull = [&] {
    while (auto frame = decoder.next()) {
      if (!*frame) {
        out.push_back({{}, frame->error().message});
        return false;
      }
      out.push_back({dtc::encode(frame->value()), std::nullopt});
      ++good;
    }
    return true;
  };
  if (chunk == 0) chunk = stream.size();
  for (std::size_t pos = 0; pos < stream.size(); pos += chunk) {
    decoder.feed(stream.subspan(pos, std::min(chunk, stream.size() - pos)));
    if (!pull()) break;
  }
  require(decoder.stats().frames == good, "stats().frames counts the returned frames");
  if (decoder.has_failed()) require(decoder.buffered_bytes() == 0, "a failed decoder is empty");
  return out;
}

}  // namespace

int dtc_fuzz_one_input(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t chunk = data[0] & 0x7F;
  const std::size_t bound = (data[0] & 0x80) != 0 ? 64 : dtc::kDefaultMaxMessageSize;
  const std::span<const std::uint8_t> stream(data + 1, size - 1);

  const std::vector<Outcome> whole = run(stream, 0, bound);
  require(run(stream, chunk, bound) == whole, "chunked feeding frames like one feed");

  for (const Outcome& o : whole) {
    if (o.error) continue;
    const auto again = dtc::decode(o.encoded);
    require(again.has_value(), "a re-encoded message decodes");
    const std::uint16_t type = dtc::message_type(again.value());
    if (dtc::is_known_type(type)) {
      require(o.encoded.size() == dtc::known_size(type), "known types encode at full size");
    }
    require(dtc::encode(again.value()) == o.encoded, "decode(encode(m)) re-encodes identically");
  }

  const auto single = dtc::decode(stream, bound);
  if (single && !whole.empty() && !whole.front().error) {
    require(dtc::encode(single.value()) == whole.front().encoded, "decode() agrees with Decoder");
  }
  return 0;
}

}  // namespace daytrader::fuzz
