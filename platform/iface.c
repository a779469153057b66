/* The interface table: names, show-run order, link and line-protocol
 * state with IOS's syslog lines, the per-interface running-config writers
 * and the `interface` section of show running-config. */
#include "platform_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The table: a list in show-run order (what iface_first/iface_next
 * walk), found by name through a hash. A main interface's
 * sub-interfaces follow it directly in that order (the numbers decide
 * before the sub-interface does), and the tunnels are one run too (their
 * class sorts alone), so neither is looked for by walking the table. */
static struct iface *iface_list, *iface_tail;
static struct strmap iface_index;  /* canonical name -> interface */
static struct iface *first_tunnel;

static const struct {
	enum iface_type type;
	const char *name;
} iface_types[] = {
	{IFT_ETHERNET, "Ethernet"},
	{IFT_FASTETHERNET, "FastEthernet"},
	{IFT_GIGABITETHERNET, "GigabitEthernet"},
	{IFT_SERIAL, "Serial"},
	{IFT_LOOPBACK, "Loopback"},
	{IFT_TUNNEL, "Tunnel"},
	{IFT_VLAN, "Vlan"},
};

/* ---- names and order ---------------------------------------------------- */

/* Split "FastEthernet0/1/0.100" into type, numbers and sub-interface. */
static bool parse_canon(const char *canon, struct iface *ifp)
{
	size_t n = 0;
	for (size_t i = 0; i < sizeof iface_types / sizeof iface_types[0]; i++) {
		size_t l = strlen(iface_types[i].name);
		if (strncmp(canon, iface_types[i].name, l) == 0 &&
		    canon[l] >= '0' && canon[l] <= '9') {
			ifp->type = iface_types[i].type;
			n = l;
			break;
		}
	}
	if (n == 0)
		return false;
	const char *p = canon + n;
	ifp->nnum = 0;
	for (;;) {
		char *end;
		unsigned long v = strtoul(p, &end, 10);
		if (end == p || v > 0xffffffUL || ifp->nnum == 4)
			return false;
		ifp->num[ifp->nnum++] = (unsigned)v;
		p = end;
		if (*p == '/') {
			p++;
			continue;
		}
		break;
	}
	if (*p == '.') {
		char *end;
		unsigned long v = strtoul(p + 1, &end, 10);
		if (end == p + 1 || *end || v == 0 || v > 0xffffffUL)
			return false;
		ifp->is_subif = true;
		ifp->subif = (unsigned)v;
		p = end;
	}
	if (*p)
		return false;
	/* virtual interfaces have one number */
	if (!iface_is_physical(ifp) && ifp->nnum != 1)
		return false;
	return true;
}

bool iface_is_physical(const struct iface *ifp)
{
	return ifp->type == IFT_ETHERNET || ifp->type == IFT_FASTETHERNET ||
	       ifp->type == IFT_GIGABITETHERNET || ifp->type == IFT_SERIAL;
}

bool iface_is_ethernet(const struct iface *ifp)
{
	return ifp->type == IFT_ETHERNET || ifp->type == IFT_FASTETHERNET ||
	       ifp->type == IFT_GIGABITETHERNET || ifp->type == IFT_VLAN;
}

/* show running-config prints Loopback and Tunnel interfaces first (so that
 * `ip unnumbered Loopback0` and `tunnel source Loopback0` find them when
 * the configuration is read back), then the hardware by slot, then Vlan
 * interfaces, as the seeds' RouterA shows (Gi0/0, Gi0/1, Fa0/1/0.., Vlan1).
 * Hardware: by slot; on-board ports (slot/port) before module ports
 * (slot/subslot/port); then numerically; then by type. */
static int showrun_class(const struct iface *ifp)
{
	switch (ifp->type) {
	case IFT_LOOPBACK: return 0;
	case IFT_TUNNEL: return 1;
	case IFT_VLAN: return 3;
	default: return 2;
	}
}

/* show interfaces / show ip interface brief: hardware first, then the
 * interfaces the configuration created. */
static int display_class(const struct iface *ifp)
{
	switch (ifp->type) {
	case IFT_VLAN: return 1;
	case IFT_LOOPBACK: return 2;
	case IFT_TUNNEL: return 3;
	default: return 0;
	}
}

static int cmp_numbers(const struct iface *a, const struct iface *b)
{
	if (a->num[0] != b->num[0])
		return a->num[0] < b->num[0] ? -1 : 1;
	if (a->nnum != b->nnum)
		return a->nnum < b->nnum ? -1 : 1;
	for (int i = 1; i < a->nnum; i++)
		if (a->num[i] != b->num[i])
			return a->num[i] < b->num[i] ? -1 : 1;
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	/* the main interface before its sub-interfaces */
	unsigned sa = a->is_subif ? a->subif : 0;
	unsigned sb = b->is_subif ? b->subif : 0;
	if (sa != sb)
		return sa < sb ? -1 : 1;
	return 0;
}

int iface_order_cmp(const struct iface *a, const struct iface *b)
{
	int ca = showrun_class(a), cb = showrun_class(b);
	if (ca != cb)
		return ca < cb ? -1 : 1;
	return cmp_numbers(a, b);
}

static int cmp_display(const void *x, const void *y)
{
	const struct iface *a = *(struct iface *const *)x;
	const struct iface *b = *(struct iface *const *)y;
	int ca = display_class(a), cb = display_class(b);
	if (ca != cb)
		return ca < cb ? -1 : 1;
	return cmp_numbers(a, b);
}

int iface_list_display(struct iface ***out)
{
	int n = 0;
	for (struct iface *i = iface_list; i; i = i->next)
		n++;
	struct iface **v = xcalloc((size_t)n + 1, sizeof *v);
	int k = 0;
	for (struct iface *i = iface_list; i; i = i->next)
		v[k++] = i;
	qsort(v, (size_t)n, sizeof *v, cmp_display);
	*out = v;
	return n;
}

/* ---- lookup and creation ------------------------------------------------ */

struct iface *iface_find(const char *canon)
{
	return strmap_get(&iface_index, canon);
}

struct iface *iface_first(void)
{
	return iface_list;
}

struct iface *iface_next(const struct iface *ifp)
{
	return ifp->next;
}

/* A stable burned-in MAC: FNV-1a of hostname and interface name, in the
 * locally administered unicast space so it never collides with a vendor
 * OUI or HSRP's 0000.0c07.acXX. */
static void make_mac(struct iface *ifp)
{
	uint64_t h = 1469598103934665603ULL;
	const char *parts[2] = {core_hostname(), ifp->name};
	for (int p = 0; p < 2; p++) {
		for (const char *s = parts[p]; s && *s; s++) {
			h ^= (uint8_t)*s;
			h *= 1099511628211ULL;
		}
		h ^= '/';
		h *= 1099511628211ULL;
	}
	ifp->mac[0] = 0xca;
	for (int i = 1; i < 6; i++)
		ifp->mac[i] = (uint8_t)(h >> (8 * (i - 1)));
}

void iface_mac_str(const uint8_t mac[6], char *buf, size_t n)
{
	snprintf(buf, n, "%02x%02x.%02x%02x.%02x%02x", mac[0], mac[1], mac[2],
		 mac[3], mac[4], mac[5]);
}

/* The interface IFP goes before: a configuration (show running-config
 * read back) creates them in order, so the end is where the search
 * starts; a sub-interface's place is in its main interface's run, and
 * usually after the last one. NULL: at the end. */
static struct iface *list_successor(const struct iface *ifp)
{
	if (!iface_tail || iface_order_cmp(iface_tail, ifp) < 0)
		return NULL;
	struct iface *i = iface_list;
	if (ifp->parent) {
		struct iface *last = ifp->parent->last_subif ?
				     ifp->parent->last_subif : ifp->parent;
		if (iface_order_cmp(last, ifp) < 0)
			return last->next;
		i = ifp->parent;
	}
	while (i && iface_order_cmp(i, ifp) < 0)
		i = i->next;
	return i;
}

static void list_insert(struct iface *ifp)
{
	struct iface *succ = list_successor(ifp);
	DLIST_INSERT_BEFORE(iface_list, iface_tail, succ, ifp);
	strmap_put(&iface_index, ifp->name, ifp);
	struct iface *p = ifp->parent;
	if (p && (!p->last_subif || iface_order_cmp(p->last_subif, ifp) < 0))
		p->last_subif = ifp;
	if (ifp->type == IFT_TUNNEL &&
	    (!first_tunnel || iface_order_cmp(ifp, first_tunnel) < 0))
		first_tunnel = ifp;
}

static void list_remove(struct iface *ifp)
{
	struct iface *p = ifp->parent;
	if (p && p->last_subif == ifp)
		p->last_subif = ifp->prev != p ? ifp->prev : NULL;
	if (first_tunnel == ifp)
		first_tunnel = ifp->next && ifp->next->type == IFT_TUNNEL ?
			       ifp->next : NULL;
	DLIST_REMOVE(iface_list, iface_tail, ifp);
	strmap_del(&iface_index, ifp->name);
}

/* The tunnels, in show-run order. */
static struct iface *next_tunnel(const struct iface *tun)
{
	return tun->next && tun->next->type == IFT_TUNNEL ? tun->next : NULL;
}

/* The sub-interfaces of a main interface: the run right after it. */
static struct iface *first_subif(const struct iface *ifp)
{
	return ifp->next && ifp->next->parent == ifp ? ifp->next : NULL;
}

static struct iface *next_subif(const struct iface *sub)
{
	return sub->next && sub->next->parent == sub->parent ? sub->next : NULL;
}

static bool tunnel_sourced_from(const struct iface *tun, const char *name)
{
	return tun->tun_src_is_if && strcmp(tun->tun_src_if, name) == 0;
}

static void link_compute(const struct iface *ifp, enum link_state *link,
			 bool *line);

struct iface *iface_get(const char *canon)
{
	struct iface *ifp = iface_find(canon);
	if (ifp)
		return ifp;
	struct iface tmp;
	memset(&tmp, 0, sizeof tmp);
	if (strlen(canon) >= IFNAME_MAX || !parse_canon(canon, &tmp))
		return NULL;

	struct iface *parent = NULL;
	if (tmp.is_subif) {
		char pname[IFNAME_MAX];
		snprintf(pname, sizeof pname, "%s", canon);
		*strrchr(pname, '.') = '\0';
		parent = iface_get(pname);
		if (!parent)
			return NULL;
	}

	ifp = xcalloc(1, sizeof *ifp);
	CLI_OBJ_REGISTER(ifp, struct iface);
	*ifp = tmp;
	ifp->parent = parent;
	snprintf(ifp->name, sizeof ifp->name, "%s", canon);
	cli_ifname_short(canon, ifp->short_name, sizeof ifp->short_name);
	if (parent)
		memcpy(ifp->mac, parent->mac, sizeof ifp->mac);
	else
		make_mac(ifp);
	ifp->restart_delay = -1;
	ifp->cnt.last_input = ifp->cnt.last_output = -1;
	ifp->cnt_cleared = -1;
	ifp->state_since = core_uptime();

	/* The state it starts from decides what IOS logs on creation: a new
	 * Loopback logs its line protocol coming up, a new Tunnel its line
	 * protocol going down; hardware and sub-interfaces log nothing. */
	if (ifp->type == IFT_LOOPBACK) {
		ifp->link = LINK_UP;
		ifp->line_up = false;
	} else if (ifp->type == IFT_TUNNEL) {
		ifp->link = LINK_UP;
		ifp->line_up = true;
	} else {
		link_compute(ifp, &ifp->link, &ifp->line_up);
	}
	list_insert(ifp);
	core_publish(EVT_IFACE_ADDED, ifp);
	iface_update_state(ifp);
	return ifp;
}

void iface_delete(struct iface *ifp)
{
	/* sub-interfaces go with their main interface, in show-run order */
	for (struct iface *sub; (sub = first_subif(ifp));)
		iface_delete(sub);
	ifp->deleting = true;
	cli_obj_release(ifp);
	core_publish(EVT_IFACE_REMOVED, ifp);
	list_remove(ifp);
	ip_iface_reset(ifp);
	iface_cmds_reset_iface(ifp);
	net_iface_free(ifp);
	char name[IFNAME_MAX];
	snprintf(name, sizeof name, "%s", ifp->name);
	free(ifp);
	/* tunnels sourced from it lose their line protocol */
	for (struct iface *i = first_tunnel; i; i = next_tunnel(i))
		if (tunnel_sourced_from(i, name))
			iface_update_state(i);
}

/* ---- accessors ------------------------------------------------------------ */

const char *iface_name(const struct iface *ifp) { return ifp->name; }
const char *iface_short_name(const struct iface *ifp) { return ifp->short_name; }
enum iface_type iface_type(const struct iface *ifp) { return ifp->type; }
uint32_t iface_addr(const struct iface *ifp) { return ifp->addr; }
uint32_t iface_mask(const struct iface *ifp) { return ifp->mask; }
bool iface_admin_up(const struct iface *ifp) { return !ifp->shutdown; }
bool iface_line_up(const struct iface *ifp) { return ifp->line_up; }
bool iface_carrier(const struct iface *ifp) { return ifp->carrier; }
bool iface_attached(const struct iface *ifp) { return ifp->attached; }
bool iface_is_subif(const struct iface *ifp) { return ifp->is_subif; }
struct iface *iface_parent(const struct iface *ifp) { return ifp->parent; }
const char *iface_description(const struct iface *ifp) { return ifp->description; }
const char *iface_acl(const struct iface *ifp, bool out)
{
	return out ? ifp->acl_out : ifp->acl_in;
}
void iface_get_mac(const struct iface *ifp, uint8_t mac[6])
{
	memcpy(mac, ifp->mac, 6);
}

int iface_secondaries(const struct iface *ifp, uint32_t *addrs,
		      uint32_t *masks, int max)
{
	int n = 0;
	for (int i = 0; i < ifp->nsec && n < max; i++, n++) {
		addrs[n] = ifp->sec[i].addr;
		masks[n] = ifp->sec[i].mask;
	}
	return ifp->nsec;
}

bool iface_has_addr(const struct iface *ifp, uint32_t addr)
{
	if (ifp->addr && ifp->addr == addr)
		return true;
	for (int i = 0; i < ifp->nsec; i++)
		if (ifp->sec[i].addr == addr)
			return true;
	return false;
}

bool iface_on_subnet(const struct iface *ifp, uint32_t addr)
{
	if (ifp->addr && (ifp->addr & ifp->mask) == (addr & ifp->mask))
		return true;
	for (int i = 0; i < ifp->nsec; i++)
		if ((ifp->sec[i].addr & ifp->sec[i].mask) ==
		    (addr & ifp->sec[i].mask))
			return true;
	return false;
}

void iface_addr_changed(struct iface *ifp)
{
	/* No tunnel's state follows: its line protocol depends on its ends
	 * being configured and on its source interface's line protocol
	 * (tunnel_line), not on whose address its source is. */
	core_publish(EVT_IFACE_ADDR, ifp);
}

/* ---- state ------------------------------------------------------------------ */

static bool tunnel_line(const struct iface *ifp)
{
	if (!ifp->tun_src_set || !ifp->tun_dst)
		return false;
	if (ifp->tun_vti && !ifp->tun_protected)
		return false;
	if (!ifp->tun_src_is_if)
		return true;
	const struct iface *src = iface_find(ifp->tun_src_if);
	return src && src != ifp && src->line_up;
}

static void link_compute(const struct iface *ifp, enum link_state *link,
			 bool *line)
{
	if (ifp->shutdown) {
		*link = LINK_ADMIN_DOWN;
		*line = false;
		return;
	}
	if (ifp->is_subif) {
		*link = ifp->parent->link == LINK_UP ? LINK_UP : LINK_DOWN;
		*line = ifp->parent->line_up;
		return;
	}
	switch (ifp->type) {
	case IFT_LOOPBACK:
		*link = LINK_UP;
		*line = true;
		break;
	case IFT_TUNNEL:
		*link = LINK_UP;
		*line = tunnel_line(ifp);
		break;
	case IFT_VLAN:
		/* an SVI is up; its line protocol needs an active port */
		*link = LINK_UP;
		*line = ifp->carrier;
		break;
	default:
		*link = ifp->carrier ? LINK_UP : LINK_DOWN;
		*line = ifp->carrier;
		break;
	}
}

static void log_link(const struct iface *ifp, enum link_state from,
		     enum link_state to)
{
	(void)from;
	if (to == LINK_ADMIN_DOWN)
		log_ios("LINK-5-CHANGED",
			"Interface %s, changed state to administratively down",
			ifp->name);
	else
		log_ios("LINK-3-UPDOWN", "Interface %s, changed state to %s",
			ifp->name, to == LINK_UP ? "up" : "down");
}

static void dep_push(struct iface ***v, size_t *n, size_t *cap,
		     struct iface *ifp)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		*v = xrealloc(*v, *cap * sizeof **v);
	}
	(*v)[(*n)++] = ifp;
}

static int order_cmp_ptr(const void *x, const void *y)
{
	return iface_order_cmp(*(struct iface *const *)x,
			       *(struct iface *const *)y);
}

void iface_update_state(struct iface *ifp)
{
	enum link_state link;
	bool line;
	link_compute(ifp, &link, &line);
	if (link == ifp->link && line == ifp->line_up)
		return;
	/* IOS reports the link first, then the line protocol */
	if (link != ifp->link)
		log_link(ifp, ifp->link, link);
	if (line != ifp->line_up)
		log_ios("LINEPROTO-5-UPDOWN",
			"Line protocol on Interface %s, changed state to %s",
			ifp->name, line ? "up" : "down");
	ifp->link = link;
	ifp->line_up = line;
	ifp->state_since = core_uptime();
	core_publish(EVT_IFACE_STATE, ifp);

	/* what depends on it, in show-run order: its sub-interfaces, the
	 * tunnels sourced from it */
	struct iface **dep = NULL;
	size_t n = 0, cap = 0;
	for (struct iface *i = first_subif(ifp); i; i = next_subif(i))
		dep_push(&dep, &n, &cap, i);
	for (struct iface *i = first_tunnel; i; i = next_tunnel(i))
		if (i != ifp && i->parent != ifp &&
		    tunnel_sourced_from(i, ifp->name))
			dep_push(&dep, &n, &cap, i);
	if (n > 1)
		qsort(dep, n, sizeof *dep, order_cmp_ptr);
	for (size_t k = 0; k < n; k++)
		iface_update_state(dep[k]);
	free(dep);
}

void iface_set_carrier(struct iface *ifp, bool up)
{
	if (ifp->carrier == up)
		return;
	ifp->carrier = up;
	iface_update_state(ifp);
}

void iface_set_attached(struct iface *ifp, bool on)
{
	ifp->attached = on;
}

/* ---- running-config ------------------------------------------------------ */

struct iface_writer {
	int order, seq;
	iface_writer_fn fn;
};
static struct iface_writer *writers;
static int nwriters;

static int writer_cmp(const void *x, const void *y)
{
	const struct iface_writer *a = x, *b = y;
	if (a->order != b->order)
		return a->order < b->order ? -1 : 1;
	return a->seq - b->seq;
}

void iface_register_writer(int order, iface_writer_fn fn)
{
	writers = xrealloc(writers, (size_t)(nwriters + 1) * sizeof *writers);
	writers[nwriters] = (struct iface_writer){order, nwriters, fn};
	nwriters++;
	qsort(writers, (size_t)nwriters, sizeof *writers, writer_cmp);
}

void iface_write_one(struct sbuf *out, struct iface *ifp)
{
	sbuf_printf(out, "interface %s\n", ifp->name);
	for (int i = 0; i < nwriters; i++)
		writers[i].fn(out, ifp);
	sbuf_puts(out, "!\n");
}

char *iface_running_text(struct iface *ifp)
{
	struct sbuf b;
	sbuf_init(&b);
	iface_write_one(&b, ifp);
	return sbuf_take(&b);
}

static void write_interfaces(struct sbuf *out)
{
	for (struct iface *i = iface_list; i; i = i->next)
		iface_write_one(out, i);
}

/* ---- reset and init -------------------------------------------------------- */

/* A fresh router has its hardware (the attached ports) with default
 * configuration and nothing else. */
static void iface_reset_all(void)
{
	for (struct iface *i = iface_list; i;) {
		if (!i->attached || i->is_subif) {
			/* it takes its sub-interfaces along: go on after them */
			struct iface *nx = i->next;
			while (nx && nx->parent == i)
				nx = nx->next;
			iface_delete(i);
			i = nx;
			continue;
		}
		i = i->next;
	}
	for (struct iface *i = iface_list; i; i = i->next) {
		ip_iface_reset(i);
		iface_cmds_reset_iface(i);
		i->shutdown = false;
		memset(&i->cnt, 0, sizeof i->cnt);
		i->cnt.last_input = i->cnt.last_output = -1;
		i->cnt_cleared = -1;
		core_publish(EVT_IFACE_ADDR, i);
		iface_update_state(i);
	}
}

static void platform_reset(void)
{
	acl_reset();
	keychain_reset();
	ip_cfg_reset();
	iface_reset_all();
}

static const struct subsys platform_subsys = {"platform", platform_reset};

void platform_init(void)
{
	static bool done;
	if (done)
		return;
	done = true;
	core_register_subsys(&platform_subsys);
	cfg_register_writer(CFG_INTERFACES, write_interfaces);
	iface_cmds_init();
	ip_cfg_init();
	acl_init();
	keychain_init();
	iface_show_init();
	net_init();
	rib_init();
	route_show_init();
	ping_init();
}

void *iface_ext(const struct iface *ifp, enum iface_ext_slot slot)
{
	return ifp->ext[slot];
}

void iface_set_ext(struct iface *ifp, enum iface_ext_slot slot, void *obj)
{
	ifp->ext[slot] = obj;
}
