/* test_definition.c — a source's definition as a fingerprint: each part
 * that changes what is extracted changes its own hash, and the parts that
 * differ are named. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "run/definition.h"

static char *ignore_list[] = {"published", "updated"};

static source_cfg_t base(void)
{
    return (source_cfg_t){.id = "s", .url = "https://example.org/list", .script = "html_links",
                          .options_json = "{\"items\":\"li\"}", .ignore = ignore_list,
                          .n_ignore = 2, .max_item_bytes = 0, .every = 3600};
}

/* The parts definition_changes names between base() read by "text" and s
 * read by script. */
static void changes(const source_cfg_t *s, const char *script, char *out, size_t n)
{
    source_cfg_t b = base();
    buf_t was = {0}, now = {0}, what = {0};
    assert_int_equal(definition_fingerprint(&b, "text", 4, &was), 0);
    assert_int_equal(definition_fingerprint(s, script, strlen(script), &now), 0);
    definition_changes(buf_str(&was), buf_str(&now), &what);
    snprintf(out, n, "%s", buf_str(&what));
    buf_free(&was);
    buf_free(&now);
    buf_free(&what);
}

static void each_part_that_changes_extraction_is_named(void **state)
{
    (void)state;
    char what[200];
    source_cfg_t s = base();
    changes(&s, "text", what, sizeof what);
    assert_string_equal(what, "");
    s.every = 60; /* when it is fetched does not change what it gives */
    s.timeout = 5;
    changes(&s, "text", what, sizeof what);
    assert_string_equal(what, "");
    changes(&s, "text2", what, sizeof what);
    assert_string_equal(what, "script");
    s.script = "page";
    changes(&s, "text", what, sizeof what);
    assert_string_equal(what, "script");
    s = base();
    s.url = "https://example.org/list2";
    s.options_json = "{\"items\":\"ul li\"}";
    changes(&s, "text", what, sizeof what);
    assert_string_equal(what, "url, options");
    s = base();
    static char *other[] = {"published", "updated", "title"};
    s.ignore = other;
    s.n_ignore = 3;
    s.max_item_bytes = 1000;
    changes(&s, "text", what, sizeof what);
    assert_string_equal(what, "ignore, max_item_bytes");
    static char *joined[] = {"publishedupdated"}; /* not the same list as two names */
    s = base();
    s.ignore = joined;
    s.n_ignore = 1;
    changes(&s, "text", what, sizeof what);
    assert_string_equal(what, "ignore");
}

static void a_source_without_a_stored_fingerprint_takes_the_current_one(void **state)
{
    (void)state;
    source_cfg_t s = base();
    buf_t now = {0}, what = {0};
    assert_int_equal(definition_fingerprint(&s, "text", 4, &now), 0);
    assert_int_equal(definition_changes(NULL, buf_str(&now), &what), 0);
    assert_int_equal(what.len, 0);
    /* a fingerprint missing a part (written by another version) names it */
    assert_int_equal(definition_changes("url=0;script=1", buf_str(&now), &what), 5);
    buf_free(&now);
    buf_free(&what);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_part_that_changes_extraction_is_named),
        cmocka_unit_test(a_source_without_a_stored_fingerprint_takes_the_current_one),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
