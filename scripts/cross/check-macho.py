#!/usr/bin/env python3
"""Structural checks of Tessera's macOS natives, read from the Mach-O files themselves.

usage: check-macho.py DIR --arch arm64|x86_64 [--linux-jni LIBTESSERA_JNI_SO]

DIR holds libtessera_jni.dylib, libonnxruntime.dylib and, when the CLI was built, tessera and
libopenslide.1.dylib (scripts/cross/macos.sh lays them out). Checks, with no tool but Python:
  - each file is a 64-bit Mach-O of the given architecture (a dylib or an executable as its name
    says), built for macOS (LC_BUILD_VERSION platform 1), and its minimum macOS version is printed;
  - libtessera_jni.dylib exports _Java_qupath_ext_tessera_bridge_NativeBridge_registerNatives__
    (the one entry point: the others are registered by it), and exactly the Java_* / JNI_*
    symbols the Linux library exports when --linux-jni names it (read with `nm -D`);
  - the libraries each file loads are macOS system libraries only (SYSTEM_PREFIXES below:
    libSystem, libc++, libiconv and a few more of /usr/lib, and /System/Library/Frameworks/...:
    ONNX Runtime uses CoreML and Foundation, OpenSlide Foundation), plus, for tessera, @rpath/@loader_path/@executable_path
    libopenslide.1.dylib shipped beside it (and an LC_RPATH that finds it there);
    libtessera_jni.dylib loads no ONNX Runtime at all (it opens the bundled one by path);
  - every file carries a code signature (LC_CODE_SIGNATURE) whose code directory hashes match
    the file's pages (SHA-256 or SHA-1, checked here): on arm64 this is what Apple silicon
    requires before it runs any code (an ad-hoc signature suffices); on x86-64 it is reported.
A universal ("fat") file is checked through its slice of the given architecture.
Prints one line per file; exits 1 on the first failed check.
"""

import hashlib
import struct
import subprocess
import sys
from pathlib import Path

JNI_ENTRY = "Java_qupath_ext_tessera_bridge_NativeBridge_registerNatives__"
CPU_TYPES = {"arm64": 0x0100000C, "x86_64": 0x01000007}
MH_MAGIC_64 = 0xFEEDFACF
FAT_MAGIC = 0xCAFEBABE
MH_EXECUTE, MH_DYLIB = 2, 6
LC_SYMTAB, LC_LOAD_DYLIB, LC_ID_DYLIB, LC_CODE_SIGNATURE = 0x2, 0xC, 0xD, 0x1D
LC_BUILD_VERSION, LC_VERSION_MIN_MACOSX, LC_RPATH = 0x32, 0x24, 0x8000001C
LOAD_COMMANDS = {0xC: "load", 0x80000018: "weak", 0x8000001F: "reexport", 0x20: "lazy", 0x80000023: "upward"}
# Libraries every macOS has in /usr/lib (in its dyld shared cache) and its public frameworks.
SYSTEM_PREFIXES = (
    "/usr/lib/libSystem.", "/usr/lib/libc++.", "/usr/lib/libobjc.", "/usr/lib/libiconv.", "/usr/lib/libcharset.",
    "/usr/lib/libz.", "/usr/lib/libresolv.", "/usr/lib/libsqlite3.", "/usr/lib/libxml2.", "/usr/lib/libffi.",
    "/System/Library/Frameworks/",
)
CS_MAGIC_SUPERBLOB, CS_MAGIC_CODEDIRECTORY = 0xFADE0CC0, 0xFADE0C02
CS_ADHOC, CS_LINKER_SIGNED = 0x2, 0x20000
HASHES = {1: hashlib.sha1, 2: hashlib.sha256}


def is_system(name):
    return name.startswith(SYSTEM_PREFIXES)


def version(packed):
    return f"{packed >> 16}.{(packed >> 8) & 0xFF}" + (f".{packed & 0xFF}" if packed & 0xFF else "")


class MachO:
    """The parts of a 64-bit Mach-O file (or one slice of a universal file) the checks need."""

    def __init__(self, path, arch):
        self.path = path
        whole = path.read_bytes()
        self.size = len(whole)
        if len(whole) < 32:
            raise ValueError(f"{path}: too short for a Mach-O file")
        if struct.unpack_from(">I", whole)[0] == FAT_MAGIC:
            count = struct.unpack_from(">I", whole, 4)[0]
            slices = [struct.unpack_from(">iiIII", whole, 8 + 20 * i) for i in range(count)]
            chosen = [s for s in slices if s[0] == CPU_TYPES[arch]]
            if not chosen:
                raise ValueError(f"{path}: universal file without an {arch} slice")
            _, _, offset, size, _ = chosen[0]
            self.universal = [cpu for cpu, *_ in slices]
            whole = whole[offset:offset + size]
        else:
            self.universal = None
        self.data = data = whole
        magic, self.cputype, _, self.filetype, ncmds, _, self.flags = struct.unpack_from("<IiiIIII", data)
        if magic != MH_MAGIC_64:
            raise ValueError(f"{path}: magic {magic:#x}, not a 64-bit little-endian Mach-O ({MH_MAGIC_64:#x})")
        self.commands = []
        at = 32
        for _ in range(ncmds):
            cmd, size = struct.unpack_from("<II", data, at)
            self.commands.append((cmd, at, size))
            at += size

    def _lc_str(self, at, offset_field):
        start = at + struct.unpack_from("<I", self.data, at + offset_field)[0]
        return self.data[start:self.data.index(b"\0", start)].decode()

    def dylibs(self):
        """(kind, install name) of each library this file loads."""
        return [(LOAD_COMMANDS[cmd], self._lc_str(at, 8)) for cmd, at, _ in self.commands if cmd in LOAD_COMMANDS]

    def install_name(self):
        names = [self._lc_str(at, 8) for cmd, at, _ in self.commands if cmd == LC_ID_DYLIB]
        return names[0] if names else None

    def rpaths(self):
        return [self._lc_str(at, 8) for cmd, at, _ in self.commands if cmd == LC_RPATH]

    def minimum_macos(self):
        """(platform, minimum OS version) from LC_BUILD_VERSION or LC_VERSION_MIN_MACOSX."""
        for cmd, at, _ in self.commands:
            if cmd == LC_BUILD_VERSION:
                platform, minos = struct.unpack_from("<II", self.data, at + 8)
                return platform, version(minos)
            if cmd == LC_VERSION_MIN_MACOSX:
                return 1, version(struct.unpack_from("<I", self.data, at + 8)[0])
        return None, None

    def exports(self):
        """External symbols defined in this file (from the symbol table), without the leading _."""
        for cmd, at, _ in self.commands:
            if cmd == LC_SYMTAB:
                symoff, nsyms, stroff, _ = struct.unpack_from("<IIII", self.data, at + 8)
                found = []
                for i in range(nsyms):
                    strx, ntype, sect, _, _ = struct.unpack_from("<IBBhQ", self.data, symoff + 16 * i)
                    if ntype & 0xE0 == 0 and ntype & 0x01 and ntype & 0x0E == 0x0E and sect:
                        name = self.data[stroff + strx:self.data.index(b"\0", stroff + strx)].decode()
                        found.append(name[1:] if name.startswith("_") else name)
                return found
        return []

    def signature(self):
        """None without LC_CODE_SIGNATURE, else (flags, hash name, pages checked) after checking
        every code page's hash against the code directory; raises ValueError on a mismatch."""
        for cmd, at, _ in self.commands:
            if cmd != LC_CODE_SIGNATURE:
                continue
            dataoff, datasize = struct.unpack_from("<II", self.data, at + 8)
            blob = self.data[dataoff:dataoff + datasize]
            magic, _, count = struct.unpack_from(">III", blob)
            if magic != CS_MAGIC_SUPERBLOB:
                raise ValueError(f"{self.path.name}: code signature magic {magic:#x}, not a SuperBlob")
            for i in range(count):
                _, offset = struct.unpack_from(">II", blob, 12 + 8 * i)
                if struct.unpack_from(">I", blob, offset)[0] != CS_MAGIC_CODEDIRECTORY:
                    continue
                (_, _, _, flags, hash_offset, _, _, slots, limit,
                 hash_size, hash_type, _, page_shift) = struct.unpack_from(">IIIIIIIIIBBBB", blob, offset)
                if hash_type not in HASHES:
                    raise ValueError(f"{self.path.name}: code directory hash type {hash_type} unknown")
                page = 1 << page_shift
                for slot in range(slots):
                    chunk = self.data[slot * page:min((slot + 1) * page, limit)]
                    expected = blob[offset + hash_offset + slot * hash_size:offset + hash_offset + (slot + 1) * hash_size]
                    if HASHES[hash_type](chunk).digest()[:hash_size] != expected:
                        raise ValueError(f"{self.path.name}: code signature does not match page {slot} (file changed after signing)")
                return flags, HASHES[hash_type]().name, slots
            raise ValueError(f"{self.path.name}: code signature without a code directory")
        return None


def fail(message):
    print(f"check-macho: FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def check(path, arch, dylib, allowed=()):
    """The common checks; returns the parsed file and a description of it."""
    try:
        macho = MachO(path, arch)
    except ValueError as e:
        fail(str(e))
    if macho.cputype != CPU_TYPES[arch]:
        fail(f"{path.name}: CPU type {macho.cputype:#x}, not {arch} ({CPU_TYPES[arch]:#x})")
    if macho.filetype != (MH_DYLIB if dylib else MH_EXECUTE):
        fail(f"{path.name}: Mach-O file type {macho.filetype}, expected {'a dylib' if dylib else 'an executable'}")
    platform, minos = macho.minimum_macos()
    if platform != 1:
        fail(f"{path.name}: built for platform {platform}, not macOS (1)")
    foreign = [name for _, name in macho.dylibs() if not is_system(name) and name not in allowed]
    if foreign:
        fail(f"{path.name} loads libraries that are neither macOS's nor shipped beside it: {foreign}")
    try:
        signature = macho.signature()
    except ValueError as e:
        fail(str(e))
    if signature is None and arch == "arm64":
        fail(f"{path.name}: no code signature; Apple silicon refuses to run unsigned arm64 code")
    if signature is None:
        signed = "unsigned"
    else:
        flags, hash_name, pages = signature
        kind = "ad-hoc" if flags & CS_ADHOC else "signed"
        signed = f"{kind}{', linker-signed' if flags & CS_LINKER_SIGNED else ''} signature ({hash_name}, {pages} pages match)"
    fat = " (slice of a universal file)" if macho.universal else ""
    description = (f"{path.name}: Mach-O 64-bit {arch} {'dylib' if dylib else 'executable'}{fat}, "
                   f"{macho.size} bytes, macOS >= {minos}, {signed}; loads {[n for _, n in macho.dylibs()]}")
    return macho, description


def main():
    args = sys.argv[1:]
    if not args or args[0].startswith("-") or "--arch" not in args:
        sys.exit(__doc__)
    directory = Path(args[0])
    arch = args[args.index("--arch") + 1]
    if arch not in CPU_TYPES:
        sys.exit(f"check-macho: --arch must be one of {sorted(CPU_TYPES)}")
    linux_jni = Path(args[args.index("--linux-jni") + 1]) if "--linux-jni" in args else None

    macho, description = check(directory / "libtessera_jni.dylib", arch, dylib=True)
    exports = sorted(name for name in macho.exports() if name.startswith(("Java_", "JNI_")))
    if JNI_ENTRY not in exports:
        fail(f"libtessera_jni.dylib does not export _{JNI_ENTRY}: {exports}")
    if linux_jni:
        nm = subprocess.run(["nm", "-D", "--defined-only", str(linux_jni)], check=True, capture_output=True, text=True)
        linux = sorted(line.split()[-1] for line in nm.stdout.splitlines() if line.split()[-1].startswith(("Java_", "JNI_")))
        if exports != linux:
            fail(f"JNI exports differ: libtessera_jni.dylib {exports}, {linux_jni.name} {linux}")
    print(f"{description}; exports {exports}" + (" (as the Linux library)" if linux_jni else ""))

    if (directory / "tessera").exists():
        shipped = {f"{prefix}/libopenslide.1.dylib" for prefix in ("@rpath", "@loader_path", "@executable_path")}
        macho, description = check(directory / "tessera", arch, dylib=False, allowed=shipped)
        if any(name.startswith("@rpath/") for _, name in macho.dylibs()) and not \
                {"@executable_path", "@loader_path", "@executable_path/", "@loader_path/"} & set(macho.rpaths()):
            fail(f"tessera loads @rpath libraries but has no rpath to its own folder: {macho.rpaths()}")
        print(f"{description}; rpaths {macho.rpaths()}")
    if (directory / "libopenslide.1.dylib").exists():
        _, description = check(directory / "libopenslide.1.dylib", arch, dylib=True)
        print(description)

    macho, description = check(directory / "libonnxruntime.dylib", arch, dylib=True)
    if "OrtGetApiBase" not in macho.exports():
        fail("libonnxruntime.dylib does not export OrtGetApiBase")
    print(f"{description}; exports OrtGetApiBase")
    print("check-macho: all checks passed")


if __name__ == "__main__":
    main()
