#!/usr/bin/env python3
"""Structural checks of Tessera's Linux x86-64 natives, read from the ELF files themselves.

usage: check-elf.py DIR

DIR holds libtessera_jni.so and libonnxruntime.so.1 (the jar's natives/linux-x86_64/, laid out
by scripts/build-natives.sh) and, in a release archive, tessera and libopenslide.so.1. Checks,
with no tool but Python:
  - each file is ELF64 little-endian for x86-64, a shared object (or, for tessera, an executable
    or position-independent executable);
  - libtessera_jni.so exports Java_qupath_ext_tessera_bridge_NativeBridge_registerNatives__
    (the one entry point: the others are registered by it) and JNI_OnLoad-style symbols only
    from the Java_/JNI_ families;
  - the libraries each file needs (DT_NEEDED) are the C runtime's only (glibc, libgcc_s,
    libstdc++ for ONNX Runtime), plus libopenslide for tessera, found beside it ($ORIGIN in its
    run path) when libopenslide.so.1 is shipped there; libtessera_jni.so never needs OpenSlide
    (QuPath ships its own) nor ONNX Runtime (it opens the bundled one by path);
  - the newest glibc symbol version each needs is printed (the oldest Linux it runs on).
Prints one line per file; exits 1 on the first failed check.
"""

import struct
import sys
from pathlib import Path

JNI_ENTRY = "Java_qupath_ext_tessera_bridge_NativeBridge_registerNatives__"
EM_X86_64, ET_EXEC, ET_DYN = 62, 2, 3
SHT_DYNSYM, SHT_DYNAMIC, SHT_GNU_VERNEED = 11, 6, 0x6FFFFFFE
DT_NEEDED, DT_SONAME, DT_RPATH, DT_RUNPATH = 1, 14, 15, 29
C_RUNTIME = ("libc.so.", "libm.so.", "libdl.so.", "libpthread.so.", "librt.so.", "libgcc_s.so.",
             "ld-linux-x86-64.so.", "libstdc++.so.")


class Elf:
    """The parts of an ELF64 file the checks need: type, machine, dynamic symbols, needs."""

    def __init__(self, path):
        self.path = path
        self.data = data = path.read_bytes()
        if data[:4] != b"\x7fELF":
            raise ValueError(f"{path.name}: not an ELF file")
        if data[4] != 2 or data[5] != 1:
            raise ValueError(f"{path.name}: not ELF64 little-endian (class {data[4]}, data {data[5]})")
        (self.type, self.machine, _, _, _, shoff, _, _, _, _, shentsize, shnum, _) = struct.unpack_from("<HHIQQQIHHHHHH", data, 16)
        self.sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]

    def _section(self, kind):
        return next((s for s in self.sections if s[1] == kind), None)

    def _string(self, strtab_index, offset):
        base = self.sections[strtab_index][4]
        end = self.data.index(b"\0", base + offset)
        return self.data[base + offset:end].decode()

    def exports(self):
        """Defined global or weak dynamic symbols."""
        dynsym = self._section(SHT_DYNSYM)
        if dynsym is None:
            return []
        _, _, _, _, offset, size, link, _, _, entsize = dynsym
        found = []
        for at in range(offset, offset + size, entsize):
            name, info, _, shndx, _, _ = struct.unpack_from("<IBBHQQ", self.data, at)
            if shndx != 0 and info >> 4 in (1, 2) and name:
                found.append(self._string(link, name))
        return found

    def dynamic(self, tag):
        dynamic = self._section(SHT_DYNAMIC)
        if dynamic is None:
            return []
        _, _, _, _, offset, size, link, _, _, _ = dynamic
        found = []
        for at in range(offset, offset + size, 16):
            d_tag, value = struct.unpack_from("<qQ", self.data, at)
            if d_tag == 0:
                break
            if d_tag == tag:
                found.append(self._string(link, value))
        return found

    def needed(self):
        return self.dynamic(DT_NEEDED)

    def newest_glibc(self):
        """The newest GLIBC_x.y version this file asks for, as a tuple and a name."""
        verneed = self._section(SHT_GNU_VERNEED)
        if verneed is None:
            return (0,), "none"
        _, _, _, _, offset, _, link, count, _, _ = verneed
        versions = []
        at = offset
        for _ in range(count):
            _, aux_count, _, aux, following = struct.unpack_from("<HHIII", self.data, at)
            aux_at = at + aux
            for _ in range(aux_count):
                _, _, _, name, aux_next = struct.unpack_from("<IHHII", self.data, aux_at)
                label = self._string(link, name)
                if label.startswith("GLIBC_") and label[6:].replace(".", "").isdigit():
                    versions.append((tuple(int(p) for p in label[6:].split(".")), label))
                aux_at += aux_next
            at += following
        return max(versions) if versions else ((0,), "none")


def fail(message):
    print(f"check-elf: FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def check(path, shared, allowed=()):
    try:
        elf = Elf(path)
    except ValueError as e:
        fail(str(e))
    if elf.machine != EM_X86_64:
        fail(f"{path.name}: machine {elf.machine}, not x86-64 ({EM_X86_64})")
    if shared and elf.type != ET_DYN:
        fail(f"{path.name}: ELF type {elf.type}, not a shared object")
    if not shared and elf.type not in (ET_EXEC, ET_DYN):
        fail(f"{path.name}: ELF type {elf.type}, not an executable")
    foreign = [n for n in elf.needed() if not n.startswith(C_RUNTIME) and not n.startswith(allowed)]
    if foreign:
        fail(f"{path.name} needs libraries that are neither the C runtime's nor allowed here: {foreign}")
    glibc = elf.newest_glibc()[1]
    return elf, f"{path.name}: ELF64 x86-64 {'shared object' if shared else 'executable'}, {len(elf.data)} bytes, needs {elf.needed()} (glibc >= {glibc.removeprefix('GLIBC_')})"


def main():
    args = sys.argv[1:]
    if len(args) != 1 or args[0].startswith("-"):
        sys.exit(__doc__)
    directory = Path(args[0])

    elf, description = check(directory / "libtessera_jni.so", shared=True)
    exports = sorted(n for n in elf.exports() if n.startswith(("Java_", "JNI_")))
    if JNI_ENTRY not in exports:
        fail(f"libtessera_jni.so does not export {JNI_ENTRY}: {exports}")
    print(f"{description}; exports {exports}")

    if (directory / "tessera").exists():
        elf, description = check(directory / "tessera", shared=False, allowed=("libopenslide.so.",))
        runpath = elf.dynamic(DT_RUNPATH) + elf.dynamic(DT_RPATH)
        if (directory / "libopenslide.so.1").exists():
            if "libopenslide.so.1" not in elf.needed() or not any("$ORIGIN" in p.split(":") for p in runpath):
                fail(f"tessera does not load the libopenslide.so.1 beside it (needs {elf.needed()}, run path {runpath})")
            _, shipped = check(directory / "libopenslide.so.1", shared=True)
            print(shipped)
        print(f"{description}; run path {runpath}")

    elf, description = check(directory / "libonnxruntime.so.1", shared=True)
    if "OrtGetApiBase" not in elf.exports():
        fail("libonnxruntime.so.1 does not export OrtGetApiBase")
    if elf.dynamic(DT_SONAME) != ["libonnxruntime.so.1"]:
        fail(f"libonnxruntime.so.1 has soname {elf.dynamic(DT_SONAME)}")
    print(f"{description}; exports OrtGetApiBase")
    print("check-elf: all checks passed")


if __name__ == "__main__":
    main()
