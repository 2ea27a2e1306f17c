#ifndef MEDIAMON_QUERY_H
#define MEDIAMON_QUERY_H

/*
 * The old name of the mount's read API, indexer/reads.h, kept while code
 * still names it: include that instead.
 */

#include "indexer/reads.h"

#endif
