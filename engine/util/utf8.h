/* utf8.h — writing one code point as UTF-8, shared by the CSS selector
 * reader (escapes) and the HTML text helper (character references). */
#ifndef VANE_UTF8_H
#define VANE_UTF8_H

#include <stddef.h>

/* Write cp as 1 to 4 bytes into out and return how many. NUL, surrogates
 * and values past U+10FFFF become U+FFFD. */
size_t utf8_put(unsigned long cp, char out[4]);

#endif
