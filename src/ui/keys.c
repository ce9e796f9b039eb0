/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * keys.c - the monitor's key bindings: one table maps keys to actions;
 * the function bar and the help screen are drawn from it (htop's
 * MainPanel.c function bar; termshark's conventions: End jumps to the
 * newest entry and resumes live scrolling, p pauses the display while
 * the capture goes on).
 */
#include <curses.h>

#include "ui.h"

const struct pd_ui_key pd_ui_keys[] = {
	{KEY_F(1), PD_ACT_HELP, "F1", "Help", "this help"},
	{'?', PD_ACT_HELP, "?", 0, "this help"},
	{'\t', PD_ACT_NEXT_PANE, "Tab", "Pane", "next pane: findings, connections, boot"},
	{KEY_BTAB, PD_ACT_PREV_PANE, "S-Tab", 0, "previous pane"},
	{KEY_F(3), PD_ACT_FILTER, "F3", "Filter", "display filter (same as /)"},
	{'/', PD_ACT_FILTER, "/",  0, "display filter: port:N host:ADDR id:PREFIX sev:LEVEL word"},
	{KEY_F(5), PD_ACT_PAUSE, "F5", "Pause", "pause the display (same as p)"},
	{'p', PD_ACT_PAUSE, "p", 0, "pause/resume the display; the capture goes on"},
	{KEY_F(6), PD_ACT_SORT, "F6", "Sort", "change the sort order (same as s)"},
	{'s', PD_ACT_SORT, "s", 0, "sort: connections by retransmissions, bytes, "
				   "segment/MSS, RTT; findings by severity or time"},
	{'\n', PD_ACT_DETAIL, "Enter", "Detail", "details of the selected finding"},
	{KEY_ENTER, PD_ACT_DETAIL, "Enter", 0, "details of the selected finding"},
	{'w', PD_ACT_SAVE, "w", "Save", "save the packets around the selected finding"},
	{27, PD_ACT_BACK, "Esc", 0, "leave the detail or help view"},
	{KEY_BACKSPACE, PD_ACT_BACK, "Bksp", 0, "leave the detail or help view"},
	{KEY_UP, PD_ACT_UP, "Up", 0, "previous row"},
	{'k', PD_ACT_UP, "k", 0, "previous row"},
	{KEY_DOWN, PD_ACT_DOWN, "Down", 0, "next row"},
	{'j', PD_ACT_DOWN, "j", 0, "next row"},
	{KEY_PPAGE, PD_ACT_PGUP, "PgUp", 0, "page up"},
	{KEY_NPAGE, PD_ACT_PGDN, "PgDn", 0, "page down"},
	{KEY_HOME, PD_ACT_HOME, "Home", 0, "first row"},
	{'g', PD_ACT_HOME, "g", 0, "first row"},
	{KEY_END, PD_ACT_END, "End", "Live", "newest row; resume live scrolling"},
	{'G', PD_ACT_END, "G", 0, "newest row; resume live scrolling"},
	{12 /* ^L */, PD_ACT_REDRAW, "^L", 0, "redraw the screen"},
	{KEY_F(10), PD_ACT_QUIT, "F10", "Quit", "quit (same as q)"},
	{'q', PD_ACT_QUIT, "q", 0, "quit: restore the terminal and print the summary"},
};

const size_t pd_ui_nkeys = sizeof(pd_ui_keys) / sizeof(pd_ui_keys[0]);

int pd_ui_key_action(int key)
{
	if (key == '\r')
		key = '\n';
	for (size_t i = 0; i < pd_ui_nkeys; i++)
		if (pd_ui_keys[i].key == key)
			return pd_ui_keys[i].action;
	return PD_ACT_NONE;
}
