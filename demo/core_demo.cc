// make demo: the IPVS core at work, offline. A virtual service is set up as `ipvsadm -A/-a`
// would, simulated clients open and close TCP connections through the scheduler and the
// connection table on a simulated clock (60 s of traffic in a fraction of a second), one real
// server is quiesced half way, and the result is printed as vsadm prints it: through the
// daemon's control service and vsadm's own formatting, the same code path as a live system.
#include <cstdio>
#include <iostream>

#include "api/control_service.h"
#include "cli/connection_listing.h"
#include "cli/daemon_json.h"
#include "cli/listing.h"
#include "common/random.h"
#include "conn/connection_table.h"
#include "conn/new_connection.h"
#include "core/snapshot.h"
#include "sched/catalog.h"

namespace {

using namespace vsd;

constexpr uint8_t kSyn = 0x02, kAck = 0x10, kFin = 0x01, kSynAck = kSyn | kAck,
                  kFinAck = kFin | kAck;

struct Client {
  conn::InboundKey key;
  Instant closes_at;
  bool open = false;
};

class Demo {
 public:
  Demo() {
    control_ = std::make_unique<api::ControlService>(
        model_, api::ControlHooks{.model_changed = [this] { publish(); },
                                  .list_connections = {},
                                  .get_timeouts = {},
                                  .set_timeouts = {},
                                  .start_sync_daemon = {},
                                  .stop_sync_daemon = {},
                                  .get_sync_daemons = {}});
  }

  void command(const std::string& shown, const std::string& op, const api::Json& args) {
    std::cout << "# vsadm " << shown << "\n";
    auto r = control_->handle(api::Request{1, op, args});
    if (!r.ok()) std::cout << "  refused: " << r.error.message << "\n";
  }

  void run_traffic(Duration length, Duration quiesce_at) {
    SplitMix64 random(2026);
    const Duration tick = milliseconds(10);
    std::vector<Client> clients;
    bool quiesced = false;
    for (Instant t = start_; t < start_ + length; t += tick) {
      if (!quiesced && t >= start_ + quiesce_at) {
        std::cout << "\n[t=" << (t - start_) / seconds(1)
                  << "s] real server 10.10.10.13 quiesced (weight 0), as keepalived's "
                     "inhibit_on_failure does: new clients avoid it, its connections drain\n";
        command("-e -t 192.168.2.11:80 -r 10.10.10.13:80 -m -w 0", api::op::edit_server,
                destination("10.10.10.13", 0));
        quiesced = true;
      }
      // About 200 new clients per second; each keeps its connection 1 to 20 s.
      for (int n = 0; n < 2; ++n) {
        Client c;
        c.key.client = IpAddress::v4(0xcb007100u + static_cast<uint32_t>(random.below(250)));
        c.key.client_port = static_cast<uint16_t>(1024 + next_port_++ % 60000);
        c.key.virtual_address = *IpAddress::parse("192.168.2.11");
        c.key.virtual_port = 80;
        c.closes_at = t + milliseconds(1000 + static_cast<int64_t>(random.below(19000)));
        if (open(c, t)) clients.push_back(c);
      }
      for (auto& c : clients)
        if (c.open && c.closes_at <= t) close(c, t);
      std::erase_if(clients, [](const Client& c) { return !c.open; });
      table_.expire(t, 4096);
      if ((t - start_) % seconds(2) == Duration{0}) core::sample_rates(model_);
      now_ = t;
    }
  }

  void show(const char* title, cli::ListingFormat format) {
    std::cout << "\n# vsadm -L -n" << title << "\n";
    auto listed = control_->handle(api::Request{1, api::op::list, api::Json::object()});
    auto rows = cli::service_rows_from_json(*listed.result);
    cli::ListingOptions options;
    options.format = format;
    options.names.numeric = true;
    std::cout << cli::format_listing(*rows, options);
  }

  void show_connections(size_t lines) {
    std::cout << "\n# vsadm -L -n -c   (first " << lines << " of " << table_.size() << ")\n";
    std::vector<cli::ConnectionRow> rows;
    for (const auto& c : table_.list(now_)) {
      if (rows.size() == lines) break;
      rows.push_back(cli::ConnectionRow{
          c.protocol == "UDP" ? uint8_t{17} : uint8_t{6},
          static_cast<uint32_t>(std::chrono::duration_cast<seconds>(c.expires_in).count()),
          std::string(c.state),
          c.client,
          c.virtual_endpoint,
          c.destination,
          {},
          {}});
    }
    cli::ConnectionListingOptions options;
    options.names.numeric = true;
    std::cout << cli::format_connections(rows, options);
  }

  static api::Json destination(const char* address, int weight) {
    return {{"service", {{"protocol", "tcp"}, {"address", "192.168.2.11"}, {"port", 80}}},
            {"destination",
             {{"address", address}, {"port", 80}, {"method", "masq"}, {"weight", weight}}}};
  }

 private:
  void publish() { snapshot_ = core::Snapshot::build(model_, snapshot_.get(), sched::catalog()); }

  // A TCP handshake and a request/response, as a NAT director sees both directions.
  bool open(Client& c, Instant t) {
    const core::ServiceView* service =
        snapshot_->lookup(core::Protocol::tcp, c.key.virtual_address, c.key.virtual_port);
    conn::Flow flow{core::Protocol::tcp,
                    c.key.client,
                    c.key.client_port,
                    c.key.virtual_address,
                    c.key.virtual_port,
                    kSyn,
                    {}};
    auto made = conn::create_connection(table_, *service, flow, t, 0);
    if (made.result != conn::NewConnection::Result::created) return false;
    conn::Connection& k = made.connection;
    k.count_inbound(0, 60);
    k.on_packet(conn::Direction::output, kSynAck, t);
    k.count_outbound(0, 60);
    k.on_packet(conn::Direction::input, kAck, t);
    k.count_inbound(0, 52 + 400);  // the request
    k.on_packet(conn::Direction::output, kAck, t);
    k.count_outbound(0, 52 + 12000);  // the response
    c.open = true;
    return true;
  }

  void close(Client& c, Instant t) {
    conn::Connection k = table_.lookup(c.key, t);
    c.open = false;
    if (!k) return;
    k.on_packet(conn::Direction::input, kFinAck, t);
    k.count_inbound(0, 52);
    k.on_packet(conn::Direction::output, kFinAck, t);
    k.count_outbound(0, 52);
    k.on_packet(conn::Direction::input, kAck, t);
    k.count_inbound(0, 52);
  }

  core::Model model_{sched::catalog()};
  std::shared_ptr<const core::Snapshot> snapshot_;
  std::unique_ptr<api::ControlService> control_;
  conn::ConnectionTable table_{conn::TableConfig{1u << 16, 1u << 10, 0}};
  Instant start_{seconds(1'000'000)};
  Instant now_ = start_;
  uint32_t next_port_ = 0;
};

}  // namespace

int main() {
  Demo demo;
  std::cout << "vsd core demonstration (offline: simulated clients and clock; the live data\n"
               "plane comes with its own issue)\n\n";
  demo.command("-A -t 192.168.2.11:80 -s wlc", api::op::add_service,
               {{"service", {{"protocol", "tcp"}, {"address", "192.168.2.11"}, {"port", 80}}},
                {"scheduler", "wlc"}});
  demo.command("-a -t 192.168.2.11:80 -r 10.10.10.11:80 -m -w 1", api::op::add_server,
               Demo::destination("10.10.10.11", 1));
  demo.command("-a -t 192.168.2.11:80 -r 10.10.10.12:80 -m -w 2", api::op::add_server,
               Demo::destination("10.10.10.12", 2));
  demo.command("-a -t 192.168.2.11:80 -r 10.10.10.13:80 -m -w 3", api::op::add_server,
               Demo::destination("10.10.10.13", 3));
  demo.command("-a -t 192.168.2.11:80 -r 10.10.10.13:80 -m -w 3   (a mistake: refused)",
               api::op::add_server, Demo::destination("10.10.10.13", 3));
  std::cout << "\n60 s of traffic: ~200 new TCP clients per second, each staying 1-20 s\n";
  demo.run_traffic(seconds(60), seconds(30));
  demo.show("", cli::ListingFormat::plain);
  demo.show(" --stats", cli::ListingFormat::stats);
  demo.show(" --rate", cli::ListingFormat::rate);
  demo.show_connections(8);
  std::cout << "\nwlc spreads active connections in proportion to weight (1:2:3 until t=30s);\n"
               "10.10.10.13's ActiveConn fell to 0 after it was quiesced, while its earlier\n"
               "connections lived out their TIME_WAIT as inactive ones.\n";
  return 0;
}
