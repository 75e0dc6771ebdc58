/*
 * A very small unit-test framework for Skiff's host-side tests.
 *
 * Each test file defines TEST(name) functions and lists them in a
 * UNIT_MAIN(...) at the bottom.  CHECK* record a failure and keep going;
 * REQUIRE* abandon the current test.  The binary prints one line per test
 * ("ok - name" / "FAIL - name") and ends with "N passed, N failed"; its exit
 * status is non-zero when any test failed.
 */
#ifndef SKIFF_TESTS_UNIT_H
#define SKIFF_TESTS_UNIT_H

#include <inttypes.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

struct unit_test {
    const char *name;
    void (*fn)(void);
};

extern int unit_current_failed;
extern jmp_buf unit_abort;

#define TEST(name) static void test_##name(void)
#define T(name) { #name, test_##name }

#define UNIT_FAIL_(...)                                                   \
    do {                                                                  \
        printf("    %s:%d: ", __FILE__, __LINE__);                        \
        printf(__VA_ARGS__);                                              \
        printf("\n");                                                     \
        unit_current_failed = 1;                                          \
    } while (0)

#define CHECK(cond)                                                       \
    do {                                                                  \
        if (!(cond))                                                      \
            UNIT_FAIL_("CHECK(%s) failed", #cond);                        \
    } while (0)

#define REQUIRE(cond)                                                     \
    do {                                                                  \
        if (!(cond)) {                                                    \
            UNIT_FAIL_("REQUIRE(%s) failed", #cond);                      \
            longjmp(unit_abort, 1);                                       \
        }                                                                 \
    } while (0)

#define CHECK_EQ(a, b)                                                    \
    do {                                                                  \
        unsigned long long a_ = (unsigned long long)(a);                  \
        unsigned long long b_ = (unsigned long long)(b);                  \
        if (a_ != b_)                                                     \
            UNIT_FAIL_("CHECK_EQ(%s, %s): 0x%llx != 0x%llx", #a, #b, a_, b_); \
    } while (0)

#define CHECK_STR(a, b)                                                   \
    do {                                                                  \
        const char *a_ = (a), *b_ = (b);                                  \
        if (!a_ || !b_ || strcmp(a_, b_) != 0)                            \
            UNIT_FAIL_("CHECK_STR(%s, %s): \"%s\" != \"%s\"", #a, #b,     \
                       a_ ? a_ : "(null)", b_ ? b_ : "(null)");           \
    } while (0)

#define UNIT_MAIN(...)                                                    \
    int unit_current_failed;                                              \
    jmp_buf unit_abort;                                                   \
    int main(void)                                                        \
    {                                                                     \
        static const struct unit_test tests[] = { __VA_ARGS__ };          \
        /* volatile: setjmp/longjmp (and GCC's -Wclobbered) */          \
        volatile int passed = 0, failed = 0;                              \
        for (volatile size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {   \
            unit_current_failed = 0;                                      \
            if (setjmp(unit_abort) == 0)                                  \
                tests[i].fn();                                            \
            printf("%s - %s\n", unit_current_failed ? "FAIL" : "ok",      \
                   tests[i].name);                                        \
            if (unit_current_failed)                                      \
                failed++;                                                 \
            else                                                          \
                passed++;                                                 \
        }                                                                 \
        printf("%d passed, %d failed\n", passed, failed);                 \
        return failed ? 1 : 0;                                            \
    }

#endif
