// hornet ctl's connection; see control_client.hpp.
#include "control/control_client.hpp"

#include <cctype>
#include <cerrno>
#include <cstring>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "control/json_line.hpp"

namespace hornet {
namespace {

namespace json = boost::json;
using Kind = ControlClientError::Kind;

constexpr std::size_t max_reply = 16 * 1024 * 1024;

// strerror's text in the lower case of the rest of a line.
std::string error_text(int err) {
    std::string text = std::strerror(err);
    if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
    return text;
}

[[noreturn]] void connect_failed(const std::string& path, int err) {
    if (err == ENOENT || err == ECONNREFUSED || err == ENOTDIR)
        throw ControlClientError(Kind::not_running, "no hornet listening on " + path + ": " + error_text(err));
    if (err == EACCES) {
        struct stat st {};
        const std::string owner = ::stat(path.c_str(), &st) == 0 ? "uid " + std::to_string(st.st_uid) : "its owner";
        throw ControlClientError(Kind::failed, path + ": permission denied: only " + owner +
                                                   " (who runs that hornet) and root may use it");
    }
    throw ControlClientError(Kind::failed, "cannot connect to " + path + ": " + error_text(err));
}

class Connection {
public:
    explicit Connection(const std::string& path) : path_(path) {
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        if (path.size() >= sizeof addr.sun_path)
            throw ControlClientError(Kind::failed, "control socket path too long for a unix socket: " + path);
        std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
        fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd_ < 0) throw ControlClientError(Kind::failed, "cannot create a socket: " + error_text(errno));
        if (::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
            const int err = errno;
            ::close(fd_);
            connect_failed(path, err);
        }
    }
    ~Connection() { ::close(fd_); }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    void check_server() const {
        ucred peer{};
        socklen_t len = sizeof peer;
        if (::getsockopt(fd_, SOL_SOCKET, SO_PEERCRED, &peer, &len) != 0) return;
        const uid_t me = ::geteuid();
        if (me == 0 || peer.uid == 0 || peer.uid == me) return;
        throw ControlClientError(Kind::failed, path_ + " is served by uid " + std::to_string(peer.uid) +
                                                   ", neither you nor root: not talking to it");
    }

    // A server that refuses us writes why and closes, maybe before we
    // send: then the reply is still there to read, so EPIPE is no error here.
    void send_line(const std::string& line) const {
        std::size_t done = 0;
        while (done < line.size()) {
            ssize_t n = ::send(fd_, line.data() + done, line.size() - done, MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && (errno == EPIPE || errno == ECONNRESET)) return;
            if (n < 0) throw ControlClientError(Kind::failed, "cannot send to " + path_ + ": " + error_text(errno));
            done += static_cast<std::size_t>(n);
        }
    }

    // One line, or what came before the server closed.
    std::string read_line() {
        for (;;) {
            if (auto nl = buffer_.find('\n'); nl != std::string::npos) {
                std::string line = buffer_.substr(0, nl);
                buffer_.erase(0, nl + 1);
                return line;
            }
            char chunk[65536];
            ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0 || buffer_.size() > max_reply) closed_early(n);
            buffer_.append(chunk, static_cast<std::size_t>(n));
        }
    }

private:
    [[noreturn]] void closed_early(ssize_t n) {
        if (buffer_.size() > max_reply) throw ControlClientError(Kind::failed, "the reply is larger than 16 MiB");
        const std::string why = n < 0 ? error_text(errno) : "the connection was closed";
        throw ControlClientError(Kind::failed, "hornet at " + path_ + " did not answer: " + why);
    }

    std::string path_;
    int fd_ = -1;
    std::string buffer_;
};

std::string request_line(const std::string& command, const std::vector<std::string>& args) {
    json::array list;
    for (const std::string& a : args) list.push_back(json::value(a));
    return to_json_line(json::object{{"id", 1}, {"command", command}, {"args", std::move(list)}}) + "\n";
}

ControlReply parse_reply(std::string line) {
    std::string why;
    auto value = parse_json_line(line, why);
    if (!value || !value->is_object())
        throw ControlClientError(Kind::failed,
                                 "the reply is not a JSON object (" + (value ? "another value" : why) + ")");
    return {std::move(line), std::move(value->get_object())};
}

} // namespace

ControlReply call_control(const std::string& path, const std::string& command, const std::vector<std::string>& args) {
    Connection c(path);
    c.check_server();
    c.send_line(request_line(command, args));
    return parse_reply(c.read_line());
}

} // namespace hornet
