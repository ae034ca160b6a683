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
#include <functional>
#include <string>

#include <hornet/app.h>

namespace hornet {

struct DumpSubject {
    std::uint32_t generation = 0;
    int worker_id = 0;
    // The app's part (app_stacks, below), after the native stacks; none when empty.
    std::function<std::string()> app_part;
};

std::string dump_report(const DumpSubject& subject);

// What app's dump_stacks (ABI 1.3) writes into fd, a memfd the caller owns,
// headed "app NAME stacks:"; "" when the app has none (or is older).
std::string app_stacks(const hornet_app_t* app, void* instance, int fd);

} // namespace hornet
