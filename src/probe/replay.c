/* SPDX-License-Identifier: BSD-2-Clause */
/* replay.c - placeholder while the replayer is written. */
#include "pktdoctor/error.h"
#include "probe.h"
