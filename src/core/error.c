/* SPDX-License-Identifier: BSD-2-Clause */
/* error.c - text for the pd_error codes (see include/pktdoctor/error.h). */
#include "pktdoctor/error.h"

static const char *const pd_error_text[PD_E__COUNT] = {
	[PD_OK] = "success",
	[PD_ENOMEM] = "out of memory",
	[PD_ETRUNC] = "truncated data",
	[PD_EMALFORMED] = "malformed header",
	[PD_EUNSUPPORTED] = "unsupported protocol or link type",
	[PD_EIO] = "input/output error",
	[PD_EFORMAT] = "corrupt or unrecognised capture file",
	[PD_EFILTER] = "invalid BPF filter",
	[PD_EUSAGE] = "usage error",
	[PD_ELIMIT] = "table limit reached",
	[PD_EOPEN] = "cannot open capture file",
	[PD_EWRITE] = "cannot write output",
	[PD_EPERM] = "operation not permitted",
};

const char *pd_strerror(int code)
{
	if (code < 0)
		code = -code;
	if (code >= PD_E__COUNT || pd_error_text[code] == 0)
		return "unknown error";
	return pd_error_text[code];
}
