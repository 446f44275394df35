#!/usr/bin/env python3
"""Prints the README.txt of a `tessera` release archive (scripts/release.sh).

usage: release-readme.py PLATFORM VERSION FILE...
"""

import sys

# Where each bundled file comes from, and its licence.
ORIGINS = {
    "tessera": "the tessera command (Apache-2.0)",
    "tessera.exe": "the tessera command (Apache-2.0)",
    "libonnxruntime.so.1": "ONNX Runtime 1.31.1, from the onnxruntime wheel on PyPI (MIT licence)",
    "onnxruntime.dll": "ONNX Runtime 1.31.1, from the onnxruntime wheel on PyPI (MIT licence)",
    "libopenslide.so.1": "OpenSlide 4.0.0, from the openslide-bin 4.0.1.2 wheel on PyPI (LGPL-2.1)",
    "libopenslide-1.dll": "OpenSlide 4.0.0, from the openslide-bin 4.0.1.2 wheel on PyPI (LGPL-2.1)",
    "libopenslide.1.dylib": "OpenSlide 4.0.0, from the openslide-bin 4.0.1.2 wheel on PyPI (LGPL-2.1; this architecture's part of its universal library)",
    "vcruntime140.dll": "Microsoft Visual C++ runtime 14.44, from the msvc-runtime wheel on PyPI (Microsoft's redistributable licence), needed by ONNX Runtime",
}
for dll in ("vcruntime140_1.dll", "msvcp140.dll", "msvcp140_1.dll"):
    ORIGINS[dll] = ORIGINS["vcruntime140.dll"]

NOTES = {
    "linux-x86_64": """Needs: Linux x86-64 with glibc 2.35 or later (Ubuntu 22.04, Debian 12 or newer).
Everything else is in this folder (OpenSlide too: tessera finds it beside itself).
Verified: built on Debian 12 and run there from the unpacked archive (selftest, info); the same
code is what the project's full test suite runs.""",
    "windows-x86_64": """Needs: Windows 10 or 11, x86-64. Everything else is in this folder.
Verified: cross-built on Linux with mingw-w64, checked structurally, and run under Wine 8
(selftest, info, and the demo with the same tiles and classes as on Linux) -- not yet on a real
Windows.""",
    "macos-aarch64": """Needs: macOS 14 or later on Apple silicon (ONNX Runtime 1.31.1's wheel is built for 14.0).
Every file carries an ad-hoc code signature. Downloaded with a browser, the folder is quarantined:
run  xattr -dr com.apple.quarantine tessera-*  once before the first use.
Verified: cross-built on Linux with zig and checked structurally (architecture, libraries loaded,
code signatures) -- not yet run on a Mac.""",
    "macos-x86_64": """Needs: macOS 13.4 or later on an Intel Mac. ONNX Runtime is 1.23.2 here: PyPI has no newer
onnxruntime wheel for Intel Macs (Tessera needs 1.22 or later).
Downloaded with a browser, the folder is quarantined: run  xattr -dr com.apple.quarantine tessera-*
once before the first use.
Verified: cross-built on Linux with zig and checked structurally (architecture, libraries loaded,
code signatures) -- not yet run on a Mac.""",
}


def main():
    platform, version, *files = sys.argv[1:]
    exe = "tessera.exe" if platform.startswith("windows") else "./tessera"
    origins = dict(ORIGINS)
    if platform == "macos-x86_64":
        origins["libonnxruntime.dylib"] = "ONNX Runtime 1.23.2, from the onnxruntime wheel on PyPI (MIT licence)"
    else:
        origins["libonnxruntime.dylib"] = "ONNX Runtime 1.31.1, from the onnxruntime wheel on PyPI (MIT licence)"
    print(f"Tessera {version} -- the tessera command for {platform}\n")
    print("Train and apply deep-learning tile classifiers on whole-slide images and QuPath")
    print("annotations (GeoJSON exports), headless. Start with:\n")
    print(f"  {exe} selftest        checks that ONNX Runtime loads and runs a tiny model")
    print(f"  {exe} demo --out tessera-demo")
    print(f"  {exe} --help\n")
    print("ONNX Runtime is found beside the program (or set TESSERA_ONNXRUNTIME to another copy).\n")
    print(NOTES[platform] + "\n")
    print("Files:")
    for name in files:
        print(f"  {name:22} {origins[name]}")
    print("\nlicenses/ holds the licence texts of the bundled libraries, as their wheels carry them.")
    print("Tessera is licensed under the Apache License 2.0.")


if __name__ == "__main__":
    main()
