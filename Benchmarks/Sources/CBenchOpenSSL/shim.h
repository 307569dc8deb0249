#ifndef SIMBEE_BENCH_OPENSSL_SHIM_H
#define SIMBEE_BENCH_OPENSSL_SHIM_H
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#endif
