/* sdnotify.h: the systemd notification protocol (sd_notify(3)) without
 * libsystemd: one datagram to $NOTIFY_SOCKET. */
#ifndef LICGATE_SDNOTIFY_H
#define LICGATE_SDNOTIFY_H

/* Sends state ("READY=1", "STOPPING=1", "STATUS=...") when run by systemd;
 * returns 1 if sent, 0 when there is no socket or sending failed. */
int sdnotify(const char *state);

#endif
