/* Pure scanners of container runtime configuration files for the one setting doctor needs. */
#ifndef CC_DOCTOR_CONFIG_H
#define CC_DOCTOR_CONFIG_H

#include <stddef.h>

/* One setting read from a configuration file. */
struct doctor_setting {
	char value[64]; /* normalised: "systemd", "cgroupfs", "runc", ...; "" when absent */
	int line;	/* 1-based line where the value was found, 0 when absent */
	char note[160]; /* why the file could not be read (malformed), "" otherwise */
};

/*
 * Each scanner takes the text of one file and returns 0 with out->value set, -ENOENT when the
 * file does not set the key (the runtime's default applies), or -EINVAL with out->note saying
 * what is malformed and where. None of them allocates; all are bounded by len.
 */

/* docker's daemon.json: "exec-opts": ["native.cgroupdriver=systemd"]. */
int doctor_config_docker(const char *text, size_t len, struct doctor_setting *out);
/* containerd's config.toml: SystemdCgroup = true|false in the runc runtime's options table. */
int doctor_config_containerd(const char *text, size_t len, struct doctor_setting *out);
/* podman's containers.conf: cgroup_manager = "systemd"|"cgroupfs" in [engine]. */
int doctor_config_podman(const char *text, size_t len, struct doctor_setting *out);
/* podman's containers.conf: runtime = "crun"|"runc" in [engine] (the OCI runtime it runs). */
int doctor_config_podman_runtime(const char *text, size_t len, struct doctor_setting *out);
/* CRI-O's crio.conf: cgroup_manager = "systemd"|"cgroupfs" in [crio.runtime]. */
int doctor_config_crio(const char *text, size_t len, struct doctor_setting *out);
/* The kubelet's KubeletConfiguration (YAML): top-level cgroupDriver: systemd|cgroupfs. */
int doctor_config_kubelet(const char *text, size_t len, struct doctor_setting *out);

/*
 * A TOML value lookup good enough for runtime configuration: the value of key in the table
 * whose header ends with table_suffix ("" for the root table), as text in out (a string's
 * contents or a bare word such as true). Multi-line arrays and strings are skipped over.
 */
int doctor_toml_get(const char *text, size_t len, const char *table_suffix, const char *key,
		    struct doctor_setting *out);

/* The version in the first line of a `--version` output ("runc version 1.1.5" -> "1.1.5"). */
void doctor_version_parse(const char *text, size_t len, char *out, size_t size);

#endif
