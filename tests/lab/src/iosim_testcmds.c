/* iosim for the IKE lab tests: the same router with test-only EXEC
 * commands, built as build/test/iosim-testcmds and never part of the
 * router itself. Negotiations start from real traffic, as on IOS; what is
 * left here is what nothing a person can do with the router does in test
 * time (IOS's shortest lifetimes are 60 s for IKE and 120 s for IPsec,
 * and the soft expiry comes at a tenth of the life, at least 30 s early):
 *
 *   test crypto isakmp age SECS / test crypto ipsec age SECS [spi N]
 *       makes the SAs (the IPsec SA with SPI N and its bundle) SECS older,
 *       so that the lifetime timers' real work (rekey, expiry, Delete)
 *       happens now instead of in an hour. */
#define router_init testcmds_router_init
#include "../../../router/main.c"
#undef router_init
void router_init(void);

#include "../../../crypto/ike.h"

static void age_ike(struct ike_sa *sa, void *ctx)
{
	double secs = *(const double *)ctx;
	if (sa->d.state != IKE_QM_IDLE)
		return;
	sa->d.established -= secs;
	sa->d.created -= secs;
	ike_sa_life_changed(sa);
}

DEFUN(test_age_ike, "test crypto isakmp age <1-4000000>$secs",
      "Test subsystems\n"
      "Encryption module\n"
      "ISAKMP\n"
      "Make the SAs older\n"
      "Seconds\n")
{
	double secs = (double)cli_arg_num(a, "secs");
	ike_sa_foreach(age_ike, &secs);
	return CLI_OK;
}

struct age_ctx {
	double secs;
	uint32_t spi, bundle;
};

static void find_bundle(struct ipsec_sa *sa, void *ctx)
{
	struct age_ctx *c = ctx;
	if (sa->d.spi == c->spi)
		c->bundle = sa->d.bundle;
}

static void age_ipsec(struct ipsec_sa *sa, void *ctx)
{
	struct age_ctx *c = ctx;
	if (!c->spi || sa->d.bundle == c->bundle)
		sa->d.created -= c->secs;
}

DEFUN(test_age_ipsec, "test crypto ipsec age <1-4000000>$secs [spi WORD$spi]",
      "Test subsystems\n"
      "Encryption module\n"
      "IPsec\n"
      "Make the SAs older\n"
      "Seconds\n"
      "Only the bundle of this SA\n"
      "SPI in hex\n")
{
	struct age_ctx c = {(double)cli_arg_num(a, "secs"), 0, 0};
	if (cli_has(a, "spi")) {
		c.spi = (uint32_t)strtoul(cli_arg(a, "spi"), NULL, 16);
		sadb_foreach(find_bundle, &c);
		if (!c.bundle) {
			cli_puts(cli, "% No such SA\n");
			return CLI_ERR;
		}
	}
	sadb_foreach(age_ipsec, &c);
	return CLI_OK;
}

void testcmds_router_init(void)
{
	router_init();
	cli_install(MODE_EXEC, &test_age_ike_cmd);
	cli_install(MODE_EXEC, &test_age_ipsec_cmd);
}
