/* Unit tests of the crypto configuration model: the seeds' crypto lines
 * parsed and written back in IOS order and form, IOS's rejections, the
 * show commands' formats, the public lookups, and reset. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../../cli/cli.h"
#include "../../cli/session.h"
#include "../../core/core.h"
#include "../../router/router.h"
#include "../../crypto/crypto.h"

static int setup(void **state)
{
	core_reset_all();
	return 0;
}

/* Run TEXT in global configuration mode; returns the number of lines that
 * drew an IOS error, the error text in *errs when ERRS is not NULL. */
static int config(const char *text, char **errs)
{
	struct sbuf e;
	sbuf_init(&e);
	int n = cli_exec_config_text(text, &e);
	if (errs)
		*errs = e.s ? sbuf_take(&e) : xstrdup("");
	sbuf_free(&e);
	return n;
}

/* Run TEXT, which must draw no error. */
static void config_ok(const char *text)
{
	char *errs;
	int n = config(text, &errs);
	if (n)
		fail_msg("%d errors:\n%s", n, errs);
	free(errs);
}

/* The crypto part of show running-config: from the first "crypto" line at
 * column 0 to the line before the next top-level non-crypto line. */
static char *crypto_section(void)
{
	char *all = cfg_running_text();
	struct sbuf b;
	sbuf_init(&b);
	bool in = false;
	for (char *line = strtok(all, "\n"); line; line = strtok(NULL, "\n")) {
		if (!strncmp(line, "crypto ", 7))
			in = true;
		else if (line[0] != ' ' && line[0] != '!')
			in = false;
		if (in) {
			sbuf_puts(&b, line);
			sbuf_puts(&b, "\n");
		}
	}
	free(all);
	return b.s ? sbuf_take(&b) : xstrdup("");
}

/* The crypto part of show running-config is WANT. */
static void assert_crypto_section(const char *want)
{
	char *s = crypto_section();
	assert_string_equal(s, want);
	free(s);
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("missing:\n%s\n--- in:\n%s", needle, hay);
}

/* ---- seeds --------------------------------------------------------------- */
static const char routera[] =
	"crypto isakmp policy 1\n"
	" authentication pre-share\n"
	"crypto isakmp key cisco123 address 0.0.0.0 0.0.0.0 no-xauth\n"
	"!\n"
	"crypto ipsec transform-set trans1 ah-md5-hmac esp-3des\n"
	"!\n"
	"crypto map mymap redundancy replay-interval inbound 1000 outbound 10000\n"
	"crypto map mymap 1 ipsec-isakmp\n"
	" set peer 211.0.0.4\n"
	" set transform-set trans1\n"
	" match address 100\n"
	"!\n"
	"interface FastEthernet0/0\n"
	" crypto map mymap redundancy HAout stateful\n";

static void test_seed_routera(void **state)
{
	assert_int_equal(config(routera, NULL), 0);
	assert_crypto_section(
		"crypto isakmp policy 1\n"
		" authentication pre-share\n"
		"crypto isakmp key cisco123 address 0.0.0.0 0.0.0.0 no-xauth\n"
		"!\n"
		"!\n"
		"crypto ipsec transform-set trans1 ah-md5-hmac esp-3des\n"
		"!\n"
		"crypto map mymap redundancy replay-interval inbound 1000 outbound 10000\n"
		"crypto map mymap 1 ipsec-isakmp\n"
		" set peer 211.0.0.4\n"
		" set transform-set trans1\n"
		" match address 100\n"
		"!\n");
	char *all = cfg_running_text();
	assert_contains(all, "interface FastEthernet0/0\n");
	assert_contains(all, " crypto map mymap redundancy HAout stateful\n");
	free(all);

	const struct crypto_map *m = crypto_map_find("mymap");
	assert_non_null(m);
	assert_int_equal(crypto_map_replay_in(m), 1000);
	assert_int_equal(crypto_map_replay_out(m), 10000);
	const struct cmap_entry *e = crypto_map_entry(m, 1);
	assert_non_null(e);
	assert_int_equal(e->npeer, 1);
	assert_string_equal(e->peer[0], "211.0.0.4");
	assert_string_equal(e->acl, "100");
	const struct cmap_binding *b = crypto_binding_for_iface("FastEthernet0/0");
	assert_non_null(b);
	assert_string_equal(b->map, "mymap");
	assert_string_equal(b->redundancy, "HAout");
	assert_true(b->stateful);
	const struct crypto_tset *t = crypto_tset_find("trans1");
	assert_non_null(t);
	assert_int_equal(t->ah, XF_AH_MD5);
	assert_int_equal(t->esp_enc, XF_ESP_3DES);
	uint32_t peer;
	assert_true(ip_parse("192.0.2.7", &peer));
	const struct isakmp_key *k = crypto_isakmp_key_for(peer);
	assert_non_null(k);
	assert_string_equal(k->key, "cisco123");
	assert_true(k->no_xauth);
}

static const char raha[] =
	"crypto isakmp policy 1\n"
	" encr 3des\n"
	" hash md5\n"
	" authentication pre-share\n"
	" group 2\n"
	"!\n"
	"crypto isakmp client configuration group unity\n"
	" key cisco123\n"
	" domain cisco.com\n"
	" pool client-address-pool\n"
	"!\n"
	"crypto ipsec transform-set trans1 esp-3des esp-sha-hmac\n"
	"!\n"
	"crypto dynamic-map to-remote-client 10\n"
	" set transform-set trans1\n"
	" reverse-route remote-peer\n"
	"!\n"
	"crypto map to_peer_outside_local_xauth client authentication list local_xauth\n"
	"crypto map to_peer_outside_local_xauth isakmp authorization list local_auth\n"
	"crypto map to_peer_outside_local_xauth client configuration address respond\n"
	"crypto map to_peer_outside_local_xauth 10 ipsec-isakmp dynamic to-remote-client\n";

static void test_seed_raha(void **state)
{
	assert_int_equal(config(raha, NULL), 0);
	assert_crypto_section(
		"crypto isakmp policy 1\n"
		" encr 3des\n"
		" hash md5\n"
		" authentication pre-share\n"
		" group 2\n"
		"!\n"
		"crypto isakmp client configuration group unity\n"
		" key cisco123\n"
		" domain cisco.com\n"
		" pool client-address-pool\n"
		"!\n"
		"!\n"
		"crypto ipsec transform-set trans1 esp-3des esp-sha-hmac\n"
		"!\n"
		"crypto dynamic-map to-remote-client 10\n"
		" set transform-set trans1\n"
		" reverse-route remote-peer\n"
		"!\n"
		"!\n"
		"crypto map to_peer_outside_local_xauth client authentication list local_xauth\n"
		"crypto map to_peer_outside_local_xauth isakmp authorization list local_auth\n"
		"crypto map to_peer_outside_local_xauth client configuration address respond\n"
		"crypto map to_peer_outside_local_xauth 10 ipsec-isakmp dynamic to-remote-client\n"
		"!\n");
}

static const char misc[] =
	"crypto isakmp policy 10\n"
	" encr aes 256\n"
	" authentication pre-share\n"
	" group 5\n"
	"crypto isakmp key cisco address 9.1.1.146\n"
	"crypto isakmp keepalive 10 10\n"
	"crypto isakmp keepalive 20 periodic\n"
	"crypto ipsec security-association replay window-size 256\n"
	"crypto ipsec transform-set ESP-AES-256-SHA esp-aes 256 esp-sha-hmac\n"
	"crypto ipsec transform-set trans2 ah-md5-hmac esp-aes\n"
	"crypto ipsec df-bit clear\n"
	"crypto ipsec profile sso-secure\n"
	" set transform-set trans2\n"
	"crypto ipsec profile peer-profile\n"
	" redundancy HA-out stateful\n"
	"crypto dynamic mydynmap 1\n"
	" set transform-set my-transform-set\n"
	" reverse-route\n"
	"crypto dynamic-map vpn1 1\n"
	" set transform-set vpn1\n"
	" set isakmp-profile vpn1-ra\n"
	" reverse-route\n"
	"crypto map IPSEC 10 ipsec-isakmp\n"
	" set peer 10.1.1.1\n"
	" set security-association lifetime seconds 28800\n"
	" set transform-set ESP-AES-256-SHA\n"
	" match address 101\n"
	" reverse-route remote-peer 9.1.1.33\n"
	"crypto map ra 1 ipsec-isakmp dynamic vpn1\n"
	"interface Tunnel1\n"
	" tunnel protection ipsec profile peer-profile\n";

static void test_seed_fragments(void **state)
{
	config_ok(misc);
	assert_crypto_section(
		"crypto isakmp policy 10\n"
		" encr aes 256\n"
		" authentication pre-share\n"
		" group 5\n"
		"crypto isakmp key cisco address 9.1.1.146\n"
		"crypto isakmp keepalive 20 periodic\n"
		"!\n"
		"!\n"
		"crypto ipsec security-association replay window-size 256\n"
		"crypto ipsec transform-set ESP-AES-256-SHA esp-aes 256 esp-sha-hmac\n"
		"crypto ipsec transform-set trans2 ah-md5-hmac esp-aes\n"
		"crypto ipsec df-bit clear\n"
		"!\n"
		"crypto ipsec profile sso-secure\n"
		" set transform-set trans2\n"
		"crypto ipsec profile peer-profile\n"
		" redundancy HA-out stateful\n"
		"!\n"
		"crypto dynamic-map mydynmap 1\n"
		" set transform-set my-transform-set\n"
		" reverse-route\n"
		"crypto dynamic-map vpn1 1\n"
		" set transform-set vpn1\n"
		" set isakmp-profile vpn1-ra\n"
		" reverse-route\n"
		"!\n"
		"!\n"
		"crypto map IPSEC 10 ipsec-isakmp\n"
		" set peer 10.1.1.1\n"
		" set security-association lifetime seconds 28800\n"
		" set transform-set ESP-AES-256-SHA\n"
		" match address 101\n"
		" reverse-route remote-peer 9.1.1.33\n"
		"crypto map ra 1 ipsec-isakmp dynamic vpn1\n"
		"!\n");
	char *all = cfg_running_text();
	assert_contains(all, " tunnel protection ipsec profile peer-profile\n");
	free(all);
	unsigned secs, retry;
	bool periodic;
	assert_true(crypto_isakmp_keepalive(&secs, &retry, &periodic));
	assert_int_equal(secs, 20);
	assert_int_equal(retry, 2);
	assert_true(periodic);
	assert_int_equal(crypto_ipsec_globals()->replay_window, 256);
	assert_string_equal(crypto_tunnel_protection("Tunnel1"), "peer-profile");
	const struct ipsec_profile *p = crypto_ipsec_profile_find("peer-profile");
	assert_non_null(p);
	assert_string_equal(p->redundancy, "HA-out");
	assert_true(p->stateful);
}

/* ---- rejections ---------------------------------------------------------------- */
static void test_rejections(void **state)
{
	static const char *const bad[] = {
		"crypto isakmp key DontUsePresharedKeys address\n",
		"crypto isakmp key very-secret-psk address ASA.hub.outside.135 no-xauth\n",
		"crypto isakmp ssp 1\n",
		"crypto map to-peer- outside redundancy replay-interval inbound 1000 outbound 10000\n",
		"crypto map vpn ha redundancy replay-interval inbound 1000 outbound 1000\n",
		"crypto map vpn ha replay-interval inbound 100 outbound 1\n",
		"crypto ipsec transform-set t esp-des esp-3des\n",
		"crypto ipsec transform-set t ah-md5-hmac ah-sha-hmac\n",
		"crypto ipsec transform-set t esp-md5-hmac esp-sha-hmac\n",
		"crypto isakmp policy 70000\n",
		"crypto map m 1 ipsec-isakmp\n set peer\n",
		"crypto map m 1 ipsec-isakmp\n set peer ASA.hub.outside.135\n",
		"interface FastEthernet0/0\n crypto map vpn ssp 1\n",
		"interface FastEthernet0/0\n tunnel protection ipsec profile p\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		core_reset_all();
		if (config(bad[i], NULL) != 1)
			fail_msg("accepted: %s", bad[i]);
	}
	core_reset_all();
	char *errs;
	config("crypto map to-peer- outside redundancy replay-interval inbound 1000 outbound 10000\n",
	       &errs);
	/* the caret sits under "outside" */
	assert_contains(errs, "\n                                   ^\n"
			      "% Invalid input detected at '^' marker.");
	free(errs);
	config("crypto isakmp key X address\n", &errs);
	assert_contains(errs, "% Incomplete command.");
	free(errs);
	/* nothing of the rejected lines was stored */
	assert_crypto_section("");
	assert_null(crypto_maps());
	assert_null(crypto_isakmp_keys());
}

static void test_set_peer_hostname(void **state)
{
	char *errs;
	assert_int_equal(config("crypto map IPSEC 10 ipsec-isakmp\n"
				" set peer ASA.hub.outside.135\n"
				" set peer vpn.example.com dynamic\n", &errs), 1);
	assert_contains(errs, "Translating \"ASA.hub.outside.135\"...domain "
			      "server (255.255.255.255)\n");
	assert_contains(errs, "% Invalid input detected at '^' marker.");
	free(errs);
	const struct cmap_entry *e =
		crypto_map_entry(crypto_map_find("IPSEC"), 10);
	assert_int_equal(e->npeer, 1);
	assert_string_equal(e->peer[0], "vpn.example.com");
	assert_true(e->peer_dynamic[0]);
}

/* ---- isakmp policy forms and defaults ------------------------------------------ */
static void test_policy_nvgen(void **state)
{
	assert_int_equal(config("crypto isakmp policy 20\n"
				" encryption aes 128\n"
				" hash sha\n"
				" authentication rsa-sig\n"
				" group 1\n"
				" lifetime 86400\n"
				"crypto isakmp policy 5\n"
				" encryption des\n"
				" hash sha256\n"
				" authentication rsa-encr\n"
				" group 14\n"
				" lifetime 120\n"
				" no lifetime\n"
				" default hash\n", NULL), 0);
	assert_crypto_section(
		"crypto isakmp policy 5\n"
		" authentication rsa-encr\n"
		" group 14\n"
		"crypto isakmp policy 20\n"
		" encr aes\n"
		"!\n"
		"!\n");
	const struct isakmp_policy *p = crypto_isakmp_policies();
	assert_int_equal(p->priority, 5);
	assert_int_equal(p->lifetime, 86400);
	assert_int_equal(p->hash, IKE_HASH_SHA);
	assert_int_equal(p->next->encr, IKE_ENCR_AES);
	assert_int_equal(config("no crypto isakmp policy 5\n", NULL), 0);
	assert_int_equal(crypto_isakmp_policies()->priority, 20);
}

static void test_show_isakmp_policy(void **state)
{
	config("crypto isakmp policy 1\n encr 3des\n hash md5\n"
	       " authentication pre-share\n group 2\n", NULL);
	char *out = cli_exec_capture("show crypto isakmp policy");
	assert_string_equal(out,
		"\n"
		"Global IKE policy\n"
		"Protection suite of priority 1\n"
		"        encryption algorithm:   Three key triple DES\n"
		"        hash algorithm:         Message Digest 5\n"
		"        authentication method:  Pre-Shared Key\n"
		"        Diffie-Hellman group:   #2 (1024 bit)\n"
		"        lifetime:               86400 seconds, no volume limit\n"
		"Default protection suite\n"
		"        encryption algorithm:   DES - Data Encryption Standard (56 bit keys).\n"
		"        hash algorithm:         Secure Hash Standard\n"
		"        authentication method:  Rivest-Shamir-Adleman Signature\n"
		"        Diffie-Hellman group:   #1 (768 bit)\n"
		"        lifetime:               86400 seconds, no volume limit\n");
	free(out);
}

/* 12.4's show crypto ipsec profile: its own lifetime else the global one,
 * PFS, the transform sets it names; one profile by name. */
static void test_show_ipsec_profile(void **state)
{
	assert_int_equal(config("crypto ipsec transform-set TS esp-aes esp-sha-hmac\n"
				"crypto ipsec security-association lifetime seconds 1800\n"
				"crypto ipsec profile P\n"
				" set transform-set TS\n"
				" set pfs group2\n"
				" set security-association lifetime kilobytes 10000\n"
				"crypto ipsec profile Q\n", NULL), 0);
	char *out = cli_exec_capture("show crypto ipsec profile");
	assert_string_equal(out,
		"IPSEC profile P\n"
		"        Security association lifetime: 10000 kilobytes/1800 seconds\n"
		"        PFS (Y/N): Y\n"
		"        DH group:  group2\n"
		"        Transform sets={\n"
		"                TS,\n"
		"        }\n"
		"\n"
		"IPSEC profile Q\n"
		"        Security association lifetime: 4608000 kilobytes/1800 seconds\n"
		"        PFS (Y/N): N\n"
		"        Transform sets={\n"
		"        }\n"
		"\n");
	free(out);
	out = cli_exec_capture("show crypto ipsec profile Q");
	assert_non_null(strstr(out, "IPSEC profile Q\n"));
	assert_null(strstr(out, "IPSEC profile P"));
	free(out);
}

/* ---- transform sets ---------------------------------------------------------------- */
static void test_tset(void **state)
{
	/* any order in, IOS order out; mode transport printed under it */
	assert_int_equal(config("crypto ipsec transform-set T esp-sha-hmac esp-aes 192\n"
				" mode transport\n", NULL), 0);
	assert_crypto_section(
		"crypto ipsec transform-set T esp-aes 192 esp-sha-hmac\n"
		" mode transport\n"
		"!\n");
	config("crypto ipsec transform-set trans1 ah-md5-hmac esp-3des\n", NULL);
	char *out = cli_exec_capture("show crypto ipsec transform-set");
	assert_string_equal(out,
		"Transform set T: { esp-192-aes esp-sha-hmac  }\n"
		"   will negotiate = { Transport,  },\n"
		"\n"
		"Transform set trans1: { ah-md5-hmac  }\n"
		"   will negotiate = { Tunnel,  },\n"
		"   { esp-3des  }\n"
		"   will negotiate = { Tunnel,  },\n"
		"\n");
	free(out);
}

/* ---- crypto maps ---------------------------------------------------------------------- */
static void test_cmap_note_and_modes(void **state)
{
	char *out;
	/* a dynamic reference enters no sub-mode: "set peer" is not a global
	 * command */
	assert_int_equal(config("crypto map m 1 ipsec-isakmp dynamic d\n"
				" set peer 10.0.0.9\n", NULL), 1);
	/* a new static entry prints the NOTE, which is no error */
	out = cli_exec_capture("configure terminal");
	free(out);
	char *errs;
	assert_int_equal(config("crypto map m 2\n"
				" set peer 10.0.0.2\n"
				" match address 2000\n"
				" set pfs\n"
				" description to branch 5\n", &errs), 0);
	free(errs);
	assert_crypto_section(
		"crypto map m 1 ipsec-isakmp dynamic d\n"
		"crypto map m 2 ipsec-isakmp\n"
		" description to branch 5\n"
		" set peer 10.0.0.2\n"
		" set pfs group1\n"
		" match address 2000\n"
		"!\n");
	out = cli_exec_capture("show crypto map");
	assert_string_equal(out,
		"Crypto Map \"m\" 1 ipsec-isakmp\n"
		"        Dynamic map template tag: d\n"
		"Crypto Map \"m\" 2 ipsec-isakmp\n"
		"        Description: to branch 5\n"
		"        Peer = 10.0.0.2\n"
		"        Extended IP access list 2000\n"
		"        Current peer: 10.0.0.2\n"
		"        Security association lifetime: 4608000 kilobytes/3600 seconds\n"
		"        PFS (Y/N): Y\n"
		"        DH group:  group1\n"
		"        Transform sets={\n"
		"        }\n"
		"        Interfaces using crypto map m:\n"
		"\n");
	free(out);
	config("no crypto map m 2\nno crypto map m 1\n", NULL);
	assert_null(crypto_maps());
}

static void test_show_crypto_map_binding(void **state)
{
	assert_int_equal(config(routera, NULL), 0);
	char *out = cli_exec_capture("show crypto map tag mymap");
	assert_string_equal(out,
		"Crypto Map \"mymap\" 1 ipsec-isakmp\n"
		"        Peer = 211.0.0.4\n"
		"        Extended IP access list 100\n"
		"        Current peer: 211.0.0.4\n"
		"        Security association lifetime: 4608000 kilobytes/3600 seconds\n"
		"        PFS (Y/N): N\n"
		"        Transform sets={\n"
		"                trans1,\n"
		"        }\n"
		"        Interfaces using crypto map mymap:\n"
		"                FastEthernet0/0\n"
		"\n");
	free(out);
	out = cli_exec_capture("show crypto map tag other");
	assert_string_equal(out, "");
	free(out);
	/* an incomplete entry says so */
	config("crypto map other 5\n set peer 10.9.9.9\n", NULL);
	out = cli_exec_capture("show crypto map tag other");
	assert_contains(out, "WARNING: This crypto map is in an incomplete state!\n");
	free(out);
	/* unbinding */
	config("interface FastEthernet0/0\n no crypto map\n", NULL);
	assert_null(crypto_binding_for_iface("FastEthernet0/0"));
}

/* ---- Easy VPN groups, isakmp profiles, ipsec profile fall-through ------------- */
static void test_groups_profiles(void **state)
{
	config_ok("crypto isakmp client configuration group G1\n"
		  " pool P\n"
		  " domain example.com\n"
		  " acl 150\n"
		  " key k1\n"
		  " dns 10.0.0.53 10.0.0.54\n"
		  " save-password\n"
		  "crypto isakmp profile vpn1-ra\n"
		  "   match identity group G1\n"
		  "   client authentication list L1\n"
		  "   isakmp authorization list L2\n"
		  "   client configuration address respond\n"
		  "   keepalive 10 retry 2\n"
		  "crypto ipsec profile sso-secure\n"
		  " set transform-set trans2\n"
		  "redundancy inter-device\n"
		  " scheme standby HA-in\n");
	assert_crypto_section(
		"crypto isakmp client configuration group G1\n"
		" key k1\n"
		" dns 10.0.0.53 10.0.0.54\n"
		" domain example.com\n"
		" pool P\n"
		" acl 150\n"
		" save-password\n"
		"!\n"
		"crypto isakmp profile vpn1-ra\n"
		"   match identity group G1\n"
		"   client authentication list L1\n"
		"   isakmp authorization list L2\n"
		"   client configuration address respond\n"
		"   keepalive 10 retry 2\n"
		"!\n"
		"!\n"
		"crypto ipsec profile sso-secure\n"
		" set transform-set trans2\n"
		"!\n"
		"!\n");
	/* "redundancy inter-device" was not taken as the profile's group */
	assert_null(crypto_ipsec_profile_find("sso-secure")->redundancy);
	assert_non_null(crypto_isakmp_group_find("G1"));
	assert_non_null(crypto_isakmp_profile_find("vpn1-ra"));
	config("no crypto isakmp profile vpn1-ra\n"
	       "no crypto isakmp client configuration group G1\n", NULL);
	assert_null(crypto_isakmp_group_find("G1"));
	assert_null(crypto_isakmp_profile_find("vpn1-ra"));
}

/* ---- the whole: fixed point and reset ---------------------------------------------------- */
static void test_fixed_point(void **state)
{
	config(routera, NULL);
	config(raha, NULL);
	config(misc, NULL);
	char *first = cfg_running_text();
	core_reset_all();
	char *errs;
	int n = config(first, &errs);
	if (n)
		fail_msg("%d errors pasting show-run back:\n%s", n, errs);
	free(errs);
	char *second = cfg_running_text();
	assert_string_equal(first, second);
	free(first);
	free(second);
	core_reset_all();
	assert_null(crypto_maps());
	assert_null(crypto_dynamic_maps());
	assert_null(crypto_tsets());
	assert_null(crypto_isakmp_policies());
	assert_null(crypto_binding_first());
	assert_null(crypto_ipsec_profiles());
	assert_false(crypto_isakmp_keepalive(NULL, NULL, NULL));
}

/* ---- the entry index: by seq, ascending, the last one ---------------------- */

static void assert_seqs(const char *map, const unsigned *want, size_t n)
{
	const struct crypto_map *m = crypto_map_find(map);
	assert_non_null(m);
	const struct cmap_entry *e = m->entries;
	for (size_t i = 0; i < n; i++, e = e->next) {
		assert_non_null(e);
		assert_int_equal(e->seq, want[i]);
		assert_ptr_equal(crypto_map_entry(m, want[i]), e);
	}
	assert_null(e);
}

static void test_cmap_entry_index(void **state)
{
	assert_int_equal(config("crypto map M 20 ipsec-isakmp\n"
			     " set peer 10.0.0.20\n"
			     "crypto map M 10 ipsec-isakmp\n"
			     "crypto map M 30 ipsec-isakmp\n"
			     "crypto map M 20 ipsec-isakmp\n"
			     " set peer 10.0.0.21\n", NULL), 0);
	assert_seqs("M", (const unsigned[]){10, 20, 30}, 3);
	const struct cmap_entry *e = crypto_map_entry(crypto_map_find("M"), 20);
	assert_int_equal(e->npeer, 2);
	assert_null(crypto_map_entry(crypto_map_find("M"), 15));
	/* the last one goes, then one after it */
	assert_int_equal(config("no crypto map M 30\n"
			     "crypto map M 25 ipsec-isakmp\n"
			     "no crypto map M 10\n"
			     "crypto map M 5 ipsec-isakmp\n", NULL), 0);
	assert_seqs("M", (const unsigned[]){5, 20, 25}, 3);
	assert_null(crypto_map_entry(crypto_map_find("M"), 30));
	assert_int_equal(config("no crypto map M 5\n"
			     "no crypto map M 20\n"
			     "no crypto map M 25\n", NULL), 0);
	assert_null(crypto_map_find("M"));
	assert_int_equal(config("crypto map M 7 ipsec-isakmp\n", NULL), 0);
	assert_seqs("M", (const unsigned[]){7}, 1);
}

/* ---- no and default forms ------------------------------------------------ */
/* Each command's no form (and "default", which runs it) undoes what the
 * positive form did; the no form takes the positive form's arguments too,
 * so "no" in front of a running-config line removes that line. */
static void test_no_forms_isakmp(void **state)
{
	config_ok("crypto isakmp policy 10\n"
		  " encr aes 256\n hash md5\n authentication pre-share\n"
		  " group 14\n lifetime 3600\n"
		  "crypto isakmp policy 20\n encr 3des\n"
		  "crypto isakmp key cisco123 address 0.0.0.0 0.0.0.0 no-xauth\n"
		  "crypto isakmp key k2 hostname peer.example.com\n"
		  "crypto isakmp keepalive 30 5 periodic\n"
		  "crypto isakmp policy 10\n"
		  " no encryption aes 256\n"
		  " default hash\n"
		  " no authentication pre-share\n"
		  " no group 14\n"
		  " default lifetime\n"
		  "no crypto isakmp policy 20\n"
		  "no crypto isakmp key cisco123 address 0.0.0.0 0.0.0.0 no-xauth\n"
		  "no crypto isakmp keepalive 30 5 periodic\n");
	assert_crypto_section(
		"crypto isakmp policy 10\n"
		"crypto isakmp key k2 hostname peer.example.com\n"
		"!\n"
		"!\n");
	const struct isakmp_policy *p = crypto_isakmp_policies();
	assert_int_equal(p->encr, IKE_ENCR_DES);
	assert_int_equal(p->aes_bits, 128);
	assert_int_equal(p->lifetime, 86400);
	assert_null(p->next);
	assert_false(crypto_isakmp_keepalive(NULL, NULL, NULL));
	/* the key goes by its peer: "no crypto isakmp key X hostname H" */
	assert_int_equal(config("default crypto isakmp key any hostname "
				"peer.example.com\n", NULL), 0);
	assert_null(crypto_isakmp_keys());
	/* IOS: "no lifetime" takes the value's range too */
	assert_int_equal(config("crypto isakmp policy 10\n no lifetime 59\n",
				NULL), 1);
}

static void test_no_forms_groups_profiles(void **state)
{
	config_ok("crypto isakmp client configuration group G\n"
		  " key k\n dns 10.0.0.53 10.0.0.54\n wins 10.0.0.1\n"
		  " domain example.com\n pool P\n acl 150\n"
		  " save-password\n include-local-lan\n pfs\n"
		  " netmask 255.255.255.0\n"
		  " no key k\n no dns\n no wins 10.0.0.1\n"
		  " no domain\n default pool\n no acl 150\n"
		  " no save-password\n default include-local-lan\n"
		  " no netmask 255.255.255.0\n"
		  "crypto isakmp profile P1\n"
		  "   description the profile\n   vrf V\n   keyring K\n"
		  "   match identity group G\n"
		  "   match identity address 10.0.0.0 255.0.0.0\n"
		  "   client authentication list L1\n"
		  "   isakmp authorization list L2\n"
		  "   client configuration address initiate\n"
		  "   client configuration address respond\n"
		  "   client configuration group G\n"
		  "   initiate mode aggressive\n"
		  "   local-address FastEthernet0/0\n"
		  "   keepalive 10 retry 2\n"
		  "   no description the profile\n   no vrf\n"
		  "   default keyring\n"
		  "   no match identity group G\n"
		  "   no client authentication list L1\n"
		  "   no isakmp authorization list\n"
		  "   no client configuration address initiate\n"
		  "   no client configuration group\n"
		  "   no initiate mode\n"
		  "   no local-address\n"
		  "   no keepalive 10 retry 2\n");
	assert_crypto_section(
		"crypto isakmp client configuration group G\n"
		" pfs\n"
		"!\n"
		"crypto isakmp profile P1\n"
		"   match identity address 10.0.0.0 255.0.0.0\n"
		"   client configuration address respond\n"
		"!\n"
		"!\n");
}

static void test_no_forms_ipsec(void **state)
{
	config_ok("crypto ipsec security-association lifetime seconds 1800\n"
		  "crypto ipsec security-association lifetime kilobytes 10000\n"
		  "crypto ipsec security-association replay window-size 512\n"
		  "crypto ipsec security-association replay disable\n"
		  "crypto ipsec df-bit set\n"
		  "crypto ipsec transform-set T1 esp-3des esp-sha-hmac\n"
		  " mode transport\n"
		  " no mode transport\n"
		  "crypto ipsec transform-set T2 ah-md5-hmac esp-3des\n"
		  "crypto ipsec profile IPP\n"
		  " set security-association lifetime seconds 900\n"
		  " set transform-set T1 T2\n"
		  " set pfs group2\n"
		  " set isakmp-profile P\n"
		  " redundancy HA stateful\n"
		  "interface Tunnel1\n"
		  " tunnel protection ipsec profile IPP shared\n"
		  "no crypto ipsec security-association lifetime seconds 1800\n"
		  "default crypto ipsec security-association lifetime kilobytes\n"
		  "no crypto ipsec security-association replay window-size 512\n"
		  "no crypto ipsec security-association replay disable\n"
		  "default crypto ipsec df-bit\n"
		  "no crypto ipsec transform-set T2 ah-md5-hmac esp-3des\n"
		  "crypto ipsec profile IPP\n"
		  " no set security-association lifetime seconds\n"
		  " no set transform-set T1 T2\n"
		  " no set pfs group2\n"
		  " default set isakmp-profile\n"
		  " no redundancy HA stateful\n"
		  "interface Tunnel1\n"
		  " no tunnel protection ipsec profile\n");
	assert_crypto_section(
		"crypto ipsec transform-set T1 esp-3des esp-sha-hmac\n"
		"!\n"
		"crypto ipsec profile IPP\n"
		"!\n"
		"!\n");
	const struct ipsec_globals *g = crypto_ipsec_globals();
	assert_int_equal(g->sa_seconds, 3600);
	assert_int_equal(g->sa_kilobytes, 4608000);
	assert_int_equal(g->replay_window, 64);
	assert_int_equal(g->df_bit, DF_BIT_COPY);
	assert_null(crypto_tunnel_protection("Tunnel1"));
	const struct ipsec_profile *p = crypto_ipsec_profile_find("IPP");
	assert_false(p->stateful);
	assert_int_equal(p->ntset, 0);
	/* the no form's value is checked against the kind it names */
	assert_int_equal(config("no crypto ipsec security-association lifetime "
				"seconds 100000\n", NULL), 1);
	assert_int_equal(config("no crypto ipsec security-association lifetime "
				"kilobytes 2000\n", NULL), 1);
}

static void test_no_forms_cmap(void **state)
{
	config_ok("crypto map M client authentication list L\n"
		  "crypto map M isakmp-profile P\n"
		  "crypto map M client configuration address respond\n"
		  "crypto map M redundancy replay-interval inbound 10 outbound 1000\n"
		  "crypto map M 10 ipsec-isakmp\n"
		  " description d\n"
		  " set peer 10.0.0.1\n set peer 10.0.0.2\n"
		  " set peer vpn.example.com dynamic\n"
		  " set security-association lifetime kilobytes 5000\n"
		  " set transform-set T\n set pfs group5\n"
		  " set isakmp-profile P\n match address 101\n"
		  " reverse-route static\n"
		  " no description\n"
		  " no set peer 10.0.0.1\n"
		  " no set peer vpn.example.com dynamic\n"
		  " no set security-association lifetime kilobytes 5000\n"
		  " default set transform-set\n no set pfs\n"
		  " no set isakmp-profile P\n no match address 101\n"
		  " no reverse-route static\n"
		  "no crypto map M client authentication list L\n"
		  "no crypto map M isakmp-profile P\n"
		  "no crypto map M client configuration address respond\n"
		  "no crypto map M redundancy replay-interval\n"
		  "crypto dynamic-map D 5\n set transform-set T\n"
		  "crypto dynamic-map D 6\n"
		  "no crypto dynamic-map D 5\n"
		  "interface FastEthernet0/0\n"
		  " crypto map M redundancy HA stateful\n");
	assert_crypto_section(
		"crypto dynamic-map D 6\n"
		"!\n"
		"!\n"
		"crypto map M 10 ipsec-isakmp\n"
		" set peer 10.0.0.2\n"
		"!\n");
	assert_int_equal(config("interface FastEthernet0/0\n"
				" no crypto map M redundancy HA stateful\n"
				"no crypto dynamic-map D\n"
				"crypto map M 10\n no set peer\n"
				"no crypto map M 10 ipsec-isakmp\n", NULL), 0);
	assert_null(crypto_binding_for_iface("FastEthernet0/0"));
	assert_null(crypto_dynamic_maps());
	assert_null(crypto_maps());
}

/* What a line changed: CLI_OK, CLI_UNCHANGED (a sub-mode of an object
 * that exists, a no form of what is not there, a value set again), or
 * CLI_ERR. */
static void out_write(void *io, const char *p, size_t n)
{
	sbuf_add(io, p, n);
}

static void test_return_codes(void **state)
{
	struct sbuf out;
	sbuf_init(&out);
	struct cli_io io = {.write = out_write, .io = &out, .origin = "console"};
	struct cli *c = cli_session_new(&io, MODE_CONFIG);
	static const struct {
		const char *line;
		int rc;
	} steps[] = {
		{"no crypto isakmp policy 1", CLI_UNCHANGED},
		{"crypto isakmp policy 1", CLI_OK},
		{"hash md5", CLI_OK},
		{"hash md5", CLI_UNCHANGED},
		{"no encryption", CLI_UNCHANGED},
		{"crypto isakmp policy 1", CLI_UNCHANGED},
		{"no crypto isakmp key k address 10.0.0.1", CLI_UNCHANGED},
		{"no crypto isakmp keepalive", CLI_UNCHANGED},
		{"crypto isakmp profile P", CLI_OK},
		{"crypto isakmp profile P", CLI_UNCHANGED},
		{"vrf V", CLI_OK},
		{"vrf V", CLI_UNCHANGED},
		{"no keyring", CLI_UNCHANGED},
		{"match identity group G", CLI_OK},
		{"match identity group G", CLI_UNCHANGED},
		{"no match identity host h", CLI_UNCHANGED},
		{"crypto isakmp client configuration group G", CLI_OK},
		{"no dns", CLI_UNCHANGED},
		{"pfs", CLI_OK},
		{"pfs", CLI_UNCHANGED},
		{"crypto ipsec transform-set T esp-3des", CLI_OK},
		{"mode tunnel", CLI_UNCHANGED},
		{"no crypto ipsec transform-set X", CLI_UNCHANGED},
		{"crypto ipsec df-bit copy", CLI_UNCHANGED},
		{"crypto ipsec security-association lifetime seconds 3600",
		 CLI_UNCHANGED},
		{"crypto ipsec profile IPP", CLI_OK},
		{"crypto ipsec profile IPP", CLI_UNCHANGED},
		{"no set pfs", CLI_UNCHANGED},
		{"no set transform-set", CLI_UNCHANGED},
		{"no redundancy G stateful", CLI_UNCHANGED},
		{"no crypto map M", CLI_UNCHANGED},
		{"no crypto map M client configuration address initiate",
		 CLI_UNCHANGED},
		{"crypto map M 10", CLI_OK},
		{"crypto map M 10 ipsec-isakmp", CLI_UNCHANGED},
		{"set peer 10.0.0.1", CLI_OK},
		{"set peer 10.0.0.1", CLI_UNCHANGED},
		{"set peer unresolved.example.com", CLI_ERR},
		{"no set peer 10.0.0.9", CLI_UNCHANGED},
		{"no reverse-route", CLI_UNCHANGED},
		{"no crypto map M 20", CLI_UNCHANGED},
		{"crypto map M 20 ipsec-isakmp dynamic D", CLI_OK},
		{"crypto map M 20 ipsec-isakmp dynamic D", CLI_UNCHANGED},
		{"crypto dynamic-map D 1", CLI_OK},
		{"crypto dynamic-map D 1", CLI_UNCHANGED},
		{"no crypto dynamic-map E", CLI_UNCHANGED},
		{"interface FastEthernet0/0", CLI_OK},
		{"no crypto map", CLI_UNCHANGED},
		{"no tunnel protection ipsec profile", CLI_UNCHANGED},
		{"tunnel protection ipsec profile IPP", CLI_ERR},
	};
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		int rc = cli_session_line(c, steps[i].line);
		if (rc != steps[i].rc)
			fail_msg("\"%s\": %d, not %d\n%s", steps[i].line, rc,
				 steps[i].rc, out.s ? out.s : "");
	}
	cli_session_free(c);
	sbuf_free(&out);
}

int main(void)
{
	router_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_seed_routera, setup),
		cmocka_unit_test_setup(test_seed_raha, setup),
		cmocka_unit_test_setup(test_seed_fragments, setup),
		cmocka_unit_test_setup(test_rejections, setup),
		cmocka_unit_test_setup(test_set_peer_hostname, setup),
		cmocka_unit_test_setup(test_policy_nvgen, setup),
		cmocka_unit_test_setup(test_show_isakmp_policy, setup),
		cmocka_unit_test_setup(test_tset, setup),
		cmocka_unit_test_setup(test_cmap_note_and_modes, setup),
		cmocka_unit_test_setup(test_show_crypto_map_binding, setup),
		cmocka_unit_test_setup(test_groups_profiles, setup),
		cmocka_unit_test_setup(test_fixed_point, setup),
		cmocka_unit_test_setup(test_cmap_entry_index, setup),
		cmocka_unit_test_setup(test_no_forms_isakmp, setup),
		cmocka_unit_test_setup(test_no_forms_groups_profiles, setup),
		cmocka_unit_test_setup(test_no_forms_ipsec, setup),
		cmocka_unit_test_setup(test_no_forms_cmap, setup),
		cmocka_unit_test_setup(test_return_codes, setup),
		cmocka_unit_test_setup(test_show_ipsec_profile, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
