/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A uid of the analysis child's own (analysis_user.h): one that no user
 * or group of this system has and no process runs as, read from the
 * user and group databases and /proc. It starts no process and changes
 * no identity: the child takes the uid it is given.
 */
#include "indexer/analysis/analysis_user.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define NR_IDS (ANALYSIS_USER_LAST - ANALYSIS_USER_FIRST + 1)

/* Mark in used the ids of the range that line ("Uid:" or "Gid:" and
 * its four ids) names. */
static void mark(const char *line, unsigned char *used)
{
	unsigned id[4];
	int n = sscanf(line + 4, "%u %u %u %u", &id[0], &id[1], &id[2],
		       &id[3]);

	for (int i = 0; i < n; i++)
		if (id[i] >= ANALYSIS_USER_FIRST &&
		    id[i] <= ANALYSIS_USER_LAST)
			used[id[i] - ANALYSIS_USER_FIRST] = 1;
}

/* Every uid and gid of the range a process of this system runs as. */
static void mark_processes(unsigned char *used)
{
	DIR *d = opendir("/proc");
	struct dirent *de;

	while (d && (de = readdir(d))) {
		char path[300], line[256];
		FILE *f;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/status", de->d_name);
		f = fopen(path, "re");
		while (f && fgets(line, sizeof(line), f))
			if (!strncmp(line, "Uid:", 4) ||
			    !strncmp(line, "Gid:", 4))
				mark(line, used);
		if (f)
			fclose(f);
	}
	if (d)
		closedir(d);
}

/* Whether a user or a group of this system has id (or it cannot say). */
static int known(unsigned id)
{
	struct passwd pw, *u = NULL;
	struct group gr, *g = NULL;
	char buf[4096];

	if (getpwuid_r(id, &pw, buf, sizeof(buf), &u) || u)
		return 1;
	return getgrgid_r(id, &gr, buf, sizeof(buf), &g) || g;
}

int analysis_user_pick(unsigned *uid)
{
	unsigned char used[NR_IDS] = { 0 };
	unsigned start = (unsigned)getpid() % NR_IDS;

	mark_processes(used);
	for (unsigned i = 0; i < NR_IDS; i++) {
		unsigned id = ANALYSIS_USER_FIRST + (start + i) % NR_IDS;

		if (used[id - ANALYSIS_USER_FIRST] || known(id))
			continue;
		*uid = id;
		return 0;
	}
	return -EAGAIN;
}
