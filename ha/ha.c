/* The ha subsystem: its parts initialised and reset together. */
#include "ha_int.h"

#include "../core/core.h"

static void ha_reset(void)
{
	rf_cfg_reset();
	rf_fsm_reset();
	rf_ckpt_reset();
}

static const struct subsys ha_subsys = {"ha", ha_reset};

void ha_init(void)
{
	core_register_subsys(&ha_subsys);
	rf_cfg_init();
	rf_fsm_init();
	rf_digest_init();
	ha_show_init();
}
