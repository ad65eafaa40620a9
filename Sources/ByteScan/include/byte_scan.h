#ifndef MARKUPKIT_BYTE_SCAN_H
#define MARKUPKIT_BYTE_SCAN_H

#include <stddef.h>

/* The scans that run over every byte of a conversion — every input's UTF-8 validation and
   control characters, the HTML writer's escaping, the BBCode writer's look for what a
   forum would read as a tag or an address, the Markdown reader's line starts — sixteen
   bytes at a time. In C because Swift's SIMD types compile to vector
   instructions in some shapes of code and to a loop over lanes in others, and these run
   over every byte of every input, more than once. */

/* The offset of the first byte with its high bit set (not ASCII), or `count`. */
size_t markupkit_ascii_prefix_length(const unsigned char *bytes, size_t count);

/* The offset of the first control character — a byte below 0x20 outside 0x09 (tab) …
   `last_allowed`, or DEL (0x7F) — or `count`. `last_allowed` is 0x0A to allow tab and
   LF, 0x0C to allow vertical tab and form feed too. */
size_t markupkit_first_control(const unsigned char *bytes, size_t count, unsigned char last_allowed);

/* The offset of the first byte HTML text cannot carry as it is — `&`, `<`, `>`, `"`, or a
   control character other than tab, LF and form feed (DEL included) — or `count`. */
size_t markupkit_first_html_special(const unsigned char *bytes, size_t count);

/* The offsets just after each LF in bytes[from..<count], in order, written to `starts`
   until `capacity` are written; returns how many, and sets `resume` to where to go on
   from (`count` once every line end has been found). Only LF ends a line here. */
size_t markupkit_line_starts(const unsigned char *bytes, size_t count, size_t from, size_t *starts,
                             size_t capacity, size_t *resume);

/* Whether BBCode text holds what a forum reads as a tag, `[` or `]`, or — with
   `addresses` — what may start or end an address the forum links by itself: `:`, `@`, or
   a `.` after `w` (with `ftp`, after `p` too), in either case. */
int markupkit_bbcode_text_is_special(const unsigned char *bytes, size_t count, int addresses, int ftp);

/* The offset of the first byte that, with its 0x20 bit set, is one of `set_count` (at
   most 8) bytes of `set` — one member stands for a letter in both cases (and `` ` `` for
   `` ` `` and `@`) — or `count`. */
size_t markupkit_first_of_folded(const unsigned char *bytes, size_t count, const unsigned char *set, size_t set_count);

/* How many bytes are UTF-8 continuation bytes (`10xxxxxx`): a text's length in Unicode
   scalars is its byte count less these. */
size_t markupkit_utf8_continuation_count(const unsigned char *bytes, size_t count);

#endif
