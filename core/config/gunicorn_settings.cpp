// The Gunicorn settings hornet does not take; see gunicorn_settings.hpp.
// Checked against Gunicorn 26.1's settings (docs/gunicorn.md lists them all).
#include "config/gunicorn_settings.hpp"

#include <algorithm>

namespace hornet {
namespace {

using H = GunicornOnly::Handling;
constexpr bool kSwitch = false;

constexpr std::string_view kNoSyslog = "hornet has no syslog: log to stderr (journald) or a file";
constexpr std::string_view kOwnLog = "hornet's error log is set with error_logfile, log_level and log_format";
constexpr std::string_view kStrict = "hornet always refuses such requests (400), as RFC 9112 asks";
constexpr std::string_view kNoAsgi = "for ASGI apps; hornet has no ASGI worker yet";
constexpr std::string_view kHttp1 = "hornet speaks HTTP/1.1; there is no HTTP/2 to tune";
constexpr std::string_view kNoDirty = "hornet has no dirty arbiters: run that work in a service of its own";

bool listed(const std::vector<std::string_view>& names, std::string_view name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

} // namespace

const std::vector<GunicornOnly>& gunicorn_only_settings() {
    static const std::vector<GunicornOnly> table = {
        // Debugging
        {"reload_engine", "--reload-engine", "hornet's reloader polls once a second; there is no engine to choose",
         H::ignore},
        {"spew", "--spew", "hornet has no line tracing; use python3 -m trace or a debugger", H::ignore, kSwitch},
        // Server mechanics
        {"sendfile", "--no-sendfile", "hornet always uses sendfile(2) where it can", H::ignore, kSwitch},
        {"reuse_port", "--reuse-port", "hornet binds each address once and its workers share it", H::ignore, kSwitch},
        {"worker_tmp_dir", "--worker-tmp-dir", "hornet's heartbeat is a shared-memory scoreboard, not a temp file",
         H::ignore},
        {"initgroups", "--initgroups", "hornet always gives workers the groups of -u/--user's account", H::ignore,
         kSwitch},
        {"tmp_upload_dir", "", "unused by Gunicorn itself", H::ignore},
        {"paste", "--paste", "PasteDeploy apps are not supported: name the WSGI callable (MODULE:CALLABLE)"},
        {"paste", "--paster", "PasteDeploy apps are not supported: name the WSGI callable (MODULE:CALLABLE)"},
        {"raw_paste_global_conf", "--paste-global", "PasteDeploy apps are not supported"},
        {"protocol", "--protocol", "hornet speaks HTTP only: use nginx's proxy_pass rather than uwsgi_pass"},
        {"uwsgi_allow_ips", "--uwsgi-allow-from", "hornet speaks HTTP only, not the uwsgi protocol", H::ignore},
        {"forwarder_headers", "--forwarder-headers",
         "hornet takes no SCRIPT_NAME or PATH_INFO from proxies: set the mount point with app_config.script_name "
         "(or -e SCRIPT_NAME=/mount)"},
        {"header_map", "--header-map", "hornet drops header names with '_', as Gunicorn's default (drop) does",
         H::ignore},
        {"permit_obsolete_folding", "--permit-obsolete-folding", kStrict, H::ignore, kSwitch},
        {"strip_header_spaces", "--strip-header-spaces", kStrict, H::ignore, kSwitch},
        {"permit_unconventional_http_method", "--permit-unconventional-http-method", kStrict, H::ignore, kSwitch},
        {"permit_unconventional_http_version", "--permit-unconventional-http-version", kStrict, H::ignore, kSwitch},
        {"casefold_http_method", "--casefold-http-method", "hornet passes the method as sent, as Gunicorn 22+ does",
         H::ignore, kSwitch},
        {"tolerate_dangerous_framing", "--tolerate-dangerous-framing", kStrict, H::ignore, kSwitch},
        {"http_parser", "--http-parser", "hornet's HTTP/1.1 parser is Boost.Beast's; there is none to choose",
         H::ignore},
        {"root_path", "--root-path", kNoAsgi, H::ignore},
        {"asgi_loop", "--asgi-loop", kNoAsgi, H::ignore},
        {"asgi_lifespan", "--asgi-lifespan", kNoAsgi, H::ignore},
        {"asgi_disconnect_grace_period", "--asgi-disconnect-grace-period", kNoAsgi, H::ignore},
        // Logging
        {"disable_redirect_access_to_syslog", "--disable-redirect-access-to-syslog", "hornet has no syslog",
         H::ignore, kSwitch},
        {"capture_output", "--capture-output", "the app's stdout and stderr stay hornet's stderr", H::ignore, kSwitch},
        {"logger_class", "--logger-class", kOwnLog},
        {"logconfig", "--log-config", kOwnLog},
        {"logconfig_dict", "", kOwnLog},
        {"logconfig_json", "--log-config-json", kOwnLog},
        {"syslog_addr", "--log-syslog-to", kNoSyslog},
        {"syslog", "--log-syslog", kNoSyslog, H::refuse, kSwitch},
        {"syslog_prefix", "--log-syslog-prefix", kNoSyslog},
        {"syslog_facility", "--log-syslog-facility", kNoSyslog},
        {"enable_stdio_inheritance", "--enable-stdio-inheritance", "hornet's workers always inherit stdio", H::ignore,
         kSwitch},
        {"enable_stdio_inheritance", "-R", "hornet's workers always inherit stdio", H::ignore, kSwitch},
        {"enable_backlog_metric", "--enable-backlog-metric",
         "the listen backlog is always on /metrics (hornet_listen_queue_length), not sent to statsd", H::ignore,
         kSwitch},
        // Process naming
        {"default_proc_name", "", "hornet names processes after proc_name or the app", H::ignore},
        // SSL
        // SSL: hornet has Gunicorn's settings (certfile, keyfile, ...) but this one.
        {"suppress_ragged_eofs", "--suppress-ragged-eofs",
         "hornet always treats a TCP close without close_notify as the end of the stream", H::ignore, kSwitch},
        // HTTP/2 (25.0)
        {"http_protocols", "--http-protocols", kHttp1, H::ignore},
        {"http2_max_concurrent_streams", "--http2-max-concurrent-streams", kHttp1, H::ignore},
        {"http2_initial_window_size", "--http2-initial-window-size", kHttp1, H::ignore},
        {"http2_max_frame_size", "--http2-max-frame-size", kHttp1, H::ignore},
        {"http2_max_header_list_size", "--http2-max-header-list-size", kHttp1, H::ignore},
        // Dirty arbiters (25.0)
        {"dirty_apps", "--dirty-app", kNoDirty},
        {"dirty_workers", "--dirty-workers", kNoDirty},
        {"dirty_timeout", "--dirty-timeout", kNoDirty},
        {"dirty_threads", "--dirty-threads", kNoDirty},
        {"dirty_graceful_timeout", "--dirty-graceful-timeout", kNoDirty},
        // Names that are no settings in a file
        {"config", "", "a config file cannot name another one; give it with -c"},
        {"check_config", "", "a command-line flag in hornet: --check-config"},
        {"print_config", "", "a command-line flag in hornet: --print-config"},
    };
    return table;
}

const GunicornOnly* find_gunicorn_only(std::string_view name_or_flag) {
    const auto& t = gunicorn_only_settings();
    auto it = std::find_if(t.begin(), t.end(), [&](const GunicornOnly& g) {
        return g.name == name_or_flag || (!g.flag.empty() && g.flag == name_or_flag);
    });
    return it == t.end() ? nullptr : &*it;
}

const std::vector<std::string_view>& worker_hook_names() {
    static const std::vector<std::string_view> names = {"post_fork",    "post_worker_init", "worker_int", "worker_abort",
                                                        "worker_exit", "pre_request",      "post_request"};
    return names;
}

bool is_worker_hook(std::string_view name) { return listed(worker_hook_names(), name); }

const std::vector<std::string_view>& server_hook_names() {
    static const std::vector<std::string_view> names = {"on_starting", "when_ready", "on_reload", "on_exit"};
    return names;
}

bool is_server_hook(std::string_view name) { return listed(server_hook_names(), name); }

const char* unrun_hook_reason(std::string_view name) {
    static const std::pair<std::string_view, const char*> kReasons[] = {
        {"pre_fork", "hornet's arbiter forks workers without Python; post_fork runs in each new worker"},
        {"pre_exec", "USR2 re-executes hornet without Python; on_starting runs in the new arbiter"},
        {"child_exit", "the arbiter runs no Python per worker; it logs each worker's exit"},
        {"nworkers_changed", "the arbiter runs no Python per worker; it logs the new count on TTIN and TTOU"},
        {"ssl_context", "hornet builds its TLS context from certfile, keyfile, ca_certs, cert_reqs, ciphers and ssl_version"},
        {"on_dirty_starting", "hornet has no dirty arbiters"},
        {"dirty_post_fork", "hornet has no dirty arbiters"},
        {"dirty_worker_init", "hornet has no dirty arbiters"},
        {"dirty_worker_exit", "hornet has no dirty arbiters"},
    };
    for (const auto& [hook, why] : kReasons)
        if (hook == name) return why;
    return nullptr;
}

} // namespace hornet
