/* IPsec configuration: transform sets, global security-association settings
 * (lifetimes, anti-replay window, DF bit), ipsec profiles and the tunnel
 * protection that binds a profile to a tunnel interface. */
#include "crypto_int.h"
#include "../platform/platform.h"

#include <stdlib.h>
#include <string.h>

/* ---- state ------------------------------------------------------------------ */
#define SA_SECONDS_DEFAULT    3600u
#define SA_KILOBYTES_DEFAULT  4608000ul
#define REPLAY_WINDOW_DEFAULT 64u

static struct crypto_tset *tsets;         /* creation order */
static struct ipsec_profile *profiles;    /* creation order */
static struct ipsec_globals globals;

/* tunnel protection ipsec profile NAME [shared], per tunnel interface */
struct tprot {
	char *ifname, *profile;
	bool shared;
	struct tprot *next;
};
static struct tprot *tprots;

static void globals_defaults(void)
{
	globals.sa_seconds = SA_SECONDS_DEFAULT;
	globals.sa_kilobytes = SA_KILOBYTES_DEFAULT;
	globals.replay_window = REPLAY_WINDOW_DEFAULT;
	globals.df_bit = DF_BIT_COPY;
	globals.replay_off = false;
}

/* ---- shared helpers ------------------------------------------------------------ */
void crypto_strlist_free(char **v, int *n)
{
	for (int i = 0; i < *n; i++) {
		free(v[i]);
		v[i] = NULL;
	}
	*n = 0;
}

int crypto_tset_cmd(char **v, int *n, const struct cli_args *a)
{
	static const char *const arg[CMAP_MAX_TSETS] = {
		"t1", "t2", "t3", "t4", "t5", "t6",
	};
	int had = *n;
	crypto_strlist_free(v, n);
	if (cli_is_no(a))
		return had ? CLI_OK : CLI_UNCHANGED;
	for (int i = 0; i < CMAP_MAX_TSETS; i++) {
		const char *s = cli_arg(a, arg[i]);
		if (!s)
			break;
		/* a name listed twice is kept once, as IOS does */
		if (crypto_strv_find(v, *n, s) < 0)
			v[(*n)++] = xstrdup(s);
	}
	return CLI_OK;
}

/* ---- public lookups --------------------------------------------------------------- */
static void tset_free(struct crypto_tset *t)
{
	free(t->name);
	free(t);
}

static void profile_free(struct ipsec_profile *p)
{
	free(p->name);
	crypto_strlist_free(p->tset, &p->ntset);
	free(p->isakmp_profile);
	free(p->redundancy);
	free(p);
}

static void tprot_free(struct tprot *t)
{
	free(t->ifname);
	free(t->profile);
	free(t);
}

CRYPTO_LIST_GENERATE(tset, struct crypto_tset, name, tset_free)
CRYPTO_LIST_GENERATE(profile, struct ipsec_profile, name, profile_free)
CRYPTO_LIST_GENERATE(tprot, struct tprot, ifname, tprot_free)

const struct crypto_tset *crypto_tsets(void)
{
	return tsets;
}

const struct crypto_tset *crypto_tset_find(const char *name)
{
	return *tset_slot(&tsets, name);
}

const struct ipsec_globals *crypto_ipsec_globals(void)
{
	return &globals;
}

const struct ipsec_profile *crypto_ipsec_profiles(void)
{
	return profiles;
}

const struct ipsec_profile *crypto_ipsec_profile_find(const char *name)
{
	return *profile_slot(&profiles, name);
}

const char *crypto_tunnel_protection(const char *ifname)
{
	const struct tprot *t = *tprot_slot(&tprots, ifname);
	return t ? t->profile : NULL;
}

/* Names as show crypto ipsec transform-set / show crypto ipsec sa print
 * them (12.4): the AES key size goes in front ("esp-256-aes"). */
const char *crypto_xform_name(enum xform x, unsigned bits)
{
	switch (x) {
	case XF_AH_MD5: return "ah-md5-hmac";
	case XF_AH_SHA: return "ah-sha-hmac";
	case XF_ESP_DES: return "esp-des";
	case XF_ESP_3DES: return "esp-3des";
	case XF_ESP_AES:
		return bits == 256 ? "esp-256-aes" : bits == 192 ? "esp-192-aes"
								 : "esp-aes";
	case XF_ESP_GCM:
		return bits == 256 ? "esp-gcm 256" : bits == 192 ? "esp-gcm 192"
								 : "esp-gcm";
	case XF_ESP_NULL: return "esp-null";
	case XF_ESP_MD5: return "esp-md5-hmac";
	case XF_ESP_SHA: return "esp-sha-hmac";
	case XF_ESP_SHA256: return "esp-sha256-hmac";
	case XF_COMP_LZS: return "comp-lzs";
	case XF_NONE: break;
	}
	return "";
}

/* ---- crypto ipsec transform-set ------------------------------------------------------- */
/* The grammar lets each kind of transform (AH, ESP cipher, ESP integrity,
 * compression) appear once, in any order, as IOS's parser does; the no
 * form removes the set by its name, the transforms typed or not. */
#define TSET_SYNTAX                                                          \
	"[no] crypto ipsec transform-set WORD$name "                         \
	"?[{ (ah-md5-hmac|ah-sha-hmac) "                                     \
	"| (esp-des|esp-3des|esp-aes [(128|192|256)]|esp-gcm [(128|192|256)]|esp-null) " \
	"| (esp-md5-hmac|esp-sha-hmac|esp-sha256-hmac) "                     \
	"| comp-lzs }]"

DEFUN(tset, TSET_SYNTAX,
      "Encryption module\n"
      "Configure IPSEC policy\n"
      "Define transform and settings\n"
      "Transform set tag\n"
      "AH-HMAC-MD5 transform\n"
      "AH-HMAC-SHA transform\n"
      "ESP transform using DES cipher (56 bits)\n"
      "ESP transform using 3DES(EDE) cipher (168 bits)\n"
      "ESP transform using AES cipher\n"
      "128 bit keys.\n"
      "192 bit keys.\n"
      "256 bit keys.\n"
      "ESP transform using GCM cipher\n"
      "128 bit keys.\n"
      "192 bit keys.\n"
      "256 bit keys.\n"
      "ESP transform w/o cipher\n"
      "ESP transform using HMAC-MD5 auth\n"
      "ESP transform using HMAC-SHA auth\n"
      "ESP transform using HMAC-SHA256 auth\n"
      "IP Compression using the LZS compression algorithm\n")
{
	const char *name = cli_arg(a, "name");
	if (cli_is_no(a))
		return tset_remove(&tsets, name) ? CLI_OK : CLI_UNCHANGED;
	struct crypto_tset *t = tset_get(&tsets, name);
	t->ah = cli_has(a, "ah-md5-hmac") ? XF_AH_MD5
	      : cli_has(a, "ah-sha-hmac") ? XF_AH_SHA : XF_NONE;
	t->esp_enc = cli_has(a, "esp-des") ? XF_ESP_DES
		   : cli_has(a, "esp-3des") ? XF_ESP_3DES
		   : cli_has(a, "esp-aes") ? XF_ESP_AES
		   : cli_has(a, "esp-gcm") ? XF_ESP_GCM
		   : cli_has(a, "esp-null") ? XF_ESP_NULL : XF_NONE;
	t->enc_bits = cli_has(a, "256") ? 256 : cli_has(a, "192") ? 192 : 128;
	t->esp_auth = cli_has(a, "esp-md5-hmac") ? XF_ESP_MD5
		    : cli_has(a, "esp-sha-hmac") ? XF_ESP_SHA
		    : cli_has(a, "esp-sha256-hmac") ? XF_ESP_SHA256 : XF_NONE;
	t->comp = cli_has(a, "comp-lzs") ? XF_COMP_LZS : XF_NONE;
	cli_enter(cli, MODE_CRYPTO_TRANS, t);
	return CLI_OK;
}

DEFUN(tset_mode, "[no] mode ?[(tunnel|transport)]",
      "encapsulation mode (transport/tunnel)\n"
      "tunnel (datagram encapsulation) mode\n"
      "transport (payload encapsulation) mode\n")
{
	CLI_CONTEXT(struct crypto_tset, t);
	bool transport = !cli_is_no(a) && cli_has(a, "transport");
	return CLI_SET(t->transport, transport);
}

/* Running-config spelling: the key size follows the keyword and AES-128
 * is written without it. */
static void xform_nvgen(struct sbuf *b, enum xform x, unsigned bits)
{
	if (x == XF_NONE)
		return;
	if (x == XF_ESP_AES || x == XF_ESP_GCM) {
		sbuf_puts(b, x == XF_ESP_AES ? " esp-aes" : " esp-gcm");
		if (bits != 128)
			sbuf_printf(b, " %u", bits);
		return;
	}
	sbuf_printf(b, " %s", crypto_xform_name(x, bits));
}

static void tset_nvgen(struct sbuf *b, const struct crypto_tset *t)
{
	sbuf_printf(b, "crypto ipsec transform-set %s", t->name);
	xform_nvgen(b, t->ah, 0);
	xform_nvgen(b, t->esp_enc, t->enc_bits);
	xform_nvgen(b, t->esp_auth, 0);
	xform_nvgen(b, t->comp, 0);
	sbuf_puts(b, "\n");
	if (t->transport)
		sbuf_puts(b, " mode transport\n");
}

/* ---- global security-association settings ----------------------------------------------- */
DEFUN(sa_lifetime,
      "[no] crypto ipsec security-association " SA_LIFETIME_SYNTAX,
      "Encryption module\n"
      "Configure IPSEC policy\n"
      "Security association parameters\n" SA_LIFETIME_HELP)
{
	return crypto_lifetime_cmd(a, &globals.sa_seconds, &globals.sa_kilobytes,
				   SA_SECONDS_DEFAULT, SA_KILOBYTES_DEFAULT);
}

#define SA_REPLAY_SYNTAX                                                   \
	"[no] crypto ipsec security-association replay "                   \
	"(window-size [(64|128|256|512|1024)]|disable)"
#define SA_REPLAY_HELP                                                     \
	"Encryption module\n"                                              \
	"Configure IPSEC policy\n"                                         \
	"Security association parameters\n"                                \
	"Set replay checking.\n"                                           \
	"Set replay window size.\n"                                        \
	"Window size of 64\n"                                              \
	"Window size of 128\n"                                             \
	"Window size of 256\n"                                             \
	"Window size of 512\n"                                             \
	"Window size of 1024\n"                                            \
	"Disable replay checking.\n"

/* "replay window-size [N]" sets the window (64 when N is left out) and
 * "no ... replay window-size [N]" puts it back to 64; "replay disable" and
 * its no form turn checking off and on. */
DEFUN(sa_replay, SA_REPLAY_SYNTAX, SA_REPLAY_HELP)
{
	static const unsigned sz[] = {64, 128, 256, 512, 1024};
	static const char *const kw[] = {"64", "128", "256", "512", "1024"};
	if (cli_has(a, "disable")) {
		bool off = !cli_is_no(a);
		return CLI_SET(globals.replay_off, off);
	}
	unsigned window = REPLAY_WINDOW_DEFAULT;
	for (size_t i = 0; !cli_is_no(a) && i < sizeof sz / sizeof sz[0]; i++)
		if (cli_has(a, kw[i]))
			window = sz[i];
	return CLI_SET(globals.replay_window, window);
}

DEFUN(df_bit, "[no] crypto ipsec df-bit ?[(clear|set|copy)]",
      "Encryption module\n"
      "Configure IPSEC policy\n"
      "Handling of encapsulated DF bit.\n"
      "Clear DF bit for encapsulated packets.\n"
      "Set DF bit for encapsulated packets.\n"
      "Copy DF bit from inner for encapsulated packets.\n")
{
	enum ipsec_df_bit df = DF_BIT_COPY;  /* what the no form restores */
	if (!cli_is_no(a) && cli_has(a, "clear"))
		df = DF_BIT_CLEAR;
	else if (!cli_is_no(a) && cli_has(a, "set"))
		df = DF_BIT_SET;
	return CLI_SET(globals.df_bit, df);
}

/* ---- crypto ipsec profile -------------------------------------------------------------------- */

DEFUN(ipsec_profile, "[no] crypto ipsec profile WORD$name",
      "Encryption module\n"
      "Configure IPSEC policy\n"
      "Configure an ipsec policy profile\n"
      "Profile name\n")
{
	return profile_edit(cli, a, &profiles, cli_arg(a, "name"),
			   MODE_IPSEC_PROFILE);
}

DEFUN(prof_tset, CRYPTO_TSET_SYNTAX, CRYPTO_TSET_HELP)
{
	CLI_CONTEXT(struct ipsec_profile, p);
	return crypto_tset_cmd(p->tset, &p->ntset, a);
}

/* "set pfs" alone means group1, the IOS default group. */
int crypto_pfs_cmd(const struct cli_args *a, unsigned *group)
{
	unsigned g = cli_is_no(a) ? 0
		   : cli_has(a, "group2") ? 2
		   : cli_has(a, "group5") ? 5
		   : cli_has(a, "group14") ? 14 : 1;
	return CLI_SET(*group, g);
}

DEFUN(prof_pfs, CRYPTO_PFS_SYNTAX, CRYPTO_PFS_HELP)
{
	CLI_CONTEXT(struct ipsec_profile, p);
	return crypto_pfs_cmd(a, &p->pfs_group);
}

DEFUN(prof_sa_lifetime, "[no] set security-association " SA_LIFETIME_SYNTAX,
      "Set a value\n"
      "Security association parameters\n" SA_LIFETIME_HELP)
{
	CLI_CONTEXT(struct ipsec_profile, p);
	return crypto_lifetime_cmd(a, &p->sa_seconds, &p->sa_kilobytes, 0, 0);
}

CRYPTO_DEFUN_STR(prof_isakmp_profile, struct ipsec_profile, isakmp_profile,
		 "set isakmp-profile", "WORD$name", "name",
		 "Set a value\n"
		 "Specify isakmp Profile\n"
		 "isakmp profile name\n")

/* 12.3(11)T: "redundancy standby-group-name stateful", the keyword is not
 * optional here (so "redundancy inter-device" pasted after a profile
 * falls through to global configuration, as on IOS). */
DEFUN(prof_redundancy, "[no] redundancy WORD$grp stateful",
      "Configure HA for this ipsec profile\n"
      "Redundancy group name\n"
      "enable stateful failover\n")
{
	CLI_CONTEXT(struct ipsec_profile, p);
	bool on = !cli_is_no(a);
	const char *grp = on ? cli_arg(a, "grp") : NULL;
	int rc = cli_set_str(&p->redundancy, grp);
	if (p->stateful != on) {
		p->stateful = on;
		rc = CLI_OK;
	}
	return rc;
}

/* With the no form, the one the arguments name goes back to its default. */
int crypto_lifetime_cmd(const struct cli_args *a, unsigned *secs,
			unsigned long *kb, unsigned def_secs,
			unsigned long def_kb)
{
	bool no = cli_is_no(a);
	if (cli_has(a, "seconds")) {
		unsigned v = no ? def_secs : (unsigned)cli_arg_num(a, "secs");
		return CLI_SET(*secs, v);
	}
	unsigned long v = no ? def_kb : cli_arg_num(a, "kb");
	return CLI_SET(*kb, v);
}

void crypto_lifetime_nvgen(struct sbuf *b, unsigned secs, unsigned long kb)
{
	if (secs)
		sbuf_printf(b, " set security-association lifetime seconds %u\n",
			    secs);
	if (kb)
		sbuf_printf(b, " set security-association lifetime kilobytes %lu\n",
			    kb);
}

void crypto_tsets_nvgen(struct sbuf *b, char *const *v, int n)
{
	if (!n)
		return;
	sbuf_puts(b, " set transform-set");
	for (int i = 0; i < n; i++)
		sbuf_printf(b, " %s", v[i]);
	sbuf_puts(b, "\n");
}

static void profile_nvgen(struct sbuf *b, const struct ipsec_profile *p)
{
	sbuf_printf(b, "crypto ipsec profile %s\n", p->name);
	crypto_lifetime_nvgen(b, p->sa_seconds, p->sa_kilobytes);
	crypto_tsets_nvgen(b, p->tset, p->ntset);
	if (p->pfs_group)
		sbuf_printf(b, " set pfs group%u\n", p->pfs_group);
	if (p->isakmp_profile)
		sbuf_printf(b, " set isakmp-profile %s\n", p->isakmp_profile);
	if (p->redundancy)
		sbuf_printf(b, " redundancy %s stateful\n", p->redundancy);
}

/* ---- tunnel protection (interface) ---------------------------------------------------------- */

/* A profile that names a transform set nobody defined cannot protect the
 * tunnel; a stateful one needs the tunnel sourced from the group's virtual
 * IP address, never from an interface (seed 001: "The tunnel source
 * address must be a VIP address, and it must not be an interface name"). */
static bool profile_usable(struct cli *cli, const struct iface *tun,
			   const char *name)
{
	const struct ipsec_profile *p = *profile_slot(&profiles, name);
	for (int i = 0; p && i < p->ntset; i++)
		if (!crypto_tset_find(p->tset[i])) {
			cli_printf(cli, "ERROR: transform set with tag \"%s\" does "
				   "not exist.\n", p->tset[i]);
			return false;
		}
	if (p && p->redundancy && iface_tunnel_source_is_iface(tun)) {
		cli_printf(cli, "%% Tunnel source of %s is an interface: stateful "
			   "failover (redundancy %s) needs the tunnel source to be "
			   "the virtual IP address\n", iface_name(tun),
			   p->redundancy);
		return false;
	}
	return true;
}

/* Only tunnel interfaces have "tunnel" commands; the no form, which finds
 * nothing to remove elsewhere, is taken on any interface. */
DEFUN(tunnel_protection,
      "[no] tunnel protection ipsec profile ?[WORD$name [shared]]",
      "protocol-over-protocol tunneling\n"
      "Enable tunnel protection\n"
      "Use ipsec protection\n"
      "Determine the ipsec policy profile to use.\n"
      "Name\n"
      "Share the same ipsec protection with other tunnels\n")
{
	CLI_CONTEXT(struct iface, ifp);
	if (cli_is_no(a))
		return tprot_remove(&tprots, iface_name(ifp)) ? CLI_OK
							       : CLI_UNCHANGED;
	if (iface_type(ifp) != IFT_TUNNEL) {
		cli_invalid_arg(cli, a, 0);
		return CLI_ERR;
	}
	if (!profile_usable(cli, ifp, cli_arg(a, "name")))
		return CLI_ERR;
	struct tprot *t = tprot_get(&tprots, iface_name(ifp));
	xstrset(&t->profile, cli_arg(a, "name"));
	t->shared = cli_has(a, "shared");
	return CLI_OK;
}

static void tprot_iface_writer(struct sbuf *b, struct iface *ifp)
{
	struct tprot *t = *tprot_slot(&tprots, iface_name(ifp));
	if (t)
		sbuf_printf(b, " tunnel protection ipsec profile %s%s\n",
			    t->profile, t->shared ? " shared" : "");
}

static void tprot_iface_removed(enum core_event ev, void *data, void *ctx)
{
	tprot_remove(&tprots, iface_name(data));
}

/* ---- running-config ---------------------------------------------------------------------------- */
bool ipsec_nvgen_tsets(struct sbuf *b)
{
	size_t start = b->len;
	if (globals.sa_seconds != SA_SECONDS_DEFAULT)
		sbuf_printf(b, "crypto ipsec security-association lifetime "
			       "seconds %u\n", globals.sa_seconds);
	if (globals.sa_kilobytes != SA_KILOBYTES_DEFAULT)
		sbuf_printf(b, "crypto ipsec security-association lifetime "
			       "kilobytes %lu\n", globals.sa_kilobytes);
	if (globals.replay_window != REPLAY_WINDOW_DEFAULT)
		sbuf_printf(b, "crypto ipsec security-association replay "
			       "window-size %u\n", globals.replay_window);
	if (globals.replay_off)
		sbuf_puts(b, "crypto ipsec security-association replay disable\n");
	for (const struct crypto_tset *t = tsets; t; t = t->next)
		tset_nvgen(b, t);
	if (globals.df_bit == DF_BIT_CLEAR)
		sbuf_puts(b, "crypto ipsec df-bit clear\n");
	else if (globals.df_bit == DF_BIT_SET)
		sbuf_puts(b, "crypto ipsec df-bit set\n");
	return b->len != start;
}

bool ipsec_nvgen_profiles(struct sbuf *b)
{
	for (const struct ipsec_profile *p = profiles; p; p = p->next)
		profile_nvgen(b, p);
	return profiles != NULL;
}

/* IOS's line in show interfaces TunnelN, after the tunnel's bandwidths. */
static void tprot_iface_show(struct sbuf *b, const struct iface *ifp)
{
	const char *profile = crypto_tunnel_protection(iface_name(ifp));
	if (profile)
		sbuf_printf(b, "  Tunnel protection via IPSec (profile \"%s\")\n", profile);
}

/* ---- lifecycle ------------------------------------------------------------------------------------ */
void ipsec_cfg_reset(void)
{
	tset_clear(&tsets);
	profile_clear(&profiles);
	tprot_clear(&tprots);
	globals_defaults();
}

void ipsec_cfg_init(void)
{
	static const struct cli_command *const global[] = {
		&tset_cmd, &sa_lifetime_cmd, &sa_replay_cmd, &df_bit_cmd,
		&ipsec_profile_cmd,
	};
	static const struct cli_command *const profile[] = {
		&prof_tset_cmd, &prof_pfs_cmd, &prof_sa_lifetime_cmd,
		&prof_isakmp_profile_cmd, &prof_redundancy_cmd,
	};
	for (size_t i = 0; i < sizeof global / sizeof global[0]; i++)
		cli_install(MODE_CONFIG, global[i]);
	for (size_t i = 0; i < sizeof profile / sizeof profile[0]; i++)
		cli_install(MODE_IPSEC_PROFILE, profile[i]);
	cli_install(MODE_CRYPTO_TRANS, &tset_mode_cmd);
	cli_install(MODE_IF, &tunnel_protection_cmd);
	/* IOS writes tunnel protection after the tunnel's source, destination
	 * and mode lines, which platform/ writes at IFCFG_TUNNEL. */
	iface_register_writer(IFCFG_TUNNEL + 1, tprot_iface_writer);
	iface_set_tunnel_show(tprot_iface_show);
	core_subscribe(EVT_IFACE_REMOVED, tprot_iface_removed, NULL);
	globals_defaults();
}
