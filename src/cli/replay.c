/* SPDX-License-Identifier: BSD-2-Clause */
/* replay.c - placeholder. */
#include "cli.h"
int pd_cli_replay(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return PD_EXIT_USAGE;
}
