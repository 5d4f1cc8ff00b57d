#!/usr/bin/env python3
"""Refuses integration tests whose checks cannot fail, then runs shellcheck on them.

In `tap_check "..." [ a ] && [ b ]` the shell hands tap_check only `[ a ]`: the second condition
runs after the check was already printed, and its status is lost. The same holds for `||` and for
a pipe after the check's command. This lint reads each logical line of the shell files, finds a
check at a command position, skips its quoted words and command substitutions, and reports the
line when the check's command is followed by `&&`, `||` (but for `|| true`, `|| exit ...` and the
like, which change no assertion) or `|`.

Usage: scripts/lint-tests.py [FILE...]   (default: tests/integration/*.t, tests/vm/*.t and lib*.sh)
       scripts/lint-tests.py --self-test  (the fixtures in tests/fixtures/lint/)
Exit status 0 when clean, 1 when a check is weak or shellcheck complains, 2 on bad usage.
"""
import glob
import os
import re
import shutil
import subprocess
import sys

CHECKS = ("tap_check", "check")
# After `||`, these end the script or carry on: they change nothing that was asserted.
HARMLESS_AFTER_OR = ("true", ":", "exit", "return", "tap_bail", "break", "continue")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def logical_lines(text):
    """(first line number, text) for each line, with backslash-newline continuations joined."""
    out, buf, start = [], "", None
    for n, line in enumerate(text.split("\n"), 1):
        if start is None:
            start = n
        if line.endswith("\\"):
            buf += line[:-1] + " "
            continue
        out.append((start, buf + line))
        buf, start = "", None
    return out


def skip_quoted(s, i):
    """The index just past the quoted word or command substitution that starts at s[i]."""
    c = s[i]
    if c == "'":
        j = s.find("'", i + 1)
        return len(s) if j < 0 else j + 1
    if c == "\\":
        return i + 2
    if c == '"':
        i += 1
        while i < len(s) and s[i] != '"':
            if s[i] == "\\":
                i += 2
            elif s.startswith("$(", i) or s[i] == "`":
                i = skip_quoted(s, i)
            else:
                i += 1
        return i + 1
    if c == "`":
        j = s.find("`", i + 1)
        return len(s) if j < 0 else j + 1
    # $( ... ) with nesting; quotes inside are words of their own
    depth, i = 1, i + 2
    while i < len(s) and depth:
        if s[i] in "'\"`\\" or s.startswith("$(", i):
            i = skip_quoted(s, i)
            continue
        depth += {"(": 1, ")": -1}.get(s[i], 0)
        i += 1
    return i


def check_starts(s):
    """Indices just past each check word that stands at a command position in s."""
    pat = re.compile(r"(^|[;&|(]|\bthen|\bdo|\belse|!)\s*(" + "|".join(CHECKS) + r")\s")
    return [m.end(2) for m in pat.finditer(s)]


def weak(s):
    """The operator that follows a check's command on this logical line, or None."""
    for i in check_starts(s):
        while i < len(s):
            c = s[i]
            if c in "'\"`\\" or s.startswith("$(", i):
                i = skip_quoted(s, i)
            elif c == "#" and s[i - 1] in " \t":
                break
            elif s.startswith("&&", i):
                return "&&"
            elif s.startswith("||", i):
                rest = s[i + 2 :].split()
                if not rest or rest[0] not in HARMLESS_AFTER_OR:
                    return "||"
                i += 2
            elif c == "|":
                return "|"
            elif c in ";&\n" or s.startswith(")", i):
                break
            else:
                i += 1
    return None


def lint(paths):
    """Prints each weak check as FILE:LINE: message; returns the line numbers per file."""
    found = {}
    for p in paths:
        with open(p, encoding="utf-8", errors="surrogateescape") as f:
            text = f.read()
        for n, line in logical_lines(text):
            if line.lstrip().startswith("#"):
                continue
            op = weak(line)
            if op:
                print("%s:%d: the check ends before `%s`: what follows is never asserted "
                      "(one check per condition, or wrap them in sh -c)" % (p, n, op))
                found.setdefault(p, []).append(n)
    return found


def self_test():
    """The lint must find exactly the lines of bad.t marked `# weak`, and nothing in good.t."""
    d = os.path.join(ROOT, "tests", "fixtures", "lint")
    bad, good = os.path.join(d, "bad.t"), os.path.join(d, "good.t")
    with open(bad) as f:
        want = [n for n, line in logical_lines(f.read()) if "# weak" in line]
    with open(os.devnull, "w") as null:
        stdout, sys.stdout = sys.stdout, null
        try:
            got_bad, got_good = lint([bad]).get(bad, []), lint([good])
        finally:
            sys.stdout = stdout
    ok = got_bad == want and len(want) > 0 and not got_good
    print("lint self-test: %s (planted weak checks at lines %s, found %s; in good.t found %s)"
          % ("ok" if ok else "FAILED", want, got_bad, sum(got_good.values(), [])))
    return ok


def shellcheck(paths):
    """shellcheck at warning level when it is installed (scripts/deps.sh test installs it)."""
    sc = shutil.which("shellcheck")
    if not sc:
        print("lint: shellcheck is not installed; skipped (scripts/deps.sh test)")
        return True
    r = subprocess.run([sc, "-x", "-S", "warning", "-s", "bash"] + paths)
    return r.returncode == 0


def main(argv):
    if argv[1:] == ["--self-test"]:
        return 0 if self_test() else 1
    if any(a.startswith("-") for a in argv[1:]):
        print(__doc__.split("\n\n")[-2], file=sys.stderr)
        return 2
    paths = [os.path.abspath(p) for p in argv[1:]]
    if not paths:
        os.chdir(ROOT)
        paths = sorted(glob.glob("tests/integration/*.t")) + sorted(glob.glob("tests/vm/*.t"))
        paths += sorted(glob.glob("tests/integration/lib*.sh"))
    clean = not lint(paths)
    clean = shellcheck(paths) and clean
    print("lint: %d files, %s" % (len(paths), "clean" if clean else "FAILED"))
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
