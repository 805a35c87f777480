#include "dataplane/pcap_replay.h"

#include <algorithm>
#include <vector>

#include "dataplane/pcap_file.h"

namespace vsd::dataplane {
namespace {

// Room in front of each frame for the tunnel's outer headers, and after it for replies (an ICMP
// error may be longer than the packet it answers).
constexpr uint32_t kHeadroom = 128;
constexpr uint32_t kTailroom = 1024;

}  // namespace

Result<ReplayReport> replay_pcap(const std::string& input, const std::string& output,
                                 DataplaneShared& shared, const core::Snapshot& snapshot) {
  auto reader = PcapReader::open(input);
  if (!reader) return reader.error();
  if (reader->link_type() != kLinkTypeEthernet)
    return Error{
        input + ": link type " + std::to_string(reader->link_type()) + " is not Ethernet (1)",
        EINVAL};
  auto writer = PcapWriter::create(output);
  if (!writer) return writer.error();

  Pipeline pipeline(shared, 0);
  ReplayReport report;
  PcapRecord record;
  std::vector<uint8_t> storage;
  for (;;) {
    auto more = reader->next(record);
    if (!more) return more.error();
    if (!*more) break;
    ++report.packets_read;
    const auto length = static_cast<uint32_t>(record.bytes.size());
    storage.assign(kHeadroom + std::max<uint32_t>(length, 1514) + kTailroom, 0);
    std::copy(record.bytes.begin(), record.bytes.end(), storage.begin() + kHeadroom);
    xmit::PacketBuffer buffer(storage, kHeadroom, length);
    const Instant now{record.timestamp};
    pipeline.begin_batch(now);
    const Outcome outcome = pipeline.process(buffer, RxInfo{}, snapshot, now);
    if (outcome.verdict != Verdict::transmit) continue;
    if (Status s = writer->write(record.timestamp, buffer.frame()); !s) return s.error();
    ++report.packets_written;
  }
  if (Status s = writer->close(); !s) return s.error();
  report.counters = pipeline.counters();
  return report;
}

}  // namespace vsd::dataplane
