#!/ usr / bin / python3
"""The layers, checked: reads every #include "..." under core/ net/ rtp/ crypto/ tools/ and fails
when a room includes one it may not (ARCHITECTURE.md, "Rooms").

    core/                  the runtime: includes only core/
    crypto/                core/, crypto/
    rtp/ (codec, rtcp, hub) core/, rtp/
    net/ (socket, streams) core/, net/ itself
    net/ctl, http, sdp     core/, their own room, net/ (not rtsp/ or webrtc/)
    net/stun               as above, and crypto/
    net/rtsp               core/, crypto/, rtp/, net/ — never net/webrtc/
    net/webrtc             core/, crypto/, rtp/, net/ — never net/rtsp/
    tools/ringcastd        everything: the composition root
    tools/ringcastctl      core/, net/ctl/, net/http/stored_password.h (--hash-password), tools/
                           (the generated build_info.h)
    tools/loadgen, bench   everything but the daemon (tools/ringcastd/)

Nothing outside tools/ringcastd (and the tests) includes tools/ringcastd/.

    tests/layers_test.py            check the source tree (CTest: layers.include_graph)
    tests/layers_test.py --self-test  the checker catches a planted violation of each rule
"""

import os
import re
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCE_DIRS = ("core", "crypto", "rtp", "net", "tools")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')

# Room → what it may include (path prefixes). The longest matching room of a file applies.
ALLOWED = {
    "core": ("core/",),
    "crypto": ("core/", "crypto/"),
    "rtp": ("core/", "rtp/"),
    "net": ("core/", "net/socket.h", "net/stream_server.h"),
    "net/ctl": ("core/", "net/socket.h", "net/stream_server.h", "net/ctl/"),
    "net/http": ("core/", "net/socket.h", "net/stream_server.h", "net/http/"),
    "net/sdp": ("core/", "net/sdp/"),
    "net/stun": ("core/", "crypto/", "net/stun/", "net/socket.h"),
    "net/rtsp": ("core/", "crypto/", "rtp/", "net/socket.h", "net/stream_server.h", "net/http/",
                 "net/sdp/", "net/stun/", "net/rtsp/"),
    "net/webrtc": ("core/", "crypto/", "rtp/", "net/socket.h", "net/stream_server.h", "net/http/",
                   "net/sdp/", "net/stun/", "net/webrtc/"),
    "tools": ("core/",),  # build_info.h.in
    "tools/ringcastd": ("",),
    "tools/ringcastctl": ("core/", "net/ctl/", "net/http/stored_password.h", "tools/build_info.h",
                          "tools/ringcastctl/"),
    "tools/loadgen": ("core/", "crypto/", "rtp/", "net/", "tools/build_info.h", "tools/loadgen/"),
    "tools/bench": ("core/", "crypto/", "rtp/", "net/", "tools/bench/"),
}


def room_of(path):
    best = None
    for room in ALLOWED:
        if path == room or path.startswith(room + "/"):
            if best is None or len(room) > len(best):
                best = room
    return best


def sources(root):
    for top in SOURCE_DIRS:
        for directory, dirs, files in os.walk(os.path.join(root, top)):
            dirs.sort()
            for name in sorted(files):
                if name.endswith((".h", ".cc", ".h.in", ".cc.in")):
                    full = os.path.join(directory, name)
                    yield os.path.relpath(full, root)


def violations(root):
    found = []
    for path in sources(root):
        room = room_of(path)
        if room is None:
            found.append(f"{path}: in no room of the layer table (add it to tests/layers_test.py)")
            continue
        allowed = ALLOWED[room]
        with open(os.path.join(root, path), errors="replace") as f:
            for number, line in enumerate(f, 1):
                match = INCLUDE.match(line)
                if not match:
                    continue
                target = match.group(1)
                if not target.startswith(SOURCE_DIRS) and not target.startswith("tests/"):
                    continue  # a system or third-party header in quotes (absl/...)
                if target.startswith("tests/"):
                    found.append(f"{path}:{number}: {room}/ includes test code {target}")
                elif not any(target.startswith(prefix) for prefix in allowed):
                    found.append(f"{path}:{number}: {room}/ may not include {target}")
    return found


def self_test():
    """Plants one violation of each kind in a copy of the table's rooms; each must be caught."""
    planted = {
        "core/ring.h": "net/socket.h",
        "crypto/srtp.h": "net/http/message.h",
        "rtp/track.h": "net/rtsp/session.h",
        "rtp/hub/path.h": "net/webrtc/session.h",
        "net/rtsp/session.h": "net/webrtc/session.h",
        "net/webrtc/session.h": "net/rtsp/session.h",
        "net/http/parser.h": "net/rtsp/url.h",
        "net/socket.h": "rtp/track.h",
        "tools/loadgen/viewer.h": "tools/ringcastd/daemon.h",
        "net/sdp/parser.h": "tests/unit/allocation_counter.h",
    }
    clean = {"tools/ringcastd/daemon.cc": "net/rtsp/session.h", "net/webrtc/session.h": "rtp/track.h"}
    failures = []
    with tempfile.TemporaryDirectory() as root:
        def write(path, include):
            full = os.path.join(root, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "a") as f:
                f.write(f'#include "{include}"\n')
        for path, include in clean.items():
            write(path, include)
        if violations(root):
            failures.append(f"a clean tree was refused: {violations(root)}")
        for path, include in planted.items():
            write(path, include)
        found = "\n".join(violations(root))
        for path, include in planted.items():
            if f"{path}:1:" not in found and f"{path}:2:" not in found:
                failures.append(f"not caught: {path} including {include}")
    for failure in failures:
        print("layers self-test:", failure)
    return 1 if failures else 0


def main():
    if "--self-test" in sys.argv:
        return self_test()
    found = violations(ROOT)
    for line in found:
        print(line)
    if found:
        print(f"layers: {len(found)} include(s) break the layering (ARCHITECTURE.md, \"Rooms\")")
        return 1
    print(f"layers: {sum(1 for _ in sources(ROOT))} files, every include within its room's rules")
    return 0


if __name__ == "__main__":
    sys.exit(main())
