// The arbiter's side of the hook runner; see server_hooks.hpp.
#include "arbiter/server_hooks.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>

#include "arbiter/server_hooks_runner.hpp"
#include "config/gunicorn_settings.hpp"
#include "hornet/support/python_child.hpp"
#include "log/json_text.hpp"

#ifndef HORNET_PYTHON
#define HORNET_PYTHON "/usr/bin/python3"
#endif

namespace hornet {
namespace {

// Loading runs the whole file, as reading a config does; so it gets as long.
constexpr std::chrono::milliseconds kLoadBudget{30000};

std::string joined(const std::vector<std::string_view>& names, std::string_view separator) {
    std::string out;
    for (std::string_view n : names) {
        if (!out.empty()) out.append(separator);
        out.append(n);
    }
    return out;
}

// logging's levels (10, 20, 30, 40, 50) as spdlog's.
spdlog::level::level_enum level_of(int levelno) {
    if (levelno >= 50) return spdlog::level::critical;
    if (levelno >= 40) return spdlog::level::err;
    if (levelno >= 30) return spdlog::level::warn;
    if (levelno >= 20) return spdlog::level::info;
    return spdlog::level::debug;
}

// A message the hook logged may span lines (log.exception's traceback):
// one error-log line each, so a JSON error log stays one object a line.
void log_lines(spdlog::level::level_enum level, const std::string& text) {
    std::size_t begin = 0;
    while (begin <= text.size()) {
        std::size_t end = text.find('\n', begin);
        if (end == std::string::npos) end = text.size();
        if (end > begin) spdlog::log(level, "{}", text.substr(begin, end - begin));
        begin = end + 1;
    }
}

std::string facts_json(const ServerFacts& f) {
    std::string out = "{\"pid\":" + std::to_string(f.pid) + ",\"num_workers\":" + std::to_string(f.num_workers) +
                      ",\"proc_name\":";
    append_json_string(out, f.proc_name);
    out += ",\"listeners\":[";
    for (std::size_t i = 0; i < f.listeners.size(); ++i) {
        if (i) out += ',';
        append_json_string(out, f.listeners[i]);
    }
    return out + "],\"cfg\":" + (f.cfg_json.empty() ? "{}" : f.cfg_json) + "}";
}

bool write_all(int fd, const std::string& text) {
    for (std::size_t done = 0; done < text.size();) {
        const ssize_t n = ::send(fd, text.data() + done, text.size() - done, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

} // namespace

struct ServerHooks::Reply {
    bool answered = false; // false: the budget ran out, or the runner is gone
    bool gone = false;
    YAML::Node done;       // the final object
};

ServerHooks::ServerHooks(const std::string& path) {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
        throw std::runtime_error(path + ": cannot start its hook runner: " + std::strerror(errno));
    pid_ = support::spawn_python(HORNET_PYTHON, server_hooks_runner_script(), {joined(server_hook_names(), ",")}, fds[1]);
    ::close(fds[1]);
    fd_ = fds[0];
    if (pid_ < 0) {
        ::close(fd_);
        fd_ = -1;
        throw std::runtime_error(path + ": cannot start its hook runner: " + std::strerror(errno));
    }
    Reply reply = request(load_line(path), kLoadBudget);
    if (!reply.answered)
        throw std::runtime_error(path + ": its hooks need " HORNET_PYTHON " (apt install python3), "
                                        "and it did not answer");
    if (!reply.done["done"].as<bool>(false))
        throw std::runtime_error(reply.done["error"].as<std::string>(path + ": cannot load its hooks"));
    path_ = path;
    for (const auto& h : reply.done["hooks"]) defined_.push_back(h.Scalar());
    const std::vector<std::string_view> names(defined_.begin(), defined_.end());
    spdlog::info("Server hooks from {}: {} (hook runner pid {})", path, names.empty() ? "none" : joined(names, ", "),
                 pid_);
}

ServerHooks::~ServerHooks() {
    if (fd_ >= 0) ::close(fd_); // EOF: the runner's loop ends
    if (pid_ <= 0) return;
    // A hook may still be running; it gets a moment, then KILL.
    for (int i = 0; i < 100; ++i) {
        int status = 0;
        const pid_t r = ::waitpid(pid_, &status, WNOHANG);
        if (r == pid_ || (r < 0 && errno == ECHILD)) return;
        ::usleep(20000);
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
}

void ServerHooks::forget_in_child() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    pid_ = -1;
}

void ServerHooks::runner_exited(int status) {
    spdlog::error("The hook runner for {} (pid {}) exited ({}); its hooks no longer run", path_, pid_,
                  WIFSIGNALED(status) ? "signal " + std::to_string(WTERMSIG(status))
                                      : "status " + std::to_string(WEXITSTATUS(status)));
    pid_ = -1;
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

bool ServerHooks::defines(std::string_view hook) const {
    for (const auto& d : defined_)
        if (d == hook) return true;
    return false;
}

std::string ServerHooks::load_line(const std::string& path) {
    std::string line = "{\"id\":" + std::to_string(next_id_) + ",\"op\":\"load\",\"path\":";
    append_json_string(line, path);
    return line + "}\n";
}

bool ServerHooks::load(const std::string& path) {
    Reply reply = request(load_line(path), kLoadBudget);
    if (!reply.answered || !reply.done["done"].as<bool>(false)) {
        spdlog::error("Server hooks: {}; the hooks of {} stay",
                      reply.answered ? reply.done["error"].as<std::string>("cannot load " + path)
                                     : path + ": the hook runner did not answer",
                      path_);
        return false;
    }
    path_ = path;
    defined_.clear();
    for (const auto& h : reply.done["hooks"]) defined_.push_back(h.Scalar());
    return true;
}

ServerHooks::Outcome ServerHooks::call(std::string_view hook, const ServerFacts& facts, bool quiet) {
    if (!defines(hook)) return Outcome::ran;
    if (fd_ < 0) return Outcome::gone;
    std::string line = "{\"id\":" + std::to_string(next_id_) + ",\"op\":\"call\",\"hook\":";
    append_json_string(line, hook);
    line += ",\"server\":" + facts_json(facts) + "}\n";
    Reply reply = request(line, kHookBudget);
    if (reply.gone) {
        spdlog::error("{}: {}: the hook runner is gone; the hook did not run", path_, hook);
        return Outcome::gone;
    }
    if (!reply.answered) {
        spdlog::warn("{}: {} still runs after {} s; hornet goes on without waiting (its log lines come later)",
                     path_, hook, kHookBudget.count() / 1000);
        return Outcome::late;
    }
    if (reply.done["done"].as<bool>(false)) return Outcome::ran;
    last_error_ = reply.done["error"].as<std::string>(path_ + ": " + std::string(hook) + " raised");
    if (!quiet) spdlog::error("{}", last_error_);
    log_lines(spdlog::level::debug, reply.done["traceback"].as<std::string>(""));
    return Outcome::raised;
}

// Sends one request and reads until its answer (or the budget's end),
// logging the hook's log lines, and those of an earlier call that outlived
// its budget, as they come.
ServerHooks::Reply ServerHooks::request(const std::string& line, std::chrono::milliseconds budget) {
    Reply reply;
    const std::uint64_t id = next_id_++;
    if (fd_ < 0 || !write_all(fd_, line)) {
        reply.gone = true;
        return reply;
    }
    const auto deadline = std::chrono::steady_clock::now() + budget;
    std::string got;
    while (read_line(got, deadline)) {
        if (handle_line(got, id, reply)) return reply;
    }
    reply.gone = fd_ < 0;
    return reply;
}

// true with `line` (no '\n'); false at the deadline or at the runner's end
// (then fd_ is closed).
bool ServerHooks::read_line(std::string& line, std::chrono::steady_clock::time_point deadline) {
    for (;;) {
        if (auto nl = buffer_.find('\n'); nl != std::string::npos) {
            line = buffer_.substr(0, nl);
            buffer_.erase(0, nl + 1);
            return true;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || fd_ < 0) return false;
        pollfd p{fd_, POLLIN, 0};
        const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0) return false;
        char buf[8192];
        const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            ::close(fd_);
            fd_ = -1;
            return false;
        }
        buffer_.append(buf, static_cast<std::size_t>(n));
    }
}

// A log line is logged whichever call it belongs to; true once `id` is done.
bool ServerHooks::handle_line(const std::string& line, std::uint64_t id, Reply& reply) {
    YAML::Node msg;
    try {
        msg = YAML::Load(line); // JSON is YAML
    } catch (const YAML::Exception&) {
        spdlog::warn("{}: the hook runner said something hornet cannot read: {}", path_, line);
        return false;
    }
    if (msg["log"]) {
        log_lines(level_of(msg["log"].as<int>(20)), msg["msg"].as<std::string>(""));
        return false;
    }
    if (!msg["done"] || msg["id"].as<std::uint64_t>(0) != id) return false; // a late call's end
    reply.answered = true;
    reply.done = msg;
    return true;
}

} // namespace hornet
