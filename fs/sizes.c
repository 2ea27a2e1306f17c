#include "fs/sizes.h"

#include <pthread.h>
#include <stdint.h>

#include "common/hash.h"

static struct {
	pthread_mutex_t lock;
	struct size_slot {
		uint64_t key;	/* 0: empty */
		size_t size;
	} slot[SIZES_SLOTS];
} sizes = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* A node is known by its functions and series, never by its inode: the
 * kernel may forget an inode and get another one for the same file. */
static uint64_t size_key(const struct node *n, uid_t uid)
{
	uint64_t h = hash_add(HASH_INIT, (uintptr_t)n->render);

	h = hash_add(h, (uintptr_t)n->render_series);
	h = hash_add(h, (uint64_t)n->series);
	h = hash_end(hash_add(h, uid));
	return h ? h : 1;
}

void sizes_note(const struct node *n, uid_t uid, size_t size)
{
	uint64_t key = size_key(n, uid);
	struct size_slot *s = &sizes.slot[key % SIZES_SLOTS];

	pthread_mutex_lock(&sizes.lock);
	s->key = key;
	s->size = size;
	pthread_mutex_unlock(&sizes.lock);
}

size_t sizes_guess(const struct node *n, uid_t uid)
{
	uint64_t key = size_key(n, uid);
	const struct size_slot *s = &sizes.slot[key % SIZES_SLOTS];
	size_t size;

	pthread_mutex_lock(&sizes.lock);
	size = s->key == key ? s->size : SIZES_GUESS;
	pthread_mutex_unlock(&sizes.lock);
	return size;
}
