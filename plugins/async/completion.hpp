// plugins/async/completion.hpp: the SDK's loop calls (hornet/sdk/loop_call.hpp)
// over this worker's io_context: an op called from outside the loop is
// posted to it while the caller waits.
#pragma once

#include <cstddef>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "hornet/sdk/loop_call.hpp"

namespace hornet::async {

using sdk::Completion;
using sdk::Waiter;

// [not the loop] Posts op(completion) to the loop and waits for it.
template <class Op>
ptrdiff_t wait_for_loop(boost::asio::io_context& io, Op&& op) {
    return sdk::wait_for_loop([&io](auto task) { boost::asio::post(io, std::move(task)); }, op);
}

// [any thread] now() at once on the loop thread, else on it while waiting.
template <class Now>
ptrdiff_t on_loop(boost::asio::io_context& io, bool in_loop, Now&& now) {
    return sdk::on_loop([&io](auto task) { boost::asio::post(io, std::move(task)); }, in_loop, now);
}

} // namespace hornet::async
