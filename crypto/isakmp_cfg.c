/* ISAKMP (IKE phase 1) configuration: protection-suite policies, pre-shared
 * keys, keepalives (DPD), Easy VPN client configuration groups and isakmp
 * profiles, with their commands and running-config lines. */
#include "crypto_int.h"

#include <stdlib.h>
#include <string.h>

/* ---- state ---------------------------------------------------------------- */
static struct isakmp_policy *policies;    /* ascending priority */
static struct isakmp_key *keys;           /* creation order */
static struct {
	bool on;
	unsigned secs, retry;
	bool periodic;
} keepalive;

#define IKE_KEEPALIVE_RETRY_DEFAULT 2u

static unsigned nat_keepalive;            /* crypto isakmp nat keepalive S */
static unsigned cac_in_nego, cac_sa;      /* crypto call admission limit ike */

#define GROUP_MAX_ADDR 2
struct isakmp_group {
	char *name;
	char *key;
	uint32_t dns[GROUP_MAX_ADDR], wins[GROUP_MAX_ADDR];
	int ndns, nwins;
	char *domain, *pool, *acl;
	uint32_t netmask;
	bool save_password, include_local_lan, pfs;
	struct isakmp_group *next;
};
static struct isakmp_group *groups;

struct isakmp_profile {
	char *name;
	char *description, *vrf, *keyring;
	char **match;                     /* "group G", "address A M", "host H" */
	int nmatch;
	char *client_auth_list, *isakmp_author_list, *client_cfg_group;
	bool cfg_addr_initiate, cfg_addr_respond, aggressive;
	char *local_address;
	unsigned ka_secs, ka_retry;       /* 0 = none */
	struct isakmp_profile *next;
};
static struct isakmp_profile *profiles;

/* ---- public lookups ------------------------------------------------------- */
const struct isakmp_policy *crypto_isakmp_policies(void)
{
	return policies;
}

const struct isakmp_key *crypto_isakmp_keys(void)
{
	return keys;
}

const struct isakmp_key *crypto_isakmp_key_for(uint32_t peer)
{
	const struct isakmp_key *best = NULL;
	for (const struct isakmp_key *k = keys; k; k = k->next) {
		if (k->hostname || (peer & k->mask) != (k->addr & k->mask))
			continue;
		if (!best || mask_len(k->mask) > mask_len(best->mask))
			best = k;
	}
	return best;
}

bool crypto_isakmp_keepalive(unsigned *secs, unsigned *retry, bool *periodic)
{
	if (secs)
		*secs = keepalive.secs;
	if (retry)
		*retry = keepalive.retry;
	if (periodic)
		*periodic = keepalive.periodic;
	return keepalive.on;
}

static void group_free(struct isakmp_group *g);
static void profile_free(struct isakmp_profile *p);
CRYPTO_LIST_GENERATE(group, struct isakmp_group, name, group_free)
CRYPTO_LIST_GENERATE(profile, struct isakmp_profile, name, profile_free)

const struct isakmp_group *crypto_isakmp_group_find(const char *name)
{
	return *group_slot(&groups, name);
}

const struct isakmp_profile *crypto_isakmp_profile_find(const char *name)
{
	return *profile_slot(&profiles, name);
}

/* ---- crypto isakmp policy ----------------------------------------------------- */
static void policy_defaults(struct isakmp_policy *p)
{
	p->encr = IKE_ENCR_DES;
	p->aes_bits = 128;
	p->hash = IKE_HASH_SHA;
	p->auth = IKE_AUTH_RSA_SIG;
	p->group = IKE_DEFAULT_GROUP;
	p->lifetime = IKE_DEFAULT_LIFETIME;
}

/* Find or create policy PRI; *created tells whether it is new. */
static struct isakmp_policy *policy_get(unsigned pri, bool *created)
{
	struct isakmp_policy **pp = &policies;
	while (*pp && (*pp)->priority < pri)
		pp = &(*pp)->next;
	*created = !*pp || (*pp)->priority != pri;
	if (!*created)
		return *pp;
	struct isakmp_policy *p = xcalloc(1, sizeof *p);
	CLI_OBJ_REGISTER(p, struct isakmp_policy);
	p->priority = pri;
	policy_defaults(p);
	p->next = *pp;
	*pp = p;
	return p;
}

/* Removing a policy that is not there changes nothing. */
static int policy_delete(unsigned pri)
{
	for (struct isakmp_policy **pp = &policies; *pp; pp = &(*pp)->next) {
		if ((*pp)->priority != pri)
			continue;
		struct isakmp_policy *p = *pp;
		*pp = p->next;
		cli_obj_release(p);
		free(p);
		return CLI_OK;
	}
	return CLI_UNCHANGED;
}

DEFUN(isakmp_policy, "[no] crypto isakmp policy <1-10000>$pri",
      "Encryption module\n"
      "Configure ISAKMP policy\n"
      "Set policy for an ISAKMP protection suite\n"
      "Priority of protection suite\n")
{
	unsigned pri = (unsigned)cli_arg_num(a, "pri");
	if (cli_is_no(a))
		return policy_delete(pri);
	bool created;
	cli_enter(cli, MODE_ISAKMP, policy_get(pri, &created));
	return created ? CLI_OK : CLI_UNCHANGED;
}

DEFUN(policy_encryption,
      "[no] encryption ?[(des|3des|aes [128|192|256])]",
      "Set encryption algorithm for protection suite\n"
      "DES - Data Encryption Standard (56 bit keys).\n"
      "Three key triple DES\n"
      "AES - Advanced Encryption Standard.\n"
      "128 bit keys.\n"
      "192 bit keys.\n"
      "256 bit keys.\n")
{
	CLI_CONTEXT(struct isakmp_policy, p);
	enum ike_encr encr = IKE_ENCR_DES;
	unsigned bits = p->aes_bits;     /* kept unless AES is named */
	if (cli_is_no(a))
		bits = 128;              /* back to the default suite's DES */
	else if (cli_has(a, "3des"))
		encr = IKE_ENCR_3DES;
	else if (cli_has(a, "aes")) {
		encr = IKE_ENCR_AES;
		bits = cli_has(a, "256") ? 256 : cli_has(a, "192") ? 192 : 128;
	}
	if (p->encr == encr && p->aes_bits == bits)
		return CLI_UNCHANGED;
	p->encr = encr;
	p->aes_bits = bits;
	return CLI_OK;
}

DEFUN(policy_hash, "[no] hash ?[(sha|md5|sha256|sha384|sha512)]",
      "Set hash algorithm for protection suite\n"
      "Secure Hash Standard\n"
      "Message Digest 5\n"
      "Secure Hash Standard 2 (256 bit)\n"
      "Secure Hash Standard 2 (384 bit)\n"
      "Secure Hash Standard 2 (512 bit)\n")
{
	CLI_CONTEXT(struct isakmp_policy, p);
	enum ike_hash hash = IKE_HASH_SHA;  /* what the no form restores */
	if (cli_is_no(a))
		return CLI_SET(p->hash, hash);
	if (cli_has(a, "md5"))
		hash = IKE_HASH_MD5;
	else if (cli_has(a, "sha256"))
		hash = IKE_HASH_SHA256;
	else if (cli_has(a, "sha384"))
		hash = IKE_HASH_SHA384;
	else if (cli_has(a, "sha512"))
		hash = IKE_HASH_SHA512;
	return CLI_SET(p->hash, hash);
}

DEFUN(policy_auth, "[no] authentication ?[(pre-share|rsa-sig|rsa-encr)]",
      "Set authentication method for protection suite\n"
      "Pre-Shared Key\n"
      "Rivest-Shamir-Adleman Signature\n"
      "Rivest-Shamir-Adleman Encryption\n")
{
	CLI_CONTEXT(struct isakmp_policy, p);
	enum ike_auth auth = IKE_AUTH_RSA_SIG;  /* what the no form restores */
	if (!cli_is_no(a) && cli_has(a, "pre-share"))
		auth = IKE_AUTH_PRESHARE;
	else if (!cli_is_no(a) && cli_has(a, "rsa-encr"))
		auth = IKE_AUTH_RSA_ENCR;
	return CLI_SET(p->auth, auth);
}

DEFUN(policy_group, "[no] group ?[(1|2|5|14|15|16)]",
      "Set the Diffie-Hellman group\n"
      "Diffie-Hellman group 1 (768 bit)\n"
      "Diffie-Hellman group 2 (1024 bit)\n"
      "Diffie-Hellman group 5 (1536 bit)\n"
      "Diffie-Hellman group 14 (2048 bit)\n"
      "Diffie-Hellman group 15 (3072 bit)\n"
      "Diffie-Hellman group 16 (4096 bit)\n")
{
	static const unsigned g[] = {1, 2, 5, 14, 15, 16};
	static const char *const kw[] = {"1", "2", "5", "14", "15", "16"};
	CLI_CONTEXT(struct isakmp_policy, p);
	unsigned group = IKE_DEFAULT_GROUP;     /* what the no form restores */
	for (size_t i = 0; !cli_is_no(a) && i < sizeof g / sizeof g[0]; i++)
		if (cli_has(a, kw[i]))
			group = g[i];
	return CLI_SET(p->group, group);
}

DEFUN(policy_lifetime, "[no] lifetime ?[<60-86400>$secs]",
      "Set lifetime for ISAKMP security association\n"
      "lifetime in seconds\n")
{
	CLI_CONTEXT(struct isakmp_policy, p);
	unsigned secs = cli_is_no(a) ? IKE_DEFAULT_LIFETIME
				     : (unsigned)cli_arg_num(a, "secs");
	return CLI_SET(p->lifetime, secs);
}

/* nvgen prints only what differs from the default suite, 12.3/12.4 style
 * ("encr" abbreviated, AES-128 without its key size). */
static void policy_nvgen(struct sbuf *b, const struct isakmp_policy *p)
{
	static const char *const hash[] = {
		[IKE_HASH_SHA] = "sha", [IKE_HASH_MD5] = "md5",
		[IKE_HASH_SHA256] = "sha256", [IKE_HASH_SHA384] = "sha384",
		[IKE_HASH_SHA512] = "sha512",
	};
	sbuf_printf(b, "crypto isakmp policy %u\n", p->priority);
	if (p->encr == IKE_ENCR_3DES)
		sbuf_puts(b, " encr 3des\n");
	else if (p->encr == IKE_ENCR_AES && p->aes_bits != 128)
		sbuf_printf(b, " encr aes %u\n", p->aes_bits);
	else if (p->encr == IKE_ENCR_AES)
		sbuf_puts(b, " encr aes\n");
	if (p->hash != IKE_HASH_SHA)
		sbuf_printf(b, " hash %s\n", hash[p->hash]);
	if (p->auth == IKE_AUTH_PRESHARE)
		sbuf_puts(b, " authentication pre-share\n");
	else if (p->auth == IKE_AUTH_RSA_ENCR)
		sbuf_puts(b, " authentication rsa-encr\n");
	if (p->group != IKE_DEFAULT_GROUP)
		sbuf_printf(b, " group %u\n", p->group);
	if (p->lifetime != IKE_DEFAULT_LIFETIME)
		sbuf_printf(b, " lifetime %u\n", p->lifetime);
}

/* ---- crypto isakmp key ---------------------------------------------------------- */
static void key_free(struct isakmp_key *k)
{
	free(k->key);
	free(k->hostname);
	free(k);
}

/* The key's peer identity: a hostname, or an address with its mask. */
static struct isakmp_key **key_slot(const char *host, uint32_t addr,
				    uint32_t mask)
{
	struct isakmp_key **kp = &keys;
	for (; *kp; kp = &(*kp)->next) {
		struct isakmp_key *k = *kp;
		if (host ? (k->hostname && !strcmp(k->hostname, host))
			 : (!k->hostname && k->addr == addr && k->mask == mask))
			break;
	}
	return kp;
}

static uint32_t key_mask(const struct cli_args *a)
{
	return cli_has(a, "mask") ? cli_arg_ip(a, "mask") : 0xffffffffu;
}

/* The no form removes the key of the peer it names, whatever its secret. */
static int key_delete(struct isakmp_key **kp)
{
	struct isakmp_key *k = *kp;
	if (!k)
		return CLI_UNCHANGED;
	*kp = k->next;
	key_free(k);
	return CLI_OK;
}

DEFUN(isakmp_key,
      "[no] crypto isakmp key [(0|6)] WORD$secret (address A.B.C.D$addr [A.B.C.D$mask] [no-xauth]|hostname WORD$host [no-xauth])",
      "Encryption module\n"
      "Configure ISAKMP policy\n"
      "Set pre-shared key for remote peer\n"
      "Specifies an UNENCRYPTED password will follow\n"
      "Specifies an ENCRYPTED password will follow\n"
      "The UNENCRYPTED (cleartext) user password\n"
      "define shared key with IP address\n"
      "Peer IP address\n"
      "Peer IP subnet mask\n"
      "Bypasses XAuth for this peer\n"
      "define shared key with hostname\n"
      "Fully qualified domain name of peer\n"
      "Bypasses XAuth for this peer\n")
{
	const char *host = cli_arg(a, "host");
	uint32_t addr = host ? 0 : cli_arg_ip(a, "addr");
	uint32_t mask = host ? 0 : key_mask(a);
	struct isakmp_key **kp = key_slot(host, addr, mask);
	if (cli_is_no(a))
		return key_delete(kp);
	struct isakmp_key *k = *kp;
	if (!k) {
		k = *kp = xcalloc(1, sizeof *k);
		k->hostname = host ? xstrdup(host) : NULL;
		k->addr = addr;
		k->mask = mask;
	}
	xstrset(&k->key, cli_arg(a, "secret"));
	k->enc_type = cli_has(a, "6") ? 6 : 0;
	k->mask_given = !host && cli_has(a, "mask");
	k->no_xauth = cli_has(a, "no-xauth");
	return CLI_OK;
}

static void key_nvgen(struct sbuf *b, const struct isakmp_key *k)
{
	char ab[16], mb[16];
	sbuf_puts(b, "crypto isakmp key ");
	if (k->enc_type == 6)
		sbuf_puts(b, "6 ");
	sbuf_puts(b, k->key);
	if (k->hostname) {
		sbuf_printf(b, " hostname %s", k->hostname);
	} else {
		sbuf_printf(b, " address %s", ip_fmt(k->addr, ab));
		/* a host mask is the default and is not written back */
		if (k->mask != 0xffffffffu)
			sbuf_printf(b, " %s", ip_fmt(k->mask, mb));
	}
	sbuf_puts(b, k->no_xauth ? " no-xauth\n" : "\n");
}

/* ---- crypto isakmp keepalive -------------------------------------------------------- */
DEFUN(isakmp_keepalive,
      "[no] crypto isakmp keepalive ?[<10-3600>$secs [<2-60>$rsecs] [(periodic|on-demand)]]",
      "Encryption module\n"
      "Configure ISAKMP policy\n"
      "Set a keepalive interval for use with IOS peers\n"
      "Number of seconds between keep alives\n"
      "Number of seconds between retries if keepalive fails\n"
      "Send keepalives periodically\n"
      "Send keepalives on demand (default)\n")
{
	if (cli_is_no(a)) {
		bool was = keepalive.on;
		memset(&keepalive, 0, sizeof keepalive);
		return was ? CLI_OK : CLI_UNCHANGED;
	}
	keepalive.on = true;
	keepalive.secs = (unsigned)cli_arg_num(a, "secs");
	keepalive.retry = cli_has(a, "rsecs") ? (unsigned)cli_arg_num(a, "rsecs")
					      : IKE_KEEPALIVE_RETRY_DEFAULT;
	keepalive.periodic = cli_has(a, "periodic");
	return CLI_OK;
}

/* ---- crypto isakmp nat keepalive, crypto call admission limit ---------------------------- */
unsigned crypto_isakmp_nat_keepalive(void)
{
	return nat_keepalive;
}

unsigned crypto_cac_in_negotiation(void)
{
	return cac_in_nego;
}

unsigned crypto_cac_sa_limit(void)
{
	return cac_sa;
}

DEFUN(isakmp_nat_keepalive, "[no] crypto isakmp nat keepalive ?[<5-3600>$secs]",
      "Encryption module\n"
      "Configure ISAKMP policy\n"
      "Set NAT traversal parameters\n"
      "Set NAT keepalive interval\n"
      "NAT keepalive interval in seconds\n")
{
	unsigned secs = cli_is_no(a) ? 0 : (unsigned)cli_arg_num(a, "secs");
	return CLI_SET(nat_keepalive, secs);
}

/* IOS's call admission control for IKE: a bound on SAs being negotiated
 * (a flood of first messages cannot exhaust memory) and on all IKE SAs. */
DEFUN(cac_limit,
      "[no] crypto call admission limit ike (in-negotiation-sa ?[<10-99999>$nego]|sa ?[<0-99999>$total])",
      "Encryption module\n"
      "Call admission control\n"
      "Call admission control\n"
      "Configure call admission limits\n"
      "Configure call admission limits for IKE\n"
      "Limit on IKE SAs being negotiated\n"
      "Maximum number of IKE SAs in negotiation\n"
      "Limit on IKE SAs\n"
      "Maximum number of IKE SAs\n")
{
	bool nego = cli_has(a, "in-negotiation-sa");
	unsigned v = cli_is_no(a) ? 0
		   : (unsigned)cli_arg_num(a, nego ? "nego" : "total");
	return nego ? CLI_SET(cac_in_nego, v) : CLI_SET(cac_sa, v);
}

/* ---- crypto isakmp client configuration group ----------------------------------------- */
static void group_free(struct isakmp_group *g)
{
	free(g->name);
	free(g->key);
	free(g->domain);
	free(g->pool);
	free(g->acl);
	free(g);
}

DEFUN(isakmp_group, "[no] crypto isakmp client configuration group WORD$name",
      "Encryption module\n"
      "Configure ISAKMP policy\n"
      "Set client configuration policy\n"
      "Set client configuration policy\n"
      "Set group policy for client\n"
      "Specify group name\n")
{
	return group_edit(cli, a, &groups, cli_arg(a, "name"),
			  MODE_ISAKMP_GROUP);
}

CRYPTO_DEFUN_STR(group_key, struct isakmp_group, key,
		 "key", "WORD$secret", "secret",
		 "pre-shared key/IKE password\n"
		 "pre-shared key\n")

/* "dns A [B]" and "wins A [B]" replace the list; their no forms empty it,
 * whatever addresses they name. */
static int group_addrs(const struct cli_args *a, uint32_t *v, int *n)
{
	int had = *n;
	*n = 0;
	if (cli_is_no(a))
		return had ? CLI_OK : CLI_UNCHANGED;
	v[(*n)++] = cli_arg_ip(a, "a1");
	if (cli_has(a, "a2"))
		v[(*n)++] = cli_arg_ip(a, "a2");
	return CLI_OK;
}

DEFUN(group_dns, "[no] dns ?[A.B.C.D$a1 [A.B.C.D$a2]]",
      "Specify DNS Addresses\n"
      "Primary DNS\n"
      "Secondary DNS\n")
{
	CLI_CONTEXT(struct isakmp_group, g);
	return group_addrs(a, g->dns, &g->ndns);
}

DEFUN(group_wins, "[no] wins ?[A.B.C.D$a1 [A.B.C.D$a2]]",
      "Specify WINS Addresses\n"
      "Primary WINS\n"
      "Secondary WINS\n")
{
	CLI_CONTEXT(struct isakmp_group, g);
	return group_addrs(a, g->wins, &g->nwins);
}

CRYPTO_DEFUN_STR(group_domain, struct isakmp_group, domain,
		 "domain", "WORD$dom", "dom",
		 "Set default domain name to send to client\n"
		 "Domain name\n")

CRYPTO_DEFUN_STR(group_pool, struct isakmp_group, pool,
		 "pool", "WORD$poolname", "poolname",
		 "Set name of address pool\n"
		 "Name of address pool\n")

CRYPTO_DEFUN_STR(group_acl, struct isakmp_group, acl,
		 "acl", "(<100-199>$list|WORD$list)", "list",
		 "Specify split tunneling inclusion access-list number\n"
		 "access-list number for split-tunneling\n"
		 "access-list name for split-tunneling\n")

DEFUN(group_netmask, "[no] netmask ?[A.B.C.D$mask]",
      "netmask used by the client for local connectivity\n"
      "netmask\n")
{
	CLI_CONTEXT(struct isakmp_group, g);
	uint32_t mask = cli_is_no(a) ? 0 : cli_arg_ip(a, "mask");
	return CLI_SET(g->netmask, mask);
}

/* save-password, include-local-lan and pfs are plain on/off flags. */
static bool *group_flag(struct isakmp_group *g, const struct cli_args *a)
{
	if (cli_has(a, "save-password"))
		return &g->save_password;
	if (cli_has(a, "include-local-lan"))
		return &g->include_local_lan;
	return &g->pfs;
}

DEFUN(group_flags, "[no] (save-password|include-local-lan|pfs)",
      "Allows remote client to save XAUTH password\n"
      "Enable Local LAN Access with no split tunnel\n"
      "The client should propose PFS\n")
{
	CLI_CONTEXT(struct isakmp_group, g);
	bool *flag = group_flag(g, a), on = !cli_is_no(a);
	return CLI_SET(*flag, on);
}

static void addrs_nvgen(struct sbuf *b, const char *kw, const uint32_t *v,
			int n)
{
	char buf[16];
	if (!n)
		return;
	sbuf_printf(b, " %s", kw);
	for (int i = 0; i < n; i++)
		sbuf_printf(b, " %s", ip_fmt(v[i], buf));
	sbuf_puts(b, "\n");
}

static void group_nvgen(struct sbuf *b, const struct isakmp_group *g)
{
	char buf[16];
	sbuf_printf(b, "crypto isakmp client configuration group %s\n", g->name);
	if (g->key)
		sbuf_printf(b, " key %s\n", g->key);
	addrs_nvgen(b, "dns", g->dns, g->ndns);
	addrs_nvgen(b, "wins", g->wins, g->nwins);
	if (g->domain)
		sbuf_printf(b, " domain %s\n", g->domain);
	if (g->pool)
		sbuf_printf(b, " pool %s\n", g->pool);
	if (g->acl)
		sbuf_printf(b, " acl %s\n", g->acl);
	if (g->save_password)
		sbuf_puts(b, " save-password\n");
	if (g->include_local_lan)
		sbuf_puts(b, " include-local-lan\n");
	if (g->pfs)
		sbuf_puts(b, " pfs\n");
	if (g->netmask)
		sbuf_printf(b, " netmask %s\n", ip_fmt(g->netmask, buf));
}

/* ---- crypto isakmp profile ----------------------------------------------------------------- */
static void profile_free(struct isakmp_profile *p)
{
	free(p->name);
	free(p->description);
	free(p->vrf);
	free(p->keyring);
	for (int i = 0; i < p->nmatch; i++)
		free(p->match[i]);
	free(p->match);
	free(p->client_auth_list);
	free(p->isakmp_author_list);
	free(p->client_cfg_group);
	free(p->local_address);
	free(p);
}

DEFUN(isakmp_profile, "[no] crypto isakmp profile WORD$name",
      "Encryption module\n"
      "Configure ISAKMP policy\n"
      "Define ISAKMP Profiles\n"
      "Name of the profile\n")
{
	const char *name = cli_arg(a, "name");
	if (!cli_is_no(a) && !*profile_slot(&profiles, name))
		cli_printf(cli, "%% A profile is deemed incomplete until it has "
				"match identity statements\n");
	return profile_edit(cli, a, &profiles, name, MODE_ISAKMP_PROFILE);
}

CRYPTO_DEFUN_STR(prof_description, struct isakmp_profile, description,
		 "description", "LINE$text", "text",
		 "Specify a description of this profile\n"
		 "Up to 80 characters describing this profile\n")

CRYPTO_DEFUN_STR(prof_vrf, struct isakmp_profile, vrf,
		 "vrf", "WORD$vrfname", "vrfname",
		 "Specify the VRF it is related to\n"
		 "VRF Name\n")

CRYPTO_DEFUN_STR(prof_keyring, struct isakmp_profile, keyring,
		 "keyring", "WORD$kr", "kr",
		 "Specify keyring to use\n"
		 "Keyring Name\n")

/* "match identity ..." lines accumulate; the text after "identity" is the
 * identity itself, kept in the form nvgen prints it. */
static char *match_text(const struct cli_args *a)
{
	struct sbuf t;
	char ab[16], mb[16];
	sbuf_init(&t);
	if (cli_has(a, "group"))
		sbuf_printf(&t, "group %s", cli_arg(a, "grp"));
	else if (cli_has(a, "host"))
		sbuf_printf(&t, "host %s", cli_arg(a, "fqdn"));
	else if (cli_has(a, "mask"))
		sbuf_printf(&t, "address %s %s", ip_fmt(cli_arg_ip(a, "addr"), ab),
			    ip_fmt(cli_arg_ip(a, "mask"), mb));
	else
		sbuf_printf(&t, "address %s", ip_fmt(cli_arg_ip(a, "addr"), ab));
	return sbuf_take(&t);
}

#define MATCH_SYNTAX \
	"match identity (group WORD$grp|address A.B.C.D$addr [A.B.C.D$mask]|host WORD$fqdn)"
#define MATCH_HELP \
	"Match values of peer\n" \
	"Match identity\n" \
	"Group Name\n" \
	"Group Name\n" \
	"IP Address(es)\n" \
	"IP Address\n" \
	"Mask\n" \
	"Fully qualified domain name of peer\n" \
	"Hostname\n"

static void match_delete(struct isakmp_profile *p, int i)
{
	free(p->match[i]);
	memmove(&p->match[i], &p->match[i + 1],
		(size_t)(p->nmatch - i - 1) * sizeof p->match[0]);
	p->nmatch--;
}

DEFUN(prof_match, "[no] " MATCH_SYNTAX, MATCH_HELP)
{
	CLI_CONTEXT(struct isakmp_profile, p);
	char *m = match_text(a);
	int i = crypto_strv_find(p->match, p->nmatch, m);
	bool no = cli_is_no(a);
	if (!no && i < 0) {
		p->match = xrealloc(p->match,
				    (size_t)(p->nmatch + 1) * sizeof *p->match);
		p->match[p->nmatch++] = m;
		return CLI_OK;
	}
	free(m);
	if (!no || i < 0)
		return CLI_UNCHANGED;    /* already listed / not listed */
	match_delete(p, i);
	return CLI_OK;
}

CRYPTO_DEFUN_STR(prof_client_auth, struct isakmp_profile, client_auth_list,
		 "client authentication list", "WORD$list", "list",
		 "Specify client configuration settings\n"
		 "Client Authentication\n"
		 "AAA authentication list to use\n"
		 "AAA list name\n")

CRYPTO_DEFUN_STR(prof_isakmp_author, struct isakmp_profile, isakmp_author_list,
		 "isakmp authorization list", "WORD$list", "list",
		 "ISAKMP Authorization command\n"
		 "ISAKMP Authorization parameters\n"
		 "AAA authorization list to use\n"
		 "AAA list name\n")

DEFUN(prof_cfg_addr, "[no] client configuration address (initiate|respond)",
      "Specify client configuration settings\n"
      "Mode config commands\n"
      "Mode config address\n"
      "Initiate\n"
      "Respond\n")
{
	CLI_CONTEXT(struct isakmp_profile, p);
	bool on = !cli_is_no(a);
	if (cli_has(a, "initiate"))
		return CLI_SET(p->cfg_addr_initiate, on);
	return CLI_SET(p->cfg_addr_respond, on);
}

CRYPTO_DEFUN_STR(prof_cfg_group, struct isakmp_profile, client_cfg_group,
		 "client configuration group", "WORD$grp", "grp",
		 "Specify client configuration settings\n"
		 "Mode config commands\n"
		 "Specify the group\n"
		 "Group Name\n")

DEFUN(prof_initiate, "[no] initiate mode ?[aggressive]",
      "Initiator property\n"
      "Initiator mode\n"
      "Aggressive Mode Exchange\n")
{
	CLI_CONTEXT(struct isakmp_profile, p);
	bool on = !cli_is_no(a);
	return CLI_SET(p->aggressive, on);
}

CRYPTO_DEFUN_STR(prof_local_address, struct isakmp_profile, local_address,
		 "local-address", "IFNAME$ifn", "ifn",
		 "Interface to use as local address for this isakmp profile\n"
		 "Interface name\n")

DEFUN(prof_keepalive, "[no] keepalive ?[<10-3600>$secs retry <2-60>$rsecs]",
      "Set a keepalive interval for use with IOS peers\n"
      "Number of seconds between keep alives\n"
      "Retry interval\n"
      "Number of seconds between retries if keepalive fails\n")
{
	CLI_CONTEXT(struct isakmp_profile, p);
	bool no = cli_is_no(a);
	unsigned secs = no ? 0 : (unsigned)cli_arg_num(a, "secs");
	unsigned retry = no ? 0 : (unsigned)cli_arg_num(a, "rsecs");
	if (p->ka_secs == secs && p->ka_retry == retry)
		return CLI_UNCHANGED;
	p->ka_secs = secs;
	p->ka_retry = retry;
	return CLI_OK;
}

/* IOS writes isakmp profile lines indented by three spaces. */
static void profile_nvgen(struct sbuf *b, const struct isakmp_profile *p)
{
	sbuf_printf(b, "crypto isakmp profile %s\n", p->name);
	if (p->description)
		sbuf_printf(b, "   description %s\n", p->description);
	if (p->vrf)
		sbuf_printf(b, "   vrf %s\n", p->vrf);
	if (p->keyring)
		sbuf_printf(b, "   keyring %s\n", p->keyring);
	for (int i = 0; i < p->nmatch; i++)
		sbuf_printf(b, "   match identity %s\n", p->match[i]);
	if (p->client_auth_list)
		sbuf_printf(b, "   client authentication list %s\n",
			    p->client_auth_list);
	if (p->isakmp_author_list)
		sbuf_printf(b, "   isakmp authorization list %s\n",
			    p->isakmp_author_list);
	if (p->cfg_addr_initiate)
		sbuf_puts(b, "   client configuration address initiate\n");
	if (p->cfg_addr_respond)
		sbuf_puts(b, "   client configuration address respond\n");
	if (p->client_cfg_group)
		sbuf_printf(b, "   client configuration group %s\n",
			    p->client_cfg_group);
	if (p->aggressive)
		sbuf_puts(b, "   initiate mode aggressive\n");
	if (p->local_address)
		sbuf_printf(b, "   local-address %s\n", p->local_address);
	if (p->ka_secs)
		sbuf_printf(b, "   keepalive %u retry %u\n", p->ka_secs,
			    p->ka_retry);
}

/* ---- running-config ------------------------------------------------------------------------ */
bool isakmp_nvgen_global(struct sbuf *b)
{
	size_t start = b->len;
	for (const struct isakmp_policy *p = policies; p; p = p->next)
		policy_nvgen(b, p);
	for (const struct isakmp_key *k = keys; k; k = k->next)
		key_nvgen(b, k);
	if (keepalive.on) {
		sbuf_printf(b, "crypto isakmp keepalive %u", keepalive.secs);
		if (keepalive.retry != IKE_KEEPALIVE_RETRY_DEFAULT)
			sbuf_printf(b, " %u", keepalive.retry);
		sbuf_puts(b, keepalive.periodic ? " periodic\n" : "\n");
	}
	if (nat_keepalive)
		sbuf_printf(b, "crypto isakmp nat keepalive %u\n", nat_keepalive);
	if (cac_sa)
		sbuf_printf(b, "crypto call admission limit ike sa %u\n", cac_sa);
	if (cac_in_nego)
		sbuf_printf(b, "crypto call admission limit ike in-negotiation-sa "
			       "%u\n", cac_in_nego);
	return b->len != start;
}

bool isakmp_nvgen_groups(struct sbuf *b)
{
	for (const struct isakmp_group *g = groups; g; g = g->next) {
		group_nvgen(b, g);
		sbuf_puts(b, "!\n");
	}
	return groups != NULL;
}

bool isakmp_nvgen_profiles(struct sbuf *b)
{
	for (const struct isakmp_profile *p = profiles; p; p = p->next) {
		profile_nvgen(b, p);
		sbuf_puts(b, "!\n");
	}
	return profiles != NULL;
}

/* ---- lifecycle -------------------------------------------------------------------------------- */
void isakmp_cfg_reset(void)
{
	while (policies) {
		struct isakmp_policy *p = policies;
		policies = p->next;
		cli_obj_release(p);
		free(p);
	}
	while (keys) {
		struct isakmp_key *k = keys;
		keys = k->next;
		key_free(k);
	}
	memset(&keepalive, 0, sizeof keepalive);
	nat_keepalive = cac_in_nego = cac_sa = 0;
	group_clear(&groups);
	profile_clear(&profiles);
}

void isakmp_cfg_init(void)
{
	static const struct cli_command *const global[] = {
		&isakmp_policy_cmd, &isakmp_key_cmd, &isakmp_keepalive_cmd,
		&isakmp_nat_keepalive_cmd, &cac_limit_cmd,
		&isakmp_group_cmd, &isakmp_profile_cmd,
	};
	static const struct cli_command *const policy[] = {
		&policy_encryption_cmd, &policy_hash_cmd, &policy_auth_cmd,
		&policy_group_cmd, &policy_lifetime_cmd,
	};
	static const struct cli_command *const group[] = {
		&group_key_cmd, &group_dns_cmd, &group_wins_cmd,
		&group_domain_cmd, &group_pool_cmd, &group_acl_cmd,
		&group_netmask_cmd, &group_flags_cmd,
	};
	static const struct cli_command *const profile[] = {
		&prof_description_cmd, &prof_vrf_cmd, &prof_keyring_cmd,
		&prof_match_cmd, &prof_client_auth_cmd,
		&prof_isakmp_author_cmd, &prof_cfg_addr_cmd,
		&prof_cfg_group_cmd, &prof_initiate_cmd,
		&prof_local_address_cmd, &prof_keepalive_cmd,
	};
	for (size_t i = 0; i < sizeof global / sizeof global[0]; i++)
		cli_install(MODE_CONFIG, global[i]);
	for (size_t i = 0; i < sizeof policy / sizeof policy[0]; i++)
		cli_install(MODE_ISAKMP, policy[i]);
	for (size_t i = 0; i < sizeof group / sizeof group[0]; i++)
		cli_install(MODE_ISAKMP_GROUP, group[i]);
	for (size_t i = 0; i < sizeof profile / sizeof profile[0]; i++)
		cli_install(MODE_ISAKMP_PROFILE, profile[i]);
}
