// Per-packet cost of what the pipeline does to every NAT packet: parse the frame, then rewrite
// the destination address and port with incremental checksum updates (IPVS's DNAT). Also the
// full RFC 1071 sum over a 1500-byte packet, for comparison with the incremental path.
#include <benchmark/benchmark.h>

#include <span>
#include <vector>

#include "packet/checksum.h"
#include "packet/fixtures.h"
#include "packet/l4_checksum.h"
#include "packet/nat_rewrite.h"
#include "packet/parse.h"

namespace vsd::packet {
namespace {

constexpr size_t kBatch = 256;

// A batch of identical frames padded to the 64-byte minimum; each benchmark walks the batch so
// that one iteration is one packet.
std::vector<std::vector<uint8_t>> batch_of(std::span<const uint8_t> fixture) {
  std::vector<uint8_t> frame(fixture.begin(), fixture.end());
  if (frame.size() < 64) frame.resize(64, 0);
  return std::vector<std::vector<uint8_t>>(kBatch, frame);
}

void BM_ParseTcpIpv4(benchmark::State& state) {
  auto frames = batch_of(fixtures::kTcpSyn);
  size_t i = 0;
  for (auto _ : state) {
    ParsedPacket p = parse_frame(frames[i++ % kBatch]);
    benchmark::DoNotOptimize(p);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseTcpIpv4);

void BM_ParseAndDnatTcpIpv4(benchmark::State& state) {
  auto frames = batch_of(fixtures::kTcpSyn);
  size_t i = 0;
  uint32_t address = 0x0a000001;
  for (auto _ : state) {
    std::span<uint8_t> frame(frames[i++ % kBatch]);
    ParsedPacket p = parse_frame(frame);
    if (p.ok()) {
      rewrite_ipv4_destination(frame, p, address);
      rewrite_destination_port(frame, p, static_cast<uint16_t>(address));
    }
    ++address;  // a different real server each time: every rewrite changes the bytes
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseAndDnatTcpIpv4);

void BM_ParseAndFullNatTcpIpv4(benchmark::State& state) {
  // FULLNAT touches all four: client -> local address/port, virtual -> real address/port.
  auto frames = batch_of(fixtures::kTcpSyn);
  size_t i = 0;
  uint32_t address = 0x0a000001;
  for (auto _ : state) {
    std::span<uint8_t> frame(frames[i++ % kBatch]);
    ParsedPacket p = parse_frame(frame);
    if (p.ok()) {
      rewrite_ipv4_source(frame, p, address ^ 0x00ff0000);
      rewrite_ipv4_destination(frame, p, address);
      rewrite_source_port(frame, p, static_cast<uint16_t>(address >> 3));
      rewrite_destination_port(frame, p, static_cast<uint16_t>(address));
    }
    ++address;
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseAndFullNatTcpIpv4);

void BM_ParseAndDnatUdpIpv6Chain(benchmark::State& state) {
  auto frames = batch_of(fixtures::kUdp6Chain);
  size_t i = 0;
  Ipv6Bytes address{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  for (auto _ : state) {
    std::span<uint8_t> frame(frames[i++ % kBatch]);
    ParsedPacket p = parse_frame(frame);
    if (p.ok()) {
      rewrite_ipv6_destination(frame, p, address);
      rewrite_destination_port(frame, p, address[15]);
    }
    ++address[15];
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseAndDnatUdpIpv6Chain);

void BM_FinishPartialChecksumTcpIpv4(benchmark::State& state) {
  auto frames = batch_of(fixtures::kTcpSyn);
  size_t i = 0;
  for (auto _ : state) {
    std::span<uint8_t> frame(frames[i++ % kBatch]);
    ParsedPacket p = parse_frame(frame);
    benchmark::DoNotOptimize(finish_partial_l4_checksum(frame, p));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FinishPartialChecksumTcpIpv4);

void BM_ChecksumBytes(benchmark::State& state) {
  std::vector<uint8_t> bytes(static_cast<size_t>(state.range(0)), 0xa5);
  for (auto _ : state) benchmark::DoNotOptimize(checksum_accumulate(bytes));
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_ChecksumBytes)->Arg(20)->Arg(64)->Arg(1500)->Arg(9000);

}  // namespace
}  // namespace vsd::packet

BENCHMARK_MAIN();
