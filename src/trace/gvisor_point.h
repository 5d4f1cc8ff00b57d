/* One message of gVisor's runtime monitoring (runsc's remote sink) into a copenclose event: pure,
 * for hostile bytes (gVisor's threat model does not trust the Sentry that writes them). */
#ifndef CC_GVISOR_POINT_H
#define CC_GVISOR_POINT_H

#include <stddef.h>
#include <stdint.h>

#include "bpf/event.h"
#include "enrich/identity.h"

/* The version of the remote sink's protocol spoken (the handshake's). */
#define GVISOR_PROTO_VERSION 1
/* The header before every message's payload: size (u16), message type (u16), dropped (u32). */
#define GVISOR_HEADER_SIZE 8
/* A message longer than this is refused (oversized): an open's path is at most 4096 bytes. */
#define GVISOR_MSG_MAX 65536
/* The room an event needs: its fixed part and the longest tail. */
#define GVISOR_EVENT_MAX (sizeof(struct cc_event) + CC_TAIL_MAX)

/* The message types read (gVisor's MessageType). */
enum gvisor_msg {
	GVISOR_MSG_OPEN = 7,
	GVISOR_MSG_CLOSE = 8,
	GVISOR_MSG_CONNECT = 10,
	GVISOR_MSG_ACCEPT = 25,
};

/* What a message said beside the event. */
struct gvisor_point {
	uint32_t dropped;		     /* the header's count of points the sink dropped */
	char container_id[CONTAINER_ID_LEN]; /* "" when the point did not say */
	int64_t time_ns;		     /* CLOCK_REALTIME of the call, 0 when not said */
};

/*
 * msg (len bytes: header and payload) into ev (room for GVISOR_EVENT_MAX bytes: a CC_REC_SYSCALL
 * event, via CC_VIA_GVISOR, pid and tid as the sandbox sees them, its tail the path or address)
 * and pt; *size the event's bytes. 0; -ENOMSG for a message of another type or sent at a call's
 * entry (not an error: the session may ask for more than is read); -EMSGSIZE for one longer than
 * GVISOR_MSG_MAX; -EBADMSG for one malformed (a header or payload that does not parse, a system
 * call number of another call, an id that no runtime gives). A path or address longer than the
 * event holds is cut (CC_ST_TAIL_TRUNCATED), a comm to CC_COMM_LEN - 1 bytes.
 */
int gvisor_point_decode(const void *msg, size_t len, struct cc_event *ev, size_t *size,
			struct gvisor_point *pt);

/* Whether a handshake message (a bare Handshake payload) says a version this side speaks: its
   version, or -EBADMSG. */
int gvisor_handshake_version(const void *msg, size_t len);

/* Our handshake into buf (room for size bytes): its length, or -ENOSPC. */
int gvisor_handshake_reply(void *buf, size_t size);

#endif
