/* Reading what containerd, CRI-O, docker, runc and crun keep per container, through json_read. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "enrich/engine_state.h"
#include "enrich/json_read.h"
#include "enrich/kata.h"
#include "enrich/k8s.h"
#include "enrich/runtime_state.h"
#include "enrich/statefile.h"

static const char *const engine_names[ENGINE_KINDS] = {"containerd", "cri-o", "docker",
						       "runc",	     "crun",  "runsc"};

static const char *const engine_default_dirs[][2] = {
	{"containerd", "/run/containerd"},
	{"containerd", "/run/docker/containerd/daemon"}, /* the containerd dockerd starts */
	{"containerd", "/run/k3s/containerd"},
	{"cri-o", "/run/containers/storage"},
	{"docker", "/var/lib/docker"},
	{"runc", "/run/runc"},
	{"runc", "/run/docker/runtime-runc/moby"},
	{"crun", "/run/crun"},
	{"runsc", "/run/runsc"},
};

static int engine_kind_of(const char *name, size_t n)
{
	for (int k = 0; k < ENGINE_KINDS; k++)
		if (strlen(engine_names[k]) == n && memcmp(engine_names[k], name, n) == 0)
			return k;
	return -1;
}

void engine_dirs_defaults(struct engine_dirs *d)
{
	memset(d, 0, sizeof(*d));
	for (size_t i = 0; i < sizeof(engine_default_dirs) / sizeof(engine_default_dirs[0]); i++) {
		int k = engine_kind_of(engine_default_dirs[i][0],
				       strlen(engine_default_dirs[i][0]));

		d->dir[k][d->n[k]++] = engine_default_dirs[i][1];
	}
}

int engine_dirs_add(struct engine_dirs *d, const char *spec)
{
	const char *eq = spec ? strchr(spec, '=') : NULL;
	int k;

	if (!d || !eq || eq[1] != '/' || strlen(eq + 1) >= 1024)
		return -EINVAL;
	k = engine_kind_of(spec, (size_t)(eq - spec));
	if (k < 0)
		return -EINVAL;
	if (d->n[k] >= ENGINE_DIRS_MAX)
		return -E2BIG;
	memmove(&d->dir[k][1], &d->dir[k][0], d->n[k] * sizeof(d->dir[k][0]));
	d->dir[k][0] = eq + 1;
	d->n[k]++;
	return 0;
}

static int engine_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* Whether path ends with the components of tail ("/a/b" ends with "/b", not with "b"). */
static int engine_ends_with(const char *path, const char *tail)
{
	size_t n = strlen(path), t = strlen(tail);

	while (t > 1 && tail[t - 1] == '/')
		t--;
	while (n > 1 && path[n - 1] == '/')
		n--;
	if (t == 0 || t > n || memcmp(path + n - t, tail, t) != 0)
		return 0;
	return tail[0] == '/' || n == t || path[n - t - 1] == '/';
}

/* 1 when the recorded cgroup (NULL: none) agrees with cgroup; 0 when not, or none and strict. */
static int engine_cgroup_ok(const char *recorded, const char *cgroup, bool strict)
{
	if (!cgroup)
		return 1;
	if (!recorded || recorded[0] != '/') /* none, or systemd's "slice:prefix:name" */
		return !strict;
	return engine_ends_with(recorded, cgroup);
}

/* The engine and id; the name is the id until the engine's record names it. */
/*
 * Whether cgroup is "/<id>", directly below the root, where only root creates cgroups: there a
 * runc or crun id whose state records no cgroup (yet: exec.fifo comes first) is trusted; deeper
 * (any name may be chosen there) the state must record this very cgroup.
 */
static int engine_bare(const char *cgroup)
{
	return cgroup && cgroup[0] == '/' && !strchr(cgroup + 1, '/');
}

static void engine_set(struct container_info *ci, const char *runtime, const char *id)
{
	snprintf(ci->runtime, sizeof(ci->runtime), "%s", runtime);
	snprintf(ci->id, sizeof(ci->id), "%s", id);
	snprintf(ci->name, sizeof(ci->name), "%s", id);
}

/* docker's config.v2.json: the name (kept as "/NAME"), the image, cri-dockerd's labels. */
static int docker_state(const char *root, const struct engine_dirs *d, const char *id,
			struct container_info *ci)
{
	char p[4096];

	for (size_t i = 0; i < d->n[ENGINE_DOCKER]; i++) {
		char name[sizeof(ci->name)];
		const char *image;
		json_t *v;

		if (statefile_path(p, sizeof(p), "%s%s/containers/%s/config.v2.json", root,
				   d->dir[ENGINE_DOCKER][i], id) ||
		    json_read_file(p, RUNTIME_STATE_MAX, &v))
			continue;
		if (runtime_state_docker_name(v, name, sizeof(name)) == 0)
			memcpy(ci->name, name, sizeof(ci->name));
		image = json_read_str(v, "Config", "Image", NULL);
		if (image && image[0] && strlen(image) < sizeof(ci->image))
			snprintf(ci->image, sizeof(ci->image), "%s", image);
		k8s_from_annotations(json_object_get(json_object_get(v, "Config"), "Labels"), ci);
		json_decref(v);
		return 1;
	}
	return 0;
}

/* An OCI spec's cgroupsPath ("/a/b" with cgroupfs, "slice:prefix:name" with systemd). */
static const char *oci_cgroups_path(const json_t *spec)
{
	return json_read_str(spec, "linux", "cgroupsPath", NULL);
}

/*
 * A task run by Kata's shim (kata.h) is in a virtual machine: its sandbox, the pod's (the CRI's
 * sandbox-id annotation) or itself, is what a host tracer sees.
 */
static void containerd_kata(const char *root, const char *tasks, const char *ns, const char *id,
			    const json_t *spec, struct container_info *ci)
{
	const char *sid = json_read_str(spec, "annotations", "io.kubernetes.cri.sandbox-id", NULL);
	char dir[4096];

	if (!statefile_path(dir, sizeof(dir), "%s/%s/%s", tasks, ns, id) &&
	    kata_task(root, dir, sid && sid[0] ? sid : id))
		snprintf(ci->sandbox, sizeof(ci->sandbox), "kata");
}

/* containerd: <dir>/io.containerd.runtime.v2.task/<namespace>/<id>/config.json. */
static int containerd_state(const char *root, const struct engine_dirs *d, const char *id,
			    const char *cgroup, bool strict, struct container_info *ci)
{
	char p[4096], q[4096];

	for (size_t i = 0; i < d->n[ENGINE_CONTAINERD]; i++) {
		struct dirent *de;
		int found = 0;
		DIR *dir;

		if (statefile_path(p, sizeof(p), "%s%s/io.containerd.runtime.v2.task", root,
				   d->dir[ENGINE_CONTAINERD][i]) ||
		    !(dir = opendir(p)))
			continue;
		while (!found && (de = readdir(dir))) {
			json_t *spec;

			if (de->d_name[0] == '.' ||
			    statefile_path(q, sizeof(q), "%s/%s/%s/config.json", p, de->d_name,
					   id) ||
			    json_read_file(q, RUNTIME_STATE_MAX, &spec))
				continue;
			if (engine_cgroup_ok(oci_cgroups_path(spec), cgroup, strict)) {
				bool moby = strcmp(de->d_name, "moby") == 0;

				found = 1;
				engine_set(ci, moby ? "docker" : "containerd", id);
				k8s_from_annotations(json_object_get(spec, "annotations"), ci);
				containerd_kata(root, p, de->d_name, id, spec, ci);
				if (moby)
					docker_state(root, d, id, ci);
			}
			json_decref(spec);
		}
		closedir(dir);
		if (found)
			return 1;
	}
	return 0;
}

/* CRI-O: <dir>/overlay-containers/<id>/userdata/config.json (else its state.json), told from
 * podman's, which lives there too, by CRI-O's own annotations. */
static int crio_state(const char *root, const struct engine_dirs *d, const char *id,
		      const char *cgroup, bool strict, struct container_info *ci)
{
	static const char *const files[] = {"config.json", "state.json"};
	char p[4096];

	for (size_t i = 0; i < d->n[ENGINE_CRIO]; i++) {
		for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
			const json_t *ann;
			json_t *v;
			int ok;

			if (statefile_path(p, sizeof(p), "%s%s/overlay-containers/%s/userdata/%s",
					   root, d->dir[ENGINE_CRIO][i], id, files[f]) ||
			    json_read_file(p, RUNTIME_STATE_MAX, &v))
				continue;
			ann = json_object_get(v, "annotations");
			ok = json_string_value(
				     json_object_get(ann, "io.kubernetes.cri-o.ContainerType")) &&
			     engine_cgroup_ok(oci_cgroups_path(v), cgroup, strict && f == 0);
			if (ok) {
				engine_set(ci, "cri-o", id);
				k8s_from_annotations(ann, ci);
			}
			json_decref(v);
			if (ok)
				return 1;
		}
	}
	return 0;
}

/* runc's state.json: its cgroup_paths say where it put the container (any one ending in cgroup). */
static int runc_cgroup_ok(json_t *v, const char *cgroup, bool strict)
{
	json_t *paths = json_object_get(v, "cgroup_paths"), *val;
	const char *key;
	int ok = 0;

	if (!cgroup || !json_is_object(paths) || json_object_size(paths) == 0)
		return engine_cgroup_ok(NULL, cgroup, strict || !engine_bare(cgroup));
	json_object_foreach(paths, key, val)
	{
		const char *s = json_string_value(val);

		if (s && engine_ends_with(s, cgroup))
			ok = 1;
	}
	return ok;
}

/* crun's status: its "cgroup-path"; a status that is not JSON records no cgroup. */
static int crun_cgroup_ok(json_t *v, const char *cgroup, bool strict)
{
	return engine_cgroup_ok(json_read_str(v, "cgroup-path", NULL), cgroup,
				strict || !engine_bare(cgroup));
}

/* An OCI runtime's root: <dir>/<id>/<file>, whose cgroup_ok says whether it is the container's;
 * or only exec.fifo, made before the cgroup and before the state file. */
static int oci_state(const char *root, const struct engine_dirs *d, enum engine_kind kind,
		     const char *file, int (*cgroup_ok)(json_t *, const char *, bool),
		     const char *runtime, const char *id, const char *cgroup, bool strict,
		     struct container_info *ci)
{
	char p[4096];

	for (size_t i = 0; i < d->n[kind]; i++) {
		const char *dir = d->dir[kind][i];
		json_t *v;
		int ok = 0;

		if (statefile_path(p, sizeof(p), "%s%s/%s/%s", root, dir, id, file))
			continue;
		if (json_read_file(p, RUNTIME_STATE_MAX, &v) == 0) {
			ok = cgroup_ok(v, cgroup, strict);
			json_decref(v);
		} else if (engine_exists(p) ||
			   (!statefile_path(p, sizeof(p), "%s%s/%s/exec.fifo", root, dir, id) &&
			    engine_exists(p))) {
			ok = engine_cgroup_ok(NULL, cgroup, strict || !engine_bare(cgroup));
		}
		if (ok) {
			engine_set(ci, runtime, id);
			return 1;
		}
	}
	return 0;
}

int engine_state_lookup(const char *root, const struct engine_dirs *d, const char *id,
			const char *cgroup, bool strict, struct container_info *ci)
{
	if (!d || !ci || !id || !*id || strchr(id, '/') || strcmp(id, ".") == 0 ||
	    strcmp(id, "..") == 0 || strlen(id) >= sizeof(ci->id))
		return 0;
	if (!root)
		root = "";
	if (containerd_state(root, d, id, cgroup, strict, ci) ||
	    crio_state(root, d, id, cgroup, strict, ci))
		return 1;
	if (!strict) { /* docker's own record says nothing of the cgroup */
		struct container_info tmp = *ci;

		engine_set(&tmp, "docker", id);
		if (docker_state(root, d, id, &tmp)) {
			*ci = tmp;
			return 1;
		}
	}
	return oci_state(root, d, ENGINE_RUNC, "state.json", runc_cgroup_ok, "runc", id, cgroup,
			 strict, ci) ||
	       oci_state(root, d, ENGINE_CRUN, "status", crun_cgroup_ok, "crun", id, cgroup, strict,
			 ci);
}
