// The async-op queue of a blocking exchange.
#include "hornet/sdk/detail/completion_queue.hpp"

namespace hornet::sdk {

int CompletionQueue::push(const AsyncTask& task) {
    {
        std::lock_guard lock(mu_);
        if (finished_) return HORNET_ECLOSED;
        if (busy_[task.kind]) return HORNET_EBUSY;
        busy_[task.kind] = true;
        tasks_[count_++] = task;
    }
    cv_.notify_one();
    return HORNET_OK;
}

bool CompletionQueue::pop(AsyncTask& out) {
    if (count_ == 0) return false;
    out = tasks_[0];
    for (size_t i = 1; i < count_; ++i) tasks_[i - 1] = tasks_[i];
    --count_;
    return true;
}

void CompletionQueue::release(AsyncTask::Kind kind) {
    std::lock_guard lock(mu_);
    busy_[kind] = false;
}

bool CompletionQueue::busy(AsyncTask::Kind kind) {
    std::lock_guard lock(mu_);
    return busy_[kind];
}

void CompletionQueue::mark_finished() {
    std::lock_guard lock(mu_);
    finished_ = true;
    cv_.notify_all(); // under the lock: the handler may destroy us once it sees finished_
}

} // namespace hornet::sdk
