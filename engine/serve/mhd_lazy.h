/* mhd_lazy.h — GNU libmicrohttpd, loaded when `vane serve` first calls it
 * rather than linked.
 *
 * libmicrohttpd brings GnuTLS and its dozen libraries with it; every other
 * command (a cron `vane run` above all) would pay for loading them at
 * start-up for nothing. So vane is not linked with it: mhd_lazy.c defines
 * the functions server.c calls, with libmicrohttpd's own names and
 * prototypes (microhttpd.h), each opening libmicrohttpd.so.12 (Debian's
 * libmicrohttpd12) on the first call and passing the call on. When it
 * cannot be loaded, every call fails as its own would (NULL, MHD_NO) and
 * mhd_lazy_error says why. A function added to server.c must be added
 * there too (the link fails until it is). */
#ifndef VANE_MHD_LAZY_H
#define VANE_MHD_LAZY_H

#include <stdarg.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <microhttpd.h>

/* Why libmicrohttpd could not be loaded, or NULL (loaded, or not tried). */
const char *mhd_lazy_error(void);

#endif
