/* Where container runtimes keep their configuration, and the one setting doctor reads from each. */
#ifndef CC_DOCTOR_CONFIG_H
#define CC_DOCTOR_CONFIG_H

#include <stddef.h>

#include "cmd/doctor_setting.h"

#define DOCKER_CONFIG  "/etc/docker/daemon.json"
#define CTRD_CONFIG    "/etc/containerd/config.toml"
#define PODMAN_CONFIG  "/etc/containers/containers.conf"
#define PODMAN_VENDOR  "/usr/share/containers/containers.conf"
#define CRIO_CONFIG    "/etc/crio/crio.conf"
#define KUBELET_CONFIG "/var/lib/kubelet/config.yaml"

/*
 * Each reader takes the text of one file and returns 0 with out->value set, -ENOENT when the
 * file does not set the key (the runtime's default applies), or -EINVAL with out->note saying
 * what is malformed and where. All are pure and bounded by len; -ENOMEM when a library runs out.
 */

/* docker's daemon.json (JSON, through json_read): "exec-opts": ["native.cgroupdriver=..."]. */
int doctor_config_docker(const char *text, size_t len, struct doctor_setting *out);
/* containerd's config.toml: SystemdCgroup = true|false in the runc runtime's options table. */
int doctor_config_containerd(const char *text, size_t len, struct doctor_setting *out);
/* podman's containers.conf: cgroup_manager = "systemd"|"cgroupfs" in [engine]. */
int doctor_config_podman(const char *text, size_t len, struct doctor_setting *out);
/* podman's containers.conf: runtime = "crun"|"runc" in [engine] (the OCI runtime it runs). */
int doctor_config_podman_runtime(const char *text, size_t len, struct doctor_setting *out);
/* CRI-O's crio.conf: cgroup_manager = "systemd"|"cgroupfs" in [crio.runtime]. */
int doctor_config_crio(const char *text, size_t len, struct doctor_setting *out);
/* The kubelet's KubeletConfiguration (YAML, through libyaml): top-level cgroupDriver. */
int doctor_config_kubelet(const char *text, size_t len, struct doctor_setting *out);

#endif
