/* Kubernetes facts of a container: from its cgroup path and from the CRI annotations or labels. */
#ifndef CC_K8S_H
#define CC_K8S_H

#include <jansson.h>

#include "enrich/identity.h"

/*
 * Pure: the pod uid and QoS class that the kubelet's cgroup layout spells in the components of
 * path before ci->cgroup_len (cgroupfs: /kubepods[/besteffort|/burstable]/pod<uid>/...; systemd:
 * kubepods[-besteffort|-burstable].slice/...-pod<uid with _>.slice/...). Fills k8s_pod_uid and
 * k8s_qos of ci where they are still empty; 1 when the path is a pod's, 0 when not.
 */
int k8s_from_path(const char *path, struct container_info *ci);

/*
 * Pure: the pod's name, namespace and uid, the container's name and image and whether it is the
 * pod's sandbox, from a JSON object of CRI annotations (containerd's io.kubernetes.cri.*, CRI-O's
 * io.kubernetes.pod.* / io.kubernetes.container.name / io.kubernetes.cri-o.*) or of the labels
 * cri-dockerd puts on a docker container. Values that are not strings, are empty or too long
 * are ignored. 1 when one of them named a pod, else 0 (ci untouched).
 */
int k8s_from_annotations(const json_t *obj, struct container_info *ci);

#endif
