/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * ulm-local-lock: take a kernel byte-range lock on a file the way a local
 * program would, to prove NFS locks and local locks see each other.
 *
 *   ulm-local-lock [--posix] [--hold] FILE read|write OFFSET LENGTH
 *
 * Prints one line: OK | DENIED read|write OFFSET LENGTH | ERR message,
 * where DENIED names the holder's range as the kernel reports it (LENGTH 0:
 * to end of file). Uses an OFD lock (F_OFD_SETLK) unless --posix asks for
 * a classic process lock (F_SETLK). With --hold, a granted lock is kept
 * until a line or end of file arrives on stdin, then released ("OK").
 * Exit status: 0 granted, 1 denied, 2 error.
 */
#define _GNU_SOURCE /* F_OFD_SETLK, F_OFD_GETLK */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { EXIT_GRANTED = 0, EXIT_DENIED = 1, EXIT_ERROR = 2 };

struct request {
	bool posix;
	bool hold;
	const char *path;
	short type;
	off_t offset;
	off_t length;
};

static int usage(void)
{
	printf("ERR usage: ulm-local-lock [--posix] [--hold] FILE read|write "
	       "OFFSET LENGTH\n");
	return EXIT_ERROR;
}

static bool parse_off(const char *text, off_t *out)
{
	char *end;
	long long value;

	errno = 0;
	value = strtoll(text, &end, 10);
	if (errno != 0 || *end != '\0' || end == text || value < 0)
		return false;
	*out = value;
	return true;
}

static bool parse_request(int argc, char **argv, struct request *req)
{
	int i = 1;

	memset(req, 0, sizeof(*req));
	for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--posix") == 0)
			req->posix = true;
		else if (strcmp(argv[i], "--hold") == 0)
			req->hold = true;
		else
			return false;
	}
	if (argc - i != 4)
		return false;
	req->path = argv[i];
	if (strcmp(argv[i + 1], "read") == 0)
		req->type = F_RDLCK;
	else if (strcmp(argv[i + 1], "write") == 0)
		req->type = F_WRLCK;
	else
		return false;
	return parse_off(argv[i + 2], &req->offset) &&
	       parse_off(argv[i + 3], &req->length);
}

static const char *type_name(short type)
{
	return type == F_RDLCK ? "read" : "write";
}

/* After a refusal, ask the kernel who holds the range, to print it. */
static int report_denied(int fd, const struct request *req, struct flock *fl)
{
	fl->l_type = req->type;
	fl->l_whence = SEEK_SET;
	fl->l_start = req->offset;
	fl->l_len = req->length;
	fl->l_pid = 0;
	if (fcntl(fd, req->posix ? F_GETLK : F_OFD_GETLK, fl) == 0 &&
	    fl->l_type != F_UNLCK)
		printf("DENIED %s %jd %jd\n", type_name(fl->l_type),
		       (intmax_t)fl->l_start, (intmax_t)fl->l_len);
	else /* the holder let go in between */
		printf("DENIED %s %jd %jd\n", type_name(req->type),
		       (intmax_t)req->offset, (intmax_t)req->length);
	return EXIT_DENIED;
}

static void wait_for_release(void)
{
	char line[64];

	if (fgets(line, sizeof(line), stdin) == NULL && ferror(stdin))
		fprintf(stderr, "ulm-local-lock: stdin: %s\n", strerror(errno));
}

int main(int argc, char **argv)
{
	struct request req;
	struct flock fl = {0};
	int fd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!parse_request(argc, argv, &req))
		return usage();
	fd = open(req.path, O_RDWR);
	if (fd < 0) {
		printf("ERR open %s: %s\n", req.path, strerror(errno));
		return EXIT_ERROR;
	}
	fl.l_type = req.type;
	fl.l_whence = SEEK_SET;
	fl.l_start = req.offset;
	fl.l_len = req.length;
	if (fcntl(fd, req.posix ? F_SETLK : F_OFD_SETLK, &fl) != 0) {
		if (errno == EAGAIN || errno == EACCES)
			return report_denied(fd, &req, &fl);
		printf("ERR fcntl: %s\n", strerror(errno));
		return EXIT_ERROR;
	}
	printf("OK\n");
	if (req.hold) {
		wait_for_release();
		close(fd); /* drops the lock */
		printf("OK\n");
	}
	return EXIT_GRANTED;
}
