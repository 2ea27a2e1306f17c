#ifndef MEDIAMON_TEST_FAKE_H
#define MEDIAMON_TEST_FAKE_H

/*
 * Local fake servers for the unit tests of remote-service clients: a
 * Python script from tests/fakes/, serving on 127.0.0.1, which prints its
 * port as its first line and stops when its stdin closes.
 *
 *	static struct fake fake;
 *
 *	fake_start("prowlarr_fake.py", &fake);	(group setup)
 *	... http://127.0.0.1:fake.port/ ...
 *	fake_stop(&fake);			(group teardown)
 */

#include <sys/types.h>

struct fake {
	pid_t pid;
	int stdin_fd;
	int port;
};

/*
 * Start tests/fakes/script and read its port. Proxy settings are cleared
 * from the environment, since the fake is local. Returns 0 or -1.
 */
int fake_start(const char *script, struct fake *f);

/* Close the fake's stdin (which ends it), signal it if stuck, reap it. */
void fake_stop(struct fake *f);

#endif
