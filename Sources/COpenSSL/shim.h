#ifndef SIMBEE_COPENSSL_SHIM_H
#define SIMBEE_COPENSSL_SHIM_H

// The only C surface SimbeeJWT sees: OpenSSL 3 libcrypto (Debian package libssl-dev).
// ec.h is for SimbeeJWTTesting, which turns the DER ECDSA signatures it makes into JOSE's r||s.
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/params.h>
#include <openssl/sha.h>

// Macros Swift cannot import, as functions.
static inline int simbee_evp_pkey_ed25519(void) { return EVP_PKEY_ED25519; }
static inline int simbee_evp_pkey_public_key_selection(void) { return EVP_PKEY_PUBLIC_KEY; }

#endif
