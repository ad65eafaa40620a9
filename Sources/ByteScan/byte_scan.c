#include "byte_scan.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

static int is_control(unsigned char byte, unsigned char last_allowed) {
  return (byte < 0x20 && (byte < 0x09 || byte > last_allowed)) || byte == 0x7F;
}

size_t markupkit_ascii_prefix_length(const unsigned char *bytes, size_t count) {
  size_t index = 0;
#if defined(__SSE2__)
  for (; index + 16 <= count; index += 16) {
    int high_bits = _mm_movemask_epi8(_mm_loadu_si128((const __m128i *)(bytes + index)));
    if (high_bits != 0) return index + (size_t)__builtin_ctz((unsigned)high_bits);
  }
#endif
  while (index < count && bytes[index] < 0x80) index++;
  return index;
}

size_t markupkit_first_control(const unsigned char *bytes, size_t count, unsigned char last_allowed) {
  size_t index = 0;
#if defined(__SSE2__)
  /* SSE2 compares bytes as signed, so "at most n" is min(v, n) == v on unsigned bytes. */
  const __m128i below_space = _mm_set1_epi8(0x1F);
  const __m128i tab = _mm_set1_epi8(0x09);
  const __m128i allowed_span = _mm_set1_epi8((char)(last_allowed - 0x09));
  const __m128i del = _mm_set1_epi8(0x7F);
  for (; index + 16 <= count; index += 16) {
    __m128i v = _mm_loadu_si128((const __m128i *)(bytes + index));
    __m128i low = _mm_cmpeq_epi8(_mm_min_epu8(v, below_space), v);
    __m128i from_tab = _mm_sub_epi8(v, tab);
    __m128i allowed = _mm_cmpeq_epi8(_mm_min_epu8(from_tab, allowed_span), from_tab);
    __m128i control = _mm_or_si128(_mm_andnot_si128(allowed, low), _mm_cmpeq_epi8(v, del));
    int found = _mm_movemask_epi8(control);
    if (found != 0) return index + (size_t)__builtin_ctz((unsigned)found);
  }
#endif
  while (index < count && !is_control(bytes[index], last_allowed)) index++;
  return index;
}

/* Short runs (most text nodes are a few words between code spans and links) end in the
   byte-at-a-time loop, which a table keeps to a load and a test per byte. */
static const unsigned char html_special[256] = {
  [0x00] = 1, [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1, [0x06] = 1, [0x07] = 1,
  [0x08] = 1, [0x0B] = 1, [0x0D] = 1, [0x0E] = 1, [0x0F] = 1,
  [0x10] = 1, [0x11] = 1, [0x12] = 1, [0x13] = 1, [0x14] = 1, [0x15] = 1, [0x16] = 1, [0x17] = 1,
  [0x18] = 1, [0x19] = 1, [0x1A] = 1, [0x1B] = 1, [0x1C] = 1, [0x1D] = 1, [0x1E] = 1, [0x1F] = 1,
  ['&'] = 1, ['<'] = 1, ['>'] = 1, ['"'] = 1, [0x7F] = 1,
};

size_t markupkit_first_html_special(const unsigned char *bytes, size_t count) {
  size_t index = 0;
#if defined(__SSE2__)
  const __m128i below_space = _mm_set1_epi8(0x1F);
  for (; index + 16 <= count; index += 16) {
    __m128i v = _mm_loadu_si128((const __m128i *)(bytes + index));
    __m128i low = _mm_cmpeq_epi8(_mm_min_epu8(v, below_space), v);
    __m128i allowed = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(0x09)), _mm_cmpeq_epi8(v, _mm_set1_epi8(0x0A))),
                                   _mm_cmpeq_epi8(v, _mm_set1_epi8(0x0C)));
    __m128i marks = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('&')), _mm_cmpeq_epi8(v, _mm_set1_epi8('<'))),
                                 _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('>')), _mm_cmpeq_epi8(v, _mm_set1_epi8('"'))));
    __m128i special = _mm_or_si128(_mm_or_si128(_mm_andnot_si128(allowed, low), marks), _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7F)));
    int found = _mm_movemask_epi8(special);
    if (found != 0) return index + (size_t)__builtin_ctz((unsigned)found);
  }
#endif
  while (index < count && !html_special[bytes[index]]) index++;
  return index;
}

size_t markupkit_first_of_folded(const unsigned char *bytes, size_t count, const unsigned char *set, size_t set_count) {
  if (set_count > 8) set_count = 8;
  size_t index = 0;
#if defined(__SSE2__)
  __m128i wanted[8];
  for (size_t member = 0; member < set_count; member++) wanted[member] = _mm_set1_epi8((char)set[member]);
  const __m128i folding = _mm_set1_epi8(0x20);
  for (; index + 16 <= count; index += 16) {
    __m128i v = _mm_or_si128(_mm_loadu_si128((const __m128i *)(bytes + index)), folding);
    __m128i hits = _mm_setzero_si128();
    for (size_t member = 0; member < set_count; member++) hits = _mm_or_si128(hits, _mm_cmpeq_epi8(v, wanted[member]));
    int found = _mm_movemask_epi8(hits);
    if (found != 0) return index + (size_t)__builtin_ctz((unsigned)found);
  }
#endif
  for (; index < count; index++) {
    for (size_t member = 0; member < set_count; member++) {
      if ((bytes[index] | 0x20) == set[member]) return index;
    }
  }
  return count;
}

/* A hit at `index` counts unless it is a `.` without `w` (or `p`) before it. */
static inline int bbcode_hit_counts(const unsigned char *bytes, size_t index, int ftp) {
  if (bytes[index] != '.') return 1;
  if (index == 0) return 0;
  unsigned char previous = bytes[index - 1] | 0x20;
  return previous == 'w' || (ftp && previous == 'p');
}

/* Bit 1: a bracket; bit 2: what may start or end an address. */
static const unsigned char bbcode_special[256] = {
  ['['] = 1, [']'] = 1, [':'] = 2, ['@'] = 2, ['.'] = 2,
};

int markupkit_bbcode_text_is_special(const unsigned char *bytes, size_t count, int addresses, int ftp) {
  size_t index = 0;
#if defined(__SSE2__)
  if (count >= 16) {
    const __m128i open = _mm_set1_epi8('['), close = _mm_set1_epi8(']');
    const __m128i colon = _mm_set1_epi8(':'), at = _mm_set1_epi8('@'), dot = _mm_set1_epi8('.');
    /* The last sixteen bytes are looked at as one more block, overlapping the one before:
       no byte-at-a-time tail. A hit counts the same however often it is seen. */
    for (;;) {
      __m128i v = _mm_loadu_si128((const __m128i *)(bytes + index));
      __m128i hits = _mm_or_si128(_mm_cmpeq_epi8(v, open), _mm_cmpeq_epi8(v, close));
      if (addresses) {
        hits = _mm_or_si128(hits, _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, colon), _mm_cmpeq_epi8(v, at)),
                                               _mm_cmpeq_epi8(v, dot)));
      }
      unsigned mask = (unsigned)_mm_movemask_epi8(hits);
      while (mask != 0) {
        if (bbcode_hit_counts(bytes, index + (size_t)__builtin_ctz(mask), ftp)) return 1;
        mask &= mask - 1;
      }
      if (index + 16 == count) return 0;
      index = index + 32 <= count ? index + 16 : count - 16;
    }
  }
#endif
  const unsigned char wanted = addresses ? 3 : 1;
  for (; index < count; index++) {
    unsigned char kind = bbcode_special[bytes[index]] & wanted;
    if (kind == 1 || (kind == 2 && bbcode_hit_counts(bytes, index, ftp))) return 1;
  }
  return 0;
}

size_t markupkit_line_starts(const unsigned char *bytes, size_t count, size_t from, size_t *starts,
                             size_t capacity, size_t *resume) {
  size_t found = 0, index = from;
  if (capacity == 0) {
    *resume = from;
    return 0;
  }
#if defined(__SSE2__)
  const __m128i line_feed = _mm_set1_epi8('\n');
  for (; index + 16 <= count; index += 16) {
    unsigned mask = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(bytes + index)), line_feed));
    while (mask != 0) {
      starts[found++] = index + (size_t)__builtin_ctz(mask) + 1;
      if (found == capacity) {
        *resume = starts[found - 1];
        return found;
      }
      mask &= mask - 1;
    }
  }
#endif
  for (; index < count; index++) {
    if (bytes[index] != '\n') continue;
    starts[found++] = index + 1;
    if (found == capacity) {
      *resume = index + 1;
      return found;
    }
  }
  *resume = count;
  return found;
}

size_t markupkit_utf8_continuation_count(const unsigned char *bytes, size_t count) {
  size_t total = 0, index = 0;
#if defined(__SSE2__)
  const __m128i top_bits = _mm_set1_epi8((char)0xC0), continuation = _mm_set1_epi8((char)0x80);
  while (index + 16 <= count) {
    /* Per-lane counts in bytes: summed before any lane can pass 255. */
    __m128i lanes = _mm_setzero_si128();
    for (int round = 0; round < 255 && index + 16 <= count; round++, index += 16) {
      __m128i v = _mm_loadu_si128((const __m128i *)(bytes + index));
      lanes = _mm_sub_epi8(lanes, _mm_cmpeq_epi8(_mm_and_si128(v, top_bits), continuation));
    }
    __m128i sums = _mm_sad_epu8(lanes, _mm_setzero_si128());
    total += (size_t)_mm_cvtsi128_si32(sums) + (size_t)_mm_extract_epi16(sums, 4);
  }
#endif
  for (; index < count; index++) total += (bytes[index] & 0xC0) == 0x80;
  return total;
}
