// hornet/sdk/detail/http_date.hpp: the Date header value, cached per second.
//
// Formatting a date per response is measurable at hello-world rates, so each
// thread keeps the current second's string and refreshes it when the second
// changes. Callable from any thread; the view stays valid on that thread
// until its next call.
#pragma once

#include <ctime>
#include <string_view>

namespace hornet::sdk {

// "Sun, 06 Nov 1994 08:49:37 GMT" (IMF-fixdate, RFC 9110 5.6.7) for now.
std::string_view http_date();

// The same format for a given time; writes 29 chars into out (no NUL).
void format_http_date(std::time_t t, char out[29]);

} // namespace hornet::sdk
