// plugins/uring/pool_exchange.hpp: one request of a blocking app, served on
// the uring worker's pool with the SDK's BlockingExchange (bounded blocking
// I/O straight on the socket; the ring has no operation on it meanwhile).
// Only the extensions need the ring: the timer runs on the connection's
// ring timeout, post goes through the mailbox. [pool thread], the ops [any].
#pragma once

#include "hornet/sdk/blocking_exchange.hpp"

namespace hornet::uring {

class UringWorker;
class Connection;

class PoolExchange final : public sdk::BlockingExchange {
public:
    PoolExchange(UringWorker& worker, Connection& c, const sdk::ExchangeParts& parts, const sdk::BlockingParts& io)
        : BlockingExchange(parts, io), worker_(worker), c_(c) {}

    int finish(int error) override;
    int timer_start(uint64_t ms, hornet_done_fn done, void* user_data) override;
    int post(hornet_done_fn fn, void* user_data) override;

private:
    UringWorker& worker_;
    Connection& c_; // its timer: [ring thread]
};

} // namespace hornet::uring
