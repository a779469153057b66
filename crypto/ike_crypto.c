/* IKE's primitives, all from OpenSSL 3: MODP Diffie-Hellman (the RFC 2409
 * and RFC 3526 primes OpenSSL ships), HMAC as the PRF, the hashes, DES,
 * 3DES and AES in CBC mode, random numbers, and the RFC 2409 KEYMAT
 * expansion. Algorithms are fetched once and kept until reset. */
#include "ike.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/dh.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/provider.h>
#include <openssl/rand.h>
#include <string.h>

static struct {
	EVP_MAC *hmac;
	EVP_MD *md[IKE_HASH_SHA512 + 1];
	EVP_CIPHER *cbc[6];           /* des, 3des, aes128/192/256 */
	EVP_PKEY *dh[17];             /* domain parameters by group */
	/* loaded once for the process (a provider unloaded would not come
	 * back by itself: OpenSSL's fallback loading is off once one has
	 * been loaded explicitly) */
	OSSL_PROVIDER *legacy, *deflt;
} c;

/* DES lives in OpenSSL 3's legacy provider; loading one provider
 * explicitly stops the default one from loading by itself, so both. */
static void providers(void)
{
	if (c.deflt)
		return;
	c.legacy = OSSL_PROVIDER_load(NULL, "legacy");
	c.deflt = OSSL_PROVIDER_load(NULL, "default");
}

void ike_crypto_init(void)
{
	providers();
}

/* ---- hashes and the PRF ------------------------------------------------------- */

static const char *md_name(enum ike_hash h)
{
	switch (h) {
	case IKE_HASH_MD5: return "MD5";
	case IKE_HASH_SHA256: return "SHA2-256";
	case IKE_HASH_SHA384: return "SHA2-384";
	case IKE_HASH_SHA512: return "SHA2-512";
	case IKE_HASH_SHA: break;
	}
	return "SHA1";
}

size_t ike_hash_len(enum ike_hash h)
{
	switch (h) {
	case IKE_HASH_MD5: return 16;
	case IKE_HASH_SHA256: return 32;
	case IKE_HASH_SHA384: return 48;
	case IKE_HASH_SHA512: return 64;
	case IKE_HASH_SHA: break;
	}
	return 20;
}

static EVP_MD *md(enum ike_hash h)
{
	if ((unsigned)h > IKE_HASH_SHA512)
		return NULL;
	if (!c.md[h])
		c.md[h] = EVP_MD_fetch(NULL, md_name(h), NULL);
	return c.md[h];
}

bool ike_digest(enum ike_hash h, const struct ike_iov *v, int n, uint8_t *out)
{
	EVP_MD *m = md(h);
	EVP_MD_CTX *ctx = m ? EVP_MD_CTX_new() : NULL;
	bool ok = ctx && EVP_DigestInit_ex(ctx, m, NULL) == 1;
	for (int i = 0; ok && i < n; i++)
		ok = EVP_DigestUpdate(ctx, v[i].p, v[i].len) == 1;
	ok = ok && EVP_DigestFinal_ex(ctx, out, NULL) == 1;
	EVP_MD_CTX_free(ctx);
	return ok;
}

bool ike_prf(enum ike_hash h, const void *key, size_t klen,
	     const struct ike_iov *v, int n, uint8_t *out)
{
	if (!c.hmac)
		c.hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *ctx = c.hmac ? EVP_MAC_CTX_new(c.hmac) : NULL;
	if (!ctx)
		return false;
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						 (char *)md_name(h), 0),
		OSSL_PARAM_construct_end(),
	};
	/* an empty key is still a key (HMAC pads it) */
	static const uint8_t none[1];
	bool ok = EVP_MAC_init(ctx, klen ? key : none, klen, params) == 1;
	for (int i = 0; ok && i < n; i++)
		ok = EVP_MAC_update(ctx, v[i].p, v[i].len) == 1;
	size_t olen;
	ok = ok && EVP_MAC_final(ctx, out, &olen, IKE_HASH_MAX) == 1;
	EVP_MAC_CTX_free(ctx);
	return ok;
}

bool ike_expand(enum ike_hash h, const uint8_t *key, size_t klen,
		const struct ike_iov *seed, int nseed, uint8_t *out,
		size_t outlen)
{
	size_t hl = ike_hash_len(h), done = 0;
	uint8_t k[IKE_HASH_MAX];
	struct ike_iov v[8];
	if (nseed > 7)
		return false;
	while (done < outlen) {
		int n = 0;
		if (done)
			v[n++] = (struct ike_iov){k, hl};
		for (int i = 0; i < nseed; i++)
			v[n++] = seed[i];
		if (!ike_prf(h, key, klen, v, n, k))
			return false;
		size_t take = outlen - done < hl ? outlen - done : hl;
		memcpy(out + done, k, take);
		done += take;
	}
	OPENSSL_cleanse(k, sizeof k);
	return true;
}

/* ---- CBC ciphers ----------------------------------------------------------------- */

size_t ike_block_len(enum ike_encr e)
{
	return e == IKE_ENCR_AES ? 16 : 8;
}

size_t ike_key_len(enum ike_encr e, unsigned bits)
{
	switch (e) {
	case IKE_ENCR_DES: return 8;
	case IKE_ENCR_3DES: return 24;
	case IKE_ENCR_AES: return bits / 8;
	}
	return 0;
}

static EVP_CIPHER *cipher(enum ike_encr e, size_t klen)
{
	static const char *const name[] = {
		"DES-CBC", "DES-EDE3-CBC", "AES-128-CBC", "AES-192-CBC",
		"AES-256-CBC",
	};
	int i = e == IKE_ENCR_DES ? 0 : e == IKE_ENCR_3DES ? 1
	      : klen == 16 ? 2 : klen == 24 ? 3 : klen == 32 ? 4 : -1;
	if (i < 0)
		return NULL;
	if (!c.cbc[i]) {
		providers();
		c.cbc[i] = EVP_CIPHER_fetch(NULL, name[i], NULL);
	}
	return c.cbc[i];
}

bool ike_cbc(enum ike_encr e, const uint8_t *key, size_t klen, uint8_t *iv,
	     uint8_t *buf, size_t len, bool encrypt)
{
	size_t bl = ike_block_len(e);
	EVP_CIPHER *ci = cipher(e, klen);
	if (!ci || len == 0 || len % bl || klen != ike_key_len(e, (unsigned)klen * 8))
		return false;
	uint8_t next_iv[IKE_BLOCK_MAX];
	if (!encrypt)
		memcpy(next_iv, buf + len - bl, bl);   /* before it is overwritten */
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int outl = 0;
	bool ok = ctx && EVP_CipherInit_ex2(ctx, ci, key, iv, encrypt, NULL) == 1 &&
		  EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
		  EVP_CipherUpdate(ctx, buf, &outl, buf, (int)len) == 1 &&
		  (size_t)outl == len;
	EVP_CIPHER_CTX_free(ctx);
	if (!ok)
		return false;
	memcpy(iv, encrypt ? buf + len - bl : next_iv, bl);
	return true;
}

/* ---- Diffie-Hellman ----------------------------------------------------------------- */

bool ike_dh_supported(unsigned g)
{
	return g == 1 || g == 2 || g == 5 || g == 14 || g == 15 || g == 16;
}

size_t ike_dh_len(unsigned g)
{
	switch (g) {
	case 1: return 96;
	case 2: return 128;
	case 5: return 192;
	case 14: return 256;
	case 15: return 384;
	case 16: return 512;
	}
	return 0;
}

static BIGNUM *prime(unsigned g)
{
	switch (g) {
	case 1: return BN_get_rfc2409_prime_768(NULL);
	case 2: return BN_get_rfc2409_prime_1024(NULL);
	case 5: return BN_get_rfc3526_prime_1536(NULL);
	case 14: return BN_get_rfc3526_prime_2048(NULL);
	case 15: return BN_get_rfc3526_prime_3072(NULL);
	case 16: return BN_get_rfc3526_prime_4096(NULL);
	}
	return NULL;
}

/* An EVP_PKEY of the group's parameters, with PUB as its public value
 * when given. */
static EVP_PKEY *dh_fromdata(unsigned g, const BIGNUM *pub)
{
	BIGNUM *p = prime(g), *gen = BN_new();
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *key = NULL;
	/* a short exponent, twice the group's strength, as strongSwan and
	 * IOS use: the full-length one costs several times more */
	int priv_len = g >= 15 ? 384 : 256;
	if (!p || !gen || !bld || !BN_set_word(gen, 2) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, p) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_G, gen) ||
	    !OSSL_PARAM_BLD_push_int(bld, OSSL_PKEY_PARAM_DH_PRIV_LEN, priv_len) ||
	    (pub && !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, pub)))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
	if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &key, pub ? EVP_PKEY_PUBLIC_KEY
					     : EVP_PKEY_KEY_PARAMETERS,
			      params) != 1)
		key = NULL;
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(gen);
	BN_free(p);
	return key;
}

EVP_PKEY *ike_dh_keygen(unsigned g, uint8_t *pub)
{
	if (!ike_dh_supported(g))
		return NULL;
	if (!c.dh[g])
		c.dh[g] = dh_fromdata(g, NULL);
	if (!c.dh[g])
		return NULL;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, c.dh[g], NULL);
	EVP_PKEY *key = NULL;
	BIGNUM *y = NULL;
	if (!ctx || EVP_PKEY_keygen_init(ctx) != 1 ||
	    EVP_PKEY_keygen(ctx, &key) != 1 ||
	    EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PUB_KEY, &y) != 1 ||
	    BN_bn2binpad(y, pub, (int)ike_dh_len(g)) < 0) {
		EVP_PKEY_free(key);
		key = NULL;
	}
	BN_free(y);
	EVP_PKEY_CTX_free(ctx);
	return key;
}

/* RFC 2631 / SP 800-56A: 1 < y < p - 1. */
static bool pub_in_range(unsigned g, const BIGNUM *y)
{
	BIGNUM *p = prime(g);
	bool ok = p && BN_sub_word(p, 1) && BN_cmp(y, BN_value_one()) > 0 &&
		  BN_cmp(y, p) < 0;
	BN_free(p);
	return ok;
}

bool ike_dh_derive(EVP_PKEY *key, unsigned g, const uint8_t *peer,
		   size_t plen, uint8_t *out)
{
	size_t len = ike_dh_len(g);
	if (!key || plen != len)
		return false;
	BIGNUM *y = BN_bin2bn(peer, (int)plen, NULL);
	EVP_PKEY *pk = y && pub_in_range(g, y) ? dh_fromdata(g, y) : NULL;
	EVP_PKEY_CTX *ctx = pk ? EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL)
			       : NULL;
	size_t olen = len;
	bool ok = ctx && EVP_PKEY_derive_init(ctx) == 1 &&
		  EVP_PKEY_CTX_set_dh_pad(ctx, 1) == 1 &&
		  EVP_PKEY_derive_set_peer(ctx, pk) == 1 &&
		  EVP_PKEY_derive(ctx, out, &olen) == 1 && olen == len;
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pk);
	BN_free(y);
	return ok;
}

void ike_dh_free(EVP_PKEY *key)
{
	EVP_PKEY_free(key);
}

void ike_random(void *p, size_t n)
{
	if (RAND_bytes(p, (int)n) != 1)
		abort();              /* no randomness: nothing is safe */
}

/* Everything fetched is given back (reload, exit). */
void ike_crypto_reset(void)
{
	EVP_MAC_free(c.hmac);
	c.hmac = NULL;
	for (size_t i = 0; i < sizeof c.md / sizeof c.md[0]; i++) {
		EVP_MD_free(c.md[i]);
		c.md[i] = NULL;
	}
	for (size_t i = 0; i < sizeof c.cbc / sizeof c.cbc[0]; i++) {
		EVP_CIPHER_free(c.cbc[i]);
		c.cbc[i] = NULL;
	}
	for (size_t i = 0; i < sizeof c.dh / sizeof c.dh[0]; i++) {
		EVP_PKEY_free(c.dh[i]);
		c.dh[i] = NULL;
	}
}
