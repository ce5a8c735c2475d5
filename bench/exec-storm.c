/*
 * Exec storm: each worker process forks and execs a program as fast as it
 * can, waiting for each child, and the total wall time is printed.
 *
 *   exec-storm WORKERS EXECS_PER_WORKER NAME PROGRAM [ARG...]
 *
 * Each child renames itself NAME (prctl PR_SET_NAME) before the exec, so
 * the exec's caller name is NAME ("-" keeps the name). Prints one line:
 * "<execs> execs in <seconds> s: <rate> execs/s".
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int run_worker(long execs, const char *name, char **argv)
{
	for (long i = 0; i < execs; i++) {
		pid_t pid = fork();
		int status;

		if (pid < 0) {
			perror("exec-storm: fork failed");
			return 1;
		}
		if (pid == 0) {
			if (strcmp(name, "-") != 0)
				prctl(PR_SET_NAME, name, 0, 0, 0);
			execv(argv[0], argv);
			perror("exec-storm: exec failed");
			_exit(127);
		}
		if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "exec-storm: child %d failed\n", pid);
			return 1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: exec-storm WORKERS EXECS_PER_WORKER NAME PROGRAM [ARG...]\n");
		return 2;
	}
	long workers = atol(argv[1]);
	long execs = atol(argv[2]);
	const char *name = argv[3];
	double start = now();
	int failed = 0;

	for (long w = 0; w < workers; w++) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(run_worker(execs, name, argv + 4));
		if (pid < 0) {
			perror("exec-storm: fork failed");
			return 1;
		}
	}
	for (long w = 0; w < workers; w++) {
		int status;

		if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed = 1;
	}
	double elapsed = now() - start;
	printf("%ld execs in %.3f s: %.0f execs/s\n", workers * execs, elapsed, workers * execs / elapsed);
	return failed;
}
