/* curl_lazy.h — libcurl, loaded when first called rather than linked.
 *
 * libcurl brings some thirty libraries with it (TLS, SSH, LDAP, Kerberos,
 * IDN, …); loading and relocating them was a third of the cost of a run
 * with nothing due, which fetches nothing. So vane is not linked with
 * libcurl: curl_lazy.c defines the libcurl functions vane calls, each
 * opening libcurl.so.4 (Debian's libcurl4, which libcurl4-openssl-dev
 * brings) on the first call and passing the call on. Callers include
 * <curl/curl.h> and call libcurl as usual. When libcurl cannot be loaded,
 * every call fails as libcurl's own would (NULL, CURLE_FAILED_INIT,
 * CURLM_INTERNAL_ERROR; curl_version_info NULL) and curl_lazy_error says
 * why. */
#ifndef VANE_CURL_LAZY_H
#define VANE_CURL_LAZY_H

#include <curl/curl.h>

/* Why libcurl could not be loaded, or NULL (loaded, or not tried yet). */
const char *curl_lazy_error(void);

#endif
