/* test_suggest.c — "did you mean …" (util/suggest.c): the close name is
 * found, a far one is not offered. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "util/suggest.h"

static const char *const rules[] = {
    "sanctions-announcement", "keyword-watch", "source-failing", "new-item", NULL,
};
#define N_RULES 5

static void a_typo_finds_the_name_it_misspells(void **state)
{
    (void)state;
    assert_string_equal(suggest_closest("sanctions-anouncement", rules, N_RULES),
                        "sanctions-announcement");
    assert_string_equal(suggest_closest("keyword_watch", rules, N_RULES), "keyword-watch");
    assert_string_equal(suggest_closest("New-Item", rules, N_RULES), "new-item");
}

static void swapped_letters_count_as_one_edit(void **state)
{
    (void)state;
    const char *const opts[] = { "ignore", "item", "list" };
    assert_string_equal(suggest_closest("ingore", opts, 3), "ignore");
    assert_string_equal(suggest_closest("itme", opts, 3), "item");
}

static void a_shared_prefix_is_offered_when_no_name_is_close(void **state)
{
    (void)state;
    assert_string_equal(suggest_closest("source", rules, N_RULES), "source-failing");
    assert_string_equal(suggest_closest("keyword-watch-extra", rules, N_RULES), "keyword-watch");
}

static void nothing_close_gives_null(void **state)
{
    (void)state;
    assert_null(suggest_closest("completely-different", rules, N_RULES));
    assert_null(suggest_closest("ab", (const char *const[]){ "xy" }, 1));
    assert_null(suggest_closest("x", rules, 0));
    assert_null(suggest_closest(NULL, rules, N_RULES));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_typo_finds_the_name_it_misspells),
        cmocka_unit_test(swapped_letters_count_as_one_edit),
        cmocka_unit_test(a_shared_prefix_is_offered_when_no_name_is_close),
        cmocka_unit_test(nothing_close_gives_null),
    };
    return cmocka_run_group_tests_name("suggest", tests, NULL, NULL);
}
