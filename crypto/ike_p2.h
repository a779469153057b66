/* Private to the Quick Mode files (ike_qm.c, ike_p2pol.c): phase 2
 * proposals as transform sets see them, and the responder's choice. */
#ifndef IOSIM_IKE_P2_H
#define IOSIM_IKE_P2_H

#include "ike.h"

/* One proposal: a transform set's AH and/or ESP, as offered or chosen. */
struct qm_prop {
	uint8_t num;
	enum xform ah, enc, auth;
	unsigned bits;
	bool transport;
	uint32_t my_ah, my_esp;       /* our inbound SPIs */
	uint32_t peer_ah, peer_esp;   /* the peer's (our outbound) */
};

struct p2_attrs {
	uint16_t encap, auth, group;
	unsigned bits;
	uint32_t secs;
	uint64_t kb;
	bool unknown;
};

/* What the responder chose: the entry, the transform set, and the
 * transform of each part (to echo them back). */
struct choice {
	const struct isakmp_prop *ah, *esp;
	int ah_xf, esp_xf;
	struct p2_attrs attrs;
	struct qm_prop prop;
};

/* ---- transforms (ike_p2pol.c) ----------------------------------------------- */
bool p2_is_ah(enum xform x);
/* A transform set as a proposal; false when it cannot be one (IPComp). */
bool p2_tset_prop(const struct crypto_tset *t, struct qm_prop *p);
bool p2_has_esp(const struct qm_prop *p);
uint8_t p2_esp_id(enum xform x);
uint16_t p2_auth_attr(enum xform x);
size_t p2_enc_key_len(enum xform x, unsigned bits);
size_t p2_auth_key_len(enum xform x);
/* The encapsulation mode attribute, UDP-encapsulated with NAT-T. */
uint16_t p2_encap(const struct ike_sa *sa, bool transport);

/* ---- what the peer proposes ---------------------------------------------------- */
void p2_attrs_parse(const struct isakmp_xf *x, struct p2_attrs *a, bool dbg);
/* One transform of proposal part PR that WANT's protocol accepts: its
 * index in *WHICH and its attributes in *PA. */
bool p2_part_ok(const struct ike_sa *sa, const struct isakmp_prop *pr,
		const struct qm_prop *want, int *which, struct p2_attrs *pa);
/* The parts (AH, ESP) of proposal number NUM; -1 for one this router
 * cannot take (IPComp, a protocol twice). */
int p2_parts_of(const struct isakmp_sa *s, uint8_t num,
		const struct isakmp_prop **ah, const struct isakmp_prop **esp);
uint32_t p2_spi_of(const struct isakmp_prop *pr);
/* The crypto map entry (static, or a dynamic template) that takes the
 * peer's request for SEL, and what it chose; *VIA is the entry of the
 * applied map (the dynamic reference itself), *PROXY_OK whether any entry
 * covered the proxies at all. NULL when none takes it. */
const struct cmap_entry *p2_responder_entry(const struct ike_sa *sa,
					    const struct sa_selector *sel,
					    const struct isakmp_sa *s,
					    struct choice *c,
					    const struct cmap_entry **via,
					    bool *proxy_ok);

#endif
