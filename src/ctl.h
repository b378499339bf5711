/* ctl.h: licgatectl verbs.  Each verb is one src/ctl_NAME.c file that
 * defines its struct ctl_verb; licgatectl.c lists them in one table and
 * prints every usage line from it. */
#ifndef LICGATE_CTL_H
#define LICGATE_CTL_H

/* Exit codes every verb uses. */
#define CTL_OK		0	/* checked and good */
#define CTL_MISMATCH	1	/* checked and bad: the data does not verify */
#define CTL_BADINPUT	2	/* malformed input or wrong usage */

/* A verb: run gets the verb itself (for its usage line) and argv with
 * argv[0] = the verb's name, and returns an exit code. */
struct ctl_verb {
	const char *name;
	const char *usage;	/* arguments, after the verb's name */
	const char *summary;	/* one line for --help */
	int (*run)(const struct ctl_verb *self, int argc, char **argv);
};

/* Prints "usage: licgatectl VERB USAGE" to stderr; returns CTL_BADINPUT. */
int ctl_usage(const struct ctl_verb *v);
/* Prints the usage line and summary to stdout (VERB --help); returns
 * CTL_OK. */
int ctl_verb_help(const struct ctl_verb *v);

/* The verbs, in the order licgatectl --help lists them. */
extern const struct ctl_verb ctl_verb_verify_block;
extern const struct ctl_verb ctl_verb_verify_proof;
extern const struct ctl_verb ctl_verb_verify_seal;
extern const struct ctl_verb ctl_verb_keygen;
extern const struct ctl_verb ctl_verb_key_info;
extern const struct ctl_verb ctl_verb_request;
extern const struct ctl_verb ctl_verb_install_report;
extern const struct ctl_verb ctl_verb_verify;
extern const struct ctl_verb ctl_verb_status;
extern const struct ctl_verb ctl_verb_events;
extern const struct ctl_verb ctl_verb_installs;
extern const struct ctl_verb ctl_verb_install_proof;
extern const struct ctl_verb ctl_verb_verify_install;
extern const struct ctl_verb ctl_verb_dump;
extern const struct ctl_verb ctl_verb_init;

#endif
