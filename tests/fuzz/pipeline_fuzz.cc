// libFuzzer target for the data-plane pipeline: arbitrary frames (the first input byte picks the
// receive flags and interface) go through a pipeline with NAT, DR, TUN and FULLNAT services over
// IPv4 and IPv6 (one persistent), with a connection table that lives across inputs, so that
// replies, ICMP errors and fragments find connections to act on. AddressSanitizer catches any
// access outside the buffer; the checks below catch a verdict that lies.
//   cmake -S . -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang
//   -DVSD_FUZZ=ON -DVSD_BENCH=OFF && cmake --build build-fuzz --target pipeline_fuzz &&
//   build-fuzz/tests/fuzz/pipeline_fuzz -max_total_time=60 tests/fuzz/packet_corpus
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "conn/connection_table.h"
#include "core/model.h"
#include "core/snapshot.h"
#include "dataplane/pipeline.h"
#include "sched/catalog.h"

namespace vsd::dataplane {
namespace {

void require(bool condition) {
  if (!condition) __builtin_trap();
}

IpAddress ip(const char* text) {
  return *IpAddress::parse(text);
}

packet::MacAddress mac(uint8_t last) {
  return packet::MacAddress{{0x02, 0, 0, 0, 0, last}};
}

struct World {
  World() : model(sched::catalog()), table(conn::TableConfig{4096, 1024, 1}) {
    const struct {
      core::Protocol protocol;
      const char* vip;
      uint16_t port;
      const char* server;
      uint16_t server_port;
      core::ForwardMethod method;
      uint32_t persistence;
    } services[] = {
        {core::Protocol::tcp, "192.168.2.11", 80, "10.10.10.11", 8080, core::ForwardMethod::masq,
         0},
        {core::Protocol::udp, "192.168.2.11", 53, "10.10.10.12", 53, core::ForwardMethod::route, 0},
        {core::Protocol::tcp, "192.168.2.12", 80, "10.10.10.13", 80, core::ForwardMethod::tunnel,
         0},
        {core::Protocol::udp, "192.168.2.12", 0, "10.10.10.11", 0, core::ForwardMethod::fullnat,
         300},
        {core::Protocol::tcp, "2001:db8:2::11", 80, "2001:db8:10::11", 8080,
         core::ForwardMethod::fullnat, 0},
        {core::Protocol::udp, "2001:db8:2::11", 53, "2001:db8:10::12", 53,
         core::ForwardMethod::tunnel, 0},
        {core::Protocol::sctp, "192.168.2.13", 80, "10.10.10.11", 80, core::ForwardMethod::route,
         0},
    };
    for (const auto& s : services) {
      core::ServiceConfig c;
      c.key = core::ServiceKey::virtual_address(s.protocol, ip(s.vip), s.port);
      c.scheduler = "rr";
      if (s.persistence) {
        c.flags |= core::service_flag::persistent;
        c.persistence_timeout_s = s.persistence;
      }
      if (c.key.family == AddressFamily::v6) c.persistence_prefix = 128;
      (void)model.apply(core::AddService{c});
      core::DestinationConfig d;
      d.address = ip(s.server);
      d.port = s.server_port;
      d.method = s.method;
      (void)model.apply(core::AddDestination{c.key, d});
    }
    snapshot = core::Snapshot::build(model, nullptr, sched::catalog());

    DataplaneSettings settings;
    InterfaceSettings eth0{"eth0", mac(1), 1500, ip("192.168.2.1"), ip("2001:db8:2::1"), 24, 64};
    InterfaceSettings eth1{"eth1", mac(2), 1400, ip("10.10.10.1"), ip("2001:db8:10::1"), 24, 64};
    settings.interfaces = {eth0, eth1};
    settings.routes = {{ip("0.0.0.0"), 0, ip("192.168.2.254"), 0},
                       {ip("::"), 0, ip("2001:db8:2::fe"), 0}};
    settings.neighbours = {{ip("192.168.2.254"), mac(0xfe), 0},
                           {ip("10.10.10.11"), mac(0x11), 1},
                           {ip("10.10.10.12"), mac(0x12), 1},
                           {ip("2001:db8:10::11"), mac(0x11), 1}};
    settings.fullnat_addresses = {ip("10.10.10.100"), ip("2001:db8:10::100")};
    settings.fullnat_first_port = 60000;
    settings.fullnat_last_port = 60063;  // small: exhaustion is reachable
    shared = std::make_unique<DataplaneShared>(settings, table);
    pipeline = std::make_unique<Pipeline>(*shared, 0);
  }

  core::Model model;
  std::shared_ptr<const core::Snapshot> snapshot;
  conn::ConnectionTable table;
  std::unique_ptr<DataplaneShared> shared;
  std::unique_ptr<Pipeline> pipeline;
  int64_t clock_ms = 1000;
};

}  // namespace
}  // namespace vsd::dataplane

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vsd;
  using namespace vsd::dataplane;
  static World world;
  if (size == 0 || size > 9100) return 0;
  constexpr uint32_t kHeadroom = 128;
  std::vector<uint8_t> storage(kHeadroom + size - 1 + 1024);
  std::memcpy(storage.data() + kHeadroom, data + 1, size - 1);
  xmit::PacketBuffer buffer(storage, kHeadroom, static_cast<uint32_t>(size - 1));
  RxInfo rx;
  rx.interface = data[0] & 0x03;  // 2 and 3 do not exist: read as 0
  rx.checksum_partial = (data[0] & 0x04) != 0;
  rx.checksum_verified = (data[0] & 0x08) != 0;
  rx.oversized = (data[0] & 0xf0) == 0xf0;
  world.clock_ms += (data[0] >> 4) * 250;  // connections and fragments expire now and then
  const Instant now{milliseconds(world.clock_ms)};
  const uint64_t before = world.pipeline->counters()[Counter::received];
  world.pipeline->begin_batch(now);
  const Outcome o = world.pipeline->process(buffer, rx, *world.snapshot, now);

  const WorkerCounters& c = world.pipeline->counters();
  require(c[Counter::received] == before + 1);
  require(o.reason != Counter::received && o.reason < Counter::count_);
  uint64_t outcomes = 0;
  for (size_t i = 1; i < kCounterCount; ++i) outcomes += c.values[i];
  require(outcomes == c[Counter::received]);
  // The frame stays inside its buffer; a transmitted one has a link header and a known link.
  require(size_t{buffer.offset()} + buffer.length() <= storage.size());
  if (o.verdict == Verdict::transmit) {
    require(buffer.length() >= 14);
    require(o.interface < 2);
  }
  return 0;
}
