// DTC benchmarks: framing + decoding throughput (messages/s), and the simulator's replay over
// 127.0.0.1 end to end (trades/s: SCID records -> DTC frames -> socket -> client session ->
// decoded messages). Build Release; run build/bench/bench_dtc.

#include <benchmark/benchmark.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <vector>

#include "dtc/codec.h"
#include "dtc/decoder.h"
#include "net/client.h"
#include "net/server.h"
#include "scid/scid_format.h"
#include "sim/sim_server.h"

namespace {

using namespace daytrader;

std::vector<std::uint8_t> trade_stream(std::size_t n) {
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i < n; ++i) {
    dtc::MarketDataUpdateTrade t;
    t.symbol_id = 1;
    t.at_bid_or_ask = i % 2 == 0 ? dtc::AtBidOrAsk::kAtBid : dtc::AtBidOrAsk::kAtAsk;
    t.price = 5000.0 + 0.25 * static_cast<double>(i % 16);
    t.volume = 1 + static_cast<double>(i % 5);
    t.date_time = 1.74e9 + static_cast<double>(i) * 1e-3;
    dtc::encode_into(t, out);
  }
  return out;
}

// The Decoder fed 64 KiB reads of a stream of 40-byte trade messages.
void BM_DecodeTrades(benchmark::State& state) {
  const std::size_t n = 100'000;
  const auto bytes = trade_stream(n);
  std::uint64_t total = 0;
  for (auto _ : state) {
    dtc::Decoder d;
    double sum = 0;
    for (std::size_t off = 0; off < bytes.size(); off += 65536) {
      const std::size_t len = std::min<std::size_t>(65536, bytes.size() - off);
      d.feed(std::span<const std::uint8_t>(bytes.data() + off, len));
      while (auto m = d.next()) {
        if (const auto* t = std::get_if<dtc::MarketDataUpdateTrade>(&m->value())) sum += t->price;
        ++total;
      }
    }
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(total));
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes.size()) * state.iterations());
}
BENCHMARK(BM_DecodeTrades)->Unit(benchmark::kMillisecond);

// Encoding trades as the replay does (SCID record -> 107 frame).
void BM_EncodeTrades(benchmark::State& state) {
  std::vector<std::uint8_t> out;
  out.reserve(1 << 22);
  std::uint64_t total = 0;
  for (auto _ : state) {
    out.clear();
    for (int i = 0; i < 100'000; ++i) {
      dtc::MarketDataUpdateTrade t;
      t.symbol_id = 1;
      t.price = 5000.25;
      t.volume = 2;
      t.date_time = 1.74e9 + i * 1e-3;
      dtc::encode_into(t, out);
    }
    total += 100'000;
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(total));
}
BENCHMARK(BM_EncodeTrades)->Unit(benchmark::kMillisecond);

struct Counter : net::ClientListener {
  std::atomic<std::uint64_t> trades{0};
  std::uint64_t target = 0;
  std::mutex mutex;
  std::condition_variable cv;
  void on_message(const dtc::Message& m) override {
    if (std::holds_alternative<dtc::MarketDataUpdateTrade>(m) && ++trades == target) {
      std::lock_guard l(mutex);
      cv.notify_all();
    }
  }
};

// The whole path over loopback at speed max: connect, log on, subscribe, receive every trade.
void BM_LoopbackReplay(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  std::vector<scid::Record> records(n);
  for (std::size_t i = 0; i < n; ++i) {
    auto& r = records[i];
    r.date_time = 1'741'012'200'000'000 + scid::kEpochOffsetUs + static_cast<std::int64_t>(i) * 100;
    r.close = 5000.0F + 0.25F * static_cast<float>(i % 8);
    r.low = 5000.0F;  // a steady quote: trades dominate the stream
    r.high = 5002.0F;
    r.num_trades = 1;
    r.total_volume = 1;
    r.ask_volume = 1;
  }
  sim::SimServerConfig config;
  config.exchange.symbol = "ESZ25";
  config.speed = sim::ReplaySpeed::parse("max").value();
  sim::SimServer app(config, records);
  net::ServerOptions so;
  so.port = 0;
  net::Server server(so, app);
  app.attach(server);
  if (!server.start()) {
    state.SkipWithError("cannot listen");
    return;
  }
  std::uint64_t total = 0;
  for (auto _ : state) {
    Counter counter;
    counter.target = n;
    net::ClientOptions co;
    co.port = server.port();
    co.reconnect = false;
    net::Client client(co, counter);
    dtc::MarketDataRequest sub;
    sub.symbol_id = 1;
    sub.symbol = "ESZ25";
    client.subscribe(sub);
    client.start();
    {
      std::unique_lock l(counter.mutex);
      if (!counter.cv.wait_for(l, std::chrono::seconds(60), [&] { return counter.trades.load() >= n; })) {
        state.SkipWithError("timed out waiting for the trades");
        break;
      }
    }
    client.stop();
    total += n;
  }
  server.stop();
  state.SetItemsProcessed(static_cast<std::int64_t>(total));
}
BENCHMARK(BM_LoopbackReplay)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
