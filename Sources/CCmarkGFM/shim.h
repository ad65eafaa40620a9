#ifndef CCMARKGFM_SHIM_H
#define CCMARKGFM_SHIM_H

#include <cmark-gfm.h>
#include <cmark-gfm-extension_api.h>
#include <cmark-gfm-core-extensions.h>

/* The core extensions assign these node types at registration time and export
   them, but no installed header declares them. Declaring them here lets the
   reader compare types directly instead of comparing type strings per node. */
extern cmark_node_type CMARK_NODE_TABLE;
extern cmark_node_type CMARK_NODE_TABLE_ROW;
extern cmark_node_type CMARK_NODE_TABLE_CELL;
extern cmark_node_type CMARK_NODE_STRIKETHROUGH;

/* Read through functions: they are written once, at registration, but Swift cannot know
   that about a C global. */
static inline cmark_node_type markupkit_node_type_table(void) { return CMARK_NODE_TABLE; }
static inline cmark_node_type markupkit_node_type_table_row(void) { return CMARK_NODE_TABLE_ROW; }
static inline cmark_node_type markupkit_node_type_table_cell(void) { return CMARK_NODE_TABLE_CELL; }
static inline cmark_node_type markupkit_node_type_strikethrough(void) { return CMARK_NODE_STRIKETHROUGH; }

#endif
