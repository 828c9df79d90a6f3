/*
 * snmp_trap.h - the SNMP trap receiver: v1, v2c and v3 traps and informs
 * on the [traps] listen addresses, inside the libuv loop (one uv_poll_t
 * per socket). net-snmp decodes, checks USM (v3: authentication and
 * privacy against the [profile] the caller names) and answers the RFC
 * 3414 engine discovery of v3 informs; an inform the caller accepts gets
 * its Response. The receiver knows nothing of devices or faults: it hands
 * a pointer-free struct trap_msg to the caller, who maps the sender to a
 * device (collector/traps.c).
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_SNMP_TRAP_H
#define SLAMON_SNMP_TRAP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <uv.h>

#include "core/config.h"
#include "probes/snmp_config.h"
#include "probes/trap_config.h"

#define TRAP_OID_MAX 160
#define TRAP_VARBINDS_MAX 600

/* The notifications that make slamond re-poll the sender (SNMPv2-MIB
 * snmpTraps, RFC 3418; IF-MIB linkDown/linkUp, RFC 2863). */
enum trap_kind {
	TRAP_OTHER,
	TRAP_COLD_START,   /* 1.3.6.1.6.3.1.1.5.1 */
	TRAP_WARM_START,   /* .2 */
	TRAP_LINK_DOWN,    /* .3 */
	TRAP_LINK_UP,      /* .4 */
	TRAP_AUTH_FAILURE, /* .5 */
};

/* One received notification, copied out of net-snmp's PDU. */
struct trap_msg {
	double t;                       /* wall clock of its arrival */
	struct sockaddr_storage src;
	char src_host[INV_ADDR_MAX];    /* canonical literal */
	uint16_t src_port;
	int version;                    /* 1, 2 (v2c) or 3 */
	int inform;                     /* an InformRequest: answered when
	                                   the caller accepts it */
	char community[CFG_SECRET_MAX]; /* v1/v2c; a secret: never logged */
	char user[CFG_NAME_MAX];        /* v3 security name */
	char trap_oid[TRAP_OID_MAX];    /* snmpTrapOID.0 (v1: RFC 3584) */
	char agent_addr[INV_ADDR_MAX];  /* snmpTrapAddress.0, v1 agent-addr,
	                                   "" when absent */
	char varbinds[TRAP_VARBINDS_MAX]; /* "OID=value; ..." truncated */
};

/* Why a datagram was refused before it reached the caller. */
enum trap_reject {
	TRAP_REJ_AUTH,      /* v3: unknown user, wrong digest, decryption */
	TRAP_REJ_MALFORMED, /* not an SNMP message net-snmp could read */
};

struct trap_hooks {
	/* A notification (on the loop). Returns 0 to accept it (an inform
	 * is then answered), -EACCES to refuse it (wrong community). */
	int (*trap)(void *arg, const struct trap_msg *m);
	/* A datagram refused: src_host, version and user of m are set. */
	void (*reject)(void *arg, const struct trap_msg *m,
		       enum trap_reject why, const char *detail);
	/* The profile a v3 message of user from src is checked against
	 * (NULL: none, the message is refused as an unknown user). */
	const struct snmp_profile *(*profile)(void *arg,
					      const struct sockaddr *src,
					      const char *user);
	void *arg;
};

struct trap_receiver;

/* Binds every address of tc (call it before privileges are dropped: port
 * 162 needs CAP_NET_BIND_SERVICE) and starts receiving. An address that
 * cannot be bound is reported in err (one line: the address and errno)
 * and skipped. Returns 0 with *ret when at least one address is bound,
 * else -EADDRNOTAVAIL (or -ENOMEM) with err and *ret NULL. */
int trap_receiver_open(uv_loop_t *loop, const struct traps_cfg *tc,
		       const struct trap_hooks *hooks,
		       struct trap_receiver **ret, char *err, size_t errlen);

/* The number of bound addresses and "A:P, [B]:P" of them in buf. */
size_t trap_receiver_addrs(const struct trap_receiver *r, char *buf,
			   size_t len);

/* Stops receiving, closes the sockets; cb(arg) runs (may be NULL) when the
 * last handle is closed and r is freed. Accepts NULL (cb is then not
 * called). */
void trap_receiver_close(struct trap_receiver *r, void (*cb)(void *arg),
			 void *arg);

/* The inventory device a trap comes from: the one whose address is
 * src_host, else the one whose address is agent_addr (snmpTrapAddress.0,
 * v1 agent-addr; may be ""). Returns its index, -1 when none, -2 when the
 * address is shared by several devices (agents on one host, other ports:
 * the trap cannot tell which) and agent_addr does not settle it. */
int trap_device_of(const struct config *cfg, const char *src_host,
		   const char *agent_addr);

/* The kind of a dotted trap OID. */
enum trap_kind trap_kind_of(const char *oid);

/* A short name of kind ("linkDown", ..., "other"). */
const char *trap_kind_name(enum trap_kind k);

/* Reads the header of an SNMP message at buf: the version (1, 2, 3) and,
 * for v3 with USM, the authoritative engine ID and the user name. 0, or
 * -EINVAL when it is not one (what net-snmp would refuse too). */
int trap_peek_header(const uint8_t *buf, size_t len, int *ret_version,
		     uint8_t *engine, size_t *engine_len, char *user,
		     size_t userlen);

#endif
