/* check_engine.c: engine selection and the none engine on real headers. */
#include "config.h"

#include <string.h>

#include "engine/engine.h"
#include "testutil.h"

static void
load(struct header *h, const char *rel)
{
	json_t *j = tu_json(rel);
	struct jerr e;

	ck_assert_msg(header_from_json(h, j, "$", &e), "%s: %s", e.path, e.why);
	json_decref(j);
}

START_TEST(engine_selection)
{
	struct engine *e = NULL;
	const char *why = NULL;

	ck_assert(engine_create(&e, "none", NULL, &why));
	ck_assert_str_eq(e->ops->name, "none");
	ck_assert_int_eq(e->ops->finality, ENGINE_FINAL_CONFIRMATIONS);
	ck_assert(!engine_has_state(e));
	engine_destroy(e);
	ck_assert(engine_create(&e, "clique", NULL, &why));
	ck_assert(engine_has_state(e));
	engine_destroy(e);
	ck_assert(engine_create(&e, "qbft", NULL, &why));
	ck_assert_int_eq(e->ops->finality, ENGINE_FINAL_INSTANT);
	engine_destroy(e);
	/* quorum needs its witnesses, and no more agreeing than there are. */
	ck_assert(!engine_create(&e, "quorum", NULL, &why));
	ck_assert_ptr_null(e);
	ck_assert(strstr(why, "rpc.url") != NULL);
	{
		const char *urls[2] = { "http://127.0.0.1:1", "http://127.0.0.1:2" };
		struct engine_config ec = { .urls = urls, .nurls = 2,
		    .min_agree = 3 };

		ck_assert(!engine_create(&e, "quorum", &ec, &why));
		ck_assert(strstr(why, "quorum.min_agree") != NULL);
		ec.min_agree = 2;
		ck_assert(engine_create(&e, "quorum", &ec, &why));
		ck_assert_int_eq(e->ops->finality, ENGINE_FINAL_TAG);
		engine_destroy(e);
	}
	ck_assert(!engine_create(&e, "pow", NULL, &why));
	ck_assert(strstr(why, "unknown consensus engine") != NULL);
	engine_destroy(NULL);
}
END_TEST

START_TEST(engine_none_on_real_blocks)
{
	struct header parent, child;
	struct engine *e;
	const char *why;

	load(&parent, "headers/mainnet_15537393_london.json");
	load(&child, "headers/mainnet_15537394_paris.json");
	ck_assert(engine_create(&e, "none", NULL, &why));
	ck_assert(engine_verify(e, &parent, NULL, &why));
	ck_assert(engine_verify(e, &child, &parent, &why));
	/* A child that claims to be older than its parent is refused. */
	child.timestamp = parent.timestamp - 1;
	ck_assert(!engine_verify(e, &child, &parent, &why));
	ck_assert_str_eq(why, "block time earlier than its parent's");
	engine_destroy(e);
}
END_TEST

static Suite *
engine_suite(void)
{
	Suite *s = suite_create("engine");
	TCase *tc = tcase_create("engine");

	tcase_add_test(tc, engine_selection);
	tcase_add_test(tc, engine_none_on_real_blocks);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(engine_suite());
}
