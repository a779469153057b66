/* Private to cli/: interface type table used by the IFNAME token. */
#ifndef IOSIM_IFNAME_H
#define IOSIM_IFNAME_H
#include <stdbool.h>
#include <stddef.h>
struct iftype_name {
	const char *name, *abbrev, *help;
};
extern const struct iftype_name iftype_names[];
const struct iftype_name *iftype_lookup(const char *s, size_t n);
bool ifnum_valid(const char *s, size_t n);
#endif
