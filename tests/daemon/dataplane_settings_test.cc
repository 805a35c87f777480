// A SIGHUP cannot rebuild a running data plane (its workers own their sockets): the daemon warns
// when the dataplane block changed, and must not warn when it was only moved in the file.
#include "daemon/dataplane_settings.h"

#include <gtest/gtest.h>

#include <string>

#include "config/parser.h"

namespace vsd::daemon {
namespace {

config::DataplaneConfig block(const std::string& text) {
  config::Diagnostics d;
  auto c = config::parse_text(text, "t.conf", {}, d);
  EXPECT_TRUE(c && c->dataplane) << (d.errors().empty() ? "" : d.errors()[0]);
  return c && c->dataplane ? *c->dataplane : config::DataplaneConfig{};
}

constexpr const char* kBlock =
    "dataplane {\n backend afpacket\n workers 2\n interface cli0\n interface lan0\n"
    " fullnat_local_address 192.0.2.100\n}\n";

TEST(SameDataplane, TheSameBlockElsewhereInTheFileIsTheSame) {
  EXPECT_TRUE(same_dataplane(block(kBlock), block(std::string("\n\n! moved\n") + kBlock)));
}

TEST(SameDataplane, AnyChangedSettingIsAChange) {
  const auto running = block(kBlock);
  for (const auto& [from, to] :
       {std::pair{"workers 2", "workers 1"}, std::pair{"interface lan0", "interface lan1"},
        std::pair{"192.0.2.100", "192.0.2.101"}, std::pair{"backend afpacket", "backend afxdp"}}) {
    std::string text = kBlock;
    text.replace(text.find(from), std::string(from).size(), to);
    EXPECT_FALSE(same_dataplane(running, block(text))) << to;
  }
  std::string text = kBlock;
  text.insert(text.rfind('}'), " conn_reuse_mode 0\n");
  EXPECT_FALSE(same_dataplane(running, block(text)));
}

}  // namespace
}  // namespace vsd::daemon
