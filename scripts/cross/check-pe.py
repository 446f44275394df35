#!/usr/bin/env python3
"""Structural checks of Tessera's Windows x86-64 natives, read from the PE files themselves.

usage: check-pe.py DIR [--linux-jni LIBTESSERA_JNI_SO]

DIR holds tessera_jni.dll, onnxruntime.dll and, when the CLI was built, tessera.exe and
libopenslide-1.dll (scripts/cross/windows.sh lays them out). Checks, with no tool but Python:
  - each file is PE32+ for x86-64 (machine 0x8664, optional-header magic 0x20b), a DLL or an EXE
    as its name says;
  - tessera_jni.dll exports Java_qupath_ext_tessera_bridge_NativeBridge_registerNatives__ (the
    one entry point: the others are registered by it), and exactly the Java_* / JNI_* symbols the
    Linux library exports when --linux-jni names it (read with `nm -D`);
  - the imports (plain and delay-loaded) of tessera_jni.dll and tessera.exe are Windows system
    DLLs only (tessera.exe may also import libopenslide-1.dll, shipped beside it), so no MinGW
    runtime (libgcc_s, libwinpthread) has to be shipped;
  - onnxruntime.dll's imports are system DLLs or the Visual C++ runtime, and each VC++ DLL it
    imports is in DIR (Tessera ships them: a Windows without the VC++ redistributable has none,
    and Java runtimes ship all but msvcp140_1.dll), itself PE32+ x86-64 with system imports only
    (besides the VC++ runtime it is part of).
Prints one line per file; exits 1 on the first failed check.
"""

import struct
import subprocess
import sys
from pathlib import Path

JNI_ENTRY = "Java_qupath_ext_tessera_bridge_NativeBridge_registerNatives__"
SYSTEM_DLLS = {
    "advapi32.dll", "bcrypt.dll", "bcryptprimitives.dll", "dbghelp.dll", "dxgi.dll", "gdi32.dll",
    "kernel32.dll", "msimg32.dll", "msvcrt.dll", "ntdll.dll", "ole32.dll", "oleaut32.dll",
    "setupapi.dll", "shell32.dll", "ucrtbase.dll", "user32.dll", "userenv.dll", "ws2_32.dll",
    "crypt32.dll", "secur32.dll", "shlwapi.dll", "version.dll", "winmm.dll",
}
VC_RUNTIME = {"msvcp140.dll", "msvcp140_1.dll", "msvcp140_2.dll", "vcruntime140.dll", "vcruntime140_1.dll"}


def is_system(name):
    name = name.lower()
    return name in SYSTEM_DLLS or name.startswith("api-ms-win-") or name.startswith("ext-ms-win-")


class Pe:
    """The parts of a PE file the checks need: header fields, exports, imports."""

    def __init__(self, path):
        self.path = path
        self.data = data = path.read_bytes()
        if data[:2] != b"MZ":
            raise ValueError(f"{path}: not a PE file (no MZ header)")
        pe = struct.unpack_from("<I", data, 0x3C)[0]
        if data[pe:pe + 4] != b"PE\0\0":
            raise ValueError(f"{path}: not a PE file (no PE signature)")
        self.machine, sections, _, _, _, optional_size, self.characteristics = struct.unpack_from("<HHIIIHH", data, pe + 4)
        optional = pe + 24
        self.magic = struct.unpack_from("<H", data, optional)[0]
        if self.magic != 0x20B:
            raise ValueError(f"{path}: optional-header magic {self.magic:#x}, not PE32+ (0x20b)")
        directories = struct.unpack_from("<I", data, optional + 108)[0]
        self.directories = [struct.unpack_from("<II", data, optional + 112 + 8 * i) for i in range(directories)]
        self.sections = []
        for i in range(sections):
            base = optional + optional_size + 40 * i
            virtual_size, address, raw_size, raw_offset = struct.unpack_from("<IIII", data, base + 8)
            self.sections.append((address, max(virtual_size, raw_size), raw_offset))

    def offset(self, rva):
        for address, size, raw in self.sections:
            if address <= rva < address + size:
                return rva - address + raw
        raise ValueError(f"{self.path}: RVA {rva:#x} in no section")

    def string(self, rva):
        start = self.offset(rva)
        return self.data[start:self.data.index(b"\0", start)].decode("ascii")

    def directory(self, index):
        return self.directories[index] if index < len(self.directories) else (0, 0)

    @property
    def is_dll(self):
        return bool(self.characteristics & 0x2000)

    def exports(self):
        rva, size = self.directory(0)
        if not size:
            return []
        base = self.offset(rva)
        count, names = struct.unpack_from("<I", self.data, base + 24)[0], struct.unpack_from("<I", self.data, base + 32)[0]
        return [self.string(struct.unpack_from("<I", self.data, self.offset(names) + 4 * i)[0]) for i in range(count)]

    def imports(self):
        found = []
        rva, size = self.directory(1)  # import table: 20-byte descriptors, name at +12
        if size:
            at = self.offset(rva)
            while any(struct.unpack_from("<5I", self.data, at)):
                found.append(self.string(struct.unpack_from("<I", self.data, at + 12)[0]))
                at += 20
        rva, size = self.directory(13)  # delay-load table: 32-byte descriptors, name at +4
        if size:
            at = self.offset(rva)
            while any(struct.unpack_from("<8I", self.data, at)):
                found.append(self.string(struct.unpack_from("<I", self.data, at + 4)[0]))
                at += 32
        unique = {name.lower(): name for name in found}
        return sorted(unique.values(), key=str.lower)


def fail(message):
    print(f"check-pe: FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def check(path, dll, allowed_extra=()):
    pe = Pe(path)
    if pe.machine != 0x8664:
        fail(f"{path.name}: machine {pe.machine:#x}, not x86-64 (0x8664)")
    if pe.is_dll != dll:
        fail(f"{path.name}: {'an EXE' if dll else 'a DLL'}, expected {'a DLL' if dll else 'an EXE'}")
    foreign = [name for name in pe.imports() if not is_system(name) and name.lower() not in allowed_extra]
    return pe, foreign


def main():
    args = sys.argv[1:]
    if not args or args[0].startswith("-"):
        sys.exit(__doc__)
    directory = Path(args[0])
    linux_jni = Path(args[args.index("--linux-jni") + 1]) if "--linux-jni" in args else None

    pe, foreign = check(directory / "tessera_jni.dll", dll=True)
    if foreign:
        fail(f"tessera_jni.dll imports non-system DLLs: {foreign}")
    exports = sorted(name for name in pe.exports() if name.startswith(("Java_", "JNI_")))
    if JNI_ENTRY not in exports:
        fail(f"tessera_jni.dll does not export {JNI_ENTRY}: {exports}")
    if linux_jni:
        nm = subprocess.run(["nm", "-D", "--defined-only", str(linux_jni)], check=True, capture_output=True, text=True)
        linux = sorted(line.split()[-1] for line in nm.stdout.splitlines() if line.split()[-1].startswith(("Java_", "JNI_")))
        if exports != linux:
            fail(f"JNI exports differ: tessera_jni.dll {exports}, {linux_jni.name} {linux}")
    print(f"tessera_jni.dll: PE32+ x86-64 DLL, {len(pe.data)} bytes; exports {exports}"
          + (" (as the Linux library)" if linux_jni else "") + f"; imports {pe.imports()}")

    if (directory / "tessera.exe").exists():
        pe, foreign = check(directory / "tessera.exe", dll=False, allowed_extra={"libopenslide-1.dll"})
        if foreign:
            fail(f"tessera.exe imports non-system DLLs: {foreign}")
        print(f"tessera.exe: PE32+ x86-64 EXE, {len(pe.data)} bytes; imports {pe.imports()}")
    if (directory / "libopenslide-1.dll").exists():
        pe, foreign = check(directory / "libopenslide-1.dll", dll=True)
        if foreign:
            fail(f"libopenslide-1.dll imports non-system DLLs: {foreign}")
        print(f"libopenslide-1.dll: PE32+ x86-64 DLL, {len(pe.data)} bytes; system imports only")

    pe, foreign = check(directory / "onnxruntime.dll", dll=True)
    unexpected = [name for name in foreign if name.lower() not in VC_RUNTIME]
    if unexpected:
        fail(f"onnxruntime.dll imports unexpected DLLs: {unexpected}")
    if "OrtGetApiBase" not in pe.exports():
        fail("onnxruntime.dll does not export OrtGetApiBase")
    missing = [name for name in foreign if not (directory / name.lower()).exists()]
    if missing:
        fail(f"onnxruntime.dll needs {missing} (Visual C++ runtime), which are not beside it")
    for name in foreign:
        runtime, others = check(directory / name.lower(), dll=True)
        if [other for other in others if other.lower() not in VC_RUNTIME]:
            fail(f"{name.lower()} imports non-system DLLs: {others}")
    print(f"onnxruntime.dll: PE32+ x86-64 DLL, {len(pe.data)} bytes; exports OrtGetApiBase; "
          f"needs the Visual C++ runtime {foreign}, bundled beside it (PE32+ x86-64, system imports only)")
    print("check-pe: all checks passed")


if __name__ == "__main__":
    main()
