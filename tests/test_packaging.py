"""Packaging (#16): the jar's natives and the structural checkers of scripts/cross.

Every run: the jar the Maven build made carries natives/linux-x86_64/ (its listing's sha256 equal
to the files, the ELF files checked by check-elf.py), and every other natives/<os>-<arch>/ it
carries (a release jar: scripts/release.sh) passes its platform's checker; the checkers' parsers
are tested on tiny real libraries (data/fixtures/natives, made by its make.sh with mingw-w64 and
zig), including a Mach-O code signature that must stop matching when one byte changes.
Cross-built folders in target/cross (scripts/cross/*.sh) are checked when present.
"""
import hashlib
import importlib.util
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT

CROSS = ROOT / "scripts" / "cross"
FIXTURES = ROOT / "data" / "fixtures" / "natives"
JNI_ENTRY = "Java_qupath_ext_tessera_bridge_NativeBridge_registerNatives__"
# What each platform's folder in the jar holds (NativePlatform.java names the same files).
JAR_FILES = {
    "linux-x86_64": {"libtessera_jni.so", "libonnxruntime.so.1"},
    "windows-x86_64": {"tessera_jni.dll", "onnxruntime.dll", "vcruntime140.dll", "vcruntime140_1.dll",
                       "msvcp140.dll", "msvcp140_1.dll"},
    "macos-aarch64": {"libtessera_jni.dylib", "libonnxruntime.dylib"},
    "macos-x86_64": {"libtessera_jni.dylib", "libonnxruntime.dylib"},
}
# The licence texts the jar carries for each platform's bundled libraries (META-INF/licenses/).
JAR_LICENCES = {
    "linux-x86_64": {"onnxruntime/LICENSE", "onnxruntime/ThirdPartyNotices.txt"},
    "windows-x86_64": {"onnxruntime/LICENSE", "msvc_runtime/LICENSE"},
    "macos-aarch64": {"onnxruntime/LICENSE"},
    "macos-x86_64": {"onnxruntime-1.23.2/LICENSE", "onnxruntime-1.23.2/ThirdPartyNotices.txt"},
}
CHECKERS = {
    "linux-x86_64": ["check-elf.py"],
    "windows-x86_64": ["check-pe.py"],
    "macos-aarch64": ["check-macho.py", "--arch", "arm64"],
    "macos-x86_64": ["check-macho.py", "--arch", "x86_64"],
}


def load(name):
    spec = importlib.util.spec_from_file_location(name.replace("-", "_"), CROSS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def checker(platform, folder):
    script, *args = CHECKERS[platform]
    return subprocess.run([sys.executable, str(CROSS / script), str(folder), *args],
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def jar():
    jars = sorted((ROOT / "qupath-extension" / "target").glob("qupath-extension-tessera-*.jar"))
    if not jars:
        pytest.fail("no jar in qupath-extension/target: run the Maven build (scripts/test.sh does)")
    return zipfile.ZipFile(jars[-1])


def platforms_in(jar):
    return sorted({name.split("/")[1] for name in jar.namelist() if name.startswith("natives/") and name.count("/") == 2})


def test_the_jar_carries_linux_natives_with_a_true_listing(jar):
    platforms = platforms_in(jar)
    assert "linux-x86_64" in platforms
    assert set(platforms) <= set(JAR_FILES), platforms


@pytest.mark.parametrize("platform", sorted(JAR_FILES))
def test_each_platform_in_the_jar_passes_its_checks(jar, platform, tmp_path):
    if platform not in platforms_in(jar):
        pytest.skip(f"this jar carries no {platform} natives (the everyday build is Linux-only; scripts/release.sh makes the all-platform jar)")
    base = f"natives/{platform}/"
    listing = jar.read(base + "natives.sha256").decode()
    listed = {}
    for line in listing.splitlines():
        digest, name = line.split(maxsplit=1)
        listed[name.lstrip("*")] = digest
    assert set(listed) == JAR_FILES[platform], listing
    present = {name[len(base):] for name in jar.namelist() if name.startswith(base) and not name.endswith("/")}
    assert present == JAR_FILES[platform] | {"natives.sha256"}
    for name, digest in listed.items():
        data = jar.read(base + name)
        assert hashlib.sha256(data).hexdigest() == digest, f"{base}{name} differs from its listing"
        (tmp_path / name).write_bytes(data)
    result = checker(platform, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "all checks passed" in result.stdout
    for licence in JAR_LICENCES[platform]:
        assert f"META-INF/licenses/{licence}" in jar.namelist(), f"the jar lacks {licence} for {platform}"


@pytest.mark.parametrize("platform", ["windows-x86_64", "macos-aarch64", "macos-x86_64"])
def test_cross_built_folders_pass_their_checks(platform):
    folder = ROOT / "target" / "cross" / platform
    if not (folder / "natives.sha256").is_file():
        pytest.skip(f"no cross build in {folder} (scripts/cross/{platform.split('-')[0]}.sh makes it)")
    result = checker(platform, folder)
    assert result.returncode == 0, result.stdout + result.stderr


def test_elf_parser_reads_a_real_library(tmp_path):
    elf_module = load("check-elf")
    library = tmp_path / "libtiny.so"
    subprocess.run(["cc", "-O2", "-shared", "-fPIC", "-Wl,--no-as-needed", "-o", str(library), str(FIXTURES / "tiny.c"), "-lz", "-lc"], check=True)
    elf = elf_module.Elf(library)
    assert elf.machine == elf_module.EM_X86_64 and elf.type == elf_module.ET_DYN
    assert JNI_ENTRY in elf.exports() and "tessera_fixture_helper" in elf.exports()
    assert "libc.so.6" in elf.needed() and "libz.so.1" in elf.needed()
    assert elf.newest_glibc()[1].startswith("GLIBC_2.")
    # zlib is no C runtime library: the check refuses it.
    with pytest.raises(SystemExit):
        elf_module.check(library, shared=True)
    with pytest.raises(ValueError):
        elf_module.Elf(FIXTURES / "tiny.dll")


def test_pe_parser_reads_a_real_dll():
    pe_module = load("check-pe")
    pe = pe_module.Pe(FIXTURES / "tiny.dll")
    assert pe.machine == 0x8664 and pe.magic == 0x20B and pe.is_dll
    assert JNI_ENTRY in pe.exports() and "tessera_fixture_helper" in pe.exports()
    imports = [name.lower() for name in pe.imports()]
    assert "kernel32.dll" in imports and all(pe_module.is_system(name) for name in imports), imports
    with pytest.raises(ValueError):
        pe_module.Pe(FIXTURES / "tiny-arm64.dylib")


@pytest.mark.parametrize("arch", ["arm64", "x86_64"])
def test_macho_parser_reads_a_real_dylib(arch):
    macho_module = load("check-macho")
    macho = macho_module.MachO(FIXTURES / f"tiny-{arch}.dylib", arch)
    assert macho.cputype == macho_module.CPU_TYPES[arch] and macho.filetype == macho_module.MH_DYLIB
    assert JNI_ENTRY in macho.exports() and "tessera_fixture_helper" in macho.exports()
    assert [name for _, name in macho.dylibs()] == ["/usr/lib/libSystem.B.dylib"]
    assert macho.minimum_macos() == (1, "11.0" if arch == "arm64" else "10.15")
    with pytest.raises(ValueError):
        macho_module.MachO(FIXTURES / "tiny.dll", arch)
    # The other architecture's checks refuse it.
    with pytest.raises(SystemExit):
        macho_module.check(FIXTURES / f"tiny-{arch}.dylib", "x86_64" if arch == "arm64" else "arm64", dylib=True)


def test_macho_code_signature_is_verified_page_by_page(tmp_path):
    macho_module = load("check-macho")
    original = FIXTURES / "tiny-arm64.dylib"
    flags, hash_name, pages = macho_module.MachO(original, "arm64").signature()
    assert flags & macho_module.CS_ADHOC and hash_name == "sha256" and pages >= 1
    # One byte of code changed after signing: Apple silicon would refuse it, and so does the check.
    data = bytearray(original.read_bytes())
    text = data.index(bytes.fromhex("40058052"))  # `mov w0, #42` in the JNI entry point
    data[text] ^= 1
    tampered = tmp_path / "tiny-arm64.dylib"
    tampered.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="does not match page 0"):
        macho_module.MachO(tampered, "arm64").signature()


def test_macho_universal_files_are_read_by_slice(tmp_path):
    macho_module = load("check-macho")
    slices = [(FIXTURES / f"tiny-{arch}.dylib").read_bytes() for arch in ("x86_64", "arm64")]
    # A universal file as lipo writes it: a big-endian header, then each slice 16 KiB-aligned.
    header = bytearray((0xCAFEBABE).to_bytes(4, "big") + len(slices).to_bytes(4, "big"))
    body, offset = b"", 0x4000
    for arch, data in zip(("x86_64", "arm64"), slices):
        header += b"".join(v.to_bytes(4, "big") for v in (macho_module.CPU_TYPES[arch], 3 if arch == "x86_64" else 0, offset, len(data), 14))
        padding = offset - 0x4000 - len(body)
        body += b"\0" * padding + data
        offset += (len(data) + 0x3FFF) // 0x4000 * 0x4000
    universal = tmp_path / "tiny-universal.dylib"
    universal.write_bytes(bytes(header) + b"\0" * (0x4000 - len(header)) + body)
    for arch in ("x86_64", "arm64"):
        macho = macho_module.MachO(universal, arch)
        assert macho.cputype == macho_module.CPU_TYPES[arch] and macho.universal
        assert JNI_ENTRY in macho.exports()
    assert macho_module.MachO(universal, "arm64").signature() is not None
