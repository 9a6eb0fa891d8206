/* UTF-8 validation for everything that escapes device output. */
#ifndef RIG_UTF8_H
#define RIG_UTF8_H

#include <stddef.h>

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0 if it is
 * not one: overlong forms, surrogates and code points past U+10FFFF are
 * invalid. */
size_t rig_utf8_len(const unsigned char *s, size_t n);
/* The code point of a valid sequence of length len. */
unsigned long rig_utf8_cp(const unsigned char *s, size_t len);

#endif
