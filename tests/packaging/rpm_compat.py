#!/usr/bin/python3
"""Does the .rpm install and run where it claims to? (issue 14)

    rpm_compat.py RINGCAST.rpm [--targets packaging/rpm/targets.ini]

Reads what the package's ELF files need (readelf: DT_NEEDED and the symbol versions each
library must provide: GLIBC_, GLIBCXX_, CXXABI_, GCC_, OPENSSL_, NSS_) and what the package
Requires (`rpm -qp --requires`), and compares both with packaging/rpm/targets.ini, the checked-in
list of what each target distribution ships. Fails (exit 1, every violation listed) when a
version is above the lowest target's, a library or capability is one some target lacks, or
something the rpm flavour links statically (abseil, liburing, libsrtp2, libstdc++, libgcc_s) is
required instead. package_test.py runs check_rpm() on the .rpm it builds; rpm_compat_test.py
proves the checks fail on planted violations.
"""

import configparser
import os
import re
import subprocess
import sys
import tempfile

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TARGETS_INI = os.path.join(SOURCE, "packaging", "rpm", "targets.ini")

# Symbol-version node prefix -> the targets.ini key holding the highest one each target has.
NODE_KEYS = {"GLIBC_": "glibc", "GLIBCXX_": "glibcxx", "CXXABI_": "cxxabi", "GCC_": "libgcc_s",
             "OPENSSL_": "openssl", "NSS_": "nss"}
VERSION_KEYS = sorted(set(NODE_KEYS.values()))


def version_tuple(text):
    return tuple(int(part) for part in text.split("."))


class Targets:
    """What every target provides: the lowest symbol version per key, the sonames and
    capabilities all of them have, and what the package must not require."""

    def __init__(self, path=TARGETS_INI):
        parser = configparser.ConfigParser(inline_comment_prefixes=("#",), interpolation=None)
        with open(path) as f:
            parser.read_file(f)
        self.names = [s for s in parser.sections() if s != "package"]
        assert self.names, f"{path}: no target"
        self.minimum = {}
        for key in VERSION_KEYS:
            values = [(version_tuple(parser[t][key]), t) for t in self.names]
            self.minimum[key] = min(values)  # (version, the target that has it)
        self.libraries = set.intersection(*(set(parser[t]["libraries"].split()) for t in self.names))
        self.capabilities = set.intersection(*(set(parser[t]["capabilities"].split())
                                               for t in self.names))
        self.static = parser["package"]["static"].split()
        self.rpmlib = set(parser["package"]["rpmlib"].split())

    def describe(self):
        return ", ".join(f"{key} <= {'.'.join(map(str, v))} ({t})"
                         for key, (v, t) in sorted(self.minimum.items()))


def read_elf_needs(path):
    """{soname: set of version nodes} for one ELF file (every DT_NEEDED is a key)."""
    out = subprocess.run(["readelf", "-W", "--dynamic", "--version-info", path], check=True,
                         capture_output=True, text=True).stdout
    needs = {}
    for soname in re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out):
        needs.setdefault(soname, set())
    current = None
    in_needs = False
    for line in out.splitlines():
        if line.startswith("Version needs section"):
            in_needs = True
            continue
        if in_needs and line and not line.startswith(" "):
            in_needs = False
        if not in_needs:
            continue
        file_match = re.search(r"File: (\S+)", line)
        if file_match:
            current = file_match.group(1)
            needs.setdefault(current, set())
            continue
        name_match = re.search(r"Name: (\S+)", line)
        if name_match and current:
            needs[current].add(name_match.group(1))
    return needs


def parse_requires(text):
    """`rpm -qp --requires` lines -> (library requirements {soname: set of nodes},
    other requirements [str])."""
    libraries, other = {}, []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        match = re.fullmatch(r"(\S+?\.so[^\s(]*)\(([^)]*)\)\(64bit\)", line)
        if match:
            nodes = libraries.setdefault(match.group(1), set())
            if match.group(2):
                nodes.add(match.group(2))
        else:
            other.append(line)
    return libraries, other


def check_libraries(needs, targets, where):
    """Violations in {soname: nodes} (from an ELF file or from Requires)."""
    problems = []
    for soname, nodes in sorted(needs.items()):
        if any(soname.startswith(s) for s in targets.static):
            problems.append(f"{where}: needs {soname}, which the rpm flavour links statically")
            continue
        if soname not in targets.libraries:
            problems.append(f"{where}: needs {soname}, which not every target ships "
                            f"(all have: {' '.join(sorted(targets.libraries))})")
        for node in sorted(nodes):
            prefix = next((p for p in sorted(NODE_KEYS, key=len, reverse=True)
                           if node.startswith(p) and re.fullmatch(r"[0-9.]+", node[len(p):])), None)
            if prefix is None:
                problems.append(f"{where}: needs {soname} version {node}, which targets.ini "
                                f"has no level for")
                continue
            key = NODE_KEYS[prefix]
            limit, target = targets.minimum[key]
            if version_tuple(node[len(prefix):]) > limit:
                problems.append(f"{where}: needs {soname} {node}, above {target}'s "
                                f"{prefix}{'.'.join(map(str, limit))}")
    return problems


def check_other_requires(other, targets):
    problems = []
    for line in other:
        name = line.split()[0]
        rpmlib = re.fullmatch(r"rpmlib\(([^)]+)\)", name)
        if rpmlib:
            if rpmlib.group(1) not in targets.rpmlib:
                problems.append(f"Requires {line}: an rpm feature not listed for the targets")
        elif name not in targets.capabilities:
            problems.append(f"Requires {line}: not provided by every target "
                            f"(all have: {' '.join(sorted(targets.capabilities))})")
    return problems


def highest(nodes_by_library):
    """{prefix: highest node} over everything required, for the log."""
    best = {}
    for nodes in nodes_by_library.values():
        for node in nodes:
            for prefix in NODE_KEYS:
                rest = node[len(prefix):]
                if node.startswith(prefix) and re.fullmatch(r"[0-9.]+", rest):
                    if prefix not in best or version_tuple(rest) > version_tuple(best[prefix][len(prefix):]):
                        best[prefix] = node
    return best


def elf_files(root):
    for dirpath, _, filenames in os.walk(root):
        for name in filenames:
            path = os.path.join(dirpath, name)
            if os.path.isfile(path) and not os.path.islink(path):
                with open(path, "rb") as f:
                    if f.read(4) == b"\x7fELF":
                        yield path


def check_rpm(rpm, targets=None, log=print):
    """Every violation of the .rpm against the targets (an empty list: it fits them all)."""
    targets = targets or Targets()
    problems = []
    with tempfile.TemporaryDirectory() as root:
        # rpm2archive (rpm's own tool) turns the payload into a tar: no cpio needed.
        with open(rpm, "rb") as f:
            payload = subprocess.run(["rpm2archive", "-"], stdin=f, check=True,
                                     capture_output=True).stdout
        subprocess.run(["tar", "-C", root, "-xz"], input=payload, check=True, capture_output=True)
        binaries = sorted(elf_files(root))
        if not binaries:
            problems.append("no ELF file in the package")
        for path in binaries:
            rel = "/" + os.path.relpath(path, root)
            needs = read_elf_needs(path)
            log(f"{rel}: needs {' '.join(sorted(needs))}; highest versions "
                f"{' '.join(sorted(highest(needs).values()))}")
            problems += check_libraries(needs, targets, rel)
    requires_text = subprocess.run(["rpm", "-qp", "--requires", rpm], check=True,
                                   capture_output=True, text=True).stdout
    # What the package provides itself (config(ringcast) for its %config file) needs no target.
    provides = set(subprocess.run(["rpm", "-qp", "--provides", rpm], check=True,
                                  capture_output=True, text=True).stdout.splitlines())
    libraries, other = parse_requires("\n".join(line for line in requires_text.splitlines()
                                                if line.strip() not in provides))
    log(f"Requires: {' '.join(sorted(libraries))} {' '.join(other)}")
    problems += check_libraries(libraries, targets, "Requires")
    problems += check_other_requires(other, targets)
    return problems


def main():
    args = sys.argv[1:]
    targets_path = TARGETS_INI
    if "--targets" in args:
        i = args.index("--targets")
        targets_path = args[i + 1]
        del args[i:i + 2]
    if len(args) != 1:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    targets = Targets(targets_path)
    print(f"targets: {', '.join(targets.names)}; limits: {targets.describe()}")
    problems = check_rpm(args[0], targets)
    for problem in problems:
        print("VIOLATION " + problem)
    print("fits every target" if not problems else f"{len(problems)} violation(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
