// COpenSSL: the OpenSSL 3 headers WebSocketTransport uses, plus `static inline` shims for the
// macros Swift cannot import (function-like macros, casts of callbacks, uint64_t option bits).
// Every shim is a one-line forward to the documented macro it is named after.
#ifndef SWIFTWEBSOCKET_COPENSSL_SHIM_H
#define SWIFTWEBSOCKET_COPENSSL_SHIM_H

#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/pem.h>
#include <openssl/bio.h>

// MARK: SSL_CTX and SSL controls (macros over SSL_CTX_ctrl / SSL_ctrl)

static inline int shim_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_min_proto_version(ctx, version);
}

static inline int shim_SSL_CTX_set_max_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_max_proto_version(ctx, version);
}

/// SSL_MODE_RELEASE_BUFFERS: free idle read/write buffers (about 34 KiB per idle connection).
static inline long shim_SSL_CTX_set_mode_release_buffers(SSL_CTX *ctx) {
    return SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
}

/// SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION (uint64_t bit macros).
static inline void shim_SSL_CTX_set_secure_options(SSL_CTX *ctx) {
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
}

/// SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE: new client sessions go to the
/// new-session callback only (the application keeps them, per server name).
static inline long shim_SSL_CTX_set_client_session_cache(SSL_CTX *ctx) {
    return SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
}

static inline int shim_SSL_set_tlsext_host_name(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}

static inline int shim_SSL_CTX_add1_chain_cert(SSL_CTX *ctx, X509 *certificate) {
    return (int)SSL_CTX_add1_chain_cert(ctx, certificate);
}

static inline int shim_SSL_add1_chain_cert(SSL *ssl, X509 *certificate) {
    return (int)SSL_add1_chain_cert(ssl, certificate);
}

static inline int shim_SSL_clear_chain_certs(SSL *ssl) {
    return (int)SSL_clear_chain_certs(ssl);
}

/// SSL_CTX_set_tlsext_servername_callback casts the callback to `void (*)(void)`.
static inline int shim_SSL_CTX_set_tlsext_servername_callback(SSL_CTX *ctx, int (*callback)(SSL *, int *, void *)) {
    return (int)SSL_CTX_set_tlsext_servername_callback(ctx, callback);
}

// MARK: ALPN (RFC 7301) server selection

/// Picks the first protocol of the server's list (`arg`, wire format) that the client offered.
/// RFC 7301 §3.2: with no overlap the server "SHALL respond with a fatal no_application_protocol
/// alert"; a client that offered nothing gets no ALPN extension back.
static inline int shim_alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                                   const unsigned char *in, unsigned int inlen, void *arg) {
    (void)ssl;
    const unsigned char *server = (const unsigned char *)arg;
    if (server == NULL || inlen == 0) return SSL_TLSEXT_ERR_NOACK;
    unsigned char *selected = NULL;
    if (SSL_select_next_proto(&selected, outlen, server + 1, (unsigned int)server[0], in, inlen) != OPENSSL_NPN_NEGOTIATED) {
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    }
    *out = selected;
    return SSL_TLSEXT_ERR_OK;
}

/// Installs ``shim_alpn_select`` with `list` = one length byte then the wire-format protocol
/// list (RFC 7301 §3.1); `list` must outlive `ctx`.
static inline void shim_SSL_CTX_set_alpn_select(SSL_CTX *ctx, const unsigned char *list) {
    SSL_CTX_set_alpn_select_cb(ctx, shim_alpn_select, (void *)list);
}

// MARK: Memory BIOs

/// BIO_set_mem_eof_return: what an empty memory BIO returns; -1 makes it "retry" instead of EOF.
static inline long shim_BIO_set_mem_eof_return(BIO *bio, int value) {
    return BIO_set_mem_eof_return(bio, value);
}

static inline long shim_BIO_get_mem_data(BIO *bio, char **data) {
    return BIO_get_mem_data(bio, data);
}

static inline size_t shim_BIO_pending(BIO *bio) {
    return BIO_ctrl_pending(bio);
}

// MARK: Errors

static inline int shim_ERR_GET_LIB(unsigned long error) { return ERR_GET_LIB(error); }
static inline int shim_ERR_GET_REASON(unsigned long error) { return ERR_GET_REASON(error); }

// MARK: X509 helpers (STACK_OF macros, GENERAL_NAME unions, flag macros)

static inline int shim_sk_X509_num(const STACK_OF(X509) *stack) { return sk_X509_num(stack); }
static inline X509 *shim_sk_X509_value(const STACK_OF(X509) *stack, int index) { return sk_X509_value(stack, index); }

static inline int shim_sk_GENERAL_NAME_num(const GENERAL_NAMES *names) { return sk_GENERAL_NAME_num(names); }

/// The type (GEN_DNS, GEN_IPADD, ...) of entry `index`, and its bytes in `data`/`length` for a
/// DNS name or an IP address (0 otherwise).
static inline int shim_general_name(const GENERAL_NAMES *names, int index, const unsigned char **data, int *length) {
    const GENERAL_NAME *name = sk_GENERAL_NAME_value(names, index);
    *data = NULL;
    *length = 0;
    if (name == NULL) return -1;
    if (name->type == GEN_DNS) {
        *data = ASN1_STRING_get0_data(name->d.dNSName);
        *length = ASN1_STRING_length(name->d.dNSName);
    } else if (name->type == GEN_IPADD) {
        *data = ASN1_STRING_get0_data(name->d.iPAddress);
        *length = ASN1_STRING_length(name->d.iPAddress);
    }
    return name->type;
}

/// The subjectAltName extension of `certificate`, or NULL; free with ``shim_GENERAL_NAMES_free``.
static inline GENERAL_NAMES *shim_subject_alt_names(X509 *certificate) {
    return (GENERAL_NAMES *)X509_get_ext_d2i(certificate, NID_subject_alt_name, NULL, NULL);
}

static inline void shim_GENERAL_NAMES_free(GENERAL_NAMES *names) { GENERAL_NAMES_free(names); }

/// X509_NAME_print_ex flags for the RFC 2253 form ("CN=localhost,O=Example").
static inline unsigned long shim_XN_FLAG_RFC2253(void) { return XN_FLAG_RFC2253; }

/// A password callback that refuses: an encrypted private key fails to load instead of OpenSSL
/// prompting on the terminal.
static inline int shim_no_password(char *buffer, int size, int rwflag, void *userdata) {
    (void)buffer; (void)size; (void)rwflag; (void)userdata;
    return 0;
}

static inline X509 *shim_PEM_read_bio_X509(BIO *bio) {
    return PEM_read_bio_X509(bio, NULL, shim_no_password, NULL);
}

static inline EVP_PKEY *shim_PEM_read_bio_PrivateKey(BIO *bio) {
    return PEM_read_bio_PrivateKey(bio, NULL, shim_no_password, NULL);
}

#endif
