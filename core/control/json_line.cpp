// JSON lines for the control socket; see json_line.hpp. This file also
// compiles Boost.JSON itself (header-only mode: src.hpp in one place).
#include "control/json_line.hpp"

#include <boost/json/src.hpp>

#include "log/json_text.hpp"

namespace hornet {
namespace {

namespace json = boost::json;

void append(std::string& out, const json::value& v);

void append_object(std::string& out, const json::object& o) {
    out += '{';
    bool first = true;
    for (const auto& [key, value] : o) {
        if (!first) out += ',';
        first = false;
        append_json_string(out, key);
        out += ':';
        append(out, value);
    }
    out += '}';
}

void append_array(std::string& out, const json::array& a) {
    out += '[';
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (i) out += ',';
        append(out, a[i]);
    }
    out += ']';
}

void append(std::string& out, const json::value& v) {
    switch (v.kind()) {
    case json::kind::object: return append_object(out, v.get_object());
    case json::kind::array: return append_array(out, v.get_array());
    case json::kind::string: return append_json_string(out, v.get_string());
    case json::kind::int64: out += std::to_string(v.get_int64()); return;
    case json::kind::uint64: out += std::to_string(v.get_uint64()); return;
    case json::kind::double_: out += json::serialize(v); return;
    case json::kind::bool_: out += v.get_bool() ? "true" : "false"; return;
    case json::kind::null: out += "null"; return;
    }
}

} // namespace

std::string to_json_line(const json::value& value) {
    std::string out;
    append(out, value);
    return out;
}

std::optional<json::value> parse_json_line(std::string_view line, std::string& error) {
    boost::system::error_code ec;
    json::value v = json::parse(line, ec);
    if (!ec) return v;
    error = ec.message();
    return std::nullopt;
}

} // namespace hornet
