/* ctl.h: licgatectl verbs.  Each verb is a function in its own ctl_*.c file,
 * registered in the table in licgatectl.c. */
#ifndef LICGATE_CTL_H
#define LICGATE_CTL_H

/* Exit codes every verb uses. */
#define CTL_OK		0	/* checked and good */
#define CTL_MISMATCH	1	/* checked and bad: the data does not verify */
#define CTL_BADINPUT	2	/* malformed input or wrong usage */

/* A verb gets argv with argv[0] = the verb's name and returns an exit code. */
struct ctl_verb {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;	/* arguments, after the verb's name */
	const char *summary;	/* one line for --help */
};

/* Prints "usage: licgatectl VERB USAGE" to stderr; returns CTL_BADINPUT. */
int ctl_usage(const struct ctl_verb *v);
/* Finds a verb by name, or NULL. */
const struct ctl_verb *ctl_find(const char *name);

/* The verbs (one file each: src/ctl_NAME.c). */
int ctl_verify_block(int argc, char **argv);
int ctl_verify_proof(int argc, char **argv);
int ctl_verify_seal(int argc, char **argv);
int ctl_keygen(int argc, char **argv);
int ctl_key_info(int argc, char **argv);
int ctl_request(int argc, char **argv);
int ctl_verify_token(int argc, char **argv);
int ctl_status(int argc, char **argv);
int ctl_events(int argc, char **argv);
int ctl_dump(int argc, char **argv);
int ctl_init(int argc, char **argv);

#endif
