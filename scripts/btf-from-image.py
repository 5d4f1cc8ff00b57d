#!/usr/bin/env python3
"""Copies the kernel's BTF (the .BTF section, CONFIG_DEBUG_INFO_BTF) out of an uncompressed
kernel image that has no ELF sections (arm64's Image, which Debian ships as vmlinuz), so that
`bpftool btf dump file OUT format c` makes that kernel's vmlinux.h without booting it.

Usage: scripts/btf-from-image.py IMAGE OUT
The BTF is found by its header: magic 0xeb9f, version 1, a 24-byte header whose string section
follows its type section; exactly one such blob must be in the image.
"""
import struct
import sys


def main():
    if len(sys.argv) != 3:
        print("usage: btf-from-image.py IMAGE OUT", file=sys.stderr)
        return 2
    with open(sys.argv[1], "rb") as f:
        data = f.read()
    found = []
    at = data.find(b"\x9f\xeb\x01")
    while at >= 0:
        if at + 24 <= len(data):
            hdr_len, type_off, type_len, str_off, str_len = struct.unpack_from("<5I", data, at + 4)
            end = at + hdr_len + str_off + str_len
            if hdr_len == 24 and type_off == 0 and str_off == type_len and end <= len(data):
                found.append((at, end))
        at = data.find(b"\x9f\xeb\x01", at + 1)
    if len(found) != 1:
        print(f"btf-from-image: {sys.argv[1]}: {len(found)} BTF headers found, not one",
              file=sys.stderr)
        return 1
    start, end = found[0]
    with open(sys.argv[2], "wb") as f:
        f.write(data[start:end])
    return 0


if __name__ == "__main__":
    sys.exit(main())
