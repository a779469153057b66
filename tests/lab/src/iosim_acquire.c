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
 *       Debian's charon does not log them). */
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

void acquire_router_init(void)
{
	router_init();
	cli_install(MODE_EXEC, &test_acquire_cmd);
	cli_install(MODE_EXEC, &test_keys_cmd);
}
