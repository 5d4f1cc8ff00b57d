/* Kata Containers: a containerd task run by Kata's shim, its container in a virtual machine. */
#ifndef CC_KATA_H
#define CC_KATA_H

#include <stdbool.h>
#include <stddef.h>

#include "enrich/engine_state.h"

/*
 * Whether the containerd task whose bundle is taskdir (under root: "" on a real host, a fixture
 * tree in tests; .../io.containerd.runtime.v2.task/<namespace>/<id>) is run by Kata's shim: its
 * shim-binary-path (containerd 1.6 and later: the shim it started) names containerd-shim-kata-v2
 * (or kata-deploy's containerd-shim-kata-NAME-v2, or the runtime type io.containerd.kata.v2 or
 * io.containerd.kata-NAME.v2), and the sandbox sid (its pod's sandbox, or itself) has Kata's
 * state on disk: /run/vc/sbs/<sid>/persist.json naming it (the Go runtime's), or /run/kata/<sid>
 * or /run/kata-containers/shared/sandboxes/<sid> (the Rust runtime's, the shared directory).
 * Files read as hostile (regular files only, bounded). 1 when both say so, 0 when not.
 */
int kata_task(const char *root, const char *taskdir, const char *sid);

/*
 * Whether the text of a shim-binary-path file (len bytes; a trailing newline allowed) names
 * Kata's shim or runtime type. Pure.
 */
bool kata_shim_name(const char *text, size_t len);

/*
 * Whether Kata's state is on this host (under root): /run/vc/sbs or /run/kata a directory, or a
 * task of d's containerd directories run by Kata's shim. For doctor.
 */
bool kata_seen(const char *root, const struct engine_dirs *d);

#endif
