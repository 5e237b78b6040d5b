/*
 * test_addr.c — the same place written two ways is the same address, a
 * real difference is still one (issue 11: the card writes １２－７ and
 * U+3000; SC-4, ID-3 difference view).
 */
#include <string.h>

#include "core.h"
#include "harness.h"

TEST(full_width_block_numbers_equal_ascii)
{
	char out[256];

	CHECK(addr_same("東京都清瀬市観布子南１２－７－２０２", "東京都清瀬市観布子南12-7-202"));
	CHECK(addr_same("１２－７", "12-7"));
	CHECK(addr_same("12−7", "12-7"));			/* U+2212 minus */
	CHECK(addr_same("12ー7", "12-7"));			/* long vowel mark after a digit */
	CHECK(addr_same("窓口市　東区 1-3-8", "窓口市東区1-3-8"));	/* spaces */
	CHECK_INT(addr_normalize("観布子南１２－７－２０２", out, sizeof(out)),
	    (int)strlen("観布子南12-7-202"));
	CHECK_STR(out, "観布子南12-7-202");
}

TEST(chome_ban_go_equal_dashes)
{
	CHECK(addr_same("窓口市東区東山１丁目３番８号", "窓口市東区東山1-3-8"));
	CHECK(addr_same("窓口市東区東山1丁目3-8", "窓口市東区東山1-3-8"));
	CHECK(addr_same("窓口市東区東山1丁目3番8号", "窓口市東区東山1丁目3-8"));
	CHECK(addr_same("窓口市北区本町一丁目2番3号", "窓口市北区本町1-2-3"));
	CHECK(addr_same("本町二十三番地", "本町23"));
	CHECK(addr_same("本町5番地の2", "本町5-2"));
}

TEST(real_differences_stay)
{
	CHECK(!addr_same("窓口市東区東山1丁目3番8号", "窓口市東区東山1丁目3番9号"));
	CHECK(!addr_same("１２－７", "12-8"));
	CHECK(!addr_same("窓口市東区東山1-3-8", "窓口市西区東山1-3-8"));
	CHECK(!addr_same("1-3-8", "13-8"));
	CHECK(!addr_same("12-7-202", "12-7"));			/* the room number */
	/* Kanji numerals that are part of a name are left alone. */
	CHECK(!addr_same("三鷹市1-2", "3鷹市1-2"));
	CHECK(addr_same("三鷹市1-2", "三鷹市１－２"));
}

TEST(bad_input_is_refused_not_crashed)
{
	char out[8];

	CHECK_INT(addr_normalize("\xff\xfe", out, sizeof(out)), ERR_FORMAT);
	CHECK_INT(addr_normalize("東京都清瀬市観布子南", out, sizeof(out)), ERR_RANGE);
	CHECK(addr_same("", ""));
}

