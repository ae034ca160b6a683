// Session-ticket keys shared by every worker without talking to each
// other: derived (HKDF-SHA256) from the arbiter's random secret and the
// number of the current period (unix time / rotate_s), so that every
// worker computes the same keys, they change on a schedule, and a ticket
// from the previous period still decrypts (and is renewed). The secret
// lives in memory only. Private to the SDK's TLS code.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace hornet::sdk::tls {

struct TicketKey {
    std::array<unsigned char, 16> name{};
    std::array<unsigned char, 32> aes{};  // AES-256-CBC
    std::array<unsigned char, 32> hmac{}; // HMAC-SHA256
};

class TicketKeys {
public:
    TicketKeys(std::span<const unsigned char> secret, uint32_t rotate_s);

    // The key of period `period` (of unix time now / rotate_s).
    TicketKey key_of(uint64_t period) const;
    uint64_t current_period() const;
    uint32_t rotate_s() const { return rotate_s_; }

private:
    std::array<unsigned char, 64> secret_{};
    size_t secret_len_ = 0;
    uint32_t rotate_s_;
};

} // namespace hornet::sdk::tls
