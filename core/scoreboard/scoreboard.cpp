// The scoreboard's shared memory and wake pipe; see scoreboard.hpp.
#include "scoreboard/scoreboard.hpp"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <new>
#include <stdexcept>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

namespace hornet {

static_assert(std::atomic<pid_t>::is_always_lock_free && std::atomic<std::int64_t>::is_always_lock_free,
              "scoreboard atomics live in shared memory and must not need locks");

namespace {

// The header, padded to a cache line so the slots stay aligned.
constexpr std::size_t kSlotsOffset = 64;

static_assert(sizeof(ScoreboardSlot) % 64 == 0 && alignof(metrics::AppCounters) <= 64);

std::size_t counters_offset(std::size_t slots) { return kSlotsOffset + slots * sizeof(ScoreboardSlot); }
std::size_t map_bytes(std::size_t slots) { return counters_offset(slots) + sizeof(metrics::AppCounters); }

} // namespace

Scoreboard::Scoreboard(std::size_t slots) : size_(slots) {
    void* mem = ::mmap(nullptr, map_bytes(slots), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED)
        throw std::runtime_error(std::string("cannot map the scoreboard: ") + std::strerror(errno));
    header_ = new (mem) Header{};
    slots_ = reinterpret_cast<ScoreboardSlot*>(static_cast<char*>(mem) + kSlotsOffset);
    for (std::size_t i = 0; i < slots; ++i) new (&slots_[i]) ScoreboardSlot{};
    app_counters_ = new (static_cast<char*>(mem) + counters_offset(slots)) metrics::AppCounters{};
    int fds[2];
    if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0)
        throw std::runtime_error(std::string("cannot create the scoreboard pipe: ") + std::strerror(errno));
    wake_read_ = fds[0];
    wake_write_ = fds[1];
}

Scoreboard::~Scoreboard() {
    ::munmap(header_, map_bytes(size_));
    ::close(wake_read_);
    ::close(wake_write_);
}

void Scoreboard::wake() const {
    char byte = 1;
    // A full pipe already holds a wake-up: EAGAIN is fine.
    [[maybe_unused]] auto n = ::write(wake_write_, &byte, 1);
}

int Scoreboard::claim(std::uint32_t generation, std::int64_t now) {
    for (std::size_t i = 0; i < size_; ++i) {
        ScoreboardSlot& s = slots_[i];
        if (s.state.load() != WorkerState::free) continue;
        s.pid = 0;
        s.generation = generation;
        s.last_beat_ms = now;
        s.requests = 0;
        s.connections = 0;
        s.max_requests = 0;
        s.in_flight = 0;
        s.busy.clear();
        s.metrics.reset();
        s.state = WorkerState::booting;
        return static_cast<int>(i);
    }
    return -1;
}

void Scoreboard::release(int index) {
    if (on_release_) on_release_(slots_[index]);
    slots_[index].pid = 0;
    slots_[index].state = WorkerState::free;
}

std::int64_t Scoreboard::now_ms() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return std::int64_t{ts.tv_sec} * 1000 + ts.tv_nsec / 1000000;
}

} // namespace hornet
