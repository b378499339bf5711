/* conf_example: prints gateway.conf.example from the option table (the file
 * at the top of the tree must equal this output; tests/conf_example.sh). */
#include "config.h"

#include <stdio.h>

#include "conf.h"

int
main(void)
{
	conf_print_example(stdout);
	return 0;
}
