#ifndef MEDIAMON_TAG_ERRORS_H
#define MEDIAMON_TAG_ERRORS_H

/*
 * The music files whose tags are damaged or could not be read at all,
 * with why (the first damage the tag reader met, tags.h), for
 * /status/tag-errors: such a file is still indexed (by its name when
 * nothing else could be read), and this is how a user finds the files
 * to tag again.
 *
 *	static int line(void *arg, const char *path, const char *reason)
 *	{
 *		printf("%s\t%s\n", path, reason);
 *		return 0;
 *	}
 *	...
 *	rc = tag_errors_each(db, line, NULL);
 */

#include <sqlite3.h>

/*
 * Call fn for each file whose tag is damaged, in path
 * order, with its absolute path and the reason ("damaged" for a file
 * indexed before reasons were kept), reading through db. A nonzero
 * answer of fn stops the walk and is returned. Returns 0 or a negative
 * errno value.
 */
int tag_errors_each(sqlite3 *db,
		    int (*fn)(void *arg, const char *path, const char *reason),
		    void *arg);

#endif
