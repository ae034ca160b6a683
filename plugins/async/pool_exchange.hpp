// plugins/async/pool_exchange.hpp: one request of a blocking app, served on
// the async worker's pool.
//
// An app that is not HORNET_APP_NONBLOCKING must not run on the loop (it
// would stall every other connection), so its requests go to a pool thread,
// which serves them exactly as a gthread handler does: the SDK's
// BlockingExchange, with bounded blocking I/O straight on the socket. The
// loop leaves the connection alone meanwhile (no Asio operation is in flight
// on it), so the request costs one hand-off to the pool and one back, with
// no op marshalled between. What only the loop has, the extensions, are
// marshalled: the timer runs on the connection's ExchangeTimer, post on the
// loop. [pool thread], the ops [any thread].
#pragma once

#include "hornet/sdk/blocking_exchange.hpp"

namespace hornet::async {

class AsyncWorker;
class ExchangeTimer;

class PoolExchange final : public sdk::BlockingExchange {
public:
    PoolExchange(AsyncWorker& worker, ExchangeTimer& timer, const sdk::ExchangeParts& parts,
                 const sdk::BlockingParts& io)
        : BlockingExchange(parts, io), worker_(worker), timer_(timer) {}

    int finish(int error) override;
    int timer_start(uint64_t ms, hornet_done_fn done, void* user_data) override;
    int post(hornet_done_fn fn, void* user_data) override;

private:
    AsyncWorker& worker_;
    ExchangeTimer& timer_; // the connection's: [loop]
};

} // namespace hornet::async
