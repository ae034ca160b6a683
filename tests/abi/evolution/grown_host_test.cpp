// A host whose structs have grown loads and runs a plugin built against the
// frozen ABI 1.0 headers.
//
// This test is compiled against generated headers (tests/abi/CMakeLists.txt
// makes them from include/hornet/: every struct gets a field appended before
// its "append below" marker, and HORNET_ABI_MINOR goes up by one), together
// with the real loader (core/plugin/plugin_library.cpp, compiled against the
// same grown headers). It is what the next minor's hornet will be, as far as
// the ABI can tell. abi10_plugin.so (old_plugin.c built against
// tests/abi/abi_1_0 only) must load, see the host's grown tables as the 1.0
// ones it knows, and run: create, handle, run, destroy.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "plugin/plugin_error.hpp"
#include "plugin/plugin_library.hpp"

static_assert(HORNET_ABI_MINOR >= 1, "compiled against the grown headers");

namespace hornet {
namespace {

const std::string kOldPlugin = HORNET_TEST_ABI10_PLUGIN;

std::string str(hornet_str_t s) { return {s.ptr, s.len}; }

// The host table, grown: struct_size and minor are this host's.
struct GrownHost {
    hornet_host_t table{};
    std::vector<std::string> lines;

    GrownHost() {
        table.head = HORNET_HEAD_INIT(hornet_host_t);
        table.host_data = this;
        table.log = [](const hornet_host_t* h, int, hornet_str_t msg) {
            static_cast<GrownHost*>(h->host_data)->lines.push_back(str(msg));
        };
        table.config_get = [](const hornet_host_t*, const char* key, hornet_str_t* out) {
            if (std::strcmp(key, "greeting") != 0) return int{HORNET_ENOENT};
            *out = {"bonjour", 7};
            return int{HORNET_OK};
        };
        table.query = [](const hornet_host_t*, int) -> int64_t { return 0; };
        table.get_extension = [](const hornet_host_t*, const char*) -> const void* { return nullptr; };
        table.grown_in_test = 0x5eed;
    }
};

// A fake exchange: the grown request and ops, the response captured.
struct FakeExchange {
    hornet_request_t request{};
    int status = 0;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    int finished = 0;

    FakeExchange() {
        request.head = HORNET_HEAD_INIT(hornet_request_t);
        request.method = {"GET", 3};
        request.target = {"/old?x=1", 8};
        request.path = {"/old", 4};
        request.query = {"x=1", 3};
        request.version = 11;
        request.grown_in_test = 0x5eed;
    }
    hornet_exchange_t* handle() { return reinterpret_cast<hornet_exchange_t*>(this); }
    static FakeExchange& of(hornet_exchange_t* x) { return *reinterpret_cast<FakeExchange*>(x); }
};

hornet_exchange_ops_t grown_ops() {
    hornet_exchange_ops_t ops{};
    ops.head = HORNET_HEAD_INIT(hornet_exchange_ops_t);
    ops.request = [](hornet_exchange_t* x) -> const hornet_request_t* { return &FakeExchange::of(x).request; };
    ops.start = [](hornet_exchange_t* x, int status, const hornet_header_t* h, size_t n) {
        FakeExchange::of(x).status = status;
        for (size_t i = 0; i < n; ++i) FakeExchange::of(x).headers.emplace_back(str(h[i].name), str(h[i].value));
        return int{HORNET_OK};
    };
    ops.write = [](hornet_exchange_t* x, const void* data, size_t len) {
        FakeExchange::of(x).body.append(static_cast<const char*>(data), len);
        return int{HORNET_OK};
    };
    ops.finish = [](hornet_exchange_t* x, int) {
        ++FakeExchange::of(x).finished;
        return int{HORNET_OK};
    };
    ops.grown_in_test = 0x5eed;
    return ops;
}

TEST(GrownHost, LoadsTheAbi10AppAndReadsOnlyWhatItHas) {
    auto app = AppLibrary::load(kOldPlugin);
    const hornet_app_t& d = app.descriptor();
    EXPECT_EQ(d.head.abi_major, 1);
    EXPECT_EQ(d.head.abi_minor, 0);
    EXPECT_STREQ(d.name, "old");
    // The 1.0 descriptor is smaller than this host's struct: the newer field
    // is absent and HORNET_HAS says so; every 1.0 field is present.
    EXPECT_LT(d.head.struct_size, sizeof(hornet_app_t));
    EXPECT_FALSE(HORNET_HAS(&d, hornet_app_t, grown_in_test));
    EXPECT_TRUE(HORNET_HAS(&d, hornet_app_t, handle));
}

// ABI 1.2's check_config lies past a 1.0 descriptor's end: the loader must
// not read it (it would be whatever follows in the plugin's data).
TEST(GrownHost, DoesNotAskTheAbi10AppToCheckItsConfig) {
    auto app = AppLibrary::load(kOldPlugin);
    EXPECT_FALSE(HORNET_HAS(&app.descriptor(), hornet_app_t, check_config));
    GrownHost host;
    EXPECT_EQ(check_app_config(app, &host.table), "");
}

TEST(GrownHost, RunsTheAbi10AppOnGrownTables) {
    auto app = AppLibrary::load(kOldPlugin);
    GrownHost host;
    void* instance = nullptr;
    char err[256] = "";
    ASSERT_EQ(app->create(&host.table, &instance, err, sizeof err), HORNET_OK) << err;
    EXPECT_EQ(host.lines, std::vector<std::string>{"old plugin created"});

    FakeExchange x;
    const hornet_exchange_ops_t ops = grown_ops();
    EXPECT_EQ(app->handle(instance, x.handle(), &ops), HORNET_DONE);
    app->destroy(instance);

    EXPECT_EQ(x.status, 200);
    EXPECT_EQ(x.finished, 1);
    EXPECT_EQ(x.body, "bonjour GET /old?x=1 (plugin ABI 1.0)\n");
    ASSERT_EQ(x.headers.size(), 1u);
    // The entry was told this host's minor.
    EXPECT_EQ(x.headers[0].second, std::to_string(HORNET_ABI_MINOR));
}

TEST(GrownHost, RunsTheAbi10WorkerTypeOnAGrownContext) {
    auto worker = WorkerLibrary::load(kOldPlugin);
    EXPECT_EQ(worker->head.abi_minor, 0);
    EXPECT_FALSE(HORNET_HAS(&worker.descriptor(), hornet_worker_t, grown_in_test));

    struct Calls { int ready = 0, beats = 0; int64_t requests = 0; } calls;
    GrownHost host;
    hornet_limits_t limits{};
    limits.head = HORNET_HEAD_INIT(hornet_limits_t);
    limits.threads = 4;
    limits.grown_in_test = 0x5eed;
    const int fds[2] = {7, 8};
    hornet_worker_ctx_t ctx{};
    ctx.head = HORNET_HEAD_INIT(hornet_worker_ctx_t);
    ctx.host = &host.table;
    ctx.listen_fds = fds;
    ctx.listen_count = 2;
    ctx.limits = &limits;
    ctx.stop_fd = -1;
    // Captureless lambdas cannot reach `calls`: route through a static.
    static Calls* current = nullptr;
    current = &calls;
    ctx.ready = [](const hornet_worker_ctx_t*) { ++current->ready; };
    ctx.heartbeat = [](const hornet_worker_ctx_t*) { ++current->beats; };
    ctx.count = [](const hornet_worker_ctx_t*, int counter, int64_t delta) {
        if (counter == HORNET_COUNT_REQUESTS) current->requests += delta;
    };
    ctx.grown_in_test = 0x5eed;

    EXPECT_EQ(worker->run(&ctx), 42); // threads * 10 + listen_count
    EXPECT_EQ(calls.ready, 1);
    EXPECT_EQ(calls.beats, 1);
    EXPECT_EQ(calls.requests, 1);
}

} // namespace
} // namespace hornet
