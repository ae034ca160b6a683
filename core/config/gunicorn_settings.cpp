// The Gunicorn settings hornet does not take; see gunicorn_settings.hpp.
#include "config/gunicorn_settings.hpp"

#include <algorithm>

namespace hornet {

const std::vector<GunicornOnly>& gunicorn_only_settings() {
    static const std::vector<GunicornOnly> table = {
        {"reload_engine", "--reload-engine", "hornet's reloader polls once a second; there is no engine to choose"},
        {"spew", "--spew", "hornet has no line tracing; use python3 -m trace or a debugger"},
        {"sendfile", "--no-sendfile", "hornet always uses sendfile(2) where it can"},
        {"reuse_port", "--reuse-port", "not supported yet: bind each address once"},
        {"worker_tmp_dir", "--worker-tmp-dir", "hornet's heartbeat is a shared-memory scoreboard, not a temp file"},
        {"initgroups", "--initgroups", "not supported yet: workers get the group of -g/--group only"},
        {"tmp_upload_dir", "", "unused by Gunicorn itself"},
        {"disable_redirect_access_to_syslog", "--disable-redirect-access-to-syslog", "hornet has no syslog"},
        {"capture_output", "--capture-output", "not supported yet: the app's stdout and stderr stay hornet's"},
        {"logger_class", "--logger-class", "hornet's error log is set with error_logfile and log_level"},
        {"logconfig", "--log-config", "hornet's error log is set with error_logfile and log_level"},
        {"logconfig_dict", "", "hornet's error log is set with error_logfile and log_level"},
        {"logconfig_json", "--log-config-json", "hornet's error log is set with error_logfile and log_level"},
        {"syslog_addr", "--log-syslog-to", "hornet has no syslog: log to stderr (journald) or a file"},
        {"syslog", "--log-syslog", "hornet has no syslog: log to stderr (journald) or a file"},
        {"syslog_prefix", "--log-syslog-prefix", "hornet has no syslog"},
        {"syslog_facility", "--log-syslog-facility", "hornet has no syslog"},
        {"enable_stdio_inheritance", "--enable-stdio-inheritance", "hornet's workers always inherit stdio"},
        {"default_proc_name", "", "hornet names processes after proc_name or the app"},
        {"paste", "--paste", "PasteDeploy apps are not supported: name the WSGI callable (MODULE:CALLABLE)"},
        {"raw_paste_global_conf", "--paste-global", "PasteDeploy apps are not supported"},
        {"keyfile", "--keyfile", "no TLS yet: terminate TLS in a proxy (nginx, HAProxy)"},
        {"certfile", "--certfile", "no TLS yet: terminate TLS in a proxy (nginx, HAProxy)"},
        {"ssl_version", "--ssl-version", "no TLS yet: terminate TLS in a proxy"},
        {"cert_reqs", "--cert-reqs", "no TLS yet: terminate TLS in a proxy"},
        {"ca_certs", "--ca-certs", "no TLS yet: terminate TLS in a proxy"},
        {"suppress_ragged_eofs", "--suppress-ragged-eofs", "no TLS yet: terminate TLS in a proxy"},
        {"do_handshake_on_connect", "--do-handshake-on-connect", "no TLS yet: terminate TLS in a proxy"},
        {"ciphers", "--ciphers", "no TLS yet: terminate TLS in a proxy"},
        {"strip_header_spaces", "--strip-header-spaces", "hornet always refuses a space before a header's colon (400)"},
        {"tolerate_dangerous_framing", "--tolerate-dangerous-framing",
         "hornet always refuses ambiguous framing (400), as RFC 9112 asks"},
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

bool is_worker_hook(std::string_view name) {
    for (std::string_view h : {"post_fork", "post_worker_init", "worker_exit", "pre_request", "post_request"})
        if (h == name) return true;
    return false;
}

bool is_unrun_hook(std::string_view name) {
    for (std::string_view h : {"on_starting", "on_reload", "when_ready", "pre_fork", "pre_exec", "child_exit",
                               "nworkers_changed", "on_exit", "worker_int", "worker_abort", "ssl_context"})
        if (h == name) return true;
    return false;
}

} // namespace hornet
