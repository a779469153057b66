/* Reverse route injection: the routes the crypto maps want (spd.c says
 * which) are kept in the routing table as RIB_RRI routes, distance 1,
 * shown as statics ("S") as IOS shows them. After every policy rebuild and
 * every SA added or removed the wanted set is computed again and only the
 * difference touches the RIB. */
#include "crypto_int.h"
#include "ipsec_int.h"

#define RRI_DISTANCE 1

struct rri_route {
	uint32_t prefix, mask, gateway;
	struct iface *ifp;
};

static struct {
	struct rri_route *have, *want;
	int nhave, nwant, capwant;
	ev_timer later;
} rri;

static int find(const struct rri_route *v, int n, uint32_t prefix,
		uint32_t mask)
{
	for (int i = 0; i < n; i++)
		if (v[i].prefix == prefix && v[i].mask == mask)
			return i;
	return -1;
}

/* One route per prefix: the first entry that wants it. */
static void want(uint32_t prefix, uint32_t mask, uint32_t gateway,
		 struct iface *ifp, void *ctx)
{
	if (find(rri.want, rri.nwant, prefix, mask) >= 0)
		return;
	if (rri.nwant == rri.capwant) {
		rri.capwant = rri.capwant ? rri.capwant * 2 : 8;
		rri.want = xrealloc(rri.want, (size_t)rri.capwant * sizeof *rri.want);
	}
	rri.want[rri.nwant++] = (struct rri_route){prefix, mask, gateway, ifp};
}

void rri_sync(void)
{
	spd_sync();
	rri.nwant = 0;
	spd_rri_routes(want, NULL);
	for (int i = 0; i < rri.nhave; i++) {
		const struct rri_route *h = &rri.have[i];
		if (find(rri.want, rri.nwant, h->prefix, h->mask) < 0)
			rib_del(RIB_RRI, h->prefix, h->mask);
	}
	for (int i = 0; i < rri.nwant; i++) {
		const struct rri_route *w = &rri.want[i];
		int k = find(rri.have, rri.nhave, w->prefix, w->mask);
		if (k < 0 || rri.have[k].gateway != w->gateway ||
		    rri.have[k].ifp != w->ifp)
			rib_add(RIB_RRI, w->prefix, w->mask, w->gateway, w->ifp,
				RRI_DISTANCE);
	}
	/* what is wanted now is what is there */
	free(rri.have);
	rri.nhave = rri.nwant;
	rri.have = xmalloc((size_t)(rri.nhave ? rri.nhave : 1) * sizeof *rri.have);
	if (rri.nhave)
		memcpy(rri.have, rri.want, (size_t)rri.nhave * sizeof *rri.have);
}

static void later(struct ev_loop *loop, ev_timer *w, int revents)
{
	rri_sync();
}

/* A dynamic map's routes live with its SAs. Looked at again once the
 * loop turns: a deleted SA is still there while its event is delivered,
 * and an SA being installed is not the moment to rebuild policy. */
static void on_sa(enum core_event ev, void *data, void *ctx)
{
	const struct sadb_event *e = data;
	if (e->kind == SADB_EV_UPDATE || ev_is_active(&rri.later))
		return;
	ev_timer_set(&rri.later, 0.0, 0.0);
	ev_timer_start(core_loop, &rri.later);
}

void rri_reset(void)
{
	for (int i = 0; i < rri.nhave; i++)
		rib_del(RIB_RRI, rri.have[i].prefix, rri.have[i].mask);
	free(rri.have);
	free(rri.want);
	rri.have = rri.want = NULL;
	rri.nhave = rri.nwant = rri.capwant = 0;
	ev_timer_stop(core_loop, &rri.later);
}

void rri_init(void)
{
	ev_timer_init(&rri.later, later, 0.0, 0.0);
	core_subscribe(EVT_IPSEC_SA, on_sa, NULL);
}
