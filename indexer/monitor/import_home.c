/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A client's own default folder learned as a save folder of the import
 * (import_home.h): asked of the client, mapped, and refused when it is
 * too wide to trust. It opens no file and reads no download.
 */
#include "indexer/monitor/import_home.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "common/log.h"
#include "common/path.h"
#include "common/strbuf.h"
#include "indexer/monitor/download.h"
#include "indexer/monitor/import_path.h"

/* Folders that hold the system or everyone's files: a client's default
 * folder that is one of them is refused, and one inside the first
 * ones, the system's own, too. */
static const struct {
	const char *dir;
	int inside;
} wide[] = {
	{ "/", 0 }, { "/etc", 1 }, { "/usr", 1 }, { "/bin", 1 },
	{ "/sbin", 1 }, { "/lib", 1 }, { "/lib64", 1 }, { "/boot", 1 },
	{ "/proc", 1 }, { "/sys", 1 }, { "/dev", 1 }, { "/run", 1 },
	{ "/root", 0 }, { "/home", 0 }, { "/var", 0 }, { "/srv", 0 },
	{ "/mnt", 0 }, { "/media", 0 }, { "/opt", 0 }, { "/tmp", 0 },
};

static int is_wide(const char *dir)
{
	for (size_t i = 0; i < ARRAY_SIZE(wide); i++)
		if (wide[i].inside ? path_under(dir, wide[i].dir) :
		    !strcmp(dir, wide[i].dir))
			return 1;
	return 0;
}

/* Whether dir, as named or once its links are resolved, is too wide. */
static int too_wide(const char *dir)
{
	char *real = realpath(dir, NULL);
	int ret = is_wide(dir) || (real && is_wide(real));

	free(real);
	return ret;
}

int import_home_learn(const struct config *cfg,
		      const struct download_client *c, char *home,
		      char *why, size_t len)
{
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	const char *key = c->protocol && !strcmp(c->protocol, "usenet") ?
		"[usenet]" : "[download]";
	char *local = NULL;
	int ret;

	if (*home)
		return 0;
	ret = download_home(c, &out, &err);
	if (ret == -EOPNOTSUPP) {
		snprintf(why, len, "%s tells no folder of its own: name the "
			 "folder it saves in as %s save_path", c->client, key);
		goto out;
	}
	if (ret) {
		snprintf(why, len, "cannot learn where %s saves (%.120s): "
			 "start it, or name its folder as %s save_path",
			 c->client, err.buf, key);
		goto out;
	}
	strbuf_rtrim(&out);
	/* a relative folder (SABnzbd's, below its own) cannot be placed */
	ret = import_path_local(cfg, out.buf, &local);
	if (ret == -EINVAL || (!ret && (too_wide(local) ||
					strlen(local) >= PATH_MAX)))
		ret = -EPERM;
	if (ret) {
		snprintf(why, len, "%s saves in %s, which is not trusted "
			 "as a save folder: name a folder of its own as %s "
			 "save_path", c->client, out.buf, key);
		goto out;
	}
	strcpy(home, local);
	log_info("import: %s saves in %s by default: a save folder",
		 c->client, home);
out:
	if (ret)
		log_warn("import: %s", why);
	free(local);
	strbuf_release(&out);
	strbuf_release(&err);
	return ret;
}
