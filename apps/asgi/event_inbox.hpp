// apps/asgi/event_inbox.hpp: what the worker's loop thread hands the
// asyncio thread: new requests and the results the app waits for.
//
// A mutex-guarded vector and an eventfd the asyncio loop watches
// (add_reader): the loop thread never takes the GIL, and it writes the
// eventfd only when the inbox was empty, so a busy asyncio thread takes a
// whole batch per wake-up. [any thread] push; [asyncio thread] take.
#pragma once

#include <cstddef>
#include <mutex>
#include <vector>

namespace hornet::asgi {

struct RequestState;

struct Event {
    enum Kind : unsigned char { request, read_done, write_done, peer_gone } kind;
    RequestState* rs; // a reference held for the event
    ptrdiff_t result; // bytes read, or 0 / <0 HORNET_E*
};

class EventInbox {
public:
    EventInbox(); // throws std::system_error when no eventfd can be had
    ~EventInbox();
    EventInbox(const EventInbox&) = delete;
    EventInbox& operator=(const EventInbox&) = delete;

    int fd() const { return fd_; }
    void push(const Event& e);
    // Everything pushed so far, into out (cleared first); reads the eventfd.
    void take(std::vector<Event>& out);

private:
    int fd_;
    std::mutex mutex_;
    std::vector<Event> events_;
};

} // namespace hornet::asgi
