"""Reads deploy/kubernetes/daemonset.yaml for the node-agent test, so that the podman run it makes
has the DaemonSet's own mounts and arguments. Usage: daemonset.py FILE check|args|mounts
  check   one line per problem with the manifest (nothing when it is sound); status 1 if any
  args    the container's arguments, one a line
  mounts  "HOSTPATH MOUNTPATH ro|rw", one a line, for every volume mount of the container"""
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
        (c.get("securityContext", {}).get("privileged") is True, "the container is not privileged"),
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
    else:
        raise SystemExit(f"daemonset.py: unknown request {what}")


if __name__ == "__main__":
    main()
