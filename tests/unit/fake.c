#include "fake.h"

#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The fakes live beside this file's folder: tests/fakes/. */
int fake_start(const char *script, struct fake *f)
{
	static const char *const proxies[] = {
		"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY",
		"all_proxy", "ALL_PROXY",
	};
	char path[512], here[] = __FILE__, line[32];
	int in[2], out[2];
	ssize_t n, len = 0;

	snprintf(path, sizeof(path), "%s/../fakes/%s", dirname(here), script);
	if (pipe(in) || pipe(out))
		return -1;
	f->pid = fork();
	if (f->pid < 0)
		return -1;
	if (!f->pid) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		execl("/usr/bin/python3", "python3", path, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	f->stdin_fd = in[1];
	while (len < (ssize_t)sizeof(line) - 1 &&
	       (n = read(out[0], line + len, sizeof(line) - 1 - len)) > 0) {
		len += n;
		if (memchr(line, '\n', len))
			break;
	}
	close(out[0]);
	line[len] = '\0';
	f->port = atoi(line);
	for (size_t i = 0; i < sizeof(proxies) / sizeof(*proxies); i++)
		unsetenv(proxies[i]);
	return f->port > 0 ? 0 : -1;
}

void fake_stop(struct fake *f)
{
	close(f->stdin_fd);
	kill(f->pid, SIGTERM);
	waitpid(f->pid, NULL, 0);
}
