// hornet/sdk/exchange_core.hpp: the rules of one exchange that do not depend
// on how its bytes move.
//
// Every worker type's exchange (BlockingExchange in this SDK, the async
// worker's AsyncExchange, a third party's) owns one ExchangeCore and asks it
// each question that the app contract answers the same way whatever the
// transport: calling the app (no exception leaves), what handle()'s result
// means (DONE without finish(), an error code: 500), whether a head may
// start and a write may go, one step of a body read (de-chunking; the client
// errors 400/408/413 and the code every later read returns), what finish()
// puts on the wire (the rest of the response, nothing but a close, or an
// error response), and whether the connection may carry another request.
// The exchange keeps only its I/O: it sends what the core puts into
// WireBuffers, fills the input when the core asks, and says how an I/O
// operation failed (IoError).
//
// Not thread-safe: the exchange serializes every call (BlockingExchange under
// its mutex, AsyncExchange on its loop). begin() before each request.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "hornet/app.h"
#include "hornet/worker.h"
#include "hornet/sdk/input_buffer.hpp"
#include "hornet/sdk/io.hpp"
#include "hornet/sdk/request_parser.hpp"
#include "hornet/sdk/response_encoder.hpp"

namespace hornet::sdk {

// What the connection can still do after this exchange.
enum class Wire : uint8_t {
    sound,   // another request may follow, if the response allows it
    closing, // the response may still go out, but the connection then closes
    broken   // nothing more can be sent
};

// The parts of a connection an exchange works on; all outlive it.
struct ExchangeParts {
    RequestParser& parser;
    ResponseEncoder& encoder;
    InputBuffer& input;
    const hornet_request_t& request;
    const hornet_host_t* host;
    const char* app_name; // for log lines
    uint64_t max_discard; // of a body the app left unread (ParserLimits::discard)
    const hornet_worker_ctx_t* ctx = nullptr; // limits and stop mode, for an upgraded connection
};

// One step of a body read: body bytes (> 0), 0 at the body's end, a
// HORNET_E* code (< 0), or need_input (read the socket into input_space()
// and call again).
struct ReadStep {
    ptrdiff_t result = 0;
    bool need_input = false;
};

// What finish() sends: `out` (maybe empty), and whether those are the
// connection's last bytes (the FIN may ride on them).
struct FinishPlan {
    WireBuffers out;
    bool last = false;
};

// How a socket read that brought no bytes ended, most telling first: the
// worker cut the connection (a stop), the read's deadline passed, the
// client's end of stream, or any other failure.
inline IoError read_failure(bool cut, bool timed_out, bool eof) {
    if (cut) return IoError::stopped;
    if (timed_out) return IoError::timeout;
    return eof ? IoError::eof : IoError::failed;
}

class ExchangeCore {
public:
    explicit ExchangeCore(const ExchangeParts& parts) : p_(parts) {}

    // A new request on the same connection.
    void begin() { s_ = {}; }

    // ---- the app ----
    // handle(); an exception becomes HORNET_EINTERNAL and a log line.
    int call_app(const hornet_app_t* app, void* instance, hornet_exchange_t* x) const;
    // handle() returned rc and finish() was not called: the error to finish
    // with (0 for DONE, logged once per process), or nothing for PENDING.
    std::optional<int> finish_owed(int rc) const;

    // ---- the response ----
    // The head; keep_going false makes it say Connection: close.
    int start(int status, const hornet_header_t* headers, size_t count, bool keep_going);
    // HORNET_OK, or why a write must not go (finished, broken, refused head).
    // Before the head leaves with the write, it learns whether the
    // connection will close after all (see settle_head).
    int admit_write();
    // ABI 1.6: trailer fields for after the last chunk (the encoder keeps
    // or drops them); a refused field is logged.
    int trailers(const hornet_header_t* fields, size_t count);
    // Marks the exchange finished and says what goes out last.
    FinishPlan finish(int error);

    // ---- an upgrade (hornet.upgrade/1) ----
    // The 101 instead of start(): `out` gets its head, to send at once. From
    // then on reads return the raw stream, writes pass unframed, and finish()
    // ends the connection. HORNET_EINVAL (a response started, a request body,
    // not HTTP/1.1, a bad header: logged) or HORNET_ECLOSED.
    int upgrade(const hornet_header_t* headers, size_t count, WireBuffers& out);
    bool upgraded() const { return s_.upgraded; }
    // Upgraded: n raw bytes went from the socket straight into the app's
    // buffer (the input was empty), for the request byte count.
    void took_raw(size_t n) { p_.parser.count_raw(n); }

    // ---- the request body ----
    // HORNET_OK, or what a read returns without reading.
    int may_read() const;
    // Should 100 Continue go out before this read? True once, and only while
    // the client may still be waiting for it.
    bool take_continue();
    ReadStep read_step(void* buf, size_t cap);
    // Upgraded: the socket read failed; what the read returns (0 at the
    // client's end of stream, HORNET_ETIMEDOUT and HORNET_ESHUTDOWN only for
    // this read, HORNET_EIO for good).
    // Room in the input for the socket read that read_step() asked for;
    // empty (and the read failed with 400) when a chunk line fills it all.
    std::span<char> input_space();
    // The socket read failed: the code the read returns.
    ptrdiff_t read_failed(IoError error);
    // For a transport whose reads complete later (an event loop): the
    // socket read that read_step() asked for ended with n bytes (> 0), or
    // with none and `failure` (read_failure()). nullopt: the bytes are in the
    // input, step again; else what the read returns (HORNET_ECLOSED when
    // finish() or a broken wire cut it short).
    std::optional<ptrdiff_t> body_read_done(size_t n, IoError failure);
    // Upgraded, with nothing buffered, a loop reads straight into the app's
    // buffer (no copy; the input does not grow for an idle WebSocket): that
    // read brought n bytes (> 0), or none and `failure`. What the app's read
    // returns.
    ptrdiff_t raw_direct_done(size_t n, IoError failure);

    // ---- what the app left of the body ----
    // After finish(): read and drop the rest of the body, so that the
    // connection can carry the next request? (A client still waiting for
    // 100 Continue sends no body: then the connection closes instead.)
    bool wants_discard() const;
    // One step of the discard, with read_step()'s results: 0 once the body
    // has ended, < 0 when it cannot be dropped (more than max_discard, an
    // invalid body: the connection then closes), or need_input.
    ReadStep discard_step();
    // The socket read that discard_step() asked for ended with n bytes:
    // true when they went in (step again); false when the drop ends (no
    // bytes, or the wire is no longer sound) and the connection closes.
    bool discard_read_done(size_t n);

    // ---- the connection ----
    void set_wire(Wire w) { if (w > s_.wire) s_.wire = w; }
    Wire wire() const { return s_.wire; }
    bool finished() const { return s_.finished; }
    // Can the connection carry another request? (finished, body fully read,
    // the response allows it, nothing cut)
    bool reusable() const;
    // Did the client leave bytes we never read (a body the app skipped)?
    // An upgraded stream counts until the client closed its side: it may
    // still be sending (a WebSocket failed for a message too large), and a
    // close with its bytes unread would reset the connection before the
    // client reads our last frames. The connection then lingers.
    bool unread_input() const {
        return (s_.upgraded && !s_.raw_eof) || !p_.parser.body_done() || !p_.input.empty();
    }

    const ExchangeParts& parts() const { return p_; }

private:
    ptrdiff_t fail_body(int http_status);
    // The connection will not carry another request: a head that has not
    // left yet says Connection: close.
    void settle_head();
    bool client_awaits_continue() const;
    ReadStep raw_read_step(void* buf, size_t cap);
    ptrdiff_t raw_read_failed(IoError error);

    // Per request; reset by begin().
    struct State {
        bool finished = false;      // finish() ran
        bool head_refused = false;  // the app's head was bad: a 500 goes out
        bool continue_sent = false;
        Wire wire = Wire::sound;
        int client_error = 0;       // 400/408/413 met while reading the body
        int read_error = 0;         // what every later read returns
        uint64_t discarded = 0;     // body bytes dropped after finish()
        bool upgraded = false;      // a 101 went out: the stream is raw
        bool raw_eof = false;       // upgraded: the client closed its side
    };

    ExchangeParts p_;
    State s_;
};

} // namespace hornet::sdk
