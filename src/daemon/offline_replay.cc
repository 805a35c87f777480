#include "daemon/offline_replay.h"

#include <ostream>

#include "conn/connection_table.h"
#include "core/snapshot.h"
#include "daemon/config_loader.h"
#include "daemon/dataplane_settings.h"
#include "dataplane/pcap_replay.h"
#include "sched/catalog.h"

namespace vsd::daemon {

int run_offline_replay(const std::string& config_path, const config::LexOptions& lex,
                       const std::string& pcap_in, const std::string& pcap_out,
                       std::ostream& report) {
  config::Diagnostics d;
  auto loaded = load_configuration(config_path, lex, sched::catalog(), d);
  for (const auto& w : d.warnings()) report << w << " (warning)\n";
  for (const auto& e : d.errors()) report << e << "\n";
  if (!loaded) return 1;
  if (!loaded->configuration.dataplane) {
    report << config_path << ": offline replay needs a dataplane { } block (interfaces, routes, "
           << "neighbours)\n";
    return 1;
  }
  auto settings = dataplane_settings(*loaded->configuration.dataplane);
  if (!settings) {
    report << settings.error().message << "\n";
    return 1;
  }
  settings->workers = 1;  // one pipeline, in packet order: the replay is deterministic

  const auto snapshot = core::Snapshot::build(*loaded->model, nullptr, sched::catalog());
  conn::ConnectionTable table(conn::TableConfig{1u << 16, 1u << 14, 0x5eed});
  const auto& t = loaded->configuration.global.lvs_timeouts;
  table.timeouts().set(t.tcp.value_or(0), t.tcpfin.value_or(0), t.udp.value_or(0));
  dataplane::DataplaneShared shared(std::move(*settings), table);
  auto result = dataplane::replay_pcap(pcap_in, pcap_out, shared, *snapshot);
  if (!result) {
    report << "vsd: " << result.error().message << "\n";
    return 1;
  }
  report << pcap_in << ": " << result->packets_read << " packets read, " << result->packets_written
         << " written to " << pcap_out << "\n";
  for (size_t i = 1; i < dataplane::kCounterCount; ++i) {
    const uint64_t n = result->counters.values[i];
    if (n != 0)
      report << "  " << dataplane::to_string(static_cast<dataplane::Counter>(i)) << " " << n
             << "\n";
  }
  report << "connections " << table.size() << "\n";
  return 0;
}

}  // namespace vsd::daemon
