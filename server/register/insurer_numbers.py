"""保険者番号: 8 digits = 法別番号 + 都道府県番号 + 保険者別番号 + 検証番号 (Luhn),
or 6 digits for 国民健康保険 (no 法別番号)."""
from __future__ import annotations

from functools import lru_cache

#: 法別番号 of insurers (domain.md). 67 is historical but still appears in old data.
LAW_CODES = {
    "01": "協会けんぽ", "02": "船員保険", "03": "日雇特例", "04": "日雇特例",
    "06": "組合管掌健康保険", "07": "自衛官等", "31": "国家公務員共済", "32": "地方公務員等共済",
    "33": "警察共済", "34": "公立学校・私学共済", "39": "後期高齢者医療", "63": "特例退職",
    "67": "国保退職者医療", "72": "特例退職（共済）", "73": "特例退職（共済）",
    "74": "特例退職（共済）", "75": "特例退職（共済）",
}


def check_digit(body: str) -> int:
    """Luhn: from the rightmost digit multiply by 2,1,2,1…, add the digits of each product."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        product = int(ch) * (2 if i % 2 == 0 else 1)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10


@lru_cache(maxsize=1024)       # a CSV import asks about the same few numbers on every row
def problem(number: str) -> tuple[str, str] | None:
    """None when valid, else (Japanese, English) reasons."""
    if not number.isascii() or not number.isdigit() or len(number) not in (6, 8):
        return "8桁（国保は6桁）の数字で入力してください", "must be 8 digits (6 for 国保)"
    prefecture = number[-6:-4] if len(number) == 8 else number[:2]
    if len(number) == 8 and number[:2] not in LAW_CODES:
        return f"法別番号 {number[:2]} は保険者のものではありません", f"unknown 法別番号 {number[:2]}"
    if not 1 <= int(prefecture) <= 47:
        return "都道府県番号は01〜47です", "the prefecture code must be 01-47"
    if check_digit(number[:-1]) != int(number[-1]):
        return "検証番号（最後の桁）が一致しません", "the check digit (last digit) does not match"
    return None
