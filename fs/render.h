#ifndef MEDIAMON_RENDER_H
#define MEDIAMON_RENDER_H

/*
 * Renderers of the generated files under /status and /metrics, plus /README
 * and /log. Each appends one whole document to out, built from the store
 * (read in one transaction, so the document is one consistent snapshot)
 * and the indexer's live status. They return 0 or a negative errno value,
 * which the FUSE side hands back to the caller of open().
 */

struct strbuf;

int render_readme(struct strbuf *out);
int render_summary(struct strbuf *out);
int render_health(struct strbuf *out);
int render_scan_json(struct strbuf *out);
int render_scan_csv(struct strbuf *out);
int render_watch_json(struct strbuf *out);
int render_missing(struct strbuf *out);
int render_missing_json(struct strbuf *out);
int render_no_cover(struct strbuf *out);
int render_tag_errors(struct strbuf *out);
int render_log(struct strbuf *out);

/*
 * Append s as a field of a line of text: tabs and line breaks in it
 * would break the line's fields, so control characters become spaces;
 * bytes that are not UTF-8 (file names are bytes) become U+FFFD, so the
 * text is text.
 */
void render_field(struct strbuf *out, const char *s);

#endif
