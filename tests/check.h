/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The in-house test helper. A test file defines functions `static void test_x(void)` and
 * lists them with RP_TESTS(...). CHECK* log the failing expression with its file and line
 * and mark the current test failed; they return the condition so a test can bail out.
 * Output, one line per test, is what tests/run counts:
 *   PASS <file>:<test>
 *   FAIL <file>:<test>: <first failure>
 *   SKIP <file>:<test>: <why>
 */
#ifndef RP_TESTS_CHECK_H
#define RP_TESTS_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>

static int rp_t_failed;
static int rp_t_skipped;
static char rp_t_msg[512];

static inline void rp_t_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static inline void rp_t_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	char buf[400];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "    %s:%d: %s\n", file, line, buf);
	if (!rp_t_failed)
		snprintf(rp_t_msg, sizeof(rp_t_msg), "%s:%d: %s", file, line, buf);
	rp_t_failed++;
}

#define CHECK(cond, ...)                                                                   \
	({                                                                                 \
		int __ok = !!(cond);                                                       \
		if (!__ok)                                                                 \
			rp_t_fail(__FILE__, __LINE__, __VA_ARGS__);                        \
		__ok;                                                                      \
	})

#define CHECK_EQ(a, b)                                                                     \
	({                                                                                 \
		long long __a = (long long)(a), __b = (long long)(b);                      \
		CHECK(__a == __b, "%s == %s: %lld != %lld", #a, #b, __a, __b);             \
	})

#define CHECK_STR(a, b)                                                                    \
	({                                                                                 \
		const char *__a = (a), *__b = (b);                                         \
		CHECK(__a && __b && !strcmp(__a, __b), "%s == %s: \"%s\" != \"%s\"", #a, #b, \
		      __a ? __a : "(null)", __b ? __b : "(null)");                         \
	})

/* Skip the current test, with the reason printed. */
#define SKIP(...)                                                                          \
	do {                                                                               \
		snprintf(rp_t_msg, sizeof(rp_t_msg), __VA_ARGS__);                         \
		rp_t_skipped = 1;                                                          \
		return;                                                                    \
	} while (0)

struct rp_test {
	const char *name;
	void (*fn)(void);
};

#define RP_T(fn) { #fn, fn }
#define RP_TESTS(...)                                                                      \
	int main(int argc, char **argv)                                                    \
	{                                                                                  \
		static const struct rp_test tests[] = { __VA_ARGS__ };                     \
		const char *file = strrchr(__FILE__, '/') ? strrchr(__FILE__, '/') + 1 : __FILE__; \
		int bad = 0;                                                               \
		for (unsigned i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {         \
			if (argc > 1 && !strstr(tests[i].name, argv[1]))                   \
				continue;                                                  \
			rp_t_failed = rp_t_skipped = 0;                                    \
			rp_t_msg[0] = 0;                                                   \
			tests[i].fn();                                                     \
			if (rp_t_failed) {                                                 \
				printf("FAIL %s:%s: %s\n", file, tests[i].name, rp_t_msg); \
				bad = 1;                                                   \
			} else if (rp_t_skipped) {                                         \
				printf("SKIP %s:%s: %s\n", file, tests[i].name, rp_t_msg); \
			} else {                                                           \
				printf("PASS %s:%s\n", file, tests[i].name);               \
			}                                                                  \
			fflush(stdout);                                                    \
		}                                                                          \
		return bad;                                                                \
	}

#endif
