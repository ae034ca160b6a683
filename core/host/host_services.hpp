// The host side of hornet_host_t: logging, app_config lookups, facts about
// the process, extensions.
//
// One HostServices per process: the arbiter makes it before fork (so that a
// preloaded app sees the same table) and each worker sets its own id after
// fork. The table's functions may be called from any thread.
#pragma once

#include <array>
#include <map>
#include <mutex>
#include <string>

#include <yaml-cpp/yaml.h>

#include <hornet/host.h>

namespace hornet {

struct ProcessFacts {
    unsigned threads = 1;
    bool multiprocess = true;
    bool async = false;
    int worker_id = 0;      // 0 in the arbiter
    unsigned generation = 1;
};

class HostServices {
public:
    HostServices(const YAML::Node& app_config, ProcessFacts facts);
    HostServices(const HostServices&) = delete;
    HostServices& operator=(const HostServices&) = delete;

    const hornet_host_t* table() const { return &table_; }
    void set_worker(int worker_id, unsigned generation);

    // A worker type's extension table ("hornet.timer/1"), answered by
    // get_extension() until withdraw_extensions(). HORNET_OK, HORNET_EINVAL
    // or HORNET_ENOMEM (kMaxExtensions reached). Any thread.
    int provide_extension(const char* id, const void* table);
    void withdraw_extensions();

private:
    static HostServices& self(const hornet_host_t* host);
    static void log(const hornet_host_t* host, int level, hornet_str_t msg);
    static int config_get(const hornet_host_t* host, const char* key, hornet_str_t* out);
    static int64_t query(const hornet_host_t* host, int what);
    static const void* get_extension(const hornet_host_t* host, const char* id);
    static int config_key_at(const hornet_host_t* host, const char* key, size_t index, hornet_str_t* out);

    int lookup(const char* key, hornet_str_t* out);
    int key_at(const char* key, size_t index, hornet_str_t* out);
    const void* find_extension(const char* id);

    static constexpr size_t kMaxExtensions = 8;
    struct Extension {
        std::string id;
        const void* table = nullptr;
    };

    hornet_host_t table_;
    YAML::Node app_config_;
    ProcessFacts facts_;
    std::mutex mutex_;                 // guards app_config_ reads and values_
    std::map<std::string, std::string> values_; // key -> value; handed-out views never move
    std::map<std::pair<std::string, size_t>, std::string> keys_; // (map, index) -> key; the same
    std::mutex extensions_mutex_;
    std::array<Extension, kMaxExtensions> extensions_; // extensions_mutex_
};

} // namespace hornet
