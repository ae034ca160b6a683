// The timer extension's timer (see exchange_timer.hpp).
#include "exchange_timer.hpp"

#include <algorithm>
#include <chrono>

namespace hornet::async {

int ExchangeTimer::start(uint64_t ms, hornet_done_fn done, void* user_data) {
    if (closed_) return HORNET_ECLOSED;
    if (busy_) return HORNET_EBUSY;
    busy_ = true;
    done_ = done;
    user_data_ = user_data;
    timer_.expires_after(std::chrono::milliseconds(std::min<uint64_t>(ms, INT32_MAX)));
    timer_.async_wait([this](const boost::system::error_code& ec) {
        busy_ = false;
        const hornet_done_fn done = std::exchange(done_, nullptr);
        done(user_data_, ec || closed_ ? HORNET_ECLOSED : 0);
        settled_();
    });
    return HORNET_OK;
}

void ExchangeTimer::close() {
    closed_ = true;
    if (busy_) timer_.cancel();
}

} // namespace hornet::async
