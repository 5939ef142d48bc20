/* metrics_page.c — GET /metrics: vane's Prometheus metrics (metrics.h),
 * the same text each run writes to settings' metrics_file. */
#include "serve/api.h"

#include "metrics/metrics.h"

int metrics_page(const serve_req_t *r, serve_resp_t *out)
{
    err_t e;
    if (metrics_build(r->ctx->st, r->ctx->cfg, &out->body, &e) != 0)
        return -1;
    out->content_type = METRICS_CONTENT_TYPE;
    return 0;
}
