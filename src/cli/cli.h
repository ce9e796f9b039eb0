/* SPDX-License-Identifier: BSD-2-Clause */
/* cli.h - the pktdoctor subcommands (src/cli/). */
#ifndef PKTDOCTOR_CLI_H
#define PKTDOCTOR_CLI_H

enum { PD_EXIT_CLEAN = 0, PD_EXIT_FINDINGS = 1, PD_EXIT_USAGE = 2, PD_EXIT_INPUT = 3 };

/** pd_cli_check() - `pktdoctor check`; argv[0] is "check".  Return: exit code. */
int pd_cli_check(int argc, char **argv);

/** pd_cli_probe() - `pktdoctor probe`; argv[0] is "probe".  Return: exit code. */
int pd_cli_probe(int argc, char **argv);

/** pd_cli_replay() - `pktdoctor replay`; argv[0] is "replay".  Return: exit code. */
int pd_cli_replay(int argc, char **argv);

#endif
