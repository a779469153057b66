/* crypto subsystem: registration, reset for reload, and the running-config
 * section that puts ISAKMP, IPsec and crypto map lines in IOS order. */
#include "crypto_int.h"
#include "ha_int.h"
#include "ipsec_int.h"
#include "ike.h"
#include "sadb.h"

#include <string.h>

/* IOS separates the crypto blocks with "!" lines: one after the isakmp
 * globals and one after each client group / isakmp profile, then a second
 * one before the IPsec part; the same after ipsec profiles and dynamic maps
 * before the crypto maps (compare the seeds' 12.3/12.4 listings). */
static void crypto_sections(struct sbuf *b)
{
	bool isa = isakmp_nvgen_global(b);
	if (isa)
		sbuf_puts(b, "!\n");
	bool grp = isakmp_nvgen_groups(b);
	bool prof = isakmp_nvgen_profiles(b);
	if (isa || grp || prof)
		sbuf_puts(b, "!\n");

	if (ipsec_nvgen_tsets(b))
		sbuf_puts(b, "!\n");
	bool ipp = ipsec_nvgen_profiles(b);
	if (ipp)
		sbuf_puts(b, "!\n");
	bool dyn = cmap_nvgen_dynamic(b);
	if (dyn)
		sbuf_puts(b, "!\n");
	if (ipp || dyn)
		sbuf_puts(b, "!\n");

	if (cmap_nvgen_static(b))
		sbuf_puts(b, "!\n");
}

/* The crypto part opens with a "!" of its own, like every IOS section. */
static void crypto_writer(struct sbuf *b)
{
	struct sbuf s;
	sbuf_init(&s);
	crypto_sections(&s);
	if (s.len) {
		sbuf_puts(b, "!\n");
		sbuf_add(b, s.s, s.len);
	}
	sbuf_free(&s);
}

static void crypto_reset(void)
{
	/* the IKE SAs first: the IPsec SAs that go after them are nobody's
	 * to announce; nor is a reload's wiping of them a change the
	 * standby must copy (the HA manager starts afresh after) */
	ike_sa_set_ha_hook(NULL);
	ike_reset();
	sadb_reset();
	ha_mgr_reset();
	spd_reset();
	rri_reset();
	ipsec_io_reset();
	vti_reset();
	cmap_cfg_reset();
	ipsec_cfg_reset();
	isakmp_cfg_reset();
}

/* show debugging: one "Cryptographic Subsystem:" block for both debugs,
 * ISAKMP's line first, as IOS lists them. */
static void debug_show(struct sbuf *out)
{
	if (!ike_debug && !ipsec_debug && !ha_debug_any())
		return;
	sbuf_puts(out, "Cryptographic Subsystem:\n");
	if (ike_debug)
		sbuf_puts(out, "  Crypto ISAKMP debugging is on\n");
	if (ipsec_debug)
		sbuf_puts(out, "  Crypto IPSEC debugging is on\n");
	ha_debug_show(out);
}

static void debug_off(void)
{
	ike_debug = false;
	ipsec_debug = false;
	ha_debug_off();
}

static const struct subsys crypto_subsys = {
	.name = "crypto",
	.reset = crypto_reset,
};

void crypto_init(void)
{
	isakmp_cfg_init();
	ipsec_cfg_init();
	cmap_cfg_init();
	gen_maps_init();
	crypto_show_init();
	xform_init();
	sadb_init();
	spd_init();
	rri_init();
	ipsec_io_init();
	vti_init();
	ipsec_show_init();
	ike_init();
	ha_mgr_init();
	cfg_register_writer(CFG_CRYPTO, crypto_writer);
	core_register_debug(debug_show, debug_off);
	core_register_subsys(&crypto_subsys);
}
