// hornet/support/http_syntax.hpp: the RFC 9110 character and status rules that
// more than one side applies: the request checks, the response head the
// worker builds, and apps that check an app's own head early (the wsgi
// app's start_response). One definition, so they cannot drift apart.
#pragma once

#include <string_view>

namespace hornet::support {

// A non-empty token (RFC 9110 5.6.2): header names, transfer codings.
bool is_token(std::string_view s);

// A field value with no control byte but HTAB (RFC 9110 5.5): CR, LF and
// NUL would split or cut the head on the wire; the others confuse peers.
bool is_field_value(std::string_view s);

// Whether a response with this status may carry a body: not 1xx, 204, 304.
inline bool status_has_body(int status) { return status >= 200 && status != 204 && status != 304; }

} // namespace hornet::support
