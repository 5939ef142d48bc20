/* termtext.h — text from feeds, rules and the database made safe to print
 * on a terminal, one line per record.
 *
 * What vane prints for people (`vane run`'s flag lines and error lines,
 * the stdout channel, the tables of `vane events/flags/sources/runs/
 * outbox`) carries
 * text that came from outside: feed titles, rules' messages, servers'
 * errors. Printed raw, an ESC sequence in a title can retitle or clear
 * the terminal and a newline can forge a line. Every text printer passes
 * that text through here:
 *   \n \r \t             as the two characters \n \r \t
 *   other C0 and DEL     as \xHH (ESC is \x1b)
 *   C1 (U+0080..U+009F)  as \uHHHH (the 8-bit CSI U+009B among them)
 *   ill-formed UTF-8     each byte as \xHH
 * Everything else, printable ASCII and well-formed UTF-8, is written as it
 * is, in runs. JSON output does not use this: JSON has its own escaping
 * (util/json.h). */
#ifndef VANE_TERMTEXT_H
#define VANE_TERMTEXT_H

#include <stddef.h>
#include <stdio.h>

#include "util/buf.h"

/* Append s (n bytes) to out, escaped as above. Returns 0, or -1 when
 * memory ran out. */
int termtext_put(buf_t *out, const char *s, size_t n);

/* Like termtext_put, but newlines and tabs are kept as they are: for a
 * message of several lines printed as such (an error with its Lua
 * traceback under -v). */
int termtext_put_lines(buf_t *out, const char *s, size_t n);

/* Write the NUL-terminated s to f, escaped as above. Returns 0, or -1 when
 * memory ran out or the write failed. */
int termtext_fputs(const char *s, FILE *f);

#endif
