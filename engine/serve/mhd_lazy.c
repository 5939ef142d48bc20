/* mhd_lazy.c — libmicrohttpd, opened when first called (see mhd_lazy.h).
 *
 * These functions, with libmicrohttpd's names and prototypes, open
 * libmicrohttpd.so.12 on the first call and hand each call on to the
 * function of that name in it (dlsym looks the names up in the library
 * itself, so these never call themselves). */
#include "serve/mhd_lazy.h"

#include <dlfcn.h>
#include <stdio.h>

#define MHD_LIBRARY "libmicrohttpd.so.12"

static struct {
    int tried;
    void *lib;
    char error[256];
    __typeof__(MHD_start_daemon_va) *start_daemon_va;
    __typeof__(MHD_stop_daemon) *stop_daemon;
    __typeof__(MHD_create_response_from_buffer) *create_response_from_buffer;
    __typeof__(MHD_add_response_header) *add_response_header;
    __typeof__(MHD_queue_response) *queue_response;
    __typeof__(MHD_destroy_response) *destroy_response;
    __typeof__(MHD_lookup_connection_value) *lookup_connection_value;
    __typeof__(MHD_get_connection_info) *get_connection_info;
} api;

#define FIND(f) ((*(void **)&api.f = dlsym(api.lib, "MHD_" #f)) != NULL)

static int find_all(void)
{
    return FIND(start_daemon_va) && FIND(stop_daemon) && FIND(create_response_from_buffer) &&
           FIND(add_response_header) && FIND(queue_response) && FIND(destroy_response) &&
           FIND(lookup_connection_value) && FIND(get_connection_info);
}

/* 1 once the library is open with every function found; 0 (for good) if not. */
static int ready(void)
{
    if (api.tried)
        return api.lib != NULL;
    api.tried = 1;
    api.lib = dlopen(MHD_LIBRARY, RTLD_NOW | RTLD_LOCAL);
    if (api.lib && find_all())
        return 1;
    const char *why = dlerror();
    snprintf(api.error, sizeof api.error, "cannot load %s: %s (Debian: apt install libmicrohttpd12)",
             MHD_LIBRARY, why ? why : "a function is missing");
    if (api.lib)
        dlclose(api.lib);
    api.lib = NULL;
    return 0;
}

const char *mhd_lazy_error(void)
{
    return api.error[0] ? api.error : NULL;
}

struct MHD_Daemon *MHD_start_daemon_va(unsigned int flags, uint16_t port,
                                       MHD_AcceptPolicyCallback apc, void *apc_cls,
                                       MHD_AccessHandlerCallback dh, void *dh_cls, va_list ap)
{
    return ready() ? api.start_daemon_va(flags, port, apc, apc_cls, dh, dh_cls, ap) : NULL;
}

struct MHD_Daemon *MHD_start_daemon(unsigned int flags, uint16_t port,
                                    MHD_AcceptPolicyCallback apc, void *apc_cls,
                                    MHD_AccessHandlerCallback dh, void *dh_cls, ...)
{
    va_list ap;
    va_start(ap, dh_cls);
    struct MHD_Daemon *d = MHD_start_daemon_va(flags, port, apc, apc_cls, dh, dh_cls, ap);
    va_end(ap);
    return d;
}

void MHD_stop_daemon(struct MHD_Daemon *daemon)
{
    if (api.lib)
        api.stop_daemon(daemon);
}

struct MHD_Response *MHD_create_response_from_buffer(size_t size, void *buffer,
                                                     enum MHD_ResponseMemoryMode mode)
{
    return ready() ? api.create_response_from_buffer(size, buffer, mode) : NULL;
}

enum MHD_Result MHD_add_response_header(struct MHD_Response *response, const char *header,
                                        const char *content)
{
    return ready() ? api.add_response_header(response, header, content) : MHD_NO;
}

enum MHD_Result MHD_queue_response(struct MHD_Connection *connection, unsigned int status_code,
                                   struct MHD_Response *response)
{
    return ready() ? api.queue_response(connection, status_code, response) : MHD_NO;
}

void MHD_destroy_response(struct MHD_Response *response)
{
    if (api.lib)
        api.destroy_response(response);
}

const char *MHD_lookup_connection_value(struct MHD_Connection *connection, enum MHD_ValueKind kind,
                                        const char *key)
{
    return ready() ? api.lookup_connection_value(connection, kind, key) : NULL;
}

/* Only the kinds without an argument are passed on (server.c asks for the
 * client's address). */
const union MHD_ConnectionInfo *MHD_get_connection_info(struct MHD_Connection *connection,
                                                        enum MHD_ConnectionInfoType info_type, ...)
{
    return ready() ? api.get_connection_info(connection, info_type) : NULL;
}
