/* err.c — error values and error lists (see err.h). */
#include "util/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int err_set(err_t *e, const char *fmt, ...)
{
    if (!e)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return -1;
}

int err_prefix(err_t *e, const char *fmt, ...)
{
    if (!e)
        return -1;
    char old[ERR_MAX];
    memcpy(old, e->msg, sizeof old);
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n < sizeof e->msg) {
        size_t room = sizeof e->msg - (size_t)n;
        size_t len = strnlen(old, room - 1);
        memcpy(e->msg + n, old, len);
        e->msg[(size_t)n + len] = '\0';
    }
    return -1;
}

void errlist_add(errlist_t *l, const char *fmt, ...)
{
    char msg[ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (l->len == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        char **m = realloc(l->msgs, cap * sizeof *m);
        if (!m)
            return;
        l->msgs = m;
        l->cap = cap;
    }
    char *copy = strdup(msg);
    if (copy)
        l->msgs[l->len++] = copy;
}

void errlist_free(errlist_t *l)
{
    for (size_t i = 0; i < l->len; i++)
        free(l->msgs[i]);
    free(l->msgs);
    l->msgs = NULL;
    l->len = l->cap = 0;
}
