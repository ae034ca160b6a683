// Trailer fields: checked, then kept as wire lines (see trailer_block.hpp).
#include "hornet/sdk/detail/trailer_block.hpp"

#include "hornet/support/http_syntax.hpp"
#include "hornet/support/text.hpp"

namespace hornet::sdk {
namespace {

using support::iequals;
using support::view;

// Fields a recipient must see before the content: a trailer copy would be
// ignored at best and, merged into the head by a lax peer, change framing
// or routing at worst (RFC 9110 6.5.1).
bool head_only(std::string_view name) {
    static constexpr std::string_view kNames[] = {
        "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Upgrade", "Trailer", "TE",
        "Host", "Content-Type", "Content-Encoding", "Content-Range", "Set-Cookie", "Date", "Server"};
    for (std::string_view n : kNames)
        if (iequals(name, n)) return true;
    return false;
}

// "trailer field \"Name\"", for the log line (a name is a token by then).
std::string quoted(std::string_view name) {
    std::string out = "trailer field \"";
    out.append(name).push_back('"');
    return out;
}

} // namespace

int TrailerBlock::refuse(std::string why) {
    error_ = std::move(why);
    return HORNET_EINVAL;
}

int TrailerBlock::add(std::span<const hornet_header_t> fields) {
    for (const hornet_header_t& f : fields) {
        const std::string_view name = view(f.name), value = view(f.value);
        if (!support::is_token(name)) return refuse("a trailer field name is not a token");
        if (!support::is_field_value(value))
            return refuse(quoted(name).append(" has a control byte (CR, LF, NUL...) in its value"));
        if (head_only(name)) return refuse(quoted(name).append(" cannot be a trailer field (RFC 9110 6.5.1)"));
    }
    for (const hornet_header_t& f : fields) lines_.append(view(f.name)).append(": ").append(view(f.value)).append("\r\n");
    return HORNET_OK;
}

} // namespace hornet::sdk
