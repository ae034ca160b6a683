// The SDK's pieces of an event-loop worker type: the wait of a connection
// for its client (client_wait_deadline, ClientWatch) and the stop phases
// (LoopWorker).
#include "hornet/sdk/client_wait.hpp"
#include "hornet/sdk/loop_worker.hpp"

#include <gtest/gtest.h>

namespace hornet::sdk {
namespace {

Timeouts times() {
    Timeouts t;
    t.head_ms = 30000;
    t.keepalive_ms = 2000;
    return t;
}

TEST(ClientWaitDeadline, TheFirstRequestGetsTheHeaderTimeoutLaterOnesKeepAlive) {
    const ClientDeadline first = client_wait_deadline(times(), 1000, true, false, 0, INT64_MAX);
    EXPECT_EQ(first.wait, ClientWait::request);
    EXPECT_EQ(first.at_ms, 31000);
    const ClientDeadline next = client_wait_deadline(times(), 1000, true, true, 0, INT64_MAX);
    EXPECT_EQ(next.at_ms, 3000);
}

TEST(ClientWaitDeadline, ADrainEndsAnIdleWaitSoonerButNotAHead) {
    EXPECT_EQ(client_wait_deadline(times(), 1000, true, true, 0, 1500).at_ms, 1500);
    const ClientDeadline head = client_wait_deadline(times(), 1000, false, true, 400, 1500);
    EXPECT_EQ(head.wait, ClientWait::head);
    EXPECT_EQ(head.at_ms, 30400); // header_timeout from the head's first byte
    EXPECT_EQ(client_wait_deadline(times(), 1000, false, true, 0, 1500).at_ms, 31000);
}

TEST(ClientWatch, ARunOutHeadWaitIsToldOnceAndRemembered) {
    ClientWatch w;
    w.begin_head();
    w.first_bytes(1000);
    w.await(times(), 1200, false, false, INT64_MAX); // a partial head: 30 s from its first byte
    EXPECT_FALSE(w.expired(30999));
    EXPECT_TRUE(w.expired(31000));
    EXPECT_FALSE(w.expired(40000)); // once
    EXPECT_TRUE(w.head_expired());
    w.begin_head();
    EXPECT_FALSE(w.head_expired());
}

TEST(ClientWatch, ADrainShortensOnlyAnIdleWait) {
    ClientWatch idle;
    idle.await(times(), 1000, true, true, INT64_MAX); // keep-alive: until 3000
    idle.drain(1500);
    EXPECT_TRUE(idle.expired(1500));
    EXPECT_FALSE(idle.head_expired());
    ClientWatch lingering;
    lingering.linger(1000);
    lingering.drain(1100);
    EXPECT_FALSE(lingering.expired(1100));
    EXPECT_TRUE(lingering.expired(1000 + kLingerMs));
    ClientWatch answered;
    answered.await(times(), 1000, true, true, INT64_MAX);
    answered.done();
    EXPECT_FALSE(answered.expired(99999)); // the read came back: nothing to cancel
}

int g_mode = HORNET_STOP_NONE;

struct Loop : LoopWorker {
    using LoopWorker::enter_leaving;
    using LoopWorker::enter_stopping;
    using LoopWorker::Phase;
    using LoopWorker::phase;
    using LoopWorker::stop_step;
    using LoopWorker::StopStep;
    using LoopWorker::tick;
    using LoopWorker::Verdict;
    using LoopWorker::verdict;
    explicit Loop(const hornet_worker_ctx_t* ctx) : LoopWorker(ctx) {}
};

struct Ctx {
    hornet_limits_t limits{};
    hornet_worker_ctx_t ctx{};
    Ctx() {
        limits.head = HORNET_HEAD_INIT(hornet_limits_t);
        limits.timeout_ms = 30000;
        limits.keepalive_ms = 2000;
        limits.graceful_timeout_ms = 5000;
        ctx.head = HORNET_HEAD_INIT(hornet_worker_ctx_t);
        ctx.limits = &limits;
        ctx.stop_fd = -1;
        ctx.stop_mode = [](const hornet_worker_ctx_t*) { return g_mode; };
        ctx.heartbeat = [](const hornet_worker_ctx_t*) {};
    }
};

TEST(LoopWorker, AGracefulStopDrainsThenEndsOnceNothingIsOpenOrAccepting) {
    Ctx c;
    Loop w(&c.ctx);
    g_mode = HORNET_STOP_NONE;
    EXPECT_EQ(w.stop_step(), Loop::StopStep::none);
    EXPECT_EQ(w.verdict(0, false), Loop::Verdict::stay); // serving
    g_mode = HORNET_STOP_GRACEFUL;
    ASSERT_EQ(w.stop_step(), Loop::StopStep::leave);
    ASSERT_TRUE(w.enter_leaving(3));
    EXPECT_FALSE(w.enter_leaving(3));
    EXPECT_EQ(w.stop_step(), Loop::StopStep::none); // already leaving
    EXPECT_EQ(w.drain_by_ms(), w.now_ms() + 2000);  // keepalive, within graceful_timeout
    EXPECT_FALSE(w.keep_going());
    EXPECT_EQ(w.verdict(1, false), Loop::Verdict::stay);
    EXPECT_EQ(w.verdict(0, true), Loop::Verdict::stay); // a cancelled accept may still bring a client
    EXPECT_EQ(w.verdict(0, false), Loop::Verdict::end);
    g_mode = HORNET_STOP_NONE;
}

TEST(LoopWorker, AHardStopWaitsForTheExchangesStillOpen) {
    Ctx c;
    Loop w(&c.ctx);
    g_mode = HORNET_STOP_NOW;
    ASSERT_EQ(w.stop_step(), Loop::StopStep::stop_now);
    ASSERT_TRUE(w.enter_stopping());
    EXPECT_EQ(w.stop_step(), Loop::StopStep::none);
    EXPECT_EQ(w.verdict(2, false), Loop::Verdict::stay);
    EXPECT_FALSE(w.abandoned());
    g_mode = HORNET_STOP_NONE;
}

} // namespace
} // namespace hornet::sdk
