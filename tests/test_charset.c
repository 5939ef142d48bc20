/* test_charset.c — which encoding a body is in (BOM, header, XML
 * declaration, meta, in that order) and its conversion to UTF-8, byte for
 * byte, including what becomes U+FFFD and on which line. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "fetch/charset.h"

#define FFFD "\xEF\xBF\xBD"

static const char *detect(const char *body, size_t len, const char *ctype, int *bom)
{
    static char label[64];
    return charset_detect(body, len, ctype, label, sizeof label, bom);
}

#define DETECT(lit, ctype) detect(lit, sizeof lit - 1, ctype, NULL)

/* Convert and compare with the expected bytes; returns the report. */
static charset_report_t convert_expect(const char *in, size_t len, const char *label,
                                       const char *want, size_t want_len)
{
    buf_t out = {0};
    charset_report_t rep;
    err_t e = {""};
    assert_int_equal(charset_to_utf8(in, len, label, &out, &rep, &e), 0);
    if (out.len != want_len || memcmp(out.p, want, want_len) != 0)
        fail_msg("%s: got %zu bytes \"%.*s\", want %zu \"%.*s\"", label ? label : "(null)", out.len,
                 (int)out.len, out.p ? out.p : "", want_len, (int)want_len, want);
    buf_free(&out);
    return rep;
}

#define CONVERT(in, label, want) \
    convert_expect(in, sizeof in - 1, label, want, sizeof want - 1)

static void bom_wins_over_everything(void **state)
{
    (void)state;
    int bom = 0;
    static const char b[] = "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"gbk\"?><meta charset=big5>";
    assert_string_equal(detect(b, sizeof b - 1, "text/xml; charset=euc-kr", &bom), "utf-8");
    assert_int_equal(bom, 1);
    assert_string_equal(detect("\xFF\xFEh\0i\0", 6, "text/html; charset=utf-8", &bom), "utf-16le");
    assert_string_equal(detect("\xFE\xFF\0h\0i", 6, NULL, &bom), "utf-16be");
    assert_string_equal(detect("\xFF\xFE\0\0h\0\0\0", 8, NULL, &bom), "utf-32le");
    assert_string_equal(detect("\0\0\xFE\xFF\0\0\0h", 8, NULL, &bom), "utf-32be");
    assert_string_equal(detect("<html>", 6, NULL, &bom), "utf-8");
    assert_int_equal(bom, 0);
}

static void header_wins_over_xml_declaration_and_meta(void **state)
{
    (void)state;
    static const char b[] = "<?xml version=\"1.0\" encoding=\"gbk\"?><meta charset=big5>";
    assert_string_equal(DETECT(b, "application/xml; charset=\"Shift_JIS\""), "shift_jis");
    assert_string_equal(DETECT(b, "text/html;charset=EUC-KR; foo=bar"), "euc-kr");
    assert_string_equal(DETECT(b, "text/html"), "gbk");
    assert_string_equal(DETECT(b, NULL), "gbk");
    assert_string_equal(DETECT(b, "text/html; charset="), "gbk");
}

static void xml_declaration_only_at_the_start(void **state)
{
    (void)state;
    assert_string_equal(DETECT("<?xml version='1.0' encoding='ISO-8859-1'?><r/>", NULL),
                        "iso-8859-1");
    assert_string_equal(DETECT("<?xml version=\"1.0\" encoding = \"Big5\" ?>", NULL), "big5");
    assert_string_equal(DETECT("\n<?xml version=\"1.0\" encoding=\"gbk\"?><r/>", NULL), "utf-8");
    assert_string_equal(DETECT("<?xml version=\"1.0\"?><r encoding=\"gbk\"/>", NULL), "utf-8");
    /* declared UTF-16 but readable as ASCII: it cannot be UTF-16 */
    assert_string_equal(DETECT("<?xml version=\"1.0\" encoding=\"UTF-16\"?><r/>", NULL), "utf-8");
}

static void meta_charset_and_http_equiv(void **state)
{
    (void)state;
    assert_string_equal(DETECT("<html><head><META CharSet=\"GB2312\">", NULL), "gb2312");
    assert_string_equal(DETECT("<meta charset='Big5'/>", NULL), "big5");
    assert_string_equal(DETECT("<meta charset=windows-1252>", NULL), "windows-1252");
    assert_string_equal(
        DETECT("<meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\">", NULL),
        "gb2312");
    assert_string_equal(
        DETECT("<meta content='text/html; CHARSET=\"Shift_JIS\"' http-equiv=content-type>", NULL),
        "shift_jis");
    /* content without http-equiv is not a declaration */
    assert_string_equal(DETECT("<meta content=\"text/html; charset=gb2312\">", NULL), "utf-8");
    assert_string_equal(DETECT("<meta name=x content=y><meta charset=koi8-r>", NULL), "koi8-r");
    assert_string_equal(DETECT("<!-- <meta charset=big5> --><meta charset=euc-kr>", NULL), "euc-kr");
    assert_string_equal(DETECT("<metadata charset=big5>", NULL), "utf-8");
}

static void meta_after_4096_bytes_is_not_seen(void **state)
{
    (void)state;
    char page[5000];
    memset(page, ' ', sizeof page);
    memcpy(page + 4100, "<meta charset=gbk>", 18);
    assert_string_equal(detect(page, sizeof page, NULL, NULL), "utf-8");
    memcpy(page + 100, "<meta charset=gbk>", 18);
    assert_string_equal(detect(page, sizeof page, NULL, NULL), "gbk");
}

static void header_value_is_found_among_header_lines(void **state)
{
    (void)state;
    char ct[64];
    assert_non_null(charset_header("server: x\nContent-Type:  text/html; charset=gbk \nx: y\n", ct,
                                   sizeof ct));
    assert_string_equal(ct, "text/html; charset=gbk");
    assert_null(charset_header("server: x\ncontent-length: 3\n", ct, sizeof ct));
    assert_string_equal(ct, "");
}

static void gbk_labelled_gb2312_decodes_zhe(void **state)
{
    (void)state;
    /* 王喆说中美: 喆 (86 B4) is GBK, not GB2312 */
    static const char gbk[] = "\xCD\xF5\x86\xB4\xCB\xB5\xD6\xD0\xC3\xC0";
    static const char utf8[] = "\xE7\x8E\x8B\xE5\x96\x86\xE8\xAF\xB4\xE4\xB8\xAD\xE7\xBE\x8E";
    charset_report_t rep = CONVERT(gbk, "gb2312", utf8);
    assert_int_equal(rep.replaced, 0);
    assert_string_equal(rep.decoder, "GB18030");
    CONVERT(gbk, "GBK", utf8);
    CONVERT(gbk, "x-gbk", utf8);
}

static void gbk_fixture_page_decodes_whole(void **state)
{
    (void)state;
    size_t len;
    char *page = buf_read_all("tests/fixtures/mfa_zh/s2.html", &len);
    assert_non_null(page);
    assert_string_equal(detect(page, len, "text/html", NULL), "gb2312");
    buf_t out = {0};
    charset_report_t rep;
    err_t e = {""};
    assert_int_equal(charset_to_utf8(page, len, "gb2312", &out, &rep, &e), 0);
    assert_int_equal(rep.replaced, 0);
    assert_non_null(strstr(out.p, "\xE7\x8E\x8B\xE5\x96\x86")); /* 王喆 */
    assert_non_null(strstr(out.p, "\xE4\xB8\xAD\xE7\xBE\x8E")); /* 中美 */
    buf_free(&out);
    free(page);
}

static void big5_shift_jis_and_euc_kr(void **state)
{
    (void)state;
    CONVERT("\xBB\x4F\xC6\x57\xAD\xBB\xB4\xE4", "big5",
            "\xE8\x87\xBA\xE7\x81\xA3\xE9\xA6\x99\xE6\xB8\xAF"); /* 臺灣香港 */
    CONVERT("\x93\xFA\x96\x7B\x8C\xEA\x83\x65\x83\x4C\x83\x58\x83\x67", "shift_jis",
            "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x83\x86\xE3\x82\xAD\xE3\x82\xB9\xE3\x83\x88");
    CONVERT("\x93\xFA\x96\x7B", "sjis", "\xE6\x97\xA5\xE6\x9C\xAC");
    CONVERT("\xC7\xD1\xB1\xB9\xBE\xEE\x20\xC5\xD8\xBD\xBA\xC6\xAE", "euc-kr",
            "\xED\x95\x9C\xEA\xB5\xAD\xEC\x96\xB4\x20\xED\x85\x8D\xEC\x8A\xA4\xED\x8A\xB8");
}

static void windows_1252_and_latin1_labels(void **state)
{
    (void)state;
    /* “hi” €5 */
    static const char want[] = "\xE2\x80\x9C" "hi" "\xE2\x80\x9D" " " "\xE2\x82\xAC" "5";
    CONVERT("\x93" "hi" "\x94" " " "\x80" "5", "windows-1252", want);
    /* iso-8859-1 is read as windows-1252, as browsers do */
    CONVERT("\x93" "hi" "\x94" " " "\x80" "5", "iso-8859-1", want);
    CONVERT("caf\xE9", "latin1", "caf\xC3\xA9");
    CONVERT("caf\xE9", "US-ASCII", "caf\xC3\xA9");
}

static void iso_8859_2_and_15(void **state)
{
    (void)state;
    CONVERT("\xA3\xF3\x64\xBC\x20\xBC\x6C\x65", "iso-8859-2",
            "\xC5\x81\xC3\xB3\x64\xC5\xBA\x20\xC5\xBA\x6C\x65"); /* Łódź źle */
    CONVERT("\xA4 caf\xE9", "iso-8859-15", "\xE2\x82\xAC caf\xC3\xA9"); /* € café */
    CONVERT("\xA4", "iso-8859-1", "\xC2\xA4"); /* ¤ there */
}

static void utf16_with_bom(void **state)
{
    (void)state;
    charset_report_t rep = CONVERT("\xFF\xFE\xA9\x03m\0e\0g\0a\0\n\0", "utf-16le", "\xCE\xA9mega\n");
    assert_int_equal(rep.replaced, 0);
    CONVERT("\xFE\xFF\x03\xA9\0m\0e\0g\0a", "utf-16be", "\xCE\xA9mega");
    /* the BOM decides even under another label */
    CONVERT("\xFE\xFF\x03\xA9\0m", "gbk", "\xCE\xA9m");
    CONVERT("\xFF\xFE\0\0\xA9\x03\0\0", NULL, "\xCE\xA9");
    /* an odd byte at the end */
    rep = CONVERT("\xFF\xFE" "a\0b", NULL, "a" FFFD);
    assert_int_equal(rep.replaced, 1);
}

static void invalid_utf8_is_replaced_and_counted(void **state)
{
    (void)state;
    charset_report_t rep =
        CONVERT("line one\nline two\ncaf\xE9 x\n\xA0y \xFF.", "utf-8",
                "line one\nline two\ncaf" FFFD " x\n" FFFD "y " FFFD ".");
    assert_int_equal(rep.replaced, 3);
    assert_int_equal(rep.first_line, 3);
    assert_string_equal(rep.decoder, "UTF-8");
}

static void maximal_subparts_become_one_replacement_each(void **state)
{
    (void)state;
    /* a truncated sequence at the end: one U+FFFD */
    charset_report_t rep = CONVERT("ab\xE4\xB8", "utf-8", "ab" FFFD);
    assert_int_equal(rep.replaced, 1);
    assert_int_equal(rep.first_line, 1);
    rep = CONVERT("\xF0\x9F\x98", NULL, FFFD);
    assert_int_equal(rep.replaced, 1);
    /* E0 80 is not a prefix of anything valid: two */
    rep = CONVERT("\xE0\x80x", "utf-8", FFFD FFFD "x");
    assert_int_equal(rep.replaced, 2);
    /* surrogates and overlong forms */
    rep = CONVERT("\xED\xA0\x80", "utf-8", FFFD FFFD FFFD);
    assert_int_equal(rep.replaced, 3);
    rep = CONVERT("\xC0\xAF", "utf-8", FFFD FFFD);
    assert_int_equal(rep.replaced, 2);
}

static void invalid_bytes_in_other_encodings_are_replaced(void **state)
{
    (void)state;
    /* 0x81 is undefined in windows-1252 (glibc), 0xFF alone is not GBK */
    charset_report_t rep = CONVERT("a\nb\x81" "c", "windows-1252", "a\nb" FFFD "c");
    assert_int_equal(rep.replaced, 1);
    assert_int_equal(rep.first_line, 2);
    rep = CONVERT("\xCD\xF5\xFF", "gbk", "\xE7\x8E\x8B" FFFD);
    assert_int_equal(rep.replaced, 1);
    /* a truncated double-byte character at the end */
    rep = CONVERT("\xCD\xF5\xCD", "gbk", "\xE7\x8E\x8B" FFFD);
    assert_int_equal(rep.replaced, 1);
}

static void valid_utf8_is_returned_identical(void **state)
{
    (void)state;
    static const char s[] = "<p>\xE7\x8E\x8B\xE5\x96\x86 caf\xC3\xA9 \xF0\x9F\x98\x80 \xE2\x82\xAC</p>\n";
    charset_report_t rep = CONVERT(s, "utf-8", s);
    assert_int_equal(rep.replaced, 0);
    assert_int_equal(rep.first_line, 0);
    assert_string_equal(rep.warning, "");
    CONVERT(s, NULL, s);
    CONVERT(s, "UTF8", s);
    /* a UTF-8 BOM is left out */
    CONVERT("\xEF\xBB\xBFhi", "utf-8", "hi");
}

static void unknown_label_reads_as_utf8_with_a_warning(void **state)
{
    (void)state;
    charset_report_t rep = CONVERT("caf\xC3\xA9", "x-klingon", "caf\xC3\xA9");
    assert_string_equal(rep.warning, "unknown charset 'x-klingon', read as UTF-8");
    assert_int_equal(rep.replaced, 0);
}

static void empty_body_stays_empty(void **state)
{
    (void)state;
    buf_t out = {0};
    charset_report_t rep;
    err_t e = {""};
    assert_int_equal(charset_to_utf8("", 0, "gbk", &out, &rep, &e), 0);
    assert_int_equal(out.len, 0);
    assert_int_equal(charset_to_utf8("\xEF\xBB\xBF", 3, NULL, &out, &rep, &e), 0);
    assert_int_equal(out.len, 0);
    buf_free(&out);
}

/* The repair vane.feed and vane.xml use in recover mode: UTF-8's rules,
 * and a byte-order mark is text like any other (UTF-16's is not UTF-8). */
static void repair_utf8_ignores_byte_order_marks(void **state)
{
    (void)state;
    buf_t out = {0};
    charset_report_t rep;
    assert_int_equal(charset_repair_utf8("\xFF\xFE" "a\n\xE4\xB8", 6, &out, &rep), 0);
    assert_string_equal(buf_str(&out), FFFD FFFD "a\n" FFFD);
    assert_int_equal(rep.replaced, 3);
    assert_int_equal(rep.first_line, 1);
    buf_reset(&out);
    assert_int_equal(charset_repair_utf8("\xEF\xBB\xBFok", 5, &out, &rep), 0);
    assert_string_equal(buf_str(&out), "\xEF\xBB\xBFok");
    assert_int_equal(rep.replaced, 0);
    buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bom_wins_over_everything),
        cmocka_unit_test(header_wins_over_xml_declaration_and_meta),
        cmocka_unit_test(xml_declaration_only_at_the_start),
        cmocka_unit_test(meta_charset_and_http_equiv),
        cmocka_unit_test(meta_after_4096_bytes_is_not_seen),
        cmocka_unit_test(header_value_is_found_among_header_lines),
        cmocka_unit_test(gbk_labelled_gb2312_decodes_zhe),
        cmocka_unit_test(gbk_fixture_page_decodes_whole),
        cmocka_unit_test(big5_shift_jis_and_euc_kr),
        cmocka_unit_test(windows_1252_and_latin1_labels),
        cmocka_unit_test(iso_8859_2_and_15),
        cmocka_unit_test(utf16_with_bom),
        cmocka_unit_test(invalid_utf8_is_replaced_and_counted),
        cmocka_unit_test(maximal_subparts_become_one_replacement_each),
        cmocka_unit_test(invalid_bytes_in_other_encodings_are_replaced),
        cmocka_unit_test(valid_utf8_is_returned_identical),
        cmocka_unit_test(unknown_label_reads_as_utf8_with_a_warning),
        cmocka_unit_test(empty_body_stays_empty),
        cmocka_unit_test(repair_utf8_ignores_byte_order_marks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
