// The plugin catalog; see plugin_catalog.hpp.
#include "plugin/plugin_catalog.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <ostream>
#include <system_error>

#include "plugin/plugin_error.hpp"
#include "plugin/plugin_finder.hpp"
#include "plugin/plugin_library.hpp"

namespace hornet {
namespace fs = std::filesystem;

namespace {

// One attempt to load `path` as one kind of plugin.
struct Probe {
    std::optional<CatalogEntry> row; // it loads
    std::string problem;             // it does not, and why
    bool no_entry = false;           // ... because it lacks that kind's entry
};

std::string text(const char* s) { return s ? s : ""; }

template <class D>
Probe probe(const fs::path& path, const char* kind) {
    Probe p;
    try {
        auto lib = PluginLibrary<D>::load(path);
        const hornet_head_t& h = lib->head;
        // Copied now: the strings live in the library, unloaded at scope exit.
        CatalogEntry row;
        row.path = path;
        row.kind = kind;
        row.name = text(lib->name);
        row.version = text(lib->version);
        row.abi = std::to_string(h.abi_major) + "." + std::to_string(h.abi_minor);
        p.row = std::move(row);
    } catch (const PluginError& e) {
        p.problem = e.what();
        p.no_entry = e.reason == PluginError::Reason::no_entry;
    } catch (const std::exception& e) {
        p.problem = path.string() + ": cannot load: " + e.what();
    }
    return p;
}

CatalogEntry refused(const fs::path& path, std::string problem) {
    CatalogEntry e;
    e.path = path;
    e.problem = std::move(problem);
    return e;
}

// The rows one file gives: what loads, plus the refusals that are not just
// "this is the other kind of plugin".
std::vector<CatalogEntry> examine(const fs::path& path) {
    Probe app = probe<hornet_app_t>(path, "app");
    Probe worker = probe<hornet_worker_t>(path, "worker");
    std::vector<CatalogEntry> rows;
    for (Probe* p : {&app, &worker}) {
        if (p->row) rows.push_back(*p->row);
    }
    if (app.no_entry && worker.no_entry)
        rows.push_back(refused(path, path.string() + ": exports neither " HORNET_APP_ENTRY " nor " HORNET_WORKER_ENTRY
                                                     ": not a hornet plugin"));
    else if (!app.row && !app.no_entry)
        rows.push_back(refused(path, app.problem));
    // A file dlopen rejects gets the same line from both attempts: say it once.
    if (!worker.row && !worker.no_entry && worker.problem != app.problem)
        rows.push_back(refused(path, worker.problem));
    return rows;
}

std::vector<fs::path> shared_objects(const fs::path& dir) {
    std::vector<fs::path> out;
    std::error_code ec;
    for (const auto& item : fs::directory_iterator(dir, ec)) {
        if (item.path().extension() == ".so" && !item.is_directory(ec)) out.push_back(item.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

CatalogFolder scan_folder(const fs::path& dir, bool builtin, std::map<std::string, fs::path>& seen) {
    CatalogFolder folder;
    folder.dir = dir;
    folder.builtin = builtin;
    std::error_code ec;
    folder.exists = fs::is_directory(dir, ec);
    if (!folder.exists) return folder;
    for (const fs::path& file : shared_objects(dir)) {
        // PluginFinder takes the first folder holding <name>.so.
        auto [first, fresh] = seen.emplace(file.stem().string(), file);
        for (CatalogEntry& row : examine(file)) {
            if (!fresh) row.shadowed_by = first->second.string();
            folder.entries.push_back(std::move(row));
        }
    }
    return folder;
}

std::string pad(const std::string& s, size_t width) { return s + std::string(width - std::min(width, s.size()), ' '); }

void print_folders(std::ostream& out, const std::vector<CatalogFolder>& folders) {
    out << "Plugin path, in search order (a short name NAME is NAME.so in the first folder holding it):\n";
    for (size_t i = 0; i < folders.size(); ++i) {
        const CatalogFolder& f = folders[i];
        out << "  " << i + 1 << ". " << f.dir.string() << (f.builtin ? "  (built-in)" : "  (plugin_path)")
            << (f.exists ? "" : "  (no such folder)") << "\n";
    }
}

void print_table(std::ostream& out, const std::vector<const CatalogEntry*>& rows) {
    const std::vector<std::string> titles{"KIND", "NAME", "VERSION", "ABI"};
    std::vector<size_t> width;
    for (const auto& t : titles) width.push_back(t.size());
    for (const CatalogEntry* r : rows) {
        width[0] = std::max(width[0], r->kind.size());
        width[1] = std::max(width[1], r->name.size());
        width[2] = std::max(width[2], r->version.size());
        width[3] = std::max(width[3], r->abi.size());
    }
    out << "\n";
    for (size_t i = 0; i < titles.size(); ++i) out << pad(titles[i], width[i] + 2);
    out << "PATH\n";
    for (const CatalogEntry* r : rows) {
        out << pad(r->kind, width[0] + 2) << pad(r->name, width[1] + 2) << pad(r->version, width[2] + 2)
            << pad(r->abi, width[3] + 2) << r->path.string();
        if (!r->shadowed_by.empty()) out << "  (shadowed by " << r->shadowed_by << ")";
        out << "\n";
    }
}

} // namespace

std::vector<CatalogFolder> scan_plugins(const std::vector<std::string>& plugin_path) {
    PluginFinder finder(plugin_path);
    std::vector<CatalogFolder> folders;
    std::map<std::string, fs::path> seen;
    const auto& dirs = finder.dirs();
    for (size_t i = 0; i < dirs.size(); ++i) folders.push_back(scan_folder(dirs[i], i + 1 == dirs.size(), seen));
    return folders;
}

void print_catalog(std::ostream& out, const std::vector<CatalogFolder>& folders) {
    std::vector<const CatalogEntry*> loads, refusals;
    for (const CatalogFolder& f : folders) {
        for (const CatalogEntry& e : f.entries) (e.problem.empty() ? loads : refusals).push_back(&e);
    }
    print_folders(out, folders);
    if (loads.empty())
        out << "\nNo loadable plugins.\n";
    else
        print_table(out, loads);
    if (refusals.empty()) return;
    out << "\nCannot load (" << refusals.size() << "):\n";
    for (const CatalogEntry* r : refusals) out << "  " << r->problem << "\n";
}

} // namespace hornet
