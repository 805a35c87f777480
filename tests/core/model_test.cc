// Validation rules matched: ipvsadm.c (port 0 needs persistence; DR/TUN keep the port) and
// net/netfilter/ipvs/ip_vs_ctl.c (EEXIST/ESRCH/ENOENT/ERANGE, threshold order).
#include "core/model.h"

#include <gtest/gtest.h>

#include <cerrno>

#include "sched/catalog.h"

namespace vsd::core {
namespace {

ServiceKey tcp(const char* vip, uint16_t port) {
  return ServiceKey::virtual_address(Protocol::tcp, *IpAddress::parse(vip), port);
}

ServiceConfig service(const char* vip, uint16_t port, const char* sched = "rr") {
  ServiceConfig c;
  c.key = tcp(vip, port);
  c.scheduler = sched;
  return c;
}

DestinationConfig dest(const char* addr, uint16_t port, ForwardMethod m = ForwardMethod::masq,
                       int64_t weight = 1) {
  DestinationConfig d;
  d.address = *IpAddress::parse(addr);
  d.port = port;
  d.method = m;
  d.weight = weight;
  return d;
}

class ModelTest : public ::testing::Test {
 protected:
  Model model{sched::catalog()};
};

TEST_F(ModelTest, AddsServicesAndDestinations) {
  ASSERT_TRUE(model.apply(AddService{service("192.168.2.11", 80)}).ok());
  ASSERT_TRUE(model.apply(AddDestination{tcp("192.168.2.11", 80), dest("10.10.10.11", 8080)}).ok());
  const ServiceEntry* e = model.find(tcp("192.168.2.11", 80));
  ASSERT_NE(e, nullptr);
  ASSERT_EQ(e->destinations.size(), 1u);
  EXPECT_EQ(e->destinations[0].server->port(), 8080);
  EXPECT_EQ(model.generation(), 2u);
}

struct Rejection {
  const char* what;
  Change change;
  int code;
  const char* words;
};

TEST_F(ModelTest, RejectsEachInvalidChangeWithItsReasonAndChangesNothing) {
  ASSERT_TRUE(model.apply(AddService{service("192.168.2.11", 80)}).ok());
  ASSERT_TRUE(model.apply(AddDestination{tcp("192.168.2.11", 80), dest("10.10.10.11", 80)}).ok());
  ServiceConfig zero_port = service("192.168.2.11", 0);
  ServiceConfig bad_mask = service("192.168.2.12", 80);
  bad_mask.flags = service_flag::persistent;
  bad_mask.persistence_prefix = 33;
  const Rejection cases[] = {
      {"duplicate service", AddService{service("192.168.2.11", 80)}, EEXIST, "already exists"},
      {"unknown scheduler", AddService{service("192.168.2.12", 80, "best")}, ENOENT,
       "unknown scheduler 'best'"},
      {"port 0 without persistence", AddService{zero_port}, EINVAL, "port 0"},
      {"bad netmask", AddService{bad_mask}, EINVAL, "netmask"},
      {"edit missing service", EditService{service("192.168.2.99", 80)}, ESRCH, "no such service"},
      {"delete missing service", DeleteService{tcp("192.168.2.99", 80)}, ESRCH, "no such service"},
      {"dest to missing service", AddDestination{tcp("192.168.2.99", 80), dest("10.0.0.1", 80)},
       ESRCH, "no such service"},
      {"duplicate destination", AddDestination{tcp("192.168.2.11", 80), dest("10.10.10.11", 80)},
       EEXIST, "destination already exists"},
      {"weight too large",
       AddDestination{tcp("192.168.2.11", 80), dest("10.0.0.2", 80, ForwardMethod::masq, 65536)},
       ERANGE, "weight 65536"},
      {"negative weight",
       AddDestination{tcp("192.168.2.11", 80), dest("10.0.0.2", 80, ForwardMethod::masq, -1)},
       ERANGE, "weight -1"},
      {"DR changes the port",
       AddDestination{tcp("192.168.2.11", 80), dest("10.0.0.2", 8080, ForwardMethod::route)},
       EINVAL, "cannot change the port"},
      {"TUN changes the port",
       AddDestination{tcp("192.168.2.11", 80), dest("10.0.0.2", 8080, ForwardMethod::tunnel)},
       EINVAL, "cannot change the port"},
      {"family mismatch",
       AddDestination{tcp("192.168.2.11", 80), dest("2001:db8::1", 80, ForwardMethod::masq)},
       EINVAL, "family"},
      {"edit missing destination", EditDestination{tcp("192.168.2.11", 80), dest("10.0.0.9", 80)},
       ENOENT, "no such destination"},
      {"delete missing destination",
       DeleteDestination{tcp("192.168.2.11", 80), *parse_endpoint("10.0.0.9:80")}, ENOENT,
       "no such destination"},
  };
  for (const auto& c : cases) {
    const uint64_t generation = model.generation();
    Status s = model.apply(c.change);
    ASSERT_FALSE(s.ok()) << c.what;
    EXPECT_EQ(s.error().code, c.code) << c.what;
    EXPECT_NE(s.error().message.find(c.words), std::string::npos)
        << c.what << ": " << s.error().message;
    EXPECT_EQ(model.generation(), generation) << c.what;
  }
  EXPECT_EQ(model.size(), 1u);
  EXPECT_EQ(model.find(tcp("192.168.2.11", 80))->destinations.size(), 1u);
}

TEST_F(ModelTest, ThresholdsMustBeOrdered) {
  ASSERT_TRUE(model.apply(AddService{service("192.168.2.11", 80)}).ok());
  DestinationConfig d = dest("10.0.0.2", 80);
  d.upper_threshold = 10;
  d.lower_threshold = 20;
  Status s = model.apply(AddDestination{tcp("192.168.2.11", 80), d});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ERANGE);
}

TEST_F(ModelTest, PortZeroIsAllowedWithPersistence) {
  ServiceConfig c = service("192.168.2.11", 0);
  c.flags = service_flag::persistent;
  EXPECT_TRUE(model.apply(AddService{c}).ok());
}

TEST_F(ModelTest, FwmarkServicesIgnorePortRules) {
  ServiceConfig c;
  c.key = ServiceKey::firewall_mark(7);
  c.scheduler = "rr";
  ASSERT_TRUE(model.apply(AddService{c}).ok());
  EXPECT_TRUE(model.apply(AddDestination{c.key, dest("10.0.0.2", 0, ForwardMethod::route)}).ok());
}

TEST_F(ModelTest, ABatchIsAppliedWholeOrNotAtAll) {
  const Change batch[] = {
      AddService{service("192.168.2.11", 80)},
      AddDestination{tcp("192.168.2.11", 80), dest("10.0.0.1", 80)},
      AddDestination{tcp("192.168.2.11", 80), dest("10.0.0.1", 80)},  // duplicate: fails
  };
  Status s = model.apply(batch);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(model.size(), 0u);
  EXPECT_EQ(model.generation(), 0u);
}

TEST_F(ModelTest, ARejectedEditLeavesLiveDestinationsUntouched) {
  ASSERT_TRUE(model.apply(AddService{service("192.168.2.11", 80)}).ok());
  ASSERT_TRUE(model.apply(AddDestination{tcp("192.168.2.11", 80), dest("10.0.0.1", 80)}).ok());
  RealServer* live = model.find(tcp("192.168.2.11", 80))->destinations[0].server.get();
  const Change batch[] = {
      EditDestination{tcp("192.168.2.11", 80),
                      dest("10.0.0.1", 80, ForwardMethod::masq, /*weight=*/9)},
      DeleteService{tcp("192.168.2.99", 80)},  // fails
  };
  ASSERT_FALSE(model.apply(batch).ok());
  EXPECT_EQ(live->weight(), 1);
  // The same edit alone goes through, in place: same real server, new weight.
  ASSERT_TRUE(model
                  .apply(EditDestination{tcp("192.168.2.11", 80),
                                         dest("10.0.0.1", 80, ForwardMethod::masq, 9)})
                  .ok());
  EXPECT_EQ(model.find(tcp("192.168.2.11", 80))->destinations[0].server.get(), live);
  EXPECT_EQ(live->weight(), 9);
}

TEST_F(ModelTest, UnchangedServicesKeepTheirEntriesAcrossChanges) {
  ASSERT_TRUE(model.apply(AddService{service("192.168.2.11", 80)}).ok());
  ASSERT_TRUE(model.apply(AddService{service("192.168.2.12", 80)}).ok());
  const ServiceEntry* untouched = model.find(tcp("192.168.2.11", 80));
  ASSERT_TRUE(model.apply(AddDestination{tcp("192.168.2.12", 80), dest("10.0.0.1", 80)}).ok());
  EXPECT_EQ(model.find(tcp("192.168.2.11", 80)), untouched);
}

TEST_F(ModelTest, KeepsInsertionOrderAndClears) {
  ASSERT_TRUE(model.apply(AddService{service("192.168.2.12", 80)}).ok());
  ASSERT_TRUE(model.apply(AddService{service("192.168.2.11", 80)}).ok());
  auto order = model.services_in_order();
  ASSERT_EQ(order.size(), 2u);
  EXPECT_EQ(order[0]->config.key, tcp("192.168.2.12", 80));
  ASSERT_TRUE(model.apply(ClearServices{}).ok());
  EXPECT_EQ(model.size(), 0u);
}

TEST_F(ModelTest, ServicesReAddedOrAddedAfterAClearGoToTheEnd) {
  for (const char* vip : {"192.168.2.1", "192.168.2.2", "192.168.2.3"})
    ASSERT_TRUE(model.apply(AddService{service(vip, 80)}).ok());
  const Change readd[] = {DeleteService{tcp("192.168.2.2", 80)},
                          AddService{service("192.168.2.2", 80)}};
  ASSERT_TRUE(model.apply(readd).ok());
  auto keys = [&] {
    std::vector<std::string> out;
    for (const auto* e : model.services_in_order())
      out.push_back(e->config.key.address.to_string());
    return out;
  };
  EXPECT_EQ(keys(), (std::vector<std::string>{"192.168.2.1", "192.168.2.3", "192.168.2.2"}));
  ASSERT_TRUE(model.apply(DeleteService{tcp("192.168.2.1", 80)}).ok());
  EXPECT_EQ(keys(), (std::vector<std::string>{"192.168.2.3", "192.168.2.2"}));
  const Change reset[] = {ClearServices{}, AddService{service("192.168.2.9", 80)},
                          AddService{service("192.168.2.3", 80)}};
  ASSERT_TRUE(model.apply(reset).ok());
  EXPECT_EQ(keys(), (std::vector<std::string>{"192.168.2.9", "192.168.2.3"}));
  EXPECT_EQ(model.size(), 2u);
}

TEST_F(ModelTest, ADeletedServiceCannotBeEditedLaterInTheSameBatch) {
  ASSERT_TRUE(model.apply(AddService{service("192.168.2.1", 80)}).ok());
  const Change batch[] = {DeleteService{tcp("192.168.2.1", 80)},
                          AddDestination{tcp("192.168.2.1", 80), dest("10.0.0.1", 80)}};
  Status s = model.apply(batch);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ESRCH);
  EXPECT_EQ(model.size(), 1u);
}

}  // namespace
}  // namespace vsd::core
