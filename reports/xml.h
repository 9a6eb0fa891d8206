/* XML text escaping for reports: everything a device printed must land in
 * the document as text — &<>"' escaped, control characters other than TAB,
 * LF, CR dropped, invalid UTF-8 replaced with U+FFFD ("]]>" is harmless
 * because '>' is escaped and no CDATA is used). */
#ifndef RIG_REPORTS_XML_H
#define RIG_REPORTS_XML_H

#include <stdio.h>
#include <stddef.h>

void rig_xml_escape(FILE *out, const char *s, size_t n);

#endif
