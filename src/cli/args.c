/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * args.c - numbers in command-line flags, the same for every subcommand:
 * the whole argument, in range, or a usage error naming the command, the
 * flag and the value (decimal digits only for counts; finite decimals for
 * seconds and factors; no signs, spaces, hex, nan or inf).
 */
#include <stdio.h>

#include "cli.h"
#include "pktdoctor/error.h"
#include "pktdoctor/textfile.h"

int pd_cli_count(const char *cmd, const char *flag, const char *s, uint64_t min, uint64_t max,
		 uint64_t *out)
{
	uint64_t v;
	int rc = pd_parse_u64(s, &v);

	if (rc == 0 && v >= min && v <= max) {
		*out = v;
		return 0;
	}
	fprintf(stderr, "%s: --%s: '%s' is %s (%llu to %llu)\n", cmd, flag, s,
		rc == -PD_EUSAGE ? "not a whole number" : "out of range", (unsigned long long)min,
		(unsigned long long)max);
	return -PD_EUSAGE;
}

int pd_cli_seconds(const char *cmd, const char *flag, const char *s, int64_t *ns)
{
	double v;

	if (pd_parse_decimal(s, false, &v) || !(v <= 1e6)) {
		fprintf(stderr, "%s: --%s: '%s' is not a number of seconds (0.000000001 to "
			"1000000)\n", cmd, flag, s);
		return -PD_EUSAGE;
	}
	if (v * 1e9 < 1) {
		fprintf(stderr, "%s: --%s: '%s' is below one nanosecond\n", cmd, flag, s);
		return -PD_EUSAGE;
	}
	*ns = (int64_t)(v * 1e9);
	return 0;
}

int pd_cli_factor(const char *cmd, const char *flag, const char *s, double *out)
{
	double v;

	if (pd_parse_decimal(s, false, &v) || !(v > 0) || v > 1e6) {
		fprintf(stderr, "%s: --%s: '%s' is not a positive number (up to 1000000)\n", cmd,
			flag, s);
		return -PD_EUSAGE;
	}
	*out = v;
	return 0;
}
