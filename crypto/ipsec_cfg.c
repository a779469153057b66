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
static bool replay_disabled;              /* security-association replay disable */

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
	replay_disabled = false;
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

void crypto_strlist_set(char **v, int *n, const struct cli_args *a)
{
	static const char *const arg[CMAP_MAX_TSETS] = {
		"t1", "t2", "t3", "t4", "t5", "t6",
	};
	crypto_strlist_free(v, n);
	for (int i = 0; i < CMAP_MAX_TSETS; i++) {
		const char *s = cli_arg(a, arg[i]);
		if (!s)
			break;
		/* a name listed twice is kept once, as IOS does */
		bool dup = false;
		for (int j = 0; j < *n; j++)
			dup = dup || !strcmp(v[j], s);
		if (!dup)
			v[(*n)++] = xstrdup(s);
	}
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
 * compression) appear once, in any order, as IOS's parser does. */
#define TSET_SYNTAX                                                          \
	"crypto ipsec transform-set WORD$name "                              \
	"{ (ah-md5-hmac|ah-sha-hmac) "                                       \
	"| (esp-des|esp-3des|esp-aes [(128|192|256)]|esp-gcm [(128|192|256)]|esp-null) " \
	"| (esp-md5-hmac|esp-sha-hmac|esp-sha256-hmac) "                     \
	"| comp-lzs }"

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
	struct crypto_tset *t = tset_get(&tsets, cli_arg(a, "name"));
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

DEFUN(no_tset, "no crypto ipsec transform-set WORD$name",
      "Negate a command or set its defaults\n"
      "Encryption module\n"
      "Configure IPSEC policy\n"
      "Define transform and settings\n"
      "Transform set tag\n")
{
	tset_remove(&tsets, cli_arg(a, "name"));
	return CLI_OK;
}

DEFUN(tset_mode, "mode (tunnel|transport)",
      "encapsulation mode (transport/tunnel)\n"
      "tunnel (datagram encapsulation) mode\n"
      "transport (payload encapsulation) mode\n")
{
	CLI_CONTEXT(struct crypto_tset, t);
	t->transport = cli_has(a, "transport");
	return CLI_OK;
}

DEFUN(no_tset_mode, "no mode [(tunnel|transport)]",
      "Negate a command or set its defaults\n"
      "encapsulation mode (transport/tunnel)\n"
      "tunnel (datagram encapsulation) mode\n"
      "transport (payload encapsulation) mode\n")
{
	CLI_CONTEXT(struct crypto_tset, t);
	t->transport = false;
	return CLI_OK;
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
DEFUN(sa_lifetime, "crypto ipsec security-association " SA_LIFETIME_SYNTAX,
      "Encryption module\n"
      "Configure IPSEC policy\n"
      "Security association parameters\n" SA_LIFETIME_HELP)
{
	crypto_lifetime_set(a, &globals.sa_seconds, &globals.sa_kilobytes);
	return CLI_OK;
}

DEFUN(no_sa_lifetime,
      "no crypto ipsec security-association " NO_SA_LIFETIME_SYNTAX,
      "Negate a command or set its defaults\n"
      "Encryption module\n"
      "Configure IPSEC policy\n"
      "Security association parameters\n" NO_SA_LIFETIME_HELP)
{
	crypto_lifetime_unset(a, &globals.sa_seconds, &globals.sa_kilobytes,
			      SA_SECONDS_DEFAULT, SA_KILOBYTES_DEFAULT);
	return CLI_OK;
}

#define SA_REPLAY_SYNTAX                                                   \
	"crypto ipsec security-association replay "                        \
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

DEFUN(sa_replay, SA_REPLAY_SYNTAX, SA_REPLAY_HELP)
{
	static const unsigned sz[] = {64, 128, 256, 512, 1024};
	static const char *const kw[] = {"64", "128", "256", "512", "1024"};
	if (cli_has(a, "disable")) {
		replay_disabled = true;
		return CLI_OK;
	}
	globals.replay_window = REPLAY_WINDOW_DEFAULT;
	for (size_t i = 0; i < sizeof sz / sizeof sz[0]; i++)
		if (cli_has(a, kw[i]))
			globals.replay_window = sz[i];
	return CLI_OK;
}

DEFUN(no_sa_replay, "no " SA_REPLAY_SYNTAX,
      "Negate a command or set its defaults\n" SA_REPLAY_HELP)
{
	if (cli_has(a, "disable"))
		replay_disabled = false;
	else
		globals.replay_window = REPLAY_WINDOW_DEFAULT;
	return CLI_OK;
}

DEFUN(df_bit, "crypto ipsec df-bit (clear|set|copy)",
      "Encryption module\n"
      "Configure IPSEC policy\n"
      "Handling of encapsulated DF bit.\n"
      "Clear DF bit for encapsulated packets.\n"
      "Set DF bit for encapsulated packets.\n"
      "Copy DF bit from inner for encapsulated packets.\n")
{
	globals.df_bit = cli_has(a, "clear") ? DF_BIT_CLEAR
		       : cli_has(a, "set") ? DF_BIT_SET : DF_BIT_COPY;
	return CLI_OK;
}

DEFUN(no_df_bit, "no crypto ipsec df-bit [(clear|set|copy)]",
      "Negate a command or set its defaults\n"
      "Encryption module\n"
      "Configure IPSEC policy\n"
      "Handling of encapsulated DF bit.\n"
      "Clear DF bit for encapsulated packets.\n"
      "Set DF bit for encapsulated packets.\n"
      "Copy DF bit from inner for encapsulated packets.\n")
{
	globals.df_bit = DF_BIT_COPY;
	return CLI_OK;
}

/* ---- crypto ipsec profile -------------------------------------------------------------------- */

DEFUN(ipsec_profile, "crypto ipsec profile WORD$name",
      "Encryption module\n"
      "Configure IPSEC policy\n"
      "Configure an ipsec policy profile\n"
      "Profile name\n")
{
	cli_enter(cli, MODE_IPSEC_PROFILE,
		  profile_get(&profiles, cli_arg(a, "name")));
	return CLI_OK;
}

DEFUN(no_ipsec_profile, "no crypto ipsec profile WORD$name",
      "Negate a command or set its defaults\n"
      "Encryption module\n"
      "Configure IPSEC policy\n"
      "Configure an ipsec policy profile\n"
      "Profile name\n")
{
	profile_remove(&profiles, cli_arg(a, "name"));
	return CLI_OK;
}

DEFUN(prof_tset, CRYPTO_TSET_SYNTAX, CRYPTO_TSET_HELP)
{
	CLI_CONTEXT(struct ipsec_profile, p);
	crypto_strlist_set(p->tset, &p->ntset, a);
	return CLI_OK;
}

DEFUN(no_prof_tset, "no set transform-set [WORD [WORD [WORD [WORD [WORD [WORD]]]]]]",
      "Negate a command or set its defaults\n"
      "Set a value\n"
      "Specify list of transform sets in priority order\n"
      "Transform set name\n" "Transform set name\n" "Transform set name\n"
      "Transform set name\n" "Transform set name\n" "Transform set name\n")
{
	CLI_CONTEXT(struct ipsec_profile, p);
	crypto_strlist_free(p->tset, &p->ntset);
	return CLI_OK;
}

/* "set pfs" alone means group1, the IOS default group. */
unsigned crypto_pfs_group(const struct cli_args *a)
{
	if (cli_has(a, "group2"))
		return 2;
	if (cli_has(a, "group5"))
		return 5;
	if (cli_has(a, "group14"))
		return 14;
	return 1;
}

DEFUN(prof_pfs, CRYPTO_PFS_SYNTAX, CRYPTO_PFS_HELP)
{
	CLI_CONTEXT(struct ipsec_profile, p);
	p->pfs_group = crypto_pfs_group(a);
	return CLI_OK;
}

DEFUN(no_prof_pfs, "no " CRYPTO_PFS_SYNTAX,
      "Negate a command or set its defaults\n" CRYPTO_PFS_HELP)
{
	CLI_CONTEXT(struct ipsec_profile, p);
	p->pfs_group = 0;
	return CLI_OK;
}

DEFUN(prof_sa_lifetime, "set security-association " SA_LIFETIME_SYNTAX,
      "Set a value\n"
      "Security association parameters\n" SA_LIFETIME_HELP)
{
	CLI_CONTEXT(struct ipsec_profile, p);
	crypto_lifetime_set(a, &p->sa_seconds, &p->sa_kilobytes);
	return CLI_OK;
}

DEFUN(no_prof_sa_lifetime,
      "no set security-association " NO_SA_LIFETIME_SYNTAX,
      "Negate a command or set its defaults\n"
      "Set a value\n"
      "Security association parameters\n" NO_SA_LIFETIME_HELP)
{
	CLI_CONTEXT(struct ipsec_profile, p);
	crypto_lifetime_unset(a, &p->sa_seconds, &p->sa_kilobytes, 0, 0);
	return CLI_OK;
}

CRYPTO_DEFUN_STR(prof_isakmp_profile, struct ipsec_profile, isakmp_profile,
		 "set isakmp-profile", "WORD$name", "name",
		 "Set a value\n"
		 "Specify isakmp Profile\n"
		 "isakmp profile name\n")

/* 12.3(11)T: "redundancy standby-group-name stateful", the keyword is not
 * optional here (so "redundancy inter-device" pasted after a profile
 * falls through to global configuration, as on IOS). */
DEFUN(prof_redundancy, "redundancy WORD$grp stateful",
      "Configure HA for this ipsec profile\n"
      "Redundancy group name\n"
      "enable stateful failover\n")
{
	CLI_CONTEXT(struct ipsec_profile, p);
	xstrset(&p->redundancy, cli_arg(a, "grp"));
	p->stateful = true;
	return CLI_OK;
}

DEFUN(no_prof_redundancy, "no redundancy WORD stateful",
      "Negate a command or set its defaults\n"
      "Configure HA for this ipsec profile\n"
      "Redundancy group name\n"
      "enable stateful failover\n")
{
	CLI_CONTEXT(struct ipsec_profile, p);
	xstrset(&p->redundancy, NULL);
	p->stateful = false;
	return CLI_OK;
}

void crypto_lifetime_set(const struct cli_args *a, unsigned *secs,
			 unsigned long *kb)
{
	if (cli_has(a, "secs"))
		*secs = (unsigned)cli_arg_num(a, "secs");
	else
		*kb = cli_arg_num(a, "kb");
}

void crypto_lifetime_unset(const struct cli_args *a, unsigned *secs,
			   unsigned long *kb, unsigned def_secs,
			   unsigned long def_kb)
{
	if (cli_has(a, "seconds"))
		*secs = def_secs;
	else
		*kb = def_kb;
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

DEFUN(tunnel_protection, "tunnel protection ipsec profile WORD$name [shared]",
      "protocol-over-protocol tunneling\n"
      "Enable tunnel protection\n"
      "Use ipsec protection\n"
      "Determine the ipsec policy profile to use.\n"
      "Name\n"
      "Share the same ipsec protection with other tunnels\n")
{
	CLI_CONTEXT(struct iface, ifp);
	/* only tunnel interfaces have "tunnel" commands */
	if (iface_type(ifp) != IFT_TUNNEL) {
		cli_invalid_arg(cli, a, 0);
		return CLI_ERR;
	}
	struct tprot *t = tprot_get(&tprots, iface_name(ifp));
	xstrset(&t->profile, cli_arg(a, "name"));
	t->shared = cli_has(a, "shared");
	return CLI_OK;
}

DEFUN(no_tunnel_protection, "no tunnel protection ipsec profile [WORD [shared]]",
      "Negate a command or set its defaults\n"
      "protocol-over-protocol tunneling\n"
      "Enable tunnel protection\n"
      "Use ipsec protection\n"
      "Determine the ipsec policy profile to use.\n"
      "Name\n"
      "Share the same ipsec protection with other tunnels\n")
{
	CLI_CONTEXT(struct iface, ifp);
	tprot_remove(&tprots, iface_name(ifp));
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
	if (replay_disabled)
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
		&tset_cmd, &no_tset_cmd,
		&sa_lifetime_cmd, &no_sa_lifetime_cmd,
		&sa_replay_cmd, &no_sa_replay_cmd,
		&df_bit_cmd, &no_df_bit_cmd,
		&ipsec_profile_cmd, &no_ipsec_profile_cmd,
	};
	static const struct cli_command *const profile[] = {
		&prof_tset_cmd, &no_prof_tset_cmd,
		&prof_pfs_cmd, &no_prof_pfs_cmd,
		&prof_sa_lifetime_cmd, &no_prof_sa_lifetime_cmd,
		&prof_isakmp_profile_cmd, &no_prof_isakmp_profile_cmd,
		&prof_redundancy_cmd, &no_prof_redundancy_cmd,
	};
	for (size_t i = 0; i < sizeof global / sizeof global[0]; i++)
		cli_install(MODE_CONFIG, global[i]);
	for (size_t i = 0; i < sizeof profile / sizeof profile[0]; i++)
		cli_install(MODE_IPSEC_PROFILE, profile[i]);
	cli_install(MODE_CRYPTO_TRANS, &tset_mode_cmd);
	cli_install(MODE_CRYPTO_TRANS, &no_tset_mode_cmd);
	cli_install(MODE_IF, &tunnel_protection_cmd);
	cli_install(MODE_IF, &no_tunnel_protection_cmd);
	/* IOS writes tunnel protection after the tunnel's source, destination
	 * and mode lines, which platform/ writes at IFCFG_TUNNEL. */
	iface_register_writer(IFCFG_TUNNEL + 1, tprot_iface_writer);
	core_subscribe(EVT_IFACE_REMOVED, tprot_iface_removed, NULL);
	globals_defaults();
}
