// Behaviour matched: net/netfilter/ipvs/ip_vs_conn.c (lookups, state changes and expiry from
// several CPUs at once; per-destination ActiveConn/InActConn stay equal to the connections).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <thread>
#include <tuple>
#include <vector>

#include "common/random.h"
#include "lab.h"

namespace vsd::conn {
namespace {

using core::ForwardMethod;
using core::Protocol;
using testing::ip;

bool active_state(std::string_view s) {
  return s == "ESTABLISHED" || s == "SYN_SENT" || s == "SYN_RECV" || s == "SYNACK";
}

TEST(Stress, FourWorkersInsertLookUpTransitionAndExpireAtOnce) {
  testing::Lab lab(TableConfig{16384, 64, 99});  // room for every flow of the client space
  auto web = lab.add_service(Protocol::tcp, "192.168.2.11", 80);
  lab.add_destination(web, "10.10.10.1", 80, ForwardMethod::masq);
  lab.add_destination(web, "10.10.10.2", 80, ForwardMethod::route);
  lab.add_destination(web, "10.10.10.3", 80, ForwardMethod::fullnat);
  auto dns = lab.add_service(Protocol::udp, "192.168.2.11", 53, "rr", 30, 24);
  lab.add_destination(dns, "10.10.10.4", 53, ForwardMethod::masq);
  lab.add_destination(dns, "10.10.10.5", 53, ForwardMethod::masq);
  const core::ServiceView& web_view = lab.view(web);
  const core::ServiceView& dns_view = lab.view(dns);

  // One logical clock for everybody, 1 ms per operation: with 4 x 20000 operations the run
  // spans 80 s, long enough for SYN_RECV, CLOSE and template timeouts to expire under load.
  std::atomic<int64_t> clock_ns{0};
  std::atomic<uint64_t> reply_mismatches{0};
  std::atomic<uint64_t> unexpected_results{0};
  constexpr int kThreads = 4;
  constexpr int kOperations = 20000;

  auto worker = [&](unsigned id) {
    SplitMix64 rng(1000 + id);
    for (int op = 0; op < kOperations; ++op) {
      const Instant now{Duration{clock_ns.fetch_add(1'000'000, std::memory_order_relaxed)}};
      const uint64_t r = rng.next();
      // A small client space, so that workers collide on the same flows.
      const IpAddress client = IpAddress::v4(0x0a000000u | static_cast<uint32_t>(r % 512));
      const auto client_port = static_cast<uint16_t>(1000 + (r >> 16) % 8);
      const bool udp = (r >> 24) % 4 == 0;
      const uint8_t flags =
          std::array<uint8_t, 5>{tcp_flag::syn, tcp_flag::ack, tcp_flag::fin | tcp_flag::ack,
                                 tcp_flag::rst, tcp_flag::ack}[(r >> 32) % 5];
      switch ((r >> 40) % 8) {
        case 0:
        case 1:
        case 2: {
          Flow f;
          f.protocol = udp ? Protocol::udp : Protocol::tcp;
          f.client = client;
          f.client_port = client_port;
          f.virtual_address = ip("192.168.2.11");
          f.virtual_port = udp ? 53 : 80;
          f.tcp_flags = tcp_flag::syn;
          // A FULLNAT local port that is unique per client endpoint.
          f.local = Endpoint{ip("10.255.0.1"),
                             static_cast<uint16_t>(20000 + (client.v4_host_order() & 511) * 8 +
                                                   (client_port - 1000))};
          NewConnection n = create_connection(lab.table, udp ? dns_view : web_view, f, now, id);
          if (n.result != NewConnection::Result::created &&
              n.result != NewConnection::Result::existing)
            unexpected_results.fetch_add(1);
          break;
        }
        case 3:
        case 4:
        case 5: {
          Connection c =
              lab.table.lookup(InboundKey{udp ? Protocol::udp : Protocol::tcp, client, client_port,
                                          ip("192.168.2.11"), static_cast<uint16_t>(udp ? 53 : 80)},
                               now);
          if (!c) break;
          c.on_packet(Direction::input, flags, now);
          if (c.method() == ForwardMethod::route) break;
          // The same connection must be found by its reply tuple.
          const Endpoint peer = c.method() == ForwardMethod::fullnat ? c.local() : c.client();
          Connection reply = lab.table.lookup_reply(
              ReplyKey{udp ? Protocol::udp : Protocol::tcp, c.server().address, c.server().port,
                       peer.address, peer.port},
              now);
          if (!reply || reply.client() != c.client()) {
            reply_mismatches.fetch_add(1);
            break;
          }
          reply.on_packet(Direction::output, flags, now);
          break;
        }
        case 6:
          lab.table.expire(now, 64);
          break;
        default: {
          std::vector<InboundKey> keys;
          for (uint16_t p = 1000; p < 1008; ++p)
            keys.push_back(InboundKey{Protocol::tcp, client, p, ip("192.168.2.11"), 80});
          std::vector<Connection> out(keys.size());
          lab.table.lookup(keys, now, out);
          for (auto& c : out)
            if (c) c.on_packet(Direction::input, flags, now);
          break;
        }
      }
    }
  };
  std::vector<std::thread> threads;
  for (unsigned i = 0; i < kThreads; ++i) threads.emplace_back(worker, i);
  for (auto& t : threads) t.join();

  EXPECT_EQ(reply_mismatches.load(), 0u);
  EXPECT_EQ(unexpected_results.load(), 0u);
  EXPECT_EQ(lab.table.full_failures(), 0u);

  const Instant end{Duration{clock_ns.load()}};
  lab.table.expire_all_due(end);
  const auto rows = lab.table.list(end);
  EXPECT_EQ(rows.size(), lab.table.size());  // nothing lost: every entry is listed once
  EXPECT_GT(rows.size(), 100u);
  std::set<std::tuple<std::string_view, std::string, std::string, bool>> keys;
  std::map<std::string, std::tuple<uint32_t, uint32_t, uint32_t>> counts;
  for (const auto& r : rows) {
    // No duplicate: one entry per inbound tuple.
    EXPECT_TRUE(
        keys.emplace(r.protocol, to_string(r.client), to_string(r.virtual_endpoint), r.is_template)
            .second)
        << to_string(r.client);
    auto& [active, inactive, templates] = counts[r.destination.address.to_string()];
    if (r.is_template)
      ++templates;
    else if (active_state(r.state))
      ++active;
    else
      ++inactive;
  }
  for (const auto& [service, address, port] :
       std::vector<std::tuple<core::ServiceKey, const char*, uint16_t>>{{web, "10.10.10.1", 80},
                                                                        {web, "10.10.10.2", 80},
                                                                        {web, "10.10.10.3", 80},
                                                                        {dns, "10.10.10.4", 53},
                                                                        {dns, "10.10.10.5", 53}}) {
    core::RealServer* d = lab.destination(service, address, port);
    const auto [active, inactive, templates] = counts[address];
    EXPECT_EQ(d->active_connections(), active) << address;
    EXPECT_EQ(d->inactive_connections(), inactive) << address;
    EXPECT_EQ(d->persistent_connections(), templates) << address;
  }

  // Everything expires in the end, and every count returns to zero.
  lab.table.expire_all_due(end + hours(2));
  EXPECT_EQ(lab.table.size(), 0u);
  for (const auto& [service, address, port] :
       std::vector<std::tuple<core::ServiceKey, const char*, uint16_t>>{
           {web, "10.10.10.1", 80}, {web, "10.10.10.3", 80}, {dns, "10.10.10.4", 53}}) {
    core::RealServer* d = lab.destination(service, address, port);
    EXPECT_EQ(d->active_connections() + d->inactive_connections() + d->persistent_connections(), 0u)
        << address;
  }
}

// IPVS holds a reference on a connection in use: its timer does not free it (ip_vs_conn_expire).
// Readers hold what they found while writers expire entries and reuse their slots
// (a table of 64 slots for 256 flows, each UDP connection due 1 s after its packet, 40 ms per
// operation, the readers' clock half a second behind). A held entry must keep the key it was
// found by, and everything must end up counted once.
TEST(Stress, HeldEntriesKeepTheirKeyWhileOthersExpireAndReuseSlots) {
  testing::Lab lab(TableConfig{64, 16, 7});
  lab.table.timeouts().set(0, 0, 1);
  auto dns = lab.add_service(Protocol::udp, "192.168.2.11", 53);
  lab.add_destination(dns, "10.10.10.4", 53, ForwardMethod::masq);
  lab.add_destination(dns, "10.10.10.5", 53, ForwardMethod::route);
  const core::ServiceView& view = lab.view(dns);
  const IpAddress vip = ip("192.168.2.11");

  std::atomic<int64_t> clock_ns{0};
  std::atomic<uint64_t> found{0};
  std::atomic<uint64_t> wrong_key{0};
  constexpr int kOperations = 20000;
  auto client_of = [](uint64_t r) {
    return Endpoint{IpAddress::v4(0x0a000000u | static_cast<uint32_t>(r % 64)),
                    static_cast<uint16_t>(1000 + (r >> 8) % 4)};
  };
  auto writer = [&](unsigned id) {
    SplitMix64 rng(77 + id);
    for (int op = 0; op < kOperations; ++op) {
      const Instant now{Duration{clock_ns.fetch_add(40'000'000, std::memory_order_relaxed)}};
      const uint64_t r = rng.next();
      if (r % 4 == 0) {
        lab.table.expire(now, 64);
        continue;
      }
      const Endpoint client = client_of(r >> 2);
      Flow f;
      f.protocol = Protocol::udp;
      f.client = client.address;
      f.client_port = client.port;
      f.virtual_address = vip;
      f.virtual_port = 53;
      NewConnection n = create_connection(lab.table, view, f, now, id);
      if (n.result == NewConnection::Result::created)
        n.connection.on_packet(Direction::input, 0, now);
    }
  };
  auto reader = [&](unsigned id) {
    SplitMix64 rng(991 + id);
    std::vector<InboundKey> keys(4);
    std::vector<Connection> out(keys.size());
    for (int op = 0; op < kOperations; ++op) {
      // Half a second behind the writers: much of what a reader finds live is due to them.
      const Instant now{
          Duration{std::max<int64_t>(0, clock_ns.load(std::memory_order_relaxed) - 500'000'000)}};
      for (auto& key : keys) {
        const Endpoint client = client_of(rng.next());
        key = InboundKey{Protocol::udp, client.address, client.port, vip, 53};
      }
      // The batch path (the pipeline's) and the single one.
      lab.table.lookup(keys, now, out);
      out[0] = lab.table.lookup(keys[0], now);
      for (int pass = 0; pass < 2; ++pass) {
        for (size_t k = 0; k < keys.size(); ++k) {
          if (!out[k]) continue;
          if (pass == 0) found.fetch_add(1, std::memory_order_relaxed);
          if (out[k].client() != Endpoint{keys[k].client, keys[k].client_port} ||
              out[k].virtual_endpoint() != Endpoint{vip, 53} || out[k].ip_protocol() != 17)
            wrong_key.fetch_add(1, std::memory_order_relaxed);
        }
        std::this_thread::yield();  // the writers expire and reuse meanwhile
      }
      for (auto& c : out) c.reset();
    }
  };
  std::vector<std::thread> threads;
  for (unsigned i = 0; i < 2; ++i) threads.emplace_back(writer, i);
  for (unsigned i = 0; i < 2; ++i) threads.emplace_back(reader, i);
  for (auto& t : threads) t.join();

  EXPECT_EQ(wrong_key.load(), 0u);
  EXPECT_GT(found.load(), 1000u);  // the readers did hold entries while slots were reused
  const Instant end{Duration{clock_ns.load()}};
  lab.table.expire_all_due(end + hours(1));
  EXPECT_EQ(lab.table.size(), 0u);
  for (const char* address : {"10.10.10.4", "10.10.10.5"}) {
    core::RealServer* d = lab.destination(dns, address, 53);
    EXPECT_EQ(d->active_connections() + d->inactive_connections(), 0u) << address;
  }
}

}  // namespace
}  // namespace vsd::conn
