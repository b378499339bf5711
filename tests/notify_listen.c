/* notify_listen.c: stands in for systemd's end of NOTIFY_SOCKET in tests:
 * binds a datagram socket at PATH (or an abstract one for "@name") and
 * prints every message it receives as a line, until SECONDS pass without
 * one.  Usage: notify_listen PATH SECONDS */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct sockaddr_un sa;
	struct timeval tv;
	char buf[4096];
	size_t len;
	ssize_t n;
	int fd;

	if (argc != 3 || (len = strlen(argv[1])) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "usage: notify_listen PATH SECONDS\n");
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, argv[1], len);
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = '\0';
	tv.tv_sec = atoi(argv[2]);
	tv.tv_usec = 0;
	if ((fd = socket(AF_UNIX, SOCK_DGRAM, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sa, (socklen_t)(offsetof(struct
	    sockaddr_un, sun_path) + len)) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0) {
		perror(argv[1]);
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	while ((n = recv(fd, buf, sizeof(buf) - 1, 0)) >= 0) {
		buf[n] = '\0';
		printf("%s\n", buf);
		fflush(stdout);
	}
	close(fd);
	return 0;
}
