#include "fs/nodes.h"

#include <string.h>
#include <sys/stat.h>

#include "fs/control.h"
#include "fs/render.h"

static const struct node nodes[] = {
	{ "/", NODE_DIR, NULL, NULL },
	{ "/README", NODE_FILE, render_readme, NULL },
	{ "/status", NODE_DIR, NULL, NULL },
	{ "/status/summary.json", NODE_FILE, render_summary, NULL },
	{ "/status/health", NODE_FILE, render_health, NULL },
	{ "/status/missing", NODE_FILE, render_missing, NULL },
	{ "/status/missing.json", NODE_FILE, render_missing_json, NULL },
	{ "/metrics", NODE_DIR, NULL, NULL },
	{ "/metrics/scan.json", NODE_FILE, render_scan_json, NULL },
	{ "/metrics/scan.csv", NODE_FILE, render_scan_csv, NULL },
	{ "/metrics/watch.json", NODE_FILE, render_watch_json, NULL },
	{ "/control", NODE_DIR, NULL, NULL },
	{ "/control/rescan", NODE_CONTROL, control_rescan_render,
	  control_rescan_write },
	{ "/log", NODE_FILE, render_log, NULL },
};

#define NR_NODES (sizeof(nodes) / sizeof(*nodes))

const struct node *node_lookup(const char *path)
{
	for (size_t i = 0; i < NR_NODES; i++)
		if (!strcmp(nodes[i].path, path))
			return &nodes[i];
	return NULL;
}

mode_t node_mode(const struct node *n)
{
	switch (n->type) {
	case NODE_DIR:
		return S_IFDIR | 0555;
	case NODE_CONTROL:
		return S_IFREG | 0644;
	default:
		return S_IFREG | 0444;
	}
}

void node_children(const struct node *dir,
		   int (*fn)(const char *name, const struct node *child,
			     void *arg),
		   void *arg)
{
	size_t dlen = strlen(dir->path);

	for (size_t i = 0; i < NR_NODES; i++) {
		const char *p = nodes[i].path;
		const char *name;

		if (&nodes[i] == dir || strncmp(p, dir->path, dlen))
			continue;
		name = p + dlen + (dlen > 1);
		if (dlen > 1 && p[dlen] != '/')
			continue;
		if (!*name || strchr(name, '/'))
			continue;
		if (fn(name, &nodes[i], arg))
			return;
	}
}
