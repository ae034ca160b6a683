// hornet/sdk/work_queue.hpp: the locked FIFO between a worker type's event
// thread and its pool of threads.
//
// Intrusive (the item carries its own `next` link, so a push allocates
// nothing) and FIFO (the oldest item is served first). pop() blocks until an
// item is queued or the queue is closed. A push wakes no more sleeping
// threads than it brings items: a spare wake-up is a thread switch for
// nothing. push() and close() from any thread; pop() from the pool.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <span>
#include <vector>

namespace hornet::sdk {

template <class T, T* T::*Next>
class WorkQueue {
public:
    void push(T* item) { push(std::span<T* const>(&item, 1)); }

    void push(std::span<T* const> items) {
        if (items.empty()) return;
        size_t wake = 0;
        {
            std::lock_guard lock(mu_);
            for (T* item : items) {
                item->*Next = nullptr;
                (tail_ ? tail_->*Next : head_) = item;
                tail_ = item;
            }
            wake = std::min(items.size(), sleeping_);
        }
        for (size_t i = 0; i < wake; ++i) cv_.notify_one();
    }

    // The oldest item; null once the queue is closed and empty.
    T* pop() {
        std::unique_lock lock(mu_);
        ++sleeping_;
        cv_.wait(lock, [this] { return closed_ || head_ != nullptr; });
        --sleeping_;
        T* item = head_;
        if (!item) return nullptr;
        head_ = item->*Next;
        if (!head_) tail_ = nullptr;
        return item;
    }

    // No more work: pop() returns what is still queued, then null.
    void close() {
        {
            std::lock_guard lock(mu_);
            closed_ = true;
        }
        cv_.notify_all();
    }

    // Closes and hands what is still queued to `out` instead.
    void close(std::vector<T*>& out) {
        {
            std::lock_guard lock(mu_);
            closed_ = true;
            for (T* item = head_; item; item = item->*Next) out.push_back(item);
            head_ = tail_ = nullptr;
        }
        cv_.notify_all();
    }

private:
    std::mutex mu_;
    std::condition_variable cv_;
    T* head_ = nullptr;
    T* tail_ = nullptr;
    size_t sleeping_ = 0; // threads in pop()
    bool closed_ = false;
};

} // namespace hornet::sdk
