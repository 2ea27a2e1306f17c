/*
 * mediamon-analyse: the audio analysis (analysis.h) in a process of its
 * own, so that the daemon does not map the decoders, Chromaprint and the
 * hundred libraries behind them. The daemon's analysis workers start it
 * (analysis_child.h) and speak a line protocol on its stdin and stdout:
 *
 *	in:	/music/a.flac\0		a path and a NUL (a file name
 *					may hold a newline)
 *	out:	{"duration_s": 187.2, "loudness_lufs": -9.1, "peak": 0.98,
 *		 "gain_db": -8.9, "bpm": 120.0, "cpu_s": 0.4,
 *		 "vector": [32 numbers], "fingerprint": [items]}
 *	or:	{"error": -74}		what analysis_run() returned
 *
 * It exits 0 at the end of its input, 2 when it cannot answer.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "common/log.h"
#include "indexer/analysis/analysis.h"

/* The daemon reports the analysis's CPU time, which it cannot measure
 * in a process of its own. */
static double process_cpu(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts))
		return 0;
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The result as the daemon's analysis_child.c reads it back. */
static json_t *result_json(const struct analysis_result *r, double cpu)
{
	json_t *vec = json_array(), *fp = json_array();
	int bad = !vec || !fp;

	for (int i = 0; i < ANALYSIS_VECTOR_LEN && !bad; i++)
		bad = json_array_append_new(vec, json_real(r->vector[i]));
	for (int i = 0; i < r->fingerprint_len && !bad; i++)
		bad = json_array_append_new(fp,
					    json_integer(r->fingerprint[i]));
	if (bad) {
		json_decref(vec);
		json_decref(fp);
		return NULL;
	}
	return json_pack("{s:f, s:f, s:f, s:f, s:f, s:f, s:o, s:o}",
			 "duration_s", r->duration_s,
			 "loudness_lufs", r->loudness_lufs,
			 "peak", r->peak, "gain_db", r->gain_db,
			 "bpm", r->bpm, "cpu_s", cpu,
			 "vector", vec, "fingerprint", fp);
}

/* Analyse one requested path and write its answer line. */
static int serve(const char *path)
{
	struct analysis_result r;
	double cpu = process_cpu();
	json_t *out;
	char *text;
	int rc;

	rc = analysis_run(path, &r);
	cpu = process_cpu() - cpu;
	out = rc ? json_pack("{s:i}", "error", rc) : result_json(&r, cpu);
	analysis_result_release(&r);
	text = out ? json_dumps(out, JSON_COMPACT) : NULL;
	json_decref(out);
	if (!text)
		return log_error(-ENOMEM, "mediamon-analyse: no memory");
	rc = printf("%s\n", text) < 0 || fflush(stdout) ? -EIO : 0;
	free(text);
	if (rc)
		return log_error(rc, "mediamon-analyse: cannot answer: %s",
				 strerror(errno));
	return 0;
}

int main(void)
{
	char *line = NULL;
	size_t size = 0;
	int rc = 0;

	log_set_target(log_target_detect());
	while (!rc && getdelim(&line, &size, 0, stdin) > 0)
		rc = serve(line);
	free(line);
	return rc ? 2 : 0;
}
