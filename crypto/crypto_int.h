/* Private to crypto/: wiring between its configuration files, the
 * running-config writer (crypto.c) and the show commands. */
#ifndef IOSIM_CRYPTO_INT_H
#define IOSIM_CRYPTO_INT_H

#include <stdlib.h>
#include <string.h>

#include "../cli/cli.h"
#include "../core/core.h"
#include "crypto.h"
#include "../platform/platform.h"

/* Each part installs its commands and frees its state on reset. */
void isakmp_cfg_init(void);
void isakmp_cfg_reset(void);
void ipsec_cfg_init(void);
void ipsec_cfg_reset(void);
void cmap_cfg_init(void);
void cmap_cfg_reset(void);
void crypto_show_init(void);

/* IKE settings kept by isakmp_cfg.c for the engine: NAT keepalive
 * interval (0: off), call admission (in-negotiation and total IKE SAs;
 * 0: no configured limit). */
unsigned crypto_isakmp_nat_keepalive(void);
unsigned crypto_cac_in_negotiation(void);
unsigned crypto_cac_sa_limit(void);

/* The local crypto end point of an applied map (spd.c, the data path's
 * rule, which IKE follows too): `crypto map NAME redundancy GROUP`'s
 * virtual address, `crypto map NAME local-address IF`'s address, or the
 * interface's own; 0 when there is none. *STANDBY (unless NULL): its
 * redundancy group is not Active here. */
uint32_t crypto_binding_local(const struct cmap_binding *cb, bool *standby);

/* ---- crypto maps the router makes (gen_map.c) ------------------------------------
 * `tunnel protection ipsec profile P` on interface TunnelN makes the map
 * "TunnelN-head-0" on that tunnel; `redundancy inter-device / security
 * ipsec P` makes "IPC-head-0" on each interface holding an IPC local-ip.
 * gen_maps_sync() makes them again from the configuration (the SPD calls
 * it before each rebuild); an unchanged map keeps its objects. */
void gen_maps_sync(void);
const struct crypto_map *gen_maps(void);
const struct crypto_map *gen_map_find(const char *name);
const struct cmap_binding *gen_bindings(void);
void gen_maps_reset(void);
/* cmap_cfg.c: a map and its entries freed (any map, configured or made). */
void cmap_map_free(struct crypto_map *m);
void cmap_binding_free(struct cmap_binding *b);
/* The lines of an entry: its named ACL's, or the router's own. */
void cmap_entry_rules(const struct cmap_entry *e, acl_rule_fn fn, void *ctx);
/* Registers show redundancy inter-device's Security lines (ha's hook). */
void gen_maps_init(void);
/* A clear-text packet that the router's own maps protect, arriving on
 * any interface: counted here (true: drop it). */
bool gen_ipc_clear_drop(void);

/* One row of show crypto engine connections active (ipsec_show.c prints
 * the table; IKE adds its SAs' rows). */
struct iface;
void crypto_engine_row(struct sbuf *b, unsigned id, struct iface *ifp,
		       const char *type, const char *alg, uint64_t enc,
		       uint64_t dec, uint32_t local);

/* Running-config pieces, in IOS order; each returns true when it printed
 * something, so crypto.c can place the "!" separators as IOS does. */
bool isakmp_nvgen_global(struct sbuf *b);     /* policies, keys, keepalive */
bool isakmp_nvgen_groups(struct sbuf *b);     /* client configuration groups */
bool isakmp_nvgen_profiles(struct sbuf *b);   /* isakmp profiles */
bool ipsec_nvgen_tsets(struct sbuf *b);       /* SA globals, transform sets */
bool ipsec_nvgen_profiles(struct sbuf *b);    /* ipsec profiles */
bool cmap_nvgen_dynamic(struct sbuf *b);      /* crypto dynamic-map */
bool cmap_nvgen_static(struct sbuf *b);       /* crypto map */

/* Set-list helpers shared by crypto map entries and ipsec profiles:
 * "set transform-set A B C" replaces the list with the words of the
 * arguments named t1 .. t6, "no set transform-set [...]" empties it. */
#define CRYPTO_TSET_SYNTAX \
	"[no] set transform-set ?[WORD$t1 [WORD$t2 [WORD$t3 [WORD$t4 [WORD$t5 [WORD$t6]]]]]]"
#define CRYPTO_TSET_HELP \
	"Set a value\n" \
	"Specify list of transform sets in priority order\n" \
	"Transform set name\n" "Transform set name\n" "Transform set name\n" \
	"Transform set name\n" "Transform set name\n" "Transform set name\n"
int crypto_tset_cmd(char **v, int *n, const struct cli_args *a);
void crypto_strlist_free(char **v, int *n);

/* ---- named lists --------------------------------------------------------------
 * Groups, profiles, transform sets, maps and interface bindings are singly
 * linked lists of heap objects keyed by a string member. As OpenBSD's
 * <sys/tree.h> does, CRYPTO_LIST_GENERATE writes the typed functions for
 * one such type, so each list is walked, grown and pruned the same way:
 *   PFX_slot(&head, k)    where the object keyed K is (*slot NULL: absent,
 *                         and that is where it would be appended)
 *   PFX_get(&head, k)     that object, appended with K copied when absent
 *   PFX_remove(&head, k)  unlink and free it; false when there was none
 *   PFX_clear(&head)      unlink and free them all
 *   PFX_edit(cli, a, &head, k, mode)
 *                         the "[no] ... NAME" command that makes an object
 *                         and edits it in MODE, or removes it; returns the
 *                         CLI code (CLI_UNCHANGED: it was there / was not)
 * Each object is registered as a possible sub-mode context
 * (CLI_OBJ_REGISTER) when it is made and released before it is freed. */
#define CRYPTO_LIST_GENERATE(pfx, type, key, free_fn)                        \
	__attribute__((unused)) static type **pfx##_slot(type **head,        \
							 const char *k)      \
	{                                                                    \
		while (*head && strcmp((*head)->key, k))                     \
			head = &(*head)->next;                               \
		return head;                                                 \
	}                                                                    \
	__attribute__((unused)) static type *pfx##_get(type **head,          \
						       const char *k)        \
	{                                                                    \
		type **slot = pfx##_slot(head, k);                           \
		if (!*slot) {                                                \
			*slot = xcalloc(1, sizeof **slot);                   \
			(*slot)->key = xstrdup(k);                           \
			CLI_OBJ_REGISTER(*slot, type);                       \
		}                                                            \
		return *slot;                                                \
	}                                                                    \
	__attribute__((unused)) static void pfx##_unlink(type **slot)        \
	{                                                                    \
		type *o = *slot;                                             \
		*slot = o->next;                                             \
		cli_obj_release(o);                                          \
		free_fn(o);                                                  \
	}                                                                    \
	__attribute__((unused)) static bool pfx##_remove(type **head,        \
							 const char *k)      \
	{                                                                    \
		type **slot = pfx##_slot(head, k);                           \
		if (!*slot)                                                  \
			return false;                                        \
		pfx##_unlink(slot);                                          \
		return true;                                                 \
	}                                                                    \
	__attribute__((unused)) static void pfx##_clear(type **head)         \
	{                                                                    \
		while (*head)                                                \
			pfx##_unlink(head);                                  \
	}                                                                    \
	__attribute__((unused)) static int pfx##_edit(                       \
		struct cli *cli, const struct cli_args *a, type **head,      \
		const char *k, enum cli_mode mode)                           \
	{                                                                    \
		if (cli_is_no(a))                                            \
			return pfx##_remove(head, k) ? CLI_OK : CLI_UNCHANGED; \
		bool created = !*pfx##_slot(head, k);                        \
		cli_enter(cli, mode, pfx##_get(head, k));                    \
		return created ? CLI_OK : CLI_UNCHANGED;                     \
	}

/* Index of S among the N strings of V, -1 when absent. */
static inline int crypto_strv_find(char *const *v, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return i;
	return -1;
}


/* "[no] KW ARG" sets a string member of the sub-mode's context object (a
 * TYPE), "no KW [ARG]" removes it; IOS gives both forms the same help. ARG
 * names its word(s) $NAME. */
#define CRYPTO_DEFUN_STR(fn, type, member, kw, arg, name, hlp)              \
	DEFUN(fn, "[no] " kw " ?[" arg "]", hlp)                             \
	{                                                                    \
		CLI_CONTEXT(type, o);                                        \
		const char *v = cli_is_no(a) ? NULL : cli_arg(a, name);      \
		return cli_set_str(&o->member, v);                     \
	}

void crypto_tsets_nvgen(struct sbuf *b, char *const *v, int n);

/* "[no] set pfs [groupN]" and "[no] ... lifetime ...", shared by crypto
 * map entries and ipsec profiles. */
#define CRYPTO_PFS_SYNTAX "[no] set pfs [(group1|group2|group5|group14)]"
#define CRYPTO_PFS_HELP \
	"Set a value\n" \
	"Specify pfs settings\n" \
	"D-H Group1 (768-bit modulus)\n" \
	"D-H Group2 (1024-bit modulus)\n" \
	"D-H Group5 (1536-bit modulus)\n" \
	"D-H Group14 (2048-bit modulus)\n"
/* *GROUP becomes the group the arguments name (0 for the no form);
 * returns the CLI code. */
int crypto_pfs_cmd(const struct cli_args *a, unsigned *group);

/* Follows "[no] ... security-association"; the no form takes the value
 * or not ("no set security-association lifetime seconds [N]"). */
#define SA_LIFETIME_SYNTAX \
	"lifetime (seconds ?[<120-86400>$secs]|kilobytes ?[<2560-4294967295>$kb])"
#define SA_LIFETIME_HELP \
	"Security association duration\n" \
	"Time-based key duration in seconds\n" \
	"Security association duration in seconds\n" \
	"Volume-based key duration\n" \
	"Security association duration in kilobytes encrypted\n"
/* The lifetime the arguments give replaces *SECS or *KB; the no form puts
 * the one it names back to DEF_SECS or DEF_KB. Returns the CLI code. */
int crypto_lifetime_cmd(const struct cli_args *a, unsigned *secs,
			unsigned long *kb, unsigned def_secs,
			unsigned long def_kb);
void crypto_lifetime_nvgen(struct sbuf *b, unsigned secs, unsigned long kb);

#endif
