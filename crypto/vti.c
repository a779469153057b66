/* IPsec virtual tunnel interfaces: `interface TunnelN` with `tunnel mode
 * ipsec ipv4` and `tunnel protection ipsec profile P`, IOS's static VTI.
 *
 * Its profile instance (gen_map.c: "TunnelN-head-0", permit ip any any to
 * the tunnel destination, from the tunnel source) protects every packet
 * routed into the tunnel, in tunnel mode with no GRE header
 * (platform/gre.c: vti_output). Unlike a crypto map it does not wait for
 * traffic: a VTI whose SAs are down asks IKE for them and asks again
 * every VTI_RETRY seconds until they are up. Both ends of a VTI do so;
 * the end with the higher address lets the other go first (VTI_DEFER), so
 * that their Quick Modes do not cross and leave two pairs of SAs. Its line protocol is up while
 * they are (so a route through the tunnel lives with the SAs), and what
 * they decrypt arrives on the tunnel, not on the interface it came in on.
 *
 * The VTIs are looked at again after each change that can move them: an
 * SA added or deleted, a configuration change, an interface's state. Once
 * the loop turns, not inside the event: an SA being installed is not the
 * moment to change interface state. */
#include "crypto_int.h"
#include "ipsec_int.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#define VTI_RETRY 2.0        /* s between looks while a VTI is down */
#define VTI_DEFER 2.0        /* s the higher address waits for the lower */

/* When each VTI went down (its SAs gone, or it came to be). */
struct vti_down {
	char ifname[48];             /* as struct ipsec_flow keeps it */
	double since;
	struct vti_down *next;
};

static struct {
	ev_timer later, retry;
	struct vti_down *down;
} vti;

static struct vti_down *down_entry(const char *ifname)
{
	for (struct vti_down *d = vti.down; d; d = d->next)
		if (!strcmp(d->ifname, ifname))
			return d;
	return NULL;
}

static void mark_up(const char *ifname)
{
	for (struct vti_down **dp = &vti.down; *dp; dp = &(*dp)->next)
		if (!strcmp((*dp)->ifname, ifname)) {
			struct vti_down *d = *dp;
			*dp = d->next;
			free(d);
			return;
		}
}

/* Seconds it has been down (0 the first time it is seen down). */
static double down_for(const char *ifname)
{
	struct vti_down *d = down_entry(ifname);
	if (d)
		return core_uptime() - d->since;
	d = xcalloc(1, sizeof *d);
	snprintf(d->ifname, sizeof d->ifname, "%s", ifname);
	d->since = core_uptime();
	d->next = vti.down;
	vti.down = d;
	return 0;
}

struct iface *vti_of_flow(const struct ipsec_flow *f)
{
	/* the data path asks for each packet: names of other interfaces
	 * stop at the first letters */
	if (!f || strncmp(f->ifname, "Tunnel", 6))
		return NULL;
	struct iface *ifp = iface_find(f->ifname);
	return ifp && iface_tunnel_is_vti(ifp) ? ifp : NULL;
}

static const struct cmap_binding *binding_of(const struct iface *tun)
{
	for (const struct cmap_binding *b = gen_bindings(); b; b = b->next)
		if (b->vti && !strcmp(b->ifname, iface_name(tun)))
			return b;
	return NULL;
}

/* Its SAs up? Then its line protocol is; else IKE is asked (true: it was,
 * or will be, the retry timer must run). A VTI with no protection, or a
 * source that is none of this router's addresses, stays down. */
static bool vti_check(struct iface *tun)
{
	const struct cmap_binding *b = binding_of(tun);
	const struct crypto_map *m = b ? gen_map_find(b->map) : NULL;
	const struct cmap_entry *e = m ? m->entries : NULL;
	bool up = e && !e->blocked && flow_current_peer(m->name, e->seq);
	iface_tunnel_set_protected(tun, up);
	uint32_t src = 0, dst = 0;
	if (up || !e || e->blocked || !iface_admin_up(tun) ||
	    !iface_tunnel_endpoints(tun, &src, &dst) || !iface_by_addr(src)) {
		mark_up(iface_name(tun));    /* nothing to wait for */
		return false;
	}
	if (down_for(iface_name(tun)) < VTI_DEFER && ntohl(src) > ntohl(dst))
		return true;
	return ipsec_io_acquire(tun);
}

static void vti_sync(void)
{
	spd_sync();
	bool waiting = false;
	for (struct iface *t = iface_first(); t; t = iface_next(t))
		if (iface_tunnel_is_vti(t))
			waiting |= vti_check(t);
	if (waiting && !ev_is_active(&vti.retry)) {
		ev_timer_set(&vti.retry, VTI_RETRY, VTI_RETRY);
		ev_timer_start(core_loop, &vti.retry);
	} else if (!waiting) {
		ev_timer_stop(core_loop, &vti.retry);
	}
}

static void later(struct ev_loop *loop, ev_timer *w, int revents)
{
	vti_sync();
}

static void on_retry(struct ev_loop *loop, ev_timer *w, int revents)
{
	vti_sync();
}

static void on_change(enum core_event ev, void *data, void *ctx)
{
	if (ev == EVT_IPSEC_SA &&
	    ((const struct sadb_event *)data)->kind == SADB_EV_UPDATE)
		return;
	if (ev_is_active(&vti.later))
		return;
	ev_timer_set(&vti.later, 0.0, 0.0);
	ev_timer_start(core_loop, &vti.later);
}

void vti_reset(void)
{
	while (vti.down)
		mark_up(vti.down->ifname);
	ev_timer_stop(core_loop, &vti.later);
	ev_timer_stop(core_loop, &vti.retry);
}

void vti_init(void)
{
	ev_timer_init(&vti.later, later, 0.0, 0.0);
	ev_timer_init(&vti.retry, on_retry, VTI_RETRY, VTI_RETRY);
	static const enum core_event evs[] = {
		EVT_IPSEC_SA, EVT_CONFIG_CHANGED, EVT_IFACE_STATE, EVT_IFACE_ADDR,
		EVT_BOOT_DONE,
	};
	for (size_t i = 0; i < sizeof evs / sizeof evs[0]; i++)
		core_subscribe(evs[i], on_change, NULL);
}
