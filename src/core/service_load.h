#pragma once

#include <atomic>
#include <utility>

#include "common/spinlock.h"

namespace vsd::core {

class RealServer;

// Implemented by schedulers that keep an index of their destinations' loads (lc, wlc, sed, nq at
// O(log n) per change instead of an O(n) scan per connection).
class LoadListener {
 public:
  // Called with the ServiceLoad lock held, after a destination's connection counts changed.
  virtual void load_changed(RealServer& destination) = 0;

 protected:
  ~LoadListener() = default;
};

// One per virtual service, alive as long as any of its real servers (and so any connection to
// them). It tells the service's current load-indexing scheduler when a count changes. Listeners
// are attached and detached under the lock, so a scheduler that is being replaced can never be
// called after it has detached: the lock, not a grace period, keeps it safe.
class ServiceLoad {
 public:
  // Makes `listener` the one told of changes; `rebuild` runs under the lock right after, and must
  // read every destination's counts afresh (changes made before the attach were not reported).
  template <class Rebuild>
  void attach(LoadListener* listener, Rebuild&& rebuild) {
    lock_.lock();
    listener_.store(listener, std::memory_order_seq_cst);
    rebuild();
    lock_.unlock();
  }
  // After detach returns, `listener` is not being called and never will be again.
  void detach(LoadListener* listener) {
    lock_.lock();
    LoadListener* expected = listener;
    listener_.compare_exchange_strong(expected, nullptr, std::memory_order_seq_cst);
    lock_.unlock();
  }
  bool attached(const LoadListener* listener) const {
    return listener_.load(std::memory_order_relaxed) == listener;
  }
  SpinLock& lock() { return lock_; }

  void changed(RealServer& destination) {
    // Fast exit for services whose scheduler keeps no index (rr, sh, ...). The count itself was
    // updated before this seq_cst load, so a listener attached concurrently sees it when it
    // reads the counts afresh.
    if (listener_.load(std::memory_order_seq_cst) == nullptr) return;
    lock_.lock();
    if (LoadListener* l = listener_.load(std::memory_order_relaxed)) l->load_changed(destination);
    lock_.unlock();
  }

 private:
  SpinLock lock_;
  std::atomic<LoadListener*> listener_{nullptr};
};

}  // namespace vsd::core
