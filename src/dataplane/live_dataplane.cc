#include "dataplane/live_dataplane.h"

#include <net/if.h>

#include <array>

#include "dataplane/afpacket_port.h"
#include "dataplane/afxdp_port.h"
#include "dataplane/kernel_filter.h"
#include "dataplane/rtnetlink.h"

namespace vsd::dataplane {
namespace {

constexpr int kPollMs = 100;
constexpr auto kResolverPeriod = milliseconds(200);

Instant steady_now() {
  return SteadyClock().now();
}

}  // namespace

LiveDataplane::LiveDataplane(DataplaneSettings settings, const core::SnapshotPublisher& snapshots,
                             Options options)
    : snapshots_(snapshots),
      options_(options),
      table_(conn::TableConfig{1u << 20, 1u << 16, 0}),
      shared_(std::move(settings), table_) {}

Result<std::unique_ptr<LiveDataplane>> LiveDataplane::start(
    DataplaneSettings settings, const core::SnapshotPublisher& snapshots,
    const conn::Timeouts& timeouts, Options options) {
  if (settings.workers == 0) settings.workers = 1;
  const bool xdp = settings.backend == Backend::afxdp;
  if (xdp) options.kernel_filter = false;  // the XDP program keeps the frames from the kernel
  std::unique_ptr<LiveDataplane> d(new LiveDataplane(std::move(settings), snapshots, options));
  const conn::TimeoutSummary t = timeouts.summary();
  d->table_.timeouts().set(t.tcp_s, t.tcpfin_s, t.udp_s);
  const DataplaneSettings& s = d->shared_.settings();
  for (const InterfaceSettings& itf : s.interfaces)
    d->kernel_index_.push_back(static_cast<int>(if_nametoindex(itf.name.c_str())));
  if (xdp) {
    auto program = XdpProgram::load(s);
    if (!program) return program.error();
    d->program_ = std::move(*program);
  }
  for (unsigned w = 0; w < s.workers; ++w) {
    if (xdp) {
      auto port = AfXdpPort::open(s, w, *d->program_);
      if (!port) return port.error();
      d->ports_.push_back(std::move(*port));
    } else {
      auto port = AfPacketPort::open(s, w);
      if (!port) return port.error();
      d->ports_.push_back(std::move(*port));
    }
    d->pipelines_.push_back(std::make_unique<Pipeline>(d->shared_, w));
  }
  if (auto snapshot = snapshots.current())
    if (Status st = d->snapshot_changed(*snapshot); !st) return st.error();
  for (size_t w = 0; w < d->ports_.size(); ++w)
    d->threads_.emplace_back([raw = d.get(), w] { raw->run_worker(w); });
  d->threads_.emplace_back([raw = d.get()] { raw->run_resolver(); });
  return d;
}

LiveDataplane::~LiveDataplane() {
  stop_.store(true, std::memory_order_relaxed);
  resolver_wake_.notify_all();
  for (std::thread& t : threads_) t.join();
  if (options_.kernel_filter) [[maybe_unused]]
    Status s = apply_nft(kernel_filter_removal());
}

Status LiveDataplane::snapshot_changed(const core::Snapshot& snapshot) {
  if (program_) return program_->update(snapshot, shared_.settings());
  if (!options_.kernel_filter) return ok_status();
  return apply_nft(kernel_filter_script(snapshot, shared_.settings()));
}

WorkerCounters LiveDataplane::counters() const {
  WorkerCounters sum;
  for (const auto& p : pipelines_)
    for (size_t i = 0; i < kCounterCount; ++i) sum.values[i] += p->counters().load(i);
  return sum;
}

void LiveDataplane::run_worker(size_t index) {
  PacketPort& port = *ports_[index];
  Pipeline& pipeline = *pipelines_[index];
  std::array<xmit::PacketBuffer, Pipeline::kMaxBatch> buffers;
  std::array<RxInfo, Pipeline::kMaxBatch> rx{};
  std::array<Outcome, Pipeline::kMaxBatch> outcomes{};
  while (!stop_.load(std::memory_order_relaxed)) {
    const size_t n = port.receive(buffers, rx, kPollMs);
    const Instant now = steady_now();
    pipeline.begin_batch(now);
    if (n == 0) continue;
    const std::shared_ptr<const core::Snapshot> snapshot = snapshots_.current();
    if (!snapshot) continue;
    const std::span<xmit::PacketBuffer> batch(buffers.data(), n);
    const std::span<Outcome> decided(outcomes.data(), n);
    pipeline.process_batch(batch, std::span<const RxInfo>(rx.data(), n), decided, *snapshot, now);
    port.complete(batch, decided);
  }
}

void LiveDataplane::run_resolver() {
  auto netlink = Rtnetlink::open();
  const DataplaneSettings& s = shared_.settings();
  std::vector<RouteSettings> kernel_routes;
  while (!stop_.load(std::memory_order_relaxed)) {
    if (netlink && options_.kernel_routes) {
      if (auto found = netlink->neighbours(kernel_index_))
        for (const NeighbourSettings& n : *found)
          shared_.neighbours().learn(n.address, n.mac, n.interface);
      if (auto routes = netlink->routes(kernel_index_); routes && *routes != kernel_routes) {
        kernel_routes = std::move(*routes);
        auto table = std::make_shared<RouteTable>(s);
        for (const RouteSettings& r : kernel_routes) table->add(r);
        shared_.publish_routes(std::move(table));
      }
      // A wanted next hop is on the link of the route that leads to it.
      const auto routes = shared_.routes();
      for (const IpAddress& wanted : shared_.neighbours().unresolved()) {
        auto hop = routes->lookup(wanted);
        if (hop && hop->interface < kernel_index_.size() && kernel_index_[hop->interface] > 0)
            [[maybe_unused]]
          Status st = netlink->resolve(kernel_index_[hop->interface], wanted);
      }
    }
    std::unique_lock lock(resolver_mutex_);
    resolver_wake_.wait_for(lock, kResolverPeriod,
                            [this] { return stop_.load(std::memory_order_relaxed); });
  }
}

}  // namespace vsd::dataplane
