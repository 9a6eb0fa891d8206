/* The campaign report as one self-contained HTML page (no script, no
 * network): outcome matrix with Wilson intervals, vulnerable windows,
 * outcome against cut point, trends, each failing run's timeline and the
 * console around its cut, and every run in a table. */
#ifndef RIG_REPORTS_HTML_H
#define RIG_REPORTS_HTML_H

#include <stdio.h>
#include "model.h"

int rig_html_write(FILE *f, struct rig_store *st, const struct rig_report_model *m);

#endif
