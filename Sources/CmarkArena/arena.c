#include "cmark_arena.h"

#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* Every allocation is preceded by a 16-byte header holding its size, so realloc knows
   how much to copy. Chunks come from mmap, zero-filled, and the arena never reuses memory
   within a parse (a chunk kept for the next parse is zeroed first), so every allocation
   is zero-filled as calloc promises. */
typedef struct chunk {
  struct chunk *previous;
  size_t size;
  size_t used;
  size_t padding;
  unsigned char data[];
} chunk;

enum { HEADER = 16, FIRST_CHUNK = 2 << 20, LARGEST_GROWTH = 64 << 20, HUGE_PAGE = 2 << 20 };

/* Huge pages are asked for only up to this much arena per parse: past it, the kernel's
   compaction to find free huge pages costs more than the faults it saves (measured: a
   20 MB document took 1.3x as long with every chunk advised; 64 MiB, which covers a
   2 MB document, made that one 0.8x as long as with none). */
static const size_t HUGE_PAGE_BUDGET = (size_t)64 << 20;

static _Thread_local chunk *current = NULL;
static _Thread_local size_t mapped = 0;

/* The guard of one parse (markupkit_arena_parse): while it is set, every allocation
   checks the parse's memory budget, and every 64th its deadline. cmark allocates as it
   goes — a node per inline, a buffer per line — so between two checks it does a bounded
   amount of work, however pathological the input. */
typedef struct {
  sigjmp_buf escape;
  int has_deadline;
  struct timespec deadline;
  size_t budget;
  size_t taken;
  unsigned calls;
  markupkit_parse_status status;
} guard;

static _Thread_local guard *active_guard = NULL;

/* Called when an allocation passes the budget or falls on every 64th call with a
   deadline: leaves the parse if either is exceeded. */
static __attribute__((noinline)) void check_guard(guard *g) {
  if (g->budget != 0 && g->taken > g->budget) {
    g->status = MARKUPKIT_PARSE_TOO_LARGE;
    active_guard = NULL;
    siglongjmp(g->escape, 1);
  }
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  if (now.tv_sec > g->deadline.tv_sec || (now.tv_sec == g->deadline.tv_sec && now.tv_nsec >= g->deadline.tv_nsec)) {
    g->status = MARKUPKIT_PARSE_TOO_SLOW;
    active_guard = NULL;
    siglongjmp(g->escape, 1);
  }
}

static void out_of_memory(void) {
  fputs("markconv: out of memory\n", stderr);
  abort();
}

static size_t round_up(size_t size) { return (size + 15) & ~(size_t)15; }

/* A fresh chunk, when the current one cannot hold `needed` more bytes. */
static __attribute__((noinline)) void grow(size_t needed) {
  size_t next = current == NULL ? FIRST_CHUNK : (current->size + sizeof(chunk)) * 2 - sizeof(chunk);
  if (next > LARGEST_GROWTH - sizeof(chunk)) next = LARGEST_GROWTH - sizeof(chunk);
  if (next < needed) next = needed;
  /* Chunks are whole huge pages from mmap (zero-filled, as calloc's would be), and the
     kernel is asked to back the first ones with huge pages: a parse touches every page
     of its arena once, and one fault per 2 MiB instead of per 4 KiB is most of what the
     arena costs. */
  size_t length = (sizeof(chunk) + next + HUGE_PAGE - 1) & ~(size_t)(HUGE_PAGE - 1);
  void *memory = mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) out_of_memory();
#ifdef MADV_HUGEPAGE
  if (mapped + length <= HUGE_PAGE_BUDGET) madvise(memory, length, MADV_HUGEPAGE);
#endif
  mapped += length;
  chunk *fresh = memory;
  fresh->previous = current;
  fresh->size = length - sizeof(chunk);
  current = fresh;
}

/* cmark allocates once per node and per buffer growth, so this is kept to a few
   instructions: the rare work (a new chunk, the guard's checks) is out of line. */
static inline __attribute__((always_inline)) unsigned char *take(size_t size) {
  size_t needed = round_up(size) + HEADER;
  if (needed < size) out_of_memory(); /* overflow */
  guard *g = active_guard;
  if (g != NULL) {
    g->taken += needed;
    if ((g->budget != 0 && g->taken > g->budget) || (g->has_deadline && ++g->calls % 64 == 0)) check_guard(g);
  }
  chunk *c = current;
  if (c == NULL || c->size - c->used < needed) {
    grow(needed);
    c = current;
  }
  unsigned char *block = c->data + c->used;
  c->used += needed;
  memcpy(block, &size, sizeof size);
  return block + HEADER;
}

static void *arena_calloc(size_t count, size_t size) {
  if (size != 0 && count > SIZE_MAX / size) out_of_memory();
  return take(count * size);
}

static void *arena_realloc(void *pointer, size_t size) {
  if (pointer == NULL) return take(size);
  unsigned char *block = (unsigned char *)pointer - HEADER;
  size_t old;
  memcpy(&old, block, sizeof old);
  if (size <= old) return pointer;
  /* The most recent allocation can grow in place (cmark's buffers grow one at a time). */
  uintptr_t start = (uintptr_t)current->data;
  uintptr_t offset = (uintptr_t)block - start;
  if ((uintptr_t)block >= start && offset + HEADER + round_up(old) == current->used &&
      current->size - offset >= HEADER + round_up(size)) {
    current->used = offset + HEADER + round_up(size);
    memcpy(block, &size, sizeof size);
    return pointer;
  }
  void *moved = take(size);
  memcpy(moved, pointer, old);
  return moved;
}

static void arena_free(void *pointer) { (void)pointer; }

static cmark_mem allocator = {arena_calloc, arena_realloc, arena_free};

/* The thread's first chunk outlives the parse, for the next one: mapping a fresh chunk
   for every document cost a batch of small posts a zeroed huge page each, and unmapping
   it a TLB shootdown on every other core (two workers ran 2.6 times slower than one).
   What the last parse used of it is zeroed when the next one starts — not at release,
   so a single conversion never pays for it — and the kernel takes it back when the
   thread ends. */
static _Thread_local size_t dirty = 0;
static pthread_key_t kept_key;
static pthread_once_t kept_key_made = PTHREAD_ONCE_INIT;

static void unmap_kept(void *kept) {
  chunk *c = kept;
  munmap(c, sizeof(chunk) + c->size);
}

static void make_kept_key(void) { pthread_key_create(&kept_key, unmap_kept); }

cmark_mem *markupkit_arena_start(void) {
  markupkit_arena_release();
  if (current != NULL && dirty > 0) memset(current->data, 0, dirty);
  dirty = 0;
  return &allocator;
}

void markupkit_arena_release(void) {
  chunk *kept = NULL;
  while (current != NULL) {
    chunk *previous = current->previous;
    /* Only a first chunk of the usual size is kept (one giant allocation can make it
       larger). */
    if (previous == NULL && current->size <= 2 * (size_t)FIRST_CHUNK) {
      kept = current;
      break;
    }
    munmap(current, sizeof(chunk) + current->size);
    current = previous;
  }
  pthread_once(&kept_key_made, make_kept_key);
  pthread_setspecific(kept_key, kept);
  current = kept;
  if (kept == NULL) {
    mapped = 0;
    dirty = 0;
    return;
  }
  if (kept->used > dirty) dirty = kept->used;
  kept->used = 0;
  mapped = sizeof(chunk) + kept->size;
}

/* Some slow inputs make cmark loop without allocating (a blank line walks every open
   list, and there are 30 000 of them), so the allocator alone cannot keep the deadline.
   A timer aimed at the parsing thread delivers DEADLINE_SIGNAL when the time is up; the
   handler leaves cmark the same way the allocator does. cmark works only in memory it
   got from the arena and holds no lock, so nothing it was doing needs finishing. */
#define DEADLINE_SIGNAL (SIGRTMIN + 7)

static void on_deadline(int signal_number) {
  (void)signal_number;
  guard *g = active_guard;
  if (g == NULL) return; /* the parse ended as the timer fired */
  g->status = MARKUPKIT_PARSE_TOO_SLOW;
  active_guard = NULL;
  siglongjmp(g->escape, 1);
}

static pthread_once_t handler_installed = PTHREAD_ONCE_INIT;

static void install_handler(void) {
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = on_deadline;
  sigemptyset(&action.sa_mask);
  sigaction(DEADLINE_SIGNAL, &action, NULL);
}

cmark_node *markupkit_arena_parse(cmark_parser *parser, const char *bytes, size_t length, double seconds,
                                  size_t budget, markupkit_parse_status *status) {
  guard g;
  memset(&g, 0, sizeof g);
  g.budget = budget;
  if (seconds > 0) {
    g.has_deadline = 1;
    clock_gettime(CLOCK_MONOTONIC, &g.deadline);
    g.deadline.tv_sec += (time_t)seconds;
    g.deadline.tv_nsec += (long)((seconds - (double)(time_t)seconds) * 1e9);
    if (g.deadline.tv_nsec >= 1000000000L) {
      g.deadline.tv_sec += 1;
      g.deadline.tv_nsec -= 1000000000L;
    }
  }
  timer_t timer;
  int has_timer = 0;
  if (seconds > 0) {
    pthread_once(&handler_installed, install_handler);
    struct sigevent event;
    memset(&event, 0, sizeof event);
    event.sigev_notify = SIGEV_THREAD_ID;
    event.sigev_signo = DEADLINE_SIGNAL;
    event.sigev_notify_thread_id = (pid_t)syscall(SYS_gettid);
    if (timer_create(CLOCK_MONOTONIC, &event, &timer) == 0) {
      struct itimerspec when;
      memset(&when, 0, sizeof when);
      when.it_value.tv_sec = (time_t)seconds;
      when.it_value.tv_nsec = (long)((seconds - (double)(time_t)seconds) * 1e9);
      if (when.it_value.tv_sec == 0 && when.it_value.tv_nsec == 0) when.it_value.tv_nsec = 1;
      has_timer = timer_settime(timer, 0, &when, NULL) == 0;
      if (!has_timer) timer_delete(timer);
    }
  }
  if (sigsetjmp(g.escape, 1) != 0) {
    /* Everything cmark had allocated is in the arena, which the caller releases. */
    if (has_timer) timer_delete(timer);
    *status = g.status;
    return NULL;
  }
  active_guard = &g;
  if (length > 0) cmark_parser_feed(parser, bytes, length);
  cmark_node *root = cmark_parser_finish(parser);
  active_guard = NULL;
  if (has_timer) timer_delete(timer);
  *status = MARKUPKIT_PARSE_DONE;
  return root;
}
