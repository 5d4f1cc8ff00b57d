"""The raw bytes of a JSON string field in copenclose's output, by the documented rule: a byte
that is not part of valid UTF-8 is written as the lone low surrogate U+DC00 + byte, Python's
surrogateescape convention. So: the standard decoder, then surrogateescape back to bytes."""
import json


def raw_field(line: bytes, key: str) -> bytes:
    v = json.loads(line).get(key)
    return None if v is None else v.encode("utf-8", "surrogateescape")
