/*
 * modules.c - every test process registers the modules' configuration
 * sections before main, as slamond and slamon do first thing in theirs
 * (modules/modules.h). The helpers are an object library, so this file is
 * linked into every test.
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>

#include "modules/modules.h"

__attribute__((constructor)) static void tests_register_modules(void)
{
	if (modules_register() < 0) {
		fprintf(stderr, "tests: cannot register the configuration "
				"sections\n");
		abort();
	}
}
