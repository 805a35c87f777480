#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/time.h"

namespace vsd::dataplane {

// The classic libpcap capture format (https://www.tcpdump.org/manpages/pcap-savefile.5.html):
// a 24-byte file header, then a 16-byte record header before each packet. Both byte orders and
// both microsecond (0xa1b2c3d4) and nanosecond (0xa1b23c4d) timestamps are read; files are
// written little-endian with nanosecond timestamps, link type Ethernet. Written here rather
// than through libpcap: forty lines, and no dependency for offline replay.
inline constexpr uint32_t kLinkTypeEthernet = 1;

struct PcapRecord {
  Duration timestamp{};  // since the epoch, as the capture says
  uint32_t original_length = 0;
  std::vector<uint8_t> bytes;  // what was captured (may be shorter than original_length)
};

class PcapReader {
 public:
  static Result<PcapReader> open(const std::string& path);
  // The next record into `record` (its buffer reused); false at the end of the file.
  // A record cut short by the end of the file is an error.
  Result<bool> next(PcapRecord& record);
  uint32_t link_type() const { return link_type_; }

 private:
  struct Closer {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  std::unique_ptr<std::FILE, Closer> file_;
  std::string path_;
  bool swapped_ = false;
  bool nanoseconds_ = false;
  uint32_t link_type_ = 0;
  uint32_t snap_length_ = 0;
};

class PcapWriter {
 public:
  static Result<PcapWriter> create(const std::string& path, uint32_t snap_length = 262144);
  Status write(Duration timestamp, std::span<const uint8_t> frame);
  Status close();

 private:
  struct Closer {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  std::unique_ptr<std::FILE, Closer> file_;
  std::string path_;
  uint32_t snap_length_ = 0;
};

}  // namespace vsd::dataplane
