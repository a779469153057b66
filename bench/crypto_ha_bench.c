/* Crypto HA manager benchmark of the standby alone: prints figures,
 * asserts nothing.
 *
 * For N tunnels (default 1,000 then 10,000, each N in a fresh child
 * process), on a router whose crypto map is applied with `redundancy
 * HA-out stateful` (the configuration of tests/unit/test_crypto_ha.c,
 * its ACL widened to 10.1.0.0/16 <-> 10.5.0.0/16), in two shapes: a hub
 * whose tunnels each have their own peer (the map's entry a dynamic
 * map), and the unit test's static map with every tunnel to its one
 * peer. The checkpoint messages an ACTIVE sends in a bulk, built here
 * as ha_int.h documents them, one IKE SA (HA_IKE_MSG_ADD_SA,
 * AES-128/SHA) and one ESP bundle (HA_IPSEC_MSG_ADD_BUNDLE: inbound +
 * outbound, esp-aes esp-sha-hmac, proxies 10.1.x.y/32 <-> 10.5.x.y/32)
 * per tunnel, are fed to the standby's ha_ike_recv() and ha_ipsec_recv():
 *   install    the standby's cost to take the bulk, µs per tunnel
 *   ipc bytes  the two messages of one tunnel on the IPC link, and the
 *              size of one replay update (HA_IPSEC_MSG_UPDATE_SA)
 *   takeover   the HSRP group made Active: every copy activated, µs per
 *              tunnel
 *   peak RSS   growth of the maximum resident set over the install and
 *              the takeover (getrusage), bytes per tunnel
 * A note follows when the standby did not hold and activate every SA.
 *
 * usage: build/bench/crypto_ha_bench [N...]   (N from 1 to 32,000) */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../core/core.h"
#include "../router/router.h"
#include "../cli/cli.h"
#include "../platform/platform.h"
#include "../crypto/ha_int.h"
#include "../crypto/ike.h"
#include "../crypto/sadb.h"
#include "../hsrp/hsrp_int.h"

/* The two shapes: a hub whose tunnels each have their own peer (a
 * dynamic map), and the unit test's static map with every tunnel to its
 * one peer. */
#define COMMON \
	"crypto isakmp policy 1\n" \
	" authentication pre-share\n" \
	"crypto ipsec transform-set TS esp-aes esp-sha-hmac\n" \
	"crypto map CM redundancy replay-interval inbound 100 outbound 1000\n"
#define IFACE \
	"interface FastEthernet0/0\n" \
	" ip address 10.0.0.2 255.255.255.0\n" \
	" standby 1 ip 10.0.0.3\n" \
	" standby 1 name HA-out\n" \
	" crypto map CM redundancy HA-out stateful\n" \
	"access-list 101 permit ip 10.1.0.0 0.0.255.255 10.5.0.0 0.0.255.255\n"

static const struct shape {
	const char *name, *config;
	bool hub;
} shapes[] = {
	{"a peer per tunnel",
	 COMMON
	 "crypto isakmp key k address 0.0.0.0 0.0.0.0\n"
	 "crypto dynamic-map DYN 10\n"
	 " set transform-set TS\n"
	 " match address 101\n"
	 "crypto map CM 10 ipsec-isakmp dynamic DYN\n"
	 IFACE, true},
	{"one peer",
	 COMMON
	 "crypto isakmp key k address 10.0.0.4\n"
	 "crypto map CM 10 ipsec-isakmp\n"
	 " set peer 10.0.0.4\n"
	 " set transform-set TS\n"
	 " match address 101\n"
	 IFACE, false},
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long maxrss_kb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static void quiet(const char *line, int sev)
{
	(void)line;
	(void)sev;
}

static uint32_t vip, peer;

/* Tunnel T's cookies: distinct for every T, never zero. */
static void cookies(uint32_t t, uint8_t icky[8], uint8_t rcky[8])
{
	for (int i = 0; i < 4; i++) {
		icky[i] = (uint8_t)(t >> (24 - 8 * i));
		rcky[i] = (uint8_t)(t >> (24 - 8 * i));
	}
	memcpy(icky + 4, "\x11\x22\x33\x44", 4);
	memcpy(rcky + 4, "\x55\x66\x77\x88", 4);
}

static void ike_add(struct ha_out *o, uint32_t t)
{
	uint8_t icky[8], rcky[8], skeyid[20] = {0x42}, iv[16] = {0x17},
		ek[16] = {0x33};
	cookies(t, icky, rcky);
	ha_out_begin(o, HA_IKE_MSG_ADD_SA, HA_FLAG_ACTIVE | HA_FLAG_BULK, vip);
	ha_out_put(o, HA_IKE_ATT_MY_COOKIE, icky, 8);
	ha_out_put(o, HA_IKE_ATT_HIS_COOKIE, rcky, 8);
	ha_out_put(o, HA_IKE_ATT_SRC, &peer, 4);
	ha_out_put(o, HA_IKE_ATT_DST, &vip, 4);
	ha_out_u16(o, HA_IKE_ATT_PEER_PORT, 500);
	ha_out_u16(o, HA_IKE_ATT_LOCAL_PORT, 500);
	ha_out_u8(o, HA_IKE_ATT_INIT_OR_RESP, 0);
	ha_out_u32(o, HA_IKE_ATT_STATE_MASK, IKE_QM_IDLE);
	ha_out_u8(o, HA_IKE_ATT_ENCR, IKE_ENCR_AES);
	ha_out_u16(o, HA_IKE_ATT_KEY_BITS, 128);
	ha_out_u8(o, HA_IKE_ATT_HASH, IKE_HASH_SHA);
	ha_out_u8(o, HA_IKE_ATT_AUTH, IKE_AUTH_PRESHARE);
	ha_out_u16(o, HA_IKE_ATT_DH_GROUP, 2);
	ha_out_u32(o, HA_IKE_ATT_LIFETIME, 86400);
	ha_out_u32(o, HA_IKE_ATT_AGE_MS, 5000);
	ha_out_put(o, HA_IKE_ATT_SKEYID_D, skeyid, 20);
	ha_out_put(o, HA_IKE_ATT_SKEYID_A, skeyid, 20);
	ha_out_put(o, HA_IKE_ATT_SKEYID_E, skeyid, 20);
	ha_out_put(o, HA_IKE_ATT_ENC_KEY, ek, 16);
	ha_out_put(o, HA_IKE_ATT_IV, iv, 16);
	ha_out_u32(o, HA_IKE_ATT_DPD_SEQ_OUT, 77);
}

static void put_host(struct ha_out *o, uint16_t att, uint32_t host)
{
	uint8_t b[11] = {0};
	uint32_t a = htonl(host), m = 0xffffffffu;
	memcpy(b, &a, 4);
	memcpy(b + 4, &m, 4);
	ha_out_put(o, att, b, sizeof b);
}

static void sa_head(struct ha_out *o, bool inbound, uint32_t spi)
{
	uint8_t head[6] = {50, inbound, (uint8_t)(spi >> 24), (uint8_t)(spi >> 16),
			   (uint8_t)(spi >> 8), (uint8_t)spi};
	ha_out_put(o, HA_IPSEC_ATT_SA, head, 6);
}

static void put_sa(struct ha_out *o, bool inbound, uint32_t spi)
{
	uint8_t ek[16] = {0x11}, ak[20] = {0x22};
	sa_head(o, inbound, spi);
	ha_out_u8(o, HA_IPSEC_ATT_ENC, XF_ESP_AES);
	ha_out_u8(o, HA_IPSEC_ATT_AUTH, XF_ESP_SHA);
	ha_out_u16(o, HA_IPSEC_ATT_ENC_BITS, 128);
	ha_out_put(o, HA_IPSEC_ATT_ENC_KEY, ek, 16);
	ha_out_put(o, HA_IPSEC_ATT_AUTH_KEY, ak, 20);
	ha_out_u64(o, HA_IPSEC_ATT_SEQ, 10);
	ha_out_u16(o, HA_IPSEC_ATT_WINDOW, 64);
	ha_out_u64(o, HA_IPSEC_ATT_BYTES, 0);
}

static uint32_t spi_in(uint32_t t)
{
	return 0x10000 + 2 * t;
}

/* Tunnel T's bundle: host 10.1.T <-> 10.5.T (T < 65,536). */
static void bundle(struct ha_out *o, uint32_t t)
{
	uint8_t ck[16];
	cookies(t, ck, ck + 8);
	ha_out_begin(o, HA_IPSEC_MSG_ADD_BUNDLE, HA_FLAG_ACTIVE | HA_FLAG_BULK, vip);
	ha_out_put(o, HA_IPSEC_ATT_LOCAL, &vip, 4);
	ha_out_put(o, HA_IPSEC_ATT_PEER, &peer, 4);
	ha_out_u16(o, HA_IPSEC_ATT_LOCAL_PORT, 0);
	ha_out_u16(o, HA_IPSEC_ATT_PEER_PORT, 0);
	put_host(o, HA_IPSEC_ATT_LOCAL_PROXY, 0x0a010000u + t);
	put_host(o, HA_IPSEC_ATT_REMOTE_PROXY, 0x0a050000u + t);
	ha_out_u8(o, HA_IPSEC_ATT_MODE, 1);
	ha_out_put(o, HA_IPSEC_ATT_MAP, "CM", 2);
	ha_out_u32(o, HA_IPSEC_ATT_MAP_SEQ, 10);
	ha_out_put(o, HA_IPSEC_ATT_IKE_COOKIES, ck, 16);
	ha_out_u32(o, HA_IPSEC_ATT_LIFE_SECS, 3600);
	ha_out_u64(o, HA_IPSEC_ATT_LIFE_KB, 4608000);
	ha_out_u32(o, HA_IPSEC_ATT_AGE_MS, 1000);
	put_sa(o, true, spi_in(t));
	put_sa(o, false, spi_in(t) + 1);
}

/* A replay update of tunnel 0's outbound SA, as the active sends it. */
static void update(struct ha_out *o)
{
	ha_out_begin(o, HA_IPSEC_MSG_UPDATE_SA, HA_FLAG_ACTIVE, vip);
	sa_head(o, false, spi_in(0) + 1);
	ha_out_put(o, HA_IPSEC_ATT_LOCAL, &vip, 4);
	ha_out_put(o, HA_IPSEC_ATT_PEER, &peer, 4);
	ha_out_u64(o, HA_IPSEC_ATT_SEQ, 5000);
	ha_out_u64(o, HA_IPSEC_ATT_BYTES, 2048);
}

/* The messages of a bulk, finished in order on each client's stream. */
struct wire {
	uint8_t *buf;
	size_t *off, n, used;
};

static void wire_add(struct wire *w, struct ha_out *o, uint32_t seq)
{
	if (!ha_out_finish(o, seq))
		abort();
	w->off[w->n++] = w->used;
	memcpy(w->buf + w->used, o->b, o->len);
	w->used += o->len;
}

static void wire_feed(const struct wire *w,
		      void (*recv)(void *, uint16_t, const uint8_t *, size_t))
{
	for (size_t i = 0; i < w->n; i++) {
		const uint8_t *p = w->buf + w->off[i];
		size_t len = (size_t)p[4] << 24 | (size_t)p[5] << 16 |
			     (size_t)p[6] << 8 | p[7];
		recv(NULL, (uint16_t)(p[2] << 8 | p[3]), p, len);
	}
}

static void wire_init(struct wire *w, uint32_t n)
{
	w->buf = xcalloc(n, HA_MSG_MAX);
	w->off = xcalloc(n, sizeof *w->off);
	w->n = w->used = 0;
}

struct result {
	bool done;
	double ike_us, ipsec_us, takeover_us;       /* per tunnel */
	double rss_bytes;                           /* per tunnel */
	size_t ike_bytes, bundle_bytes, update_bytes;
	uint64_t ike_added, ipsec_added, ike_activated, ipsec_activated;
};

static uint32_t peer_of(const struct shape *sh, uint32_t t)
{
	return sh->hub ? htonl(0xac100001u + t) : htonl(0x0a000004u);
}

static void one(const struct shape *sh, uint32_t n, struct result *r)
{
	core_reset_all();
	struct iface *fa0 = iface_get("FastEthernet0/0");
	iface_set_attached(fa0, true);
	iface_set_carrier(fa0, true);
	if (cli_exec_config_text(sh->config, NULL) != 0)
		return;
	vip = htonl(0x0a000003u);
	memset(&ha_counters, 0, sizeof ha_counters);

	struct wire ike, ips;
	wire_init(&ike, n);
	wire_init(&ips, n);
	struct ha_out *o = xcalloc(1, sizeof *o);
	for (uint32_t t = 0; t < n; t++) {
		peer = peer_of(sh, t);
		ike_add(o, t);
		wire_add(&ike, o, t);
		bundle(o, t);
		wire_add(&ips, o, t);
	}
	peer = peer_of(sh, 0);
	update(o);
	ha_out_finish(o, n);
	r->update_bytes = o->len;
	r->ike_bytes = ike.used / n;
	r->bundle_bytes = ips.used / n;

	long rss0 = maxrss_kb();
	double t0 = now();
	wire_feed(&ike, ha_ike_recv);
	double t1 = now();
	wire_feed(&ips, ha_ipsec_recv);
	double t2 = now();
	struct hsrp_group *g = hsrp_group_find(hsrp_if_find(fa0), 1);
	if (!g)
		return;
	hsrp_group_set_state(g, HSRP_ACTIVE);
	ev_run(core_loop, EVRUN_NOWAIT);
	double t3 = now();
	long rss1 = maxrss_kb();

	r->ike_us = (t1 - t0) / n * 1e6;
	r->ipsec_us = (t2 - t1) / n * 1e6;
	r->takeover_us = (t3 - t2) / n * 1e6;
	r->rss_bytes = (double)(rss1 - rss0) * 1024 / n;
	r->ike_added = ha_counters.ike_added;
	r->ipsec_added = ha_counters.ipsec_added;
	r->ike_activated = ha_counters.ike_activated;
	r->ipsec_activated = ha_counters.ipsec_activated;
	r->done = true;
}

/* Each N in its own process: a fresh heap and RSS high-water mark. */
static void run_child(const struct shape *sh, uint32_t n, struct result *r)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		one(sh, n, r);
		_exit(0);
	}
	int ws;
	if (pid > 0)
		waitpid(pid, &ws, 0);
}

#define MAXN 8

static void print_shape(const struct shape *sh, const uint32_t *ns, int nn,
			const struct result *rs)
{
	static const char *const what[] = {"install", "takeover", "peak RSS growth"};
	for (int k = 0; k < 3; k++) {
		printf("crypto ha %s (%s):", what[k], sh->name);
		for (int i = 0; i < nn; i++) {
			const struct result *r = &rs[i];
			if (!r->done) {
				printf("  %u tunnels: failed", ns[i]);
				continue;
			}
			if (k == 0)
				printf("  %u tunnels %.2f us/tunnel (IKE SA %.2f + ESP "
				       "bundle %.2f)", ns[i], r->ike_us + r->ipsec_us,
				       r->ike_us, r->ipsec_us);
			else if (k == 1)
				printf("  %u tunnels %.2f us/tunnel", ns[i],
				       r->takeover_us);
			else
				printf("  %u tunnels %.0f bytes/tunnel", ns[i],
				       r->rss_bytes);
		}
		printf("\n");
	}
	for (int i = 0; i < nn; i++)
		if (rs[i].done && (rs[i].ike_added != ns[i] ||
				   rs[i].ipsec_added != 2ull * ns[i] ||
				   rs[i].ike_activated != ns[i] ||
				   rs[i].ipsec_activated != 2ull * ns[i]))
			printf("crypto ha note (%s, %u tunnels): the standby held "
			       "%llu IKE / %llu IPsec SAs and activated %llu / %llu\n",
			       sh->name, ns[i], (unsigned long long)rs[i].ike_added,
			       (unsigned long long)rs[i].ipsec_added,
			       (unsigned long long)rs[i].ike_activated,
			       (unsigned long long)rs[i].ipsec_activated);
}

int main(int argc, char **argv)
{
	router_init();
	log_set_console_sink(quiet);
	uint32_t ns[MAXN] = {1000, 10000};
	int nn = 2;
	/* at most 32,000: IOS's IKE connection ids (1..32000) are all in use
	 * then, and ike_sa_assign_conn_id() finds none for the next SA */
	if (argc > 1) {
		nn = 0;
		for (int i = 1; i < argc && nn < MAXN; i++) {
			unsigned long v = strtoul(argv[i], NULL, 10);
			if (v == 0 || v > 32000) {
				fprintf(stderr, "crypto_ha_bench: N from 1 to 32000\n");
				return 2;
			}
			ns[nn++] = (uint32_t)v;
		}
	}
	enum { NSHAPES = sizeof shapes / sizeof shapes[0] };
	struct result *rs = mmap(NULL, sizeof(struct result) * NSHAPES * MAXN,
				 PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
				 -1, 0);
	if (rs == MAP_FAILED)
		return 1;
	memset(rs, 0, sizeof(struct result) * NSHAPES * MAXN);
	printf("crypto ha: a standby taking a bulk (one IKE SA + one ESP bundle "
	       "per tunnel) from checkpoint messages, then its HSRP takeover\n");
	for (size_t s = 0; s < NSHAPES; s++) {
		for (int i = 0; i < nn; i++)
			run_child(&shapes[s], ns[i], &rs[s * MAXN + (size_t)i]);
		print_shape(&shapes[s], ns, nn, &rs[s * MAXN]);
	}
	const struct result *r = &rs[0];
	if (r->done)
		printf("crypto ha ipc bytes/tunnel: %zu (IKE ADD_SA %zu + IPsec "
		       "ADD_BUNDLE %zu); replay update message: %zu bytes\n",
		       r->ike_bytes + r->bundle_bytes, r->ike_bytes,
		       r->bundle_bytes, r->update_bytes);
	return 0;
}
