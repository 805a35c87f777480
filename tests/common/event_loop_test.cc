// The control loop's fd handlers (epoll(7) semantics as keepalived's scheduler.c relies on them):
// a handler may remove itself, close its fd and register new fds (reusing the number) from
// inside its own call; a removed handler is never called again.
#include "common/event_loop.h"

#include <gtest/gtest.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <memory>
#include <vector>

namespace vsd {
namespace {

int ready_fd() {
  const int fd = eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC);  // readable at once
  EXPECT_GE(fd, 0);
  return fd;
}

TEST(EventLoop, HandlerCanRemoveItselfAndRegisterManyMore) {
  EventLoop loop;
  std::vector<int> opened;
  int calls_first = 0, calls_new = 0;
  // Captured state that dies with the handler: ASan reports a use after free if the running
  // handler were destroyed by its own remove().
  auto token = std::make_shared<int>(42);
  const int first = ready_fd();
  ASSERT_TRUE(loop.add(first, EPOLLIN,
                       [&, token](uint32_t events) {
                         ++calls_first;
                         EXPECT_TRUE(events & EPOLLIN);
                         loop.remove(first);
                         close(first);
                         // Enough new fds to grow the table while this handler runs.
                         for (int i = 0; i < 200; ++i) {
                           const int fd = ready_fd();
                           opened.push_back(fd);
                           ASSERT_TRUE(loop.add(fd, EPOLLIN,
                                                [&, fd](uint32_t) {
                                                  ++calls_new;
                                                  loop.remove(fd);
                                                })
                                           .ok());
                         }
                         EXPECT_EQ(*token, 42);
                       })
                  .ok());
  token.reset();
  loop.add_timer(milliseconds(50), [&] { loop.stop(); });
  ASSERT_TRUE(loop.run().ok());
  EXPECT_EQ(calls_first, 1);
  EXPECT_EQ(calls_new, 200) << "each new handler ran once, then removed itself";
  for (int fd : opened) close(fd);
}

TEST(EventLoop, RemovedHandlerIsNotCalledForAnEventAlreadyReported) {
  EventLoop loop;
  const int a = ready_fd(), b = ready_fd();
  int calls = 0;
  // Both fds are ready in the same epoll_wait; whichever runs first removes the other.
  ASSERT_TRUE(loop.add(a, EPOLLIN,
                       [&](uint32_t) {
                         ++calls;
                         loop.remove(a);
                         loop.remove(b);
                       })
                  .ok());
  ASSERT_TRUE(loop.add(b, EPOLLIN,
                       [&](uint32_t) {
                         ++calls;
                         loop.remove(a);
                         loop.remove(b);
                       })
                  .ok());
  loop.add_timer(milliseconds(50), [&] { loop.stop(); });
  ASSERT_TRUE(loop.run().ok());
  EXPECT_EQ(calls, 1);
  close(a);
  close(b);
}

}  // namespace
}  // namespace vsd
