/* Global commands IOS configurations carry that iosim keeps only to print
 * back in place: version, service password-encryption (which does turn
 * stored passwords into type 7, as IOS does), boot markers, memory-size,
 * multilink bundle-name, voice-card, archive, control-plane, scheduler
 * allocate, webvpn cef and router ospf (configuration only: iosim runs no
 * OSPF). Each is declared with IOS's grammar so that typos still draw the
 * parser's error. */
#include "cli.h"
#include "cli_cfg.h"

#include <arpa/inet.h>
#include <openssl/rand.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ======================================================================== */
/* IOS type 7 ("service password-encryption")                               */
/* ======================================================================== */

/* The fixed key IOS XORs type 7 passwords with; the first two digits of
 * the encoded text say where in it to start. */
static const char xlat[] =
	"dsfd;kfoA,.iyewrkldJKDHSUBsgvca69834ncxv9873254k;fg87";
#define XLAT_LEN (sizeof xlat - 1)

void pw7_encode(const char *clear, char *out, size_t n)
{
	unsigned char r = 0;
	if (RAND_bytes(&r, 1) != 1)
		r = (unsigned char)strlen(clear);
	unsigned seed = r % 16;
	size_t len = strlen(clear), o = 0;
	if (n < 3 + 2 * len) {
		if (n)
			out[0] = '\0';
		return;
	}
	o += (size_t)snprintf(out, n, "%02u", seed);
	for (size_t i = 0; i < len; i++)
		o += (size_t)snprintf(out + o, n - o, "%02X",
				      (unsigned char)clear[i] ^
				      (unsigned char)xlat[(seed + i) % XLAT_LEN]);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)toupper((unsigned char)c);
	return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

bool pw7_decode(const char *hex, char *out, size_t n)
{
	size_t len = strlen(hex);
	if (len < 2 || len % 2 || !isdigit((unsigned char)hex[0]) ||
	    !isdigit((unsigned char)hex[1]))
		return false;
	unsigned seed = (unsigned)((hex[0] - '0') * 10 + (hex[1] - '0'));
	if (seed >= XLAT_LEN || (len - 2) / 2 + 1 > n)
		return false;
	size_t o = 0;
	for (size_t i = 2; i < len; i += 2) {
		int hi = hexval(hex[i]), lo = hexval(hex[i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		char c = (char)((hi << 4 | lo) ^
				xlat[(seed + o) % XLAT_LEN]);
		if (c == '\0')
			return false;
		out[o++] = c;
	}
	out[o] = '\0';
	return true;
}

void ios_pw_clear(struct ios_pw *pw)
{
	free(pw->clear);
	free(pw->enc);
	pw->clear = pw->enc = NULL;
}

void ios_pw_encrypt(struct ios_pw *pw)
{
	if (!pw->clear || pw->enc)
		return;
	size_t n = 3 + 2 * strlen(pw->clear);
	pw->enc = xmalloc(n);
	pw7_encode(pw->clear, pw->enc, n);
}

bool ios_pw_set(struct ios_pw *pw, bool type7, const char *text)
{
	char buf[256];
	if (type7 && !pw7_decode(text, buf, sizeof buf))
		return false;
	ios_pw_clear(pw);
	if (type7) {
		pw->clear = xstrdup(buf);
		pw->enc = xstrdup(text);
	} else {
		pw->clear = xstrdup(text);
		if (service_password_encryption())
			ios_pw_encrypt(pw);
	}
	return true;
}

/* ======================================================================== */
/* State                                                                    */
/* ======================================================================== */

#define VOICE_CARDS 10

struct ospf_net {
	uint32_t addr, wild;       /* network order, as typed */
	uint32_t area;             /* host order */
	bool area_dotted;          /* typed (and printed) as A.B.C.D */
};

enum { REDIST_CONNECTED, REDIST_STATIC, REDIST__N };
struct ospf_proc {
	unsigned id;
	uint32_t router_id;        /* network order */
	bool router_id_set;
	bool log_adj, log_adj_detail;
	bool redist[REDIST__N], redist_subnets[REDIST__N];
	struct ospf_net *nets;
	int nnets;
	char **passive;
	int npassive;
	struct ospf_proc *next;    /* sorted by id */
};

static struct {
	char version[32];
	bool pwenc;
	unsigned iomem;            /* 0: not configured */
	const char *bundle_name;   /* NULL: not configured */
	bool voice_card[VOICE_CARDS];
	bool dspfarm[VOICE_CARDS];
	bool archive, archive_log, hidekeys, logging_enable;
	unsigned sched_interval, sched_cpu;   /* 0: not configured */
	bool webvpn_cef;
	struct ospf_proc *ospf;
} m;

bool service_password_encryption(void)
{
	return m.pwenc;
}

/* ======================================================================== */
/* version, service password-encryption, boot markers                       */
/* ======================================================================== */

/* A yes/no setting: FLAG becomes what the line says; CLI_UNCHANGED when
 * it already was. */
static int set_flag(bool *flag, const struct cli_args *a)
{
	bool on = !cli_is_no(a);
	if (*flag == on)
		return CLI_UNCHANGED;
	*flag = on;
	return CLI_OK;
}

DEFUN(version_cmd, "version WORD", "Version\n"
      "Version number\n")
{
	const char *v = cli_arg(a, "WORD");
	if (!strcmp(m.version, v))
		return CLI_UNCHANGED;
	snprintf(m.version, sizeof m.version, "%s", v);
	return CLI_OK;
}

DEFUN(service_pwenc, "[no] service password-encryption",
      "Modify use of network based services\n"
      "Encrypt system passwords\n")
{
	/* passwords already encrypted stay so, as on IOS */
	if (cli_is_no(a))
		return set_flag(&m.pwenc, a);
	m.pwenc = true;
	aaa_encrypt_passwords();
	line_encrypt_passwords();
	return CLI_OK;
}

/* The markers delimit the boot system commands; iosim has none to put
 * between them, and IOS prints the pair whatever is typed. */
DEFUN(boot_start_marker, "boot-start-marker", "Start of boot system "
      "configuration\n")
{
	return CLI_UNCHANGED;
}

DEFUN(boot_end_marker, "boot-end-marker", "End of boot system "
      "configuration\n")
{
	return CLI_UNCHANGED;
}

static void version_write(struct sbuf *out)
{
	sbuf_printf(out, "version %s\n", m.version);
}

static void service_write(struct sbuf *out)
{
	sbuf_printf(out, "%sservice password-encryption\n",
		    m.pwenc ? "" : "no ");
}

static void boot_write(struct sbuf *out)
{
	sbuf_puts(out, "boot-start-marker\nboot-end-marker\n!\n");
}

/* ======================================================================== */
/* memory-size, multilink, voice-card, archive                              */
/* ======================================================================== */

DEFUN(memory_size, "[no] memory-size iomem ?[<5-25>]",
      "Adjust memory size by percentage\n"
      "I/O memory\n"
      "percentage of DRAM to use for I/O memory\n")
{
	/* takes effect at the next reload on IOS; iosim's memory is its own */
	unsigned iomem = cli_is_no(a) ? 0 : (unsigned)cli_arg_num(a, "<5-25>");
	if (iomem == m.iomem)
		return CLI_UNCHANGED;
	m.iomem = iomem;
	return CLI_OK;
}

static void global_write(struct sbuf *out)
{
	if (m.iomem)
		sbuf_printf(out, "memory-size iomem %u\n", m.iomem);
}

DEFUN(multilink_bundle,
      "[no] multilink bundle-name ?[(authenticated|endpoint|both)]",
      "PPP multilink global configuration\n"
      "Select method for naming multilink bundles\n"
      "Use peer's authenticated name\n"
      "Use peer's endpoint discriminator\n"
      "Use peer's authenticated name and endpoint discriminator\n")
{
	const char *name = cli_is_no(a) ? NULL
			   : cli_has(a, "authenticated") ? "authenticated"
			   : cli_has(a, "endpoint") ? "endpoint" : "both";
	if (name == m.bundle_name)    /* one of the three literals, or NULL */
		return CLI_UNCHANGED;
	m.bundle_name = name;
	return CLI_OK;
}

/* The voice card number is the context; (void *)(n + 1) keeps it non-NULL. */
DEFUN(voice_card, "voice-card <0-9>", "Configure a specific voice-card\n"
      "voice-card slot number\n")
{
	unsigned long n = cli_arg_num(a, "<0-9>");
	bool had = m.voice_card[n];
	m.voice_card[n] = true;
	cli_enter_value(cli, MODE_VOICECARD, n);
	return had ? CLI_UNCHANGED : CLI_OK;
}

static unsigned voice_ctx(struct cli *cli)
{
	return (unsigned)cli_ctx_value(cli);
}

DEFUN(dspfarm, "[no] dspfarm", "Enable dspfarm service\n")
{
	return set_flag(&m.dspfarm[voice_ctx(cli)], a);
}

/* "archive" and "log config" enter their modes; their no forms take
 * everything configured inside with them. */
DEFUN(archive, "[no] archive", "Archive the configuration\n")
{
	int rc = set_flag(&m.archive, a);
	if (cli_is_no(a))
		m.archive_log = m.hidekeys = m.logging_enable = false;
	else
		cli_enter(cli, MODE_ARCHIVE, NULL);
	return rc;
}

DEFUN(archive_log_config, "[no] log config", "Logging commands\n"
      "Logging changes to the running configuration\n")
{
	int rc = set_flag(&m.archive_log, a);
	if (cli_is_no(a))
		m.hidekeys = m.logging_enable = false;
	else
		cli_enter(cli, MODE_ARCHIVE_LOG, NULL);
	return rc;
}

DEFUN(hidekeys, "[no] hidekeys", "Hide password/key in configuration log\n")
{
	return set_flag(&m.hidekeys, a);
}

DEFUN(archive_logging_enable, "[no] logging enable", "Modify config logging "
      "parameters\n"
      "Enable the config logger\n")
{
	return set_flag(&m.logging_enable, a);
}

static void pre_if_write(struct sbuf *out)
{
	if (m.bundle_name)
		sbuf_printf(out, "multilink bundle-name %s\n!\n", m.bundle_name);
	for (int i = 0; i < VOICE_CARDS; i++)
		if (m.voice_card[i])
			sbuf_printf(out, "voice-card %d\n %sdspfarm\n!\n!\n", i,
				    m.dspfarm[i] ? "" : "no ");
	if (m.archive) {
		sbuf_puts(out, "archive\n");
		if (m.archive_log) {
			sbuf_puts(out, " log config\n");
			if (m.logging_enable)
				sbuf_puts(out, "  logging enable\n");
			if (m.hidekeys)
				sbuf_puts(out, "  hidekeys\n");
		}
		sbuf_puts(out, "!\n!\n");
	}
}

/* ======================================================================== */
/* control-plane, scheduler, webvpn                                         */
/* ======================================================================== */

/* No control-plane policing in iosim: the mode exists so that the line
 * and its "!" reappear where IOS prints them. */
DEFUN(control_plane, "control-plane", "Configure Control Plane\n")
{
	cli_enter(cli, MODE_CONTROL_PLANE, NULL);
	return CLI_UNCHANGED;
}

static void control_plane_write(struct sbuf *out)
{
	sbuf_puts(out, "control-plane\n!\n");
}

DEFUN(scheduler_allocate,
      "[no] scheduler allocate ?[<3000-60000> <1000-8000>]",
      "Scheduler parameters\n"
      "Guarantee CPU time for processes\n"
      "Microseconds handling network interrupts\n"
      "Microseconds running processes\n")
{
	/* the no form takes the values or not, and removes the line */
	bool no = cli_is_no(a);
	unsigned interval = no ? 0 : (unsigned)cli_arg_num(a, "<3000-60000>");
	unsigned cpu = no ? 0 : (unsigned)cli_arg_num(a, "<1000-8000>");
	if (interval == m.sched_interval && cpu == m.sched_cpu)
		return CLI_UNCHANGED;
	m.sched_interval = interval;
	m.sched_cpu = cpu;
	return CLI_OK;
}

DEFUN(webvpn_cef, "[no] webvpn cef", "WebVPN commands\n"
      "Enable data process in CEF path\n")
{
	return set_flag(&m.webvpn_cef, a);
}

/* The final "!" before "end" is core's. */
static void post_write(struct sbuf *out)
{
	if (m.sched_interval)
		sbuf_printf(out, "!\nscheduler allocate %u %u\n",
			    m.sched_interval, m.sched_cpu);
	if (m.webvpn_cef)
		sbuf_puts(out, "!\nwebvpn cef\n");
}

/* ======================================================================== */
/* router ospf (kept to print back)                                         */
/* ======================================================================== */

static struct ospf_proc *ospf_find(unsigned id)
{
	for (struct ospf_proc *p = m.ospf; p; p = p->next)
		if (p->id == id)
			return p;
	return NULL;
}

static void ospf_free(struct ospf_proc *p)
{
	for (int i = 0; i < p->npassive; i++)
		free(p->passive[i]);
	free(p->passive);
	free(p->nets);
	free(p);
}

/* "no router ospf N" ends the process and its configuration. */
static int ospf_remove(unsigned id)
{
	for (struct ospf_proc **pp = &m.ospf; *pp; pp = &(*pp)->next) {
		if ((*pp)->id != id)
			continue;
		struct ospf_proc *p = *pp;
		*pp = p->next;
		cli_obj_release(p);
		ospf_free(p);
		return CLI_OK;
	}
	return CLI_UNCHANGED;
}

DEFUN(router_ospf, "[no] router ospf <1-65535>", "Enable a routing process\n"
      "Open Shortest Path First (OSPF)\n"
      "Process ID\n")
{
	unsigned id = (unsigned)cli_arg_num(a, "<1-65535>");
	if (cli_is_no(a))
		return ospf_remove(id);
	struct ospf_proc *p = ospf_find(id);
	bool made = !p;
	if (made) {
		p = xcalloc(1, sizeof *p);
		CLI_OBJ_REGISTER(p, struct ospf_proc);
		p->id = id;
		/* 12.x turns adjacency logging on for every new process
		 * and prints it */
		p->log_adj = true;
		struct ospf_proc **pp = &m.ospf;
		while (*pp && (*pp)->id < id)
			pp = &(*pp)->next;
		p->next = *pp;
		*pp = p;
	}
	cli_enter(cli, MODE_ROUTER, p);
	return made ? CLI_OK : CLI_UNCHANGED;
}

DEFUN(ospf_router_id, "[no] router-id ?[A.B.C.D]",
      "router-id for this OSPF process\n"
      "OSPF router-id in IP address format\n")
{
	CLI_CONTEXT(struct ospf_proc, p);
	bool set = !cli_is_no(a);
	uint32_t id = set ? cli_arg_ip(a, "A.B.C.D") : 0;
	if (p->router_id_set == set && p->router_id == id)
		return CLI_UNCHANGED;
	p->router_id = id;
	p->router_id_set = set;
	return CLI_OK;
}

DEFUN(ospf_log_adj, "[no] log-adjacency-changes [detail]",
      "Log changes in adjacency state\n"
      "Log all state changes\n")
{
	CLI_CONTEXT(struct ospf_proc, p);
	bool on, detail = false;
	if (!cli_is_no(a)) {
		on = true;
		detail = cli_has(a, "detail");
	} else if (cli_is_default(a)) {
		on = true;          /* as a new process has it */
	} else {
		/* "no ... detail" goes back to plain logging */
		on = cli_has(a, "detail") && p->log_adj;
	}
	if (p->log_adj == on && p->log_adj_detail == detail)
		return CLI_UNCHANGED;
	p->log_adj = on;
	p->log_adj_detail = detail;
	return CLI_OK;
}

static int redist_of(const struct cli_args *a)
{
	return cli_has(a, "connected") ? REDIST_CONNECTED : REDIST_STATIC;
}

DEFUN(ospf_redistribute, "[no] redistribute (static|connected) [subnets]",
      "Redistribute information from another routing protocol\n"
      "Static routes\n"
      "Connected\n"
      "Consider subnets for redistribution into OSPF\n")
{
	CLI_CONTEXT(struct ospf_proc, p);
	int r = redist_of(a);
	bool on = true, subnets = cli_has(a, "subnets");
	if (cli_is_no(a)) {
		/* "no redistribute static subnets" drops only the option */
		on = subnets && p->redist[r];
		subnets = false;
	}
	if (p->redist[r] == on && p->redist_subnets[r] == subnets)
		return CLI_UNCHANGED;
	p->redist[r] = on;
	p->redist_subnets[r] = subnets;
	return CLI_OK;
}

static void net_of(const struct cli_args *a, struct ospf_net *n)
{
	n->addr = cli_arg_ip(a, "addr");
	n->wild = cli_arg_ip(a, "wild");
	const char *ar = cli_arg(a, "areaid");
	uint32_t be;
	n->area_dotted = ip_parse(ar, &be);
	n->area = n->area_dotted ? ntohl(be) : (uint32_t)strtoul(ar, NULL, 10);
}

static int net_find(const struct ospf_proc *p, const struct ospf_net *n)
{
	for (int i = 0; i < p->nnets; i++)
		if (p->nets[i].addr == n->addr && p->nets[i].wild == n->wild)
			return i;
	return -1;
}

#define NET_SYNTAX "network A.B.C.D$addr A.B.C.D$wild area (<0-4294967295>$areaid|A.B.C.D$areaid)"
#define NET_HELP                                          \
	"Enable routing on an IP network\n"               \
	"Network number\n"                                \
	"OSPF wild card bits\n"                           \
	"Set the OSPF area ID\n"                          \
	"OSPF area ID as a decimal value\n"               \
	"OSPF area ID in IP address format\n"

static int net_remove(struct ospf_proc *p, int i)
{
	if (i < 0)
		return CLI_UNCHANGED;
	memmove(&p->nets[i], &p->nets[i + 1],
		(size_t)(p->nnets - i - 1) * sizeof *p->nets);
	p->nnets--;
	return CLI_OK;
}

DEFUN(ospf_network, "[no] " NET_SYNTAX, NET_HELP)
{
	CLI_CONTEXT(struct ospf_proc, p);
	struct ospf_net n;
	net_of(a, &n);
	int i = net_find(p, &n);
	if (cli_is_no(a))
		return net_remove(p, i);
	if (i >= 0) {
		/* a network already there takes the area typed last */
		if (p->nets[i].area == n.area &&
		    p->nets[i].area_dotted == n.area_dotted)
			return CLI_UNCHANGED;
		p->nets[i].area = n.area;
		p->nets[i].area_dotted = n.area_dotted;
		return CLI_OK;
	}
	/* IOS keeps network statements most specific first */
	p->nets = xrealloc(p->nets, (size_t)(p->nnets + 1) * sizeof *p->nets);
	int at = p->nnets;
	while (at > 0 && __builtin_popcount(p->nets[at - 1].wild) >
			 __builtin_popcount(n.wild)) {
		p->nets[at] = p->nets[at - 1];
		at--;
	}
	p->nets[at] = n;
	p->nnets++;
	return CLI_OK;
}

static int passive_find(const struct ospf_proc *p, const char *name)
{
	for (int i = 0; i < p->npassive; i++)
		if (!strcmp(p->passive[i], name))
			return i;
	return -1;
}

DEFUN(ospf_passive, "[no] passive-interface IFNAME",
      "Suppress routing updates on an interface\n"
      "Interface name\n")
{
	CLI_CONTEXT(struct ospf_proc, p);
	const char *name = cli_arg(a, "IFNAME");
	int i = passive_find(p, name);
	if (cli_is_no(a)) {
		if (i < 0)
			return CLI_UNCHANGED;
		free(p->passive[i]);
		memmove(&p->passive[i], &p->passive[i + 1],
			(size_t)(p->npassive - i - 1) * sizeof *p->passive);
		p->npassive--;
		return CLI_OK;
	}
	if (i >= 0)
		return CLI_UNCHANGED;
	p->passive = xrealloc(p->passive,
			      (size_t)(p->npassive + 1) * sizeof *p->passive);
	p->passive[p->npassive++] = xstrdup(name);
	return CLI_OK;
}

static void area_fmt(const struct ospf_net *n, char *buf, size_t len)
{
	if (n->area_dotted)
		snprintf(buf, len, "%u.%u.%u.%u", n->area >> 24,
			 (n->area >> 16) & 0xff, (n->area >> 8) & 0xff,
			 n->area & 0xff);
	else
		snprintf(buf, len, "%u", n->area);
}

static void ospf_write(struct sbuf *out)
{
	static const char *const rname[REDIST__N] = {"connected", "static"};
	char b1[16], b2[16], ar[16];
	for (const struct ospf_proc *p = m.ospf; p; p = p->next) {
		sbuf_printf(out, "router ospf %u\n", p->id);
		if (p->router_id_set)
			sbuf_printf(out, " router-id %s\n",
				    ip_fmt(p->router_id, b1));
		if (!p->log_adj)
			sbuf_puts(out, " no log-adjacency-changes\n");
		else
			sbuf_printf(out, " log-adjacency-changes%s\n",
				    p->log_adj_detail ? " detail" : "");
		for (int r = 0; r < REDIST__N; r++)
			if (p->redist[r])
				sbuf_printf(out, " redistribute %s%s\n", rname[r],
					    p->redist_subnets[r] ? " subnets" : "");
		for (int i = 0; i < p->npassive; i++)
			sbuf_printf(out, " passive-interface %s\n",
				    p->passive[i]);
		for (int i = 0; i < p->nnets; i++) {
			area_fmt(&p->nets[i], ar, sizeof ar);
			sbuf_printf(out, " network %s %s area %s\n",
				    ip_fmt(p->nets[i].addr, b1),
				    ip_fmt(p->nets[i].wild, b2), ar);
		}
		sbuf_puts(out, "!\n");
	}
}

/* ======================================================================== */
/* Reset and registration                                                   */
/* ======================================================================== */

static void misc_reset(void)
{
	while (m.ospf) {
		struct ospf_proc *p = m.ospf;
		m.ospf = p->next;
		cli_obj_release(p);
		ospf_free(p);
	}
	memset(&m, 0, sizeof m);
	snprintf(m.version, sizeof m.version, "12.4");
}

static const struct subsys misc_subsys = {"misc-config", misc_reset};

void cli_misc_init(void)
{
	misc_reset();
	core_register_subsys(&misc_subsys);
	cfg_register_writer(CFG_VERSION, version_write);
	cfg_register_writer(CFG_SERVICE + 10, service_write);
	cfg_register_writer(CFG_BOOT, boot_write);
	cfg_register_writer(CFG_MISC_GLOBAL, global_write);
	cfg_register_writer(CFG_MISC_PRE_IF, pre_if_write);
	cfg_register_writer(CFG_ROUTER, ospf_write);
	cfg_register_writer(CFG_CONTROL_PLANE, control_plane_write);
	cfg_register_writer(CFG_MISC_POST, post_write);

	cli_install(MODE_CONFIG, &version_cmd_cmd);
	cli_install(MODE_CONFIG, &service_pwenc_cmd);
	cli_install(MODE_CONFIG, &boot_start_marker_cmd);
	cli_install(MODE_CONFIG, &boot_end_marker_cmd);
	cli_install(MODE_CONFIG, &memory_size_cmd);
	cli_install(MODE_CONFIG, &multilink_bundle_cmd);
	cli_install(MODE_CONFIG, &voice_card_cmd);
	cli_install(MODE_VOICECARD, &dspfarm_cmd);
	cli_install(MODE_CONFIG, &archive_cmd);
	cli_install(MODE_ARCHIVE, &archive_log_config_cmd);
	cli_install(MODE_ARCHIVE_LOG, &hidekeys_cmd);
	cli_install(MODE_ARCHIVE_LOG, &archive_logging_enable_cmd);
	cli_install(MODE_CONFIG, &control_plane_cmd);
	cli_install(MODE_CONFIG, &scheduler_allocate_cmd);
	cli_install(MODE_CONFIG, &webvpn_cef_cmd);
	cli_install(MODE_CONFIG, &router_ospf_cmd);
	cli_install(MODE_ROUTER, &ospf_router_id_cmd);
	cli_install(MODE_ROUTER, &ospf_log_adj_cmd);
	cli_install(MODE_ROUTER, &ospf_redistribute_cmd);
	cli_install(MODE_ROUTER, &ospf_network_cmd);
	cli_install(MODE_ROUTER, &ospf_passive_cmd);
}
