/* SPDX-License-Identifier: BSD-2-Clause */
/* cli.h - the pktdoctor subcommands (src/cli/). */
#ifndef PKTDOCTOR_CLI_H
#define PKTDOCTOR_CLI_H

#include <signal.h>

enum { PD_EXIT_CLEAN = 0, PD_EXIT_FINDINGS = 1, PD_EXIT_USAGE = 2, PD_EXIT_INPUT = 3 };

/** Set to the signal number by SIGINT or SIGTERM (pd_cli_catch_signals()). */
extern volatile sig_atomic_t pd_cli_stop;

/**
 * pd_cli_catch_signals() - make SIGINT and SIGTERM set pd_cli_stop, so the
 * read loop stops and what was read is still reported.  The handler is
 * reset after the first signal: a second one ends the process at once.
 * A signal that was ignored when pktdoctor started stays ignored.
 */
void pd_cli_catch_signals(void);

/** pd_cli_signal_exit() - the exit code after a stop: 128 + the signal. */
int pd_cli_signal_exit(void);

/**
 * pd_cli_close_stdout() - flush and close standard output; on a write
 * error print "@who: cannot write to standard output: reason".
 * Return: 0 or -PD_EWRITE.
 */
int pd_cli_close_stdout(const char *who);

/** pd_cli_check() - `pktdoctor check`; argv[0] is "check".  Return: exit code. */
int pd_cli_check(int argc, char **argv);

/** pd_cli_probe() - `pktdoctor probe`; argv[0] is "probe".  Return: exit code. */
int pd_cli_probe(int argc, char **argv);

/** pd_cli_replay() - `pktdoctor replay`; argv[0] is "replay".  Return: exit code. */
int pd_cli_replay(int argc, char **argv);

/** pd_cli_monitor() - `pktdoctor monitor`; argv[0] is "monitor".  Return: exit code. */
int pd_cli_monitor(int argc, char **argv);

#endif
