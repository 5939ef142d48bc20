/* buf.h — a growable byte buffer, always NUL-terminated.
 *
 * Used for response bodies, JSON text and messages. A zeroed buf_t is an
 * empty buffer. Functions return 0, or -1 when memory ran out (the buffer
 * is then left as it was). */
#ifndef VANE_BUF_H
#define VANE_BUF_H

#include <stddef.h>

typedef struct buf {
    char *p;      /* NUL-terminated when len > 0 or after any append */
    size_t len;
    size_t cap;
} buf_t;

int buf_reserve(buf_t *b, size_t extra);
int buf_append(buf_t *b, const void *data, size_t n);
int buf_puts(buf_t *b, const char *s);
int buf_putc(buf_t *b, char c);
int buf_printf(buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_reset(buf_t *b);           /* len = 0, keeps the memory */
void buf_free(buf_t *b);
/* Hand the bytes over to the caller (free() them); the buffer becomes empty.
 * Never NULL unless memory ran out. */
char *buf_steal(buf_t *b);
/* Append the whole file at path. Returns 0, or -1 (errno says why). */
int buf_read_file(buf_t *b, const char *path);

/* The whole file at path as a NUL-terminated string to free(), its length
 * in *len; NULL if it cannot be read. */
char *buf_read_all(const char *path, size_t *len);

/* The contents as a C string ("" for an empty buffer). */
const char *buf_str(const buf_t *b);

#endif
