"""Member validation: every rule, both ways, through the one entry point (validate_member).

Each case overrides one field of a valid row (a cross-field rule sometimes needs a
second). An invalid value must be reported on its own field, in Japanese and English,
without repeating personal data back.
"""
from datetime import date

import pytest

from server.register.validation import MemberInput, ValidationError, validate_member

TODAY = date(2026, 11, 27)
BASE = {
    "insurer_number": "06138093", "symbol": "1234", "number": "5678", "branch": "00",
    "relationship": "1", "name": "𠮷田 太郎", "name_kana": "ヨシダ タロウ", "sex": "1",
    "birth_date": "1980-05-15", "acquired_on": "2015-04-01", "copay_ratio": "30",
    "mynumber_last4": "4821",
}
MY_NUMBER = "123456789012"


def validate(**overrides) -> MemberInput:
    return validate_member({**BASE, **overrides}, today=TODAY)


def ok(field, value, expected, id, **also):
    return pytest.param({field: value, **also}, field, expected, id=id)


def bad(field, value, id, **also):
    return pytest.param({field: value, **also}, field, id=id)


VALID = [
    # 保険者番号: 8 digits, known 法別番号, prefecture 01-47, Luhn 検証番号; 国保 6 digits
    *(ok("insurer_number", n, n, f"insurer-{n}") for n in (
        "33120015", "01040013", "01130012", "06138093", "63132286", "31130685", "39131156",
        "39130000")),
    ok("insurer_number", "138156", "138156", "insurer-kokuho-6-digits"),
    ok("insurer_number", "０６１３８０９３", "06138093", "insurer-full-width-normalised"),
    # 記号・番号
    ok("symbol", "ABC123", "ABC123", "symbol-half-width-alphanumerics"),
    ok("symbol", "東京アイ", "東京アイ", "symbol-all-full-width-kanji-kana"),
    ok("symbol", "ＡＢ１２", "AB12", "symbol-full-width-ascii-normalised"),
    ok("symbol", "", "", "symbol-empty-allowed"),
    ok("symbol", "東" * 12, "東" * 12, "symbol-36-bytes"),
    ok("symbol", "A" * 38, "A" * 38, "symbol-38-bytes"),
    ok("number", "5678", "5678", "number-digits"),
    ok("number", "ｎｏ１", "no1", "number-full-width-ascii-normalised"),
    ok("number", "第一", "第一", "number-kanji"),
    # 枝番
    ok("branch", "00", "00", "branch-00"),
    ok("branch", "99", "99", "branch-99"),
    ok("branch", "０１", "01", "branch-full-width"),
    ok("branch", "", "", "branch-empty-stays-empty"),
    # 本人・家族, 性別
    ok("relationship", "1", 1, "relationship-1"),
    ok("relationship", "2", 2, "relationship-2"),
    ok("relationship", "本人", 1, "relationship-honnin"),
    ok("relationship", "家族", 2, "relationship-kazoku"),
    ok("sex", "1", 1, "sex-1"),
    ok("sex", "2", 2, "sex-2"),
    ok("sex", "3", 3, "sex-3-unset"),
    # 生年月日: ISO or 和暦, 1900 to today
    ok("birth_date", "1900-01-01", date(1900, 1, 1), "birth-1900-01-01"),
    ok("birth_date", "1980/5/15", date(1980, 5, 15), "birth-slashes"),
    ok("birth_date", "H1.10.1", date(1989, 10, 1), "birth-wareki-short"),
    ok("birth_date", "平成元年10月1日", date(1989, 10, 1), "birth-wareki-long-gannen"),
    ok("birth_date", "S55.5.15", date(1980, 5, 15), "birth-wareki-showa"),
    ok("birth_date", "2026-11-27", TODAY, "birth-today", acquired_on="2026-11-27"),
    # 資格取得・喪失
    ok("acquired_on", "1980-05-15", date(1980, 5, 15), "acquired-on-birth-date"),
    ok("acquired_on", "2027-11-28", date(2027, 11, 28), "acquired-a-year-ahead"),
    ok("lost_on", "2015-04-01", date(2015, 4, 1), "lost-on-acquired-date"),
    ok("lost_on", "", None, "lost-empty"),
    # 負担割合
    ok("copay_ratio", "10", 10, "ratio-10"),
    ok("copay_ratio", "20", 20, "ratio-20"),
    ok("copay_ratio", "30", 30, "ratio-30"),
    ok("copay_ratio", "1", 10, "ratio-1"),
    ok("copay_ratio", "2", 20, "ratio-2"),
    ok("copay_ratio", "3", 30, "ratio-3"),
    ok("copay_ratio", "3割", 30, "ratio-3-wari"),
    ok("copay_from", "2024-04-01", date(2024, 4, 1), "copay-from-given"),
    # 氏名: NFC, full Unicode
    ok("name", "すか\u3099わら", "すがわら", "name-nfc-composes"),
    ok("name", "𠮷田 太郎", "𠮷田 太郎", "name-non-bmp-kanji"),
    ok("name", "葛\U000E0100飾 花子", "葛\U000E0100飾 花子", "name-ideographic-variation-sequence"),
    ok("name", "髙橋 﨑", "髙橋 﨑", "name-variant-kanji"),
    ok("name", "𠮷" * 100, "𠮷" * 100, "name-100-chars"),
    # フリガナ
    ok("name_kana", "ヨシダ タロウ", "ヨシダ タロウ", "kana-katakana"),
    ok("name_kana", "よしだ たろう", "ヨシダ タロウ", "kana-hiragana-to-katakana"),
    ok("name_kana", "ﾖｼﾀﾞ ﾀﾛｳ", "ヨシダ タロウ", "kana-half-width-to-full-width"),
    # マイナンバー下4桁
    ok("mynumber_last4", "4821", "4821", "last4-four-digits"),
    ok("mynumber_last4", "４８２１", "4821", "last4-full-width"),
    ok("mynumber_last4", "", None, "last4-empty"),
    # 限度額適用区分 and consent
    *(ok("limit_category", c, c, f"limit-{c}") for c in ("A01", "A06", "B01", "B10")),
    ok("limit_category", "b04", "B04", "limit-lower-case-normalised"),
    ok("limit_category", "", None, "limit-empty"),
    ok("limit_consent", "1", True, "consent-with-category", limit_category="B04"),
    ok("limit_consent", "", False, "no-consent"),
]

INVALID = [
    bad("insurer_number", "06138094", "insurer-wrong-check-digit"),
    bad("insurer_number", "0613809", "insurer-7-digits"),
    bad("insurer_number", "13815", "insurer-5-digits"),
    bad("insurer_number", "80137151", "insurer-unknown-law-code-80"),
    bad("insurer_number", "99138091", "insurer-unknown-law-code-99"),
    bad("insurer_number", "06008098", "insurer-prefecture-00"),
    bad("insurer_number", "06488092", "insurer-prefecture-48"),
    bad("insurer_number", "008151", "insurer-kokuho-prefecture-00"),
    bad("insurer_number", "138157", "insurer-kokuho-wrong-check-digit"),
    bad("insurer_number", "0613809A", "insurer-letters"),
    bad("insurer_number", "", "insurer-missing"),
    bad("symbol", "東京12", "symbol-mixed-kanji-and-half-width"),
    bad("symbol", "ｱｲｳ", "symbol-half-width-kana"),
    bad("symbol", "AB-12", "symbol-punctuation"),
    bad("symbol", "A" * 39, "symbol-39-bytes"),
    bad("symbol", "東" * 13, "symbol-39-bytes-kanji"),
    bad("symbol", "東京\x07", "symbol-control-character"),
    bad("number", "", "number-empty"),
    bad("number", "番号12", "number-mixed"),
    bad("number", "56 78", "number-half-width-space"),
    bad("branch", "1", "branch-1-digit"),
    bad("branch", "001", "branch-3-digits"),
    bad("branch", "ab", "branch-letters"),
    bad("relationship", "3", "relationship-3"),
    bad("relationship", "", "relationship-missing"),
    bad("sex", "0", "sex-0"),
    bad("sex", "4", "sex-4"),
    bad("birth_date", "2026-11-28", "birth-future"),
    bad("birth_date", "1899-12-31", "birth-before-1900"),
    bad("birth_date", "2026-02-30", "birth-impossible-date"),
    bad("birth_date", "平成31年5月1日", "birth-heisei-after-its-end"),
    bad("birth_date", "someday", "birth-not-a-date"),
    bad("acquired_on", "1980-05-14", "acquired-before-birth"),
    bad("acquired_on", "2027-11-29", "acquired-more-than-a-year-ahead"),
    bad("acquired_on", "", "acquired-missing"),
    bad("lost_on", "2015-03-31", "lost-before-acquired"),
    bad("copay_ratio", "25", "ratio-25"),
    bad("copay_ratio", "4割", "ratio-4-wari"),
    bad("copay_ratio", "", "ratio-missing"),
    bad("copay_from", "1980-05-14", "copay-from-before-birth"),
    bad("name", "𠮷田\x07太郎", "name-bell"),
    bad("name", "𠮷田\u202e太郎", "name-bidi-override"),
    bad("name", "𠮷田\u200f太郎", "name-right-to-left-mark"),      # what a token may not carry
    bad("name", "𠮷田\u061c太郎", "name-arabic-letter-mark"),
    bad("name", "𠮷田\u200b太郎", "name-zero-width-space"),
    bad("symbol", "記号\u200e", "symbol-left-to-right-mark"),
    bad("name", "𠮷田\ue000郎", "name-private-use-gaiji"),
    bad("name", "𠮷" * 101, "name-101-chars"),
    bad("name", "   ", "name-blank"),
    bad("name_kana", "Yoshida Taro", "kana-latin"),
    bad("name_kana", "𠮷田", "kana-kanji"),
    bad("mynumber_last4", MY_NUMBER, "last4-full-my-number"),
    bad("mynumber_last4", "1234 5678 9012", "last4-full-my-number-spaced"),
    bad("mynumber_last4", "123", "last4-3-digits"),
    bad("mynumber_last4", "12345", "last4-5-digits"),
    bad("limit_category", "X99", "limit-X99"),
    bad("limit_category", "A07", "limit-A07"),
    bad("limit_category", "B11", "limit-B11"),
    bad("limit_consent", "1", "consent-without-category"),
]


def test_the_base_row_is_valid_and_cleaned():
    assert validate() == MemberInput(
        insurer_number="06138093", symbol="1234", number="5678", branch="00", relationship=1,
        name="𠮷田 太郎", name_kana="ヨシダ タロウ", sex=1, birth_date=date(1980, 5, 15),
        acquired_on=date(2015, 4, 1), copay_ratio=30, copay_from=date(2015, 4, 1),
        mynumber_last4="4821", lost_on=None, limit_category=None, limit_consent=False)


@pytest.mark.parametrize(("overrides", "field", "expected"), VALID)
def test_valid_value_is_accepted_and_normalised(overrides, field, expected):
    assert getattr(validate(**overrides), field) == expected


@pytest.mark.parametrize(("overrides", "field"), INVALID)
def test_invalid_value_is_refused_on_its_field(overrides, field):
    with pytest.raises(ValidationError) as caught:
        validate(**overrides)
    errors = caught.value.errors
    assert [e.field for e in errors] == [field]
    assert all(e.ja.strip() and e.en.strip() for e in errors)
    for value in overrides.values():
        if len(value.strip()) >= 4:     # a name, a My Number, a code: never echoed back
            assert value not in str(caught.value)
            assert all(value not in e.ja and value not in e.en for e in errors)


def test_copay_from_defaults_to_acquired_on():
    assert validate(acquired_on="2020-04-01").copay_from == date(2020, 4, 1)


def test_a_full_my_number_is_never_echoed():
    with pytest.raises(ValidationError) as caught:
        validate(mynumber_last4=MY_NUMBER)
    for text in (str(caught.value), repr(caught.value), repr(caught.value.errors)):
        assert MY_NUMBER not in text and MY_NUMBER[-4:] not in text


def test_every_error_in_a_row_is_reported_together():
    with pytest.raises(ValidationError) as caught:
        validate(insurer_number="06138094", number="", branch="1", name="𠮷田\x07太郎",
                 acquired_on="1970-01-01", copay_ratio="25", mynumber_last4=MY_NUMBER)
    assert [e.field for e in caught.value.errors] == [
        "insurer_number", "number", "branch", "name", "copay_ratio", "mynumber_last4",
        "acquired_on"]
    assert caught.value.for_field("branch") and not caught.value.for_field("sex")


@pytest.mark.parametrize("compat", ["\uFA10", "\uFA19", "\U0002F800"])
def test_cjk_compatibility_ideographs_keep_their_glyph(compat):
    from server.register.validation import nfc_keeping_variants
    assert nfc_keeping_variants(f"{compat}本 か\u3099") == f"{compat}本 が"
