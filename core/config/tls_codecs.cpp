// cert_reqs and certificates; see tls_codecs.hpp.
#include "config/tls_codecs.hpp"

#include "config/config_error.hpp"
#include "config/setting_codecs.hpp"

namespace hornet {
namespace {

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string required_text(const YAML::Node& map, const char* key, bool required) {
    const YAML::Node v = map[key];
    if (!v.IsDefined() || v.IsNull()) {
        if (required) throw ValueError(std::string("each certificate needs ") + key, map.Mark());
        return {};
    }
    if (!v.IsScalar()) throw ValueError(std::string(key) + ": expected a string", v.Mark());
    return v.Scalar();
}

TlsCertificate certificate_of(const YAML::Node& n) {
    if (!n.IsMap()) throw ValueError("expected a map {server_name, certfile, keyfile}", n.Mark());
    for (const auto& kv : n) {
        const std::string key = kv.first.Scalar();
        if (key != "server_name" && key != "certfile" && key != "keyfile")
            throw ValueError("unknown key '" + key + "': expected server_name, certfile, keyfile", kv.first.Mark());
    }
    return {lower(required_text(n, "server_name", true)), required_text(n, "certfile", true),
            required_text(n, "keyfile", false)};
}

} // namespace

Codec cert_reqs_field(std::string Config::*field) {
    return {"MODE", false,
            [=](Config& c, const YAML::Node& n) {
                const std::string text = lower(scalar_text(n));
                static const char* const names[] = {"none", "optional", "required"};
                for (int i = 0; i < 3; ++i)
                    if (text == names[i] || text == std::to_string(i) || text == std::string("cert_") + names[i]) {
                        c.*field = names[i];
                        return;
                    }
                throw ValueError("expected one of none, optional, required (or 0, 1, 2), got '" + text + "'");
            },
            [=](const Config& c) { return YAML::Node(c.*field); }};
}

Codec certificates_field(std::vector<TlsCertificate> Config::*field) {
    return {"LIST", false,
            [=](Config& c, const YAML::Node& n) {
                std::vector<TlsCertificate> out;
                if (!n.IsNull() && !n.IsSequence()) throw ValueError("expected a list of {server_name, certfile, keyfile}");
                for (const auto& item : n) out.push_back(certificate_of(item));
                c.*field = std::move(out);
            },
            [=](const Config& c) {
                YAML::Node list(YAML::NodeType::Sequence);
                for (const TlsCertificate& t : c.*field) {
                    YAML::Node m(YAML::NodeType::Map);
                    m["server_name"] = t.server_name;
                    m["certfile"] = t.certfile;
                    if (!t.keyfile.empty()) m["keyfile"] = t.keyfile;
                    list.push_back(m);
                }
                return list;
            }};
}

} // namespace hornet
