// The environ dict, built from the request view with interned keys.
#include "environ_builder.hpp"

#include <array>
#include <charconv>
#include <strings.h>
#include <unordered_map>

#include "python_shared.hpp"
#include "hornet/support/text.hpp"

namespace hornet::wsgi {
namespace {

constexpr size_t kMaxHeaderKeys = 512; // a client sending made-up names cannot grow the cache
constexpr Py_ssize_t kFixedEntries = 24;

using support::view;

PyRef latin1(std::string_view s) {
    return PyRef::steal(PyUnicode_DecodeLatin1(s.data(), static_cast<Py_ssize_t>(s.size()), nullptr));
}

PyRef interned(const char* s) {
    PyRef key = PyRef::steal(PyUnicode_InternFromString(s));
    if (!key) throw WsgiError("out of memory building the WSGI environ keys");
    return key;
}

using support::iequals;

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// %XX to bytes; a '%' not followed by two hex digits stays as it is.
std::string_view percent_decoded(std::string_view raw, std::string& scratch) {
    if (raw.find('%') == std::string_view::npos) return raw;
    scratch.clear();
    for (size_t i = 0; i < raw.size(); ++i) {
        const int hi = raw[i] == '%' && i + 2 < raw.size() ? hex_value(raw[i + 1]) : -1;
        const int lo = hi >= 0 ? hex_value(raw[i + 2]) : -1;
        if (lo < 0) {
            scratch += raw[i];
            continue;
        }
        scratch += static_cast<char>(hi * 16 + lo);
        i += 2;
    }
    return scratch;
}

// "http://host:port/p" (absolute form, from proxies) to "/p".
std::string_view origin_path(std::string_view path) {
    if (path.empty() || path.front() == '/') return path;
    const size_t scheme = path.find("://");
    if (scheme == std::string_view::npos) return path; // "*" and the like
    const size_t slash = path.find('/', scheme + 3);
    return slash == std::string_view::npos ? std::string_view("/") : path.substr(slash);
}

// The last value seen and its str: addresses and ports repeat.
class LastValue {
public:
    PyRef get(std::string_view s) {
        if (!obj_ || s != bytes_) {
            PyRef fresh = latin1(s);
            if (!fresh) return fresh;
            bytes_.assign(s);
            obj_ = std::move(fresh);
        }
        return PyRef::borrow(obj_.get());
    }

private:
    std::string bytes_;
    PyRef obj_;
};

struct TransparentHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

} // namespace

struct EnvironBuilder::Impl {
    // keys
    PyRef k_method = interned("REQUEST_METHOD"), k_script = interned("SCRIPT_NAME"),
          k_path = interned("PATH_INFO"), k_query = interned("QUERY_STRING"), k_raw = interned("RAW_URI"),
          k_protocol = interned("SERVER_PROTOCOL"), k_server_name = interned("SERVER_NAME"),
          k_server_port = interned("SERVER_PORT"), k_remote_addr = interned("REMOTE_ADDR"),
          k_remote_port = interned("REMOTE_PORT"), k_ctype = interned("CONTENT_TYPE"),
          k_clen = interned("CONTENT_LENGTH"), k_software = interned("SERVER_SOFTWARE"),
          k_cookie = interned("HTTP_COOKIE"), k_version = interned("wsgi.version"),
          k_errors = interned("wsgi.errors"), k_file_wrapper = interned("wsgi.file_wrapper"),
          k_multithread = interned("wsgi.multithread"), k_multiprocess = interned("wsgi.multiprocess"),
          k_run_once = interned("wsgi.run_once"), k_scheme = interned("wsgi.url_scheme"),
          k_input = interned("wsgi.input"), k_terminated = interned("wsgi.input_terminated"),
          k_https = interned("HTTPS"), k_ssl_protocol = interned("SSL_PROTOCOL"), k_ssl_cipher = interned("SSL_CIPHER"),
          k_ssl_verify = interned("SSL_CLIENT_VERIFY"), k_ssl_dn = interned("SSL_CLIENT_S_DN"),
          k_ssl_cert = interned("SSL_CLIENT_CERT");
    // values that never change
    PyRef v_http10 = interned("HTTP/1.0"), v_http11 = interned("HTTP/1.1"), v_http = interned("http"),
          v_https = interned("https"), v_empty = interned(""), v_software = interned("hornet"),
          v_port80 = interned("80"), v_port443 = interned("443"), v_on = interned("on"),
          v_success = interned("SUCCESS"), v_none = interned("NONE");
    PyRef v_version, v_script;
    PyObject* errors;
    PyObject* file_wrapper;
    bool multithread, multiprocess;
    std::string script_name;
    // caches
    std::array<std::pair<std::string_view, PyRef>, 7> methods{{{"GET", interned("GET")},
                                                             {"POST", interned("POST")},
                                                             {"HEAD", interned("HEAD")},
                                                             {"PUT", interned("PUT")},
                                                             {"DELETE", interned("DELETE")},
                                                             {"PATCH", interned("PATCH")},
                                                             {"OPTIONS", interned("OPTIONS")}}};
    LastValue server_name, server_port, remote_addr, remote_port;
    std::unordered_map<std::string, PyRef, TransparentHash, std::equal_to<>> header_keys; // empty PyRef: skip
    std::string scratch;

    explicit Impl(const EnvironConstants& c)
        : errors(c.errors), file_wrapper(c.file_wrapper), multithread(c.multithread),
          multiprocess(c.multiprocess), script_name(c.script_name) {
        v_version = PyRef::steal(Py_BuildValue("(ii)", 1, 0));
        v_script = latin1(script_name);
        if (!v_version || !v_script) throw WsgiError("out of memory building the WSGI environ");
    }

    std::string_view path_info(const hornet_request_t& r) {
        std::string_view path = percent_decoded(origin_path(view(r.path)), scratch);
        return path.substr(script_name.size()); // mounted() checked the prefix
    }

    bool mounted(const hornet_request_t& r) {
        if (script_name.empty()) return true;
        std::string_view path = percent_decoded(origin_path(view(r.path)), scratch);
        if (path.substr(0, script_name.size()) != script_name) return false;
        return path.size() == script_name.size() || path[script_name.size()] == '/';
    }

    PyRef method(std::string_view m) {
        for (auto& [name, obj] : methods)
            if (name == m) return PyRef::borrow(obj.get());
        return latin1(m);
    }

    PyRef port_string(LastValue& cache, unsigned port) {
        char digits[8];
        auto [end, ec] = std::to_chars(digits, digits + sizeof digits, port);
        return cache.get(std::string_view(digits, static_cast<size_t>(end - digits)));
    }

    PyRef scheme(std::string_view s) {
        if (s == "http") return PyRef::borrow(v_http.get());
        if (s == "https") return PyRef::borrow(v_https.get());
        return latin1(s);
    }

    static bool put(PyObject* env, PyObject* key, PyRef value) {
        return value && PyDict_SetItem(env, key, value.get()) == 0;
    }

    static bool put_borrowed(PyObject* env, PyObject* key, PyObject* value) {
        return PyDict_SetItem(env, key, value) == 0;
    }

    bool put_constants(PyObject* env) {
        return put_borrowed(env, k_version.get(), v_version.get()) &&
               put_borrowed(env, k_errors.get(), errors) &&
               put_borrowed(env, k_file_wrapper.get(), file_wrapper) &&
               put_borrowed(env, k_multithread.get(), multithread ? Py_True : Py_False) &&
               put_borrowed(env, k_multiprocess.get(), multiprocess ? Py_True : Py_False) &&
               put_borrowed(env, k_run_once.get(), Py_False) &&
               put_borrowed(env, k_software.get(), v_software.get()) &&
               put_borrowed(env, k_script.get(), v_script.get());
    }

    bool put_request_line(PyObject* env, const hornet_request_t& r) {
        return put(env, k_method.get(), method(view(r.method))) &&
               put(env, k_path.get(), latin1(path_info(r))) &&
               put(env, k_query.get(), r.query.len ? latin1(view(r.query)) : PyRef::borrow(v_empty.get())) &&
               put(env, k_raw.get(), latin1(view(r.target))) &&
               put_borrowed(env, k_protocol.get(), r.version == 10 ? v_http10.get() : v_http11.get()) &&
               put(env, k_scheme.get(), scheme(view(r.scheme))) &&
               (r.content_length >= 0 || put_borrowed(env, k_terminated.get(), Py_True));
    }

    bool put_addresses(PyObject* env, const hornet_request_t& r) {
        const bool unix_socket = r.peer_host.len == 0;
        const bool https = view(r.scheme) == "https";
        if (!put(env, k_server_name.get(), server_name.get(view(r.server_host)))) return false;
        if (unix_socket) {
            return put_borrowed(env, k_server_port.get(), https ? v_port443.get() : v_port80.get()) &&
                   put_borrowed(env, k_remote_addr.get(), v_empty.get());
        }
        return put(env, k_server_port.get(), port_string(server_port, r.server_port)) &&
               put(env, k_remote_addr.get(), remote_addr.get(view(r.peer_host))) &&
               put(env, k_remote_port.get(), port_string(remote_port, r.peer_port));
    }

    // The connection's own TLS, with mod_ssl's names (as uWSGI and
    // Apache's mod_wsgi give them): HTTPS, SSL_PROTOCOL, SSL_CIPHER and,
    // for a verified client certificate, SSL_CLIENT_VERIFY, SSL_CLIENT_S_DN
    // and SSL_CLIENT_CERT (PEM). Nothing on a plain connection.
    bool put_tls(PyObject* env, const hornet_request_t& r) {
        if (!HORNET_HAS(&r, hornet_request_t, tls_client_cert) || r.tls_protocol.len == 0) return true;
        const bool client = r.tls_client_subject.len != 0;
        return put(env, k_https.get(), PyRef::borrow(v_on.get())) &&
               put(env, k_ssl_protocol.get(), latin1(view(r.tls_protocol))) &&
               put(env, k_ssl_cipher.get(), latin1(view(r.tls_cipher))) &&
               put(env, k_ssl_verify.get(), PyRef::borrow(client ? v_success.get() : v_none.get())) &&
               (!client || (put(env, k_ssl_dn.get(), latin1(view(r.tls_client_subject))) &&
                            put(env, k_ssl_cert.get(), latin1(view(r.tls_client_cert)))));
    }

    // The environ key of a header, or an empty PyRef (no exception) to skip it.
    PyRef make_header_key(std::string_view name) {
        if (name.find('_') != std::string_view::npos) return {};
        if (iequals(name, "Content-Type")) return PyRef::borrow(k_ctype.get());
        if (iequals(name, "Content-Length")) return PyRef::borrow(k_clen.get());
        std::string key = "HTTP_";
        for (char c : name) key += c == '-' ? '_' : static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
        return PyRef::steal(PyUnicode_InternFromString(key.c_str()));
    }

    // ok=false: an exception is set.
    PyRef header_key(std::string_view name, bool& ok) {
        ok = true;
        if (auto it = header_keys.find(name); it != header_keys.end()) return PyRef::borrow(it->second.get());
        PyRef key = make_header_key(name);
        if (!key && PyErr_Occurred()) {
            ok = false;
            return key;
        }
        if (header_keys.size() < kMaxHeaderKeys) header_keys.emplace(std::string(name), PyRef::borrow(key.get()));
        return key;
    }

    // A repeated header: "a,b" (Cookie: "a; b").
    bool join(PyObject* env, PyObject* key, PyObject* old, PyObject* value) {
        PyRef joined = PyRef::steal(PyUnicode_FromFormat(key == k_cookie.get() ? "%U; %U" : "%U,%U", old, value));
        return put(env, key, std::move(joined));
    }

    bool put_headers(PyObject* env, const hornet_request_t& r) {
        for (size_t i = 0; i < r.header_count; ++i) {
            bool ok;
            PyRef key = header_key(view(r.headers[i].name), ok);
            if (!ok) return false;
            if (!key) continue;
            PyRef value = latin1(view(r.headers[i].value));
            if (!value) return false;
            PyObject* stored = PyDict_SetDefault(env, key.get(), value.get()); // borrowed
            if (!stored) return false;
            if (stored != value.get() && !join(env, key.get(), stored, value.get())) return false;
        }
        return true;
    }
};

EnvironBuilder::EnvironBuilder(const EnvironConstants& constants) : impl_(std::make_unique<Impl>(constants)) {}

EnvironBuilder::~EnvironBuilder() = default;

bool EnvironBuilder::mounted(const hornet_request_t& r) { return impl_->mounted(r); }

PyRef EnvironBuilder::build(const hornet_request_t& r, PyObject* input) {
    PyRef env = PyRef::steal(_PyDict_NewPresized(kFixedEntries + static_cast<Py_ssize_t>(r.header_count)));
    if (!env) return env;
    Impl& m = *impl_;
    if (!m.put_constants(env.get()) || !m.put_request_line(env.get(), r) || !m.put_addresses(env.get(), r) ||
        !Impl::put_borrowed(env.get(), m.k_input.get(), input) || !m.put_tls(env.get(), r) ||
        !m.put_headers(env.get(), r))
        return {};
    return env;
}

} // namespace hornet::wsgi
