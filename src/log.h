/* log.h: daemon and tool logging, to stderr in the foreground, syslog
 * otherwise; and errf, the one way to fill an err/errsz buffer. */
#ifndef LICGATE_LOG_H
#define LICGATE_LOG_H

#include <stddef.h>

/* Sets the program name, where messages go (foreground: stderr) and whether
 * log_debug prints.  Safe to call again (SIGHUP, -d). */
void log_init(const char *progname, int foreground, int verbose);

/* log_warn appends ": strerror(errno)"; the x forms do not. */
/* Changes whether log_debug prints (configuration reload). */
void log_set_verbose(int verbose);

void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Log and exit(1): only for states the process cannot continue from
 * (out of memory, broken invariants), never for bad input. */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Writes one line into err (errsz bytes, cut to fit); returns 0, so that
 * a failing function can end with "return errf(err, errsz, ...);". */
int errf(char *err, size_t errsz, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
