/* licgatectl: the admin's tool.  Its verbs are listed in one table; each
 * is defined in its own src/ctl_NAME.c (see ctl.h). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "log.h"

static const struct ctl_verb *const ctl_verbs[] = {
	&ctl_verb_verify_block,
	&ctl_verb_verify_proof,
	&ctl_verb_verify_seal,
	&ctl_verb_keygen,
	&ctl_verb_key_info,
	&ctl_verb_request,
	&ctl_verb_install_report,
	&ctl_verb_verify,
	&ctl_verb_status,
	&ctl_verb_events,
	&ctl_verb_installs,
	&ctl_verb_install_proof,
	&ctl_verb_verify_install,
	&ctl_verb_dump,
	&ctl_verb_init,
};
#define NVERBS (sizeof(ctl_verbs) / sizeof(ctl_verbs[0]))

static const struct ctl_verb *
ctl_find(const char *name)
{
	size_t i;

	for (i = 0; i < NVERBS; i++)
		if (strcmp(ctl_verbs[i]->name, name) == 0)
			return ctl_verbs[i];
	return NULL;
}

int
ctl_usage(const struct ctl_verb *v)
{
	fprintf(stderr, "usage: licgatectl %s %s\n", v->name, v->usage);
	return CTL_BADINPUT;
}

int
ctl_verb_help(const struct ctl_verb *v)
{
	printf("usage: licgatectl %s %s\n  %s\n", v->name, v->usage,
	    v->summary);
	return CTL_OK;
}

static void
ctl_help(FILE *f)
{
	size_t i;

	fprintf(f, "usage: licgatectl [--help | --version] VERB [ARGS]\n\n"
	    "Inspect chain data and the licgate gateway.\n\nVerbs:\n");
	for (i = 0; i < NVERBS; i++)
		fprintf(f, "  %-14s %s\n", ctl_verbs[i]->name,
		    ctl_verbs[i]->summary);
	fprintf(f, "\n'licgatectl VERB --help' shows a verb's arguments. "
	    "See licgatectl(8).\nExit status: 0 ok, 1 verification failed, "
	    "2 bad input or usage.\n");
}

int
main(int argc, char **argv)
{
	const struct ctl_verb *v;

	log_init("licgatectl", 1, 0);
	if (argc < 2) {
		ctl_help(stderr);
		return CTL_BADINPUT;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		ctl_help(stdout);
		return CTL_OK;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("licgatectl %s\n", PACKAGE_VERSION);
		return CTL_OK;
	}
	if ((v = ctl_find(argv[1])) == NULL) {
		fprintf(stderr, "licgatectl: unknown verb '%s' "
		    "(licgatectl --help lists them)\n", argv[1]);
		return CTL_BADINPUT;
	}
	if (argc > 2 && (strcmp(argv[2], "--help") == 0 ||
	    strcmp(argv[2], "-h") == 0))
		return ctl_verb_help(v);
	return v->run(v, argc - 1, argv + 1);
}
