/* charts_routes.c — the routes of the advisories, sources and rules pages
 * (pages_charts.h), and the little they share. */
#include "serve/pages_charts.h"

#include "util/clock.h"

const serve_route_t serve_routes_charts[] = {
    {"GET", "/advisories", page_advisories},
    {"GET", "/advisories/{}/{}", page_advisory},
    {"GET", "/sources", page_sources},
    {"GET", "/rules", page_rules},
    {NULL, NULL, NULL},
};

long long pages_epoch(const char *iso, long long otherwise)
{
    vtime_t t;
    return iso && clock_parse_iso(iso, &t) == 0 ? (long long)t : otherwise;
}
