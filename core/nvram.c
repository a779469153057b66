/* NVRAM: startup-config in --nvram DIR, written atomically (temp file,
 * fsync, rename, fsync of the directory) so a crash never leaves a torn
 * configuration. Without --nvram the startup-config lives in memory. */
#include "core.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *nvdir;
static char *mem_startup;   /* when no directory is configured */

void nvram_set_dir(const char *dir)
{
	xstrset(&nvdir, dir);
}

static void path_of(char *out, size_t n, const char *file)
{
	snprintf(out, n, "%s/%s", nvdir, file);
}

char *nvram_read_startup(const char **err)
{
	*err = NULL;
	if (!nvdir) {
		if (!mem_startup)
			*err = "startup-config is not present";
		return mem_startup ? xstrdup(mem_startup) : NULL;
	}
	char path[4096];
	path_of(path, sizeof path, "startup-config");
	char *text = file_read_all(path);
	if (!text)
		*err = errno == ENOENT ? "startup-config is not present"
		       : errno == EIO ? "read error" : strerror(errno);
	return text;
}

static int fail(char *msg, size_t n, const char *what, const char *path)
{
	snprintf(msg, n, "%s %s: %s", what, path, strerror(errno));
	return -1;
}

int nvram_write_startup(const char *text, char *msg, size_t n)
{
	if (!nvdir) {
		xstrset(&mem_startup, text);
		return 0;
	}
	char path[4096], tmp[4200];
	path_of(path, sizeof path, "startup-config");
	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return fail(msg, n, "cannot create", tmp);
	size_t len = strlen(text), off = 0;
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = errno;
			close(fd);
			unlink(tmp);
			errno = e;
			return fail(msg, n, "cannot write", tmp);
		}
		off += (size_t)w;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		unlink(tmp);
		return fail(msg, n, "cannot sync", tmp);
	}
	if (rename(tmp, path) < 0) {
		unlink(tmp);
		return fail(msg, n, "cannot rename to", path);
	}
	int dfd = open(nvdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

int nvram_erase_startup(char *msg, size_t n)
{
	if (!nvdir) {
		free(mem_startup);
		mem_startup = NULL;
		return 0;
	}
	char path[4096];
	path_of(path, sizeof path, "startup-config");
	if (unlink(path) < 0 && errno != ENOENT)
		return fail(msg, n, "cannot erase", path);
	return 0;
}
