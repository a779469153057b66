/* Unit tests of the inter-device redundancy and IPC configuration: mode
 * nesting, ranges, running-config form and fixed point (seed 000
 * RouterA), the boot-time binding of the scheme, and the show commands a
 * router answers before inter-device RF runs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../cli/cli.h"
#include "../../cli/session.h"
#include "../../core/core.h"
#include "../../router/router.h"
#include "../../ha/ha.h"
#include "../../ipc/ipc.h"

/* seed 000 RouterA, as configured and as show running-config prints it */
static const char routera_cfg[] =
	"redundancy inter-device\n"
	" scheme standby HAIN\n"
	"!\n"
	"!\n"
	"redundancy\n"
	"!\n"
	"!\n"
	"ipc zone default\n"
	" association 1\n"
	"  no shutdown\n"
	"  protocol sctp\n"
	"   local-port 5000\n"
	"    local-ip 10.0.0.1\n"
	"    retransmit-timeout 300 10000\n"
	"    path-retransmit 10\n"
	"    assoc-retransmit 10\n"
	"   remote-port 5000\n"
	"    remote-ip 10.0.0.2\n"
	"!\n";

static struct sbuf logs;

static void log_sink(const char *line, int sev)
{
	sbuf_printf(&logs, "%s\n", line);
}

static int group_setup(void **s)
{
	router_init();
	sbuf_init(&logs);
	log_set_console_sink(log_sink);
	return 0;
}

static int group_teardown(void **s)
{
	core_reset_all();
	sbuf_free(&logs);
	return 0;
}

static int setup(void **s)
{
	core_reset_all();
	sbuf_reset(&logs);
	return 0;
}

static void out_write(void *io, const char *p, size_t n)
{
	sbuf_add(io, p, n);
}

/* Type LINE in session C (the prompt first, as a console does). */
static void type(struct cli *c, const char *line)
{
	char prompt[128];
	cli_session_prompt(c, prompt, sizeof prompt);
	cli_session_line(c, line);
}

static struct cli *session(struct sbuf *out)
{
	struct cli_io io = {.write = out_write, .io = out, .origin = "console"};
	sbuf_init(out);
	return cli_session_new(&io, MODE_CONFIG);
}

static bool running_has(const char *block)
{
	char *t = cfg_running_text();
	bool ok = strstr(t, block) != NULL;
	if (!ok)
		fprintf(stderr, "running-config:\n%s\nlacks:\n%s\n", t, block);
	free(t);
	return ok;
}

static void test_routera_block(void **s)
{
	assert_int_equal(cli_exec_config_text(routera_cfg, NULL), 0);
	assert_true(running_has(routera_cfg));

	const struct ipc_assoc_cfg *as = ipc_assoc_lookup(1);
	assert_non_null(as);
	assert_false(as->shutdown);
	assert_true(as->sctp);
	assert_int_equal(as->sctp_cfg.local_port, 5000);
	assert_int_equal(as->sctp_cfg.remote_port, 5000);
	assert_int_equal(as->sctp_cfg.n_local_ip, 1);
	assert_int_equal(as->sctp_cfg.local_ip[0], htonl(0x0a000001));
	assert_int_equal(as->sctp_cfg.remote_ip[0], htonl(0x0a000002));
	assert_int_equal(as->sctp_cfg.rto_min_ms, 300);
	assert_int_equal(as->sctp_cfg.rto_max_ms, 10000);
	assert_int_equal(as->sctp_cfg.path_retrans, 10);
	assert_int_equal(as->sctp_cfg.assoc_retrans, 10);
	assert_null(ipc_assoc_next(as));
	assert_string_equal(ha_scheme_configured(), "HAIN");
}

/* Pasting show running-config into a fresh router gives it back. */
static void test_fixed_point(void **s)
{
	assert_int_equal(cli_exec_config_text(routera_cfg, NULL), 0);
	char *first = cfg_running_text();
	core_reset_all();
	assert_int_equal(cli_exec_config_text(first, NULL), 0);
	char *second = cfg_running_text();
	assert_string_equal(first, second);
	free(first);
	free(second);
}

/* Each level is its own mode; a command of a parent mode typed below it
 * runs there and moves the prompt up. */
static void test_nesting(void **s)
{
	struct sbuf out;
	struct cli *c = session(&out);
	char prompt[128];
	type(c, "ipc zone default");
	assert_int_equal(cli_mode(c), MODE_IPCZONE);
	type(c, "association 1");
	assert_int_equal(cli_mode(c), MODE_IPCZONE_ASSOC);
	type(c, "protocol sctp");
	assert_int_equal(cli_mode(c), MODE_IPC_SCTP);
	type(c, "local-port 5005");
	assert_int_equal(cli_mode(c), MODE_IPC_LOCAL_SCTP);
	cli_session_prompt(c, prompt, sizeof prompt);
	assert_string_equal(prompt, "Router(config-ipc-local-sctp)#");
	type(c, "local-ip");
	assert_string_equal(out.s, "% Incomplete command.\n\n");
	type(c, "remote-port 5005");
	assert_int_equal(cli_mode(c), MODE_IPC_REMOTE_SCTP);
	cli_session_prompt(c, prompt, sizeof prompt);
	assert_string_equal(prompt, "Router(config-ipc-remote-sctp)#");
	sbuf_reset(&out);
	type(c, "remote-ip");
	assert_string_equal(out.s, "% Incomplete command.\n\n");
	/* "local-ip" is not a remote-side command, nor one of any parent */
	sbuf_reset(&out);
	type(c, "local-ip 10.0.0.1");
	assert_non_null(strstr(out.s, "% Invalid input detected"));
	type(c, "redundancy inter-device");
	assert_int_equal(cli_mode(c), MODE_RED_INTERDEV);
	cli_session_free(c);
	sbuf_free(&out);
	/* seed 004's listing: ports without addresses */
	assert_true(running_has("ipc zone default\n"
				" association 1\n"
				"  no shutdown\n"
				"  protocol sctp\n"
				"   local-port 5005\n"
				"   remote-port 5005\n"
				"!\n"));
}

static void test_help(void **s)
{
	struct sbuf out;
	struct cli *c = session(&out);
	type(c, "ipc zone default");
	type(c, "association 1");
	sbuf_reset(&out);
	cli_session_help(c, "protocol ");
	/* seed 004; the blank line and the reprinted prompt are the
	 * console's */
	assert_string_equal(out.s, "  sctp  SCTP transport configuration\n");
	cli_session_free(c);
	sbuf_free(&out);
}

static int errors_of(const char *text)
{
	return cli_exec_config_text(text, NULL);
}

static void test_ranges(void **s)
{
	static const char head[] = "ipc zone default\n association 1\n"
				   "  protocol sctp\n   local-port 5000\n";
	char buf[512];
#define TRY(line, want)                                                  \
	do {                                                             \
		snprintf(buf, sizeof buf, "%s%s\n", head, line);         \
		assert_int_equal(errors_of(buf), want);                  \
	} while (0)
	TRY("    assoc-retransmit 20", 1);    /* seed 003: 2..10 */
	TRY("    assoc-retransmit 1", 1);
	TRY("    assoc-retransmit 2", 0);
	TRY("    path-retransmit 11", 1);
	TRY("    path-retransmit 2", 0);
	TRY("    retransmit-timeout 299 1000", 1);
	TRY("    retransmit-timeout 300 60001", 1);
	TRY("    retransmit-timeout 300 msec 60000 msec", 0);
	TRY("    local-ip 10.0.0.1 10.0.0.256", 1);
	TRY("    local-ip 10.0.0.1 10.0.0.3", 0);
#undef TRY
	assert_int_equal(errors_of("ipc zone default\n association 0\n"), 1);
	assert_int_equal(errors_of("ipc zone default\n association 256\n"), 1);
	assert_int_equal(errors_of("ipc zone default\n association 1\n"
				   "  protocol sctp\n   local-port 0\n"), 1);
	assert_int_equal(errors_of("ipc zone default\n association 1\n"
				   "  protocol sctp\n   remote-port 65536\n"),
			 1);
	assert_true(running_has("    local-ip 10.0.0.1 10.0.0.3\n"
				"    retransmit-timeout 300 60000\n"
				"    path-retransmit 2\n"
				"    assoc-retransmit 2\n"));
	/* 12.2YX SSP is another train */
	assert_int_equal(errors_of("ssp group 1\n"), 1);
}

static void test_no_forms(void **s)
{
	assert_int_equal(cli_exec_config_text(routera_cfg, NULL), 0);
	assert_int_equal(errors_of("ipc zone default\n association 1\n"
				   "  shutdown\n  protocol sctp\n"
				   "   local-port 5000\n"
				   "    no retransmit-timeout\n"
				   "    no path-retransmit\n"
				   "    no local-ip\n"
				   "   remote-port 5000\n"
				   "    no remote-ip 10.0.0.2\n"), 0);
	assert_true(running_has("ipc zone default\n"
				" association 1\n"
				"  shutdown\n"
				"  protocol sctp\n"
				"   local-port 5000\n"
				"    assoc-retransmit 10\n"
				"   remote-port 5000\n"
				"!\n"));
	const struct ipc_assoc_cfg *as = ipc_assoc_lookup(1);
	assert_true(as->shutdown);
	assert_int_equal(as->sctp_cfg.rto_max_ms, IPC_SCTP_RTO_MAX_DEFAULT);
	assert_int_equal(errors_of("ipc zone default\n no association 1\n"),
			 0);
	assert_null(ipc_assoc_lookup(1));
	assert_int_equal(errors_of("no ipc zone default\n"
				   "redundancy inter-device\n"
				   " security ipsec sso-secure\n"
				   " no scheme standby HAIN\n"
				   "no redundancy\n"), 0);
	assert_false(ipc_zone_configured());
	char *t = cfg_running_text();
	assert_null(strstr(t, "ipc zone"));
	assert_null(strstr(t, "redundancy\n!"));
	assert_non_null(strstr(t, "redundancy inter-device\n"
				  " security ipsec sso-secure\n!\n!\n"));
	free(t);
	assert_int_equal(errors_of("no redundancy inter-device\n"), 0);
	assert_false(ha_interdev_configured());
	assert_null(ha_security_profile());
}

/* The no forms with the positive form's arguments ("no" in front of a
 * running-config line), and "default", which runs the no form. */
static void test_no_forms_full(void **s)
{
	assert_int_equal(cli_exec_config_text(routera_cfg, NULL), 0);
	assert_int_equal(errors_of("redundancy inter-device\n"
				   " security ipsec P\n"
				   " no scheme standby HAIN\n"
				   " default security ipsec P\n"
				   "default redundancy\n"
				   "ipc zone default\n association 1\n"
				   "  shutdown\n  default shutdown\n"
				   "  protocol sctp\n"
				   "   local-port 5000\n"
				   "    no retransmit-timeout 300 msec\n"
				   "    no path-retransmit 10\n"
				   "    default assoc-retransmit\n"
				   "    no local-ip 10.0.0.1\n"
				   "   no remote-port 5000\n"), 0);
	assert_true(running_has("redundancy inter-device\n!\n!\n"
				"ipc zone default\n"
				" association 1\n"
				"  no shutdown\n"
				"  protocol sctp\n"
				"   local-port 5000\n"
				"!\n"));
	const struct ipc_assoc_cfg *as = ipc_assoc_lookup(1);
	assert_int_equal(as->sctp_cfg.rto_min_ms, IPC_SCTP_RTO_MIN_DEFAULT);
	assert_int_equal(as->sctp_cfg.path_retrans, IPC_SCTP_RETRANS_DEFAULT);
	assert_int_equal(as->sctp_cfg.remote_port, 0);
	assert_null(ha_scheme_configured());
	assert_null(ha_security_profile());
	/* the no form checks what it is given as the positive form does */
	assert_int_equal(errors_of("ipc zone default\n association 1\n"
				   "  protocol sctp\n   local-port 5000\n"
				   "    no path-retransmit 11\n"), 1);
	assert_int_equal(errors_of("ipc zone default\n association 1\n"
				   "  no protocol sctp\n"
				   "default ipc zone default\n"), 0);
	assert_false(ipc_zone_configured());
}

/* A line that changed nothing says so (and tells no IPC subscriber). */
static void test_return_codes(void **s)
{
	struct sbuf out;
	struct cli *c = session(&out);
#define STEP(line, rc) assert_int_equal(cli_session_line(c, line), rc)
	STEP("no ipc zone default", CLI_UNCHANGED);
	STEP("ipc zone default", CLI_OK);
	STEP("no association 1", CLI_UNCHANGED);
	STEP("association 1", CLI_OK);
	STEP("no shutdown", CLI_UNCHANGED);
	STEP("shutdown", CLI_OK);
	STEP("no protocol sctp", CLI_UNCHANGED);
	STEP("protocol sctp", CLI_OK);
	STEP("no remote-port", CLI_UNCHANGED);
	STEP("local-port 5000", CLI_OK);
	STEP("no local-ip", CLI_UNCHANGED);
	STEP("local-ip 10.0.0.1", CLI_OK);
	STEP("local-ip 10.0.0.1", CLI_UNCHANGED);
	STEP("no local-ip 10.0.0.2", CLI_UNCHANGED);
	STEP("path-retransmit 5", CLI_OK);
	STEP("path-retransmit 5", CLI_UNCHANGED);
	STEP("no assoc-retransmit", CLI_UNCHANGED);
	STEP("no retransmit-timeout", CLI_UNCHANGED);
	STEP("exit", CLI_UNCHANGED);
	STEP("local-port 5000", CLI_UNCHANGED);
	STEP("exit", CLI_UNCHANGED);
	STEP("protocol sctp", CLI_UNCHANGED);
	STEP("exit", CLI_UNCHANGED);
	STEP("association 1", CLI_UNCHANGED);
	STEP("exit", CLI_UNCHANGED);
	STEP("exit", CLI_UNCHANGED);
	STEP("ipc zone default", CLI_UNCHANGED);
	STEP("exit", CLI_UNCHANGED);
	STEP("no redundancy", CLI_UNCHANGED);
	STEP("redundancy", CLI_OK);
	STEP("exit", CLI_UNCHANGED);
	STEP("redundancy", CLI_UNCHANGED);
	STEP("exit", CLI_UNCHANGED);
	STEP("no redundancy inter-device", CLI_UNCHANGED);
	STEP("redundancy inter-device", CLI_OK);
	STEP("no scheme", CLI_UNCHANGED);
	STEP("scheme standby G", CLI_OK);
	STEP("scheme standby G", CLI_UNCHANGED);
	STEP("no security", CLI_UNCHANGED);
	STEP("security ipsec P", CLI_OK);
	STEP("security ipsec P", CLI_UNCHANGED);
	STEP("exit", CLI_UNCHANGED);
	STEP("redundancy inter-device", CLI_UNCHANGED);
#undef STEP
	cli_session_free(c);
	sbuf_free(&out);
}

static unsigned changes, last_id;
static void on_change(unsigned id, void *ctx)
{
	changes++;
	*(unsigned *)ctx = id;
}

static void test_change_hook(void **s)
{
	ipc_on_change(on_change, &last_id);
	changes = 0;
	assert_int_equal(errors_of("ipc zone default\n association 7\n"
				   "  protocol sctp\n   remote-port 9\n"), 0);
	assert_true(changes >= 3);
	assert_int_equal(last_id, 7);
	assert_int_equal(ipc_assoc_lookup(7)->sctp_cfg.remote_port, 9);
	/* the same lines again change nothing and tell no one */
	unsigned before = changes;
	assert_int_equal(errors_of("ipc zone default\n association 7\n"
				   "  protocol sctp\n   remote-port 9\n"), 0);
	assert_int_equal(changes, before);
}

static const char simplex_states[] =
	"   my state = 13 -ACTIVE\n"
	" peer state = 1  -DISABLED\n"
	"       Mode = Simplex\n"
	"    Unit ID = 0\n"
	"\n"
	"Maintenance Mode = Disabled\n"
	"   Manual Swact = disabled (system is simplex (no peer unit))\n"
	" Communications = Down      Reason: Simplex mode\n"
	"\n"
	"client count = 4\n"
	" client_notification_TMR = 30000 milliseconds\n"
	"      keep_alive TMR = 4000 milliseconds\n"
	"    keep_alive count = 0\n"
	"keep_alive threshold = 7\n"
	"       RF debug mask = 0x0\n"
	"\n";

static void test_show_states(void **s)
{
	char *o = cli_exec_capture("show redundancy states");
	assert_string_equal(o, simplex_states);
	free(o);
}

/* Configured on a running router, the scheme waits for a reload. */
static void test_scheme_pending(void **s)
{
	core_publish(EVT_BOOT_DONE, NULL);      /* the router has booted (no config) */
	struct sbuf out;
	struct cli *c = session(&out);
	type(c, "redundancy inter-device");
	type(c, "scheme standby BRANCH-5-TUNNEL");
	assert_string_equal(out.s,
			    "% Standby scheme configuration cannot be processed"
			    " now group BRANCH-5-TUNNEL\n is not in active "
			    "state\n");
	cli_session_free(c);
	sbuf_free(&out);
	assert_true(running_has("redundancy inter-device\n"
				" scheme standby BRANCH-5-TUNNEL\n!\n"));
	assert_null(ha_scheme_bound());
	char *o = cli_exec_capture("show redundancy inter-device");
	assert_string_equal(o,
		"Redundancy inter-device state: RF_INTERDEV_STATE_INIT\n"
		"  Pending Scheme: Standby (Will take effect after reload)\n"
		"  Pending Groupname: BRANCH-5-TUNNEL\n"
		"  Scheme: <NOT CONFIGURED>\n"
		"  Security: Not configured\n");
	free(o);
}

/* Booted with a scheme naming no group (seed 000 RouterA: HAIN vs the
 * configured "standby 1 name HAin"): accepted, reported at binding. */
static void test_scheme_bound_missing_group(void **s)
{
	assert_int_equal(cli_exec_config_text(
		"redundancy inter-device\n scheme standby HAIN\n"
		"interface GigabitEthernet0/0\n"
		" ip address 10.0.0.1 255.0.0.0\n"
		" standby 1 ip 10.0.0.3\n"
		" standby 1 name HAin\n", NULL), 0);
	assert_null(strstr(logs.s ? logs.s : "", "RF_INTERDEV"));
	core_publish(EVT_BOOT_DONE, NULL);
	assert_string_equal(ha_scheme_bound(), "HAIN");
	assert_non_null(strstr(logs.s, "%RF_INTERDEV-3-SCHEME_GROUP: Standby "
				       "group HAIN not found"));
	char *o = cli_exec_capture("show redundancy inter-device");
	assert_string_equal(o,
		"Redundancy inter-device state: RF_INTERDEV_STATE_INIT\n"
		"  Scheme: Standby\n"
		"  Groupname: HAIN Group State: Not found\n"
		"  Security: Not configured\n");
	free(o);
}

static void test_scheme_bound_group(void **s)
{
	assert_int_equal(cli_exec_config_text(
		"redundancy inter-device\n scheme standby HAin\n"
		" security ipsec sso-secure\n"
		"interface GigabitEthernet0/0\n"
		" ip address 10.0.0.1 255.0.0.0\n"
		" standby 1 ip 10.0.0.3\n"
		" standby 1 name HAin\n", NULL), 0);
	core_publish(EVT_BOOT_DONE, NULL);
	assert_null(strstr(logs.s ? logs.s : "", "RF_INTERDEV"));
	char *o = cli_exec_capture("show redundancy inter-device");
	assert_non_null(strstr(o, "  Scheme: Standby\n  Groupname: HAin "
				  "Group State: "));
	assert_null(strstr(o, "Not found"));
	assert_null(strstr(o, "Pending"));
	/* no such profile here: the IPC traffic is blocked, never clear */
	assert_non_null(strstr(o, "  Security: IPSec profile sso-secure, IPC "
				  "traffic blocked: profile sso-secure not "
				  "found\n"));
	free(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_routera_block, setup),
		cmocka_unit_test_setup(test_fixed_point, setup),
		cmocka_unit_test_setup(test_nesting, setup),
		cmocka_unit_test_setup(test_help, setup),
		cmocka_unit_test_setup(test_ranges, setup),
		cmocka_unit_test_setup(test_no_forms, setup),
		cmocka_unit_test_setup(test_no_forms_full, setup),
		cmocka_unit_test_setup(test_return_codes, setup),
		cmocka_unit_test_setup(test_change_hook, setup),
		cmocka_unit_test_setup(test_show_states, setup),
		cmocka_unit_test_setup(test_scheme_pending, setup),
		cmocka_unit_test_setup(test_scheme_bound_missing_group, setup),
		cmocka_unit_test_setup(test_scheme_bound_group, setup),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
