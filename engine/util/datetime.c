/* datetime.c — dates in the many forms feeds use (see datetime.h).
 *
 * The parser is a cursor over a bounded copy of the input: each field is
 * read with an explicit digit count, names are matched against short
 * tables, and the whole text must be used up. Nothing depends on the C
 * library's time zone or locale: civil dates are converted with Howard
 * Hinnant's days_from_civil / civil_from_days. */
#include "util/datetime.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/tzfile.h"

#define MAX_INPUT 128
#define MAX_OFFSET (18 * 3600)
#define MAX_FRACTION_DIGITS 9
#define MAX_COMMENT 40
#define CJK_YEAR "\xE5\xB9\xB4"  /* 年 */
#define CJK_MONTH "\xE6\x9C\x88" /* 月 */
#define CJK_DAY "\xE6\x97\xA5"   /* 日 */

typedef struct when {
    int y, mo, d, h, mi, s;
    int off;      /* seconds east of UTC */
    int military; /* single-letter zones allowed (RFC 822 forms only) */
    int zoned;    /* the text gave its zone (else the caller's zone applies) */
} when_t;

static const char *const month_names[12] = {
    "january", "february", "march",     "april",   "may",      "june",
    "july",    "august",   "september", "october", "november", "december",
};

static const char *const day_names[7] = {
    "sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
};

static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

static const char *skip_space(const char *p)
{
    while (is_space(*p))
        p++;
    return p;
}

static int leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int days_in_month(int y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 ? 28 + leap(y) : d[m - 1];
}

/* Days from 1970-01-01 to y-m-d, proleptic Gregorian. */
static long long days_from_civil(long long y, int m, int d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long yoe = y - era * 400;
    long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(long long z, long long *y, int *m, int *d)
{
    z += 719468;
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    long long doe = z - era * 146097;
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* Read between min and max digits; more digits than max is a failure (so
 * "123456" is never read as the hour 12). */
static int number(const char **p, int min, int max, int *out)
{
    const char *q = *p;
    int v = 0, n = 0;
    while (is_digit(*q)) {
        if (++n > max)
            return -1;
        v = v * 10 + (*q++ - '0');
    }
    if (n < min)
        return -1;
    *p = q;
    *out = v;
    return 0;
}

/* Exactly n digits. */
static int fixed(const char **p, int n, int *out)
{
    const char *q = *p;
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!is_digit(q[i]))
            return -1;
        v = v * 10 + (q[i] - '0');
    }
    *p = q + n;
    *out = v;
    return 0;
}

/* The run of letters at *p (at most cap - 1 of them, else -1), lowercased
 * into word. */
static int word(const char **p, char *word, size_t cap)
{
    size_t n = 0;
    const char *q = *p;
    while (is_alpha(*q)) {
        if (n + 1 >= cap)
            return -1;
        word[n++] = (char)(*q | 0x20);
        q++;
    }
    word[n] = '\0';
    *p = q;
    return n > 0 ? 0 : -1;
}

/* A full name or its first three letters ("Sept" too for September). */
static int name_index(const char *w, const char *const *names, int count)
{
    size_t n = strlen(w);
    for (int i = 0; i < count; i++) {
        if (strcmp(w, names[i]) == 0 || (n == 3 && strncmp(w, names[i], 3) == 0))
            return i;
    }
    if (strcmp(w, "sept") == 0 && names == month_names)
        return 8;
    return -1;
}

static int month_of(const char **p)
{
    char w[16];
    if (word(p, w, sizeof w) != 0)
        return -1;
    int m = name_index(w, month_names, 12);
    if (m < 0)
        return -1;
    if (**p == '.')
        (*p)++;
    return m + 1;
}

/* "+hh", "+hhmm", "+hh:mm" after the sign. */
static int numeric_offset(const char **p, int *off)
{
    int sign = **p == '-' ? -1 : 1, hh, mm = 0;
    (*p)++;
    if (fixed(p, 2, &hh) != 0)
        return -1;
    if (**p == ':') {
        (*p)++;
        if (fixed(p, 2, &mm) != 0)
            return -1;
    } else if (is_digit(**p) && fixed(p, 2, &mm) != 0) {
        return -1;
    }
    if (is_digit(**p) || mm > 59 || hh * 3600 + mm * 60 > MAX_OFFSET)
        return -1;
    *off = sign * (hh * 3600 + mm * 60);
    return 0;
}

static int named_offset(const char *w, int military, int *off)
{
    static const struct {
        const char *name;
        int hours;
    } zones[] = {
        {"ut", 0},   {"utc", 0},  {"gmt", 0},  {"z", 0},    {"est", -5}, {"edt", -4},
        {"cst", -6}, {"cdt", -5}, {"mst", -7}, {"mdt", -6}, {"pst", -8}, {"pdt", -7},
    };
    for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++) {
        if (strcmp(w, zones[i].name) == 0) {
            *off = zones[i].hours * 3600;
            return 0;
        }
    }
    /* RFC 2822: military zones were defined with the wrong sign in RFC 822
     * and carry no reliable information; read them as -0000. */
    if (military && w[1] == '\0' && w[0] != 'j') {
        *off = 0;
        return 0;
    }
    return -1;
}

/* A zone: numeric, named, or "GMT+hh:mm". */
static int zone(const char **p, int military, int *off)
{
    if (**p == '+' || **p == '-')
        return numeric_offset(p, off);
    char w[8];
    if (word(p, w, sizeof w) != 0 || named_offset(w, military, off) != 0)
        return -1;
    if ((strcmp(w, "gmt") == 0 || strcmp(w, "utc") == 0) && (**p == '+' || **p == '-'))
        return numeric_offset(p, off);
    return 0;
}

/* What may follow a date or time: nothing, or a zone, then perhaps a
 * parenthesised comment ("+0000 (UTC)"). No zone means UTC. */
static int tail(const char *p, when_t *w)
{
    p = skip_space(p);
    w->off = 0;
    if (*p && *p != '(') {
        if (zone(&p, w->military, &w->off) != 0)
            return -1;
        w->zoned = 1;
    }
    p = skip_space(p);
    if (*p == '(') {
        const char *close = memchr(p, ')', strnlen(p, MAX_COMMENT));
        if (!close)
            return -1;
        p = skip_space(close + 1);
    }
    return *p == '\0' ? 0 : -1;
}

/* "HH:MM[:SS[.fff]]" with one- or two-digit hours. */
static int clock_time(const char **p, when_t *w)
{
    if (number(p, 1, 2, &w->h) != 0 || **p != ':')
        return -1;
    (*p)++;
    if (fixed(p, 2, &w->mi) != 0)
        return -1;
    if (**p == ':') {
        (*p)++;
        if (fixed(p, 2, &w->s) != 0)
            return -1;
        if ((**p == '.' || **p == ',') && is_digit((*p)[1])) {
            int digits = 0;
            for ((*p)++; is_digit(**p); (*p)++)
                if (++digits > MAX_FRACTION_DIGITS)
                    return -1;
        }
    }
    return 0;
}

/* "20241203" or "20241203T101500Z" (also "T1015"). */
static int compact(const char *p, when_t *w)
{
    if (fixed(&p, 4, &w->y) || fixed(&p, 2, &w->mo) || fixed(&p, 2, &w->d))
        return -1;
    if (*p == 'T' || *p == 't') {
        p++;
        if (fixed(&p, 2, &w->h) || fixed(&p, 2, &w->mi))
            return -1;
        if (is_digit(*p) && fixed(&p, 2, &w->s))
            return -1;
    }
    return tail(p, w);
}

/* What follows "2024年": "11月18日", perhaps a time and a zone (spaces
 * allowed between the parts, as some pages write them). */
static int cjk(const char *p, when_t *w)
{
    p = skip_space(p);
    if (number(&p, 1, 2, &w->mo) != 0 || strncmp(p = skip_space(p), CJK_MONTH, 3) != 0)
        return -1;
    p = skip_space(p + 3);
    if (number(&p, 1, 2, &w->d) != 0 || strncmp(p = skip_space(p), CJK_DAY, 3) != 0)
        return -1;
    p += 3;
    const char *q = skip_space(p);
    if (is_digit(*q)) {
        p = q;
        if (clock_time(&p, w) != 0)
            return -1;
    }
    return tail(p, w);
}

/* "2024-11-26[THH:MM[:SS[.f]]][zone]" and "2024/11/29[ HH:MM[:SS]][zone]". */
static int iso(const char *p, when_t *w)
{
    const char *q = p;
    int n = 0;
    while (n < 9 && is_digit(q[n]))
        n++;
    if (n == 8)
        return compact(p, w);
    if (fixed(&p, 4, &w->y) != 0 || (*p != '-' && *p != '/'))
        return -1;
    char sep = *p++;
    int width = sep == '-' ? 2 : 1;
    if (number(&p, width, 2, &w->mo) != 0 || *p++ != sep || number(&p, width, 2, &w->d) != 0)
        return -1;
    if ((*p == 'T' || *p == 't' || *p == ' ') && is_digit(p[1])) {
        p++;
        if (clock_time(&p, w) != 0)
            return -1;
    }
    return tail(p, w);
}

/* Two-digit years as RFC 2822 says; three digits are years since 1900. */
static int full_year(int y, int digits)
{
    if (digits == 2)
        return y < 50 ? 2000 + y : 1900 + y;
    if (digits == 3)
        return 1900 + y;
    return y;
}

static int year(const char **p, when_t *w)
{
    const char *start = *p;
    if (number(p, 2, 4, &w->y) != 0)
        return -1;
    w->y = full_year(w->y, (int)(*p - start));
    return 0;
}

/* " AM", "pm", " a.m." after a time: a 12-hour clock (hours 1 to 12).
 * Anything else is left for the zone. */
static int meridiem(const char **p, when_t *w)
{
    const char *q = skip_space(*p);
    char c = (char)(*q | 0x20);
    if (c != 'a' && c != 'p')
        return 0;
    q += q[1] == '.' ? 2 : 1;
    if ((*q | 0x20) != 'm')
        return 0;
    q += q[1] == '.' ? 2 : 1;
    if (is_alpha(*q))
        return 0;
    if (w->h < 1 || w->h > 12)
        return -1;
    w->h = w->h % 12 + (c == 'p' ? 12 : 0);
    *p = q;
    return 0;
}

/* What follows the year in the RFC 822, US and numeric forms: perhaps a
 * time (with AM or PM), then perhaps a zone. */
static int after_year(const char *p, when_t *w)
{
    const char *q = skip_space(p);
    if (q != p && is_digit(*q)) {
        p = q;
        if (clock_time(&p, w) != 0 || meridiem(&p, w) != 0)
            return -1;
    } else if (*q && q == p) {
        return -1;
    }
    return tail(p, w);
}

/* "[Wed,] 27 Nov 2024 [10:00[:00]] [zone]", "Nov 27, 2024 ...", with an
 * optional weekday (its name is checked, not whether it fits the date). */
static int rfc822(const char *p, when_t *w)
{
    w->military = 1;
    if (is_alpha(*p)) {
        const char *q = p;
        char name[16];
        if (word(&q, name, sizeof name) == 0 && name_index(name, day_names, 7) >= 0) {
            p = q;
            if (*p == ',')
                p++;
            p = skip_space(p);
        }
    }
    if (is_digit(*p)) {
        if (number(&p, 1, 2, &w->d) != 0)
            return -1;
        if (*p == '-' || *p == ' ')
            p = *p == '-' ? p + 1 : skip_space(p);
        else
            return -1;
        if ((w->mo = month_of(&p)) < 0)
            return -1;
        if (*p == '-')
            p++;
        else if (p == skip_space(p))
            return -1;
        p = skip_space(p);
    } else {
        if ((w->mo = month_of(&p)) < 0 || p == skip_space(p))
            return -1;
        p = skip_space(p);
        if (number(&p, 1, 2, &w->d) != 0)
            return -1;
        if (*p == ',')
            p++;
        if (p == skip_space(p))
            return -1;
        p = skip_space(p);
    }
    if (year(&p, w) != 0)
        return -1;
    return after_year(p, w);
}

/* "11/18/2024", "18.11.2024", "11-18-24" (then perhaps a time and a
 * zone): day and month in the order asked; with none, the order a day
 * above 12 shows, and a date where either could be the month is refused
 * (DATETIME_AMBIGUOUS) rather than guessed. */
static int numeric(const char *p, when_t *w, datetime_order_t order)
{
    int a, b;
    if (number(&p, 1, 2, &a) != 0)
        return -1;
    char sep = *p++;
    if (number(&p, 1, 2, &b) != 0 || *p++ != sep)
        return -1;
    const char *y = p;
    if (year(&p, w) != 0 || p - y == 3)
        return -1;
    if (order == DATETIME_ANY && a <= 12 && b <= 12 && a != b)
        return DATETIME_AMBIGUOUS;
    int mdy = order == DATETIME_MDY || (order == DATETIME_ANY && b > 12);
    w->mo = mdy ? a : b;
    w->d = mdy ? b : a;
    return after_year(p, w);
}

static int valid(const when_t *w)
{
    return w->y >= 1 && w->y <= 9999 && w->mo >= 1 && w->mo <= 12 && w->d >= 1 &&
           w->d <= days_in_month(w->y, w->mo) && w->h >= 0 && w->h <= 23 && w->mi >= 0 &&
           w->mi <= 59 && w->s >= 0 && w->s <= 60;
}

/* The zone for text without one: *fixed and *off for a fixed offset
 * ("+08:00", "UTC", "EST"; none is UTC), else a name of the tz database.
 * Returns 0, or DATETIME_BAD_ZONE. */
static int caller_zone(const char *name, int *fixed, int *off)
{
    *fixed = 1;
    *off = 0;
    if (!name)
        return 0;
    const char *p = skip_space(name);
    if (*p && zone(&p, 0, off) == 0 && *skip_space(p) == '\0')
        return 0;
    *fixed = 0;
    return tzfile_check(name) == 0 ? 0 : DATETIME_BAD_ZONE;
}

/* Read the text (already trimmed, at most MAX_INPUT bytes) into w. */
static int read_when(const char *copy, when_t *w, datetime_order_t order)
{
    int digits = 0;
    while (digits < 5 && is_digit(copy[digits]))
        digits++;
    if (digits == 4 && strncmp(skip_space(copy + 4), CJK_YEAR, 3) == 0) {
        const char *p = copy;
        return fixed(&p, 4, &w->y) != 0 ? -1 : cjk(skip_space(p) + 3, w);
    }
    if (digits >= 4)
        return iso(copy, w);
    if (digits >= 1 && copy[digits] && strchr("/.-", copy[digits]) && is_digit(copy[digits + 1]))
        return numeric(copy, w, order);
    return rfc822(copy, w);
}

int datetime_parse_opts(const char *s, const datetime_opts_t *o, long long *epoch_utc)
{
    int fixed_zone, off;
    if (caller_zone(o ? o->zone : NULL, &fixed_zone, &off) != 0)
        return DATETIME_BAD_ZONE;
    if (!s)
        return DATETIME_BAD;
    char copy[MAX_INPUT + 1];
    s = skip_space(s);
    size_t n = strnlen(s, MAX_INPUT + 1);
    if (n == 0 || n > MAX_INPUT)
        return DATETIME_BAD;
    memcpy(copy, s, n);
    copy[n] = '\0';
    when_t w = {0, 0, 0, 0, 0, 0, 0, 0, 0};
    int rc = read_when(copy, &w, o ? o->order : DATETIME_ANY);
    if (rc != 0 || !valid(&w))
        return rc == DATETIME_AMBIGUOUS ? rc : DATETIME_BAD;
    long long local = days_from_civil(w.y, w.mo, w.d) * 86400 + w.h * 3600 + w.mi * 60 + w.s;
    if (w.zoned || fixed_zone)
        *epoch_utc = local - (w.zoned ? w.off : off);
    else if (tzfile_to_utc(o->zone, local, epoch_utc) != 0)
        return DATETIME_BAD_ZONE;
    return 0;
}

int datetime_parse(const char *s, long long *epoch_utc)
{
    return datetime_parse_opts(s, NULL, epoch_utc) == 0 ? 0 : -1;
}

typedef struct civil {
    long long y;
    int mo, d, h, mi, s, wday, yday; /* wday 0 = Sunday, yday 0 = 1 January */
} civil_t;

typedef struct out {
    char *p;
    size_t n, len;
    int full;
} out_t;

static void put(out_t *o, const char *s, size_t len)
{
    if (o->full || o->len + len >= o->n) {
        o->full = 1;
        return;
    }
    memcpy(o->p + o->len, s, len);
    o->len += len;
}

static void putf(out_t *o, const char *fmt, long long v)
{
    char tmp[32];
    int len = snprintf(tmp, sizeof tmp, fmt, v);
    put(o, tmp, (size_t)len);
}

/* v zero-padded to width digits (2..4), as "%0*lld": the digits written
 * directly when v fits, since a feed formats several dates per item. */
static void putz(out_t *o, long long v, int width)
{
    static const long long limit[] = {1, 10, 100, 1000, 10000};
    if (v < 0 || v >= limit[width]) {
        char tmp[32];
        int len = snprintf(tmp, sizeof tmp, "%0*lld", width, v);
        put(o, tmp, (size_t)len);
        return;
    }
    char tmp[4];
    for (int i = width - 1; i >= 0; i--, v /= 10)
        tmp[i] = (char)('0' + v % 10);
    put(o, tmp, (size_t)width);
}

static void put_name(out_t *o, const char *name, int abbreviated)
{
    char tmp[16];
    size_t len = abbreviated ? 3 : strlen(name);
    memcpy(tmp, name, len);
    tmp[0] = (char)(tmp[0] - 'a' + 'A');
    put(o, tmp, len);
}

static int format_one(out_t *o, char c, const civil_t *t, long long epoch)
{
    switch (c) {
    case 'Y': putz(o, t->y, 4); break;
    case 'C': putz(o, t->y / 100, 2); break;
    case 'y': putz(o, t->y % 100, 2); break;
    case 'm': putz(o, t->mo, 2); break;
    case 'd': putz(o, t->d, 2); break;
    case 'e': putf(o, "%2lld", t->d); break;
    case 'j': putz(o, t->yday + 1, 3); break;
    case 'H': putz(o, t->h, 2); break;
    case 'I': putz(o, (t->h + 11) % 12 + 1, 2); break;
    case 'M': putz(o, t->mi, 2); break;
    case 'S': putz(o, t->s, 2); break;
    case 'p': put(o, t->h < 12 ? "AM" : "PM", 2); break;
    case 'a': put_name(o, day_names[t->wday], 1); break;
    case 'A': put_name(o, day_names[t->wday], 0); break;
    case 'b': case 'h': put_name(o, month_names[t->mo - 1], 1); break;
    case 'B': put_name(o, month_names[t->mo - 1], 0); break;
    case 'u': putf(o, "%lld", t->wday == 0 ? 7 : t->wday); break;
    case 'w': putf(o, "%lld", t->wday); break;
    case 'z': put(o, "+0000", 5); break;
    case 'Z': put(o, "UTC", 3); break;
    case 's': putf(o, "%lld", epoch); break;
    case 'n': put(o, "\n", 1); break;
    case 't': put(o, "\t", 1); break;
    case '%': put(o, "%", 1); break;
    default: return -1;
    }
    return 0;
}

static const char *expansion(char c)
{
    switch (c) {
    case 'F': return "%Y-%m-%d";
    case 'T': return "%H:%M:%S";
    case 'R': return "%H:%M";
    case 'D': return "%m/%d/%y";
    default: return NULL;
    }
}

static void format_into(out_t *o, const char *fmt, const civil_t *t, long long epoch)
{
    for (const char *p = fmt; *p && !o->full; p++) {
        if (*p != '%' || p[1] == '\0') {
            put(o, p, 1);
            continue;
        }
        p++;
        const char *sub = expansion(*p);
        if (sub)
            format_into(o, sub, t, epoch);
        else if (format_one(o, *p, t, epoch) != 0)
            put(o, p - 1, 2);
    }
}

int datetime_format(long long t, const char *fmt, char *out, size_t n)
{
    if (n == 0)
        return -1;
    out[0] = '\0';
    /* 0000-01-01T00:00:00Z .. 9999-12-31T23:59:59Z */
    if (t < -62167219200LL || t > 253402300799LL)
        return -1;
    civil_t c;
    long long days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    long long secs = t - days * 86400;
    civil_from_days(days, &c.y, &c.mo, &c.d);
    c.h = (int)(secs / 3600);
    c.mi = (int)(secs % 3600 / 60);
    c.s = (int)(secs % 60);
    c.wday = (int)(((days % 7) + 11) % 7); /* 1970-01-01 was a Thursday */
    c.yday = (int)(days - days_from_civil(c.y, 1, 1));
    out_t o = {out, n, 0, 0};
    format_into(&o, fmt, &c, t);
    if (o.full) {
        out[0] = '\0';
        return -1;
    }
    out[o.len] = '\0';
    return 0;
}
