/* iosim for the IKE lab tests: the same router with two more EXEC
 * commands, built as build/test/iosim-acquire and never part of the
 * router itself.
 *
 *   test crypto acquire MAP SEQ SRC DST
 *       does what the data path does with a packet from SRC to DST that
 *       entry SEQ of crypto map MAP protects and that has no SA: finds
 *       the ACL line that matches, builds the selector from it and calls
 *       sadb_acquire() (until the data path is merged);
 *   test crypto isakmp keys
 *       prints each IKE SA's cookies and phase 1 encryption key, for
 *       tshark's uat:ikev1_decryption_table (IOS prints keys nowhere, and
 *       Debian's charon does not log them);
 *   test crypto isakmp age SECS / test crypto ipsec age SECS [spi N]
 *       makes the SAs (the IPsec SA with SPI N and its bundle) SECS older,
 *       so that the lifetime timers' real work (rekey, expiry, Delete)
 *       happens now instead of in an hour. */
#define router_init acquire_router_init
#include "../../../core/main.c"
#undef router_init
void router_init(void);

#include "../../../crypto/ike.h"

static bool covers(const struct sa_proxy *p, uint32_t a)
{
	return (a & p->mask) == p->addr;
}

DEFUN(test_acquire, "test crypto acquire WORD$map <1-65535>$seq A.B.C.D$src A.B.C.D$dst",
      "Test subsystems\n"
      "Encryption module\n"
      "Start a negotiation as traffic without an SA does\n"
      "Crypto map tag\n"
      "Sequence number\n"
      "Source address of the packet\n"
      "Destination address of the packet\n")
{
	const struct cmap_entry *e = crypto_map_entry(
		crypto_map_find(cli_arg(a, "map")), (unsigned)cli_arg_num(a, "seq"));
	struct acl *acl = e && e->acl ? acl_find(e->acl) : NULL;
	uint32_t peer;
	if (!acl || !e->npeer || !ip_parse(e->peer[0], &peer)) {
		cli_puts(cli, "% No such complete crypto map entry\n");
		return CLI_ERR;
	}
	struct sa_selector sel[32];
	int n = ike_acl_selectors(acl, sel, 32);
	uint32_t src = cli_arg_ip(a, "src"), dst = cli_arg_ip(a, "dst");
	for (int i = 0; i < n; i++)
		if (covers(&sel[i].local, src) && covers(&sel[i].remote, dst)) {
			sadb_acquire(e, &sel[i], peer);
			return CLI_OK;
		}
	cli_puts(cli, "% The crypto map's access list does not permit that\n");
	return CLI_ERR;
}

static void hex(struct cli *cli, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cli_printf(cli, "%02x", p[i]);
}

static void key_line(struct ike_sa *sa, void *ctx)
{
	struct cli *cli = ctx;
	hex(cli, sa->d.icky, 8);
	cli_puts(cli, " ");
	hex(cli, sa->d.rcky, 8);
	cli_puts(cli, " ");
	hex(cli, sa->d.enc_key, sa->d.enc_key_len);
	cli_puts(cli, "\n");
}

DEFUN(test_keys, "test crypto isakmp keys",
      "Test subsystems\n"
      "Encryption module\n"
      "ISAKMP\n"
      "Print the phase 1 encryption keys\n")
{
	ike_sa_foreach(key_line, cli);
	return CLI_OK;
}

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

void acquire_router_init(void)
{
	router_init();
	cli_install(MODE_EXEC, &test_acquire_cmd);
	cli_install(MODE_EXEC, &test_keys_cmd);
	cli_install(MODE_EXEC, &test_age_ike_cmd);
	cli_install(MODE_EXEC, &test_age_ipsec_cmd);
}
