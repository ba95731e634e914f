#!/usr/bin/python3
"""The packages, installed and run as an operator would (issue 6).

Builds the .deb (this build tree: BoringSSL) and the .rpm (a second tree configured with
RINGCAST_CRYPTO=openssl), lints the .deb, checks the .rpm's files and metadata, then installs the
.deb with apt into a fresh Debian 12 root made by debootstrap and:

  - starts ringcastd there the way the unit does (its ExecStart, User, Group, RuntimeDirectory,
    Limit* lines; systemd itself cannot run in a chroot) with $NOTIFY_SOCKET pointing at a socket
    of ours, and waits for READY=1 and a WATCHDOG=1 ping;
  - `ringcastctl -a` as root and as a member of group ringcast; "permission denied" for others;
  - a live write (`ringcastctl -w path.live.source=publisher`), then ffmpeg (outside the root:
    the chroot shares the network namespace) publishes to that path and ffmpeg plays it back
    over RTSP from the installed daemon; the demo path plays too;
  - SIGHUP (RELOADING=1, READY=1) and SIGTERM (STOPPING=1, exit 0);
  - `systemd-analyze verify` of the installed unit;
  - apt-get remove, then purge: no file, directory, user or group of ringcast is left.

The .rpm (issue 14), for RHEL/Rocky/Alma 9 and 10 and Fedora >= 40 (packaging/rpm/targets.ini):

  - rpm_compat.py: its binaries' symbol versions (GLIBC_, GCC_, OPENSSL_, ...) and its Requires
    are within what every target ships;
  - `rpm --root` installs it (--nodeps: the root's rpm database is empty) into a fresh root,
    which is the same cached Debian 12 root, RHEL images being out of reach here, with the
    libraries its Requires name (OpenSSL 3, NSS, NSPR) from Debian; rpm runs the scriptlets in
    the root, as it would on a target, with systemctl replaced by a recorder that passes enable
    and disable on to the real one, and /run/systemd/system present (systemd "running"):
    user, group, /var/lib/ringcast, daemon-reload, enable --now on install; try-restart and no
    disable on upgrade (rpm -U --replacepkgs); disable --now on erase, then nothing is left;
  - the installed ringcastd runs from the unit's ExecStart as above (RTSP publish and play,
    ringcastctl, reload, stop), and Chromium plays the demo path over WHEP from it
    (whep_play.mjs): a hard requirement, checked after everything else.

Needs root, network to the Debian mirror, debootstrap, dpkg-dev, lintian, rpm, ffmpeg (CTest's
skip code 77 when not root or a tool is missing). The bootstrapped root is cached as a tarball
under the build tree (packaging-test/), and apt's downloads next to it, so reruns are fast.

Environment: RINGCAST_SOURCE_DIR, RINGCAST_BUILD_DIR (set by ctest), RINGCAST_RPM_BUILD_DIR (the
OpenSSL tree; default BUILD/packaging-openssl), RINGCAST_PACKAGING_JOBS (build parallelism),
RINGCAST_DEBIAN_MIRROR (default http://deb.debian.org/debian).
"""

import glob
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import unittest

import rpm_compat

SOURCE = os.environ.get("RINGCAST_SOURCE_DIR", os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
BUILD = os.environ.get("RINGCAST_BUILD_DIR", os.path.join(SOURCE, "build"))
RPM_BUILD = os.environ.get("RINGCAST_RPM_BUILD_DIR", os.path.join(BUILD, "packaging-openssl"))
JOBS = os.environ.get("RINGCAST_PACKAGING_JOBS", str(os.cpu_count() or 1))
MIRROR = os.environ.get("RINGCAST_DEBIAN_MIRROR", "http://deb.debian.org/debian")
WORK = os.path.join(BUILD, "packaging-test")
ROOT = os.path.join(WORK, "root")
ROOT_TARBALL = os.path.join(WORK, "debian12-systemd-root.tar")
APT_ARCHIVES = os.path.join(WORK, "apt-archives")
TARGETS = ["ringcastd", "ringcastctl", "ringcast_package_files", "ringcast_demo_clip"]
TOOLS = ["debootstrap", "dpkg-shlibdeps", "lintian", "rpmbuild", "rpm", "ffmpeg", "ffprobe",
         "cpack", "chroot", "prlimit", "systemd-analyze", "fakeroot"]

T0 = time.monotonic()


def log(message):
    print(f"[{time.monotonic() - T0:6.1f}s] {message}", flush=True)


def run(cmd, check=True, **kwargs):
    kwargs.setdefault("capture_output", True)
    kwargs.setdefault("text", True)
    r = subprocess.run(cmd, **kwargs)
    if check and r.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} exited {r.returncode}:\n{r.stdout}\n{r.stderr}")
    return r


def in_root(*cmd, check=True, **kwargs):
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8",
           "DEBIAN_FRONTEND": "noninteractive", "HOME": "/root"}
    return run(["chroot", ROOT, *cmd], check=check, env=env, **kwargs)


def mounts_under(path):
    with open("/proc/mounts") as f:
        return [line.split()[1] for line in f if line.split()[1].startswith(path.rstrip("/") + "/")]


def unmount_all():
    for mount in sorted(mounts_under(ROOT), key=len, reverse=True):
        subprocess.run(["umount", "-l", mount], check=False)


def free_port(kind=socket.SOCK_STREAM):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def systemd_limit(text, resource_id):
    """LimitX= value (K/M/G suffixes are 1024-based) as prlimit's argument, capped at our own
    hard limit when we cannot raise it (no CAP_SYS_RESOURCE, e.g. in a container)."""
    if text == "infinity":
        wanted = resource.RLIM_INFINITY
    else:
        match = re.fullmatch(r"(\d+)([KMGT]?)", text)
        assert match, f"cannot read limit {text}"
        wanted = int(match.group(1)) * 1024 ** " KMGT".index(match.group(2) or " ")
    hard = resource.getrlimit(resource_id)[1]
    try:
        resource.prlimit(0, resource_id, resource.getrlimit(resource_id))  # probe: no change
        with open("/proc/self/status") as f:
            can_raise = any(line.startswith("CapEff:") and int(line.split()[1], 16) & (1 << 24)
                            for line in f)
    except OSError:
        can_raise = False
    if not can_raise and hard != resource.RLIM_INFINITY and (wanted == resource.RLIM_INFINITY or wanted > hard):
        log(f"limit {text} capped at the hard limit {hard} (no CAP_SYS_RESOURCE)")
        wanted = hard
    return "unlimited" if wanted == resource.RLIM_INFINITY else str(wanted)


def build_packages():
    """The .deb from this tree and the .rpm from the OpenSSL tree. Returns their paths."""
    log(f"building the .deb in {BUILD}")
    run(["cmake", "--build", BUILD, "-j", JOBS, "--target", *TARGETS], capture_output=False)
    for old in glob.glob(os.path.join(BUILD, "packages", "*")):
        os.remove(old)
    # cpack builds `preinstall` first: a no-op when the tree is built (ctest) or configured with
    # CMAKE_SKIP_INSTALL_ALL_DEPENDENCY=ON (then only the targets above are needed).
    run(["cpack", "-G", "DEB"], cwd=BUILD)
    debs = glob.glob(os.path.join(BUILD, "packages", "ringcast_*.deb"))
    assert len(debs) == 1, debs

    log(f"building the .rpm in {RPM_BUILD} (RINGCAST_CRYPTO=openssl)")
    generator = []
    if not os.path.exists(os.path.join(RPM_BUILD, "CMakeCache.txt")):
        generator = ["-G", "Ninja" if shutil.which("ninja") else "Unix Makefiles"]
    run(["cmake", "-S", SOURCE, "-B", RPM_BUILD, *generator, "-DCMAKE_BUILD_TYPE=RelWithDebInfo",
         "-DRINGCAST_CRYPTO=openssl", "-DRINGCAST_PACKAGE_FORMAT=rpm", "-DRINGCAST_WERROR=ON",
         "-DRINGCAST_RPM_STATIC_DEPS=ON",  # what the targets lack, linked in (targets.ini)
         "-DRINGCAST_DEBUG_INFO=lines",  # cpack strips the binaries: full debug info is wasted time
         "-DCMAKE_SKIP_INSTALL_ALL_DEPENDENCY=ON"])
    run(["cmake", "--build", RPM_BUILD, "-j", JOBS, "--target", *TARGETS], capture_output=False)
    for old in glob.glob(os.path.join(RPM_BUILD, "packages", "*")):
        os.remove(old)
    run(["cpack", "-G", "RPM"], cwd=RPM_BUILD)
    rpms = glob.glob(os.path.join(RPM_BUILD, "packages", "ringcast-*.rpm"))
    assert len(rpms) == 1, rpms
    return debs[0], rpms[0]


def fresh_root():
    """A clean Debian 12 (minbase) in ROOT, from the cached tarball or debootstrap."""
    unmount_all()
    assert not mounts_under(ROOT), f"still mounted under {ROOT}"
    run(["rm", "-rf", "--one-file-system", ROOT])
    os.makedirs(APT_ARCHIVES, exist_ok=True)
    if not os.path.exists(ROOT_TARBALL):
        log(f"debootstrap bookworm from {MIRROR} (first run only)")
        staging = ROOT + ".bootstrap"
        shutil.rmtree(staging, ignore_errors=True)
        run(["debootstrap", "--variant=minbase", "bookworm", staging, MIRROR], capture_output=False,
            stdout=subprocess.DEVNULL)
        security = MIRROR.replace("/debian", "/debian-security")
        with open(os.path.join(staging, "etc/apt/sources.list"), "w") as f:
            f.write(f"deb {MIRROR} bookworm main\ndeb {MIRROR} bookworm-updates main\n"
                    f"deb {security} bookworm-security main\n")
        shutil.copy("/etc/resolv.conf", os.path.join(staging, "etc/resolv.conf"))
        run(["chroot", staging, "apt-get", "update", "-qq"], capture_output=False)
        # What every Debian 12 server has and minbase lacks: systemd (the unit's targets,
        # systemctl for the maintainer scripts, systemd-analyze verify) and procps (/bin/kill).
        run(["chroot", staging, "apt-get", "install", "-y", "-qq", "--no-install-recommends",
             "systemd", "procps"], capture_output=False, stdout=subprocess.DEVNULL,
            env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "DEBIAN_FRONTEND": "noninteractive"})
        run(["chroot", staging, "apt-get", "clean"])
        run(["tar", "-C", staging, "--numeric-owner", "-cf", ROOT_TARBALL + ".tmp", "."])
        os.rename(ROOT_TARBALL + ".tmp", ROOT_TARBALL)
        run(["rm", "-rf", "--one-file-system", staging])
    log("unpacking the Debian 12 root")
    os.makedirs(ROOT)
    run(["tar", "-C", ROOT, "--numeric-owner", "-xpf", ROOT_TARBALL])
    shutil.copy("/etc/resolv.conf", os.path.join(ROOT, "etc/resolv.conf"))
    run(["mount", "-t", "proc", "proc", os.path.join(ROOT, "proc")])
    run(["mount", "--bind", APT_ARCHIVES, os.path.join(ROOT, "var/cache/apt/archives")])


def snapshot(root):
    """Every path in the root except the ones apt/dpkg bookkeeping and logs change."""
    skip = ("proc", "dev", "tmp", "var/cache", "var/lib/apt", "var/lib/dpkg", "var/log",
            "etc/ld.so.cache", "run", "var/lib/rpm", "usr/lib/sysimage/rpm")
    paths = set()
    for dirpath, dirnames, filenames in os.walk(root):
        rel = os.path.relpath(dirpath, root)
        if rel != "." and rel.startswith(skip):
            dirnames[:] = []
            continue
        for name in dirnames + filenames:
            paths.add(os.path.normpath(os.path.join(rel, name)))
    return paths


class NotifySocket:
    """The $NOTIFY_SOCKET systemd would give the daemon, inside the root. A thread keeps reading
    it, as systemd does (watchdog pings arrive every 500 ms)."""

    def __init__(self):
        self.path_in_root = "/run/test-notify.sock"
        self.path = ROOT + self.path_in_root
        if os.path.exists(self.path):
            os.remove(self.path)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        os.chmod(self.path, 0o777)
        self.sock.settimeout(0.2)
        self.messages = []
        self.lock = threading.Lock()
        self.closed = False
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        while not self.closed:
            try:
                data = self.sock.recv(4096).decode()
            except (socket.timeout, OSError):
                continue
            with self.lock:
                self.messages.extend(data.split("\n"))

    def clear(self):
        with self.lock:
            self.messages.clear()

    def wait_for(self, state, seconds=20):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with self.lock:
                if state in self.messages:
                    return True
            time.sleep(0.02)
        with self.lock:
            return state in self.messages

    def close(self):
        self.closed = True
        self.thread.join()
        self.sock.close()


@unittest.skipIf(os.geteuid() != 0, "needs root (debootstrap, chroot, mount)")
class PackageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        missing = [tool for tool in TOOLS if shutil.which(tool) is None]
        if missing:
            raise unittest.SkipTest(f"missing {' '.join(missing)} (tools/setup-deps.sh installs them)")
        os.makedirs(WORK, exist_ok=True)
        cls.deb, cls.rpm = build_packages()
        log(f"built {os.path.basename(cls.deb)} and {os.path.basename(cls.rpm)}")

    @classmethod
    def tearDownClass(cls):
        unmount_all()
        if not mounts_under(ROOT):  # the tarball stays; the unpacked root is 500 MB
            run(["rm", "-rf", "--one-file-system", ROOT], check=False)

    def test_1_deb_metadata_and_lintian(self):
        info = run(["dpkg-deb", "--info", self.deb]).stdout
        depends = re.search(r"^ Depends: (.*)$", info, re.M).group(1)
        log(f".deb Depends: {depends}")
        # From dpkg-shlibdeps, not hand-written.
        for package in ("liburing2", "libsrtp2-1", "android-libboringssl", "libabsl20220623",
                        "libc6", "libstdc++6"):
            self.assertIn(package, depends)
        contents = run(["dpkg-deb", "--contents", self.deb]).stdout
        for path in ("./usr/sbin/ringcastd", "./usr/sbin/ringcastctl", "./etc/ringcast/ringcast.conf",
                     "./etc/ringcast/conf.d/", "./lib/systemd/system/ringcast.service",
                     "./usr/lib/sysctl.d/60-ringcast.conf", "./usr/share/man/man8/ringcastd.8.gz",
                     "./usr/share/man/man8/ringcastctl.8.gz", "./usr/share/man/man5/ringcast.conf.5.gz",
                     "./usr/share/bash-completion/completions/ringcastctl",
                     "./usr/share/doc/ringcast/copyright", "./usr/share/ringcast/demo.h264"):
            self.assertIn(path, contents)
        control = run(["dpkg-deb", "--ctrl-tarfile", self.deb], text=False).stdout
        self.assertIn(b"conffiles", control)
        r = run(["lintian", "--tag-display-limit", "0", "--display-info", self.deb], check=False)
        with open(os.path.join(WORK, "lintian.txt"), "w") as f:
            f.write(r.stdout + r.stderr)
        log("lintian:\n" + (r.stdout.strip() or "(clean)"))
        errors = [line for line in r.stdout.splitlines() if line.startswith("E:")]
        self.assertEqual(errors, [], r.stdout)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_2_rpm_metadata(self):
        info = run(["rpm", "-qip", self.rpm]).stdout
        self.assertIn("Built with OpenSSL 3", info)
        self.assertIn("WebRTC (WHEP) to browsers", info)
        self.assertNotIn("NOT included", info)
        files = run(["rpm", "-qlp", self.rpm]).stdout.split()
        for path in ("/usr/sbin/ringcastd", "/usr/sbin/ringcastctl", "/etc/ringcast/ringcast.conf",
                     "/etc/ringcast/conf.d", "/usr/lib/systemd/system/ringcast.service",
                     "/usr/lib/sysctl.d/60-ringcast.conf", "/usr/share/man/man8/ringcastd.8.gz",
                     "/usr/share/man/man5/ringcast.conf.5.gz",
                     "/usr/share/bash-completion/completions/ringcastctl",
                     "/usr/share/doc/ringcast/copyright", "/usr/share/ringcast/demo.h264"):
            self.assertIn(path, files)
        self.assertNotIn("/etc", files)  # the filesystem package's, not ours
        config = run(["rpm", "-qcp", self.rpm]).stdout.split()
        self.assertEqual(config, ["/etc/ringcast/ringcast.conf"])
        requires = run(["rpm", "-qRp", self.rpm]).stdout
        self.assertIn("libcrypto.so.3()", requires)  # OpenSSL 3: libcrypto, and libssl for DTLS
        self.assertIn("libssl.so.3()", requires)
        scripts = run(["rpm", "-qp", "--scripts", self.rpm]).stdout
        self.assertIn("useradd --system", scripts)
        self.assertIn("enable --now ringcast.service", scripts)

    def test_2_rpm_targets(self):
        """The .rpm's binaries and Requires fit every target in packaging/rpm/targets.ini."""
        targets = rpm_compat.Targets()
        log(f"rpm targets {', '.join(targets.names)}; limits: {targets.describe()}")
        problems = rpm_compat.check_rpm(self.rpm, targets, log=log)
        self.assertEqual(problems, [], "the .rpm needs more than its targets ship")

    def test_3_install_run_remove_purge(self):
        fresh_root()
        before = snapshot(ROOT)
        shutil.copy(self.deb, os.path.join(ROOT, "tmp/ringcast.deb"))
        log("apt-get install ./ringcast.deb in the Debian 12 root")
        in_root("apt-get", "install", "-y", "-q", "--no-install-recommends", "/tmp/ringcast.deb")
        os.remove(os.path.join(ROOT, "tmp/ringcast.deb"))

        # What the maintainer scripts made.
        passwd = in_root("getent", "passwd", "ringcast").stdout
        self.assertIn(":/var/lib/ringcast:/usr/sbin/nologin", passwd)
        self.assertTrue(in_root("getent", "group", "ringcast").stdout)
        self.assertEqual(in_root("stat", "-c", "%U:%G %a", "/var/lib/ringcast").stdout.strip(),
                         "ringcast:ringcast 750")
        self.assertTrue(os.path.islink(os.path.join(
            ROOT, "etc/systemd/system/multi-user.target.wants/ringcast.service")), "not enabled")
        conffiles = in_root("dpkg-query", "-W", "-f=${Conffiles}", "ringcast").stdout
        self.assertIn("/etc/ringcast/ringcast.conf", conffiles)
        unit_path = self.check_installed("crypto: BoringSSL, loaded: BoringSSL",
                                         "/lib/systemd/system/ringcast.service")

        self.run_installed_daemon(unit_path)

        log("apt-get remove ringcast")
        in_root("apt-get", "remove", "-y", "-q", "ringcast")
        self.assertFalse(os.path.exists(os.path.join(ROOT, "usr/sbin/ringcastd")))
        self.assertTrue(os.path.exists(os.path.join(ROOT, "etc/ringcast/ringcast.conf")),
                        "remove keeps the config")
        log("apt-get purge ringcast")
        in_root("apt-get", "purge", "-y", "-q", "ringcast")
        in_root("apt-get", "autoremove", "--purge", "-y", "-q")
        after = snapshot(ROOT)
        self.assertEqual(sorted(after - before), [], "left behind after purge")
        left = [path for path in after if "ringcast" in path]
        self.assertEqual(left, [])
        for db in ("passwd", "group", "shadow", "gshadow"):
            with open(os.path.join(ROOT, "etc", db)) as f:
                self.assertNotIn("ringcast", f.read(), f"/etc/{db}")
        status = in_root("dpkg-query", "-W", "ringcast", check=False)
        self.assertNotEqual(status.returncode, 0, status.stdout)
        log("purged: nothing of ringcast is left")

    def check_installed(self, version_text, unit):
        """The installed ringcastd names its crypto library and accepts the packaged config, and
        systemd-analyze accepts the installed unit. Returns the unit's path on the host."""
        self.assertIn(version_text, in_root("/usr/sbin/ringcastd", "--version").stdout)
        in_root("/usr/sbin/ringcastd", "--check-config")
        # Documentation=man:… is checked with the host's man; MANPATH points it at the root's pages.
        r = run(["systemd-analyze", "verify", f"--root={ROOT}", unit],
                check=False, env={**os.environ, "MANPATH": os.path.join(ROOT, "usr/share/man")})
        self.assertEqual((r.returncode, r.stdout + r.stderr), (0, ""), "systemd-analyze verify")
        return os.path.join(ROOT, unit.lstrip("/"))

    def run_installed_daemon(self, unit_path, whep=False):
        """Runs and checks the installed daemon. With whep, Chromium also plays the demo path
        over WHEP; returns (passed, output) of that step for the caller to assert last."""
        whep_result = None
        unit = {}
        with open(unit_path) as f:
            for line in f:
                if "=" in line and not line.startswith(("#", "[")):
                    key, value = line.rstrip("\n").split("=", 1)
                    unit[key] = value
        # systemd's part: the user, RuntimeDirectory (0755) and the limits.
        uid = int(in_root("id", "-u", unit["User"]).stdout)
        gid = int(in_root("getent", "group", unit["Group"]).stdout.split(":")[2])
        runtime = os.path.join(ROOT, "run", unit["RuntimeDirectory"])
        os.makedirs(runtime, exist_ok=True)
        os.chown(runtime, uid, gid)
        os.chmod(runtime, int(unit["RuntimeDirectoryMode"], 8))

        rtsp_port = free_port()
        http_port = free_port()
        with open(os.path.join(ROOT, "etc/ringcast/conf.d/90-test.conf"), "w") as f:
            # Free ports: other daemons may run on this machine. The rest is the packaged config.
            f.write(f"rtsp.listen = 127.0.0.1:{rtsp_port}\nrtsp.rtp_port = 0\nrtsp.rtcp_port = 0\n"
                    f"webrtc.listen = 127.0.0.1:{http_port}\nwebrtc.udp_port = {free_port(socket.SOCK_DGRAM)}\n"
                    f"webrtc.advertise = 127.0.0.1\nmetrics.listen = 127.0.0.1:{free_port()}\n")
        notify = NotifySocket()
        exec_start = unit["ExecStart"].split()
        log(f"starting {unit['ExecStart']} as {unit['User']} (uid {uid})")
        daemon_log = open(os.path.join(WORK, "ringcastd.log"), "w")
        daemon = subprocess.Popen(
            ["prlimit", f"--nofile={systemd_limit(unit['LimitNOFILE'], resource.RLIMIT_NOFILE)}",
             f"--memlock={systemd_limit(unit['LimitMEMLOCK'], resource.RLIMIT_MEMLOCK)}", "--",
             "chroot", f"--userspec={uid}:{gid}", ROOT,
             "/usr/bin/env", "-i", "PATH=/usr/sbin:/usr/bin", f"NOTIFY_SOCKET={notify.path_in_root}",
             "WATCHDOG_USEC=1000000",  # the unit says 30 s; 1 s to see pings in the test
             *exec_start],
            stdout=daemon_log, stderr=subprocess.STDOUT)

        def daemon_output():
            daemon_log.flush()
            with open(daemon_log.name) as f:
                return f.read()

        try:
            self.assertTrue(notify.wait_for("READY=1"), "no READY=1:\n" + daemon_output())
            self.assertTrue(notify.wait_for("WATCHDOG=1", 3), f"no watchdog ping: {notify.messages}")
            self.assertEqual(in_root("stat", "-c", "%U:%G %a", "/run/ringcast/ctl.sock").stdout.strip(),
                             "ringcast:ringcast 660")
            everything = in_root("ringcastctl", "-a").stdout
            for line in ("core.workers = 0", "path.demo.source = demo", "ctl.socket = /run/ringcast/ctl.sock"):
                self.assertIn(line, everything)
            self.assertIn("stats.", everything)
            # A member of group ringcast may; anyone else may not.
            member = run(["chroot", f"--userspec=65534:{gid}", ROOT, "ringcastctl", "-n",
                          "core.log_level"], check=False)
            self.assertEqual((member.returncode, member.stdout.strip()), (0, "info"), member.stderr)
            other = run(["chroot", "--userspec=65534:65534", ROOT, "ringcastctl", "-n",
                         "core.log_level"], check=False)
            self.assertEqual(other.returncode, 1)
            self.assertIn("ermission denied", other.stderr)

            # Live writes.
            self.assertEqual(in_root("ringcastctl", "-w", "core.log_level=debug").stdout.strip(),
                             "core.log_level = debug")
            in_root("ringcastctl", "-w", "path.live.source=publisher")
            self.assertEqual(in_root("ringcastctl", "-n", "path.live.source").stdout.strip(), "publisher")

            # ffmpeg publishes to the installed daemon and plays the path back over RTSP.
            url = f"rtsp://127.0.0.1:{rtsp_port}/live"
            publisher = subprocess.Popen(
                ["ffmpeg", "-hide_banner", "-loglevel", "error", "-re", "-f", "lavfi", "-i",
                 "testsrc=size=320x240:rate=25", "-t", "30", "-c:v", "libx264", "-preset", "ultrafast",
                 "-tune", "zerolatency", "-g", "25", "-pix_fmt", "yuv420p", "-f", "rtsp",
                 "-rtsp_transport", "tcp", url], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            try:
                for _ in range(100):
                    if in_root("ringcastctl", "-n", "stats.path.live.publishing", check=False).stdout.strip() == "1":
                        break
                    time.sleep(0.1)
                frames = self.play(url, 3)
                self.assertGreaterEqual(frames, 50, "playback of the published path")
                log(f"played {frames} frames of the published path over RTSP")
            finally:
                publisher.terminate()
                publisher.wait(timeout=10)
                publisher.stderr.close()
            demo_frames = self.play(f"rtsp://127.0.0.1:{rtsp_port}/demo", 2)
            self.assertGreaterEqual(demo_frames, 25, "the demo path (/usr/share/ringcast/demo.h264)")

            if whep:
                log("Chromium plays the demo path over WHEP (tests/packaging/whep_play.mjs)")
                r = run(["node", os.path.join(SOURCE, "tests/packaging/whep_play.mjs"),
                         f"http://127.0.0.1:{http_port}", "demo"], check=False, timeout=120)
                # 77 (chromium or playwright missing) is a failure here, not a skip.
                whep_result = (r.returncode == 0, f"exit {r.returncode}\n{r.stdout}\n{r.stderr}")
                log(f"WHEP from the installed daemon: {'played' if whep_result[0] else 'FAILED'}")

            # systemctl reload (ExecReload: SIGHUP) and stop.
            notify.clear()
            daemon.send_signal(signal.SIGHUP)
            self.assertTrue(notify.wait_for("RELOADING=1") and notify.wait_for("READY=1"),
                            f"reload notifications: {notify.messages}")
            daemon.send_signal(signal.SIGTERM)
            self.assertEqual(daemon.wait(timeout=20), 0, daemon_output())
            self.assertTrue(notify.wait_for("STOPPING=1", 1), notify.messages)
        finally:
            if daemon.poll() is None:
                daemon.kill()
                daemon.wait()
            daemon_log.close()
            notify.close()
            os.remove(notify.path)
        # systemd removes the RuntimeDirectory when the service stops.
        shutil.rmtree(runtime)
        return whep_result

    def test_4_rpm_install_run_erase(self):
        fresh_root()
        # What dnf would resolve the rpm's library Requires to, from Debian (minbase lacks them).
        in_root("apt-get", "install", "-y", "-q", "--no-install-recommends",
                "libssl3", "libnss3", "libnspr4")
        # systemctl, recorded: the scriptlets' calls are checked; enable and disable still reach
        # the real systemctl (offline, without --now), so the wants/ symlink is real.
        systemctl = os.path.join(ROOT, "usr/bin/systemctl")
        os.rename(systemctl, systemctl + ".real")
        with open(systemctl, "w") as f:
            f.write("#!/bin/sh\necho \"$*\" >> /var/log/systemctl-calls\n"
                    "case \" $* \" in *\" enable \"*|*\" disable \"*)\n"
                    "  args=$(echo \" $* \" | sed -e 's/ --now / /' -e 's/ --no-reload / /')\n"
                    "  exec /usr/bin/systemctl.real --root=/ $args ;;\nesac\nexit 0\n")
        os.chmod(systemctl, 0o755)
        os.makedirs(os.path.join(ROOT, "run/systemd/system"), exist_ok=True)
        calls_path = os.path.join(ROOT, "var/log/systemctl-calls")

        def calls():
            if not os.path.exists(calls_path):
                return []
            with open(calls_path) as f:
                lines = f.read().splitlines()
            os.remove(calls_path)
            return lines

        os.makedirs(os.path.join(ROOT, "var/lib/rpm"))  # the database's directory, as on a target
        before = snapshot(ROOT)
        # Debian's rpm keeps its database under $HOME; a target's is /var/lib/rpm.
        rpm = ["rpm", "--root", ROOT, "--dbpath", "/var/lib/rpm", "--nodeps"]
        log("rpm --root ROOT -i ringcast.rpm (scriptlets run in the root)")
        run(rpm + ["-i", self.rpm])

        passwd = in_root("getent", "passwd", "ringcast").stdout
        self.assertIn(":/var/lib/ringcast:/sbin/nologin", passwd)
        self.assertTrue(in_root("getent", "group", "ringcast").stdout)
        self.assertEqual(in_root("stat", "-c", "%U:%G %a", "/var/lib/ringcast").stdout.strip(),
                         "ringcast:ringcast 750")
        self.assertEqual(calls(), ["daemon-reload", "restart systemd-sysctl.service",
                                   "enable --now ringcast.service"], "%post")
        wants = os.path.join(ROOT, "etc/systemd/system/multi-user.target.wants/ringcast.service")
        self.assertTrue(os.path.islink(wants), "not enabled")
        config = run(rpm[:-1] + ["-qc", "ringcast"]).stdout.split()
        self.assertEqual(config, ["/etc/ringcast/ringcast.conf"])
        unit_path = self.check_installed("crypto: OpenSSL, loaded: OpenSSL",
                                         "/usr/lib/systemd/system/ringcast.service")

        whep = self.run_installed_daemon(unit_path, whep=True)

        log("rpm -U --replacepkgs (an upgrade: %pre 2, %post 2, the old %preun 1 and %postun 1)")
        run(rpm + ["-U", "--replacepkgs", self.rpm])
        upgrade = calls()
        self.assertIn("try-restart ringcast.service", upgrade, "%postun on upgrade")
        self.assertFalse([c for c in upgrade if "disable" in c or "enable" in c], upgrade)
        self.assertTrue(os.path.islink(wants), "an upgrade must keep it enabled")
        self.assertTrue(os.path.exists(os.path.join(ROOT, "etc/ringcast/conf.d/90-test.conf")))

        log("rpm -e ringcast")
        run(rpm + ["-e", "ringcast"])
        erase = calls()
        self.assertIn("--no-reload disable --now ringcast.service", erase, "%preun on erase")
        self.assertFalse(os.path.lexists(wants), "still enabled after erase")
        after = snapshot(ROOT)  # the recorder still in place, as in `before`
        os.rename(systemctl + ".real", systemctl)
        self.assertEqual(sorted(after - before), [], "left behind after rpm -e")
        self.assertEqual(sorted(before - after), [], "removed by rpm -e")
        for db in ("passwd", "group", "shadow", "gshadow"):
            with open(os.path.join(ROOT, "etc", db)) as f:
                self.assertNotIn("ringcast", f.read(), f"/etc/{db}")
        log("erased: nothing of ringcast is left")

        # Last, so that every other check above has run: the browser over WHEP.
        self.assertTrue(whep[0], "Chromium did not play the demo path over WHEP from the "
                                 "installed .rpm's ringcastd: " + whep[1])

    def play(self, url, seconds):
        r = run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-rtsp_transport", "tcp", "-i", url,
                 "-t", str(seconds), "-f", "null", "-", "-progress", "pipe:1"], check=False, timeout=60)
        frames = [int(m) for m in re.findall(r"^frame=(\d+)$", r.stdout, re.M)]
        self.assertEqual(r.returncode, 0, r.stderr)
        return max(frames or [0])


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    log("done")
    if result.wasSuccessful() and len(result.skipped) == result.testsRun:
        sys.exit(77)
    sys.exit(0 if result.wasSuccessful() else 1)
