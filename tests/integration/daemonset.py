"""Reads deploy/kubernetes/daemonset.yaml for the node-agent test, so that the podman run it makes
has the DaemonSet's own mounts, arguments and security context. Usage: daemonset.py FILE WHAT
  check   one line per problem with the manifest (nothing when it is sound); status 1 if any
  args    the container's arguments, one a line
  mounts  "HOSTPATH MOUNTPATH ro|rw", one a line, for every volume mount of the container
  caps    the capabilities the container adds, CAP_NAME, one a line
  podman  the container's securityContext as podman's (and docker's) run options, one a line"""
import sys

import yaml


def daemonset(docs):
    found = [d for d in docs if isinstance(d, dict) and d.get("kind") == "DaemonSet"]
    if len(found) != 1:
        raise SystemExit(f"daemonset.py: {len(found)} DaemonSet documents, want 1")
    return found[0]


def container(ds):
    cs = ds["spec"]["template"]["spec"]["containers"]
    if len(cs) != 1:
        raise SystemExit(f"daemonset.py: {len(cs)} containers, want 1")
    return cs[0]


def mounts(ds):
    vols = {v["name"]: v for v in ds["spec"]["template"]["spec"].get("volumes", [])}
    out = []
    for m in container(ds).get("volumeMounts", []):
        v = vols.get(m["name"])
        if v is None or "hostPath" not in v:
            raise SystemExit(f"daemonset.py: mount {m['name']} has no hostPath volume")
        out.append((v["hostPath"]["path"], m["mountPath"], "ro" if m.get("readOnly") else "rw"))
    return out


def security(ds):
    return container(ds).get("securityContext", {})


def caps(ds):
    return ["CAP_" + c.upper().removeprefix("CAP_") for c in
            security(ds).get("capabilities", {}).get("add", [])]


def podman(ds):
    """The securityContext as run options: every field it sets has one, or it is refused."""
    sc = security(ds)
    known = {"privileged", "runAsUser", "capabilities", "allowPrivilegeEscalation",
             "readOnlyRootFilesystem", "seccompProfile"}
    unknown = set(sc) - known
    if unknown:
        raise SystemExit(f"daemonset.py: no run option for securityContext {sorted(unknown)}")
    opts = []
    if sc.get("privileged"):
        opts.append("--privileged")
    if "runAsUser" in sc:
        opts.append(f"--user={sc['runAsUser']}")
    if "ALL" in sc.get("capabilities", {}).get("drop", []):
        opts.append("--cap-drop=all")
    opts += [f"--cap-add={c}" for c in caps(ds)]
    if sc.get("allowPrivilegeEscalation") is False:
        opts.append("--security-opt=no-new-privileges")
    if sc.get("readOnlyRootFilesystem"):
        opts.append("--read-only")
    prof = sc.get("seccompProfile", {}).get("type", "RuntimeDefault")
    if prof == "Unconfined":
        opts.append("--security-opt=seccomp=unconfined")
    elif prof != "RuntimeDefault":
        raise SystemExit(f"daemonset.py: no run option for seccompProfile {prof}")
    return opts


def problems(docs):
    ds = daemonset(docs)
    spec = ds["spec"]["template"]["spec"]
    c = container(ds)
    labels = ds["spec"]["template"]["metadata"].get("labels", {})
    want_tolerated = {"node-role.kubernetes.io/control-plane", "node-role.kubernetes.io/master"}
    tolerated = {t.get("key") for t in spec.get("tolerations", []) if t.get("operator") == "Exists"}
    checks = [
        (ds.get("apiVersion") == "apps/v1", "apiVersion is not apps/v1"),
        (ds["spec"]["selector"]["matchLabels"].items() <= labels.items(),
         "the selector does not match the pod's labels"),
        (labels.get("app") == "copenclose", "the pods are not labelled app=copenclose"),
        (spec.get("hostPID") is True, "hostPID is not true"),
        (security(ds).get("privileged") is not True, "the container is privileged"),
        (security(ds).get("capabilities", {}).get("drop") == ["ALL"],
         "the container does not drop ALL capabilities"),
        (caps(ds) == ["CAP_BPF", "CAP_PERFMON", "CAP_SYS_PTRACE", "CAP_DAC_READ_SEARCH"],
         "the container does not add exactly BPF, PERFMON, SYS_PTRACE, DAC_READ_SEARCH"),
        (security(ds).get("allowPrivilegeEscalation") is False,
         "allowPrivilegeEscalation is not false"),
        (security(ds).get("readOnlyRootFilesystem") is True, "the root file system is writable"),
        (all(m == "ro" for _, _, m in mounts(ds)), "a host path is mounted read-write"),
        (c.get("image") == "localhost/copenclose:latest", "the image is not make image's"),
        (want_tolerated <= tolerated, "control-plane nodes are not tolerated"),
        ("-o" in c.get("args", []) and c["args"][c["args"].index("-o") + 1:][:1] == ["json"],
         "the output is not JSON lines"),
        (c.get("resources", {}).get("requests") and c["resources"].get("limits"),
         "no resource requests and limits"),
        (all(h == p for h, p, _ in mounts(ds)), "a host path is mounted at another path"),
    ]
    return [msg for ok, msg in checks if not ok]


def main():
    path, what = sys.argv[1], sys.argv[2]
    with open(path) as f:
        docs = list(yaml.safe_load_all(f))
    ds = daemonset(docs)
    if what == "check":
        bad = problems(docs)
        print("\n".join(bad))
        sys.exit(1 if bad else 0)
    elif what == "args":
        print("\n".join(container(ds).get("args", [])))
    elif what == "mounts":
        print("\n".join(" ".join(m) for m in mounts(ds)))
    elif what == "caps":
        print("\n".join(caps(ds)))
    elif what == "podman":
        print("\n".join(podman(ds)))
    else:
        raise SystemExit(f"daemonset.py: unknown request {what}")


if __name__ == "__main__":
    main()
