/* Kubernetes facts from a cgroup path and from annotations (pure). */
#include <stdio.h>
#include <string.h>

#include "enrich/k8s.h"
#include "util.h"

/* A pod uid as the kubelet spells it in a cgroup: 8-4-4-4-12 hex, '-' or (systemd) '_'. */
static int pod_uid(const char *s, size_t n, char out[K8S_UID_LEN])
{
	if (n != 36)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-' && c != '_')
				return 0;
			out[i] = '-';
		} else if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) {
			out[i] = c;
		} else {
			return 0;
		}
	}
	out[n] = '\0';
	return 1;
}

static void set_str(char *dst, size_t size, const char *v)
{
	if (!dst[0] && v)
		snprintf(dst, size, "%s", v);
}

int k8s_from_path(const char *path, struct container_info *ci)
{
	const char *qos = NULL;
	char uid[K8S_UID_LEN];
	int in_pods = 0, found = 0;
	size_t i = 0, end;

	if (!path || !ci || path[0] != '/')
		return 0;
	end = ci->cgroup_len && ci->cgroup_len <= strlen(path) ? ci->cgroup_len : strlen(path);
	while (i < end) {
		const char *s;
		size_t n;

		while (i < end && path[i] == '/')
			i++;
		s = path + i;
		while (i < end && path[i] != '/')
			i++;
		n = (size_t)(path + i - s);
		if (n == 0)
			break;
		if (mem_is(s, n, "kubepods") || mem_is(s, n, "kubepods.slice")) {
			in_pods = 1;
			continue;
		}
		if (!in_pods)
			continue;
		if (mem_is(s, n, "besteffort") || mem_is(s, n, "kubepods-besteffort.slice"))
			qos = "besteffort";
		else if (mem_is(s, n, "burstable") || mem_is(s, n, "kubepods-burstable.slice"))
			qos = "burstable";
		else if (mem_has_prefix(s, n, "pod") && pod_uid(s + 3, n - 3, uid))
			found = 1;
		else if (mem_has_prefix(s, n, "kubepods-") && n > 6 + 36 + 4 &&
			 memcmp(s + n - 6, ".slice", 6) == 0 &&
			 memcmp(s + n - 6 - 36 - 3, "pod", 3) == 0 &&
			 pod_uid(s + n - 6 - 36, 36, uid))
			found = 1;
		if (found)
			break;
	}
	if (!found)
		return 0;
	set_str(ci->k8s_pod_uid, sizeof(ci->k8s_pod_uid), uid);
	/* the kubelet puts a Guaranteed pod directly under kubepods */
	set_str(ci->k8s_qos, sizeof(ci->k8s_qos), qos ? qos : "guaranteed");
	return 1;
}

/* The string at key when it is one, non-empty and fits size (with its NUL); else NULL. */
static const char *str_at(const json_t *obj, const char *key, size_t size)
{
	const char *v = json_string_value(json_object_get(obj, key));

	return v && v[0] && strlen(v) < size ? v : NULL;
}

/* One set of keys a runtime uses. */
struct k8s_keys {
	const char *ns, *pod, *uid, *container, *image, *type, *sandbox_type;
};

static const struct k8s_keys k8s_key_sets[] = {
	/* containerd's CRI plugin */
	{"io.kubernetes.cri.sandbox-namespace", "io.kubernetes.cri.sandbox-name",
	 "io.kubernetes.cri.sandbox-uid", "io.kubernetes.cri.container-name",
	 "io.kubernetes.cri.image-name", "io.kubernetes.cri.container-type", "sandbox"},
	/* CRI-O */
	{"io.kubernetes.pod.namespace", "io.kubernetes.pod.name", "io.kubernetes.pod.uid",
	 "io.kubernetes.container.name", "io.kubernetes.cri-o.ImageName",
	 "io.kubernetes.cri-o.ContainerType", "sandbox"},
	/* cri-dockerd's (dockershim's) labels */
	{"io.kubernetes.pod.namespace", "io.kubernetes.pod.name", "io.kubernetes.pod.uid",
	 "io.kubernetes.container.name", NULL, "io.kubernetes.docker.type", "podsandbox"},
};

int k8s_from_annotations(const json_t *obj, struct container_info *ci)
{
	if (!json_is_object(obj) || !ci)
		return 0;
	for (size_t i = 0; i < sizeof(k8s_key_sets) / sizeof(k8s_key_sets[0]); i++) {
		const struct k8s_keys *k = &k8s_key_sets[i];
		const char *pod = str_at(obj, k->pod, sizeof(ci->k8s_pod));
		const char *type, *image;

		if (!pod)
			continue;
		set_str(ci->k8s_pod, sizeof(ci->k8s_pod), pod);
		set_str(ci->k8s_namespace, sizeof(ci->k8s_namespace),
			str_at(obj, k->ns, sizeof(ci->k8s_namespace)));
		set_str(ci->k8s_pod_uid, sizeof(ci->k8s_pod_uid),
			str_at(obj, k->uid, sizeof(ci->k8s_pod_uid)));
		type = str_at(obj, k->type, 64);
		ci->k8s_sandbox = type && strcmp(type, k->sandbox_type) == 0;
		/* a sandbox carries no container name of its own (CRI-O and dockershim: "POD") */
		if (!ci->k8s_sandbox)
			set_str(ci->k8s_container, sizeof(ci->k8s_container),
				str_at(obj, k->container, sizeof(ci->k8s_container)));
		image = k->image ? str_at(obj, k->image, sizeof(ci->image)) : NULL;
		set_str(ci->image, sizeof(ci->image), image);
		return 1;
	}
	return 0;
}
