/* Routing-table benchmark: prints figures, asserts nothing.
 *
 * For N static routes (default 10,000 then 100,000) of mixed prefix lengths /8../32
 * behind two connected interfaces, plus a default route:
 *   load       configuring them through the CLI (ip route lines)
 *   resolve    the first lookup after the load (the table settles then)
 *   lookups/s  rib_lookup of destinations inside installed prefixes, and of
 *              random addresses (mostly the default route)
 *
 * usage: build/bench/rib_bench [N...] */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <arpa/inet.h>

#include "../core/core.h"
#include "../router/router.h"
#include "../cli/cli.h"
#include "../platform/platform.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint32_t rng_state = 2463534242u;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

static void quiet(const char *line, int sev)
{
	(void)line;
	(void)sev;
}

static double lookups_per_s(const uint32_t *dst, size_t n, size_t *hits)
{
	struct rib_nexthop nh;
	size_t h = 0;
	double t0 = now();
	for (int rep = 0; rep < 10; rep++)
		for (size_t i = 0; i < n; i++)
			h += rib_lookup(dst[i], &nh);
	double dt = now() - t0;
	*hits = h / 10;
	return (double)n * 10 / dt;
}

static void one(int nroutes)
{
	core_reset_all();
	cli_exec_config_text("interface FastEthernet0/0\n"
			     " ip address 10.255.1.1 255.255.255.0\n"
			     " no shutdown\n"
			     "interface FastEthernet0/1\n"
			     " ip address 10.255.2.1 255.255.255.0\n"
			     " no shutdown\n"
			     "ip route 0.0.0.0 0.0.0.0 10.255.1.254\n", NULL);
	iface_set_carrier(iface_find("FastEthernet0/0"), true);
	iface_set_carrier(iface_find("FastEthernet0/1"), true);

	uint32_t *inside = xcalloc((size_t)nroutes, sizeof *inside);
	struct sbuf cfg;
	sbuf_init(&cfg);
	for (int i = 0; i < nroutes; i++) {
		int len = 8 + (int)(rnd() % 25);              /* /8 .. /32 */
		uint32_t mask = len == 32 ? 0xffffffffu : ~(0xffffffffu >> len);
		uint32_t net = (rnd() | 0x01000000u) & mask;  /* not 0.x */
		if ((net >> 24) == 10 || (net >> 24) >= 224 || (net >> 24) == 127)
			net = (net & 0x00ffffffu & mask) | 0x0b000000u;
		char nb[16], mb[16];
		sbuf_printf(&cfg, "ip route %s %s 10.255.%d.%d\n",
			    ip_fmt(htonl(net), nb), ip_fmt(htonl(mask), mb),
			    1 + i % 2, 2 + i % 200);
		inside[i] = htonl(net | (rnd() & ~mask));
	}
	double t0 = now();
	cli_exec_config_text(cfg.s, NULL);
	double t_load = now() - t0;
	sbuf_free(&cfg);

	struct rib_nexthop nh;
	t0 = now();
	rib_lookup(inside[0], &nh);
	double t_resolve = now() - t0;

	size_t n = 1000000, hits_in, hits_rand;
	uint32_t *dst = xcalloc(n, sizeof *dst);
	for (size_t i = 0; i < n; i++)
		dst[i] = inside[rnd() % (uint32_t)nroutes];
	double in_rate = lookups_per_s(dst, n, &hits_in);
	for (size_t i = 0; i < n; i++)
		dst[i] = rnd();
	double rand_rate = lookups_per_s(dst, n, &hits_rand);
	printf("rib %6d routes: load %7.0f ms (%.0f lines/s), resolve %6.1f ms, "
	       "lookups %5.1f M/s inside prefixes, %5.1f M/s random\n",
	       nroutes, t_load * 1e3, nroutes / t_load, t_resolve * 1e3,
	       in_rate / 1e6, rand_rate / 1e6);
	free(dst);
	free(inside);
}

int main(int argc, char **argv)
{
	router_init();
	log_set_console_sink(quiet);
	if (argc > 1)
		for (int i = 1; i < argc; i++)
			one(atoi(argv[i]));
	else {
		one(10000);
		one(100000);
	}
	core_reset_all();
	return 0;
}
