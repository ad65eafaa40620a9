#include "gumbo_guard.h"

#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

typedef struct block {
  struct block *previous;
  size_t size;
  size_t used;
  size_t padding;
  unsigned char data[];
} block;

struct markupkit_html_parse {
  block *blocks;
  size_t allocated;
  size_t memory_limit;
  int has_deadline;
  struct timespec deadline;
  unsigned allocations;
  markupkit_html_status status;
  GumboOutput *output;
  GumboOptions options;
  jmp_buf escape;
};

enum { FIRST_BLOCK = 64 << 10, LARGEST_BLOCK = 16 << 20, DEADLINE_CHECK_INTERVAL = 64 };

static void give_up(markupkit_html_parse *parse, markupkit_html_status status) {
  parse->status = status;
  longjmp(parse->escape, 1);
}

static int past(const struct timespec *deadline) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return now.tv_sec > deadline->tv_sec || (now.tv_sec == deadline->tv_sec && now.tv_nsec >= deadline->tv_nsec);
}

static void *allocate(void *userdata, size_t size) {
  markupkit_html_parse *parse = userdata;
  /* Every element gumbo inserts is an allocation, so between two checks the tree
     builder does at most a few steps, each bounded by the depth. */
  if (parse->has_deadline && ++parse->allocations % DEADLINE_CHECK_INTERVAL == 0 && past(&parse->deadline)) {
    give_up(parse, MARKUPKIT_HTML_TOO_SLOW);
  }
  size_t needed = (size + 15) & ~(size_t)15;
  if (needed < size) give_up(parse, MARKUPKIT_HTML_OUT_OF_MEMORY);
  if (needed == 0) needed = 16;
  if (parse->memory_limit != 0 && needed > parse->memory_limit - parse->allocated) {
    give_up(parse, MARKUPKIT_HTML_TOO_LARGE);
  }
  block *current = parse->blocks;
  if (current == NULL || current->size - current->used < needed) {
    size_t next = current == NULL ? FIRST_BLOCK : current->size * 2;
    if (next > LARGEST_BLOCK) next = LARGEST_BLOCK;
    if (next < needed) next = needed;
    block *fresh = malloc(sizeof(block) + next);
    if (fresh == NULL) give_up(parse, MARKUPKIT_HTML_OUT_OF_MEMORY);
    fresh->previous = current;
    fresh->size = next;
    fresh->used = 0;
    parse->blocks = current = fresh;
  }
  void *memory = current->data + current->used;
  current->used += needed;
  parse->allocated += needed;
  return memory;
}

/* Memory is given back all at once when the parse is freed. */
static void deallocate(void *userdata, void *pointer) {
  (void)userdata;
  (void)pointer;
}

markupkit_html_parse *markupkit_html_parse_document(const char *bytes, size_t length, double seconds,
                                                     size_t memory_limit) {
  markupkit_html_parse *parse = calloc(1, sizeof *parse);
  if (parse == NULL) return NULL;
  parse->memory_limit = memory_limit;
  if (seconds > 0) {
    parse->has_deadline = 1;
    clock_gettime(CLOCK_MONOTONIC, &parse->deadline);
    double whole = (double)(time_t)seconds;
    parse->deadline.tv_sec += (time_t)seconds;
    parse->deadline.tv_nsec += (long)((seconds - whole) * 1e9);
    if (parse->deadline.tv_nsec >= 1000000000L) {
      parse->deadline.tv_sec += 1;
      parse->deadline.tv_nsec -= 1000000000L;
    }
  }
  parse->options = kGumboDefaultOptions;
  parse->options.allocator = allocate;
  parse->options.deallocator = deallocate;
  parse->options.userdata = parse;
  /* Parse errors are not reported to users (the tree says what was made of the input),
     and recording them costs an allocation each on broken input. */
  parse->options.max_errors = 0;
  if (setjmp(parse->escape) != 0) {
    parse->output = NULL;
    return parse;
  }
  parse->output = gumbo_parse_with_options(&parse->options, bytes, length);
  parse->status = MARKUPKIT_HTML_PARSED;
  return parse;
}

markupkit_html_status markupkit_html_parse_status(const markupkit_html_parse *parse) { return parse->status; }

GumboOutput *markupkit_html_parse_output(const markupkit_html_parse *parse) { return parse->output; }

void markupkit_html_parse_free(markupkit_html_parse *parse) {
  if (parse == NULL) return;
  block *current = parse->blocks;
  while (current != NULL) {
    block *previous = current->previous;
    free(current);
    current = previous;
  }
  free(parse);
}
