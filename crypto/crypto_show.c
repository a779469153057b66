/* Show commands of the crypto configuration, in IOS 12.4 format:
 * show crypto isakmp policy, show crypto ipsec transform-set,
 * show crypto ipsec security-association, show crypto map (with the live
 * current peer), show crypto dynamic-map. */
#include "crypto_int.h"
#include "ipsec_int.h"

#include <string.h>

/* ---- show crypto isakmp policy ---------------------------------------------- */
static const char *encr_text(const struct isakmp_policy *p)
{
	switch (p->encr) {
	case IKE_ENCR_3DES:
		return "Three key triple DES";
	case IKE_ENCR_AES:
		return p->aes_bits == 256
			? "AES - Advanced Encryption Standard (256 bit keys)."
			: p->aes_bits == 192
			? "AES - Advanced Encryption Standard (192 bit keys)."
			: "AES - Advanced Encryption Standard (128 bit keys).";
	case IKE_ENCR_DES:
		break;
	}
	return "DES - Data Encryption Standard (56 bit keys).";
}

static const char *hash_text(enum ike_hash h)
{
	switch (h) {
	case IKE_HASH_MD5: return "Message Digest 5";
	case IKE_HASH_SHA256: return "Secure Hash Standard 2 (256 bit)";
	case IKE_HASH_SHA384: return "Secure Hash Standard 2 (384 bit)";
	case IKE_HASH_SHA512: return "Secure Hash Standard 2 (512 bit)";
	case IKE_HASH_SHA: break;
	}
	return "Secure Hash Standard";
}

static const char *auth_text(enum ike_auth a)
{
	switch (a) {
	case IKE_AUTH_PRESHARE: return "Pre-Shared Key";
	case IKE_AUTH_RSA_ENCR: return "Rivest-Shamir-Adleman Encryption";
	case IKE_AUTH_RSA_SIG: break;
	}
	return "Rivest-Shamir-Adleman Signature";
}

static unsigned group_bits(unsigned g)
{
	switch (g) {
	case 2: return 1024;
	case 5: return 1536;
	case 14: return 2048;
	case 15: return 3072;
	case 16: return 4096;
	default: return 768;
	}
}

static void suite_show(struct cli *cli, const struct isakmp_policy *p)
{
	cli_printf(cli, "        encryption algorithm:   %s\n", encr_text(p));
	cli_printf(cli, "        hash algorithm:         %s\n", hash_text(p->hash));
	cli_printf(cli, "        authentication method:  %s\n", auth_text(p->auth));
	cli_printf(cli, "        Diffie-Hellman group:   #%u (%u bit)\n", p->group,
		   group_bits(p->group));
	cli_printf(cli, "        lifetime:               %u seconds, no volume "
			"limit\n", p->lifetime);
}

DEFUN(show_isakmp_policy, "show crypto isakmp policy",
      "Show running system information\n"
      "Encryption module\n"
      "Show ISAKMP\n"
      "Show ISAKMP protection suite policies\n")
{
	const struct isakmp_policy def = {
		.encr = IKE_ENCR_DES, .hash = IKE_HASH_SHA,
		.auth = IKE_AUTH_RSA_SIG, .group = IKE_DEFAULT_GROUP,
		.lifetime = IKE_DEFAULT_LIFETIME,
	};
	cli_puts(cli, "\nGlobal IKE policy\n");
	for (const struct isakmp_policy *p = crypto_isakmp_policies(); p;
	     p = p->next) {
		cli_printf(cli, "Protection suite of priority %u\n", p->priority);
		suite_show(cli, p);
	}
	cli_puts(cli, "Default protection suite\n");
	suite_show(cli, &def);
	return CLI_OK;
}

/* ---- show crypto ipsec transform-set ------------------------------------------- */
/* 12.4 lists each protocol of a set (AH, ESP, compression) as its own
 * proposal, each with the modes it will negotiate. */
static void proposal_show(struct cli *cli, bool *first, bool transport,
			  const char *a, const char *b)
{
	cli_printf(cli, "%s{ %s%s%s  }\n", *first ? "" : "   ", a, b ? " " : "",
		   b ? b : "");
	cli_printf(cli, "   will negotiate = { %s,  },\n",
		   transport ? "Transport" : "Tunnel");
	*first = false;
}

static void tset_show(struct cli *cli, const struct crypto_tset *t)
{
	bool first = true;
	cli_printf(cli, "Transform set %s: ", t->name);
	if (t->ah != XF_NONE)
		proposal_show(cli, &first, t->transport,
			      crypto_xform_name(t->ah, 0), NULL);
	if (t->esp_enc != XF_NONE || t->esp_auth != XF_NONE) {
		const char *enc = t->esp_enc != XF_NONE
			? crypto_xform_name(t->esp_enc, t->enc_bits) : NULL;
		const char *auth = t->esp_auth != XF_NONE
			? crypto_xform_name(t->esp_auth, 0) : NULL;
		proposal_show(cli, &first, t->transport, enc ? enc : auth,
			      enc ? auth : NULL);
	}
	if (t->comp != XF_NONE)
		proposal_show(cli, &first, t->transport,
			      crypto_xform_name(t->comp, 0), NULL);
	cli_puts(cli, "\n");
}

DEFUN(show_tsets, "show crypto ipsec transform-set [tag WORD$tagname]",
      "Show running system information\n"
      "Encryption module\n"
      "Show IPSEC policy\n"
      "Crypto IPSEC transform set\n"
      "Transform set with a given tag\n"
      "Transform set tag\n")
{
	const char *tag = cli_arg(a, "tagname");
	for (const struct crypto_tset *t = crypto_tsets(); t; t = t->next)
		if (!tag || !strcmp(tag, t->name))
			tset_show(cli, t);
	return CLI_OK;
}

DEFUN(show_sa_lifetime, "show crypto ipsec security-association",
      "Show running system information\n"
      "Encryption module\n"
      "Show IPSEC policy\n"
      "Show parameters for IPSec security associations\n")
{
	const struct ipsec_globals *g = crypto_ipsec_globals();
	cli_printf(cli, "Security association lifetime: %lu kilobytes/%u "
			"seconds\n", g->sa_kilobytes, g->sa_seconds);
	return CLI_OK;
}

/* ---- lines a crypto map entry and an IPsec profile share -------------------------------- */

/* Its own lifetimes, else the global ones. */
static void lifetime_show(struct cli *cli, unsigned long kilobytes, unsigned seconds)
{
	const struct ipsec_globals *g = crypto_ipsec_globals();
	cli_printf(cli, "        Security association lifetime: %lu kilobytes/"
			"%u seconds\n",
		   kilobytes ? kilobytes : g->sa_kilobytes,
		   seconds ? seconds : g->sa_seconds);
}

static void pfs_tsets_show(struct cli *cli, unsigned pfs_group, char *const *tset,
			   int ntset)
{
	cli_printf(cli, "        PFS (Y/N): %s\n", pfs_group ? "Y" : "N");
	if (pfs_group)
		cli_printf(cli, "        DH group:  group%u\n", pfs_group);
	cli_puts(cli, "        Transform sets={\n");
	for (int i = 0; i < ntset; i++)
		cli_printf(cli, "                %s,\n", tset[i]);
	cli_puts(cli, "        }\n");
}

/* ---- show crypto ipsec profile (12.4) ------------------------------------------------- */
static void profile_show(struct cli *cli, const struct ipsec_profile *p)
{
	cli_printf(cli, "IPSEC profile %s\n", p->name);
	if (p->isakmp_profile)
		cli_printf(cli, "        ISAKMP Profile: %s\n", p->isakmp_profile);
	lifetime_show(cli, p->sa_kilobytes, p->sa_seconds);
	pfs_tsets_show(cli, p->pfs_group, p->tset, p->ntset);
	cli_puts(cli, "\n");
}

DEFUN(show_profiles, "show crypto ipsec profile [WORD$name]",
      "Show running system information\n"
      "Encryption module\n"
      "Show IPSEC policy\n"
      "Show ipsec profile information\n"
      "ipsec profile name\n")
{
	const char *name = cli_arg(a, "name");
	for (const struct ipsec_profile *p = crypto_ipsec_profiles(); p; p = p->next)
		if (!name || !strcmp(name, p->name))
			profile_show(cli, p);
	return CLI_OK;
}

/* ---- show crypto map ----------------------------------------------------------------- */

/* The ACL an entry matches, with its lines as IOS lists them. */
static void entry_acl_show(struct cli *cli, const struct cmap_entry *e)
{
	struct acl *acl = acl_find(e->acl);
	cli_printf(cli, "        %s IP access list %s\n",
		   !acl || acl_is_extended(acl) ? "Extended" : "Standard", e->acl);
	if (!acl)
		return;
	struct sbuf b, prefix;
	sbuf_init(&b);
	sbuf_init(&prefix);
	sbuf_printf(&prefix, "            access-list %s ", e->acl);
	acl_entries_text(acl, &b, prefix.s);
	if (b.len)
		cli_puts(cli, b.s);
	sbuf_free(&b);
	sbuf_free(&prefix);
}

/* A profile instance's own lines, as IOS lists them (no ACL name). */
static void entry_rules_show(struct cli *cli, const struct cmap_entry *e)
{
	cli_puts(cli, "        Extended IP access list \n");
	for (int i = 0; i < e->nrules; i++) {
		const struct acl_rule *r = &e->rules[i];
		char s[16], d[16], proto[8];
		snprintf(proto, sizeof proto, "%u", r->proto);
		if (r->src_wild == ~0u && r->dst_wild == ~0u && !r->proto) {
			cli_puts(cli, "            access-list  permit ip any any\n");
			continue;
		}
		cli_printf(cli, "            access-list  permit %s host %s host "
			   "%s\n", r->proto == 47 ? "gre" : proto,
			   ip_fmt(r->src, s), ip_fmt(r->dst, d));
	}
}

/* Current peer: the one the entry's SAs go to, else its first. */
static void entry_peer_show(struct cli *cli, const struct crypto_map *m,
			    const struct cmap_entry *e)
{
	char buf[16];
	uint32_t live = m->dynamic ? 0 : flow_current_peer(m->name, e->seq);
	if (live)
		cli_printf(cli, "        Current peer: %s\n", ip_fmt(live, buf));
	else if (e->npeer)
		cli_printf(cli, "        Current peer: %s\n", e->peer[0]);
}

static void entry_show(struct cli *cli, const struct crypto_map *m,
		       const struct cmap_entry *e)
{
	if (m->dynamic)
		cli_printf(cli, "Crypto Map Template\"%s\" %u\n", m->name, e->seq);
	else
		cli_printf(cli, "Crypto Map \"%s\" %u %s\n", m->name, e->seq,
			   e->type == CMAP_MANUAL ? "ipsec-manual" : "ipsec-isakmp");
	if (e->type == CMAP_ISAKMP_DYNAMIC) {
		cli_printf(cli, "        Dynamic map template tag: %s\n",
			   e->dynamic);
		return;
	}
	if (m->profile)
		cli_puts(cli, "        Map is a PROFILE INSTANCE.\n");
	if (!m->dynamic && (!e->npeer || (!e->acl && !e->nrules)))
		cli_puts(cli, "        WARNING: This crypto map is in an "
			      "incomplete state!\n"
			      "        (missing peer or access-list "
			      "definitions)\n");
	if (e->description)
		cli_printf(cli, "        Description: %s\n", e->description);
	for (int i = 0; i < e->npeer; i++)
		cli_printf(cli, "        Peer = %s\n", e->peer[i]);
	if (e->acl)
		entry_acl_show(cli, e);
	else if (e->nrules)
		entry_rules_show(cli, e);
	entry_peer_show(cli, m, e);
	lifetime_show(cli, e->sa_kilobytes, e->sa_seconds);
	pfs_tsets_show(cli, e->pfs_group, e->tset, e->ntset);
	if (e->rri != RRI_OFF)
		cli_puts(cli, "        Reverse Route Injection Enabled\n");
}

static void map_show(struct cli *cli, const struct crypto_map *m)
{
	for (const struct cmap_entry *e = m->entries; e; e = e->next)
		entry_show(cli, m, e);
	if (m->dynamic) {
		cli_puts(cli, "\n");
		return;
	}
	cli_printf(cli, "        Interfaces using crypto map %s:\n", m->name);
	for (const struct cmap_binding *b = crypto_binding_first(); b;
	     b = crypto_binding_next(b))
		if (!strcmp(b->map, m->name))
			cli_printf(cli, "                %s\n", b->ifname);
	cli_puts(cli, "\n");
}

static bool map_on_iface(const struct crypto_map *m, const char *ifname)
{
	for (const struct cmap_binding *b = crypto_binding_first(); b;
	     b = crypto_binding_next(b))
		if (!strcmp(b->ifname, ifname) && !strcmp(b->map, m->name))
			return true;
	return false;
}

DEFUN(show_cmap, "show crypto map [(tag WORD$tagname|interface IFNAME$ifn)]",
      "Show running system information\n"
      "Encryption module\n"
      "Crypto maps\n"
      "Crypto maps with a given tag\n"
      "Crypto map tag\n"
      "Crypto maps for an interface.\n"
      "Interface name\n")
{
	const char *tag = cli_arg(a, "tagname");
	const char *ifn = cli_arg(a, "ifn");
	spd_sync();
	for (const struct crypto_map *m = crypto_map_first(); m;
	     m = crypto_map_next(m))
		if (m->entries && (!tag || !strcmp(tag, m->name)) &&
		    (!ifn || map_on_iface(m, ifn)))
			map_show(cli, m);
	return CLI_OK;
}

DEFUN(show_dynmap, "show crypto dynamic-map [tag WORD$tagname]",
      "Show running system information\n"
      "Encryption module\n"
      "Crypto map templates\n"
      "Crypto map templates with a given tag\n"
      "Crypto map tag\n")
{
	const char *tag = cli_arg(a, "tagname");
	for (const struct crypto_map *m = crypto_dynamic_maps(); m; m = m->next)
		if (m->entries && (!tag || !strcmp(tag, m->name)))
			map_show(cli, m);
	return CLI_OK;
}

void crypto_show_init(void)
{
	cli_install(MODE_EXEC, &show_dynmap_cmd);
	cli_install(MODE_EXEC, &show_isakmp_policy_cmd);
	cli_install(MODE_EXEC, &show_tsets_cmd);
	cli_install(MODE_EXEC, &show_sa_lifetime_cmd);
	cli_install(MODE_EXEC, &show_cmap_cmd);
	cli_install(MODE_EXEC, &show_profiles_cmd);
}
