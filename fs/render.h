#ifndef MEDIAMON_RENDER_H
#define MEDIAMON_RENDER_H

/*
 * The generated files the mount makes itself, without the store: /README
 * and /log. Each appends one whole document to out and returns 0. The
 * documents built from the store and the indexer's status are the
 * store's read API (indexer/store/query.h).
 */

struct strbuf;

int render_readme(struct strbuf *out);
int render_log(struct strbuf *out);

#endif
