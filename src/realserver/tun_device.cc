#include "realserver/tun_device.h"

#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace vsd::realserver {
namespace {

[[noreturn]] void fail(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

void bring_up(const std::string& name) {
  const int control = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (control < 0) fail("socket");
  ifreq request{};
  std::strncpy(request.ifr_name, name.c_str(), IFNAMSIZ - 1);
  const bool ok = ::ioctl(control, SIOCGIFFLAGS, &request) == 0 &&
                  (request.ifr_flags = static_cast<short>(request.ifr_flags | IFF_UP),
                   ::ioctl(control, SIOCSIFFLAGS, &request) == 0);
  const int saved = errno;
  ::close(control);
  errno = saved;
  if (!ok) fail("bringing " + name + " up");
}

}  // namespace

TunDevice::TunDevice(const std::string& name) {
  if (name.empty() || name.size() >= IFNAMSIZ) {
    errno = EINVAL;
    fail("TUN device name '" + name + "'");
  }
  fd_ = ::open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  if (fd_ < 0) fail("/dev/net/tun");
  ifreq request{};
  request.ifr_flags = IFF_TUN | IFF_NO_PI;
  std::strncpy(request.ifr_name, name.c_str(), IFNAMSIZ - 1);
  if (::ioctl(fd_, TUNSETIFF, &request) != 0) {
    const int saved = errno;
    ::close(fd_);
    errno = saved;
    fail("TUNSETIFF " + name);
  }
  name_ = request.ifr_name;
  try {
    bring_up(name_);
  } catch (...) {
    ::close(fd_);
    throw;
  }
}

TunDevice::~TunDevice() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace vsd::realserver
