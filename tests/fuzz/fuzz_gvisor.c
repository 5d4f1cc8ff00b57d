/* libFuzzer target: gVisor's remote-sink messages (header and protobuf payload) into events, and
   the handshake, on arbitrary bytes. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trace/gvisor_point.h"

static _Alignas(8) unsigned char evbuf[GVISOR_EVENT_MAX];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cc_event *ev = (struct cc_event *)evbuf;
	struct gvisor_point pt;
	size_t n = 0;
	int rc = gvisor_point_decode(data, size, ev, &n, &pt);

	if (rc != 0 && rc != -ENOMSG && rc != -EBADMSG && rc != -EMSGSIZE)
		abort();
	if (rc == 0 &&
	    (n != sizeof(*ev) + ev->tail_len || n > GVISOR_EVENT_MAX || ev->syscall >= CC_SYS_MAX ||
	     ev->via != CC_VIA_GVISOR || ev->comm[CC_COMM_LEN - 1] || ev->ret < -4095 ||
	     strlen(pt.container_id) >= CONTAINER_ID_LEN))
		abort();
	rc = gvisor_handshake_version(data, size);
	if (rc < 0 && rc != -EBADMSG)
		abort();
	return 0;
}
