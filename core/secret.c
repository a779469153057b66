/* IOS type 5 secrets ("$1$salt$hash", MD5-crypt), as 12.x stores
 * `enable secret` and `username ... secret`. The scheme comes from
 * libxcrypt's crypt(3); iosim only chooses the salt. */
#include "core.h"

#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <string.h>

static const char salt_chars[] =
	"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static bool md5crypt(const char *pw, const char *setting, char *out, size_t n)
{
	struct crypt_data *cd = xcalloc(1, sizeof *cd);
	const char *h = crypt_r(pw, setting, cd);
	bool ok = h && h[0] == '$' && strlen(h) < n;
	if (ok)
		strcpy(out, h);
	explicit_bzero(cd, sizeof *cd);
	free(cd);
	return ok;
}

char *secret5_make(const char *clear)
{
	unsigned char raw[4];
	char setting[16] = "$1$", out[128];
	if (RAND_bytes(raw, sizeof raw) != 1)
		return NULL;
	for (int i = 0; i < 4; i++)   /* IOS uses four salt characters */
		setting[3 + i] = salt_chars[raw[i] % 64];
	setting[7] = '$';
	setting[8] = '\0';
	return md5crypt(clear, setting, out, sizeof out) ? xstrdup(out) : NULL;
}

bool secret5_valid(const char *h)
{
	if (strncmp(h, "$1$", 3))
		return false;
	const char *s = h + 3, *d = strchr(s, '$');
	if (!d || d == s || d - s > 8 || strlen(d + 1) != 22)
		return false;
	for (const char *p = s; *p; p++)
		if (p != d && !strchr(salt_chars, *p))
			return false;
	return true;
}

bool secret5_check(const char *hash, const char *clear)
{
	char out[128];
	if (!secret5_valid(hash) || !md5crypt(clear, hash, out, sizeof out))
		return false;
	return strlen(out) == strlen(hash) &&
	       CRYPTO_memcmp(out, hash, strlen(out)) == 0;
}
