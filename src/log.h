/* log.h: daemon and tool logging, to stderr in the foreground, syslog otherwise. */
#ifndef LICGATE_LOG_H
#define LICGATE_LOG_H

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

#endif
