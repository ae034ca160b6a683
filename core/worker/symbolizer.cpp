// Addresses to names with libdwfl; see symbolizer.hpp.
#include "worker/symbolizer.hpp"

#include <cstdio>
#include <cstdlib>
#include <cxxabi.h>
#include <elfutils/libdwfl.h>
#include <unistd.h>

namespace hornet {
namespace {

const Dwfl_Callbacks kCallbacks = {
    .find_elf = dwfl_linux_proc_find_elf,
    .find_debuginfo = dwfl_standard_find_debuginfo,
    .section_address = nullptr,
    .debuginfo_path = nullptr,
};

// "clock_nanosleep@GLIBC_2.2.5" -> "clock_nanosleep": the version says
// nothing about where a thread is.
std::string unversioned(const char* name) {
    std::string s(name);
    return s.substr(0, s.find('@'));
}

std::string demangled(const char* name) {
    int status = 0;
    char* plain = abi::__cxa_demangle(name, nullptr, nullptr, &status);
    if (status != 0 || !plain) return unversioned(name);
    std::string out(plain);
    std::free(plain);
    return out;
}

std::string hex(std::uintptr_t v) {
    char text[24];
    std::snprintf(text, sizeof text, "0x%lx", static_cast<unsigned long>(v));
    return text;
}

std::string base_name(const char* path) {
    if (!path) return "?";
    std::string p(path);
    const auto slash = p.rfind('/');
    return slash == std::string::npos ? p : p.substr(slash + 1);
}

// " at file.cpp:42" when the module has line tables (debug info), else "".
std::string source_line(Dwfl_Module* mod, std::uintptr_t at) {
    Dwfl_Line* line = dwfl_module_getsrc(mod, at);
    int lineno = 0;
    const char* file = line ? dwfl_lineinfo(line, nullptr, &lineno, nullptr, nullptr, nullptr) : nullptr;
    if (!file) return "";
    return " at " + base_name(file) + ":" + std::to_string(lineno);
}

} // namespace

struct Symbolizer::Session {
    Dwfl* dwfl = nullptr;
    ~Session() {
        if (dwfl) dwfl_end(dwfl);
    }
};

Symbolizer::Symbolizer() {
    auto s = std::make_unique<Session>();
    s->dwfl = dwfl_begin(&kCallbacks);
    if (!s->dwfl) return;
    dwfl_report_begin(s->dwfl);
    const bool reported = dwfl_linux_proc_report(s->dwfl, ::getpid()) == 0;
    if (dwfl_report_end(s->dwfl, nullptr, nullptr) != 0 || !reported) return;
    session_ = std::move(s);
}

Symbolizer::~Symbolizer() = default;

std::string Symbolizer::describe(std::uintptr_t pc, bool return_address) const {
    if (!session_) return "??";
    const std::uintptr_t at = return_address && pc > 0 ? pc - 1 : pc;
    Dwfl_Module* mod = dwfl_addrmodule(session_->dwfl, at);
    if (!mod) return "??";
    Dwarf_Addr start = 0;
    const char* file = dwfl_module_info(mod, nullptr, &start, nullptr, nullptr, nullptr, nullptr, nullptr);
    GElf_Off offset = 0;
    GElf_Sym sym;
    const char* name = dwfl_module_addrinfo(mod, at, &offset, &sym, nullptr, nullptr, nullptr);
    if (!name || !*name) return "?? (" + base_name(file) + "+" + hex(pc - start) + ")";
    offset += pc - at; // the offset of pc itself
    return demangled(name) + "+" + hex(offset) + " (" + base_name(file) + ")" + source_line(mod, at);
}

} // namespace hornet
