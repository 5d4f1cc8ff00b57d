#!/usr/bin/env python3
"""An independent oracle for doctor's configuration readers, by Python's json and tomllib.

Usage: config_value.py MODE FILE...   (MODE: docker, containerd, podman, podman_runtime, crio)
Prints one line per FILE: the value the runtime takes from it as doctor reports it ("systemd",
"cgroupfs", "runc", ...), "<absent>" when the file leaves the default, or "<invalid>" when the
file is not valid (for TOML: not valid TOML; doctor's subset reader need not refuse it).
"""
import json
import math
import sys
import tomllib

DRIVERS = ("systemd", "cgroupfs")
MAX_DEPTH = 64


class Invalid(Exception):
    pass


def no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise Invalid("duplicate key")
    return dict(pairs)


def strict_json(text):
    """What a strict RFC 8259 reader with jansson's limits accepts."""
    def refuse(_):
        raise Invalid("NaN or Infinity")

    doc = json.loads(text, object_pairs_hook=no_duplicates, parse_constant=refuse)

    def walk(v, depth):
        if isinstance(v, (dict, list)):
            if depth + 1 > MAX_DEPTH:
                raise Invalid("too deep")
            items = list(v.items()) if isinstance(v, dict) else [(None, x) for x in v]
            for k, x in items:
                if k is not None:
                    walk(k, depth + 1)
                walk(x, depth + 1)
        elif isinstance(v, str):
            if "\0" in v:
                raise Invalid("NUL")
            v.encode("utf-8")  # a lone surrogate raises
        elif isinstance(v, bool):
            pass
        elif isinstance(v, int) and not -(2**63) <= v < 2**63:
            raise Invalid("integer too big")
        elif isinstance(v, float) and math.isinf(v):
            raise Invalid("real too big")

    walk(doc, 0)
    if not isinstance(doc, (dict, list)):
        raise Invalid("not an object or array")
    return doc


def docker(data):
    doc = strict_json(data.decode("utf-8"))
    if not isinstance(doc, dict):
        raise Invalid("not an object")
    opts = doc.get("exec-opts", [])
    if not isinstance(opts, list) or not all(isinstance(o, str) for o in opts):
        raise Invalid("exec-opts")
    found = [o[len("native.cgroupdriver="):] for o in opts
             if o.startswith("native.cgroupdriver=")]
    if not found:
        return None
    if found[-1] not in DRIVERS:
        raise Invalid("driver")
    return found[-1]


def tables(v, path=()):
    """Every table with its path of keys, arrays of tables included."""
    if isinstance(v, dict):
        yield path, v
        for k, x in v.items():
            yield from tables(x, path + (k,))
    elif isinstance(v, list):
        for x in v:
            if isinstance(x, dict):
                yield from tables(x, path)


def toml_get(data, suffix, key):
    doc = tomllib.loads(data.decode("utf-8"))
    want = tuple(suffix.split("."))
    found = None
    for path, t in tables(doc):
        if path[-len(want):] == want and key in t:
            found = t[key]
    return found


def containerd(data):
    v = toml_get(data, "runtimes.runc.options", "SystemdCgroup")
    if v is None:
        return None
    if not isinstance(v, bool):
        raise Invalid("not a bool")
    return "systemd" if v else "cgroupfs"


def driver_in(suffix):
    def get(data):
        v = toml_get(data, suffix, "cgroup_manager")
        if v is not None and v not in DRIVERS:
            raise Invalid("driver")
        return v
    return get


def podman_runtime(data):
    v = toml_get(data, "engine", "runtime")
    return v if v else None


MODES = {
    "docker": docker,
    "containerd": containerd,
    "podman": driver_in("engine"),
    "podman_runtime": podman_runtime,
    "crio": driver_in("crio.runtime"),
}


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in MODES:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    for path in sys.argv[2:]:
        with open(path, "rb") as f:
            data = f.read()
        try:
            v = MODES[sys.argv[1]](data)
            print("<absent>" if v is None else v)
        except (Invalid, ValueError, RecursionError, tomllib.TOMLDecodeError):
            print("<invalid>")
    return 0


if __name__ == "__main__":
    sys.exit(main())
