/* IP access lists: numbered (access-list N ...) and named (ip access-list
 * standard|extended NAME), their entries with sequence numbers and hit
 * counters, the running-config writers, show access-lists, and the API
 * crypto uses to read a list (crypto map match address).
 *
 * The grammar validates the shape of an entry (so IOS's caret lands on
 * the bad word); the handlers then read the matched words in order. */
#include "platform_int.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- data ------------------------------------------------------------------- */

struct acl_entry {
	struct acl_entry *next, *prev;
	struct acl_entry *same_hash;     /* by_match chain */
	uint64_t mhash;                  /* match_hash() */
	unsigned seq;
	char *remark;                    /* a remark line: no match fields */
	struct acl_rule r;
	bool established, log, log_input;
	int icmp_type, icmp_code;        /* -1: not given */
	uint64_t hits;
};

struct acl {
	struct acl *next;
	char name[64];
	bool numbered;                   /* printed as "access-list N" */
	bool extended;
	struct acl_entry *entries;       /* ascending seq */
	/* so that adding an entry does not compare it with every other:
	 * the last one, and indexes by seq and by what it matches */
	struct acl_entry *last;
	struct intmap by_seq;
	struct intmap by_match;          /* match_hash -> chain */
};

static struct acl *acls, *acls_tail;  /* show-run order */
static struct strmap acl_index;         /* by name */

/* ---- names: protocols, ports, ICMP types ------------------------------------ */

struct name_num {
	const char *name;
	unsigned num;
};

static const struct name_num protocols[] = {
	{"ip", 0}, {"icmp", 1}, {"igmp", 2}, {"ipinip", 4}, {"tcp", 6},
	{"udp", 17}, {"gre", 47}, {"esp", 50}, {"ahp", 51}, {"eigrp", 88},
	{"ospf", 89}, {"nos", 94}, {"pim", 103}, {NULL, 0},
};

/* The port names IOS accepts and prints (show-run prints a port by its
 * name when it has one). */
static const struct name_num tcp_ports[] = {
	{"bgp", 179}, {"chargen", 19}, {"cmd", 514}, {"daytime", 13},
	{"discard", 9}, {"domain", 53}, {"echo", 7}, {"exec", 512},
	{"finger", 79}, {"ftp", 21}, {"ftp-data", 20}, {"gopher", 70},
	{"hostname", 101}, {"ident", 113}, {"irc", 194}, {"klogin", 543},
	{"kshell", 544}, {"login", 513}, {"lpd", 515}, {"nntp", 119},
	{"pim-auto-rp", 496}, {"pop2", 109}, {"pop3", 110}, {"smtp", 25},
	{"sunrpc", 111}, {"tacacs", 49}, {"talk", 517}, {"telnet", 23},
	{"time", 37}, {"uucp", 540}, {"whois", 43}, {"www", 80}, {NULL, 0},
};
static const struct name_num udp_ports[] = {
	{"biff", 512}, {"bootpc", 68}, {"bootps", 67}, {"discard", 9},
	{"dnsix", 195}, {"domain", 53}, {"echo", 7}, {"isakmp", 500},
	{"mobile-ip", 434}, {"nameserver", 42}, {"netbios-dgm", 138},
	{"netbios-ns", 137}, {"netbios-ss", 139}, {"non500-isakmp", 4500},
	{"ntp", 123}, {"pim-auto-rp", 496}, {"rip", 520}, {"snmp", 161},
	{"snmptrap", 162}, {"sunrpc", 111}, {"syslog", 514}, {"tacacs", 49},
	{"talk", 517}, {"tftp", 69}, {"time", 37}, {"who", 513},
	{"xdmcp", 177}, {NULL, 0},
};

/* X(name, number, help) */
#define ICMP_TYPES(X)                                                       \
	X("echo", 8, "Echo (ping)")                                          \
	X("echo-reply", 0, "Echo reply")                                     \
	X("information-reply", 16, "Information replies")                   \
	X("information-request", 15, "Information requests")                \
	X("mask-reply", 18, "Mask replies")                                  \
	X("mask-request", 17, "Mask requests")                               \
	X("parameter-problem", 12, "All parameter problems")                 \
	X("redirect", 5, "All redirects")                                    \
	X("router-advertisement", 9, "Router discovery advertisements")      \
	X("router-solicitation", 10, "Router discovery solicitations")       \
	X("source-quench", 4, "Source quenches")                             \
	X("time-exceeded", 11, "All time exceededs")                         \
	X("timestamp-reply", 14, "Timestamp replies")                        \
	X("timestamp-request", 13, "Timestamp requests")                     \
	X("traceroute", 30, "Traceroute")                                    \
	X("unreachable", 3, "All unreachables")

#define NN_ENTRY(n, v, h) {n, v},
static const struct name_num icmp_types[] = {ICMP_TYPES(NN_ENTRY){NULL, 0}};

#define SYN_ALT(n, v, h) "|" n
#define HELP_LINE(n, v, h) h "\n"

/* A port is a number or a name. The grammar takes it as a WORD and the
 * handler checks it: spelled out as alternatives, the names would expand
 * (the engine expands every alternative into its own path) to a tree of
 * millions of nodes once source and destination ports are combined. */
#define PORT "WORD"
#define PORT_HELP "Port number (0-65535) or name\n"
#define PORT_OP "[((eq|gt|lt|neq) " PORT "|range " PORT " " PORT ")]"
#define PORT_OP_HELP                                                        \
	"Match only packets on a given port number\n"                        \
	"Match only packets with a greater port number\n"                    \
	"Match only packets with a lower port number\n"                      \
	"Match only packets not on a given port number\n" PORT_HELP          \
	"Match only packets in the range of port numbers\n" PORT_HELP        \
	PORT_HELP

#define SRC "(A.B.C.D A.B.C.D|host A.B.C.D|any)"
#define SRC_HELP                                                            \
	"Source address\n"                                                   \
	"Source wildcard bits\n"                                             \
	"A single source host\n"                                             \
	"Source address\n"                                                   \
	"Any source host\n"
#define DST "(A.B.C.D A.B.C.D|host A.B.C.D|any)"
#define DST_HELP                                                            \
	"Destination address\n"                                              \
	"Destination wildcard bits\n"                                        \
	"A single destination host\n"                                        \
	"Destination address\n"                                              \
	"Any destination host\n"
#define LOG "[(log|log-input)]"
#define LOG_HELP                                                            \
	"Log matches against this entry\n"                                   \
	"Log matches against this entry, including input interface\n"
#define ACTION "(permit|deny)"
#define ACTION_HELP "Specify packets to forward\nSpecify packets to reject\n"

/* The bodies of the entries, after the list number or sequence number. */
#define BODY_IP                                                             \
	ACTION " (ip|<0-255>|ahp|eigrp|esp|gre|igmp|ipinip|nos|ospf|pim) "   \
	SRC " " DST " " LOG
#define BODY_IP_HELP                                                        \
	ACTION_HELP                                                          \
	"Any Internet Protocol\n"                                            \
	"An IP protocol number\n"                                            \
	"Authentication Header Protocol\n"                                   \
	"Cisco's EIGRP routing protocol\n"                                   \
	"Encapsulation Security Payload\n"                                   \
	"Cisco's GRE tunneling\n"                                            \
	"Internet Gateway Message Protocol\n"                                \
	"IP in IP tunneling\n"                                               \
	"KA9Q NOS compatible IP over IP tunneling\n"                         \
	"OSPF routing protocol\n"                                            \
	"Protocol Independent Multicast\n" SRC_HELP DST_HELP LOG_HELP
#define BODY_TCP                                                            \
	ACTION " tcp " SRC " " PORT_OP " " DST " "                 \
	PORT_OP " [established] " LOG
#define BODY_TCP_HELP                                                       \
	ACTION_HELP "Transmission Control Protocol\n" SRC_HELP               \
	PORT_OP_HELP DST_HELP PORT_OP_HELP     \
	"Match established connections\n" LOG_HELP
#define BODY_UDP                                                            \
	ACTION " udp " SRC " " PORT_OP " " DST " "                 \
	PORT_OP " " LOG
#define BODY_UDP_HELP                                                       \
	ACTION_HELP "User Datagram Protocol\n" SRC_HELP                      \
	PORT_OP_HELP DST_HELP PORT_OP_HELP     \
	LOG_HELP
#define BODY_ICMP                                                           \
	ACTION " icmp " SRC " " DST " [(<0-255> [<0-255>]"                   \
	ICMP_TYPES(SYN_ALT) ")] " LOG
#define BODY_ICMP_HELP                                                      \
	ACTION_HELP "Internet Control Message Protocol\n" SRC_HELP DST_HELP  \
	"ICMP message type\n"                                                \
	"ICMP message code\n" ICMP_TYPES(HELP_LINE) LOG_HELP
#define BODY_STD ACTION " (A.B.C.D [A.B.C.D]|host A.B.C.D|any) [log]"
#define BODY_STD_HELP                                                       \
	ACTION_HELP                                                          \
	"Address to match\n"                                                 \
	"Wildcard bits\n"                                                    \
	"A single host address\n"                                            \
	"Host address to match\n"                                            \
	"Any source host\n"                                                  \
	"Log matches against this entry\n"

#define EXT_NUM "access-list (<100-199>|<2000-2699>) "
#define EXT_NUM_HELP                                                        \
	"Add an access list entry\n"                                         \
	"IP extended access list\n"                                          \
	"IP extended access list (expanded range)\n"
#define STD_NUM "access-list (<1-99>|<1300-1999>) "
#define STD_NUM_HELP                                                        \
	"Add an access list entry\n"                                         \
	"IP standard access list\n"                                          \
	"IP standard access list (expanded range)\n"
#define SEQ "[<1-2147483647>] "
#define SEQ_HELP "Sequence Number\n"

static const char *num_name(const struct name_num *t, unsigned v)
{
	for (; t->name; t++)
		if (t->num == v)
			return t->name;
	return NULL;
}

static bool name_num(const struct name_num *t, const char *s, unsigned *v)
{
	for (; t->name; t++)
		if (strcmp(t->name, s) == 0) {
			*v = t->num;
			return true;
		}
	return false;
}

/* ---- lists ---------------------------------------------------------------------- */

static bool all_digits(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s);
}

/* Which kind a list number is; false when it is no list number. */
static bool number_kind(const char *s, bool *extended)
{
	if (!all_digits(s) || strlen(s) > 5)
		return false;
	unsigned long n = strtoul(s, NULL, 10);
	if ((n >= 1 && n <= 99) || (n >= 1300 && n <= 1999)) {
		*extended = false;
		return true;
	}
	if ((n >= 100 && n <= 199) || (n >= 2000 && n <= 2699)) {
		*extended = true;
		return true;
	}
	return false;
}

struct acl *acl_find(const char *name)
{
	return strmap_get(&acl_index, name);
}

static struct acl *acl_create(const char *name, bool extended)
{
	struct acl *l = xcalloc(1, sizeof *l);
	CLI_OBJ_REGISTER(l, struct acl);
	snprintf(l->name, sizeof l->name, "%s", name);
	l->numbered = all_digits(name);
	l->extended = extended;
	if (acls_tail)
		acls_tail->next = l;
	else
		acls = l;
	acls_tail = l;
	strmap_put(&acl_index, l->name, l);
	return l;
}

static void entry_free(struct acl_entry *e)
{
	free(e->remark);
	free(e);
}

static void acl_delete(struct acl *l)
{
	cli_obj_release(l);
	strmap_del(&acl_index, l->name);
	struct acl *prev = NULL;
	for (struct acl **pp = &acls; *pp; prev = *pp, pp = &(*pp)->next)
		if (*pp == l) {
			*pp = l->next;
			if (acls_tail == l)
				acls_tail = prev;
			break;
		}
	while (l->entries) {
		struct acl_entry *e = l->entries;
		l->entries = e->next;
		entry_free(e);
	}
	intmap_clear(&l->by_seq);
	intmap_clear(&l->by_match);
	free(l);
}

const char *acl_name(const struct acl *acl) { return acl->name; }
bool acl_is_extended(const struct acl *acl) { return acl->extended; }

/* ---- parsing an entry from the matched words ------------------------------------- */

struct words {
	const struct cli_args *a;
	int i, n;
};

static const char *peek(const struct words *w)
{
	return w->i < w->n ? cli_argv(w->a, w->i) : NULL;
}

static const char *next(struct words *w)
{
	return w->i < w->n ? cli_argv(w->a, w->i++) : NULL;
}

static bool peek_is(const struct words *w, const char *s)
{
	const char *p = peek(w);
	return p && strcmp(p, s) == 0;
}

static bool is_dotted(const char *s)
{
	uint32_t v;
	return s && ip_parse(s, &v);
}

static uint32_t dotted(const char *s)
{
	uint32_t v = 0;
	ip_parse(s, &v);
	return v;
}

/* any | host A | A W  (standard lists: A alone means host A). */
static void parse_addr(struct words *w, uint32_t *addr, uint32_t *wild)
{
	const char *t = next(w);
	if (strcmp(t, "any") == 0) {
		*addr = 0;
		*wild = 0xffffffffu;
		return;
	}
	if (strcmp(t, "host") == 0) {
		*addr = dotted(next(w));
		*wild = 0;
		return;
	}
	*addr = dotted(t);
	*wild = is_dotted(peek(w)) ? dotted(next(w)) : 0;
	*addr &= ~*wild;  /* IOS keeps only the bits that are compared */
}

/* A port: 0-65535, or a port name or an unambiguous prefix of one. */
static bool port_value(const char *s, unsigned proto, uint16_t *out)
{
	if (all_digits(s)) {
		unsigned long v = strlen(s) <= 5 ? strtoul(s, NULL, 10) : 70000;
		if (v > 65535)
			return false;
		*out = (uint16_t)v;
		return true;
	}
	const struct name_num *t = proto == 6 ? tcp_ports : udp_ports;
	const struct name_num *hit = NULL;
	size_t len = strlen(s);
	for (; t->name; t++) {
		if (strcmp(t->name, s) == 0) {
			hit = t;
			break;
		}
		if (strncmp(t->name, s, len) == 0) {
			if (hit)
				return false;  /* ambiguous */
			hit = t;
		}
	}
	if (!hit)
		return false;
	*out = (uint16_t)hit->num;
	return true;
}

static bool parse_port(struct words *w, unsigned proto, struct acl_port *p)
{
	static const char *const ops[] = {NULL, "eq", "gt", "lt", "neq",
					  "range"};
	const char *t = peek(w);
	p->op = ACL_PORT_ANY;
	if (!t)
		return true;
	for (int k = 1; k <= ACL_PORT_RANGE; k++)
		if (strcmp(t, ops[k]) == 0)
			p->op = (enum acl_port_op)k;
	if (p->op == ACL_PORT_ANY)
		return true;
	w->i++;
	if (!port_value(next(w), proto, &p->lo))
		return false;
	p->hi = p->lo;
	if (p->op != ACL_PORT_RANGE)
		return true;
	if (!port_value(next(w), proto, &p->hi))
		return false;
	/* IOS: an empty range is eq, a reversed one is swapped */
	if (p->lo == p->hi) {
		p->op = ACL_PORT_EQ;
	} else if (p->lo > p->hi) {
		uint16_t t16 = p->lo;
		p->lo = p->hi;
		p->hi = t16;
	}
	return true;
}

/* Find the action word: what precedes it is the list number or seq. */
static int action_index(const struct cli_args *a)
{
	int n = cli_argc(a);
	for (int i = 0; i < n; i++) {
		const char *s = cli_argv(a, i);
		if (strcmp(s, "permit") == 0 || strcmp(s, "deny") == 0)
			return i;
	}
	return -1;
}

/* Read the entry from the action word on. False (with IOS's message
 * printed) when a port is no port. */
static bool parse_entry(struct cli *cli, const struct cli_args *a, int at,
			bool extended, struct acl_entry *e)
{
	struct words w = {a, at, cli_argc(a)};
	memset(e, 0, sizeof *e);
	e->icmp_type = e->icmp_code = -1;
	e->r.permit = strcmp(next(&w), "permit") == 0;
	unsigned proto = 0;
	if (extended) {
		const char *p = next(&w);
		if (!name_num(protocols, p, &proto))
			proto = (unsigned)strtoul(p, NULL, 10);
	}
	e->r.proto = (uint8_t)proto;
	parse_addr(&w, &e->r.src, &e->r.src_wild);
	if (!extended) {
		e->log = peek_is(&w, "log");
		return true;
	}
	bool ports = proto == 6 || proto == 17;
	if (ports && !parse_port(&w, proto, &e->r.sport))
		goto bad_port;
	parse_addr(&w, &e->r.dst, &e->r.dst_wild);
	if (ports && !parse_port(&w, proto, &e->r.dport))
		goto bad_port;
	if (proto == 1 && peek(&w) && !peek_is(&w, "log") &&
	    !peek_is(&w, "log-input")) {
		const char *t = next(&w);
		unsigned v;
		if (name_num(icmp_types, t, &v)) {
			e->icmp_type = (int)v;
		} else {
			e->icmp_type = (int)strtoul(t, NULL, 10);
			const char *c = peek(&w);
			if (c && all_digits(c))
				e->icmp_code = (int)strtoul(next(&w), NULL, 10);
		}
	}
	if (peek_is(&w, "established")) {
		e->established = true;
		w.i++;
	}
	e->log = peek_is(&w, "log");
	e->log_input = peek_is(&w, "log-input");
	return true;
bad_port:
	/* the word that is no port was the last one taken */
	cli_invalid_arg(cli, a, w.i - 1);
	return false;
}

static bool same_match(const struct acl_entry *x, const struct acl_entry *y)
{
	if ((x->remark == NULL) != (y->remark == NULL))
		return false;
	if (x->remark)
		return strcmp(x->remark, y->remark) == 0;
	return x->r.permit == y->r.permit && x->r.proto == y->r.proto &&
	       x->r.src == y->r.src && x->r.src_wild == y->r.src_wild &&
	       x->r.dst == y->r.dst && x->r.dst_wild == y->r.dst_wild &&
	       memcmp(&x->r.sport, &y->r.sport, sizeof x->r.sport) == 0 &&
	       memcmp(&x->r.dport, &y->r.dport, sizeof x->r.dport) == 0 &&
	       x->established == y->established && x->log == y->log &&
	       x->log_input == y->log_input &&
	       x->icmp_type == y->icmp_type && x->icmp_code == y->icmp_code;
}

/* FNV-1a over what same_match() compares. */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	for (const unsigned char *c = p; n--; c++)
		h = (h ^ *c) * 1099511628211ull;
	return h;
}

static uint64_t match_hash(const struct acl_entry *e)
{
	uint64_t h = 1469598103934665603ull;
	if (e->remark)
		return fnv(h, e->remark, strlen(e->remark)) | 1;  /* odd: remark */
	const struct acl_rule *r = &e->r;
	uint32_t v[] = {r->permit, r->proto, r->src, r->src_wild, r->dst,
			r->dst_wild, r->sport.op, r->sport.lo, r->sport.hi,
			r->dport.op, r->dport.lo, r->dport.hi, e->established,
			e->log, e->log_input, (uint32_t)e->icmp_type,
			(uint32_t)e->icmp_code};
	return fnv(h, v, sizeof v) & ~1ull;
}

/* The entry matching the same as E (at most one: none is added twice). */
static struct acl_entry *entry_same(const struct acl *l,
				    const struct acl_entry *e)
{
	for (struct acl_entry *x = intmap_get(&l->by_match, match_hash(e)); x;
	     x = x->same_hash)
		if (same_match(x, e))
			return x;
	return NULL;
}

static void entry_unlink(struct acl *l, struct acl_entry *x)
{
	DLIST_REMOVE(l->entries, l->last, x);
	intmap_del(&l->by_seq, x->seq);
	struct acl_entry *head = intmap_get(&l->by_match, x->mhash);
	if (head == x) {
		if (x->same_hash)
			intmap_put(&l->by_match, x->mhash, x->same_hash);
		else
			intmap_del(&l->by_match, x->mhash);
	} else {
		for (struct acl_entry *h = head; h; h = h->same_hash)
			if (h->same_hash == x) {
				h->same_hash = x->same_hash;
				break;
			}
	}
	entry_free(x);
}

/* Add E (a copy is stored) at SEQ, or after the last entry when SEQ is 0.
 * An identical entry is not added twice, as IOS. Walking the entries in
 * order, the first one that matches the same or has SEQ decides. */
static int entry_add(struct cli *cli, struct acl *l, const struct acl_entry *e,
		     unsigned seq)
{
	struct acl_entry *same = entry_same(l, e);
	struct acl_entry *taken = seq ? intmap_get(&l->by_seq, seq) : NULL;
	if (same && (!taken || same->seq <= taken->seq))
		return CLI_UNCHANGED;
	if (taken) {
		cli_printf(cli, "%% Duplicate sequence number\n");
		return CLI_ERR;
	}
	struct acl_entry *n = xmalloc(sizeof *n);
	*n = *e;
	n->remark = e->remark ? xstrdup(e->remark) : NULL;
	n->hits = 0;
	n->seq = seq ? seq : (l->last ? l->last->seq : 0) + 10;
	n->r.seq = n->seq;
	/* ascending seq: usually after the last one */
	struct acl_entry *succ = NULL;
	if (l->last && l->last->seq > n->seq)
		for (succ = l->entries; succ->seq < n->seq; succ = succ->next)
			;
	DLIST_INSERT_BEFORE(l->entries, l->last, succ, n);
	intmap_put(&l->by_seq, n->seq, n);
	n->mhash = match_hash(n);
	n->same_hash = intmap_get(&l->by_match, n->mhash);
	intmap_put(&l->by_match, n->mhash, n);
	return CLI_OK;
}

/* ---- numbered lists: access-list N ... ------------------------------------------- */

static int numbered_entry(struct cli *cli, const struct cli_args *a)
{
	int at = action_index(a);
	const char *num = cli_argv(a, at - 1);
	bool extended = false;
	number_kind(num, &extended);
	struct acl_entry e;
	if (!parse_entry(cli, a, at, extended, &e))
		return CLI_ERR;
	struct acl *l = acl_find(num);
	if (!l)
		l = acl_create(num, extended);
	return entry_add(cli, l, &e, 0);
}

DEFUN(acl_num_ip, EXT_NUM BODY_IP, EXT_NUM_HELP BODY_IP_HELP)
{
	return numbered_entry(cli, a);
}

DEFUN(acl_num_tcp, EXT_NUM BODY_TCP, EXT_NUM_HELP BODY_TCP_HELP)
{
	return numbered_entry(cli, a);
}

DEFUN(acl_num_udp, EXT_NUM BODY_UDP, EXT_NUM_HELP BODY_UDP_HELP)
{
	return numbered_entry(cli, a);
}

DEFUN(acl_num_icmp, EXT_NUM BODY_ICMP, EXT_NUM_HELP BODY_ICMP_HELP)
{
	return numbered_entry(cli, a);
}

DEFUN(acl_num_std, STD_NUM BODY_STD, STD_NUM_HELP BODY_STD_HELP)
{
	return numbered_entry(cli, a);
}

DEFUN(acl_num_remark,
      "access-list (<1-99>|<100-199>|<1300-1999>|<2000-2699>) remark "
      "LINE$text",
      "Add an access list entry\n"
      "IP standard access list\n"
      "IP extended access list\n"
      "IP standard access list (expanded range)\n"
      "IP extended access list (expanded range)\n"
      "Access list entry comment\n"
      "Comment up to 100 characters\n")
{
	const char *num = arg_after(a, "access-list");
	bool extended = false;
	number_kind(num, &extended);
	struct acl *l = acl_find(num);
	if (!l)
		l = acl_create(num, extended);
	struct acl_entry e;
	memset(&e, 0, sizeof e);
	char text[101];
	snprintf(text, sizeof text, "%s", cli_arg(a, "text"));
	e.remark = text;
	return entry_add(cli, l, &e, 0);
}

/* IOS removes the whole numbered list, whatever follows the number: so
 * this no form is declared on its own, taking any words after the number
 * rather than an entry's grammar. */
DEFUN(no_acl_num,
      "no access-list (<1-99>|<100-199>|<1300-1999>|<2000-2699>) [LINE]",
      CLI_HELP_NO
      "Add an access list entry\n"
      "IP standard access list\n"
      "IP extended access list\n"
      "IP standard access list (expanded range)\n"
      "IP extended access list (expanded range)\n"
      "Rest of the entry\n")
{
	const char *num = arg_after(a, "access-list");
	struct acl *l = num ? acl_find(num) : NULL;
	if (!l)
		return CLI_UNCHANGED;
	acl_delete(l);
	return CLI_OK;
}

/* ---- named lists: ip access-list standard|extended NAME ---------------------------- */

/* "no ip access-list KIND NAME" deletes only a list of that kind. */
static int named_acl_delete(const char *name, bool extended)
{
	struct acl *l = acl_find(name);
	if (!l || l->extended != extended)
		return CLI_UNCHANGED;
	acl_delete(l);
	return CLI_OK;
}

DEFUN(ip_acl_named, "[no] ip access-list (standard|extended) WORD$name",
      "Global IP configuration subcommands\n"
      "Named access-list\n"
      "Standard Access List\n"
      "Extended Access List\n"
      "Access-list name\n")
{
	const char *name = cli_arg(a, "name");
	bool extended = cli_has(a, "extended");
	if (cli_is_no(a))
		return named_acl_delete(name, extended);
	bool kind;
	if (name[0] >= '0' && name[0] <= '9') {
		if (!number_kind(name, &kind) || kind != extended) {
			cli_printf(cli, "%% Invalid access list name.\n");
			return CLI_ERR;
		}
	}
	struct acl *l = acl_find(name);
	if (l && l->extended != extended) {
		cli_printf(cli, "%% A named %s IP access list with this name "
				"already exists\n",
			   l->extended ? "extended" : "standard");
		return CLI_ERR;
	}
	int rc = l ? CLI_UNCHANGED : CLI_OK;   /* entered, or made now */
	if (!l)
		l = acl_create(name, extended);
	cli_enter(cli, extended ? MODE_EXT_NACL : MODE_STD_NACL, l);
	return rc;
}

static int named_entry(struct cli *cli, const struct cli_args *a)
{
	CLI_CONTEXT(struct acl, l);
	int at = action_index(a);
	unsigned seq = 0;
	if (at > 0 && all_digits(cli_argv(a, at - 1)))
		seq = (unsigned)strtoul(cli_argv(a, at - 1), NULL, 10);
	struct acl_entry e;
	if (!parse_entry(cli, a, at, l->extended, &e))
		return CLI_ERR;
	return entry_add(cli, l, &e, seq);
}

static int named_entry_delete(struct cli *cli, const struct cli_args *a)
{
	CLI_CONTEXT(struct acl, l);
	struct acl_entry e;
	if (!parse_entry(cli, a, action_index(a), l->extended, &e))
		return CLI_ERR;
	struct acl_entry *x = entry_same(l, &e);
	if (!x)
		return CLI_UNCHANGED;
	entry_unlink(l, x);
	return CLI_OK;
}

DEFUN(nacl_ip, SEQ BODY_IP, SEQ_HELP BODY_IP_HELP)
{
	return named_entry(cli, a);
}

DEFUN(nacl_tcp, SEQ BODY_TCP, SEQ_HELP BODY_TCP_HELP)
{
	return named_entry(cli, a);
}

DEFUN(nacl_udp, SEQ BODY_UDP, SEQ_HELP BODY_UDP_HELP)
{
	return named_entry(cli, a);
}

DEFUN(nacl_icmp, SEQ BODY_ICMP, SEQ_HELP BODY_ICMP_HELP)
{
	return named_entry(cli, a);
}

DEFUN(nacl_std, SEQ BODY_STD, SEQ_HELP BODY_STD_HELP)
{
	return named_entry(cli, a);
}

/* The entries' no forms are declared on their own: they take no sequence
 * number ("no 10" alone is no_nacl_seq). */
DEFUN(no_nacl_ip, "no " BODY_IP, CLI_HELP_NO BODY_IP_HELP)
{
	return named_entry_delete(cli, a);
}

DEFUN(no_nacl_tcp, "no " BODY_TCP, CLI_HELP_NO BODY_TCP_HELP)
{
	return named_entry_delete(cli, a);
}

DEFUN(no_nacl_udp, "no " BODY_UDP, CLI_HELP_NO BODY_UDP_HELP)
{
	return named_entry_delete(cli, a);
}

DEFUN(no_nacl_icmp, "no " BODY_ICMP, CLI_HELP_NO BODY_ICMP_HELP)
{
	return named_entry_delete(cli, a);
}

DEFUN(no_nacl_std, "no " BODY_STD, CLI_HELP_NO BODY_STD_HELP)
{
	return named_entry_delete(cli, a);
}

DEFUN(no_nacl_seq, "no <1-2147483647>$seq",
      CLI_HELP_NO SEQ_HELP)
{
	CLI_CONTEXT(struct acl, l);
	struct acl_entry *x = intmap_get(&l->by_seq,
					 (unsigned)cli_arg_num(a, "seq"));
	if (!x)
		return CLI_UNCHANGED;
	entry_unlink(l, x);
	return CLI_OK;
}

/* "no remark TEXT" deletes the first remark with that text. */
static int remark_delete(struct acl *l, const char *text)
{
	for (struct acl_entry *x = l->entries; x; x = x->next)
		if (x->remark && strcmp(x->remark, text) == 0) {
			entry_unlink(l, x);
			return CLI_OK;
		}
	return CLI_UNCHANGED;
}

DEFUN(nacl_remark, "[no] remark LINE$text",
      "Access list entry comment\n"
      "Comment up to 100 characters\n")
{
	CLI_CONTEXT(struct acl, l);
	if (cli_is_no(a))
		return remark_delete(l, cli_arg(a, "text"));
	struct acl_entry e;
	memset(&e, 0, sizeof e);
	char text[101];
	snprintf(text, sizeof text, "%s", cli_arg(a, "text"));
	e.remark = text;
	return entry_add(cli, l, &e, 0);
}

/* ---- formatting ------------------------------------------------------------------------ */

static void fmt_addr(struct sbuf *b, bool extended, bool show, uint32_t addr,
		     uint32_t wild)
{
	char b1[16], b2[16];
	if (wild == 0xffffffffu)
		sbuf_puts(b, " any");
	else if (wild == 0)
		sbuf_printf(b, extended ? " host %s" : " %s", ip_fmt(addr, b1));
	else if (!extended && show)
		sbuf_printf(b, " %s, wildcard bits %s", ip_fmt(addr, b1),
			    ip_fmt(wild, b2));
	else
		sbuf_printf(b, " %s %s", ip_fmt(addr, b1), ip_fmt(wild, b2));
}

static void fmt_port_value(struct sbuf *b, unsigned proto, unsigned v)
{
	const char *n = num_name(proto == 6 ? tcp_ports : udp_ports, v);
	if (n)
		sbuf_printf(b, "%s", n);
	else
		sbuf_printf(b, "%u", v);
}

static void fmt_port(struct sbuf *b, unsigned proto, const struct acl_port *p)
{
	static const char *const ops[] = {NULL, "eq", "gt", "lt", "neq",
					  "range"};
	if (p->op == ACL_PORT_ANY)
		return;
	sbuf_printf(b, " %s ", ops[p->op]);
	fmt_port_value(b, proto, p->lo);
	if (p->op == ACL_PORT_RANGE) {
		sbuf_puts(b, " ");
		fmt_port_value(b, proto, p->hi);
	}
}

/* One entry's text from the action on: "permit ip any host 10.0.0.1 log".
 * show-run pads deny to the width of permit, as IOS's nvgen does. */
static void fmt_entry(struct sbuf *b, const struct acl *l,
		      const struct acl_entry *e, bool show)
{
	if (e->remark) {
		sbuf_printf(b, "remark %s", e->remark);
		return;
	}
	bool pad = !show || !l->extended;
	sbuf_puts(b, e->r.permit ? "permit" : pad ? "deny  " : "deny");
	if (l->extended) {
		const char *pn = num_name(protocols, e->r.proto);
		if (pn)
			sbuf_printf(b, " %s", pn);
		else
			sbuf_printf(b, " %u", e->r.proto);
	}
	fmt_addr(b, l->extended, show, e->r.src, e->r.src_wild);
	if (l->extended) {
		fmt_port(b, e->r.proto, &e->r.sport);
		fmt_addr(b, true, show, e->r.dst, e->r.dst_wild);
		fmt_port(b, e->r.proto, &e->r.dport);
		if (e->icmp_type >= 0) {
			const char *tn = num_name(icmp_types,
						  (unsigned)e->icmp_type);
			if (tn && e->icmp_code < 0)
				sbuf_printf(b, " %s", tn);
			else
				sbuf_printf(b, " %d", e->icmp_type);
			if (e->icmp_code >= 0)
				sbuf_printf(b, " %d", e->icmp_code);
		}
		if (e->established)
			sbuf_puts(b, " established");
	}
	if (e->log)
		sbuf_puts(b, " log");
	if (e->log_input)
		sbuf_puts(b, " log-input");
}

void acl_entries_text(const struct acl *acl, struct sbuf *b,
		      const char *prefix)
{
	for (const struct acl_entry *e = acl->entries; e; e = e->next) {
		if (e->remark)
			continue;
		sbuf_puts(b, prefix);
		fmt_entry(b, acl, e, true);
		sbuf_puts(b, "\n");
	}
}

/* ---- running-config -------------------------------------------------------------------- */

static int cmp_named(const void *x, const void *y)
{
	const struct acl *a = *(struct acl *const *)x;
	const struct acl *b = *(struct acl *const *)y;
	if (a->extended != b->extended)
		return a->extended ? 1 : -1;
	return strcmp(a->name, b->name);
}

static int cmp_numbered(const void *x, const void *y)
{
	const struct acl *a = *(struct acl *const *)x;
	const struct acl *b = *(struct acl *const *)y;
	unsigned long na = strtoul(a->name, NULL, 10);
	unsigned long nb = strtoul(b->name, NULL, 10);
	return na < nb ? -1 : na > nb;
}

/* The lists of one kind (numbered or named), sorted; caller frees. */
static int sorted_lists(bool numbered, struct acl ***out)
{
	int n = 0;
	for (struct acl *l = acls; l; l = l->next)
		n += l->numbered == numbered;
	struct acl **v = xcalloc((size_t)n + 1, sizeof *v);
	int k = 0;
	for (struct acl *l = acls; l; l = l->next)
		if (l->numbered == numbered)
			v[k++] = l;
	qsort(v, (size_t)n, sizeof *v, numbered ? cmp_numbered : cmp_named);
	*out = v;
	return n;
}

static void write_named(struct sbuf *out)
{
	struct acl **v;
	int n = sorted_lists(false, &v);
	for (int i = 0; i < n; i++) {
		sbuf_printf(out, "ip access-list %s %s\n",
			    v[i]->extended ? "extended" : "standard", v[i]->name);
		for (struct acl_entry *e = v[i]->entries; e; e = e->next) {
			sbuf_puts(out, " ");
			fmt_entry(out, v[i], e, false);
			sbuf_puts(out, "\n");
		}
	}
	if (n)
		sbuf_puts(out, "!\n");
	free(v);
}

static void write_numbered(struct sbuf *out)
{
	struct acl **v;
	int n = sorted_lists(true, &v);
	bool any = false;
	for (int i = 0; i < n; i++)
		for (struct acl_entry *e = v[i]->entries; e; e = e->next) {
			sbuf_printf(out, "access-list %s ", v[i]->name);
			fmt_entry(out, v[i], e, false);
			sbuf_puts(out, "\n");
			any = true;
		}
	if (any)
		sbuf_puts(out, "!\n");
	free(v);
}

/* ---- show access-lists -------------------------------------------------------------- */

static void show_one(struct cli *cli, const struct acl *l)
{
	struct sbuf b;
	sbuf_init(&b);
	sbuf_printf(&b, "%s IP access list %s\n",
		    l->extended ? "Extended" : "Standard", l->name);
	for (const struct acl_entry *e = l->entries; e; e = e->next) {
		if (e->remark)
			continue;  /* remarks are not shown */
		sbuf_printf(&b, "    %u ", e->seq);
		fmt_entry(&b, l, e, true);
		if (e->hits)
			sbuf_printf(&b, " (%llu match%s)",
				    (unsigned long long)e->hits,
				    e->hits == 1 ? "" : "es");
		sbuf_puts(&b, "\n");
	}
	cli_puts(cli, b.s ? b.s : "");
	sbuf_free(&b);
}

/* Standard lists, then extended; numbered before named within each. */
static void show_all(struct cli *cli)
{
	struct acl **num, **nam;
	int nn = sorted_lists(true, &num), nm = sorted_lists(false, &nam);
	for (int pass = 0; pass < 2; pass++) {
		bool ext = pass == 1;
		for (int i = 0; i < nn; i++)
			if (num[i]->extended == ext && num[i]->entries)
				show_one(cli, num[i]);
		for (int i = 0; i < nm; i++)
			if (nam[i]->extended == ext)
				show_one(cli, nam[i]);
	}
	free(num);
	free(nam);
}

DEFUN(show_access_lists, "show [ip] access-lists [WORD$name]",
      "Show running system information\n"
      "IP information\n"
      "List access lists\n"
      "ACL name or number\n")
{
	const char *name = cli_arg(a, "name");
	if (!name) {
		show_all(cli);
		return CLI_OK;
	}
	const struct acl *l = acl_find(name);
	if (l)
		show_one(cli, l);
	return CLI_OK;
}

/* ---- API for crypto and the packet path --------------------------------------------- */

void acl_foreach(const struct acl *acl, acl_rule_fn fn, void *ctx)
{
	for (const struct acl_entry *e = acl->entries; e; e = e->next)
		if (!e->remark && !fn(&e->r, ctx))
			return;
}

bool acl_port_match(const struct acl_port *p, uint16_t port)
{
	switch (p->op) {
	case ACL_PORT_ANY: return true;
	case ACL_PORT_EQ: return port == p->lo;
	case ACL_PORT_GT: return port > p->lo;
	case ACL_PORT_LT: return port < p->lo;
	case ACL_PORT_NEQ: return port != p->lo;
	case ACL_PORT_RANGE: return port >= p->lo && port <= p->hi;
	}
	return false;
}

static bool addr_match(uint32_t want, uint32_t wild, uint32_t addr)
{
	return ((addr ^ want) & ~wild) == 0;
}

enum acl_result acl_evaluate(struct acl *acl, uint8_t proto, uint32_t src,
			     uint32_t dst, uint16_t sport, uint16_t dport)
{
	for (struct acl_entry *e = acl->entries; e; e = e->next) {
		if (e->remark)
			continue;
		const struct acl_rule *r = &e->r;
		if (!addr_match(r->src, r->src_wild, src))
			continue;
		if (acl->extended) {
			if (r->proto && r->proto != proto)
				continue;
			if (!addr_match(r->dst, r->dst_wild, dst))
				continue;
			if ((proto == 6 || proto == 17) && r->proto &&
			    (!acl_port_match(&r->sport, sport) ||
			     !acl_port_match(&r->dport, dport)))
				continue;
		}
		e->hits++;
		return r->permit ? ACL_PERMIT : ACL_DENY;
	}
	return ACL_NO_MATCH;  /* the implicit deny at the end */
}

/* ---- reset and init ------------------------------------------------------------------ */

void acl_reset(void)
{
	while (acls)
		acl_delete(acls);
	strmap_clear(&acl_index);
}

void acl_init(void)
{
	static const struct cli_command *const global[] = {
		&acl_num_ip_cmd, &acl_num_tcp_cmd, &acl_num_udp_cmd,
		&acl_num_icmp_cmd, &acl_num_std_cmd, &acl_num_remark_cmd,
		&no_acl_num_cmd, &ip_acl_named_cmd,
	};
	for (size_t i = 0; i < sizeof global / sizeof global[0]; i++)
		cli_install(MODE_CONFIG, global[i]);

	static const struct cli_command *const ext[] = {
		&nacl_ip_cmd, &nacl_tcp_cmd, &nacl_udp_cmd, &nacl_icmp_cmd,
		&no_nacl_ip_cmd, &no_nacl_tcp_cmd, &no_nacl_udp_cmd,
		&no_nacl_icmp_cmd,
	};
	for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++)
		cli_install(MODE_EXT_NACL, ext[i]);
	cli_install(MODE_STD_NACL, &nacl_std_cmd);
	cli_install(MODE_STD_NACL, &no_nacl_std_cmd);
	static const struct cli_command *const both[] = {
		&no_nacl_seq_cmd, &nacl_remark_cmd,
	};
	for (size_t i = 0; i < sizeof both / sizeof both[0]; i++) {
		cli_install(MODE_EXT_NACL, both[i]);
		cli_install(MODE_STD_NACL, both[i]);
	}
	cli_install(MODE_EXEC, &show_access_lists_cmd);
	cli_install(MODE_USER, &show_access_lists_cmd);  /* user EXEC too, as on IOS */

	cfg_register_writer(CFG_ACL_NAMED, write_named);
	cfg_register_writer(CFG_ACL_NUMBERED, write_numbered);
}
