// What both access-log formats (Gunicorn's atoms, JSON fields) read from a
// hornet_access_record_t: headers by name, the Basic-auth user, the protocol.
// Any thread; no allocation but basic_auth_user's result.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <hornet/worker.h>

#include "hornet/support/text.hpp"

namespace hornet::access_record {

// The first header of that name (ASCII case-blind), or nullptr.
inline const hornet_str_t* find(const hornet_header_t* headers, size_t count, std::string_view name) {
    for (size_t i = 0; i < count; ++i)
        if (support::iequals(support::view(headers[i].name), name)) return &headers[i].value;
    return nullptr;
}

inline const hornet_str_t* request_header(const hornet_access_record_t& rec, std::string_view name) {
    return rec.request ? find(rec.request->headers, rec.request->header_count, name) : nullptr;
}

inline const hornet_str_t* response_header(const hornet_access_record_t& rec, std::string_view name) {
    return find(rec.response_headers, rec.response_header_count, name);
}

// The user of "Authorization: Basic base64(user:password)", as Gunicorn's
// %(u)s; "" when there is none.
std::string basic_auth_user(const hornet_access_record_t& rec);

inline std::string_view protocol(int version) { return version == 10 ? "HTTP/1.0" : "HTTP/1.1"; }

} // namespace hornet::access_record
