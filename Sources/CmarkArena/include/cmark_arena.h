#ifndef MARKUPKIT_CMARK_ARENA_H
#define MARKUPKIT_CMARK_ARENA_H

#include <cmark-gfm.h>

/* A bump allocator for one cmark parse, one per thread.

   cmark allocates every node, and a copy of every text literal it hands out, one by
   one; with the system allocator that scatters the tree over the heap, and walking it
   misses the cache. The cmark-gfm command line uses a process-wide arena for the same
   reason; this one is per thread, so parses on different threads do not interfere.

   markupkit_arena_start() returns the allocator to pass to cmark_parser_new_with_mem;
   markupkit_arena_release() frees everything the calling thread's arena handed out.
   Nothing allocated from the arena may be used after the release. */
cmark_mem *markupkit_arena_start(void);
void markupkit_arena_release(void);

#endif
