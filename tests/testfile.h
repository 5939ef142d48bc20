/* testfile.h — writing a file into a test's temporary folder (a rules
 * folder, a phrase list). Included after <cmocka.h>; static inline. */
#ifndef VANE_TESTFILE_H
#define VANE_TESTFILE_H

#include <stdio.h>

/* Write text as dir/name; fails the test when the file cannot be made. */
static inline void write_file(const char *dir, const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

#endif
