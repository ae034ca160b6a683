"""test_list_plugins.py: `hornet --list-plugins` shows what the plugin path
holds: kind, name, version, ABI and path of each plugin that loads, the
loader's one-line refusal for each file that does not, exit status 0.

Uses the built-in folder (HORNET_PLUGIN_DIR) and the loader fixtures built by
tests/fixtures (HORNET_FIXTURE_DIR): broken_major.so (ABI 2.0),
broken_minor.so (ABI 1.1), broken_no_entry.so, not_elf.so, broken_none.so
(a good app)."""

import os
import re
import shutil

import harness
from harness import HornetTestCase, run_once

FIXTURE_DIR = os.environ.get("HORNET_FIXTURE_DIR", "")


def _abi_minor():
    """HORNET_ABI_MINOR of the headers this hornet was built from."""
    with open(os.path.join(harness.INCLUDE_DIR, "hornet", "abi.h")) as f:
        return int(re.search(r"#define HORNET_ABI_MINOR (\d+)", f.read()).group(1))


ABI = f"1.{_abi_minor()}"            # what this hornet's plugins say
NEWER = f"1.{_abi_minor() + 1}"      # broken_minor.so: one minor newer


def rows(out):
    """The table's rows as lists of columns, header excluded."""
    lines = out.splitlines()
    start = next(i for i, l in enumerate(lines) if l.startswith("KIND"))
    table = []
    for l in lines[start + 1:]:
        if not l.strip():
            break
        table.append(l.split())
    return table


class ListPluginsTest(HornetTestCase):

    def list_plugins(self, *args):
        rc, out, err = run_once(["--list-plugins", *args], self.tmp)
        self.assertEqual(rc, 0, f"stdout:\n{out}\nstderr:\n{err}")
        self.assertNotIn("Traceback", out + err)
        return out

    def fixture_dir(self, *names):
        """A temp plugin folder holding copies of the named fixtures."""
        if not FIXTURE_DIR or not os.path.isdir(FIXTURE_DIR):
            self.fail(f"HORNET_FIXTURE_DIR is not a folder: {FIXTURE_DIR!r}")
        d = os.path.join(self.tmp, "plugins")
        os.makedirs(d, exist_ok=True)
        for n in names:
            shutil.copy(os.path.join(FIXTURE_DIR, n), d)
        return d

    def test_builtin_plugins_with_kind_name_version_abi_path(self):
        out = self.list_plugins()
        table = rows(out)
        builtin = os.path.realpath(harness.PLUGIN_DIR)
        self.assertIn(["worker", "sync", "0.1.0", ABI, os.path.join(builtin, "sync.so")], table, out)
        self.assertIn(["worker", "async", "0.1.0", ABI, os.path.join(builtin, "async.so")], table, out)
        self.assertIn(["app", "hello", "1.0.0", ABI, os.path.join(builtin, "hello.so")], table, out)
        self.assertIn(["app", "echo", "1.0.0", ABI, os.path.join(builtin, "echo.so")], table, out)
        self.assertIn(f"{builtin}  (built-in)", out)
        self.assertNotIn("Cannot load", out)

    def test_refusals_are_one_line_each_naming_the_file(self):
        d = self.fixture_dir("broken_major.so", "broken_minor.so", "broken_no_entry.so", "not_elf.so",
                             "broken_none.so")
        out = self.list_plugins("--plugin-path", d)
        p = lambda n: os.path.join(d, n)  # noqa: E731
        self.assertIn(["app", "broken", "0", ABI, p("broken_none.so")], rows(out), out)
        self.assertIn("Cannot load (4):", out)
        for name, why in (("broken_major.so", f"built for hornet ABI 2.{_abi_minor()}, this hornet speaks ABI {ABI}"),
                          ("broken_minor.so", f"built for hornet ABI {NEWER}, newer than this hornet's ABI {ABI}"),
                          ("broken_no_entry.so", "exports neither hornet_app_entry nor hornet_worker_entry"),
                          ("not_elf.so", "cannot load")):
            self.assertOneErrorLine(out, p(name) + ":", why)
        # The plugin_path folder comes first, the built-in one last.
        self.assertLess(out.index(d), out.index("(built-in)"))

    def test_missing_folder_and_shadowed_plugin(self):
        d = self.fixture_dir("broken_none.so")
        os.rename(os.path.join(d, "broken_none.so"), os.path.join(d, "hello.so"))
        missing = os.path.join(self.tmp, "nowhere")
        out = self.list_plugins("--plugin-path", f"{missing}:{d}")
        self.assertIn(f"{missing}  (plugin_path)  (no such folder)", out)
        builtin_hello = os.path.join(os.path.realpath(harness.PLUGIN_DIR), "hello.so")
        self.assertOneErrorLine(out, builtin_hello, f"(shadowed by {os.path.join(d, 'hello.so')})")

    def test_plugin_path_from_the_config_file(self):
        d = self.fixture_dir("broken_none.so")
        config = os.path.join(self.tmp, "hornet.yaml")
        with open(config, "w") as f:
            f.write(f"plugin_path: [{d}]\n")
        out = self.list_plugins("-c", config)
        self.assertIn(os.path.join(d, "broken_none.so"), out)


if __name__ == "__main__":
    harness.main()
