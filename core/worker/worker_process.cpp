#include "worker/worker_process.hpp"

#include <csignal>
#include <limits>
#include <string>
#include <sys/prctl.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "worker/stop_signal.hpp"
#include "worker/worker_context.hpp"

namespace hornet {
namespace {

constexpr std::uint32_t ms(Millis d) {
    return static_cast<std::uint32_t>(std::min<Millis::rep>(d.count(), std::numeric_limits<std::uint32_t>::max()));
}

// The arbiter's handlers (Asio's signal_set) must not run in a worker: back
// to defaults for everything it watches, then the worker's own stop handlers.
void reset_signals() {
    for (int sig : {SIGHUP, SIGCHLD, SIGTTIN, SIGTTOU, SIGUSR1, SIGUSR2, SIGWINCH})
        std::signal(sig, SIG_DFL);
    std::signal(SIGPIPE, SIG_IGN);
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
    l.max_requests = spec.max_requests;
}

// Returns the app instance, or exits with HORNET_EXIT_BOOT_FAILED.
void* create_app(const WorkerSpec& spec) {
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
    WorkerContext wc(spec.slot, spec.access_log);
    fill_limits(wc.limits, spec);
    wc.ctx.host = spec.host.table();
    wc.ctx.listen_fds = spec.listen_fds.data();
    wc.ctx.listen_count = spec.listen_fds.size();
    wc.ctx.app = &spec.app.descriptor();
    wc.ctx.app_instance = instance;
    wc.ctx.worker_id = spec.worker_id;
    wc.ctx.stop_fd = stop_fd;
    return spec.worker->run(&wc.ctx);
}

} // namespace

void run_worker_process(const WorkerSpec& spec) {
    int code = HORNET_EXIT_BOOT_FAILED;
    try {
        reset_signals();
        int stop_fd = stop_signal::install();
        unblock_signals();
        die_with_arbiter(spec.arbiter);
        spec.slot.pid.store(::getpid());
        spec.host.set_worker(spec.worker_id, spec.generation);
        void* instance = create_app(spec);
        if (spec.app->worker_start) spec.app->worker_start(instance);
        code = serve(spec, instance, stop_fd);
        if (spec.app->worker_exit) spec.app->worker_exit(instance);
        spec.app->destroy(instance);
    } catch (const std::exception& e) {
        spdlog::error("worker {} failed: {}", ::getpid(), e.what());
    }
    spdlog::default_logger()->flush();
    ::_exit(code);
}

} // namespace hornet
