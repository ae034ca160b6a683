// A blocking app's request on the pool: the SDK's blocking exchange, with
// the extensions marshalled to the ring.
#include "pool_exchange.hpp"

#include "connection.hpp"
#include "uring_worker.hpp"
#include "waiter.hpp"

namespace hornet::uring {

// The timer's cancel is posted before the exchange ends, so the ring sees
// it before it hears that the pool is done with the request.
int PoolExchange::finish(int error) {
    worker_.mailbox().post([&c = c_] { c.timer_close(); });
    return BlockingExchange::finish(error);
}

int PoolExchange::timer_start(uint64_t ms, hornet_done_fn done, void* user_data) {
    return static_cast<int>(on_ring(worker_.mailbox(), worker_.in_ring_thread(),
                                    [&]() -> ptrdiff_t { return c_.timer_start(ms, done, user_data); }));
}

int PoolExchange::post(hornet_done_fn fn, void* user_data) {
    worker_.mailbox().post([fn, user_data] { fn(user_data, 0); });
    return HORNET_OK;
}

} // namespace hornet::uring
