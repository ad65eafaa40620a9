#ifndef MARKUPKIT_GUMBO_GUARD_H
#define MARKUPKIT_GUMBO_GUARD_H

#include <gumbo.h>
#include <stddef.h>

/* Gumbo, bounded in time and memory.

   The HTML5 tree builder checks "is an element in scope" by walking the stack of open
   elements, so deeply nested markup costs time quadratic in its depth (10 000 nested
   <div>s take about 2 s, 20 000 about 10 s) and gumbo 0.10 has no depth limit to stop
   it. Browsers cap the depth; gumbo cannot be told to, so instead every allocation gumbo
   makes comes from an arena owned by the parse, and the allocator checks a deadline and
   a memory budget. When either is exceeded it jumps out of the parser, and the arena is
   freed whole: nothing gumbo allocated is leaked and no gumbo state survives the jump
   (gumbo keeps all its state in memory it allocated through the options). */

typedef enum {
  MARKUPKIT_HTML_PARSED = 0,
  MARKUPKIT_HTML_TOO_SLOW = 1,
  MARKUPKIT_HTML_TOO_LARGE = 2,
  MARKUPKIT_HTML_OUT_OF_MEMORY = 3
} markupkit_html_status;

typedef struct markupkit_html_parse markupkit_html_parse;

/* Parses a whole document. `seconds` <= 0 means no deadline; `memory_limit` 0 means no
   budget. Returns NULL only when the parse's own bookkeeping cannot be allocated. */
markupkit_html_parse *markupkit_html_parse_document(const char *bytes, size_t length, double seconds,
                                                     size_t memory_limit);

markupkit_html_status markupkit_html_parse_status(const markupkit_html_parse *parse);

/* The parsed document, or NULL unless the status is MARKUPKIT_HTML_PARSED. */
GumboOutput *markupkit_html_parse_output(const markupkit_html_parse *parse);

/* Frees the parse and everything gumbo allocated for it. */
void markupkit_html_parse_free(markupkit_html_parse *parse);

#endif
