// A loaded plugin: the shared object (kept open) and the descriptor its entry
// symbol returned, checked against this host's ABI.
//
// Loading refuses, with one PluginError line naming the file and the fix:
// a file that is not a shared object, a missing entry symbol, an entry that
// returns NULL, a bad magic, an ABI major mismatch, a newer minor than this
// host speaks, and a descriptor smaller than ABI 1.0's. Arbiter only, before
// fork; children inherit the mapping. The library must outlive every instance
// the descriptor created (destroy() first, then drop this).
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include <hornet/app.h>
#include <hornet/worker.h>

namespace hornet {

template <class Descriptor>
class PluginLibrary {
public:
    // Throws PluginError.
    static PluginLibrary load(const std::filesystem::path& path);

    const Descriptor& descriptor() const { return *descriptor_; }
    const Descriptor* operator->() const { return descriptor_; }
    const std::filesystem::path& path() const { return path_; }

private:
    std::shared_ptr<void> library_; // the open boost::dll::shared_library
    const Descriptor* descriptor_ = nullptr;
    std::filesystem::path path_;
};

using AppLibrary = PluginLibrary<hornet_app_t>;
using WorkerLibrary = PluginLibrary<hornet_worker_t>;

extern template class PluginLibrary<hornet_app_t>;
extern template class PluginLibrary<hornet_worker_t>;

// ABI 1.2: the app's verdict on its app_config (hornet_app_t.check_config),
// "" when it accepts it or is too old to have the call; else its one line.
// [arbiter] before fork.
std::string check_app_config(const AppLibrary& app, const hornet_host_t* host);

} // namespace hornet
