/* curl_lazy.c — libcurl, opened when first called (see curl_lazy.h).
 *
 * vane is not linked with libcurl: these functions, with libcurl's own
 * names and prototypes (curl/curl.h), open libcurl.so.4 on the first call
 * and hand each call on to the function of that name in it. Callers write
 * curl_easy_setopt(...) as ever, with curl's compile-time type checks.
 * dlsym looks the names up in libcurl itself, so these never call
 * themselves, whatever the executable exports. A function added to the
 * callers must be added here too (the link fails until it is). */
#define CURL_DISABLE_TYPECHECK /* the macros would rename the definitions below */
#include "fetch/curl_lazy.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>

#define CURL_LIBRARY "libcurl.so.4"

typedef void (*any_fn)(void); /* a callback passed through setopt */

/* The functions of libcurl that vane calls, by their pointers. */
static struct {
    int tried;
    void *lib;
    char error[256];
    __typeof__(curl_global_init) *global_init;
    __typeof__(curl_global_cleanup) *global_cleanup;
    __typeof__(curl_version_info) *version_info;
    __typeof__(curl_easy_init) *easy_init;
    __typeof__(curl_easy_setopt) *easy_setopt;
    __typeof__(curl_easy_getinfo) *easy_getinfo;
    __typeof__(curl_easy_perform) *easy_perform;
    __typeof__(curl_easy_cleanup) *easy_cleanup;
    __typeof__(curl_easy_strerror) *easy_strerror;
    __typeof__(curl_multi_init) *multi_init;
    __typeof__(curl_multi_setopt) *multi_setopt;
    __typeof__(curl_multi_add_handle) *multi_add_handle;
    __typeof__(curl_multi_remove_handle) *multi_remove_handle;
    __typeof__(curl_multi_perform) *multi_perform;
    __typeof__(curl_multi_poll) *multi_poll;
    __typeof__(curl_multi_info_read) *multi_info_read;
    __typeof__(curl_multi_cleanup) *multi_cleanup;
    __typeof__(curl_slist_append) *slist_append;
    __typeof__(curl_slist_free_all) *slist_free_all;
    __typeof__(curl_getdate) *getdate;
} api;

/* POSIX's way to take a function from dlsym's void *. */
#define FIND(f) ((*(void **)&api.f = dlsym(api.lib, "curl_" #f)) != NULL)

static int find_all(void)
{
    return FIND(global_init) && FIND(global_cleanup) && FIND(version_info) &&
           FIND(easy_init) && FIND(easy_setopt) && FIND(easy_getinfo) && FIND(easy_perform) &&
           FIND(easy_cleanup) && FIND(easy_strerror) && FIND(multi_init) &&
           FIND(multi_setopt) && FIND(multi_add_handle) && FIND(multi_remove_handle) &&
           FIND(multi_perform) && FIND(multi_poll) && FIND(multi_info_read) &&
           FIND(multi_cleanup) && FIND(slist_append) && FIND(slist_free_all) && FIND(getdate);
}

/* 1 once libcurl is open with every function found; 0 (for good) if not. */
static int ready(void)
{
    if (api.tried)
        return api.lib != NULL;
    api.tried = 1;
    api.lib = dlopen(CURL_LIBRARY, RTLD_NOW | RTLD_LOCAL);
    if (api.lib && find_all())
        return 1;
    const char *why = dlerror();
    snprintf(api.error, sizeof api.error, "cannot load %s: %s", CURL_LIBRARY,
             why ? why : "a function is missing");
    if (api.lib)
        dlclose(api.lib);
    api.lib = NULL;
    return 0;
}

const char *curl_lazy_error(void)
{
    return api.error[0] ? api.error : NULL;
}

CURLcode curl_global_init(long flags)
{
    return ready() ? api.global_init(flags) : CURLE_FAILED_INIT;
}

void curl_global_cleanup(void)
{
    if (api.lib)
        api.global_cleanup();
}

curl_version_info_data *curl_version_info(CURLversion v)
{
    return ready() ? api.version_info(v) : NULL;
}

CURL *curl_easy_init(void)
{
    return ready() ? api.easy_init() : NULL;
}

/* An option's argument, of the type its number says (curl.h's
 * CURLOPTTYPE_* ranges; the same for the multi options), passed on. */
#define PASS_ON(fn, h, o, ap)                                                          \
    ((o) < CURLOPTTYPE_OBJECTPOINT     ? fn(h, o, va_arg(ap, long))                    \
     : (o) < CURLOPTTYPE_FUNCTIONPOINT ? fn(h, o, va_arg(ap, void *))                  \
     : (o) < CURLOPTTYPE_OFF_T         ? fn(h, o, va_arg(ap, any_fn))                  \
     : (o) < CURLOPTTYPE_BLOB          ? fn(h, o, va_arg(ap, curl_off_t))              \
                                       : fn(h, o, va_arg(ap, void *)))

CURLcode curl_easy_setopt(CURL *h, CURLoption o, ...)
{
    va_list ap;
    va_start(ap, o);
    CURLcode rc = ready() ? PASS_ON(api.easy_setopt, h, o, ap) : CURLE_FAILED_INIT;
    va_end(ap);
    return rc;
}

/* Every CURLINFO takes a pointer to where the answer goes. */
CURLcode curl_easy_getinfo(CURL *h, CURLINFO info, ...)
{
    va_list ap;
    va_start(ap, info);
    CURLcode rc = ready() ? api.easy_getinfo(h, info, va_arg(ap, void *)) : CURLE_FAILED_INIT;
    va_end(ap);
    return rc;
}

CURLcode curl_easy_perform(CURL *h)
{
    return ready() ? api.easy_perform(h) : CURLE_FAILED_INIT;
}

/* A handle or list to free was made by libcurl, so it is loaded (freeing
 * NULL before anything else must not load it). */
void curl_easy_cleanup(CURL *h)
{
    if (api.lib)
        api.easy_cleanup(h);
}

const char *curl_easy_strerror(CURLcode c)
{
    return ready() ? api.easy_strerror(c) : api.error;
}

CURLM *curl_multi_init(void)
{
    return ready() ? api.multi_init() : NULL;
}

CURLMcode curl_multi_setopt(CURLM *m, CURLMoption o, ...)
{
    va_list ap;
    va_start(ap, o);
    CURLMcode rc = ready() ? PASS_ON(api.multi_setopt, m, o, ap) : CURLM_INTERNAL_ERROR;
    va_end(ap);
    return rc;
}

CURLMcode curl_multi_add_handle(CURLM *m, CURL *h)
{
    return ready() ? api.multi_add_handle(m, h) : CURLM_INTERNAL_ERROR;
}

CURLMcode curl_multi_remove_handle(CURLM *m, CURL *h)
{
    return ready() ? api.multi_remove_handle(m, h) : CURLM_INTERNAL_ERROR;
}

CURLMcode curl_multi_perform(CURLM *m, int *running)
{
    return ready() ? api.multi_perform(m, running) : CURLM_INTERNAL_ERROR;
}

CURLMcode curl_multi_poll(CURLM *m, struct curl_waitfd extra[], unsigned int n_extra,
                          int timeout_ms, int *ret)
{
    return ready() ? api.multi_poll(m, extra, n_extra, timeout_ms, ret) : CURLM_INTERNAL_ERROR;
}

CURLMsg *curl_multi_info_read(CURLM *m, int *left)
{
    return ready() ? api.multi_info_read(m, left) : NULL;
}

CURLMcode curl_multi_cleanup(CURLM *m)
{
    return ready() ? api.multi_cleanup(m) : CURLM_INTERNAL_ERROR;
}

struct curl_slist *curl_slist_append(struct curl_slist *list, const char *s)
{
    return ready() ? api.slist_append(list, s) : NULL;
}

void curl_slist_free_all(struct curl_slist *list)
{
    if (api.lib)
        api.slist_free_all(list);
}

time_t curl_getdate(const char *p, const time_t *unused)
{
    return ready() ? api.getdate(p, unused) : -1;
}
