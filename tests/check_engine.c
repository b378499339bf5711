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

/* A fixture holding the header itself or under "header". */
static void
load_any(struct header *h, const char *rel)
{
	json_t *j = tu_json(rel), *obj = json_object_get(j, "header");
	struct jerr e;

	ck_assert_msg(header_from_json(h, obj != NULL ? obj : j, "$", &e),
	    "%s: %s: %s", rel, e.path, e.why);
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

/* licgatectl init's guess from one header, on real headers of each kind:
 * Goerli, Rinkeby and EthereumJS Clique blocks, a Besu QBFT block, and
 * mainnet's proof-of-work and proof-of-stake ones.  (None of the Clique
 * files is an epoch block; ejs_live.sh has init read a genesis that lists
 * its signer.) */
START_TEST(engine_recognise_real_headers)
{
	static const char *const clique[] = { "clique/goerli_1.json",
	    "clique/goerli_1539938.json", "clique/rinkeby_1.json",
	    "clique/rinkeby_269.json", "clique/ejs_1.json" };
	static const char *const none[] = { "headers/mainnet_0_genesis.json",
	    "headers/mainnet_1_frontier.json",
	    "headers/mainnet_15537394_paris.json",
	    "headers/mainnet_22431084_prague.json" };
	struct header h;
	size_t i;

	for (i = 0; i < sizeof(clique) / sizeof(clique[0]); i++) {
		load_any(&h, clique[i]);
		ck_assert_msg(strcmp(engine_recognise(&h), "clique") == 0,
		    "%s: %s", clique[i], engine_recognise(&h));
	}
	for (i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
		load_any(&h, none[i]);
		ck_assert_msg(strcmp(engine_recognise(&h), "none") == 0,
		    "%s: %s", none[i], engine_recognise(&h));
	}
	load_any(&h, "qbft/besu_qbft_7528.json");
	ck_assert_str_eq(engine_recognise(&h), "qbft");
	/* Each guess rests on its engine's own rules: a BFT extraData cut
	 * short, or a Clique block of difficulty 3, is neither. */
	h.extra_len -= 1;
	ck_assert_str_eq(engine_recognise(&h), "none");
	load_any(&h, "clique/goerli_1.json");
	h.difficulty[0] = 3;
	ck_assert_str_eq(engine_recognise(&h), "none");
}
END_TEST

static Suite *
engine_suite(void)
{
	Suite *s = suite_create("engine");
	TCase *tc = tcase_create("engine");

	tcase_add_test(tc, engine_selection);
	tcase_add_test(tc, engine_none_on_real_blocks);
	tcase_add_test(tc, engine_recognise_real_headers);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(engine_suite());
}
