// The effective configuration of one hornet run: typed and validated.
//
// Built by core/config from, in rising precedence, the defaults, the YAML
// file (-c), HORNET_* environment variables and the command line. The arbiter
// owns one Config per generation; workers read the copy they were forked with.
// Nothing here touches sockets or plugins.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace hornet {

using Millis = std::chrono::milliseconds;

// One certificate chosen by SNI (the `certificates` list).
struct TlsCertificate {
    std::string server_name; // "example.com" or "*.example.com"
    std::string certfile;
    std::string keyfile;     // "": the key is in certfile
    bool operator==(const TlsCertificate&) const = default;
};

struct Config {
    std::string config_file;              // "" when no -c was given
    std::vector<std::string> bind{"127.0.0.1:8000"};
    int backlog = 2048;
    unsigned workers = 0;                 // 0 ("auto"): resolve_workers counts the CPUs we may use
    std::string workers_rule;             // how resolve_workers chose workers; "" when given
    std::string worker_class = "sync";    // short name or path to a .so
    unsigned threads = 1;
    unsigned worker_connections = 1000;
    Millis timeout{30000};
    Millis dump_timeout{2000};            // a timed-out worker's time to send a stack dump; 0: no dump
    Millis graceful_timeout{30000};
    Millis shutdown_delay{0};             // TERM: health fails, serving goes on this long, then the stop
    std::string health_path;              // answered by the worker type: 200, 503 once stopping; "": off
    std::string ready_path;               // 200 once every worker is ready; "": off
    Millis keep_alive{2000};
    std::uint64_t max_requests = 0;       // 0: never recycle
    std::uint64_t max_requests_jitter = 0;
    std::uint64_t max_worker_memory = 0;      // bytes; past it a worker is recycled; 0: no limit
    std::uint64_t max_worker_memory_hard = 0; // bytes; past it a worker is killed at once; 0: no limit
    std::string worker_memory_metric = "rss"; // rss or pss
    Millis memory_check_interval{1000};       // how often the arbiter reads workers' memory
    std::string log_level = "info";       // debug, info, warning, error, critical
    std::string error_logfile = "-";      // "-" is stderr
    std::string log_format = "text";      // error log lines: text or json
    std::string access_logfile;           // "" is off, "-" is stdout
    std::string pid;                      // pid file; "" is none
    std::string control_socket = "auto";  // hornet ctl's unix socket; "auto": PIDFILE.ctl or the runtime dir; "off"/"": none
    std::string app;                      // short name or path to a .so; "mod:callable" becomes wsgi
    YAML::Node app_config{YAML::NodeType::Map};
    // Gunicorn's pythonpath: folded into app_config.pythonpath (first) by
    // fold_python_app(), so it is always empty in a loaded Config.
    std::vector<std::string> pythonpath;
    // Gunicorn's --reload and reload_extra_files: folded into app_config
    // (reload: "true", reload_extra_files: [...]) for the wsgi app.
    bool reload = false;
    std::vector<std::string> reload_extra_files;
    std::vector<std::string> raw_env;     // KEY=VALUE set in the arbiter's environment (-e)
    std::string server_hooks;             // a .py file whose on_starting, when_ready, on_reload, on_exit run; "" none
    std::vector<std::string> plugin_path; // searched before the built-in folder
    bool preload_app = false;             // create the app in the arbiter, before fork

    // Process hygiene.
    bool daemon = false;                  // detach from the terminal
    std::string user;                     // workers run as this user ("" = unchanged)
    std::string group;                    // and group
    unsigned umask = 0;                   // applied by the arbiter at start
    std::string chdir;                    // directory to change to before loading apps
    std::string proc_name;                // shown in process titles; "" = the app's name

    // HTTP limits, Gunicorn's names and defaults.
    std::uint32_t limit_request_line = 4094;
    std::uint32_t limit_request_fields = 100;
    std::uint32_t limit_request_field_size = 8190;
    std::uint64_t limit_request_body = std::uint64_t{1} << 30; // UINT64_MAX: unlimited
    std::uint64_t max_discard = std::uint64_t{4} << 20;        // unread body dropped to keep a connection
    Millis websocket_ping_interval{20000}; // a ping after this much silence; 0: none (uvicorn's default)
    Millis websocket_ping_timeout{20000};  // the pong's deadline, else the connection drops; 0: never
    std::uint64_t websocket_max_message = std::uint64_t{16} << 20; // bytes; a larger message: close 1009
    // Slow clients (Gunicorn has none); 0 means "as timeout".
    Millis header_timeout{30000};         // the whole request head, from its first byte
    Millis body_timeout{30000};           // the longest wait for more body bytes

    // Proxies, Gunicorn's names and defaults.
    std::vector<std::string> forwarded_allow_ips{"127.0.0.1", "::1"}; // IPs, networks, or "*"
    std::vector<std::pair<std::string, std::string>> secure_scheme_headers{
        {"X-FORWARDED-PROTOCOL", "ssl"}, {"X-FORWARDED-PROTO", "https"}, {"X-FORWARDED-SSL", "on"}};
    bool proxy_protocol = false;          // PROXY v1/v2 on every listener, from proxy_allow_ips
    std::vector<std::string> proxy_allow_ips{"127.0.0.1", "::1"};

    // TLS, Gunicorn's names (core/tls). With certfile set every bind speaks
    // TLS except one written http://HOST:PORT; https://HOST:PORT asks for it.
    std::string certfile;                 // PEM certificate (chain); "": no TLS
    std::string keyfile;                  // PEM private key; "": in certfile
    std::string ca_certs;                 // PEM CAs that sign client certificates
    std::string cert_reqs = "none";       // none, optional or required: client certificates
    std::string ciphers;                  // OpenSSL cipher list (TLS 1.2); "": a modern default
    std::string ssl_version = "tlsv1_2";  // the lowest protocol: tlsv1_2 or tlsv1_3
    bool do_handshake_on_connect = false; // accepted; the handshake always precedes the request
    std::vector<TlsCertificate> certificates; // more certificates, by SNI server_name
    Millis tls_ticket_rotation{3600000};  // session-ticket keys change this often

    // Metrics (core/metrics): the arbiter's Prometheus endpoint, and statsd
    // (Gunicorn's settings and names). "" is off.
    std::string metrics_bind;             // HOST:PORT or unix:PATH serving GET /metrics
    std::string statsd_host;              // HOST:PORT (port 8125 if none) or unix:PATH (datagrams)
    std::string statsd_prefix;            // "app" sends app.gunicorn.requests
    std::string dogstatsd_tags;           // "env:prod,team:web", appended as |#...

    // Gunicorn's atoms, or "json" / "json:FIELD,..." (log/access_log_json.hpp).
    std::string access_log_format{R"(%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s")"};
};

} // namespace hornet
