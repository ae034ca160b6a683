#include "plugin/plugin_library.hpp"

#include <cstdio>
#include <fcntl.h>
#include <map>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

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

// dlopen() hands back the library already loaded under the same name, even
// when the file was replaced since (a new build renamed over the old one). A
// replaced file is therefore loaded from a private copy in a memfd, whose
// /proc/self/fd name is new. Keyed by path: device, inode and mtime last seen.
struct FileId {
    dev_t dev;
    ino_t ino;
    struct timespec mtime;
    bool operator==(const FileId& o) const {
        return dev == o.dev && ino == o.ino && mtime.tv_sec == o.mtime.tv_sec && mtime.tv_nsec == o.mtime.tv_nsec;
    }
};
std::map<std::string, FileId> loaded_files;

// A path that dlopen() has not seen for this file's current contents, and the
// fd that keeps it alive (-1 when the real path will do).
std::pair<std::filesystem::path, int> fresh_path(const std::filesystem::path& path) {
    struct stat st{};
    if (::stat(path.c_str(), &st) != 0) return {path, -1};
    FileId id{st.st_dev, st.st_ino, st.st_mtim};
    auto [it, first] = loaded_files.try_emplace(path.string(), id);
    if (first || it->second == id) return {path, -1};
    it->second = id;
    int in = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    int copy = ::memfd_create(path.filename().c_str(), MFD_CLOEXEC);
    bool ok = in >= 0 && copy >= 0 && ::sendfile(copy, in, nullptr, static_cast<size_t>(st.st_size)) == st.st_size;
    if (in >= 0) ::close(in);
    if (!ok) {
        if (copy >= 0) ::close(copy);
        return {path, -1};
    }
    return {"/proc/self/fd/" + std::to_string(copy), copy};
}

std::shared_ptr<boost::dll::shared_library> open(const std::filesystem::path& path) {
    auto [load_path, keep_fd] = fresh_path(path);
    try {
        auto lib = std::make_shared<boost::dll::shared_library>(
            load_path, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
        if (keep_fd < 0) return lib;
        // The memfd must stay open while the library is loaded: close it with it.
        return std::shared_ptr<boost::dll::shared_library>(lib.get(), [lib, keep_fd](auto*) mutable {
            lib.reset();
            ::close(keep_fd);
        });
    } catch (const std::exception& e) {
        if (keep_fd >= 0) ::close(keep_fd);
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
                              Kind<D>::noun + " plugin (" + Kind<D>::other + ")",
                          PluginError::Reason::no_entry);
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

std::string check_app_config(const AppLibrary& app, const hornet_host_t* host) {
    const hornet_app_t& d = app.descriptor();
    if (!HORNET_HAS(&d, hornet_app_t, check_config) || !d.check_config) return {};
    char err[512] = "";
    int rc = HORNET_EINTERNAL;
    try {
        rc = d.check_config(host, err, sizeof err);
    } catch (...) {
        // Nothing may cross the C boundary; a throwing plugin gets its own line.
        return std::string("app ") + d.name + ": check_config threw; report it to the plugin's authors";
    }
    if (rc == HORNET_OK) return {};
    err[sizeof err - 1] = '\0';
    return err[0] ? std::string(err) : std::string("app ") + d.name + " refused its app_config";
}

} // namespace hornet
