/* Interface names as IOS accepts them: any unambiguous prefix of the type,
 * case-insensitive, the number attached or after a space. */
#include "cli.h"
#include "ifname.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

const struct iftype_name iftype_names[] = {
	{"Ethernet", "Et", "IEEE 802.3"},
	{"FastEthernet", "Fa", "FastEthernet IEEE 802.3"},
	{"GigabitEthernet", "Gi", "GigabitEthernet IEEE 802.3z"},
	{"Loopback", "Lo", "Loopback interface"},
	{"Null", "Nu", "Null interface"},
	{"Serial", "Se", "Serial"},
	{"Tunnel", "Tu", "Tunnel interface"},
	{"Vlan", "Vl", "Catalyst Vlans"},
	{NULL, NULL, NULL},
};

/* The type whose name starts with [s, s+n); NULL when none or ambiguous. */
const struct iftype_name *iftype_lookup(const char *s, size_t n)
{
	const struct iftype_name *hit = NULL;
	if (n == 0)
		return NULL;
	for (const struct iftype_name *t = iftype_names; t->name; t++) {
		if (strlen(t->name) < n || strncasecmp(t->name, s, n))
			continue;
		if (strlen(t->name) == n)
			return t;        /* exact */
		if (hit)
			return NULL;     /* ambiguous prefix */
		hit = t;
	}
	return hit;
}

/* "0", "0/1", "0/1/2", each optionally ".N" (sub-interface). */
bool ifnum_valid(const char *s, size_t n)
{
	size_t i = 0;
	int parts = 0;
	for (;;) {
		size_t start = i;
		while (i < n && isdigit((unsigned char)s[i]))
			i++;
		if (i == start || i - start > 10)
			return false;
		parts++;
		if (i == n)
			return parts <= 3;
		if (s[i] == '/' && parts < 3) {
			i++;
			continue;
		}
		if (s[i] == '.') {
			size_t sub = ++i;
			while (i < n && isdigit((unsigned char)s[i]))
				i++;
			return i == n && i > sub && i - sub <= 10;
		}
		return false;
	}
}

bool cli_ifname_canon(const char *in, char *out, size_t n)
{
	while (isspace((unsigned char)*in))
		in++;
	size_t tl = 0;
	while (in[tl] && !isdigit((unsigned char)in[tl]) &&
	       !isspace((unsigned char)in[tl]))
		tl++;
	const struct iftype_name *t = iftype_lookup(in, tl);
	if (!t)
		return false;
	const char *num = in + tl;
	while (isspace((unsigned char)*num))
		num++;
	size_t nl = strlen(num);
	while (nl && isspace((unsigned char)num[nl - 1]))
		nl--;
	if (!ifnum_valid(num, nl))
		return false;
	int w = snprintf(out, n, "%s%.*s", t->name, (int)nl, num);
	return w > 0 && (size_t)w < n;
}

void cli_ifname_short(const char *canon, char *out, size_t n)
{
	for (const struct iftype_name *t = iftype_names; t->name; t++) {
		size_t l = strlen(t->name);
		if (!strncmp(canon, t->name, l) &&
		    isdigit((unsigned char)canon[l])) {
			snprintf(out, n, "%s%s", t->abbrev, canon + l);
			return;
		}
	}
	snprintf(out, n, "%s", canon);
}
