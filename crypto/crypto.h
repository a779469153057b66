/* crypto: the IKE (ISAKMP) and IPsec configuration model — isakmp policies,
 * pre-shared keys, client configuration groups, isakmp profiles, transform
 * sets, ipsec profiles, crypto maps and dynamic maps, and their binding to
 * interfaces — with its CLI, running-config and show commands.
 *
 * Everything below is read-only for other subsystems: the configuration is
 * changed only through the CLI. Pointers stay valid until the next
 * configuration command (or reset) changes the object they point to. */
#ifndef IOSIM_CRYPTO_H
#define IOSIM_CRYPTO_H

#include <stdbool.h>
#include <stdint.h>

struct acl_rule;                /* platform.h */

/* Register commands, running-config writers and the subsystem (reset). */
void crypto_init(void);

/* ---- ISAKMP (IKE phase 1) ------------------------------------------------ */
enum ike_encr { IKE_ENCR_DES, IKE_ENCR_3DES, IKE_ENCR_AES };
enum ike_hash {
	IKE_HASH_SHA, IKE_HASH_MD5, IKE_HASH_SHA256, IKE_HASH_SHA384,
	IKE_HASH_SHA512,
};
enum ike_auth { IKE_AUTH_RSA_SIG, IKE_AUTH_RSA_ENCR, IKE_AUTH_PRESHARE };

/* Defaults of a policy (IOS "Default protection suite"). */
#define IKE_DEFAULT_GROUP     1
#define IKE_DEFAULT_LIFETIME  86400u

struct isakmp_policy {
	unsigned priority;          /* 1..10000, list sorted ascending */
	enum ike_encr encr;
	unsigned aes_bits;          /* 128/192/256 when encr is AES */
	enum ike_hash hash;
	enum ike_auth auth;
	unsigned group;             /* Diffie-Hellman group: 1 2 5 14 15 16 */
	unsigned lifetime;          /* seconds, 60..86400 */
	struct isakmp_policy *next;
};
/* Policies in priority order (NULL when none configured: IKE then uses the
 * default suite only). */
const struct isakmp_policy *crypto_isakmp_policies(void);

struct isakmp_key {
	char *key;                  /* the pre-shared key as configured */
	unsigned enc_type;          /* 0 = clear text, 6 = type-6 encrypted */
	char *hostname;             /* "hostname NAME" form, else NULL */
	uint32_t addr, mask;        /* "address A [M]" form, network order */
	bool mask_given;
	bool no_xauth;
	struct isakmp_key *next;
};
const struct isakmp_key *crypto_isakmp_keys(void);
/* Best (longest mask) address key covering PEER (network order). */
const struct isakmp_key *crypto_isakmp_key_for(uint32_t peer);

/* crypto isakmp keepalive (DPD). false when not configured. */
bool crypto_isakmp_keepalive(unsigned *secs, unsigned *retry, bool *periodic);

struct isakmp_group;            /* client configuration group (Easy VPN) */
struct isakmp_profile;
const struct isakmp_group *crypto_isakmp_group_find(const char *name);
const struct isakmp_profile *crypto_isakmp_profile_find(const char *name);

/* ---- IPsec transform sets and global SA settings --------------------------- */
enum xform {
	XF_NONE,
	XF_AH_MD5, XF_AH_SHA,                       /* AH */
	XF_ESP_DES, XF_ESP_3DES, XF_ESP_AES, XF_ESP_GCM, XF_ESP_NULL,
	XF_ESP_MD5, XF_ESP_SHA, XF_ESP_SHA256,      /* ESP integrity */
	XF_COMP_LZS,                                /* IP compression */
};
struct crypto_tset {
	char *name;
	enum xform ah, esp_enc, esp_auth, comp;     /* XF_NONE when absent */
	unsigned enc_bits;          /* AES / GCM key size: 128, 192, 256 */
	bool transport;             /* mode transport (default tunnel) */
	struct crypto_tset *next;
};
const struct crypto_tset *crypto_tsets(void);
const struct crypto_tset *crypto_tset_find(const char *name);

enum ipsec_df_bit { DF_BIT_COPY, DF_BIT_CLEAR, DF_BIT_SET };
struct ipsec_globals {
	unsigned sa_seconds;        /* default 3600 */
	unsigned long sa_kilobytes; /* default 4608000 */
	unsigned replay_window;     /* default 64 */
	bool replay_off;            /* security-association replay disable */
	enum ipsec_df_bit df_bit;   /* default copy */
};
const struct ipsec_globals *crypto_ipsec_globals(void);

/* The 12.4 name of one transform ("esp-256-aes", "ah-md5-hmac"). */
const char *crypto_xform_name(enum xform x, unsigned bits);

/* ---- crypto maps ------------------------------------------------------------ */
#define CMAP_MAX_TSETS  6

enum cmap_type { CMAP_ISAKMP, CMAP_MANUAL, CMAP_ISAKMP_DYNAMIC };
enum rri_mode { RRI_OFF, RRI_ON, RRI_STATIC, RRI_REMOTE_PEER };

/* "set session-key inbound|outbound ah|esp SPI ..." of an ipsec-manual
 * entry: the SPI (256..4294967295) and the keys as hex strings give them. */
#define CMAP_KEY_MAX 64             /* bytes of one key */
enum cmap_key_slot { SK_IN_ESP, SK_OUT_ESP, SK_IN_AH, SK_OUT_AH, SK__COUNT };
struct cmap_session_key {
	bool set;
	uint32_t spi;
	uint8_t cipher[CMAP_KEY_MAX], auth[CMAP_KEY_MAX];
	uint8_t cipher_len, auth_len;   /* 0: not given */
};

/* One entry (sequence number) of a static or dynamic map. */
struct cmap_entry {
	struct crypto_map *map;
	unsigned seq;
	enum cmap_type type;
	char *dynamic;              /* CMAP_ISAKMP_DYNAMIC: dynamic map name */
	char *description;
	char **peer;                /* set peer: address or host name, in order */
	bool *peer_dynamic;         /* host name resolved when used */
	int npeer;
	char *tset[CMAP_MAX_TSETS]; /* set transform-set (may be undefined) */
	int ntset;
	char *acl;                  /* match address (number or name) */
	enum rri_mode rri;
	uint32_t rri_gateway;       /* reverse-route remote-peer A.B.C.D */
	unsigned pfs_group;         /* 0 = no PFS */
	unsigned sa_seconds;        /* 0 = global lifetime */
	unsigned long sa_kilobytes; /* 0 = global lifetime */
	char *isakmp_profile;
	struct cmap_session_key key[SK__COUNT];   /* ipsec-manual */
	/* an entry the router made itself (gen_map.c): its lines instead of
	 * a named ACL; BLOCKED: what they permit is dropped, never sent in
	 * clear, and no SA is asked for (its profile is missing) */
	struct acl_rule *rules;
	int nrules;
	bool blocked;
	struct cmap_entry *next;    /* ascending seq */
};

struct crypto_map {
	char *name;
	bool dynamic;               /* crypto dynamic-map */
	struct cmap_entry *entries;
	/* map-wide settings (static maps) */
	char *local_address;        /* interface name */
	char *client_auth_list;
	char *client_acct_list;
	char *isakmp_author_list;
	char *isakmp_profile;
	bool cfg_addr_initiate, cfg_addr_respond;
	unsigned replay_in, replay_out;  /* 0 = defaults 1000 / 100000 */
	/* made by the router from an ipsec profile ("Map is a PROFILE
	 * INSTANCE"): never in the running-config */
	char *profile;
	uint32_t local_ip;          /* and its local end (network order) */
	struct crypto_map *next;
	/* cmap_cfg.c's index: entries by seq, and the last one (a
	 * configuration lists them in order: each new one goes at the end) */
	struct intmap by_seq;
	struct cmap_entry *last;
};
#define CMAP_REPLAY_IN_DEFAULT   1000u
#define CMAP_REPLAY_OUT_DEFAULT  100000u

const struct crypto_map *crypto_maps(void);
/* A configured map or one the router made, by name. */
const struct crypto_map *crypto_map_find(const char *name);
const struct crypto_map *crypto_dynamic_maps(void);
const struct crypto_map *crypto_dynamic_map_find(const char *name);
const struct cmap_entry *crypto_map_entry(const struct crypto_map *m,
					  unsigned seq);
unsigned crypto_map_replay_in(const struct crypto_map *m);
unsigned crypto_map_replay_out(const struct crypto_map *m);

/* An interface's "crypto map NAME [redundancy GROUP [stateful]]". */
struct cmap_binding {
	char *ifname;               /* canonical interface name */
	char *map;
	char *redundancy;           /* HSRP group name, NULL when none */
	bool has_redundancy;        /* "redundancy" given (name optional) */
	bool stateful;
	bool generated;             /* the router's own (gen_map.c) */
	bool vti;                   /* an IPsec virtual tunnel interface's: it
				     * protects what is routed into the tunnel,
				     * and nothing on other interfaces */
	struct cmap_binding *next;
};
/* Every binding in force: the router's own first (tunnel protection,
 * `security ipsec`), then the configured ones. An interface may have
 * two: its own crypto map and the one protecting the IPC traffic. */
const struct cmap_binding *crypto_binding_first(void);
const struct cmap_binding *crypto_binding_next(const struct cmap_binding *b);
/* The configured "crypto map" line of an interface, or NULL. */
const struct cmap_binding *crypto_binding_for_iface(const char *ifname);
/* Static maps shown by show crypto map: the configured ones, then the
 * router's own. */
const struct crypto_map *crypto_map_first(void);
const struct crypto_map *crypto_map_next(const struct crypto_map *m);

/* ---- IPsec profiles and tunnel protection -------------------------------------- */
struct ipsec_profile {
	char *name;
	char *tset[CMAP_MAX_TSETS];
	int ntset;
	unsigned pfs_group;
	unsigned sa_seconds;
	unsigned long sa_kilobytes;
	char *isakmp_profile;
	char *redundancy;           /* "redundancy GROUP stateful" */
	bool stateful;
	struct ipsec_profile *next;
};
const struct ipsec_profile *crypto_ipsec_profiles(void);
const struct ipsec_profile *crypto_ipsec_profile_find(const char *name);
/* "tunnel protection ipsec profile NAME" of a tunnel interface, or NULL. */
const char *crypto_tunnel_protection(const char *ifname);

#endif
