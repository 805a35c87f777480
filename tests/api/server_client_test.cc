// The control socket end to end: a real Unix socket, a real event loop on its own thread.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "api/client.h"
#include "api/server.h"

namespace vsd::api {
namespace {

class ServerClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("vsd-api-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "vsd.sock").string();
  }
  void TearDown() override {
    if (thread_.joinable()) {
      loop_.stop();
      thread_.join();
    }
    server_.reset();
    std::filesystem::remove_all(dir_);
  }
  void start(Server::Handler handler) {
    auto s = Server::listen(loop_, path_, std::move(handler));
    ASSERT_TRUE(s.ok()) << s.error().message;
    server_ = std::move(*s);
    thread_ = std::thread([this] { (void)loop_.run(); });
  }

  std::filesystem::path dir_;
  std::string path_;
  EventLoop loop_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

TEST_F(ServerClientTest, AnswersCallsInOrder) {
  int calls = 0;
  start([&calls](const Request& r) {
    ++calls;
    if (r.op == "echo") return Response::success(r.id, r.args);
    return Response::failure(r.id, Error{"No such service", ESRCH});
  });
  auto client = Client::connect(path_);
  ASSERT_TRUE(client.ok()) << client.error().message;
  for (int i = 0; i < 100; ++i) {
    auto echoed = client->call("echo", {{"i", i}});
    ASSERT_TRUE(echoed.ok());
    EXPECT_EQ((*echoed)["i"], i);
  }
  auto failed = client->call("delete-service");
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, ESRCH);
  EXPECT_EQ(calls, 101);
}

TEST_F(ServerClientTest, SocketIsOwnerOnly) {
  start([](const Request& r) { return Response::success(r.id, {}); });
  struct stat st {};
  ASSERT_EQ(stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(ServerClientTest, ASecondServerOnTheSamePathIsRefused) {
  start([](const Request& r) { return Response::success(r.id, {}); });
  EventLoop other;
  auto second =
      Server::listen(other, path_, [](const Request& r) { return Response::success(r.id, {}); });
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, EADDRINUSE);
  EXPECT_NE(second.error().message.find("another vsd is already running"), std::string::npos);
}

TEST_F(ServerClientTest, AStaleSocketFileIsReplaced) {
  // What a crashed daemon leaves: the socket file, and nobody listening on it.
  const int dead = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path_.c_str());
  ASSERT_EQ(bind(dead, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  close(dead);
  ASSERT_TRUE(std::filesystem::exists(path_));
  start([](const Request& r) { return Response::success(r.id, {{"alive", true}}); });
  auto client = Client::connect(path_);
  ASSERT_TRUE(client.ok());
  EXPECT_EQ((*client->call("x"))["alive"], true);
}

TEST_F(ServerClientTest, GarbageGetsAnErrorAndTheServerCarriesOn) {
  start([](const Request& r) { return Response::success(r.id, {{"fine", true}}); });
  const int raw = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path_.c_str());
  ASSERT_EQ(connect(raw, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  const std::string garbage = "{\"vsd\":1,\"op\":\n\x01\x02 not json\n";
  ASSERT_EQ(write(raw, garbage.data(), garbage.size()), static_cast<ssize_t>(garbage.size()));
  std::string answer;
  char buffer[4096];
  while (std::count(answer.begin(), answer.end(), '\n') < 2) {
    const ssize_t n = read(raw, buffer, sizeof(buffer));
    ASSERT_GT(n, 0);
    answer.append(buffer, static_cast<size_t>(n));
  }
  close(raw);
  EXPECT_EQ(std::count(answer.begin(), answer.end(), '\n'), 2);
  EXPECT_NE(answer.find("malformed message"), std::string::npos) << answer;
  auto client = Client::connect(path_);
  ASSERT_TRUE(client.ok());
  EXPECT_EQ((*client->call("ok"))["fine"], true);
}

TEST(Client, NoDaemonIsAClearError) {
  auto client = Client::connect("/nonexistent-dir/vsd.sock");
  ASSERT_FALSE(client.ok());
  EXPECT_NE(client.error().message.find("cannot reach vsd at /nonexistent-dir/vsd.sock"),
            std::string::npos);
}

}  // namespace
}  // namespace vsd::api
