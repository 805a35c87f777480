#pragma once

#include <string>

namespace vsd::realserver {

// A layer-3 TUN device without packet information headers: whatever is written into it arrives
// at the kernel as if received on that interface. The device lives as long as this object (it is
// not persistent), so a decapsulator that dies leaves nothing behind.
class TunDevice {
 public:
  // Throws std::system_error when the device cannot be created or brought up.
  explicit TunDevice(const std::string& name);
  ~TunDevice();
  TunDevice(const TunDevice&) = delete;
  TunDevice& operator=(const TunDevice&) = delete;

  int fd() const { return fd_; }
  const std::string& name() const { return name_; }

 private:
  int fd_ = -1;
  std::string name_;
};

}  // namespace vsd::realserver
