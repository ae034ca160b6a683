// Ticket keys derived per period; see ticket_keys.hpp.
#include "ticket_keys.hpp"

#include <algorithm>
#include <cstring>
#include <ctime>
#include <string>

#include <openssl/kdf.h>
#include <openssl/evp.h>

namespace hornet::sdk::tls {

TicketKeys::TicketKeys(std::span<const unsigned char> secret, uint32_t rotate_s)
    : secret_len_(std::min(secret.size(), secret_.size())), rotate_s_(rotate_s ? rotate_s : 3600) {
    std::copy_n(secret.begin(), secret_len_, secret_.begin());
}

uint64_t TicketKeys::current_period() const { return static_cast<uint64_t>(std::time(nullptr)) / rotate_s_; }

TicketKey TicketKeys::key_of(uint64_t period) const {
    unsigned char out[16 + 32 + 32];
    const std::string info = "hornet ticket key " + std::to_string(period);
    EVP_PKEY_CTX* pctx = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr);
    size_t len = sizeof out;
    bool ok = pctx && EVP_PKEY_derive_init(pctx) > 0 && EVP_PKEY_CTX_set_hkdf_md(pctx, EVP_sha256()) > 0 &&
              EVP_PKEY_CTX_set1_hkdf_key(pctx, secret_.data(), static_cast<int>(secret_len_)) > 0 &&
              EVP_PKEY_CTX_add1_hkdf_info(pctx, reinterpret_cast<const unsigned char*>(info.data()),
                                          static_cast<int>(info.size())) > 0 &&
              EVP_PKEY_derive(pctx, out, &len) > 0;
    EVP_PKEY_CTX_free(pctx);
    TicketKey k;
    if (!ok) return k; // all zero: names never match a real ticket
    std::memcpy(k.name.data(), out, 16);
    std::memcpy(k.aes.data(), out + 16, 32);
    std::memcpy(k.hmac.data(), out + 48, 32);
    return k;
}

} // namespace hornet::sdk::tls
