// Symbolizer: names for the addresses of a native stack of this process
// ("clock_nanosleep+0x65 (libc.so.6)"), with elfutils' libdwfl as eu-stack
// does: every mapped file of /proc/self/maps, its full symbol table where
// the file keeps one (so the hidden functions of a plugin have names, which
// dladdr would not give), a separate debuginfo file when one is installed
// (then also file:line), C++ names demangled.
//
// It allocates and reads files: the dump thread only, never a signal
// handler. It knows the files mapped when it was made: make another once
// that changes (dump_report does).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace hornet {

class Symbolizer {
public:
    Symbolizer();
    ~Symbolizer();
    Symbolizer(const Symbolizer&) = delete;
    Symbolizer& operator=(const Symbolizer&) = delete;

    // "name+0xOFF (file)", "?? (file+0xOFF)" or "??". A return address
    // (every frame but the innermost) is looked up one byte back, inside
    // the call, so that a call at a function's very end is named right.
    std::string describe(std::uintptr_t pc, bool return_address) const;

private:
    struct Session;
    std::unique_ptr<Session> session_; // null when /proc/self/maps could not be read
};

} // namespace hornet
