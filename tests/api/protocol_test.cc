#include "api/protocol.h"

#include <gtest/gtest.h>

#include <cerrno>

namespace vsd::api {
namespace {

TEST(Protocol, RequestsAndResponsesRoundTrip) {
  Request r{42, "add-service", {{"scheduler", "rr"}}};
  const std::string line = encode(r);
  ASSERT_EQ(line.back(), '\n');
  auto back = decode_request(line.substr(0, line.size() - 1));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->id, 42u);
  EXPECT_EQ(back->op, "add-service");
  EXPECT_EQ(back->args["scheduler"], "rr");

  auto ok = decode_response(encode(Response::success(3, {{"n", 1}})));
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(ok->ok());
  EXPECT_EQ((*ok->result)["n"], 1);
  auto failed =
      decode_response(encode(Response::failure(4, Error{"Service already exists", EEXIST})));
  ASSERT_TRUE(failed.ok());
  EXPECT_FALSE(failed->ok());
  EXPECT_EQ(failed->error.code, EEXIST);
  EXPECT_EQ(failed->error.message, "Service already exists");
}

TEST(Protocol, RejectsMalformedAndForeignVersions) {
  EXPECT_EQ(decode_request("not json").error().code, EINVAL);
  EXPECT_EQ(decode_request("[1,2]").error().code, EINVAL);
  EXPECT_EQ(decode_request(R"({"id":1,"op":"list"})").error().code, EINVAL);
  EXPECT_EQ(decode_request(R"({"vsd":2,"id":1,"op":"list"})").error().code, EPROTO);
  EXPECT_EQ(decode_request(R"({"vsd":1,"id":1})").error().code, EINVAL);
  EXPECT_EQ(decode_request(R"({"vsd":1,"op":"list","args":[]})").error().code, EINVAL);
}

TEST(Protocol, SocketPathComesFromFlagThenEnvironment) {
  EXPECT_EQ(socket_path(std::string("/tmp/x.sock")), "/tmp/x.sock");
  setenv("VSD_SOCKET", "/tmp/env.sock", 1);
  EXPECT_EQ(socket_path(std::nullopt), "/tmp/env.sock");
  unsetenv("VSD_SOCKET");
  EXPECT_EQ(socket_path(std::nullopt), kDefaultSocketPath);
}

}  // namespace
}  // namespace vsd::api
