// THE settings table: every setting hornet knows, in the order --help and
// --print-config show them. One row per setting; see setting.hpp for columns.
// Names, aliases and defaults follow Gunicorn so its users feel at home.
#include "config/setting.hpp"

#include <algorithm>
#include <cctype>
#include <limits>
#include <map>

#include "config/bind_address.hpp"
#include "config/config_error.hpp"
#include "config/ip_entry.hpp"
#include "config/setting_codecs.hpp"
#include "config/statsd_address.hpp"
#include "config/tls_codecs.hpp"
#include "log/access_log_format.hpp"

namespace hornet {

namespace {

constexpr std::uint64_t kMiB = 1024 * 1024;
constexpr std::uint64_t kU64Max = std::numeric_limits<std::uint64_t>::max();

// The scheme prefix (https://, http://) stays: it says TLS or not.
std::string normalized_bind(std::string_view entry) {
    const BindScheme scheme = split_bind_scheme(entry);
    return std::string(bind_scheme_prefix(scheme)) + parse_bind(entry).text();
}

// Two entries for one address (`:8000` and `http://0.0.0.0:8000`) would
// hand every worker the same socket twice.
Codec bind_field() {
    Codec codec = list_field(&Config::bind, "ADDRESS", ',', 1, normalized_bind);
    codec.set = [set = codec.set](Config& c, const YAML::Node& n) {
        set(c, n);
        std::map<std::string_view, std::string_view> seen; // address -> the entry that named it
        for (const std::string& entry : c.bind) {
            std::string_view address = entry; // normalized: only the scheme prefix to drop
            split_bind_scheme(address);
            const auto [it, fresh] = seen.emplace(address, entry);
            if (fresh) continue;
            if (it->second == entry) throw ValueError("'" + entry + "' is given twice; give it once");
            throw ValueError("'" + std::string(it->second) + "' and '" + entry +
                             "' are the same address; give it once");
        }
    };
    return codec;
}

void check_access_log_format(std::string_view format) {
    try {
        AccessLogFormat compiled(format);
    } catch (const std::invalid_argument& e) {
        throw ValueError(e.what());
    }
}
std::string any_path(std::string_view entry) { return std::string(entry); }

void check_probe_path(std::string_view path) {
    if (!path.empty() && path[0] != '/') throw ValueError("expected a path starting with '/', like /healthz");
}

void check_metrics_bind(std::string_view entry) {
    if (!entry.empty()) parse_bind(entry);
}

void check_statsd_host(std::string_view entry) {
    if (!entry.empty()) parse_statsd_host(entry);
}

std::string env_entry(std::string_view entry) {
    const std::size_t eq = entry.find('=');
    if (eq == std::string_view::npos || eq == 0)
        throw ValueError("expected KEY=VALUE (e.g. DJANGO_SETTINGS_MODULE=mysite.settings), got '" +
                         std::string(entry) + "'");
    return std::string(entry);
}

// --interface rides in app_config until fold_python_app() turns it into the
// app plugin's name (python_app.hpp); it never reaches the app.
Codec interface_field() {
    return {"INTERFACE", false,
            [](Config& c, const YAML::Node& n) {
                const std::string text = n.IsScalar() ? n.Scalar() : "";
                if (text != "auto" && text != "asgi" && text != "wsgi")
                    throw ValueError("expected one of auto, asgi, wsgi, got '" + text + "'");
                c.app_config["interface"] = text;
            },
            [](const Config& c) {
                if (c.app_config.IsMap())
                    for (const auto& entry : c.app_config)
                        if (entry.first.Scalar() == "interface") return YAML::Node(entry.second.Scalar());
                return YAML::Node(std::string("auto"));
            }};
}

std::vector<Setting> make_table() {
    return {
        {.name = "bind", .short_flag = "-b",
         .help = "Address to listen on: HOST:PORT, [IPV6]:PORT, :PORT or unix:PATH; repeat for several",
         .codec = bind_field()},
        {.name = "backlog", .help = "Maximum number of pending connections per socket",
         .codec = uint_field(&Config::backlog, 1, 65535)},
        {.name = "workers", .short_flag = "-w", .default_text = "auto",
         .help = "Number of worker processes; auto: 2 x CPUs + 1, counting the CPUs this process may use "
                 "(CPU affinity, cgroup CPU quota rounded up)",
         .codec = workers_field(&Config::workers)},
        {.name = "worker_class", .short_flag = "-k",
         .help = "Worker type: sync, gthread, async, or the path of a worker plugin (.so)",
         .codec = string_field(&Config::worker_class, "NAME", false)},
        {.name = "threads", .help = "Handler threads per worker (gthread; async runs blocking apps on them)",
         .codec = uint_field(&Config::threads, 1, 4096)},
        {.name = "worker_connections", .help = "Maximum simultaneous connections per worker (gthread, async)",
         .codec = uint_field(&Config::worker_connections, 1, 1000000)},
        {.name = "timeout", .short_flag = "-t",
         .help = "Silent workers are killed and restarted after this long; 0 disables",
         .codec = duration_field(&Config::timeout)},
        {.name = "dump_timeout",
         .help = "Before the timeout kill, how long a silent worker gets to send its stack dump to the error log; "
                 "0: no dump",
         .codec = duration_field(&Config::dump_timeout, Millis{60000})},
        {.name = "graceful_timeout", .help = "Time workers get to finish requests on a graceful stop",
         .codec = duration_field(&Config::graceful_timeout)},
        {.name = "shutdown_delay",
         .help = "On TERM, how long health_path answers 503 while serving goes on, before the graceful stop",
         .codec = duration_field(&Config::shutdown_delay)},
        {.name = "health_path", .help = "Path the workers answer themselves: 200, or 503 once stopping; empty: off",
         .codec = checked_string_field(&Config::health_path, "PATH", check_probe_path)},
        {.name = "ready_path", .help = "Path answered 200 once every worker is ready, else 503; empty: off",
         .codec = checked_string_field(&Config::ready_path, "PATH", check_probe_path)},
        {.name = "keep_alive", .aliases = {"keepalive"},
         .help = "Time to wait for the next request on a keep-alive connection; 0 turns keep-alive off",
         .codec = duration_field(&Config::keep_alive)},
        {.name = "max_requests", .help = "Restart a worker after this many requests; 0 disables",
         .codec = uint_field(&Config::max_requests, 0, kU64Max)},
        {.name = "max_requests_jitter", .help = "Random extra requests (0..N) added to max_requests per worker",
         .codec = uint_field(&Config::max_requests_jitter, 0, kU64Max)},
        {.name = "max_worker_memory",
         .help = "Restart a worker (replacement first, then a graceful exit) once its memory passes this "
                 "size, e.g. 512MiB; 0 disables",
         .codec = size_field(&Config::max_worker_memory, 0, kU64Max)},
        {.name = "max_worker_memory_hard", .help = "Kill a worker at once when its memory passes this size; 0 disables",
         .codec = size_field(&Config::max_worker_memory_hard, 0, kU64Max)},
        {.name = "worker_memory_metric",
         .help = "What the memory limits measure: rss (resident, shared pages in full) or pss (shared pages split)",
         .codec = choice_field(&Config::worker_memory_metric, "METRIC", {"rss", "pss"})},
        {.name = "memory_check_interval", .help = "How often the arbiter reads the workers' memory (from /proc)",
         .codec = duration_field(&Config::memory_check_interval)},
        {.name = "log_level", .aliases = {"loglevel"}, .help = "Error log level",
         .codec = choice_field(&Config::log_level, "LEVEL", {"debug", "info", "warning", "error", "critical"})},
        {.name = "error_logfile", .aliases = {"errorlog"}, .cli_aliases = {"--log-file"}, .help = "Error log file; '-' is stderr",
         .codec = string_field(&Config::error_logfile, "PATH", false)},
        {.name = "log_format",
         .help = "Error log lines: text (Gunicorn's) or json (one object a line: time, level, pid, message)",
         .codec = choice_field(&Config::log_format, "FORMAT", {"text", "json"})},
        {.name = "access_logfile", .aliases = {"accesslog"}, .default_text = "off",
         .help = "Access log file; '-' is stdout, empty is off",
         .codec = string_field(&Config::access_logfile, "PATH", true)},
        {.name = "pid", .aliases = {"pidfile"}, .short_flag = "-p", .default_text = "none", .help = "PID file to write",
         .codec = string_field(&Config::pid, "PATH", true)},
        {.name = "control_socket",
         .help = "Unix socket (mode 0600) that hornet ctl talks to: a path, auto (PIDFILE.ctl with a pid file, "
                 "else hornet/NAME.sock in the runtime dir), or off",
         .codec = string_field(&Config::control_socket, "PATH", true)},
        {.name = "app", .aliases = {"wsgi_app"}, .cli = CliForm::positional, .default_text = "none",
         .help = "Application: a short name or the path of an app plugin (.so), or a Python WSGI app as "
                 "Gunicorn names it (MODULE:CALLABLE, e.g. myapp:app or mysite.wsgi), served by the wsgi app, or by the "
                 "asgi app when it is an ASGI app (see interface)",
         .codec = string_field(&Config::app, "APP", true)},
        {.name = "interface",
         .help = "How a Python app (MODULE:CALLABLE) is served: asgi, wsgi, or auto (under -k async an "
                 "ASGI callable, an async def or an object with an async __call__, is served by the asgi app; "
                 "otherwise wsgi)",
         .codec = interface_field()},
        {.name = "app_config", .env = false, .default_text = "{}",
         .help = "Map handed to the application as is; on the command line one KEY=VALUE per option "
                 "(dotted keys reach into maps), changing the file's map",
         .codec = app_config_field(&Config::app_config)},
        {.name = "pythonpath", .default_text = "none",
         .help = "Folders put first on a Python app's sys.path (Gunicorn's; goes into app_config.pythonpath)",
         .codec = list_field(&Config::pythonpath, "DIRS", ',', 0, any_path)},
        {.name = "reload",
         .help = "Python apps: reload when the app's code changes (for development; goes into app_config.reload)",
         .codec = bool_field(&Config::reload)},
        {.name = "reload_extra_files", .cli_aliases = {"--reload-extra-file"}, .default_text = "none",
         .help = "With reload, also watch these files (goes into app_config.reload_extra_files)",
         .codec = list_field(&Config::reload_extra_files, "FILES", ',', 0, any_path)},
        {.name = "raw_env", .aliases = {"env"}, .short_flag = "-e", .cli_aliases = {"--env"}, .default_text = "none",
         .help = "Set an environment variable (KEY=VALUE) for the app and workers; repeat for several",
         .codec = list_field(&Config::raw_env, "KEY=VALUE", '\n', 0, env_entry)},
        {.name = "server_hooks", .default_text = "none",
         .help = "A Python file (a gunicorn.conf.py) whose arbiter hooks hornet runs: on_starting, when_ready, "
                 "on_reload, on_exit (set by -c gunicorn.conf.py when it defines them)",
         .codec = string_field(&Config::server_hooks, "PATH", true)},
        {.name = "plugin_path", .default_text = "none",
         .help = "Folders searched for plugins before the built-in one; repeat, or separate with ':'",
         .codec = list_field(&Config::plugin_path, "DIR", ':', 0, any_path)},
        {.name = "preload_app", .short_flag = "--preload",
         .help = "Create the app in the arbiter before forking workers",
         .codec = bool_field(&Config::preload_app)},
        {.name = "daemon", .short_flag = "-D", .help = "Detach from the terminal and run in the background",
         .codec = bool_field(&Config::daemon)},
        {.name = "user", .short_flag = "-u", .default_text = "unchanged",
         .help = "Run workers as this user (name or uid); sockets are bound first",
         .codec = string_field(&Config::user, "USER", true)},
        {.name = "group", .short_flag = "-g", .default_text = "unchanged",
         .help = "Run workers as this group (name or gid)", .codec = string_field(&Config::group, "GROUP", true)},
        {.name = "umask", .short_flag = "-m", .help = "File mode creation mask of the arbiter and workers",
         .codec = octal_field(&Config::umask)},
        {.name = "chdir", .default_text = "unchanged", .help = "Change to this directory before loading the app",
         .codec = string_field(&Config::chdir, "DIR", true)},
        {.name = "proc_name", .short_flag = "-n", .cli_aliases = {"--name"}, .default_text = "the app's name",
         .help = "Name shown in process titles (hornet: worker [NAME])",
         .codec = string_field(&Config::proc_name, "NAME", true)},
        {.name = "limit_request_line", .help = "Maximum size of the HTTP request line",
         .codec = size_field(&Config::limit_request_line, 1, kMiB)},
        {.name = "limit_request_fields", .help = "Maximum number of request header fields",
         .codec = uint_field(&Config::limit_request_fields, 1, 32768)},
        {.name = "limit_request_field_size", .cli_aliases = {"--limit-request-field_size"}, .help = "Maximum size of one request header field",
         .codec = size_field(&Config::limit_request_field_size, 1, kMiB)},
        {.name = "limit_request_body", .help = "Maximum size of a request body, or 'unlimited'",
         .codec = size_field(&Config::limit_request_body, 0, kU64Max, true)},
        {.name = "max_discard",
         .help = "Most of a request body the app left unread that is read and dropped to keep the connection; "
                 "past it the connection closes",
         .codec = size_field(&Config::max_discard, 0, kU64Max)},
        {.name = "websocket_ping_interval", .aliases = {"ws_ping_interval"},
         .help = "WebSocket: send a ping after this long without a byte from the client; 0: no pings",
         .codec = duration_field(&Config::websocket_ping_interval)},
        {.name = "websocket_ping_timeout", .aliases = {"ws_ping_timeout"},
         .help = "WebSocket: drop the connection when the pong takes longer than this; 0: wait for ever",
         .codec = duration_field(&Config::websocket_ping_timeout)},
        {.name = "websocket_max_message", .aliases = {"ws_max_size"},
         .help = "WebSocket: largest message a client may send (after inflating), e.g. 16MiB; larger: close 1009",
         .codec = size_field(&Config::websocket_max_message, 1, kU64Max)},
        {.name = "header_timeout",
         .help = "Time a client gets to send a whole request head (408 after); 0: as timeout",
         .codec = duration_field(&Config::header_timeout)},
        {.name = "body_timeout",
         .help = "Longest wait for more of a request body while the app reads it (408 after); 0: as timeout",
         .codec = duration_field(&Config::body_timeout)},
        {.name = "forwarded_allow_ips",
         .help = "Peers (IPs, networks like 10.0.0.0/8, or '*') whose secure_scheme_headers are believed",
         .codec = list_field(&Config::forwarded_allow_ips, "IPS", ',', 0, checked_ip_entry)},
        {.name = "secure_scheme_headers", .cli = CliForm::none, .env = false,
         .default_text = "{X-FORWARDED-PROTOCOL: ssl, X-FORWARDED-PROTO: https, X-FORWARDED-SSL: on}",
         .help = "Headers (YAML map: name -> value meaning https) that set the scheme the app sees",
         .codec = header_map_field(&Config::secure_scheme_headers)},
        {.name = "proxy_protocol",
         .help = "Every listener expects a PROXY protocol v1/v2 header from proxy_allow_ips",
         .codec = bool_field(&Config::proxy_protocol)},
        {.name = "proxy_allow_ips", .cli_aliases = {"--proxy-allow-from"},
         .help = "Peers (IPs, networks, or '*') that must send the PROXY header (with proxy_protocol)",
         .codec = list_field(&Config::proxy_allow_ips, "IPS", ',', 0, checked_ip_entry)},
        {.name = "access_log_format", .cli_aliases = {"--access-logformat"},
         .help = "Access log line, Gunicorn's %(atom)s: h l u t r m U q H s B b f a p T M D L {header}i {header}o; "
                 "or json, or json:FIELD,... (README: JSON logs)",
         .codec = checked_string_field(&Config::access_log_format, "FORMAT", check_access_log_format)},
        {.name = "certfile", .default_text = "off",
         .help = "TLS certificate (PEM, chain after it): every bind speaks TLS unless written http://HOST:PORT",
         .codec = string_field(&Config::certfile, "FILE", true)},
        {.name = "keyfile", .help = "The certificate's private key (PEM); empty: it is in certfile",
         .codec = string_field(&Config::keyfile, "FILE", true)},
        {.name = "ca_certs", .help = "CA certificates (PEM) that client certificates must chain to (cert_reqs)",
         .codec = string_field(&Config::ca_certs, "FILE", true)},
        {.name = "cert_reqs", .help = "Client certificates: none, optional (verified when sent) or required (mTLS)",
         .codec = cert_reqs_field(&Config::cert_reqs)},
        {.name = "ciphers", .default_text = "ECDHE with AES-GCM or ChaCha20",
         .help = "OpenSSL cipher list for TLS 1.2 (TLS 1.3 suites are OpenSSL's)",
         .codec = string_field(&Config::ciphers, "CIPHERS", true)},
        {.name = "ssl_version", .help = "Lowest TLS version accepted: tlsv1_2 or tlsv1_3 (tls: tlsv1_2)",
         .codec = choice_field(&Config::ssl_version, "VERSION",
                               {"tlsv1_2", "tlsv1_3", "tlsv1.2", "tlsv1.3", "tls", "tls_server"})},
        {.name = "do_handshake_on_connect",
         .help = "Gunicorn's; accepted: hornet always completes the handshake before reading a request",
         .codec = bool_field(&Config::do_handshake_on_connect)},
        {.name = "certificates", .cli = CliForm::none, .env = false, .default_text = "[]",
         .help = "More certificates, chosen by SNI: a YAML list of {server_name, certfile, keyfile}",
         .codec = certificates_field(&Config::certificates)},
        {.name = "tls_ticket_rotation", .help = "How often the session-ticket keys change (kept in memory only)",
         .codec = duration_field(&Config::tls_ticket_rotation)},
        {.name = "metrics_bind", .default_text = "off",
         .help = "Serve Prometheus metrics (GET /metrics) from the arbiter at HOST:PORT or unix:PATH; empty is off",
         .codec = checked_string_field(&Config::metrics_bind, "ADDRESS", check_metrics_bind)},
        {.name = "statsd_host", .default_text = "off",
         .help = "Send Gunicorn's statsd metrics to HOST:PORT (UDP) or unix:PATH (datagrams); empty is off",
         .codec = checked_string_field(&Config::statsd_host, "ADDRESS", check_statsd_host)},
        {.name = "statsd_prefix", .help = "Prefix of every statsd metric name (a '.' is added)",
         .codec = string_field(&Config::statsd_prefix, "PREFIX", true)},
        {.name = "dogstatsd_tags", .help = "DogStatsD tags added to every statsd metric: key:value,...",
         .codec = string_field(&Config::dogstatsd_tags, "TAGS", true)},
    };
}

std::string transformed(std::string_view name, char underscore_to, bool upper) {
    std::string out(name);
    for (char& ch : out) {
        if (ch == '_') ch = underscore_to;
        if (upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    }
    return out;
}

} // namespace

std::string Setting::long_flag() const { return "--" + transformed(name, '-', false); }

std::string Setting::env_name() const { return "HORNET_" + transformed(name, '_', true); }

const std::vector<Setting>& settings() {
    static const std::vector<Setting> table = make_table();
    return table;
}

const Setting* find_setting(std::string_view name_or_alias) {
    for (const Setting& s : settings()) {
        if (s.name == name_or_alias) return &s;
        if (std::find(s.aliases.begin(), s.aliases.end(), name_or_alias) != s.aliases.end()) return &s;
    }
    return nullptr;
}

std::vector<std::string_view> setting_names() {
    std::vector<std::string_view> names;
    for (const Setting& s : settings()) {
        names.push_back(s.name);
        names.insert(names.end(), s.aliases.begin(), s.aliases.end());
    }
    return names;
}

std::string default_text(const Setting& s) {
    if (!s.default_text.empty()) return std::string(s.default_text);
    YAML::Node value = s.codec.get(Config{});
    if (value.IsScalar()) return value.Scalar().empty() ? "\"\"" : value.Scalar();
    std::string joined; // lists: as they would be typed, space-separated
    for (const YAML::Node& v : value) joined += (joined.empty() ? "" : " ") + v.Scalar();
    return joined;
}

} // namespace hornet
