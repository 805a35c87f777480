#include "dataplane/pcap_file.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace vsd::dataplane {
namespace {

constexpr uint32_t kMagicMicro = 0xa1b2c3d4;
constexpr uint32_t kMagicNano = 0xa1b23c4d;
// Larger records are refused: a corrupt length must not turn into a huge allocation.
constexpr uint32_t kMaxRecord = 262144;

uint32_t get32(const uint8_t* p, bool swapped) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return swapped ? __builtin_bswap32(v) : v;
}

void put32(uint8_t* p, uint32_t v) {
  std::memcpy(p, &v, 4);  // host order: the magic tells readers which it is
}

Error io_error(const std::string& path, const std::string& what) {
  return Error{path + ": " + what + (errno ? std::string(": ") + std::strerror(errno) : ""), errno};
}

}  // namespace

Result<PcapReader> PcapReader::open(const std::string& path) {
  PcapReader r;
  r.path_ = path;
  errno = 0;
  r.file_.reset(std::fopen(path.c_str(), "rb"));
  if (!r.file_) return io_error(path, "cannot open");
  uint8_t header[24];
  if (std::fread(header, 1, sizeof header, r.file_.get()) != sizeof header)
    return Error{path + ": not a pcap file (shorter than its header)", EINVAL};
  uint32_t magic;
  std::memcpy(&magic, header, 4);
  if (magic == kMagicMicro || magic == kMagicNano) {
    r.nanoseconds_ = magic == kMagicNano;
  } else if (__builtin_bswap32(magic) == kMagicMicro || __builtin_bswap32(magic) == kMagicNano) {
    r.swapped_ = true;
    r.nanoseconds_ = __builtin_bswap32(magic) == kMagicNano;
  } else {
    return Error{path + ": not a pcap file (pcapng is not read; convert with editcap -F pcap)",
                 EINVAL};
  }
  r.snap_length_ = get32(header + 16, r.swapped_);
  r.link_type_ = get32(header + 20, r.swapped_) & 0x0fffffff;
  return r;
}

Result<bool> PcapReader::next(PcapRecord& record) {
  uint8_t header[16];
  const size_t got = std::fread(header, 1, sizeof header, file_.get());
  if (got == 0) return false;
  if (got != sizeof header) return Error{path_ + ": record header cut short", EINVAL};
  const uint32_t seconds = get32(header, swapped_);
  const uint32_t fraction = get32(header + 4, swapped_);
  const uint32_t captured = get32(header + 8, swapped_);
  record.original_length = get32(header + 12, swapped_);
  if (captured > kMaxRecord) return Error{path_ + ": record larger than 256 KiB", EINVAL};
  record.timestamp = std::chrono::seconds(seconds) +
                     (nanoseconds_ ? Duration(fraction) : Duration(uint64_t{fraction} * 1000));
  record.bytes.resize(captured);
  if (std::fread(record.bytes.data(), 1, captured, file_.get()) != captured)
    return Error{path_ + ": record cut short", EINVAL};
  return true;
}

Result<PcapWriter> PcapWriter::create(const std::string& path, uint32_t snap_length) {
  PcapWriter w;
  w.path_ = path;
  w.snap_length_ = snap_length;
  errno = 0;
  w.file_.reset(std::fopen(path.c_str(), "wb"));
  if (!w.file_) return io_error(path, "cannot create");
  uint8_t header[24] = {};
  put32(header, kMagicNano);
  const uint16_t version[2] = {2, 4};
  std::memcpy(header + 4, version, sizeof version);
  put32(header + 16, snap_length);
  put32(header + 20, kLinkTypeEthernet);
  if (std::fwrite(header, 1, sizeof header, w.file_.get()) != sizeof header)
    return io_error(path, "write failed");
  return w;
}

Status PcapWriter::write(Duration timestamp, std::span<const uint8_t> frame) {
  const auto nanos = timestamp.count();
  const auto captured = static_cast<uint32_t>(std::min<size_t>(frame.size(), snap_length_));
  uint8_t header[16];
  put32(header, static_cast<uint32_t>(nanos / 1'000'000'000));
  put32(header + 4, static_cast<uint32_t>(nanos % 1'000'000'000));
  put32(header + 8, captured);
  put32(header + 12, static_cast<uint32_t>(frame.size()));
  if (std::fwrite(header, 1, sizeof header, file_.get()) != sizeof header ||
      std::fwrite(frame.data(), 1, captured, file_.get()) != captured)
    return io_error(path_, "write failed");
  return ok_status();
}

Status PcapWriter::close() {
  if (!file_) return ok_status();
  const bool ok = std::fflush(file_.get()) == 0;
  file_.reset();
  if (!ok) return io_error(path_, "write failed");
  return ok_status();
}

}  // namespace vsd::dataplane
