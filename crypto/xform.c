/* The per-SA engine state: everything OpenSSL needs for one SA, made once
 * when the SA is installed and freed with it, so that a packet costs
 * only the cipher and the MAC themselves (no key schedule, no algorithm
 * lookup, no allocation of ours).
 *
 *   cipher   an EVP_CIPHER_CTX keyed for the SA's direction; a packet
 *            sets only its IV
 *   mac      an EVP_MAC_CTX (HMAC) keyed once; EVP_MAC_init with no key
 *            takes it back to the keyed start for each packet
 *   CBC IVs  the encryption of the sequence number under the SA's key
 *            (unpredictable to an observer, as CBC needs: NIST SP 800-38A
 *            appendix C), and free: the context is never re-initialised.
 *            Outbound, the block fed before the payload is the sequence
 *            number XORed with the previous packet's last ciphertext block
 *            (the chaining state the context holds), so it comes out as
 *            E(seq): the IV, and the payload's CBC continues from it.
 *            Inbound, IV and ciphertext are decrypted in one go; the
 *            first block (garbage) is dropped.
 *
 * The algorithms are fetched once at start. Single DES lives in OpenSSL's
 * legacy provider, which is loaded beside the default one. */
#include "crypto_int.h"
#include "ipsec_int.h"

#include <openssl/core_names.h>
#include <openssl/provider.h>
#include <stdio.h>

static struct {
	EVP_CIPHER *des, *des3, *aes[3], *gcm[3];
	EVP_MAC *hmac;
} alg;

/* AES key sizes index the arrays: 128, 192, 256. */
static int aes_index(unsigned bits)
{
	return bits == 256 ? 2 : bits == 192 ? 1 : 0;
}

size_t xf_enc_key_len(enum xform x, unsigned bits)
{
	switch (x) {
	case XF_ESP_DES: return 8;
	case XF_ESP_3DES: return 24;
	case XF_ESP_AES: return bits / 8;
	case XF_ESP_GCM: return bits / 8 + 4;    /* key, then the salt */
	case XF_ESP_NULL: return 0;
	default: return 0;
	}
}

size_t xf_auth_key_len(enum xform x)
{
	switch (x) {
	case XF_ESP_MD5: case XF_AH_MD5: return 16;
	case XF_ESP_SHA: case XF_AH_SHA: return 20;
	case XF_ESP_SHA256: return 32;
	default: return 0;
	}
}

static const char *digest_name(enum xform x)
{
	switch (x) {
	case XF_ESP_MD5: case XF_AH_MD5: return "MD5";
	case XF_ESP_SHA: case XF_AH_SHA: return "SHA1";
	case XF_ESP_SHA256: return "SHA2-256";
	default: return NULL;
	}
}

/* HMAC-MD5-96 and HMAC-SHA1-96 (RFC 2403/2404), HMAC-SHA-256-128 (RFC 4868). */
static uint8_t icv_len(enum xform x)
{
	return x == XF_ESP_SHA256 ? 16 : digest_name(x) ? 12 : 0;
}

static EVP_CIPHER *cipher_of(enum xform x, unsigned bits)
{
	switch (x) {
	case XF_ESP_DES: return alg.des;
	case XF_ESP_3DES: return alg.des3;
	case XF_ESP_AES: return alg.aes[aes_index(bits)];
	case XF_ESP_GCM: return alg.gcm[aes_index(bits)];
	default: return NULL;
	}
}

static bool setup_mac(struct xf_sa *x, const struct ipsec_sa_data *d)
{
	const char *dg = digest_name(d->auth);
	if (!dg)
		return d->auth == XF_NONE;
	if (d->auth_key_len != xf_auth_key_len(d->auth) || !alg.hmac)
		return false;
	x->mac = EVP_MAC_CTX_new(alg.hmac);
	OSSL_PARAM p[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						 (char *)dg, 0),
		OSSL_PARAM_construct_end(),
	};
	x->icv_len = icv_len(d->auth);
	return x->mac && EVP_MAC_init(x->mac, d->auth_key, d->auth_key_len, p);
}

static bool setup_cipher(struct xf_sa *x, const struct ipsec_sa_data *d)
{
	x->align = 4;                      /* ESP's own alignment */
	if (d->enc == XF_ESP_NULL || d->enc == XF_NONE)
		return d->proto == 51 || d->enc == XF_ESP_NULL;
	EVP_CIPHER *c = cipher_of(d->enc, d->enc_bits);
	size_t klen = xf_enc_key_len(d->enc, d->enc_bits);
	if (!c || !klen || d->enc_key_len != klen)
		return false;
	x->cipher = EVP_CIPHER_CTX_new();
	if (!x->cipher)
		return false;
	int enc = !d->inbound;
	if (d->enc == XF_ESP_GCM) {
		x->aead = true;
		x->iv_len = 8;
		x->icv_len = 16;
		memcpy(x->salt, d->enc_key + klen - 4, 4);
		/* the 12-byte nonce is the salt and the packet's IV */
		return EVP_CipherInit_ex2(x->cipher, c, d->enc_key, NULL, enc,
					  NULL);
	}
	x->iv_len = (uint8_t)EVP_CIPHER_get_iv_length(c);
	x->align = (uint8_t)EVP_CIPHER_get_block_size(c);
	memset(x->chain, 0, sizeof x->chain);     /* the context's state */
	return x->iv_len == x->align && x->iv_len <= sizeof x->chain &&
	       EVP_CipherInit_ex2(x->cipher, c, d->enc_key, x->chain, enc, NULL) &&
	       EVP_CIPHER_CTX_set_padding(x->cipher, 0);
}

static void xf_free(struct xf_sa *x)
{
	EVP_CIPHER_CTX_free(x->cipher);
	EVP_MAC_CTX_free(x->mac);
	OPENSSL_cleanse(x, sizeof *x);
	free(x);
}

/* sadb's attach: refuse a transform the engine cannot run (a key of the
 * wrong length, AH with a cipher, GCM with a separate MAC). */
bool xf_attach(struct ipsec_sa *sa)
{
	const struct ipsec_sa_data *d = &sa->d;
	struct xf_sa *x = xcalloc(1, sizeof *x);
	x->sa = sa;
	bool ok = d->proto == 51 ? d->enc == XF_NONE && d->auth != XF_NONE
				 : !(d->enc == XF_ESP_GCM && d->auth != XF_NONE);
	ok = ok && setup_cipher(x, d) && (x->aead || setup_mac(x, d));
	if (!ok) {
		xf_free(x);
		return false;
	}
	sa->engine = x;
	x->flow = flow_for_sa(sa);
	flow_attach(x->flow, x);
	return true;
}

void xf_detach(struct ipsec_sa *sa)
{
	struct xf_sa *x = sa->engine;
	if (!x)
		return;
	if (x->flow)
		flow_detach(x->flow, x);
	sa->engine = NULL;
	xf_free(x);
}

/* ---- per packet ------------------------------------------------------------------ */

void xf_gcm_iv(uint32_t seq, uint8_t iv[8])
{
	/* RFC 4106: any value never repeated under the key; the sequence
	 * number is one (64 bits, the high half 0) */
	memset(iv, 0, 4);
	iv[4] = (uint8_t)(seq >> 24);
	iv[5] = (uint8_t)(seq >> 16);
	iv[6] = (uint8_t)(seq >> 8);
	iv[7] = (uint8_t)seq;
}

bool xf_cbc_seal(struct xf_sa *x, uint32_t seq, uint8_t *p, size_t len)
{
	size_t b = x->iv_len;
	uint8_t ctr[16] = {0};
	ctr[b - 4] = (uint8_t)(seq >> 24);
	ctr[b - 3] = (uint8_t)(seq >> 16);
	ctr[b - 2] = (uint8_t)(seq >> 8);
	ctr[b - 1] = (uint8_t)seq;
	for (size_t i = 0; i < b; i++)
		p[i] = x->chain[i] ^ ctr[i];
	int n;
	if (!EVP_CipherUpdate(x->cipher, p, &n, p, (int)(b + len)) ||
	    (size_t)n != b + len)
		return false;
	memcpy(x->chain, p + len, b);          /* the last ciphertext block */
	return true;
}

bool xf_cbc_open(struct xf_sa *x, const uint8_t *p, size_t len, uint8_t *out)
{
	int n;
	return EVP_CipherUpdate(x->cipher, out - x->iv_len, &n, p,
				(int)(x->iv_len + len)) &&
	       (size_t)n == x->iv_len + len;
}

bool xf_gcm(struct xf_sa *x, bool enc, const uint8_t iv[8],
	    const uint8_t *aad, size_t aadlen, const uint8_t *in, uint8_t *out,
	    size_t len, uint8_t *tag)
{
	uint8_t nonce[12];
	memcpy(nonce, x->salt, 4);
	memcpy(nonce + 4, iv, 8);
	int n;
	if (!EVP_CipherInit_ex2(x->cipher, NULL, NULL, nonce, enc, NULL) ||
	    !EVP_CipherUpdate(x->cipher, NULL, &n, aad, (int)aadlen))
		return false;
	if (!enc && !EVP_CIPHER_CTX_ctrl(x->cipher, EVP_CTRL_AEAD_SET_TAG, 16,
					 tag))
		return false;
	if (!EVP_CipherUpdate(x->cipher, out, &n, in, (int)len) ||
	    (size_t)n != len)
		return false;
	uint8_t fin[16];
	if (!EVP_CipherFinal_ex(x->cipher, fin, &n))
		return false;          /* the tag did not match */
	return !enc || EVP_CIPHER_CTX_ctrl(x->cipher, EVP_CTRL_AEAD_GET_TAG,
					   16, tag);
}

bool xf_icv(struct xf_sa *x, const uint8_t *a, size_t an, const uint8_t *b,
	    size_t bn, const uint8_t *c, size_t cn, uint8_t *icv)
{
	uint8_t full[EVP_MAX_MD_SIZE];
	size_t n;
	if (!EVP_MAC_init(x->mac, NULL, 0, NULL) ||
	    (a && !EVP_MAC_update(x->mac, a, an)) ||
	    (b && !EVP_MAC_update(x->mac, b, bn)) ||
	    (c && !EVP_MAC_update(x->mac, c, cn)) ||
	    !EVP_MAC_final(x->mac, full, &n, sizeof full) || n < x->icv_len)
		return false;
	memcpy(icv, full, x->icv_len);
	return true;
}

/* show crypto engine connections active: cipher, then integrity. */
const char *xf_engine_name(const struct ipsec_sa *sa, char *buf, size_t n)
{
	const char *e = "";
	switch (sa->d.enc) {
	case XF_ESP_DES: e = "DES"; break;
	case XF_ESP_3DES: e = "3DES"; break;
	case XF_ESP_AES: e = "AES"; break;
	case XF_ESP_GCM: e = "AES-GCM"; break;
	case XF_ESP_NULL: e = "NULL"; break;
	default: break;
	}
	const char *h = sa->d.auth == XF_ESP_MD5 || sa->d.auth == XF_AH_MD5
		? "MD5" : sa->d.auth == XF_ESP_SHA256 ? "SHA256"
		: sa->d.auth == XF_NONE ? "" : "SHA";
	snprintf(buf, n, "%s%s%s", e, *e && *h ? "+" : "", h);
	return buf;
}

void xform_init(void)
{
	static bool done;
	if (done)
		return;
	done = true;
	/* naming any provider turns off the implicit default: load both */
	OSSL_PROVIDER_load(NULL, "default");
	OSSL_PROVIDER_load(NULL, "legacy");
	alg.des = EVP_CIPHER_fetch(NULL, "DES-CBC", NULL);
	alg.des3 = EVP_CIPHER_fetch(NULL, "DES-EDE3-CBC", NULL);
	static const char *const aes[3] = {"AES-128-CBC", "AES-192-CBC",
					   "AES-256-CBC"};
	static const char *const gcm[3] = {"AES-128-GCM", "AES-192-GCM",
					   "AES-256-GCM"};
	for (int i = 0; i < 3; i++) {
		alg.aes[i] = EVP_CIPHER_fetch(NULL, aes[i], NULL);
		alg.gcm[i] = EVP_CIPHER_fetch(NULL, gcm[i], NULL);
	}
	alg.hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
}
