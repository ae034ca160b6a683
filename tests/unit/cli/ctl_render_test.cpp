// hornet ctl's human output: the units and the tables a person reads.
#include "cli/ctl_render.hpp"

#include <sstream>

#include <gtest/gtest.h>

#include <boost/json/array.hpp>

namespace hornet {
namespace {

namespace json = boost::json;

TEST(CtlRender, Durations) {
    EXPECT_EQ(duration_text(0), "0ms");
    EXPECT_EQ(duration_text(850), "850ms");
    EXPECT_EQ(duration_text(12345), "12.3s");
    EXPECT_EQ(duration_text(245000), "4m 05s");
    EXPECT_EQ(duration_text(7500000), "2h 05m");
    EXPECT_EQ(duration_text(273600000), "3d 04h");
}

TEST(CtlRender, Bytes) { EXPECT_EQ(bytes_text(3 * 1048576 + 104858), "3.1 MiB"); }

TEST(CtlRender, WorkersTableLinesUpItsColumns) {
    json::object w1{{"pid", 101},
                    {"worker_id", 1},
                    {"generation", 2},
                    {"state", "ready"},
                    {"age_ms", 65000},
                    {"requests", 1500},
                    {"connections", 1},
                    {"in_flight", 1},
                    {"rss_bytes", 3145728},
                    {"heartbeat_age_ms", 200},
                    {"request", json::object{{"method", "GET"}, {"path", "/slow"}, {"age_ms", 1200}}}};
    json::object w2 = w1;
    w2["pid"] = 99999;
    w2["rss_bytes"] = nullptr;
    w2["in_flight"] = 0;
    w2["request"] = nullptr;
    std::ostringstream out;
    render_result(out, "workers", {{"workers", json::array{w1, w2}}});
    EXPECT_EQ(out.str(),
              "PID    ID  GEN  STATE  AGE     REQUESTS  CONNS  INFLIGHT  RSS      HEARTBEAT  REQUEST\n"
              "101    1   2    ready  1m 05s  1500      1      1         3.0 MiB  200ms ago  GET /slow for 1.2s\n"
              "99999  1   2    ready  1m 05s  1500      1      0         -        200ms ago  -\n");
}

TEST(CtlRender, ACommandItDoesNotKnowPrintsItsFields) {
    std::ostringstream out;
    render_result(out, "dump", {{"pid", 7}, {"file", "/tmp/x"}});
    EXPECT_EQ(out.str(), "pid: 7\nfile: /tmp/x\n");
}

} // namespace
} // namespace hornet
