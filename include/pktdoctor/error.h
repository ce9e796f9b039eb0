/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * error.h - pktdoctor error codes.
 *
 * Every function that can fail returns int: 0 on success or a negative
 * -PD_E... code.  Codes are numbered once and never renumbered, so they
 * can appear in logs and bug reports (the model is curl's CURLcode).
 */
#ifndef PKTDOCTOR_ERROR_H
#define PKTDOCTOR_ERROR_H

enum pd_error {
	PD_OK = 0,
	PD_ENOMEM = 1,      /* allocation failed */
	PD_ETRUNC = 2,      /* packet data ends before a field (snaplen or malformed) */
	PD_EMALFORMED = 3,  /* a header field contradicts the data (bad length, bad version) */
	PD_EUNSUPPORTED = 4,/* link type or protocol not dissected */
	PD_EIO = 5,         /* reading a capture file failed */
	PD_EFORMAT = 6,     /* capture file is corrupt or not a capture file */
	PD_EFILTER = 7,     /* BPF filter did not compile */
	PD_EUSAGE = 8,      /* bad argument or flag */
	PD_ELIMIT = 9,      /* a configured table limit was reached */
	PD_EOPEN = 10,      /* capture file could not be opened */
	PD_EWRITE = 11,     /* writing the report failed */
	PD_EPERM = 12,      /* not permitted: capture or setting needs a capability */
	PD_E__COUNT
};

/**
 * pd_strerror() - describe an error code.
 * @code: a PD_E... value, positive or negated.
 *
 * Return: a static, never-NULL string; "unknown error" for codes not listed.
 */
const char *pd_strerror(int code);

#endif
