// The module check before fork; see module_check.hpp.
#include "module_check.hpp"

#include <filesystem>
#include <unistd.h>

#include "hornet/support/log.hpp"
#include "hornet/support/python_child.hpp"
#include "python_error.hpp"

#ifndef HORNET_PYTHON_EXE
#define HORNET_PYTHON_EXE "/usr/bin/python3"
#endif

namespace hornet::python {
namespace {

// argv: MODULE, CALLABLE, the working directory, then the pythonpath
// entries. Writes one line on fd 3: "ok", "refuse<TAB>why" or
// "unsure<TAB>why". Runs nothing of the app but, in the rare case
// module_check.hpp names, its parent packages.
constexpr const char* kChecker = R"PY(
import ast, difflib, importlib.util, os, re, sys
out, sys.stdout = os.fdopen(3, "w"), sys.stderr
module, spec_text, cwd, pythonpath = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]

def say(kind, text=""):
    out.write(kind + ("\t" + " ".join(text.split()) if text else "") + "\n")
    out.flush()
    os._exit(0)

if sys.path and sys.path[0] == "":
    del sys.path[0]
at = 0
for d in pythonpath + [cwd]:
    if d not in sys.path:
        sys.path.insert(at, d)
        at += 1

def find_static(name):
    """The module's spec found by sys.meta_path's finders, running no __init__:
    (spec, None, None), or (None, index of the missing part, the parent's spec)."""
    path, spec, parent = None, None, None
    parts = name.split(".")
    for i in range(len(parts)):
        full = ".".join(parts[: i + 1])
        parent, spec = spec, None
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            try:
                spec = find(full, path) if find else None
            except Exception:
                spec = None
            if spec is not None:
                break
        if spec is None:
            return None, i, parent
        path = spec.submodule_search_locations
        if path is None and i < len(parts) - 1:
            return None, i + 1, spec
    return spec, None, None

def extends_its_path(spec):
    """Does a package's __init__ change where its submodules are (pkgutil.extend_path)?"""
    try:
        with open(spec.origin, "rb") as f:
            source = f.read()
    except (OSError, TypeError):
        return True
    return any(w in source for w in (b"__path__", b"extend_path", b"declare_namespace"))

spec, missing_at, parent = find_static(module)
if spec is None and missing_at == 0:
    top = module.split(".")[0]
    say("refuse", f"no module named '{top}' on sys.path {sys.path}; add its folder with --pythonpath "
                  "(app_config.pythonpath) or start hornet there (--chdir)")
if spec is None and not extends_its_path(parent):
    missing = ".".join(module.split(".")[: missing_at + 1])
    say("refuse", f"no module named '{missing}' ({parent.name} is at {parent.origin})")
if spec is None:
    try:
        spec = importlib.util.find_spec(module)  # imports the parent packages
    except ModuleNotFoundError as e:
        say("refuse", f"no module named '{e.name or module}' (importing '{module}')")
    except SyntaxError as e:
        say("refuse", f"{e.filename}:{e.lineno}: SyntaxError: {e.msg} (importing '{module}')")
    except BaseException as e:
        say("unsure", f"importing the parents of '{module}' raised {type(e).__name__}: {e}")
    if spec is None:
        say("refuse", f"no module named '{module}'")

origin = spec.origin
if not origin or not origin.endswith(".py") or not os.path.isfile(origin):
    say("unsure", f"'{module}' is not Python source ({origin})")
try:
    with open(origin, "rb") as f:
        tree = compile(f.read(), origin, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    compile(tree, origin, "exec", dont_inherit=True)
except SyntaxError as e:
    say("refuse", f"{e.filename or origin}:{e.lineno}: {type(e).__name__}: {e.msg} (importing '{module}')")
except (ValueError, OSError) as e:
    say("refuse", f"{origin}: cannot compile it: {e}")

name = re.split(r"[.(]", spec_text, maxsplit=1)[0].strip()
if "(" in spec_text:
    # Gunicorn's rule: a factory's arguments are literals, parsed, not run.
    try:
        call = ast.parse("f" + spec_text[spec_text.index("("):], mode="eval").body
        if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Name):
            raise ValueError
        for a in list(call.args) + [k.value for k in call.keywords]:
            ast.literal_eval(a)
    except (SyntaxError, ValueError):
        say("refuse", f"'{module}:{spec_text}': the factory's arguments must be Python literals (strings, numbers, tuples, ...)")
DYNAMIC = {"globals", "vars", "setattr", "exec", "eval", "__import__"}

def targets(node):
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}

def top_level(body):
    for st in body:
        yield st
        if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            for child in getattr(st, field, []) or []:
                if isinstance(child, (ast.ExceptHandler, getattr(ast, "match_case", ()))):
                    if getattr(child, "name", None):
                        yield ast.Assign(targets=[ast.Name(id=child.name)], value=None)
                    yield from top_level(child.body)
                elif isinstance(child, ast.stmt):
                    yield from top_level([child])

bound, cannot_tell = set(), None
for st in top_level(tree.body):
    if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        bound.add(st.name)
        if st.name == "__getattr__":
            cannot_tell = "it has a module __getattr__"
    elif isinstance(st, ast.Assign):
        for t in st.targets:
            bound |= targets(t)
    elif isinstance(st, (ast.AnnAssign, ast.AugAssign)) and getattr(st, "value", True) is not None:
        bound |= targets(st.target)
    elif isinstance(st, (ast.For, ast.AsyncFor)):
        bound |= targets(st.target)
    elif isinstance(st, (ast.With, ast.AsyncWith)):
        for item in st.items:
            if item.optional_vars is not None:
                bound |= targets(item.optional_vars)
    elif isinstance(st, ast.Import):
        bound |= {a.asname or a.name.split(".")[0] for a in st.names}
    elif isinstance(st, ast.ImportFrom):
        if any(a.name == "*" for a in st.names):
            cannot_tell = f"it does 'from {st.module} import *'"
        bound |= {a.asname or a.name for a in st.names}
for node in ast.walk(tree):
    if isinstance(node, ast.NamedExpr):
        bound |= targets(node.target)
    elif isinstance(node, ast.Global) and name in node.names:
        cannot_tell = f"a function declares 'global {name}'"
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in DYNAMIC:
        cannot_tell = f"it calls {node.func.id}()"
    elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
        bound.add(node.name)

if name in bound:
    say("ok")
if cannot_tell:
    say("unsure", f"{origin} binds no '{name}' that hornet can see, but {cannot_tell}")
near = difflib.get_close_matches(name, sorted(bound), n=1)
hint = f"; did you mean '{module}:{near[0]}'?" if near else ""
say("refuse", f"'{module}' ({origin}) defines no '{name}' at its top level{hint}")
)PY";

// The check must not hold up a start for long: past this it gives up and lets the workers tell.
constexpr int kCheckTimeoutMs = 10000;

// The python whose sys.path the workers' interpreter will have: the
// virtualenv's when there is one (its pyvenv.cfg sets the prefix).
std::string python_for(const PythonConfig& c) {
    if (!c.virtualenv.empty() && ::access((c.virtualenv + "/bin/python3").c_str(), X_OK) == 0)
        return c.virtualenv + "/bin/python3";
    return HORNET_PYTHON_EXE;
}

void note(const hornet_host_t* host, const std::string& why) {
    support::log_line(host, HORNET_LOG_DEBUG, app_label() + ": app_config.module not checked before fork: " + why);
}

} // namespace

void check_module(const hornet_host_t* host, const PythonConfig& config) {
    std::vector<std::string> args{config.module, config.callable, std::filesystem::current_path().string()};
    args.insert(args.end(), config.pythonpath.begin(), config.pythonpath.end());
    const auto run = support::run_python(python_for(config), kChecker, args, kCheckTimeoutMs);
    if (!run.ran) return note(host, "cannot run " + python_for(config));
    if (run.timed_out) return note(host, "python did not answer within 10 s");
    const std::string& line = run.output;
    const std::size_t tab = line.find('\t');
    const std::string kind = line.substr(0, tab == std::string::npos ? line.find('\n') : tab);
    std::string why = tab == std::string::npos ? "" : line.substr(tab + 1);
    while (!why.empty() && why.back() == '\n') why.pop_back();
    if (kind == "ok") return;
    if (kind == "refuse") throw PythonError("app_config.module: " + why);
    note(host, kind == "unsure" ? why : "the check said nothing it could read");
}

} // namespace hornet::python
