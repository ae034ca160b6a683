// BusyRequest and ThreadRequests: what a worker serves now, as readers see it.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "scoreboard/busy_request.hpp"
#include "worker/thread_requests.hpp"

namespace hornet {
namespace {

TEST(BusyRequest, IdleUntilSetAndAgainOnceCleared) {
    BusyRequest b;
    EXPECT_FALSE(b.read());
    b.set("POST", "/upload", 42);
    auto v = b.read();
    ASSERT_TRUE(v);
    EXPECT_EQ(v->method, "POST");
    EXPECT_EQ(v->path, "/upload");
    EXPECT_EQ(v->since_ms, 42);
    b.clear();
    EXPECT_FALSE(b.read());
}

TEST(BusyRequest, CutsLongTextToItsRoom) {
    BusyRequest b;
    const std::string path(500, 'p');
    b.set(std::string(40, 'M'), path, 7);
    auto v = b.read();
    ASSERT_TRUE(v);
    EXPECT_EQ(v->method.size(), BusyRequest::kMethodBytes);
    EXPECT_EQ(v->path, path.substr(0, BusyRequest::kPathBytes));
}

// Readers racing writers see one whole request, never a mix of two.
TEST(BusyRequest, ReadersNeverSeeTornText) {
    BusyRequest b;
    std::atomic<bool> done{false};
    std::vector<std::thread> writers;
    for (int w = 0; w < 2; ++w)
        writers.emplace_back([&, w] {
            const std::string path(100, w ? 'a' : 'b');
            while (!done) b.set(w ? "GET" : "DELETE", path, 1 + w);
        });
    int seen = 0;
    for (long i = 0; i < 50'000'000 && seen < 200'000; ++i) {
        auto v = b.read();
        if (!v) continue;
        ++seen;
        const std::string want(100, v->method == "GET" ? 'a' : 'b');
        if (v->path != want) {
            ADD_FAILURE() << v->method << " " << v->path;
            break;
        }
    }
    done = true;
    for (auto& t : writers) t.join();
    EXPECT_GT(seen, 0);
}

TEST(ThreadRequests, EachThreadHasItsOwnEntry) {
    ThreadRequests table;
    std::thread a([&] { table.begin("GET", "/a", 5); });
    a.join();
    std::thread b([&] {
        table.begin("GET", "/b", 6);
        table.begin("GET", "/c", 7); // an event loop: two at once
        table.end();
    });
    b.join();
    std::vector<std::string> paths;
    std::vector<std::int64_t> counts;
    table.for_each([&](const ThreadRequests::Entry& e) {
        auto v = e.busy.read();
        paths.push_back(v ? v->path : "-");
        counts.push_back(e.in_flight.load());
    });
    EXPECT_EQ(paths, (std::vector<std::string>{"/a", "/c"}));
    EXPECT_EQ(counts, (std::vector<std::int64_t>{1, 1}));
}

} // namespace
} // namespace hornet
