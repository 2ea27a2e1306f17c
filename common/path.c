#include "common/path.h"

#include <string.h>

int path_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (!n)
		return 1;
	if (n == 1 && *dir == '/')
		return *path == '/';
	return !strncmp(path, dir, n) && (!path[n] || path[n] == '/');
}

int path_below(const char *path, const char *dir)
{
	return path_under(path, dir) && strcmp(path, dir);
}
