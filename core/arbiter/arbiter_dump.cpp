// Stack dumps on the arbiter's side (docs/operations.md): ask a worker for
// one (request_dump: URG to the arbiter, `hornet ctl dump`), read what the
// workers send on the dump pipe, log each dump as one record, answer
// whoever waits for it, and tell the Reconciler, which kills a timed-out
// worker once its dump is in.
//
// A dump is logged as one multi-line record: a head line naming the worker
// and why it was dumped, then every line of the dump prefixed with
// "[PID] ", so `grep '\[4242\]'` finds the whole of it and a JSON error log
// keeps it as one object.
#include <csignal>
#include <memory>

#include <boost/asio/post.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <spdlog/spdlog.h>

#include "arbiter/arbiter.hpp"
#include "config/units.hpp"
#include "worker/dump_protocol.hpp"

namespace hornet {
namespace {

// How long an on-demand dump is waited for when dump_timeout is 0 (dumps
// before a kill are off, dumps on demand are not).
constexpr std::int64_t kOnDemandWaitMs = 2000;

std::string tagged(const std::string& text, pid_t pid) {
    std::string tag = std::to_string(pid); // GCC 12 warns on "[" + string (-Wrestrict, a false alarm)
    tag.insert(0, 1, '[').append("] ");
    std::string out;
    std::size_t at = 0;
    while (at < text.size()) {
        std::size_t end = text.find('\n', at);
        if (end == std::string::npos) end = text.size();
        if (!out.empty()) out.push_back('\n');
        out.append(tag).append(text, at, end - at);
        at = end + 1;
    }
    return out;
}

// `ctl dump` without a PID: every worker's answer, then one reply.
class DumpGathering {
public:
    DumpGathering(Responder reply, std::size_t expected) : reply_(std::move(reply)), left_(expected) {}

    void add(const Arbiter::DumpAnswer& a) {
        if (a.ok) dumps_.push_back(boost::json::object{{"pid", a.pid}, {"text", a.text}});
        else failed_.push_back(boost::json::object{{"pid", a.pid}, {"error", a.error}});
        if (--left_ == 0) reply_.reply({{"dumps", std::move(dumps_)}, {"failed", std::move(failed_)}});
    }

private:
    Responder reply_;
    std::size_t left_;
    boost::json::array dumps_, failed_;
};

} // namespace

// dump PID: that worker's dump, or why none came (no_dump); dump: every
// worker's, and which sent none. Logged as every dump is; nobody is killed.
void Arbiter::command_dump(const ControlRequest& request, const Responder& reply) {
    if (request.args.empty()) {
        const auto pids = worker_pids();
        if (pids.empty()) return reply.reply({{"dumps", boost::json::array()}, {"failed", boost::json::array()}});
        auto all = std::make_shared<DumpGathering>(reply, pids.size());
        for (pid_t pid : pids) request_dump(pid, [all](const DumpAnswer& a) { all->add(a); });
        return;
    }
    pid_t pid = 0;
    try {
        pid = static_cast<pid_t>(parse_uint(request.args[0], 1, 4194304)); // Linux's pid_max limit
    } catch (const std::exception&) {
        return reply.fail("bad_arguments", "usage: dump [PID]; '" + request.args[0] + "' is no pid");
    }
    if (!supervisor_.workers().count(pid))
        return reply.fail("bad_arguments", "dump: no worker with pid " + request.args[0] + " (hornet ctl workers lists them)");
    request_dump(pid, [reply](const DumpAnswer& a) {
        if (!a.ok) return reply.fail("no_dump", a.error);
        reply.reply({{"dumps", boost::json::array{boost::json::object{{"pid", a.pid}, {"text", a.text}}}},
                     {"failed", boost::json::array()}});
    });
}

void Arbiter::request_dump(pid_t pid, DumpCallback done) {
    const std::int64_t wait = dump_wait_ms(pid);
    if (wait == 0) {
        if (done)
            boost::asio::post(io_, [done, pid] { done({pid, false, "", "no worker with pid " + std::to_string(pid)}); });
        return;
    }
    auto& waiters = dump_waiters_[pid];
    if (waiters.empty()) supervisor_.signal(pid, dump::request_signal); // else one is on its way
    waiters.push_back({system_.now_ms() + wait, wait, std::move(done)});
}

std::vector<pid_t> Arbiter::worker_pids() const {
    std::vector<pid_t> pids;
    for (const auto& [pid, w] : supervisor_.workers()) pids.push_back(pid);
    return pids;
}

// The worker's generation's dump_timeout (or the on-demand default); 0 when
// pid is no worker of ours.
std::int64_t Arbiter::dump_wait_ms(pid_t pid) const {
    auto& all = supervisor_.workers();
    auto it = all.find(pid);
    if (it == all.end()) return 0;
    const std::int64_t configured = reconciler_.plan(it->second.generation).dump_timeout_ms;
    return configured > 0 ? configured : kOnDemandWaitMs;
}

// URG to the arbiter: every worker's dump into the error log.
void Arbiter::handle_urg() {
    for (pid_t pid : worker_pids()) request_dump(pid, nullptr);
}

void Arbiter::on_dump(ReceivedDump dump) {
    const bool before_kill = reconciler_.awaiting_dump(dump.pid);
    const bool known = supervisor_.workers().count(dump.pid) != 0;
    const char* why = before_kill ? "before its timeout kill" : known ? "on request" : "(no longer a worker)";
    spdlog::log(before_kill ? spdlog::level::err : spdlog::level::warn, "Stack dump of worker {} {}:\n{}", dump.pid,
                why, tagged(dump.text, dump.pid));
    answer_waiters(dump.pid, {dump.pid, true, std::move(dump.text), ""});
    reconciler_.dump_arrived(dump.pid);
    reconcile();
}

void Arbiter::answer_waiters(pid_t pid, const DumpAnswer& answer) {
    auto it = dump_waiters_.find(pid);
    if (it == dump_waiters_.end()) return;
    auto waiters = std::move(it->second);
    dump_waiters_.erase(it);
    for (const DumpWaiter& w : waiters)
        if (w.done) w.done(answer);
}

// On the tick: waiters whose worker said nothing in time, or is gone.
void Arbiter::expire_dump_waiters() {
    const std::int64_t now = system_.now_ms();
    dumps_.forget_unless([this](pid_t pid) { return supervisor_.workers().count(pid) != 0; });
    for (auto it = dump_waiters_.begin(); it != dump_waiters_.end();) {
        const pid_t pid = it->first;
        const bool gone = supervisor_.workers().count(pid) == 0;
        const DumpWaiter& first = it->second.front();
        ++it;
        if (!gone && now < first.deadline_ms) continue;
        const std::string error = gone ? "worker " + std::to_string(pid) + " exited before it sent its stack dump"
                                       : "worker " + std::to_string(pid) + ": no stack dump within " +
                                             std::to_string(first.waited_ms) + " ms";
        spdlog::warn("{}", error);
        answer_waiters(pid, {pid, false, "", error});
    }
}

} // namespace hornet
