"""Search keys: what a clerk types finds the name as the register writes it.

A member's name and フリガナ are stored a second time, folded (``name_key``, ``kana_key``,
indexed), and a search folds what was typed the same way and matches the start of either
key (an index range); only when nothing starts with it, any part of them (a scan). Folding:

1. NFKC: full-width digits and latin become ASCII, half-width kana full-width;
2. variation selectors (IVS) dropped, spaces of either width removed, latin lower-cased;
3. katakana → hiragana (ヨシダ, ﾖｼﾀﾞ and よしだ are one key);
4. 異体字 → one representative (``VARIANTS``): 𠮷田 and 吉田, 髙橋 and 高橋 are one key.

Every ORM write of a member fills the keys (a mapper event below); the CSV import's bulk
insert calls ``member_keys`` itself; migration 0015 filled the rows that existed before.
"""
from __future__ import annotations

import re
import unicodedata

from sqlalchemy import and_, event, or_

from ..extensions import db
from ..models import Member

#: 異体字 → the representative a search key uses. Not a claim that the characters are the
#: same (a name is printed as registered): only that a clerk typing one means the other.
#: Sources, line by line. "Unihan" is the Unicode Character Database's Unihan_Variants.txt
#: (15.0, as Debian's unicode-data package ships it); "別表第二" is 戸籍法施行規則 別表第二
#: 漢字の表 二 (法務省: the 旧字体 of 常用漢字 allowed in names, each with its 常用漢字 in
#: brackets); "issue 12" is this project's tracker (the pairs clerks asked for by name).
VARIANTS: dict[str, str] = {
    "𠮷": "吉",  # U+20BB7 → U+5409  Unihan kSpoofingVariant; issue 12 (吉田/𠮷田)
    "﨑": "崎",  # U+FA11  → U+5D0E  Unihan kSemanticVariant; issue 12 (山崎/山﨑)
    "嵜": "崎",  # U+5D5C  → U+5D0E  common surname variant (宮嵜); issue 12 "the common ones"
    "髙": "高",  # U+9AD9  → U+9AD8  Unihan kSemanticVariant; issue 12 (高橋/髙橋)
    "齊": "斉",  # U+9F4A  → U+6589  Unihan kSemanticVariant; 別表第二 齊（斉）; issue 12
    "齋": "斉",  # U+9F4B  → U+6589  issue 12 (斉藤 → 齋藤): 齋 is 斎's 旧字体 (Unihan
    "斎": "斉",  # U+658E  → U+6589   kSemanticVariant 齋/斋); 斉藤・斎藤・齋藤・齊藤 are one surname to a clerk
    "邊": "辺",  # U+908A  → U+8FBA  辺's 旧字体 (Unihan kSemanticVariant 邊/边); issue 12
    "邉": "辺",  # U+9089  → U+8FBA  邊's 異体 (渡邉); issue 12
    "澤": "沢",  # U+6FA4  → U+6CA2  沢's 旧字体 (surnames 澤田, 大澤); issue 12
    "濱": "浜",  # U+6FF1  → U+6D5C  浜's 旧字体 (surname 濱田); issue 12
    "嶋": "島",  # U+5D8B  → U+5CF6  島's 異体 (surnames 中嶋, 嶋田); issue 12
    "嶌": "島",  # U+5D8C  → U+5CF6  島's 異体 (surname 中嶌)
    "廣": "広",  # U+5EE3  → U+5E83  別表第二 廣（広）; issue 12
    "國": "国",  # U+570B  → U+56FD  Unihan kSimplifiedVariant; 別表第二 國（国）; issue 12
    "櫻": "桜",  # U+6AFB  → U+685C  別表第二 櫻（桜）; issue 12
    "龍": "竜",  # U+9F8D  → U+7ADC  Unihan kSpecializedSemanticVariant; issue 12
    "惠": "恵",  # U+60E0  → U+6075  別表第二 惠（恵）
    "德": "徳",  # U+5FB7  → U+5FB3  別表第二 德（徳）
    "實": "実",  # U+5BE6  → U+5B9F  別表第二 實（実）
    "壽": "寿",  # U+58FD  → U+5BFF  Unihan kSemanticVariant; 別表第二 壽（寿）
    "條": "条",  # U+689D  → U+6761  Unihan kSemanticVariant; 別表第二 條（条）
    "眞": "真",  # U+771E  → U+771F  Unihan kSemanticVariant; 別表第二 眞（真）
    "藏": "蔵",  # U+85CF  → U+8535  別表第二 藏（蔵）
    "峯": "峰",  # U+5CEF  → U+5CF0  Unihan kSemanticVariant; 別表第二 峯（峰）
    "冨": "富",  # U+51A8  → U+5BCC  富's 異体 (surname 冨田)
    "萬": "万",  # U+842C  → U+4E07  Unihan kSemanticVariant; 別表第二 萬（万）
    "與": "与",  # U+8207  → U+4E0E  Unihan kSemanticVariant; 別表第二 與（与）
    "增": "増",  # U+589E  → U+5897  別表第二 增（増）
    "瀨": "瀬",  # U+7028  → U+702C  別表第二 瀨（瀬）
    "團": "団",  # U+5718  → U+56E3  別表第二 團（団）
    "顯": "顕",  # U+986F  → U+9855  Unihan kSemanticVariant; 別表第二 顯（顕）
    "舘": "館",  # U+8218  → U+9928  Unihan kSemanticVariant (surname 舘野)
    "籐": "藤",  # U+7C50  → U+85E4  Unihan kSemanticVariant
    "戶": "戸",  # U+6236  → U+6238  Unihan kZVariant
}
#: one pass: katakana → hiragana, 異体字 → representative, variation selectors dropped
_TABLE = str.maketrans({**{chr(c): chr(c - 0x60) for c in range(ord("ァ"), ord("ヶ") + 1)},
                        **VARIANTS,
                        **{chr(c): None for c in range(0xFE00, 0xFE10)},
                        **{chr(c): None for c in range(0xE0100, 0xE01F0)}})
#: sorts after every character: ``key < prefix + _LAST`` is "starts with prefix" as a range
_LAST = "\U0010FFFF"


def fold(text: str | None) -> str:
    """The search form of ``text`` (a name, a フリガナ, or what was typed)."""
    value = text or ""
    if not unicodedata.is_normalized("NFKC", value):
        value = unicodedata.normalize("NFKC", value)
    return "".join(value.split()).lower().translate(_TABLE)


def member_keys(name: str | None, name_kana: str | None) -> dict[str, str]:
    """The stored keys of a member with this name and フリガナ (column: value)."""
    return {"name_key": fold(name)[:200], "kana_key": fold(name_kana)[:200]}


def starts_with(column, prefix: str):
    """``column`` begins with ``prefix``, as a range an ordinary index answers on SQLite and
    on PostgreSQL (the keys are stored with the C collation there: byte order)."""
    return (column >= prefix) & (column < prefix + _LAST)


def name_matches(q: str):
    """The condition: a member's name or フリガナ starts with what was typed (folded), or
    None when nothing is left to match after folding."""
    key = fold(q)[:200]
    if not key:
        return None
    return or_(starts_with(Member.name_key, key), starts_with(Member.kana_key, key))


_CODE_SEPARATORS = re.compile(r"[\s\-・,、]+")


def find_members(q: str, *, where=None, limit: int = 100) -> list[Member]:
    """Members whose 記号・番号[・枝番] are what was typed ("1234 5678", "１２３４－５６７８－０１",
    either alone), or whose name or フリガナ starts with it (folded: ``fold``; an index
    range), among those ``where`` allows (a staff member's scope, the CLI's --insurer).
    When nothing matches so, the names and フリガナ that contain it (一部一致: a scan, so
    only then)."""
    text = unicodedata.normalize("NFKC", q or "").strip()
    tokens = [t for t in _CODE_SEPARATORS.split(text) if t]
    if not tokens:
        return []
    if len(tokens) >= 2:
        codes = [Member.symbol == tokens[0], Member.number == tokens[1]]
        if len(tokens) >= 3:
            codes.append(Member.branch == tokens[2])
        conditions = [and_(*codes)]
    else:
        conditions = [Member.symbol == tokens[0], Member.number == tokens[0]]
    key = fold(text)[:200]
    if key:
        conditions += [starts_with(Member.name_key, key), starts_with(Member.kana_key, key)]
    found = _members(or_(*conditions), where, limit)
    if not found and key:
        found = _members(or_(Member.name_key.contains(key, autoescape=True),
                             Member.kana_key.contains(key, autoescape=True)), where, limit)
    return found


def _members(condition, where, limit: int) -> list[Member]:
    query = db.select(Member).where(condition)
    if where is not None:
        query = query.where(where)
    return list(db.session.scalars(query.order_by(Member.symbol, Member.number, Member.branch,
                                                  Member.id).limit(limit)))


@event.listens_for(Member, "before_insert")
@event.listens_for(Member, "before_update")
def _keep_keys(mapper, connection, member: Member) -> None:
    """Every ORM write (form enrol and edit, a dependent, a CSV row's correction, the demo)."""
    for column, value in member_keys(member.name, member.name_kana).items():
        if getattr(member, column) != value:
            setattr(member, column, value)
