"""manpage.py: write hornet.1 (gzip -n) from `hornet --help` and the README.

usage: manpage.py HORNET_BIN README.md VERSION OUT.1.gz

The options and their defaults come from the binary itself (CLI11's help,
built from the settings table), the signals from the README's signal table,
so the page says what this build does. Run at build time (packaging/deb).
"""

import gzip
import re
import subprocess
import sys


def roff(text):
    """Escape text for a roff line: backslashes, leading dots and dashes."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\\&" + text if text.startswith((".", "'")) else text


def help_entries(help_text):
    """(flags, description) pairs from CLI11's option list."""
    entries = []
    in_options = False
    for line in help_text.splitlines():
        if line.startswith("Options:"):
            in_options = True
            continue
        if not in_options or not line.strip():
            continue
        if not line.startswith("  "):  # a section after the options
            in_options = line.endswith(":") and "Options" in line
            continue
        body = line.strip()
        if body.startswith("-"):
            parts = re.split(r"\s{2,}", body, maxsplit=1)
            entries.append([parts[0], parts[1] if len(parts) > 1 else ""])
        elif entries:  # a description on its own line, or continued
            entries[-1][1] = (entries[-1][1] + " " + body).strip()
    return entries


def readme_signals(readme):
    """(signal, action) rows of the README's `| signal | action |` table."""
    rows, inside = [], False
    for line in readme.splitlines():
        if line.startswith("| signal | action |"):
            inside = True
            continue
        if inside:
            if not line.startswith("|"):
                break
            cells = [c.strip() for c in line.strip("|").split("|")]
            if cells and not set(cells[0]) <= set("-"):
                rows.append((cells[0], cells[1].replace("`", "")))
    return rows


def page(version, entries, signals):
    out = [
        f'.TH HORNET 1 "" "hornet {version}" "User Commands"',
        ".SH NAME",
        "hornet \\- pre\\-fork HTTP/1.1 application server",
        ".SH SYNOPSIS",
        ".B hornet",
        "[\\fIOPTIONS\\fR] [\\fIAPP\\fR]",
        ".br",
        ".B hornet ctl",
        "\\fICOMMAND\\fR",
        ".SH DESCRIPTION",
        roff("hornet runs an arbiter that binds the listening sockets, loads a worker "
             "type and an application as plugins, forks the workers and keeps them "
             "healthy. Settings come from the YAML file (-c), HORNET_* environment "
             "variables and the options below, in rising precedence; the YAML keys "
             "are the option names in snake_case."),
        ".SH OPTIONS",
    ]
    for flags, desc in entries:
        out += [".TP", f".B {roff(flags)}", roff(desc)]
    out.append(".SH SIGNALS")
    for sig, action in signals:
        out += [".TP", f".B {roff(sig)}", roff(action)]
    out += [
        ".SH FILES",
        ".TP", ".I /etc/hornet/hornet.yaml", "the configuration hornet.service runs",
        ".TP", ".I /usr/lib/hornet/plugins", "the built\\-in worker types and apps",
        ".SH SEE ALSO",
        roff("hornet ctl --help; /usr/share/doc/hornet/deploy.md (systemd, containers, "
             "Kubernetes, load balancers)."),
    ]
    return "\n".join(out) + "\n"


def main():
    binary, readme_path, version, out_path = sys.argv[1:5]
    help_text = subprocess.run([binary, "--help"], check=True, capture_output=True,
                               text=True).stdout
    with open(readme_path, encoding="utf-8") as f:
        signals = readme_signals(f.read())
    entries = help_entries(help_text)
    if not entries or not signals:
        sys.exit(f"manpage.py: found {len(entries)} options in --help and "
                 f"{len(signals)} signals in {readme_path}; both must be there")
    with open(out_path, "wb") as f:
        # mtime=0 and no name: the same page gives the same bytes (gzip -n).
        with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0) as gz:
            gz.write(page(version, entries, signals).encode("utf-8"))


if __name__ == "__main__":
    main()
