/* htmltext.h — plain text from HTML fragments, in one linear pass.
 *
 * It is vane.text.to_text, squish and decode_entities too (lib/lib_text.c
 * hands these functions to engine/lib/lua/text.lua), so scripts, rules and
 * the feed reader read HTML the same way: tags, comments and the
 * contents of <script> and <style> are dropped; block tags (p, br, li, td,
 * …) separate words; character references are decoded (named ones from
 * HTML's Latin-1 set and the common typographic ones, decimal and hex, with
 * &#128;–&#159; read as Windows-1252 as browsers do; NUL, surrogates and
 * values past U+10FFFF become U+FFFD); unknown references stay as written;
 * runs of white space, no-break and other Unicode spaces included, become
 * one ASCII space, and both ends are trimmed.
 *
 * Every function appends to a buf_t and returns 0, or -1 when memory ran
 * out. Input need not be NUL-terminated. */
#ifndef VANE_HTMLTEXT_H
#define VANE_HTMLTEXT_H

#include <stddef.h>

#include "util/buf.h"

/* The plain text of an HTML fragment, as above. */
int htmltext_to_text(const char *html, size_t len, buf_t *out);

/* Plain text with its white space collapsed and trimmed as above (no tags
 * removed, no references decoded). */
int htmltext_squish(const char *s, size_t len, buf_t *out);

/* Text with its character references decoded as above and nothing else
 * changed (tags and white space stay as they are). */
int htmltext_decode(const char *s, size_t len, buf_t *out);

/* Text escaped for HTML: & < > and " as references. */
int htmltext_escape(const char *s, size_t len, buf_t *out);

/* The UTF-8 of the named character reference `name` (without & and ;,
 * case sensitive) in out; returns its length, or 0 when the name is not
 * one we know. */
size_t htmltext_entity(const char *name, size_t len, char out[4]);

#endif
