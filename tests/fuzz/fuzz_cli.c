/* libFuzzer target: arbitrary bytes as console / configuration input.
 * Every line goes through the grammar and the handlers in global
 * configuration mode (with sub-modes entered as the text says), then the
 * running-config is generated and pasted into a clean router again.
 * Crashes, sanitizer reports and hangs are the failures. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/core.h"
#include "../../router/router.h"
#include "../../cli/cli.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	router_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 65536)
		return 0;
	char *text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	/* a NUL ends the text, as it would end a C string read from a file */
	cli_exec_config_text(text, NULL);
	char *run = cfg_running_text();
	core_reset_all();
	/* the generated configuration must itself be accepted */
	cli_exec_config_text(run, NULL);
	char *again = cfg_running_text();
	core_reset_all();
	free(run);
	free(again);
	free(text);
	return 0;
}
