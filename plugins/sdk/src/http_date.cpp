// The Date header, formatted once per second per thread.
#include "hornet/sdk/detail/http_date.hpp"

#include <cstring>

namespace hornet::sdk {
namespace {

constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

void put2(char* out, int v) {
    out[0] = static_cast<char>('0' + v / 10);
    out[1] = static_cast<char>('0' + v % 10);
}

struct DateCache {
    std::time_t second = -1;
    char text[29] = {};
};

} // namespace

void format_http_date(std::time_t t, char out[29]) {
    std::tm tm{};
    gmtime_r(&t, &tm);
    // "Sun, 06 Nov 1994 08:49:37 GMT"
    std::memcpy(out, kDays[tm.tm_wday], 3);
    std::memcpy(out + 3, ", ", 2);
    put2(out + 5, tm.tm_mday);
    out[7] = ' ';
    std::memcpy(out + 8, kMonths[tm.tm_mon], 3);
    out[11] = ' ';
    int year = tm.tm_year + 1900;
    put2(out + 12, year / 100 % 100);
    put2(out + 14, year % 100);
    out[16] = ' ';
    put2(out + 17, tm.tm_hour);
    out[19] = ':';
    put2(out + 20, tm.tm_min);
    out[22] = ':';
    put2(out + 23, tm.tm_sec);
    std::memcpy(out + 25, " GMT", 4);
}

std::string_view http_date() {
    thread_local DateCache cache;
    std::time_t now = std::time(nullptr);
    if (now != cache.second) {
        format_http_date(now, cache.text);
        cache.second = now;
    }
    return {cache.text, sizeof cache.text};
}

} // namespace hornet::sdk
