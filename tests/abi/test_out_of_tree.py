"""test_out_of_tree.py: plugins built out of tree against an installed hornet.

setUpModule installs the build tree into a temporary prefix (`cmake --install
--prefix`), then builds, against that prefix only:
  c_app/       the greeter app in C99 with find_package(hornet)   -> cmake/
  c_app/       the same source with its Makefile and pkg-config    -> pc/
  cpp_worker/  the oneshot worker type in C++ on hornet::sdk        -> worker/
  plugins/uring the io_uring worker type, hornet::sdk + liburing     -> uring/
The tests then run the *installed* hornet (which must find its own built-in
plugins with no setting) with each of them, over real loopback sockets.

Environment (set by tests/abi/CMakeLists.txt): HORNET_BUILD_DIR,
HORNET_ABI_SRC, HORNET_URING_SRC (empty: uring not built), HORNET_IT_DIR (for harness.py), HORNET_INSTALL_LIBDIR,
CMAKE_COMMAND, CMAKE_GENERATOR, CC, CXX.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.environ.get("HORNET_IT_DIR", ""))
import harness  # noqa: E402
from harness import HornetTestCase, run_once  # noqa: E402

BUILD_DIR = os.environ.get("HORNET_BUILD_DIR", "")
ABI_SRC = os.environ.get("HORNET_ABI_SRC", os.path.dirname(os.path.abspath(__file__)))
LIBDIR = os.environ.get("HORNET_INSTALL_LIBDIR", "lib")
CMAKE = os.environ.get("CMAKE_COMMAND", "cmake")
GENERATOR = os.environ.get("CMAKE_GENERATOR", "")
CC = os.environ.get("CC") or "cc"
CXX = os.environ.get("CXX") or "c++"
URING_SRC = os.environ.get("HORNET_URING_SRC", "")

STEP_TIMEOUT = 240


class Tree:
    """The temporary prefix and the out-of-tree builds, made once."""
    root = None
    prefix = None
    logs = {}

    @classmethod
    def path(cls, *parts):
        return os.path.join(cls.root, *parts)

    @classmethod
    def abi_minor(cls):
        """HORNET_ABI_MINOR of the installed headers."""
        with open(os.path.join(cls.prefix, "include", "hornet", "abi.h")) as f:
            return int(re.search(r"#define HORNET_ABI_MINOR (\d+)", f.read()).group(1))


def run(step, cmd, env=None, cwd=None):
    """Runs one build step; fails the module with its output if it fails."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    r = subprocess.run(cmd, cwd=cwd, env=full_env, capture_output=True, text=True, timeout=STEP_TIMEOUT)
    Tree.logs[step] = r.stdout + r.stderr
    if r.returncode != 0:
        raise AssertionError(f"{step} failed ({r.returncode}): {' '.join(cmd)}\n{r.stdout}\n{r.stderr}")
    return r.stdout + r.stderr


def cmake_project(step, src, out, compiler):
    """Configures and builds one out-of-tree CMake project against the prefix."""
    args = [CMAKE, "-S", src, "-B", out, "-DCMAKE_BUILD_TYPE=Release",
            f"-DCMAKE_PREFIX_PATH={Tree.prefix}",
            # Only the prefix: not the user package registry.
            "-DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF", "-DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF",
            compiler]
    if GENERATOR:
        args += ["-G", GENERATOR]
    configured = run(step + " configure", args)
    run(step + " build", [CMAKE, "--build", out, "-j", "2"])
    return configured


def setUpModule():
    if not BUILD_DIR or not os.path.exists(os.path.join(BUILD_DIR, "cmake_install.cmake")):
        raise AssertionError(f"HORNET_BUILD_DIR is not a configured build tree: {BUILD_DIR!r}")
    Tree.root = tempfile.mkdtemp(prefix="hornet-abi-", dir=harness.TMP_ROOT)
    Tree.prefix = Tree.path("prefix")
    try:
        build_all()
    except BaseException:
        tearDownModule()  # unittest skips it when setUpModule fails
        raise


def build_all():
    run("install", [CMAKE, "--install", BUILD_DIR, "--prefix", Tree.prefix])
    harness.HORNET_BIN = os.path.join(Tree.prefix, "bin", "hornet")
    Tree.c_cmake_log = cmake_project("c_app (cmake)", os.path.join(ABI_SRC, "c_app"), Tree.path("cmake"),
                                     f"-DCMAKE_C_COMPILER={CC}")
    os.mkdir(Tree.path("pc"))
    run("c_app (pkg-config)", ["make", "-s", "-C", os.path.join(ABI_SRC, "c_app"), f"O={Tree.path('pc')}",
                               f"CC={CC}"],
        env={"PKG_CONFIG_PATH": os.path.join(Tree.prefix, LIBDIR, "pkgconfig")})
    Tree.worker_log = cmake_project("cpp_worker (cmake)", os.path.join(ABI_SRC, "cpp_worker"),
                                    Tree.path("worker"), f"-DCMAKE_CXX_COMPILER={CXX}")
    if URING_SRC:
        Tree.uring_log = cmake_project("plugins/uring (cmake)", URING_SRC, Tree.path("uring"),
                                       f"-DCMAKE_CXX_COMPILER={CXX}")


def tearDownModule():
    if Tree.root:
        shutil.rmtree(Tree.root, True)


class InstallTest(unittest.TestCase):
    """What `cmake --install` puts where."""

    def test_layout(self):
        p = Tree.prefix
        want = ["bin/hornet", "lib/hornet/plugins/sync.so", "lib/hornet/plugins/hello.so",
                "lib/hornet/plugins/echo.so", "share/hornet/hornet.yaml",
                "share/hornet/plugin_exports.map",
                f"{LIBDIR}/libhornet-sdk.a", f"{LIBDIR}/libhornet-support.a", f"{LIBDIR}/pkgconfig/hornet.pc",
                f"{LIBDIR}/cmake/hornet/hornetConfig.cmake",
                f"{LIBDIR}/cmake/hornet/hornetConfigVersion.cmake",
                f"{LIBDIR}/cmake/hornet/hornetTargets.cmake",
                "include/hornet/sdk.hpp", "include/hornet/sdk/blocking_connection.hpp",
                "include/hornet/sdk/detail/response_head.hpp", "include/hornet/support/text.hpp"]
        want += [f"include/hornet/{h}.h" for h in ("abi", "host", "app", "worker")]
        missing = [w for w in want if not os.path.exists(os.path.join(p, w))]
        self.assertEqual(missing, [], f"not installed under {p}")

    def version_compatible(self, wanted):
        script = os.path.join(Tree.root, "version_check.cmake")
        major = wanted.split(".")[0]
        with open(script, "w") as f:
            f.write(f'set(PACKAGE_FIND_NAME hornet)\nset(PACKAGE_FIND_VERSION "{wanted}")\n'
                    f'set(PACKAGE_FIND_VERSION_MAJOR "{major}")\n'
                    f'set(PACKAGE_FIND_VERSION_COUNT 2)\n'
                    f'include("{Tree.prefix}/{LIBDIR}/cmake/hornet/hornetConfigVersion.cmake")\n'
                    f'message(STATUS "compatible=${{PACKAGE_VERSION_COMPATIBLE}} version=${{PACKAGE_VERSION}}")\n')
        out = run("version check", [CMAKE, "-P", script])
        return "compatible=TRUE" in out, out

    def test_package_version_follows_the_abi_major(self):
        ok, out = self.version_compatible("1.0")
        self.assertTrue(ok, out)
        self.assertIn("version=1.", out)
        for other in ("0.1", "2.0"):
            ok, out = self.version_compatible(other)
            self.assertFalse(ok, f"find_package(hornet {other}) must not accept ABI 1.x:\n{out}")

    def test_out_of_tree_builds_used_the_prefix_only(self):
        want = os.path.join(Tree.prefix, LIBDIR, "cmake", "hornet")
        self.assertIn(f"from {want}", Tree.c_cmake_log)
        self.assertIn(f"from {want}", Tree.worker_log)
        # COMPONENTS abi: a C app needs no Boost; the sdk does.
        self.assertNotIn("Found Boost", Tree.c_cmake_log)
        self.assertIn("Found Boost", Tree.worker_log)


class ServeTest(HornetTestCase):
    """The installed hornet serves the out-of-tree plugins."""

    def test_installed_hornet_finds_its_builtin_plugins(self):
        h = self.daemon(["hello"], workers=1)  # no plugin_path: sync and hello from the prefix
        self.assertEqual(self.get(h)[2], b"Hello, World!\n")
        rc, out, err = run_once(["--list-plugins"], self.tmp)
        self.assertEqual(rc, 0, err)
        builtin = os.path.join(Tree.prefix, "lib", "hornet", "plugins")
        for name in ("sync", "hello", "echo"):
            self.assertIn(os.path.join(builtin, name + ".so"), out)

    def test_c_app_built_with_cmake(self):
        config = os.path.join(self.tmp, "hornet.yaml")
        with open(config, "w") as f:
            f.write("app_config:\n  greeting: Bonjour\n")
        h = self.daemon(["-c", config, "--plugin-path", Tree.path("cmake"), "greeter"], workers=1)
        status, headers, body = self.get(h, "/x?y=1", method="POST", body=b"abc",
                                         headers={"User-Agent": "abi-test"})
        self.assertEqual(status, 200, body)
        self.assertEqual(body, b"Bonjour POST /x: 3 body bytes (agent abi-test)\n")
        # The worker logs it through the arbiter: wait for the line, it may
        # still be on its way when the answer is in.
        self.assertTrue(h.wait_log(r"greeter: created"), h.log())

    def test_c_app_built_with_pkg_config(self):
        h = self.daemon([Tree.path("pc", "greeter.so")], workers=1)
        status, headers, body = self.get(h, "/pc", headers={"User-Agent": "abi-test"})
        self.assertEqual((status, body), (200, b"Hello GET /pc: 0 body bytes (agent abi-test)\n"))

    def test_cpp_worker_type_serves_builtin_and_out_of_tree_apps(self):
        worker = Tree.path("worker", "oneshot.so")
        h = self.daemon(["-k", worker, "hello"], workers=2)
        for _ in range(5):
            status, _, body = self.get(h)
            self.assertEqual((status, body), (200, b"Hello, World!\n"))
        self.assertTrue(h.wait_log(r"oneshot worker"), h.log())  # a worker's line, through the arbiter
        h.stop()
        h = self.daemon(["-k", worker, Tree.path("cmake", "greeter.so")], workers=1)
        status, _, body = self.get(h, "/w", method="PUT", body=b"x" * 100000,
                                   headers={"User-Agent": "abi-test"})
        self.assertEqual((status, body), (200, b"Hello PUT /w: 100000 body bytes (agent abi-test)\n"))

    @unittest.skipUnless(URING_SRC, "hornet was configured with HORNET_URING=OFF")
    def test_uring_built_from_the_prefix_serves(self):
        self.assertIn(f"from {os.path.join(Tree.prefix, LIBDIR, 'cmake', 'hornet')}", Tree.uring_log)
        worker = Tree.path("uring", "uring.so")
        h = self.daemon(["-k", worker, "hello"], workers=2)
        for _ in range(5):
            status, _, body = self.get(h)
            self.assertEqual((status, body), (200, b"Hello, World!\n"))
        self.assertIn(f"Using worker: uring ({worker})", h.log())

    def test_list_plugins_shows_the_out_of_tree_ones(self):
        rc, out, err = run_once(["--list-plugins", "--plugin-path", Tree.path("cmake"),
                                 "--plugin-path", Tree.path("worker")], self.tmp)
        self.assertEqual(rc, 0, err)
        rows = [l.split() for l in out.splitlines()]
        abi = f"1.{Tree.abi_minor()}"  # built against the installed (current) headers
        self.assertIn(["app", "greeter", "1.0.0", abi, Tree.path("cmake", "greeter.so")], rows, out)
        self.assertIn(["worker", "oneshot", "1.0.0", abi, Tree.path("worker", "oneshot.so")], rows, out)


if __name__ == "__main__":
    harness.main()
