#pragma once

// Test support: a director with two links, as the pipeline fixtures use it.
//   eth0 (02:00:00:00:00:01) 192.168.2.1/24, 2001:db8:2::1/64: clients, behind the router
//        192.168.2.254 / 2001:db8:2::fe (02:00:00:00:fe:fe); the VIPs are on this side.
//   eth1 (02:00:00:00:00:02) 10.10.10.1/24, 2001:db8:10::1/64: real servers 10.10.10.11 and .12
//        (02:00:00:00:01:11, 02:00:00:00:01:12), 2001:db8:10::11 (02:00:00:00:01:11).
//   FULLNAT local addresses 10.10.10.100 and 2001:db8:10::100.
// Services, the connection table and snapshots are the real ones (tests/conn/lab.h).
#include <gtest/gtest.h>

#include <memory>

#include "conn/lab.h"
#include "dataplane/frames.h"
#include "dataplane/pipeline.h"

namespace vsd::dataplane::testing {

inline const packet::MacAddress kEth0 = mac(0x01);
inline const packet::MacAddress kEth1 = mac(0x02);
inline const packet::MacAddress kRouter = mac(0xfe, 0xfe);
inline const packet::MacAddress kServer11 = mac(0x11, 0x01);
inline const packet::MacAddress kServer12 = mac(0x12, 0x01);

inline DataplaneSettings lab_settings() {
  DataplaneSettings s;
  InterfaceSettings eth0;
  eth0.name = "eth0";
  eth0.mac = kEth0;
  eth0.ipv4 = ip("192.168.2.1");
  eth0.ipv4_prefix = 24;
  eth0.ipv6 = ip("2001:db8:2::1");
  eth0.ipv6_prefix = 64;
  InterfaceSettings eth1;
  eth1.name = "eth1";
  eth1.mac = kEth1;
  eth1.ipv4 = ip("10.10.10.1");
  eth1.ipv4_prefix = 24;
  eth1.ipv6 = ip("2001:db8:10::1");
  eth1.ipv6_prefix = 64;
  s.interfaces = {eth0, eth1};
  s.routes = {{ip("0.0.0.0"), 0, ip("192.168.2.254"), 0}, {ip("::"), 0, ip("2001:db8:2::fe"), 0}};
  s.neighbours = {{ip("192.168.2.254"), kRouter, 0},
                  {ip("2001:db8:2::fe"), kRouter, 0},
                  {ip("10.10.10.11"), kServer11, 1},
                  {ip("10.10.10.12"), kServer12, 1},
                  {ip("2001:db8:10::11"), kServer11, 1}};
  s.fullnat_addresses = {ip("10.10.10.100"), ip("2001:db8:10::100")};
  return s;
}

inline Instant at(double s) {
  return conn::testing::at_seconds(s);
}

class PipelineLab {
 public:
  explicit PipelineLab(DataplaneSettings settings = lab_settings())
      : shared(std::move(settings), lab.table), pipeline(shared, 0) {}

  struct Result {
    Outcome outcome;
    Bytes out;
  };
  // Runs one frame through the pipeline in a buffer with 128 bytes of headroom.
  Result run(const Bytes& in, double seconds = 1.0, RxInfo rx = {}) {
    constexpr uint32_t kHeadroom = 128;
    storage.assign(kHeadroom + std::max<size_t>(in.size(), 1600) + 64, 0);
    std::copy(in.begin(), in.end(), storage.begin() + kHeadroom);
    xmit::PacketBuffer buffer(storage, kHeadroom, static_cast<uint32_t>(in.size()));
    pipeline.begin_batch(at(seconds));
    Result r;
    r.outcome = pipeline.process(buffer, rx, *lab.snapshot, at(seconds));
    const auto f = buffer.frame();
    r.out.assign(f.begin(), f.end());
    return r;
  }
  uint64_t count(Counter c) const { return pipeline.counters()[c]; }

  conn::testing::Lab lab;
  DataplaneShared shared;
  Pipeline pipeline;
  std::vector<uint8_t> storage;
};

}  // namespace vsd::dataplane::testing
