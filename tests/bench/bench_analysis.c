/*
 * bench_analysis FILE...: analyses each file as the background workers
 * do (analysis_run()) and prints one line with the CPU time it took, user
 * and system, from getrusage():
 *
 *	analysis: 8 files, 245.0 s of audio, 1.102 s of CPU, 222.3 audio s
 *	per CPU s
 *
 * (on one line). Fails when a file cannot be analysed: a benchmark of
 * failures would measure nothing.
 */

#include <stdio.h>
#include <sys/resource.h>

#include "indexer/analysis.h"

/* The CPU time of this process so far, in seconds. */
static double cpu_seconds(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return 0;
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
	struct analysis_result r;
	double audio = 0, start, cpu;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE...\n", argv[0]);
		return 2;
	}
	start = cpu_seconds();
	for (int i = 1; i < argc; i++) {
		if (analysis_run(argv[i], &r)) {
			fprintf(stderr, "bench_analysis: %s failed\n", argv[i]);
			return 1;
		}
		audio += r.duration_s;
		analysis_result_release(&r);
	}
	cpu = cpu_seconds() - start;
	printf("analysis: %d files, %.1f s of audio, %.3f s of CPU, %.1f "
	       "audio s per CPU s\n", argc - 1, audio, cpu,
	       cpu > 0 ? audio / cpu : 0);
	return 0;
}
