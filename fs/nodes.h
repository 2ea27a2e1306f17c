#ifndef MEDIAMON_NODES_H
#define MEDIAMON_NODES_H

/*
 * The fixed part of the mount: every directory, generated file and
 * control file, with the functions that render or command them.
 */

#include <sys/types.h>

struct strbuf;

enum node_type {
	NODE_DIR,
	NODE_FILE,	/* generated, read-only */
	NODE_CONTROL,	/* generated on read, takes commands on write */
};

struct node {
	const char *path;
	enum node_type type;
	int (*render)(struct strbuf *out);
	int (*write)(const char *buf, size_t len);
};

/* The node at an absolute mount path, or NULL. */
const struct node *node_lookup(const char *path);

/* The permission bits and file type of a node. */
mode_t node_mode(const struct node *n);

/*
 * Call fn with the name of every direct child of dir, in a fixed order;
 * stops early when fn returns nonzero.
 */
void node_children(const struct node *dir,
		   int (*fn)(const char *name, const struct node *child,
			     void *arg),
		   void *arg);

#endif
