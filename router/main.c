/* iosim: one process, one IOS router.
 *   iosim [--hostname NAME] [--nvram DIR] [--config FILE]
 *         [--iface IOSNAME=linux:DEV | IOSNAME=udp:LADDR:LPORT:RADDR:RPORT]...
 *         [--console stdio | --console tcp:ADDR:PORT]            */
#include "router.h"
#include "../core/core.h"
#include "../cli/cli.h"
#include "../cli/console.h"
#include "../platform/platform.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *opt_hostname, *opt_config, *opt_nvram;

static const char **opt_ifaces;
static int opt_nifaces;

static char *opt_console_addr;
static int opt_console_port = -1;

static void usage(FILE *f)
{
	fprintf(f, "usage: iosim [--hostname NAME] [--nvram DIR] [--config FILE]\n"
		   "             [--iface IOSNAME=linux:DEV | "
		   "IOSNAME=udp:LADDR:LPORT:RADDR:RPORT]...\n"
		   "             [--console stdio | --console tcp:ADDR:PORT]\n");
}

static void check_nvram(const char *dir)
{
	struct stat st;
	if (stat(dir, &st) < 0 && errno == ENOENT && mkdir(dir, 0755) == 0)
		return;
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		printf("%% NVRAM directory %s is not usable (%s); write memory "
		       "will fail until it is\n", dir,
		       errno ? strerror(errno) : "not a directory");
	else if (access(dir, W_OK) < 0)
		printf("%% NVRAM directory %s is not writable (%s); write "
		       "memory will fail until it is\n", dir, strerror(errno));
}

static bool parse_console(const char *v)
{
	if (!strcmp(v, "stdio"))
		return true;
	if (strncmp(v, "tcp:", 4))
		return false;
	const char *colon = strrchr(v + 4, ':');
	if (!colon || colon == v + 4)
		return false;
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (*end || port <= 0 || port > 65535)
		return false;
	opt_console_addr = strndup(v + 4, (size_t)(colon - (v + 4)));
	opt_console_port = (int)port;
	return true;
}

static void on_signal(struct ev_loop *loop, ev_signal *w, int revents)
{
	ev_break(loop, EVBREAK_ALL);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"hostname", required_argument, NULL, 'h'},
		{"nvram", required_argument, NULL, 'n'},
		{"config", required_argument, NULL, 'c'},
		{"console", required_argument, NULL, 'C'},
		{"iface", required_argument, NULL, 'i'},
		{"help", no_argument, NULL, '?'},
		{NULL, 0, NULL, 0},
	};
	int o;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'h': opt_hostname = optarg; break;
		case 'n': opt_nvram = optarg; break;
		case 'c': opt_config = optarg; break;
		case 'i':
			opt_ifaces = xrealloc(opt_ifaces, (size_t)(opt_nifaces + 1) *
							  sizeof *opt_ifaces);
			opt_ifaces[opt_nifaces++] = optarg;
			break;
		case 'C':
			if (!parse_console(optarg)) {
				fprintf(stderr, "iosim: --console %s: expected "
					"stdio or tcp:ADDR:PORT\n", optarg);
				return 2;
			}
			break;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "iosim: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IONBF, 0);
	router_init();
	console_log_sink_install();
	if (opt_nvram) {
		nvram_set_dir(opt_nvram);
		check_nvram(opt_nvram);
	}
	if (opt_console_port > 0) {
		char err[256];
		if (!console_telnet_start(opt_console_addr, opt_console_port,
					  err, sizeof err)) {
			fprintf(stderr, "iosim: --console tcp:%s:%d: %s\n",
				opt_console_addr, opt_console_port, err);
			return 1;
		}
	}
	router_set_boot(opt_config, opt_hostname);
	router_boot();
	/* The ports are plugged in once the configuration is read: an
	 * interface's burned-in MAC comes from the configured hostname. */
	for (int i = 0; i < opt_nifaces; i++)
		if (port_attach_arg(opt_ifaces[i]) < 0) {
			port_close_all();
			core_reset_all();
			return 1;
		}
	if (opt_console_port < 0)
		console_stdio_start();
	ev_signal sigint, sigterm;
	ev_signal_init(&sigint, on_signal, SIGINT);
	ev_signal_init(&sigterm, on_signal, SIGTERM);
	ev_signal_start(core_loop, &sigint);
	ev_signal_start(core_loop, &sigterm);
	ev_run(core_loop, 0);
	if (opt_console_port < 0)
		console_stdio_stop();
	else
		console_telnet_stop();
	port_close_all();
	core_reset_all();
	free(opt_ifaces);
	free(opt_console_addr);
	nvram_set_dir(NULL);
	return 0;
}
