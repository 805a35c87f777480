#pragma once

#include <memory>
#include <vector>

#include "common/result.h"
#include "core/snapshot.h"
#include "dataplane/settings.h"

struct bpf_object;

namespace vsd::dataplane {

// src/bpf/steer.bpf.c loaded (libbpf) and attached to every interface of the data plane, native
// mode when the driver has it, else generic (veth: generic, lab-notes trap 6). Its maps say which
// frames go to the AF_XDP sockets; update() fills them from a snapshot. Detached at destruction.
// Control thread only.
class XdpProgram {
 public:
  static Result<std::unique_ptr<XdpProgram>> load(const DataplaneSettings& settings);
  ~XdpProgram();
  XdpProgram(const XdpProgram&) = delete;
  XdpProgram& operator=(const XdpProgram&) = delete;

  // Makes the AF_XDP socket of (interface, queue) the one its frames are steered to (the
  // program's XSKMAP holds interface * 64 + queue).
  Status add_socket(uint16_t interface, unsigned queue, int socket_fd) const;
  static constexpr size_t kMaxInterfaces = 16;
  static constexpr unsigned kQueuesPerInterface = 64;
  Status update(const core::Snapshot& snapshot, const DataplaneSettings& settings);
  bool generic_mode() const { return generic_; }

 private:
  XdpProgram() = default;
  bpf_object* object_ = nullptr;
  int program_fd_ = -1;
  int xsks_fd_ = -1;
  int services4_fd_ = -1;
  int services6_fd_ = -1;
  int addresses_fd_ = -1;
  bool generic_ = false;
  std::vector<int> attached_;  // kernel ifindexes
};

}  // namespace vsd::dataplane
