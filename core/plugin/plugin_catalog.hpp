// What the plugin path holds, for `hornet --list-plugins`.
//
// Every *.so in each folder of plugin_path and then in the built-in folder
// (the order PluginFinder searches), loaded as an app and as a worker type by
// the real loader, so a row says exactly what `hornet NAME` would do: the
// descriptor's kind, name, version and ABI, or the loader's one-line refusal.
// A file that exports both entries gives two rows. Loading runs each plugin's
// entry function (which the ABI asks to be cheap and side-effect free) and
// unloads it again. Arbiter only, before any fork.
#pragma once

#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

namespace hornet {

struct CatalogEntry {
    std::filesystem::path path;
    std::string kind;    // "app" or "worker"; empty for a refused file
    std::string name;    // from the descriptor
    std::string version; // the plugin's own
    std::string abi;     // "1.0": the ABI its descriptor was built for
    std::string problem; // the refusal line (names the file); empty when it loads
    std::string shadowed_by; // an earlier folder's file of the same short name
};

struct CatalogFolder {
    std::filesystem::path dir;
    bool builtin = false; // the folder that ships with this hornet
    bool exists = false;
    std::vector<CatalogEntry> entries; // by file name
};

// Never throws for what a folder holds; every problem becomes a row.
std::vector<CatalogFolder> scan_plugins(const std::vector<std::string>& plugin_path);

// The folders in search order, a table of what loads, then one line per
// file that cannot load.
void print_catalog(std::ostream& out, const std::vector<CatalogFolder>& folders);

} // namespace hornet
