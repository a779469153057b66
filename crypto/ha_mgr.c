/* The crypto HA manager's shared part: which addresses are stateful
 * virtual IPs, their stamps, the takeover when HSRP makes this router
 * Active for one, counters, `show crypto ha` and the debug commands.
 *
 * Takeover follows HSRP, as on IOS: RF only says whether the copies are
 * complete (STANDBY HOT); the moment the group that carries a stateful
 * crypto map becomes Active here, every copy whose local address is its
 * virtual IP is activated, and what did not arrive whole is negotiated
 * again (and said so). */
#include "crypto_int.h"
#include "ha_int.h"
#include "ike.h"
#include "ipsec_int.h"

#include <stdio.h>

#include "../ha/ha.h"
#include "../hsrp/hsrp.h"
#include "../ipc/ipc.h"

struct ha_counters ha_counters;
bool ha_debug, ha_ike_debug, ha_ipsec_debug, ha_ipsec_detail, ha_ipsec_update;

#define MAX_VIPS 64
#define MAX_INCOMPLETE 256

static struct {
	struct { uint32_t vip; uint8_t stamp[16]; bool set; } stamps[MAX_VIPS];
	int nstamps;
	struct incomplete {
		uint32_t vip, peer;
		char what[96];
	} inc[MAX_INCOMPLETE];
	int ninc;
} mgr;

/* ---- virtual addresses ---------------------------------------------------------- */

/* The VIP of a stateful binding: its group's address (0 when the group
 * has none yet: `standby N ip` missing, the seeds' misconfiguration). */
static uint32_t binding_vip(const struct cmap_binding *cb)
{
	struct hsrp_group_info g;
	if (!cb->stateful || !cb->redundancy ||
	    !hsrp_group_lookup(cb->redundancy, &g))
		return 0;
	return g.vip;
}

bool ha_is_stateful_vip(uint32_t addr)
{
	if (!addr)
		return false;
	for (const struct cmap_binding *cb = crypto_binding_first(); cb;
	     cb = crypto_binding_next(cb))
		if (binding_vip(cb) == addr)
			return true;
	return false;
}

static int stamp_slot(uint32_t vip)
{
	for (int i = 0; i < mgr.nstamps; i++)
		if (mgr.stamps[i].vip == vip)
			return i;
	if (mgr.nstamps == MAX_VIPS)
		return -1;
	mgr.stamps[mgr.nstamps].vip = vip;
	mgr.stamps[mgr.nstamps].set = false;
	return mgr.nstamps++;
}

const uint8_t *ha_stamp(uint32_t vip, bool make)
{
	int i = stamp_slot(vip);
	if (i < 0)
		return NULL;
	if (!mgr.stamps[i].set && make) {
		ike_random(mgr.stamps[i].stamp, 16);
		mgr.stamps[i].set = true;
	}
	return mgr.stamps[i].set ? mgr.stamps[i].stamp : NULL;
}

void ha_stamp_set(uint32_t vip, const uint8_t stamp[16])
{
	int i = stamp_slot(vip);
	if (i < 0)
		return;
	memcpy(mgr.stamps[i].stamp, stamp, 16);
	mgr.stamps[i].set = true;
}

bool ha_seq_accept(struct ha_seq *s, uint32_t seq)
{
	if (seq < s->rx) {
		ha_counters.rx_out_of_order++;
		return false;
	}
	if (seq > s->rx)
		ha_counters.rx_out_of_order++;     /* a gap: counted, taken */
	s->rx = seq + 1;
	return true;
}

void ha_incomplete(uint32_t vip, uint32_t peer, const char *what)
{
	ha_counters.rx_incomplete++;
	char b[16];
	if (ha_debug)
		log_debug("Crypto HA: incomplete %s for peer %s: not kept",
			  what, ip_fmt(peer, b));
	for (int i = 0; i < mgr.ninc; i++)
		if (mgr.inc[i].vip == vip && mgr.inc[i].peer == peer)
			return;
	if (mgr.ninc == MAX_INCOMPLETE)
		return;
	struct incomplete *c = &mgr.inc[mgr.ninc++];
	c->vip = vip;
	c->peer = peer;
	snprintf(c->what, sizeof c->what, "%s", what);
}

/* ---- sending and receiving ------------------------------------------------------- */

int ha_send(struct rf_client *rf, struct ha_seq *seq,
	    const struct ha_names *names, struct ha_out *o, const char *title)
{
	if (!ha_out_finish(o, seq->tx))
		return IPC_TOOBIG;
	uint16_t type = (uint16_t)(o->b[2] << 8 | o->b[3]);
	int rc = rf_client_send(rf, type, o->b, o->len);
	if (rc == IPC_FULL)
		ha_counters.tx_full++;
	if (rc != IPC_SENT)
		return rc;
	seq->tx++;
	ha_counters.tx_msgs++;
	ha_counters.tx_bytes += o->len;
	if (ha_debug) {
		log_debug("%s", title);
		ha_msg_dump(names, o->b, o->len);
	}
	return rc;
}

bool ha_recv_check(const struct ha_names *names, struct ha_seq *seq,
		   uint16_t type, unsigned ntypes, const uint8_t *p,
		   size_t len, struct ha_msg *m)
{
	ha_counters.rx_msgs++;
	ha_counters.rx_bytes += len;
	if (ha_msg_parse(p, len, m) < 0 || m->type != type) {
		ha_counters.rx_malformed++;
		return false;
	}
	if (type == 0 || type > ntypes) {
		ha_counters.rx_unknown_type++;
		return false;
	}
	if (!ha_seq_accept(seq, m->seq))
		return false;
	if (ha_debug)
		ha_msg_dump(names, p, len);
	if (!ha_is_stateful_vip(m->id)) {
		/* this router has no stateful map on that address: its
		 * configuration differs from the active's */
		ha_counters.rx_bad_vip++;
		return false;
	}
	return true;
}

/* ---- takeover --------------------------------------------------------------------- */

static void takeover(uint32_t vip)
{
	char b[16], p[16];
	ip_fmt(vip, b);
	if (ha_ipsec_detail)
		log_debug("IPSec HA (crypto_ha_ipsec_mgr_set_state_common):"
			  "called for vip %s", b);
	unsigned ike = ha_ike_takeover(vip);
	unsigned ipsec = ha_ipsec_takeover(vip);
	ha_counters.takeovers++;
	if (ha_debug)
		log_debug("Crypto HA: %s is Active here: %u IKE SAs and %u "
			  "IPsec SAs taken over", b, ike, ipsec);
	for (int i = 0; i < mgr.ninc;) {
		struct incomplete *c = &mgr.inc[i];
		if (c->vip != vip) {
			i++;
			continue;
		}
		/* the peer still holds SAs this router never got whole:
		 * their traffic finds no SA here and the peer's DPD or the
		 * next packet from our side brings new ones */
		log_ios("CRYPTO-4-HA_SA_INCOMPLETE", "The %s with peer %s did "
			"not reach this router whole before the failover; it is "
			"negotiated again", c->what, ip_fmt(c->peer, p));
		ha_counters.renegotiated++;
		*c = mgr.inc[--mgr.ninc];
	}
	spd_mark_dirty();
	rri_sync();
}

static void on_hsrp(enum core_event ev, void *data, void *ctx)
{
	const struct hsrp_event *he = data;
	if (he->new_state != HSRP_ACTIVE || !he->name)
		return;
	for (const struct cmap_binding *cb = crypto_binding_first(); cb;
	     cb = crypto_binding_next(cb))
		if (cb->stateful && cb->redundancy &&
		    !strcmp(cb->redundancy, he->name)) {
			uint32_t vip = binding_vip(cb);
			if (vip)
				takeover(vip);
			return;
		}
}

/* ---- misconfiguration ------------------------------------------------------------- */

/* Why binding CB has no redundancy (NULL: it has): seed 001, "a virtual IP
 * address must be configured in the standby group to enable either
 * stateless or stateful redundancy". */
static const char *binding_problem(const struct cmap_binding *cb, char *buf,
				   size_t n)
{
	struct hsrp_group_info g;
	if (!cb->redundancy)
		return NULL;
	if (!hsrp_group_lookup(cb->redundancy, &g))
		snprintf(buf, n, "crypto map %s on %s: no standby group named %s; "
			 "the map uses the interface address", cb->map, cb->ifname,
			 cb->redundancy);
	else if (!g.vip)
		snprintf(buf, n, "crypto map %s on %s: standby group %s has no "
			 "virtual IP address; the map uses the interface address",
			 cb->map, cb->ifname, cb->redundancy);
	else
		return NULL;
	return buf;
}

/* Each problem is logged when it appears, not at every change. */
static void check_bindings(void)
{
	static char said[2048];
	char now[2048] = "", one[256];
	size_t w = 0;
	for (const struct cmap_binding *cb = crypto_binding_first(); cb;
	     cb = crypto_binding_next(cb)) {
		const char *p = binding_problem(cb, one, sizeof one);
		if (!p)
			continue;
		if (!strstr(said, p))
			log_ios("CRYPTO-4-HA_NO_VIP", "%s", p);
		if (w + strlen(p) + 2 < sizeof now)
			w += (size_t)snprintf(now + w, sizeof now - w, "%s\n", p);
	}
	memcpy(said, now, sizeof said);
}

static void on_change(enum core_event ev, void *data, void *ctx)
{
	check_bindings();
}

/* ---- show crypto ha ----------------------------------------------------------------- */

struct vip_list {
	uint32_t v[MAX_VIPS];
	int n;
};

static void vips(struct vip_list *l)
{
	l->n = 0;
	for (const struct cmap_binding *cb = crypto_binding_first(); cb;
	     cb = crypto_binding_next(cb)) {
		uint32_t vip = binding_vip(cb);
		bool dup = !vip;
		for (int i = 0; i < l->n && !dup; i++)
			dup = l->v[i] == vip;
		if (!dup && l->n < MAX_VIPS)
			l->v[l->n++] = vip;
	}
}

DEFUN(show_crypto_ha, "show crypto ha",
      "Show running system information\n"
      "Encryption module\n"
      "Crypto High Availability status\n")
{
	struct vip_list l;
	vips(&l);
	char b[16];
	for (int i = 0; i < l.n; i++) {
		cli_printf(cli, "IKE VIP: %s\n", ip_fmt(l.v[i], b));
		const uint8_t *s = ha_stamp(l.v[i], false);
		if (!s) {
			cli_puts(cli, "stamp: Not set\n");
			continue;
		}
		cli_puts(cli, "stamp:");
		for (int k = 0; k < 16; k++)
			cli_printf(cli, " %02X", s[k]);
		cli_puts(cli, "\n");
	}
	for (int i = 0; i < l.n; i++)
		cli_printf(cli, "IPSec VIP: %s\n", ip_fmt(l.v[i], b));
	char one[256];
	for (const struct cmap_binding *cb = crypto_binding_first(); cb;
	     cb = crypto_binding_next(cb))
		if (binding_problem(cb, one, sizeof one))
			cli_printf(cli, "%% %s\n", one);
	return CLI_OK;
}

DEFUN(show_crypto_ha_counters, "show crypto ha counters",
      "Show running system information\n"
      "Encryption module\n"
      "Crypto High Availability status\n"
      "Checkpoint message counters\n")
{
	const struct ha_counters *c = &ha_counters;
	cli_printf(cli, "Crypto HA checkpoint messages\n"
		   "  sent: %llu (%llu bytes), channel full %llu times\n"
		   "  received: %llu (%llu bytes)\n",
		   (unsigned long long)c->tx_msgs, (unsigned long long)c->tx_bytes,
		   (unsigned long long)c->tx_full, (unsigned long long)c->rx_msgs,
		   (unsigned long long)c->rx_bytes);
	cli_printf(cli, "  replay updates sent: %llu\n",
		   (unsigned long long)c->replay_updates_sent);
	cli_printf(cli, "Standby copies\n"
		   "  IKE SAs: %llu added, %llu updated, %llu deleted\n"
		   "  IPsec SAs: %llu added, %llu updated, %llu deleted\n",
		   (unsigned long long)c->ike_added, (unsigned long long)c->ike_updated,
		   (unsigned long long)c->ike_deleted,
		   (unsigned long long)c->ipsec_added,
		   (unsigned long long)c->ipsec_updated,
		   (unsigned long long)c->ipsec_deleted);
	cli_printf(cli, "Dropped\n"
		   "  malformed %llu, unknown type %llu, unknown SA %llu, "
		   "out of order %llu\n"
		   "  not a stateful VIP here %llu, incomplete %llu, refused "
		   "by the data path %llu\n",
		   (unsigned long long)c->rx_malformed,
		   (unsigned long long)c->rx_unknown_type,
		   (unsigned long long)c->rx_unknown_sa,
		   (unsigned long long)c->rx_out_of_order,
		   (unsigned long long)c->rx_bad_vip,
		   (unsigned long long)c->rx_incomplete,
		   (unsigned long long)c->rx_refused);
	cli_printf(cli, "Takeovers: %llu (%llu IKE SAs, %llu IPsec SAs "
		   "activated, %llu negotiated again)\n",
		   (unsigned long long)c->takeovers,
		   (unsigned long long)c->ike_activated,
		   (unsigned long long)c->ipsec_activated,
		   (unsigned long long)c->renegotiated);
	return CLI_OK;
}

/* ---- debug ---------------------------------------------------------------------------- */

DEFUN(debug_crypto_ha, "[no] debug crypto ha",
      "Debugging functions (see also 'undebug')\n"
      "Cryptographic subsystem\n"
      "Crypto High Availability\n")
{
	ha_debug = !cli_is_no(a);
	cli_printf(cli, "Crypto High Availability Manager debugging is %s\n",
		   ha_debug ? "on" : "off");
	return CLI_OK;
}

DEFUN(debug_isakmp_ha, "[no] debug crypto isakmp ha [detail]",
      "Debugging functions (see also 'undebug')\n"
      "Cryptographic subsystem\n"
      "ISAKMP Key Management\n"
      "ISAKMP High Availability\n"
      "ISAKMP High Availability detailed\n")
{
	ha_ike_debug = !cli_is_no(a);
	cli_printf(cli, "Crypto ISAKMP High Availability %sdebugging is %s\n",
		   cli_has(a, "detail") ? "detailed " : "",
		   ha_ike_debug ? "on" : "off");
	return CLI_OK;
}

DEFUN(debug_ipsec_ha, "[no] debug crypto ipsec ha [(detail|update)]",
      "Debugging functions (see also 'undebug')\n"
      "Cryptographic subsystem\n"
      "IPSEC processing\n"
      "IPSec High Availability\n"
      "IPSec High Availability detail\n"
      "IPSec High Availability updates\n")
{
	bool on = !cli_is_no(a);
	const char *what = "";
	if (cli_has(a, "detail")) {
		ha_ipsec_detail = on;
		what = "Detail ";
	} else if (cli_has(a, "update")) {
		ha_ipsec_update = on;
		what = "Update ";
	} else {
		ha_ipsec_debug = on;
		if (!on)
			ha_ipsec_detail = ha_ipsec_update = false;
	}
	cli_printf(cli, "Crypto IPSEC High Availability %sdebugging is %s\n",
		   what, on ? "on" : "off");
	return CLI_OK;
}

DEFUN(undebug_crypto_ha, "undebug crypto (ha|isakmp ha|ipsec ha)",
      "Disable debugging functions (see also 'debug')\n"
      "Cryptographic subsystem\n"
      "Crypto High Availability\n"
      "ISAKMP Key Management\n" "ISAKMP High Availability\n"
      "IPSEC processing\n" "IPSec High Availability\n")
{
	if (cli_has(a, "isakmp")) {
		ha_ike_debug = false;
		cli_puts(cli, "Crypto ISAKMP High Availability debugging is off\n");
	} else if (cli_has(a, "ipsec")) {
		ha_ipsec_debug = ha_ipsec_detail = ha_ipsec_update = false;
		cli_puts(cli, "Crypto IPSEC High Availability debugging is off\n");
	} else {
		ha_debug = false;
		cli_puts(cli, "Crypto High Availability Manager debugging is off\n");
	}
	return CLI_OK;
}

bool ha_debug_any(void)
{
	return ha_debug || ha_ike_debug || ha_ipsec_debug || ha_ipsec_detail ||
	       ha_ipsec_update;
}

void ha_debug_show(struct sbuf *out)
{
	if (ha_debug)
		sbuf_puts(out, "  Crypto High Availability Manager debugging is on\n");
	if (ha_ike_debug)
		sbuf_puts(out, "  Crypto ISAKMP High Availability debugging is on\n");
	if (ha_ipsec_debug)
		sbuf_puts(out, "  Crypto IPSEC High Availability debugging is on\n");
	if (ha_ipsec_detail)
		sbuf_puts(out, "  Crypto IPSEC High Availability Detail debugging is on\n");
	if (ha_ipsec_update)
		sbuf_puts(out, "  Crypto IPSEC High Availability Update debugging is on\n");
}

void ha_debug_off(void)
{
	ha_debug = ha_ike_debug = ha_ipsec_debug = false;
	ha_ipsec_detail = ha_ipsec_update = false;
}

/* ---- lifecycle ------------------------------------------------------------------------- */

void ha_mgr_reset(void)
{
	ha_ike_reset();
	ha_ipsec_reset();
	memset(&mgr, 0, sizeof mgr);
	memset(&ha_counters, 0, sizeof ha_counters);
	ha_debug_off();
}

void ha_mgr_init(void)
{
	cli_install(MODE_EXEC, &show_crypto_ha_cmd);
	cli_install(MODE_EXEC, &show_crypto_ha_counters_cmd);
	cli_install(MODE_EXEC, &debug_crypto_ha_cmd);
	cli_install(MODE_EXEC, &debug_isakmp_ha_cmd);
	cli_install(MODE_EXEC, &debug_ipsec_ha_cmd);
	cli_install(MODE_EXEC, &undebug_crypto_ha_cmd);
	core_subscribe(EVT_HSRP_GROUP_STATE, on_hsrp, NULL);
	core_subscribe(EVT_HSRP_GROUP_NAME, on_change, NULL);
	core_subscribe(EVT_CONFIG_CHANGED, on_change, NULL);
	ha_ike_init();
	ha_ipsec_init();
}
