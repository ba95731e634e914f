#!/usr/bin/python3
"""rpm_compat.py's checks fail where they must: planted violations of every kind against the
checked-in packaging/rpm/targets.ini, and a clean set that passes. Needs nothing but readelf
(binutils), so it runs in every build (ctest packaging.rpm_compat_checker)."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rpm_compat  # noqa: E402

# What the rpm's ringcastd needs when it fits (the shape of a real one).
CLEAN = {
    "libc.so.6": {"GLIBC_2.2.5", "GLIBC_2.14", "GLIBC_2.34"},
    "libm.so.6": {"GLIBC_2.29"},
    "libcrypto.so.3": {"OPENSSL_3.0.0"},
    "libssl.so.3": {"OPENSSL_3.0.0"},
    "libnss3.so": {"NSS_3.2", "NSS_3.15"},
    "libnspr4.so": set(),
    "ld-linux-x86-64.so.2": {"GLIBC_2.3"},
}
CLEAN_REQUIRES = """\
/bin/sh
libc.so.6()(64bit)
libc.so.6(GLIBC_2.34)(64bit)
libcrypto.so.3()(64bit)
libcrypto.so.3(OPENSSL_3.0.0)(64bit)
rpmlib(CompressedFileNames) <= 3.0.4-1
rpmlib(PayloadFilesHavePrefix) <= 4.0-1
rtld(GNU_HASH)
shadow-utils
systemd
"""


class RpmCompatTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.targets = rpm_compat.Targets()

    def check(self, needs):
        return rpm_compat.check_libraries(needs, self.targets, "ringcastd")

    def with_(self, soname, *nodes):
        needs = {k: set(v) for k, v in CLEAN.items()}
        needs.setdefault(soname, set()).update(nodes)
        return needs

    def test_targets_floor_is_rhel9(self):
        self.assertEqual(self.targets.minimum["glibc"], ((2, 34), "rhel9"))
        self.assertEqual(self.targets.minimum["glibcxx"], ((3, 4, 29), "rhel9"))
        self.assertEqual(self.targets.minimum["openssl"], ((3, 0, 0), "rhel9"))
        self.assertIn("libcrypto.so.3", self.targets.libraries)
        self.assertNotIn("libabsl_strings.so.20220623", self.targets.libraries)

    def test_clean_passes(self):
        self.assertEqual(self.check(CLEAN), [])
        libraries, other = rpm_compat.parse_requires(CLEAN_REQUIRES)
        self.assertEqual(libraries["libc.so.6"], {"GLIBC_2.34"})
        self.assertEqual(self.check(libraries), [])
        self.assertEqual(rpm_compat.check_other_requires(other, self.targets), [])

    def test_glibc_above_rhel9(self):
        problems = self.check(self.with_("libc.so.6", "GLIBC_2.35"))
        self.assertEqual(len(problems), 1, problems)
        self.assertIn("GLIBC_2.35, above rhel9's GLIBC_2.34", problems[0])

    def test_openssl_3_2_symbol(self):
        problems = self.check(self.with_("libcrypto.so.3", "OPENSSL_3.2.0"))
        self.assertEqual(len(problems), 1, problems)
        self.assertIn("OPENSSL_3.2.0", problems[0])

    def test_shared_libstdcxx_and_glibcxx(self):
        problems = self.check(self.with_("libstdc++.so.6", "GLIBCXX_3.4.30", "CXXABI_1.3.13"))
        self.assertEqual(len(problems), 1, problems)  # required at all: the static rule says it
        self.assertIn("links statically", problems[0])

    def test_glibcxx_level_alone(self):
        # A target list that allowed libstdc++ would still catch GLIBCXX_3.4.30 on RHEL 9.
        targets = rpm_compat.Targets()
        targets.static = [s for s in targets.static if s != "libstdc++.so.6"]
        problems = rpm_compat.check_libraries(self.with_("libstdc++.so.6", "GLIBCXX_3.4.30"),
                                              targets, "ringcastd")
        self.assertEqual(len(problems), 1, problems)
        self.assertIn("GLIBCXX_3.4.30, above rhel9's GLIBCXX_3.4.29", problems[0])

    def test_library_no_target_ships(self):
        for soname in ("libabsl_strings.so.20220623", "liburing.so.2", "libsrtp2.so.1"):
            problems = self.check(self.with_(soname))
            self.assertEqual(len(problems), 1, (soname, problems))
        problems = self.check(self.with_("libboringssl.so"))
        self.assertIn("which not every target ships", problems[0])

    def test_unknown_version_node(self):
        problems = self.check(self.with_("libc.so.6", "GLIBC_PRIVATE"))
        self.assertEqual(len(problems), 1, problems)
        self.assertIn("no level for", problems[0])

    def test_requires_a_package_targets_lack(self):
        _, other = rpm_compat.parse_requires(CLEAN_REQUIRES + "android-libboringssl\n"
                                             "rpmlib(SomethingNew) <= 9-1\n")
        problems = rpm_compat.check_other_requires(other, self.targets)
        self.assertEqual(len(problems), 2, problems)

    def test_reads_an_elf_file(self):
        needs = rpm_compat.read_elf_needs(sys.executable)
        self.assertIn("libc.so.6", needs)
        self.assertTrue(any(node.startswith("GLIBC_2.") for node in needs["libc.so.6"]), needs)


if __name__ == "__main__":
    unittest.main(verbosity=2)
