"""The raw bytes of a JSON string field in copenclose's output, by the documented rule: \\u0080
to \\u00ff stand for raw bytes (valid U+0080..U+00FF are always written as UTF-8); every other
escape is plain JSON. Works on the undecoded line, where that distinction still shows."""
import re


def unescape(s: bytes) -> bytes:
    out, i = bytearray(), 0
    while i < len(s):
        if s[i] != 0x5C:
            out.append(s[i])
            i += 1
            continue
        e = s[i + 1:i + 2]
        if e == b"u":
            cp = int(s[i + 2:i + 6], 16)
            i += 6
            if 0xD800 <= cp < 0xDC00 and s[i:i + 2] == b"\\u":
                lo = int(s[i + 2:i + 6], 16)
                i += 6
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00)
            out += bytes([cp]) if 0x80 <= cp <= 0xFF else chr(cp).encode()
            continue
        out += {b"n": b"\n", b"t": b"\t", b"r": b"\r", b"b": b"\b", b"f": b"\f"}.get(e, e)
        i += 2
    return bytes(out)


def raw_field(line: bytes, key: str) -> bytes:
    m = re.search(rb'"' + key.encode() + rb'":"((?:[^"\\]|\\.)*)"', line)
    return unescape(m.group(1)) if m else None
