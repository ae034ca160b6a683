// Where the control socket goes: the one rule the arbiter and hornet ctl share.
#include "control/control_path.hpp"

#include <gtest/gtest.h>

namespace hornet {
namespace {

Config with(std::string control_socket, std::string pid = "", std::string proc_name = "") {
    Config c;
    c.control_socket = std::move(control_socket);
    c.pid = std::move(pid);
    c.proc_name = std::move(proc_name);
    return c;
}

const RuntimeFacts root{0, "/run/user/0"};
const RuntimeFacts user{1000, "/run/user/1000"};
const RuntimeFacts user_without_runtime_dir{1000, ""};

TEST(ControlPath, NextToThePidFile) {
    auto place = control_socket_place(with("auto", "/var/run/app.pid"), user);
    EXPECT_EQ(place.path, "/var/run/app.pid.ctl");
    EXPECT_EQ(place.private_dir, "") << "the pid file's folder is not ours to create";
    EXPECT_FALSE(place.named);
}

TEST(ControlPath, RootUsesRunHornet) {
    auto place = control_socket_place(with("auto"), root);
    EXPECT_EQ(place.path, "/run/hornet/hornet.sock");
    EXPECT_EQ(place.private_dir, "/run/hornet");
}

TEST(ControlPath, OthersUseTheirRuntimeDir) {
    EXPECT_EQ(control_socket_place(with("auto"), user).path, "/run/user/1000/hornet/hornet.sock");
    EXPECT_EQ(control_socket_place(with("auto"), user_without_runtime_dir).path, "/tmp/hornet-1000/hornet.sock");
    EXPECT_EQ(control_socket_place(with("auto"), RuntimeFacts{1000, "relative"}).path, "/tmp/hornet-1000/hornet.sock")
        << "a relative XDG_RUNTIME_DIR is ignored, as the spec says";
}

TEST(ControlPath, ProcNameNamesTheFile) {
    EXPECT_EQ(control_socket_place(with("auto", "", "api"), root).path, "/run/hornet/api.sock");
    EXPECT_EQ(control_socket_place(with("auto", "", "my app/2"), root).path, "/run/hornet/my_app_2.sock");
}

TEST(ControlPath, OffAndEmptyMeanNone) {
    EXPECT_EQ(control_socket_place(with("off", "/x.pid"), root).path, "");
    EXPECT_EQ(control_socket_place(with("", "/x.pid"), root).path, "");
}

TEST(ControlPath, ANamedPathIsTakenAsIs) {
    auto place = control_socket_place(with("/srv/ctl.sock", "/x.pid"), root);
    EXPECT_EQ(place.path, "/srv/ctl.sock");
    EXPECT_TRUE(place.named);
    EXPECT_EQ(place.private_dir, "");
}

TEST(ControlPath, RelativeMeansUnderChdirForTheClient) {
    EXPECT_EQ(path_outside_chdir("run/ctl.sock", "/srv/app"), "/srv/app/run/ctl.sock");
    EXPECT_EQ(path_outside_chdir("/abs.sock", "/srv/app"), "/abs.sock");
    EXPECT_EQ(path_outside_chdir("run/ctl.sock", ""), "run/ctl.sock");
}

} // namespace
} // namespace hornet
