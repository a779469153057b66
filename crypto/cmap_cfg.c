/* Crypto maps: static maps (map-wide settings and sequenced entries),
 * dynamic-map templates, and the binding of a map to an interface
 * ("crypto map NAME [redundancy GROUP [stateful]]"). */
#include "crypto_int.h"
#include "../platform/platform.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

static struct crypto_map *maps;       /* static maps, creation order */
static struct crypto_map *dynmaps;    /* dynamic maps, creation order */
static struct cmap_binding *bindings; /* interface bindings */

static void map_free(struct crypto_map *m);
static void binding_free(struct cmap_binding *b);
CRYPTO_LIST_GENERATE(map, struct crypto_map, name, map_free)
CRYPTO_LIST_GENERATE(binding, struct cmap_binding, ifname, binding_free)

/* ---- public lookups ------------------------------------------------------ */

const struct crypto_map *crypto_maps(void)
{
	return maps;
}

const struct crypto_map *crypto_map_find(const char *name)
{
	const struct crypto_map *m = *map_slot(&maps, name);
	return m ? m : gen_map_find(name);
}

const struct crypto_map *crypto_map_first(void)
{
	return maps ? maps : gen_maps();
}

const struct crypto_map *crypto_map_next(const struct crypto_map *m)
{
	if (m->next)
		return m->next;
	return m->profile ? NULL : gen_maps();
}

const struct crypto_map *crypto_dynamic_maps(void)
{
	return dynmaps;
}

const struct crypto_map *crypto_dynamic_map_find(const char *name)
{
	return *map_slot(&dynmaps, name);
}

const struct cmap_entry *crypto_map_entry(const struct crypto_map *m,
					  unsigned seq)
{
	return m ? intmap_get(&m->by_seq, seq) : NULL;
}

unsigned crypto_map_replay_in(const struct crypto_map *m)
{
	return m && m->replay_in ? m->replay_in : CMAP_REPLAY_IN_DEFAULT;
}

unsigned crypto_map_replay_out(const struct crypto_map *m)
{
	return m && m->replay_out ? m->replay_out : CMAP_REPLAY_OUT_DEFAULT;
}

const struct cmap_binding *crypto_binding_first(void)
{
	return gen_bindings() ? gen_bindings() : bindings;
}

const struct cmap_binding *crypto_binding_next(const struct cmap_binding *b)
{
	if (b->next)
		return b->next;
	return b->generated ? bindings : NULL;
}

const struct cmap_binding *crypto_binding_for_iface(const char *ifname)
{
	return *binding_slot(&bindings, ifname);
}

/* ---- maps and entries --------------------------------------------------- */
static void entry_clear_peers(struct cmap_entry *e)
{
	for (int i = 0; i < e->npeer; i++)
		free(e->peer[i]);
	free(e->peer);
	free(e->peer_dynamic);
	e->peer = NULL;
	e->peer_dynamic = NULL;
	e->npeer = 0;
}

/* Forget what the entry's sub-commands set (a static entry that becomes a
 * reference to a dynamic map keeps none of it). */
static void entry_clear_body(struct cmap_entry *e)
{
	xstrset(&e->description, NULL);
	entry_clear_peers(e);
	crypto_strlist_free(e->tset, &e->ntset);
	xstrset(&e->acl, NULL);
	xstrset(&e->isakmp_profile, NULL);
	e->rri = RRI_OFF;
	e->rri_gateway = 0;
	e->pfs_group = 0;
	e->sa_seconds = 0;
	e->sa_kilobytes = 0;
	OPENSSL_cleanse(e->key, sizeof e->key);   /* keys leave no trace */
	free(e->rules);
	e->rules = NULL;
	e->nrules = 0;
}

static void entry_free(struct cmap_entry *e)
{
	cli_obj_release(e);
	free(e->dynamic);
	entry_clear_body(e);
	free(e);
}

/* The map-wide string settings, in running-config order: the keyword that
 * picks each in MAPWIDE_SYNTAX, the words nvgen writes before the value,
 * and where the map keeps it. Freeing, emptiness, the commands and nvgen
 * all go through this one list. */
static const struct mapwide {
	const char *kw, *words;
	size_t off;
} mapwide[] = {
	{"local-address", "local-address",
	 offsetof(struct crypto_map, local_address)},
	{"authentication", "client authentication list",
	 offsetof(struct crypto_map, client_auth_list)},
	{"accounting", "client accounting list",
	 offsetof(struct crypto_map, client_acct_list)},
	{"authorization", "isakmp authorization list",
	 offsetof(struct crypto_map, isakmp_author_list)},
	{"isakmp-profile", "isakmp-profile",
	 offsetof(struct crypto_map, isakmp_profile)},
};
#define MAPWIDE_N (sizeof mapwide / sizeof mapwide[0])

static char **mapwide_str(const struct crypto_map *m, size_t i)
{
	return (char **)((const char *)m + mapwide[i].off);
}

static void map_free(struct crypto_map *m)
{
	while (m->entries) {
		struct cmap_entry *e = m->entries;
		m->entries = e->next;
		entry_free(e);
	}
	intmap_clear(&m->by_seq);
	free(m->name);
	for (size_t i = 0; i < MAPWIDE_N; i++)
		free(*mapwide_str(m, i));
	free(m->profile);
	free(m);
}

void cmap_map_free(struct crypto_map *m)
{
	map_free(m);
}

void cmap_binding_free(struct cmap_binding *b)
{
	binding_free(b);
}

/* A static map with no entries and no map-wide setting no longer exists. */
static bool map_is_empty(const struct crypto_map *m)
{
	for (size_t i = 0; i < MAPWIDE_N; i++)
		if (*mapwide_str(m, i))
			return false;
	return !m->entries && !m->cfg_addr_initiate && !m->cfg_addr_respond &&
	       !m->replay_in && !m->replay_out;
}

static void map_drop_if_empty(struct crypto_map **list, struct crypto_map *m)
{
	if (m && map_is_empty(m))
		map_remove(list, m->name);
}

/* Find or create entry SEQ; *created tells whether it is new. */
static struct cmap_entry *entry_get(struct crypto_map *m, unsigned seq,
				    bool *created)
{
	struct cmap_entry *e = intmap_get(&m->by_seq, seq);
	*created = !e;
	if (e)
		return e;
	e = xcalloc(1, sizeof *e);
	CLI_OBJ_REGISTER(e, struct cmap_entry);
	e->map = m;
	e->seq = seq;
	e->type = CMAP_ISAKMP;
	intmap_put(&m->by_seq, seq, e);
	/* ascending seq: usually after the last one */
	struct cmap_entry **ep = &m->entries;
	if (m->last && m->last->seq < seq)
		ep = &m->last->next;
	while (*ep && (*ep)->seq < seq)
		ep = &(*ep)->next;
	e->next = *ep;
	*ep = e;
	if (!e->next)
		m->last = e;
	return e;
}

/* Removing an entry that is not there changes nothing. */
static int entry_delete(struct crypto_map *m, unsigned seq)
{
	struct cmap_entry *prev = NULL;
	for (struct cmap_entry **ep = &m->entries; *ep; ep = &(*ep)->next) {
		if ((*ep)->seq == seq) {
			struct cmap_entry *e = *ep;
			*ep = e->next;
			if (m->last == e)
				m->last = prev;
			intmap_del(&m->by_seq, seq);
			entry_free(e);
			return CLI_OK;
		}
		prev = *ep;
	}
	return CLI_UNCHANGED;
}

/* ---- crypto map NAME SEQ [type] ---------------------------------------------- */
#define CMAP_TYPE_SYNTAX \
	"[(ipsec-isakmp [dynamic WORD$dyn]|ipsec-manual)]"
#define CMAP_TYPE_HELP \
	"IPSEC w/ISAKMP\n" \
	"Enable dynamic crypto map support\n" \
	"Name of dynamic crypto map template\n" \
	"IPSEC w/manual keying\n"

/* "crypto map NAME SEQ ipsec-isakmp dynamic DYN": the entry becomes a
 * reference to a dynamic-map template, with no sub-mode. */
static int entry_set_dynamic(struct cmap_entry *e, const char *dyn)
{
	bool changed = e->type != CMAP_ISAKMP_DYNAMIC;    /* a new one too */
	if (changed) {
		/* a new registration: a session in the old entry's sub-mode
		 * has nothing left to edit */
		CLI_OBJ_REGISTER(e, struct cmap_entry);
		entry_clear_body(e);
		e->type = CMAP_ISAKMP_DYNAMIC;
	}
	if (cli_set_str(&e->dynamic, dyn) == CLI_OK)
		changed = true;
	return changed ? CLI_OK : CLI_UNCHANGED;
}

/* Enter the entry's sub-mode, its type set as typed (ipsec-isakmp when
 * left out on a new entry or on a dynamic reference). */
static int entry_enter(struct cli *cli, const struct cli_args *a,
		       struct cmap_entry *e, bool created)
{
	enum cmap_type type = e->type;
	if (cli_has(a, "ipsec-manual"))
		type = CMAP_MANUAL;
	else if (cli_has(a, "ipsec-isakmp") || type == CMAP_ISAKMP_DYNAMIC)
		type = CMAP_ISAKMP;
	bool changed = created || type != e->type;
	if (e->type == CMAP_ISAKMP_DYNAMIC)
		xstrset(&e->dynamic, NULL);
	e->type = type;
	if (created)
		cli_printf(cli, "%% NOTE: This new crypto map will remain disabled "
				"until a peer\n        and a valid access list "
				"have been configured.\n");
	cli_enter(cli, MODE_CRYPTO_MAP, e);
	return changed ? CLI_OK : CLI_UNCHANGED;
}

/* "no crypto map NAME" / "no crypto dynamic-map NAME" removes the whole
 * map set, with SEQ one entry (and the map with its last entry, when
 * nothing map-wide is left). */
static int map_delete(struct crypto_map **list, const struct cli_args *a)
{
	struct crypto_map *m = *map_slot(list, cli_arg(a, "name"));
	if (!m)
		return CLI_UNCHANGED;
	if (!cli_has(a, "seq")) {
		map_remove(list, m->name);
		return CLI_OK;
	}
	int rc = entry_delete(m, (unsigned)cli_arg_num(a, "seq"));
	map_drop_if_empty(list, m);
	return rc;
}

DEFUN(cmap_entry,
      "[no] crypto map WORD$name ?[<1-65535>$seq " CMAP_TYPE_SYNTAX "]",
      "Encryption module\n"
      "Enter a crypto map\n"
      "Crypto map tag\n"
      "Sequence to insert into crypto map entry\n" CMAP_TYPE_HELP)
{
	if (cli_is_no(a))
		return map_delete(&maps, a);
	struct crypto_map *m = map_get(&maps, cli_arg(a, "name"));
	bool created;
	struct cmap_entry *e = entry_get(m, (unsigned)cli_arg_num(a, "seq"),
					 &created);
	if (cli_has(a, "dyn"))
		return entry_set_dynamic(e, cli_arg(a, "dyn"));
	return entry_enter(cli, a, e, created);
}

DEFUN(dynmap_entry, "[no] crypto dynamic-map WORD$name ?[<1-65535>$seq]",
      "Encryption module\n"
      "Specify a dynamic crypto map template\n"
      "Dynamic crypto map template tag\n"
      "Sequence to insert into dynamic crypto map entry\n")
{
	if (cli_is_no(a))
		return map_delete(&dynmaps, a);
	struct crypto_map *m = map_get(&dynmaps, cli_arg(a, "name"));
	bool created;
	m->dynamic = true;
	cli_enter(cli, MODE_CRYPTO_MAP,
		  entry_get(m, (unsigned)cli_arg_num(a, "seq"), &created));
	return created ? CLI_OK : CLI_UNCHANGED;
}

/* ---- map-wide settings ------------------------------------------------------------ */
/* The string settings share one handler: which one is named by the
 * keywords of the command. */
static char **mapwide_slot(struct crypto_map *m, const struct cli_args *a)
{
	for (size_t i = 1; i < MAPWIDE_N; i++)
		if (cli_has(a, mapwide[i].kw))
			return mapwide_str(m, i);
	return mapwide_str(m, 0);       /* local-address */
}

#define MAPWIDE_SYNTAX                                                      \
	"[no] crypto map WORD$name (client (authentication|accounting) list WORD$val" \
	"|isakmp authorization list WORD$val|isakmp-profile WORD$val"        \
	"|local-address IFNAME$val)"
#define MAPWIDE_HELP                                                        \
	"Encryption module\n"                                               \
	"Enter a crypto map\n"                                              \
	"Crypto map tag\n"                                                  \
	"Specify client configuration settings\n"                           \
	"Client Authentication\n"                                           \
	"Client Accounting\n"                                               \
	"AAA list to use\n"                                                 \
	"AAA list name\n"                                                   \
	"ISAKMP Authorization command\n"                                    \
	"ISAKMP Authorization parameters\n"                                 \
	"AAA authorization list to use\n"                                   \
	"AAA list name\n"                                                   \
	"Specify isakmp Profile\n"                                          \
	"isakmp profile name\n"                                             \
	"Interface to use for local address for this crypto map\n"          \
	"Interface name\n"

/* The map a map-wide command edits: made by the positive form, found (or
 * NULL: the no form then changes nothing) by the no form, which also
 * removes a map it leaves with nothing. */
static struct crypto_map *mapwide_map(const struct cli_args *a)
{
	const char *name = cli_arg(a, "name");
	return cli_is_no(a) ? *map_slot(&maps, name) : map_get(&maps, name);
}

DEFUN(cmap_mapwide, MAPWIDE_SYNTAX, MAPWIDE_HELP)
{
	struct crypto_map *m = mapwide_map(a);
	if (!m)
		return CLI_UNCHANGED;
	int rc = cli_set_str(mapwide_slot(m, a),
				   cli_is_no(a) ? NULL : cli_arg(a, "val"));
	map_drop_if_empty(&maps, m);
	return rc;
}

#define CFG_ADDR_SYNTAX \
	"[no] crypto map WORD$name client configuration address (initiate|respond)"
#define CFG_ADDR_HELP \
	"Encryption module\n" \
	"Enter a crypto map\n" \
	"Crypto map tag\n" \
	"Specify client configuration settings\n" \
	"Specify client configuration settings\n" \
	"Specify client network address configuration\n" \
	"Push client network address configuration\n" \
	"Respond to requests for client network address configuration\n"

DEFUN(cmap_cfg_addr, CFG_ADDR_SYNTAX, CFG_ADDR_HELP)
{
	struct crypto_map *m = mapwide_map(a);
	if (!m)
		return CLI_UNCHANGED;
	bool *flag = cli_has(a, "initiate") ? &m->cfg_addr_initiate
					    : &m->cfg_addr_respond;
	bool on = !cli_is_no(a);
	int rc = CLI_SET(*flag, on);
	map_drop_if_empty(&maps, m);
	return rc;
}

#define REPLAY_SYNTAX \
	"[no] crypto map WORD$name redundancy replay-interval " \
	"?[inbound <1-10000>$in outbound <1000-100000>$out]"
#define REPLAY_HELP \
	"Encryption module\n" \
	"Enter a crypto map\n" \
	"Crypto map tag\n" \
	"High availability options for this map\n" \
	"Configure replay counter intervals\n" \
	"Inbound replay counter interval\n" \
	"Number of inbound packets processed between updates\n" \
	"Outbound replay counter interval\n" \
	"Number of outbound packets processed between updates\n"

/* The no form puts both intervals back to their defaults. */
DEFUN(cmap_replay, REPLAY_SYNTAX, REPLAY_HELP)
{
	struct crypto_map *m = mapwide_map(a);
	if (!m)
		return CLI_UNCHANGED;
	bool on = !cli_is_no(a);
	unsigned in = on ? (unsigned)cli_arg_num(a, "in") : 0;
	unsigned out = on ? (unsigned)cli_arg_num(a, "out") : 0;
	int rc = CLI_UNCHANGED;
	if (m->replay_in != in || m->replay_out != out) {
		m->replay_in = in;
		m->replay_out = out;
		rc = CLI_OK;
	}
	map_drop_if_empty(&maps, m);
	return rc;
}

/* ---- entry sub-commands (config-crypto-map) ----------------------------------------- */
/* "set peer P": peers accumulate, each once. iosim has no DNS, so a host
 * name cannot be resolved now; "set peer NAME dynamic" defers the lookup
 * to tunnel setup and is stored as typed. */
static int peer_add(struct cli *cli, const struct cli_args *a,
		    struct cmap_entry *e)
{
	const char *p = cli_has(a, "ip") ? cli_arg(a, "ip") : cli_arg(a, "host");
	bool dyn = cli_has(a, "dynamic");
	if (!cli_has(a, "ip") && !dyn) {
		/* IOS resolves the name now; the lookup fails (no DNS server
		 * answers) and the parser rejects the word */
		cli_printf(cli, "Translating \"%s\"...domain server "
				"(255.255.255.255)\n", p);
		cli_invalid_arg(cli, a, 2);
		return CLI_ERR;
	}
	if (crypto_strv_find(e->peer, e->npeer, p) >= 0)
		return CLI_UNCHANGED;
	e->peer = xrealloc(e->peer, (size_t)(e->npeer + 1) * sizeof *e->peer);
	e->peer_dynamic = xrealloc(e->peer_dynamic,
				   (size_t)(e->npeer + 1) * sizeof(bool));
	e->peer[e->npeer] = xstrdup(p);
	e->peer_dynamic[e->npeer] = dyn;
	e->npeer++;
	return CLI_OK;
}

/* "no set peer P" removes that peer, "no set peer" all of them. */
static int peer_remove(const struct cli_args *a, struct cmap_entry *e)
{
	const char *p = cli_has(a, "ip") ? cli_arg(a, "ip") : cli_arg(a, "host");
	if (!p) {
		int had = e->npeer;
		entry_clear_peers(e);
		return had ? CLI_OK : CLI_UNCHANGED;
	}
	int i = crypto_strv_find(e->peer, e->npeer, p);
	if (i < 0)
		return CLI_UNCHANGED;
	free(e->peer[i]);
	for (int j = i; j + 1 < e->npeer; j++) {
		e->peer[j] = e->peer[j + 1];
		e->peer_dynamic[j] = e->peer_dynamic[j + 1];
	}
	e->npeer--;
	return CLI_OK;
}

DEFUN(entry_set_peer, "[no] set peer ?[(A.B.C.D$ip|WORD$host [dynamic])]",
      "Set a value\n"
      "Allowed Encryption/Decryption peer.  This command may be repeated to specify multiple peers\n"
      "IP address of peer\n"
      "Host name of the peer\n"
      "Resolve the host name just before tunnel setup\n")
{
	CLI_CONTEXT(struct cmap_entry, e);
	return cli_is_no(a) ? peer_remove(a, e) : peer_add(cli, a, e);
}

DEFUN(entry_set_tset, CRYPTO_TSET_SYNTAX, CRYPTO_TSET_HELP)
{
	CLI_CONTEXT(struct cmap_entry, e);
	return crypto_tset_cmd(e->tset, &e->ntset, a);
}

CRYPTO_DEFUN_STR(entry_match, struct cmap_entry, acl,
		 "match address",
		 "(<100-199>$acl|<2000-2699>$acl|WORD$acl)", "acl",
		 "Match values.\n"
		 "Match address of packets to encrypt.\n"
		 "IP access-list number\n"
		 "IP access-list number (expanded range)\n"
		 "Access-list name\n")

#define RRI_SYNTAX "[no] reverse-route [(static|remote-peer [A.B.C.D$gw])]"
#define RRI_HELP \
	"Reverse Route Injection.\n" \
	"Static Reverse Route Injection\n" \
	"Create route to remote peer\n" \
	"Gateway address for the route to the remote peer\n"

/* The no form turns injection off, whichever kind it names. */
DEFUN(entry_rri, RRI_SYNTAX, RRI_HELP)
{
	CLI_CONTEXT(struct cmap_entry, e);
	enum rri_mode rri = RRI_OFF;
	uint32_t gw = 0;
	if (!cli_is_no(a)) {
		rri = cli_has(a, "static") ? RRI_STATIC
		    : cli_has(a, "remote-peer") ? RRI_REMOTE_PEER : RRI_ON;
		gw = cli_has(a, "gw") ? cli_arg_ip(a, "gw") : 0;
	}
	if (e->rri == rri && e->rri_gateway == gw)
		return CLI_UNCHANGED;
	e->rri = rri;
	e->rri_gateway = gw;
	return CLI_OK;
}

DEFUN(entry_pfs, CRYPTO_PFS_SYNTAX, CRYPTO_PFS_HELP)
{
	CLI_CONTEXT(struct cmap_entry, e);
	return crypto_pfs_cmd(a, &e->pfs_group);
}

DEFUN(entry_sa_lifetime, "[no] set security-association " SA_LIFETIME_SYNTAX,
      "Set a value\n"
      "Security association parameters\n" SA_LIFETIME_HELP)
{
	CLI_CONTEXT(struct cmap_entry, e);
	return crypto_lifetime_cmd(a, &e->sa_seconds, &e->sa_kilobytes, 0, 0);
}

CRYPTO_DEFUN_STR(entry_isakmp_profile, struct cmap_entry, isakmp_profile,
		 "set isakmp-profile", "WORD$prof", "prof",
		 "Set a value\n"
		 "Specify isakmp Profile\n"
		 "isakmp profile name\n")

CRYPTO_DEFUN_STR(entry_description, struct cmap_entry, description,
		 "description", "LINE$text", "text",
		 "Description of the crypto map statement policy\n"
		 "Up to 80 characters describing this crypto map\n")

/* ---- manual keys ----------------------------------------------------------------------------- */
/* "set session-key inbound|outbound ah SPI KEY" and "... esp SPI [cipher
 * KEY] [authenticator KEY]": keys in hexadecimal, for ipsec-manual
 * entries only (an ipsec-isakmp entry has no such command). */
#define SESSION_KEY_SYNTAX \
	"set session-key (inbound|outbound) (ah <256-4294967295>$spi WORD$akey" \
	"|esp <256-4294967295>$spi (cipher WORD$ckey [authenticator WORD$akey]" \
	"|authenticator WORD$akey))"
#define SESSION_KEY_HELP \
	"Set a value\n" \
	"Specify a session key\n" \
	"Inbound session key\n" \
	"Outbound session key\n" \
	"Specify an AH session key\n" \
	"Security parameter index\n" \
	"Session key string, in hex\n" \
	"Specify an ESP session key\n" \
	"Security parameter index\n" \
	"Specify an ESP cipher session key\n" \
	"Session key string, in hex\n" \
	"Specify an ESP authenticator session key\n" \
	"Session key string, in hex\n" \
	"Specify an ESP authenticator session key\n" \
	"Session key string, in hex\n"

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0'
	     : c >= 'a' && c <= 'f' ? c - 'a' + 10
	     : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* An even number of hex digits, at most CMAP_KEY_MAX bytes. */
static bool hex_key(const char *s, uint8_t *out, uint8_t *len)
{
	size_t n = strlen(s);
	if (!n || n % 2 || n / 2 > CMAP_KEY_MAX)
		return false;
	for (size_t i = 0; i < n; i += 2) {
		int hi = hexval(s[i]), lo = hexval(s[i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	*len = (uint8_t)(n / 2);
	return true;
}

static enum cmap_key_slot key_slot(const struct cli_args *a)
{
	bool in = cli_has(a, "inbound");
	return cli_has(a, "ah") ? (in ? SK_IN_AH : SK_OUT_AH)
				: (in ? SK_IN_ESP : SK_OUT_ESP);
}

DEFUN(entry_session_key, SESSION_KEY_SYNTAX, SESSION_KEY_HELP)
{
	CLI_CONTEXT(struct cmap_entry, e);
	if (e->type != CMAP_MANUAL) {
		cli_invalid_arg(cli, a, 1);
		return CLI_ERR;
	}
	struct cmap_session_key k;
	memset(&k, 0, sizeof k);
	k.set = true;
	k.spi = (uint32_t)cli_arg_num(a, "spi");
	const char *ck = cli_arg(a, "ckey"), *ak = cli_arg(a, "akey");
	if ((ck && !hex_key(ck, k.cipher, &k.cipher_len)) ||
	    (ak && !hex_key(ak, k.auth, &k.auth_len))) {
		int bad = ck && !hex_key(ck, k.cipher, &k.cipher_len)
			? cli_arg_index(a, "ckey") : cli_arg_index(a, "akey");
		OPENSSL_cleanse(&k, sizeof k);
		cli_invalid_arg(cli, a, bad);
		return CLI_ERR;
	}
	struct cmap_session_key *slot = &e->key[key_slot(a)];
	int rc = memcmp(slot, &k, sizeof k) ? CLI_OK : CLI_UNCHANGED;
	*slot = k;
	OPENSSL_cleanse(&k, sizeof k);
	return rc;
}

DEFUN(entry_no_session_key,
      "no set session-key (inbound|outbound) (ah|esp) [LINE]",
      CLI_HELP_NO
      "Set a value\n"
      "Specify a session key\n"
      "Inbound session key\n"
      "Outbound session key\n"
      "Specify an AH session key\n"
      "Specify an ESP session key\n"
      "The rest of the key\n")
{
	CLI_CONTEXT(struct cmap_entry, e);
	struct cmap_session_key *slot = &e->key[key_slot(a)];
	if (!slot->set)
		return CLI_UNCHANGED;
	OPENSSL_cleanse(slot, sizeof *slot);
	return CLI_OK;
}

static void hex_nvgen(struct sbuf *b, const uint8_t *k, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sbuf_printf(b, "%02x", k[i]);
}

static void session_keys_nvgen(struct sbuf *b, const struct cmap_entry *e)
{
	static const struct {
		enum cmap_key_slot slot;
		const char *words;
	} order[] = {
		{SK_IN_AH, "inbound ah"}, {SK_OUT_AH, "outbound ah"},
		{SK_IN_ESP, "inbound esp"}, {SK_OUT_ESP, "outbound esp"},
	};
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
		const struct cmap_session_key *k = &e->key[order[i].slot];
		if (!k->set)
			continue;
		sbuf_printf(b, " set session-key %s %u", order[i].words, k->spi);
		bool ah = order[i].slot == SK_IN_AH || order[i].slot == SK_OUT_AH;
		if (ah) {
			sbuf_puts(b, " ");
			hex_nvgen(b, k->auth, k->auth_len);
		} else {
			if (k->cipher_len) {
				sbuf_puts(b, " cipher ");
				hex_nvgen(b, k->cipher, k->cipher_len);
			}
			if (k->auth_len) {
				sbuf_puts(b, " authenticator ");
				hex_nvgen(b, k->auth, k->auth_len);
			}
		}
		sbuf_puts(b, "\n");
	}
}

/* ---- interface binding -------------------------------------------------------------------- */
static int binding_count(void)
{
	int n = 0;
	for (const struct cmap_binding *b = bindings; b; b = b->next)
		n++;
	return n;
}

static void binding_free(struct cmap_binding *b)
{
	free(b->ifname);
	free(b->map);
	free(b->redundancy);
	free(b);
}

/* ISAKMP runs while at least one interface carries a crypto map. */
static void binding_unbind(const char *ifname)
{
	if (binding_remove(&bindings, ifname) && !bindings)
		log_ios("CRYPTO-6-ISAKMP_ON_OFF", "ISAKMP is OFF");
}

DEFUN(if_cmap, "[no] crypto map ?[WORD$name [redundancy [WORD$grp [stateful]]]]",
      "Encryption module\n"
      "Assign a Crypto Map\n"
      "Crypto Map tag\n"
      "High availability options for this map\n"
      "Redundancy group name\n"
      "enable stateful failover\n")
{
	CLI_CONTEXT(struct iface, ifp);
	if (cli_is_no(a)) {
		if (!*binding_slot(&bindings, iface_name(ifp)))
			return CLI_UNCHANGED;
		binding_unbind(iface_name(ifp));
		return CLI_OK;
	}
	bool first = binding_count() == 0;
	struct cmap_binding *b = binding_get(&bindings, iface_name(ifp));
	xstrset(&b->map, cli_arg(a, "name"));
	b->has_redundancy = cli_has(a, "redundancy");
	xstrset(&b->redundancy, cli_arg(a, "grp"));
	b->stateful = cli_has(a, "stateful");
	if (first)
		log_ios("CRYPTO-6-ISAKMP_ON_OFF", "ISAKMP is ON");
	return CLI_OK;
}

static void binding_iface_writer(struct sbuf *out, struct iface *ifp)
{
	const struct cmap_binding *b = *binding_slot(&bindings, iface_name(ifp));
	if (!b)
		return;
	sbuf_printf(out, " crypto map %s", b->map);
	if (b->has_redundancy)
		sbuf_puts(out, " redundancy");
	if (b->redundancy)
		sbuf_printf(out, " %s", b->redundancy);
	if (b->stateful)
		sbuf_puts(out, " stateful");
	sbuf_puts(out, "\n");
}

static void binding_iface_removed(enum core_event ev, void *data, void *ctx)
{
	binding_unbind(iface_name(data));
}

/* ---- running-config -------------------------------------------------------------------------- */
static void entry_body_nvgen(struct sbuf *b, const struct cmap_entry *e)
{
	char buf[16];
	if (e->description)
		sbuf_printf(b, " description %s\n", e->description);
	for (int i = 0; i < e->npeer; i++)
		sbuf_printf(b, " set peer %s%s\n", e->peer[i],
			    e->peer_dynamic[i] ? " dynamic" : "");
	crypto_lifetime_nvgen(b, e->sa_seconds, e->sa_kilobytes);
	session_keys_nvgen(b, e);
	crypto_tsets_nvgen(b, e->tset, e->ntset);
	if (e->pfs_group)
		sbuf_printf(b, " set pfs group%u\n", e->pfs_group);
	if (e->isakmp_profile)
		sbuf_printf(b, " set isakmp-profile %s\n", e->isakmp_profile);
	if (e->acl)
		sbuf_printf(b, " match address %s\n", e->acl);
	switch (e->rri) {
	case RRI_ON:
		sbuf_puts(b, " reverse-route\n");
		break;
	case RRI_STATIC:
		sbuf_puts(b, " reverse-route static\n");
		break;
	case RRI_REMOTE_PEER:
		if (e->rri_gateway)
			sbuf_printf(b, " reverse-route remote-peer %s\n",
				    ip_fmt(e->rri_gateway, buf));
		else
			sbuf_puts(b, " reverse-route remote-peer\n");
		break;
	case RRI_OFF:
		break;
	}
}

static void mapwide_nvgen(struct sbuf *b, const struct crypto_map *m)
{
	const char *n = m->name;
	for (size_t i = 0; i < MAPWIDE_N; i++)
		if (*mapwide_str(m, i))
			sbuf_printf(b, "crypto map %s %s %s\n", n, mapwide[i].words,
				    *mapwide_str(m, i));
	if (m->cfg_addr_initiate)
		sbuf_printf(b, "crypto map %s client configuration address "
			       "initiate\n", n);
	if (m->cfg_addr_respond)
		sbuf_printf(b, "crypto map %s client configuration address "
			       "respond\n", n);
	if (m->replay_in || m->replay_out)
		sbuf_printf(b, "crypto map %s redundancy replay-interval inbound "
			       "%u outbound %u\n", n, crypto_map_replay_in(m),
			    crypto_map_replay_out(m));
}

bool cmap_nvgen_static(struct sbuf *b)
{
	for (const struct crypto_map *m = maps; m; m = m->next) {
		mapwide_nvgen(b, m);
		for (const struct cmap_entry *e = m->entries; e; e = e->next) {
			sbuf_printf(b, "crypto map %s %u ", m->name, e->seq);
			if (e->type == CMAP_ISAKMP_DYNAMIC) {
				sbuf_printf(b, "ipsec-isakmp dynamic %s\n", e->dynamic);
				continue;
			}
			sbuf_puts(b, e->type == CMAP_MANUAL ? "ipsec-manual\n"
							    : "ipsec-isakmp\n");
			entry_body_nvgen(b, e);
		}
	}
	return maps != NULL;
}

bool cmap_nvgen_dynamic(struct sbuf *b)
{
	for (const struct crypto_map *m = dynmaps; m; m = m->next)
		for (const struct cmap_entry *e = m->entries; e; e = e->next) {
			sbuf_printf(b, "crypto dynamic-map %s %u\n", m->name,
				    e->seq);
			entry_body_nvgen(b, e);
		}
	return dynmaps != NULL;
}

/* ---- lifecycle ------------------------------------------------------------------------------------ */
void cmap_cfg_reset(void)
{
	map_clear(&maps);
	map_clear(&dynmaps);
	binding_clear(&bindings);
}

void cmap_cfg_init(void)
{
	static const struct cli_command *const global[] = {
		&cmap_entry_cmd, &dynmap_entry_cmd, &cmap_mapwide_cmd,
		&cmap_cfg_addr_cmd, &cmap_replay_cmd,
	};
	static const struct cli_command *const entry[] = {
		&entry_set_peer_cmd, &entry_set_tset_cmd, &entry_match_cmd,
		&entry_rri_cmd, &entry_pfs_cmd, &entry_sa_lifetime_cmd,
		&entry_isakmp_profile_cmd, &entry_description_cmd,
		&entry_session_key_cmd, &entry_no_session_key_cmd,
	};
	for (size_t i = 0; i < sizeof global / sizeof global[0]; i++)
		cli_install(MODE_CONFIG, global[i]);
	for (size_t i = 0; i < sizeof entry / sizeof entry[0]; i++)
		cli_install(MODE_CRYPTO_MAP, entry[i]);
	cli_install(MODE_IF, &if_cmap_cmd);
	cli_install(MODE_SUBIF, &if_cmap_cmd);
	iface_register_writer(IFCFG_CRYPTO, binding_iface_writer);
	core_subscribe(EVT_IFACE_REMOVED, binding_iface_removed, NULL);
}
