// The text of one stack dump of this process (docs/operations.md shows one):
// a head line, what each thread serves, every thread's native stack, and
// the app's own stacks. Made by the dump thread (StackDumper), or by a unit
// test in its own process.
//
// One thread at a time (the dump thread; it keeps a Symbolizer between
// calls), never the ones it interrupts; it allocates and reads /proc, so
// never from a signal handler. The calling thread is listed, not unwound.
#pragma once

#include <cstdint>
#include <string>

#include <hornet/app.h>

namespace hornet {

struct DumpSubject {
    std::uint32_t generation = 0;
    int worker_id = 0;
    const hornet_app_t* app = nullptr; // its dump_stacks, when it has one (ABI 1.3)
    void* app_instance = nullptr;
    int app_fd = -1; // a memfd the app writes its part into; -1: no app part
};

std::string dump_report(const DumpSubject& subject);

} // namespace hornet
