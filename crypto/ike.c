/* The IKE engine as a whole: its parts started in order and reset
 * together (a reload forgets every SA without telling the peers, as a
 * rebooting router does). */
#include "ike.h"

void ike_reset(void)
{
	ike_qm_reset();
	ike_info_reset();
	ike_sa_reset();
	ike_crypto_reset();
}

void ike_init(void)
{
	ike_crypto_init();
	ike_sa_init();
	ike_qm_init();
	ike_info_init();
	ike_show_init();
}
