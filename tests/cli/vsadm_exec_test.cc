// Behaviour matched: ipvsadm 1.31 as a program (ipvsadm.c main(), process_options(),
// restore_table()): what it writes to stdout and stderr and its exit status, run here as the
// real vsadm executable against a daemon on a real socket (model_daemon.h).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "model_daemon.h"

extern char** environ;

namespace vsd::cli {
namespace {

struct ProgramRun {
  std::string out;
  std::string err;
  int status = -1;
};

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs `program` (argv[0] as given) with `args`, `input` on stdin and extra environment.
ProgramRun spawn(const std::string& program, const std::vector<std::string>& args,
                 const std::string& input = "", const std::vector<std::string>& extra_env = {}) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("vsadm-exec-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const auto in_path = dir / "stdin";
  const auto out_path = dir / "stdout";
  const auto err_path = dir / "stderr";
  std::ofstream(in_path) << input;

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, in_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  std::vector<std::string> argv_text = {program};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_text;
  for (char** e = environ; *e; ++e)
    if (std::string(*e).rfind("VSD_SOCKET=", 0) != 0) env_text.emplace_back(*e);
  env_text.insert(env_text.end(), extra_env.begin(), extra_env.end());
  std::vector<char*> envp;
  for (auto& e : env_text) envp.push_back(e.data());
  envp.push_back(nullptr);

  ProgramRun run;
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, VSADM_PATH, &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    ADD_FAILURE() << "cannot run " << VSADM_PATH;
    return run;
  }
  int wstatus = 0;
  waitpid(pid, &wstatus, 0);
  run.status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
  run.out = slurp(out_path);
  run.err = slurp(err_path);
  std::filesystem::remove_all(dir);
  return run;
}

class VsadmProgram : public ::testing::Test {
 protected:
  ProgramRun vsadm(std::vector<std::string> args, const std::string& input = "") {
    args.insert(args.begin(), {"--socket", daemon_.path()});
    return spawn("ipvsadm", args, input);
  }
  testing::ModelDaemon daemon_;
};

TEST_F(VsadmProgram, AddServiceAddServerAndListNumerically) {
  ProgramRun add = vsadm({"-A", "-t", "192.168.2.11:80", "-s", "rr"});
  EXPECT_EQ(add.status, 0);
  EXPECT_EQ(add.out, "");
  EXPECT_EQ(add.err, "");
  ProgramRun server =
      vsadm({"-a", "-t", "192.168.2.11:80", "-r", "10.10.10.11:80", "-m", "-w", "3"});
  EXPECT_EQ(server.status, 0);
  EXPECT_EQ(server.err, "");
  ProgramRun list = vsadm({"-L", "-n"});
  EXPECT_EQ(list.status, 0);
  EXPECT_EQ(list.err, "");
  EXPECT_EQ(list.out,
            "IP Virtual Server version 1.2.1 (size=4096)\n"
            "Prot LocalAddress:Port Scheduler Flags\n"
            "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
            "TCP  192.168.2.11:80 rr\n"
            "  -> 10.10.10.11:80               Masq    3      0          0         \n");
}

TEST_F(VsadmProgram, ErrorsGoToStderrWithIpvsadmsStatus) {
  ASSERT_EQ(vsadm({"-A", "-t", "192.168.2.11:80"}).status, 0);
  ProgramRun duplicate = vsadm({"-A", "-t", "192.168.2.11:80"});
  EXPECT_EQ(duplicate.status, 255);
  EXPECT_EQ(duplicate.out, "");
  EXPECT_EQ(duplicate.err, "Service already exists\n");
  ProgramRun bad = vsadm({"-a", "-t", "192.168.2.11:80", "-r", "10.0.0.1", "-w", "70000"});
  EXPECT_EQ(bad.status, 2);
  EXPECT_EQ(bad.err, "illegal weight specified\n");
  ProgramRun unknown = vsadm({"-X"});
  EXPECT_EQ(unknown.status, 255);
  EXPECT_EQ(unknown.err, "Try `ipvsadm -h' or 'ipvsadm --help' for more information.\n");
}

TEST_F(VsadmProgram, RestoresFromStdinAndFindsTheSocketInTheEnvironment) {
  ProgramRun restore = vsadm({"-R"},
                             "ipvsadm -A -u 192.168.2.11:53 -s wlc\n"
                             "ipvsadm -a -u 192.168.2.11:53 -r 10.10.10.21 -w 2\n");
  EXPECT_EQ(restore.status, 0);
  EXPECT_EQ(restore.err, "");
  ProgramRun save = spawn("vsadm", {"-S", "-n"}, "", {"VSD_SOCKET=" + daemon_.path()});
  EXPECT_EQ(save.status, 0) << save.err;
  EXPECT_EQ(save.out,
            "-A -u 192.168.2.11:53 -s wlc\n"
            "-a -u 192.168.2.11:53 -r 10.10.10.21:53 -g -w 2\n");
}

TEST(VsadmProgramAlone, HelpNeedsNoDaemonAndAMissingDaemonIsStatus2) {
  ProgramRun help = spawn("/usr/sbin/ipvsadm", {"--help"});
  EXPECT_EQ(help.status, 0);
  EXPECT_EQ(help.out.find("  /usr/sbin/ipvsadm -C\n") != std::string::npos, true);
  ProgramRun nobody = spawn("ipvsadm", {"--socket", "/nonexistent-vsadm/vsd.sock", "-L", "-n"});
  EXPECT_EQ(nobody.status, 2);
  EXPECT_EQ(nobody.out, "");
  EXPECT_NE(nobody.err.find("Can't initialize ipvs"), std::string::npos) << nobody.err;
}

}  // namespace
}  // namespace vsd::cli
