/* SPDX-License-Identifier: BSD-2-Clause */
/* cli.h - the pktdoctor subcommands (src/cli/). */
#ifndef PKTDOCTOR_CLI_H
#define PKTDOCTOR_CLI_H

#include <signal.h>
#include <stdint.h>

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

/**
 * pd_cli_count() - a flag's whole number in @min..@max (src/cli/args.c).
 * @cmd: "pktdoctor" or "pktdoctor monitor"..., for the message.
 * @flag: the flag's long name, without "--".
 * Return: 0 with *@out set, or -PD_EUSAGE after a message on stderr.
 */
int pd_cli_count(const char *cmd, const char *flag, const char *s, uint64_t min, uint64_t max,
		 uint64_t *out);

/**
 * pd_cli_seconds() - a flag's number of seconds ("1.5", "2e-3"), 1 ns to
 * 10^6 s, to nanoseconds.  Return: 0, or -PD_EUSAGE after a message.
 */
int pd_cli_seconds(const char *cmd, const char *flag, const char *s, int64_t *ns);

/**
 * pd_cli_factor() - a flag's positive decimal up to 10^6 (a replay
 * --speed).  Return: 0, or -PD_EUSAGE after a message.
 */
int pd_cli_factor(const char *cmd, const char *flag, const char *s, double *out);

/** pd_cli_check() - `pktdoctor check`; argv[0] is "check".  Return: exit code. */
int pd_cli_check(int argc, char **argv);

/** pd_cli_probe() - `pktdoctor probe`; argv[0] is "probe".  Return: exit code. */
int pd_cli_probe(int argc, char **argv);

/** pd_cli_replay() - `pktdoctor replay`; argv[0] is "replay".  Return: exit code. */
int pd_cli_replay(int argc, char **argv);

/** pd_cli_monitor() - `pktdoctor monitor`; argv[0] is "monitor".  Return: exit code. */
int pd_cli_monitor(int argc, char **argv);

#endif
