#include "plugin/plugin_library.hpp"

#include <cstdio>

#include <boost/dll/shared_library.hpp>

#include "plugin/plugin_error.hpp"

namespace hornet {
namespace {

// What differs between the two kinds of plugin.
template <class D> struct Kind;
template <> struct Kind<hornet_app_t> {
    using Entry = hornet_app_entry_fn;
    static constexpr const char* symbol = HORNET_APP_ENTRY;
    static constexpr const char* noun = "app";
    static constexpr const char* other = "a worker type? give it with -k/--worker-class";
    // The 1.0 struct ends with handle: nothing older than that exists.
    static constexpr size_t size_1_0 = offsetof(hornet_app_t, handle) + sizeof(void*);
    static const char* missing(const hornet_app_t& d) {
        return !d.name ? "name" : !d.create ? "create" : !d.destroy ? "destroy" : !d.handle ? "handle" : nullptr;
    }
};
template <> struct Kind<hornet_worker_t> {
    using Entry = hornet_worker_entry_fn;
    static constexpr const char* symbol = HORNET_WORKER_ENTRY;
    static constexpr const char* noun = "worker type";
    static constexpr const char* other = "an app? give it as APP or `app:`";
    static constexpr size_t size_1_0 = offsetof(hornet_worker_t, run) + sizeof(void*);
    static const char* missing(const hornet_worker_t& d) {
        return !d.name ? "name" : !d.run ? "run" : nullptr;
    }
};

std::string version(unsigned major, unsigned minor) {
    return std::to_string(major) + "." + std::to_string(minor);
}

template <class D>
void check_head(const std::filesystem::path& path, const hornet_head_t& head) {
    const std::string file = path.string();
    if (head.magic != HORNET_MAGIC) {
        char magic[16];
        std::snprintf(magic, sizeof magic, "0x%08x", head.magic);
        throw PluginError(file + ": not a hornet plugin (bad magic " + magic +
                          "); rebuild it against hornet's headers");
    }
    const std::string host = version(HORNET_ABI_MAJOR, HORNET_ABI_MINOR);
    if (head.abi_major != HORNET_ABI_MAJOR)
        throw PluginError(file + ": built for hornet ABI " + version(head.abi_major, head.abi_minor) +
                          ", this hornet speaks ABI " + host + "; rebuild it against hornet " +
                          std::to_string(HORNET_ABI_MAJOR) + ".x");
    if (head.abi_minor > HORNET_ABI_MINOR)
        throw PluginError(file + ": built for hornet ABI " + version(head.abi_major, head.abi_minor) +
                          ", newer than this hornet's ABI " + host +
                          "; upgrade hornet or rebuild the plugin against this one");
    if (head.struct_size < Kind<D>::size_1_0)
        throw PluginError(file + ": " + Kind<D>::noun + " descriptor is " +
                          std::to_string(head.struct_size) + " bytes, smaller than ABI 1.0's " +
                          std::to_string(Kind<D>::size_1_0) + "; rebuild it against hornet's headers");
}

// Boost.DLL wraps dlerror() as "... dlerror system message: <why>): <errno
// text>"; the errno part is noise, dlerror's text is the reason.
std::string dlerror_text(const std::string& what) {
    static const std::string marker = "dlerror system message: ";
    auto from = what.find(marker);
    auto to = what.rfind(')');
    if (from == std::string::npos || to == std::string::npos || to < from) return what;
    return what.substr(from + marker.size(), to - from - marker.size());
}

std::shared_ptr<boost::dll::shared_library> open(const std::filesystem::path& path) {
    try {
        return std::make_shared<boost::dll::shared_library>(
            path, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
    } catch (const std::exception& e) {
        // dlerror() says why: "invalid ELF header", an unresolved symbol, ...
        throw PluginError(path.string() + ": cannot load: " + dlerror_text(e.what()) +
                          "; is it a hornet plugin built for this machine?");
    }
}

} // namespace

template <class D>
PluginLibrary<D> PluginLibrary<D>::load(const std::filesystem::path& path) {
    auto lib = open(path);
    if (!lib->has(Kind<D>::symbol))
        throw PluginError(path.string() + ": no " + Kind<D>::symbol + " symbol: not a hornet " +
                          Kind<D>::noun + " plugin (" + Kind<D>::other + ")");
    auto entry = lib->template get<std::remove_pointer_t<typename Kind<D>::Entry>>(Kind<D>::symbol);
    const D* d = entry(HORNET_ABI_MAJOR, HORNET_ABI_MINOR);
    if (!d)
        throw PluginError(path.string() + ": " + Kind<D>::symbol + " refused this hornet (ABI " +
                          version(HORNET_ABI_MAJOR, HORNET_ABI_MINOR) + "); see the plugin's documentation");
    check_head<D>(path, d->head);
    if (const char* field = Kind<D>::missing(*d))
        throw PluginError(path.string() + ": " + Kind<D>::noun + " descriptor has no " + field +
                          "; the plugin is broken, report it to its authors");
    PluginLibrary out;
    out.library_ = std::move(lib);
    out.descriptor_ = d;
    out.path_ = path;
    return out;
}

template class PluginLibrary<hornet_app_t>;
template class PluginLibrary<hornet_worker_t>;

} // namespace hornet
