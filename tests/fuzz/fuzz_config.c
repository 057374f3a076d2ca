// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* libFuzzer target for the configuration parser: arbitrary bytes as a YAML file. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rp_config cfg;
	char err[512];

	rp_config_defaults(&cfg);
	if (rp_config_parse("fuzz.yaml", data, size, &cfg, err, sizeof(err)) != 0 &&
	    strncmp(err, "fuzz.yaml", 9) != 0)
		abort(); /* every error names the file */
	rp_config_free(&cfg);
	return 0;
}
