#ifndef MEDIAMON_RENDER_H
#define MEDIAMON_RENDER_H

/*
 * The generated files the mount makes itself, without the store: /README
 * and /log, and /status/health, which is the store's (query_health())
 * after the mount's own line: a reload refused (render_reload_refused()).
 * Each appends one whole document to out and returns 0. The other
 * documents built from the store and the indexer's status are the store's
 * read API (indexer/reads.h).
 */

struct strbuf;

int render_readme(struct strbuf *out);
int render_log(struct strbuf *out);
int render_health(struct strbuf *out);

/* Say in health why the last reload was refused; NULL once one works. */
void render_reload_refused(const char *why);

#endif
