/* pq_lazy.h — libpq, opened when a PostgreSQL store is first opened.
 *
 * Linking libpq would load it, and the TLS, Kerberos and LDAP libraries it
 * needs, into every vane process at start-up, though most monitors never
 * speak to PostgreSQL. pg_store.c calls libpq through pq, whose members
 * have libpq's names and types; pq_load fills it from libpq.so.5. */
#ifndef VANE_PQ_LAZY_H
#define VANE_PQ_LAZY_H

#include <libpq-fe.h>

#include "util/err.h"

#define PQ_FUNCTIONS(X)                                                                         \
    X(PQclear) X(PQcmdStatus) X(PQcmdTuples) X(PQconnectdb) X(PQerrorMessage) X(PQexec)       \
    X(PQexecParams) X(PQexecPrepared) X(PQfinish) X(PQfreemem) X(PQftype) X(PQgetisnull)     \
    X(PQgetvalue) X(PQlibVersion) X(PQnfields) X(PQntuples) X(PQprepare)                     \
    X(PQreset) X(PQresultErrorField) X(PQresultErrorMessage) X(PQresultStatus) X(PQsetNoticeProcessor) X(PQstatus)            \
    X(PQtransactionStatus) X(PQunescapeBytea)

#define PQ_MEMBER(f) __typeof__(f) *f;
typedef struct pq_api {
    PQ_FUNCTIONS(PQ_MEMBER)
} pq_api_t;
#undef PQ_MEMBER

extern pq_api_t pq;

/* Open libpq and find its functions, once; 0, or -1 with e saying why
 * (and which Debian package brings it). */
int pq_load(err_t *e);

/* 1 once pq_load has succeeded. */
int pq_loaded(void);

#endif
