// Building the http scope; see scope_builder.hpp.
#include "scope_builder.hpp"
#include "tls_scope.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace hornet::asgi {
namespace {

using python::PyRef;

struct Constants {
    PyObject *type, *asgi, *http_version, *method, *scheme, *path, *raw_path, *query_string, *root_path,
        *headers, *client, *server, *state, *extensions;
    PyObject *http, *asgi_info, *v10, *v11, *scheme_http, *scheme_https, *get, *post, *ext_value, *ext_trailers;
    PyObject *websocket, *subprotocols, *ws_asgi_info, *scheme_ws, *scheme_wss, *ws_ext_value;
};
Constants k{};

PyObject* intern(const char* s) { return PyUnicode_InternFromString(s); }

int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

PyObject* decoded_path(hornet_str_t raw) {
    const std::string_view p(raw.ptr, raw.len);
    if (p.find('%') == std::string_view::npos) return PyUnicode_DecodeUTF8(p.data(), p.size(), "replace");
    std::string out;
    out.reserve(p.size());
    for (size_t i = 0; i < p.size(); ++i) {
        const int hi = p[i] == '%' && i + 2 < p.size() ? hex(p[i + 1]) : -1;
        const int lo = hi >= 0 ? hex(p[i + 2]) : -1;
        if (lo < 0) {
            out.push_back(p[i]);
            continue;
        }
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
    }
    return PyUnicode_DecodeUTF8(out.data(), out.size(), "replace");
}

PyObject* method_of(hornet_str_t m) {
    const std::string_view v(m.ptr, m.len);
    if (v == "GET") return Py_NewRef(k.get);
    if (v == "POST") return Py_NewRef(k.post);
    return PyUnicode_DecodeLatin1(m.ptr, static_cast<Py_ssize_t>(m.len), nullptr);
}

PyObject* lower_bytes(hornet_str_t s) {
    PyObject* b = PyBytes_FromStringAndSize(nullptr, static_cast<Py_ssize_t>(s.len));
    if (!b) return nullptr;
    char* out = PyBytes_AS_STRING(b);
    for (size_t i = 0; i < s.len; ++i) {
        const char c = s.ptr[i];
        out[i] = c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
    }
    return b;
}

PyObject* header_list(const hornet_request_t& r) {
    PyObject* list = PyList_New(static_cast<Py_ssize_t>(r.header_count));
    if (!list) return nullptr;
    for (size_t i = 0; i < r.header_count; ++i) {
        const hornet_header_t& h = r.headers[i];
        PyObject* name = lower_bytes(h.name);
        PyObject* value = name ? PyBytes_FromStringAndSize(h.value.ptr, static_cast<Py_ssize_t>(h.value.len)) : nullptr;
        PyObject* pair = value ? PyTuple_Pack(2, name, value) : nullptr;
        Py_XDECREF(name);
        Py_XDECREF(value);
        if (!pair) {
            Py_DECREF(list);
            return nullptr;
        }
        PyList_SET_ITEM(list, static_cast<Py_ssize_t>(i), pair);
    }
    return list;
}

// One worker serves a few listeners and most clients come from a few
// addresses: the last host string made is kept and reused when the next
// one is the same (str is immutable), and the last server tuple whole.
struct LastText {
    std::string key;
    PyObject* text = nullptr;
};
LastText g_last_client, g_last_server;
PyObject* g_last_server_tuple = nullptr;
uint16_t g_last_server_port = 0;

PyObject* host_text(LastText& last, hornet_str_t host) {
    const std::string_view v(host.ptr, host.len);
    if (last.text && last.key == v) return Py_NewRef(last.text);
    PyObject* text = PyUnicode_DecodeUTF8(host.ptr, static_cast<Py_ssize_t>(host.len), "replace");
    if (!text) return nullptr;
    last.key.assign(v);
    Py_XSETREF(last.text, Py_NewRef(text));
    return text;
}

PyObject* address_tuple(LastText& last, hornet_str_t host, uint16_t port) {
    PyObject* text = host_text(last, host);
    // a unix socket: (path, None)
    PyObject* second = !text ? nullptr : port == 0 && host.len && host.ptr[0] == '/' ? Py_NewRef(Py_None)
                                                                                    : PyLong_FromLong(port);
    PyObject* t = second ? PyTuple_Pack(2, text, second) : nullptr;
    Py_XDECREF(text);
    Py_XDECREF(second);
    return t;
}

PyObject* client_address(hornet_str_t host, uint16_t port) {
    if (host.len == 0) return Py_NewRef(Py_None);
    return address_tuple(g_last_client, host, port);
}

PyObject* server_address(hornet_str_t host, uint16_t port) {
    const std::string_view v(host.ptr, host.len);
    if (g_last_server_tuple && g_last_server_port == port && g_last_server.key == v)
        return Py_NewRef(g_last_server_tuple);
    PyObject* t = address_tuple(g_last_server, host, port);
    if (!t) return nullptr;
    g_last_server_port = port;
    Py_XSETREF(g_last_server_tuple, Py_NewRef(t));
    return t;
}

// Steals value; false on a failed item.
bool put(PyObject* dict, PyObject* key, PyObject* value) {
    if (!value) return false;
    const int rc = PyDict_SetItem(dict, key, value);
    Py_DECREF(value);
    return rc == 0;
}

} // namespace

bool init_scope_constants() {
    k = Constants{intern("type"), intern("asgi"), intern("http_version"), intern("method"), intern("scheme"),
                  intern("path"), intern("raw_path"), intern("query_string"), intern("root_path"), intern("headers"),
                  intern("client"), intern("server"), intern("state"), intern("extensions"),
                  intern("http"), nullptr, intern("1.0"), intern("1.1"), intern("http"), intern("https"),
                  intern("GET"), intern("POST"), nullptr, nullptr,
                  intern("websocket"), intern("subprotocols"), nullptr, intern("ws"), intern("wss"), nullptr};
    k.asgi_info = Py_BuildValue("{s:s,s:s}", "version", "3.0", "spec_version", "2.3");
    k.ext_value = Py_BuildValue("{s:{}}", "http.response.pathsend"); // what send() takes beyond http
    k.ext_trailers = Py_BuildValue("{s:{},s:{}}", "http.response.pathsend", "http.response.trailers");
    // 2.4: websocket.disconnect carries the reason.
    k.ws_asgi_info = Py_BuildValue("{s:s,s:s}", "version", "3.0", "spec_version", "2.4");
    k.ws_ext_value = Py_BuildValue("{s:{}}", "websocket.http.response"); // the denial response
    return k.asgi_info && k.ext_value && k.ext_trailers && k.post && k.type && k.ws_asgi_info && k.ws_ext_value && k.scheme_wss;
}

void drop_scope_constants() {
    PyObject** all[] = {&k.type, &k.asgi, &k.http_version, &k.method, &k.scheme, &k.path, &k.raw_path,
                        &k.query_string, &k.root_path, &k.headers, &k.client, &k.server, &k.state,
                        &k.extensions, &k.http, &k.asgi_info, &k.v10, &k.v11, &k.scheme_http, &k.scheme_https,
                        &k.get, &k.post, &k.ext_value, &k.ext_trailers, &k.websocket, &k.subprotocols, &k.ws_asgi_info,
                        &k.scheme_ws, &k.scheme_wss, &k.ws_ext_value};
    for (PyObject** p : all) Py_CLEAR(*p);
    Py_CLEAR(g_last_client.text);
    Py_CLEAR(g_last_server.text);
    Py_CLEAR(g_last_server_tuple);
}

namespace {

// The keys http and websocket scopes share.
bool put_common(PyObject* d, const hornet_request_t& r, PyObject* root_path, PyObject* state) {
    return put(d, k.http_version, Py_NewRef(r.version == 10 ? k.v10 : k.v11)) &&
           put(d, k.path, decoded_path(r.path)) &&
           put(d, k.raw_path, PyBytes_FromStringAndSize(r.path.ptr, static_cast<Py_ssize_t>(r.path.len))) &&
           put(d, k.query_string, PyBytes_FromStringAndSize(r.query.ptr, static_cast<Py_ssize_t>(r.query.len))) &&
           put(d, k.root_path, Py_NewRef(root_path)) && put(d, k.headers, header_list(r)) &&
           put(d, k.client, client_address(r.peer_host, r.peer_port)) &&
           put(d, k.server, server_address(r.server_host, r.server_port)) && put(d, k.state, PyDict_Copy(state));
}

PyObject* scheme_of(hornet_str_t s, PyObject* plain, PyObject* secure) {
    const std::string_view v(s.ptr, s.len);
    if (v == "https") return Py_NewRef(secure);
    if (v == "http" || v.empty()) return Py_NewRef(plain);
    return PyUnicode_FromStringAndSize(s.ptr, static_cast<Py_ssize_t>(s.len));
}

PyObject* subprotocol_list(const std::vector<hornet_str_t>& offered) {
    PyObject* list = PyList_New(static_cast<Py_ssize_t>(offered.size()));
    for (size_t i = 0; list && i < offered.size(); ++i) {
        PyObject* p = PyUnicode_DecodeLatin1(offered[i].ptr, static_cast<Py_ssize_t>(offered[i].len), nullptr);
        if (!p) {
            Py_DECREF(list);
            return nullptr;
        }
        PyList_SET_ITEM(list, static_cast<Py_ssize_t>(i), p);
    }
    return list;
}

// A copy of the shared extensions dict, with "tls" on a TLS connection.
PyObject* extensions(const hornet_request_t& r, PyObject* shared) {
    PyObject* ext = PyDict_Copy(shared);
    PyRef tls;
    if (!ext || !tls_extension(r, tls)) return ext;
    if (tls && PyDict_SetItemString(ext, "tls", tls.get()) == 0) return ext;
    Py_DECREF(ext);
    return nullptr;
}

} // namespace

PyRef build_scope(const hornet_request_t& r, PyObject* root_path, PyObject* state, bool trailers) {
    PyRef scope = PyRef::steal(_PyDict_NewPresized(16)); // no resize while it fills
    if (!scope) return scope;
    PyObject* d = scope.get();
    const bool ok = put(d, k.type, Py_NewRef(k.http)) && put(d, k.asgi, PyDict_Copy(k.asgi_info)) &&
                    put(d, k.method, method_of(r.method)) &&
                    put(d, k.scheme, scheme_of(r.scheme, k.scheme_http, k.scheme_https)) &&
                    put_common(d, r, root_path, state) &&
                    put(d, k.extensions, extensions(r, trailers ? k.ext_trailers : k.ext_value));
    if (!ok) scope.reset();
    return scope;
}

PyRef build_websocket_scope(const hornet_request_t& r, const std::vector<hornet_str_t>& subprotocols,
                            PyObject* root_path, PyObject* state) {
    PyRef scope = PyRef::steal(_PyDict_NewPresized(16)); // no resize while it fills
    if (!scope) return scope;
    PyObject* d = scope.get();
    const bool ok = put(d, k.type, Py_NewRef(k.websocket)) && put(d, k.asgi, PyDict_Copy(k.ws_asgi_info)) &&
                    put(d, k.scheme, scheme_of(r.scheme, k.scheme_ws, k.scheme_wss)) &&
                    put_common(d, r, root_path, state) && put(d, k.subprotocols, subprotocol_list(subprotocols)) &&
                    put(d, k.extensions, extensions(r, k.ws_ext_value));
    if (!ok) scope.reset();
    return scope;
}

} // namespace hornet::asgi
