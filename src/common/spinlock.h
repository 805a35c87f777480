#pragma once

#include <atomic>

namespace vsd {

// Test-and-test-and-set lock for critical sections of a few dozen instructions on the packet path
// (a scheduler's cursor, a hash bucket). std::mutex would park the thread; here waiting is shorter
// than a syscall. Never hold it across packets.
class SpinLock {
 public:
  void lock() {
    for (;;) {
      if (!locked_.exchange(true, std::memory_order_acquire)) return;
      while (locked_.load(std::memory_order_relaxed)) __builtin_ia32_pause();
    }
  }
  bool try_lock() { return !locked_.exchange(true, std::memory_order_acquire); }
  void unlock() { locked_.store(false, std::memory_order_release); }

 private:
  std::atomic<bool> locked_{false};
};

}  // namespace vsd
