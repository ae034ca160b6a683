// The text format's syntax; see prometheus_text.hpp.
#include "metrics/prometheus_text.hpp"

#include <charconv>
#include <cstdio>

namespace hornet::metrics {
namespace {

void append_escaped(std::string& out, std::string_view value) {
    for (char c : value) {
        if (c == '\\') out += "\\\\";
        else if (c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
}

// HELP text escapes only \ and newline.
void append_help(std::string& out, std::string_view help) {
    for (char c : help) {
        if (c == '\\') out += "\\\\";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
}

void append_label(std::string& out, const Label& l, bool& first) {
    out += first ? "{" : ",";
    first = false;
    out.append(l.first).append("=\"");
    append_escaped(out, l.second);
    out += '"';
}

} // namespace

std::string seconds_text(std::uint64_t us) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", static_cast<double>(us) / 1e6);
    return buf;
}

void PrometheusText::family(std::string_view name, std::string_view type, std::string_view help) {
    out_.append("# HELP ").append(name).append(" ");
    append_help(out_, help);
    out_.append("\n# TYPE ").append(name).append(" ").append(type).append("\n");
}

void PrometheusText::head(std::string_view name, std::initializer_list<Label> labels, const Label* extra) {
    out_.append(name);
    bool first = true;
    for (const Label& l : labels) append_label(out_, l, first);
    if (extra) append_label(out_, *extra, first);
    if (!first) out_ += '}';
    out_ += ' ';
}

void PrometheusText::sample(std::string_view name, std::initializer_list<Label> labels, std::uint64_t value) {
    head(name, labels, nullptr);
    out_.append(std::to_string(value)).append("\n");
}

void PrometheusText::sample(std::string_view name, std::initializer_list<Label> labels, double value) {
    head(name, labels, nullptr);
    char buf[40];
    const auto end = std::to_chars(buf, buf + sizeof buf, value).ptr; // shortest text that reads back the same
    out_.append(buf, end).append("\n");
}

void PrometheusText::bucket(std::string_view name, std::initializer_list<Label> labels, std::string_view le,
                            std::uint64_t n) {
    const Label extra{"le", le};
    head(name, labels, &extra);
    out_.append(std::to_string(n)).append("\n");
}

} // namespace hornet::metrics
