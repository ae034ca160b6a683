#include "worker/worker_process.hpp"

#include "tls/tls_plan.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <grp.h>
#include <limits>
#include <pwd.h>
#include <stdexcept>
#include <string>
#include <sys/prctl.h>
#include <unistd.h>
#include <vector>

#include <spdlog/spdlog.h>

#include "log/log_files.hpp"
#include "process/process_title.hpp"
#include "worker/stack_dumper.hpp"
#include "worker/stop_signal.hpp"
#include "worker/worker_context.hpp"

namespace hornet {
namespace {

constexpr std::uint32_t ms(Millis d) {
    return static_cast<std::uint32_t>(std::min<Millis::rep>(d.count(), std::numeric_limits<std::uint32_t>::max()));
}

void on_usr1(int) { reopen_log_files(); }

// The arbiter's handlers (Asio's signal_set) must not run in a worker: back
// to defaults for everything it watches, then the worker's own handlers.
// HUP, TTIN, TTOU, USR2 and WINCH mean nothing to a worker: ignored, so a
// stray one (a whole process group signalled) cannot kill it.
void reset_signals() {
    std::signal(SIGCHLD, SIG_DFL);
    for (int sig : {SIGHUP, SIGTTIN, SIGTTOU, SIGUSR2, SIGWINCH, SIGPIPE}) std::signal(sig, SIG_IGN);
    struct sigaction sa{};
    sa.sa_handler = on_usr1;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    ::sigaction(SIGUSR1, &sa, nullptr);
}

// Sockets and log files were opened as root; from here on, the configured user.
void drop_privileges(uid_t uid, gid_t gid) {
    if (gid != static_cast<gid_t>(-1) && ::getegid() != gid) {
        if (::setgroups(0, nullptr) != 0 && errno != EPERM) throw std::runtime_error("setgroups failed");
        if (::setgid(gid) != 0) throw std::runtime_error("cannot switch to group " + std::to_string(gid) + ": " + std::strerror(errno));
    }
    if (uid != static_cast<uid_t>(-1) && ::geteuid() != uid) {
        if (passwd* pw = ::getpwuid(uid)) ::initgroups(pw->pw_name, gid != static_cast<gid_t>(-1) ? gid : pw->pw_gid);
        if (::setuid(uid) != 0) throw std::runtime_error("cannot switch to user " + std::to_string(uid) + ": " + std::strerror(errno));
    }
}

void unblock_signals() {
    sigset_t all;
    sigfillset(&all);
    ::sigprocmask(SIG_UNBLOCK, &all, nullptr);
}

// A worker must not outlive its arbiter.
void die_with_arbiter(pid_t arbiter) {
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != arbiter) stop_signal::request(HORNET_STOP_GRACEFUL);
}

void fill_limits(hornet_limits_t& l, const WorkerSpec& spec) {
    const Config& c = spec.config;
    l.threads = c.threads;
    l.worker_connections = c.worker_connections;
    l.keepalive_ms = ms(c.keep_alive);
    l.timeout_ms = ms(c.timeout);
    l.graceful_timeout_ms = ms(c.graceful_timeout);
    l.limit_request_line = c.limit_request_line;
    l.limit_request_fields = c.limit_request_fields;
    l.limit_request_field_size = c.limit_request_field_size;
    l.limit_request_body = c.limit_request_body;
    l.header_timeout_ms = ms(c.header_timeout); // 0: the SDK falls back to timeout
    l.body_timeout_ms = ms(c.body_timeout);
    l.max_requests = 0; // the arbiter recycles workers itself, one at a time
    l.max_discard = c.max_discard;
    l.websocket_ping_interval_ms = ms(c.websocket_ping_interval);
    l.websocket_ping_timeout_ms = ms(c.websocket_ping_timeout);
    l.websocket_max_message = c.websocket_max_message;
}

// What the context's proxy fields point at (ABI 1.1); outlives run().
struct ProxyTexts {
    std::string forwarded_allow_ips;
    std::string proxy_allow_ips;
    std::vector<hornet_header_t> secure_scheme_headers;
};

std::string joined(const std::vector<std::string>& entries) {
    std::string out;
    for (const std::string& e : entries) out += (out.empty() ? "" : ",") + e;
    return out;
}

hornet_str_t str(const std::string& s) { return {s.data(), s.size()}; }

void fill_proxy(hornet_worker_ctx_t& ctx, ProxyTexts& texts, const Config& c) {
    texts.forwarded_allow_ips = joined(c.forwarded_allow_ips);
    texts.proxy_allow_ips = joined(c.proxy_allow_ips);
    for (const auto& [name, value] : c.secure_scheme_headers)
        texts.secure_scheme_headers.push_back({str(name), str(value)});
    ctx.forwarded_allow_ips = str(texts.forwarded_allow_ips);
    ctx.secure_scheme_headers = texts.secure_scheme_headers.data();
    ctx.secure_scheme_header_count = texts.secure_scheme_headers.size();
    ctx.proxy_protocol = c.proxy_protocol ? 1 : 0;
    ctx.proxy_allow_ips = str(texts.proxy_allow_ips);
    ctx.health_path = str(c.health_path); // the generation's config outlives run()
    ctx.ready_path = str(c.ready_path);
}

// Returns the app instance, or exits with HORNET_EXIT_BOOT_FAILED.
void* create_app(const WorkerSpec& spec) {
    if (spec.preloaded) return *spec.preloaded;
    char err[512] = "";
    void* instance = nullptr;
    int rc = spec.app->create(spec.host.table(), &instance, err, sizeof err);
    if (rc == HORNET_OK) return instance;
    err[sizeof err - 1] = '\0';
    spdlog::error("app {} failed to start in worker {}: {}", spec.app->name, ::getpid(),
                  err[0] ? err : ("error " + std::to_string(rc)).c_str());
    ::_exit(HORNET_EXIT_BOOT_FAILED);
}

int serve(const WorkerSpec& spec, void* instance, int stop_fd) {
    const bool metrics = !spec.config.metrics_bind.empty() || !spec.config.statsd_host.empty();
    WorkerContext wc(spec.board, spec.slot, spec.access_log, metrics);
    fill_limits(wc.limits, spec);
    ProxyTexts proxy_texts;
    fill_proxy(wc.ctx, proxy_texts, spec.config);
    wc.ctx.host = spec.host.table();
    wc.ctx.listen_fds = spec.listen_fds.data();
    wc.ctx.listen_count = spec.listen_fds.size();
    if (spec.tls && spec.tls->any()) {
        wc.ctx.tls = &spec.tls->tls;
        wc.ctx.listen_tls = spec.tls->listen_tls.data();
    }
    wc.ctx.app = &spec.app.descriptor();
    wc.ctx.app_instance = instance;
    wc.ctx.worker_id = spec.worker_id;
    wc.ctx.stop_fd = stop_fd;
    wc.host_services = &spec.host;
    const int code = spec.worker->run(&wc.ctx);
    spec.host.withdraw_extensions(); // the worker type's tables die with run()
    return code;
}

} // namespace

std::string process_name(const Config& config, const char* app_name) {
    return config.proc_name.empty() ? app_name : config.proc_name;
}

void run_worker_process(const WorkerSpec& spec) {
    int code = HORNET_EXIT_BOOT_FAILED;
    try {
        reset_signals();
        int stop_fd = stop_signal::install();
        stack_dumper::start(spec.dump_fd, {spec.generation, spec.worker_id}); // before a request can be lost
        unblock_signals();
        die_with_arbiter(spec.arbiter);
        spec.slot.pid.store(::getpid());
        drop_privileges(spec.uid, spec.gid);
        process_title::set("hornet: worker [" + process_name(spec.config, spec.app->name) + "]");
        spec.host.set_worker(spec.worker_id, spec.generation);
        void* instance = create_app(spec);
        stack_dumper::set_app(&spec.app.descriptor(), instance);
        if (spec.app->worker_start) spec.app->worker_start(instance);
        code = serve(spec, instance, stop_fd);
        stack_dumper::set_app(nullptr, nullptr); // the app's stacks go with it
        if (spec.app->worker_exit) spec.app->worker_exit(instance);
        if (!spec.preloaded) spec.app->destroy(instance); // a preloaded one is the arbiter's
    } catch (const std::exception& e) {
        spdlog::error("worker {} failed: {}", ::getpid(), e.what());
    }
    spdlog::default_logger()->flush();
    ::_exit(code);
}

} // namespace hornet
