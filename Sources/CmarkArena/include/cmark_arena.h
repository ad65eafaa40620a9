#ifndef MARKUPKIT_CMARK_ARENA_H
#define MARKUPKIT_CMARK_ARENA_H

#include <cmark-gfm.h>

/* A bump allocator for one cmark parse, one per thread.

   cmark allocates every node, and a copy of every text literal it hands out, one by
   one; with the system allocator that scatters the tree over the heap, and walking it
   misses the cache. The cmark-gfm command line uses a process-wide arena for the same
   reason; this one is per thread, so parses on different threads do not interfere.

   markupkit_arena_start() returns the allocator to pass to cmark_parser_new_with_mem;
   markupkit_arena_release() frees everything the calling thread's arena handed out (its
   first chunk stays mapped, to be zeroed and reused by the thread's next parse).
   Nothing allocated from the arena may be used after the release. */
cmark_mem *markupkit_arena_start(void);
void markupkit_arena_release(void);

typedef enum {
  MARKUPKIT_PARSE_DONE = 0,
  MARKUPKIT_PARSE_TOO_SLOW = 1,
  MARKUPKIT_PARSE_TOO_LARGE = 2
} markupkit_parse_status;

/* Feeds and finishes a parser made with the arena's allocator, giving up when the parse
   has run for `seconds` (<= 0: never) or taken `budget` bytes of arena (0: no budget).
   Debian's cmark-gfm 0.29.0.gfm.6 has inputs that take it minutes, or that square into
   hundreds of megabytes (tables auto-filled with empty cells); giving up jumps out of
   cmark with longjmp, which is safe because everything the parse allocated is in the
   arena and is released whole. Returns NULL and sets `status` when it gave up. */
cmark_node *markupkit_arena_parse(cmark_parser *parser, const char *bytes, size_t length, double seconds,
                                  size_t budget, markupkit_parse_status *status);

#endif
