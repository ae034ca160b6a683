// A blocking app's request on the pool: the SDK's blocking exchange, with
// the extensions marshalled to the loop.
#include "pool_exchange.hpp"

#include "async_worker.hpp"
#include "completion.hpp"
#include "exchange_timer.hpp"

namespace hornet::async {

// The timer's close is posted before the exchange ends, so the loop sees it
// before it hears that the pool is done with the request.
int PoolExchange::finish(int error) {
    boost::asio::post(worker_.io(), [&timer = timer_] { timer.close(); });
    return BlockingExchange::finish(error);
}

int PoolExchange::timer_start(uint64_t ms, hornet_done_fn done, void* user_data) {
    return static_cast<int>(on_loop(worker_.io(), worker_.in_loop_thread(), [&] {
        return timer_.start(ms, done, user_data);
    }));
}

int PoolExchange::post(hornet_done_fn fn, void* user_data) {
    boost::asio::post(worker_.io(), [fn, user_data] { fn(user_data, 0); });
    return HORNET_OK;
}

} // namespace hornet::async
