"""The order of names on a public-notice list (公示名单): 姓氏笔画, exam ranking, or pinyin.

姓氏笔画 (surname strokes): by the stroke count of the surname's first character, then its next
characters, then the given name's characters in turn; names equal throughout keep their input order.
Characters of equal stroke count follow 通用规范汉字表 (2013), whose order within each of its three levels
is by stroke shapes 横竖撇点折 (GB 13000.1 笔画序); across its levels, and for characters outside it, the
order is approximate (table level, then Unicode radical-stroke order) — but always stable.
Data: domain/data/strokes.tsv and pinyin.tsv, generated from Unicode's Unihan database by
scripts/gen_han_data.py (kTotalStrokes, kTGH, kMandarin); no network at run time.

A compound surname (欧阳, 司马, 诸葛...) is the surname as a whole when the name has a given name after it,
so 欧明 (surname 欧) comes before 欧阳娜 (surname 欧阳). Separators (·, spaces) of minority names are
ignored; characters without data (Latin letters...) come after every Han character."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Literal, TypeVar

from domain.errors import InvalidInput

DATA = Path(__file__).resolve().parent / "data"
T = TypeVar("T")
NoticeOrder = Literal["surname_strokes", "ranking", "pinyin"]
NOTICE_ORDER_LABELS: dict[str, str] = {
    "surname_strokes": "按姓氏笔画排序",
    "ranking": "按考试总成绩排名排序",
    "pinyin": "按姓氏拼音排序",
}

# 百家姓 compound surnames and other common ones (longest match first)
# fmt: off
COMPOUND_SURNAMES: frozenset[str] = frozenset({
    "万俟", "司马", "上官", "欧阳", "夏侯", "诸葛", "闻人", "东方", "赫连", "皇甫", "尉迟", "公羊", "澹台",
    "公冶", "宗政", "濮阳", "淳于", "单于", "太叔", "申屠", "公孙", "仲孙", "轩辕", "令狐", "钟离", "宇文",
    "长孙", "慕容", "鲜于", "闾丘", "司徒", "司空", "亓官", "司寇", "子车", "颛孙", "端木", "巫马", "公西",
    "漆雕", "乐正", "壤驷", "公良", "拓跋", "夹谷", "宰父", "谷梁", "段干", "百里", "东郭", "南门", "呼延",
    "羊舌", "微生", "梁丘", "左丘", "东门", "西门", "南宫", "第五", "独孤", "爱新觉罗",
})

# Surname readings of polyphonic characters (现代汉语词典), where Unihan's first reading is another one.
SURNAME_READINGS: dict[str, tuple[str, ...]] = {
    "曾": ("zeng1",), "单": ("shan4",), "解": ("xie4",), "仇": ("qiu2",), "区": ("ou1",),
    "朴": ("piao2",), "查": ("zha1",), "盖": ("ge3",), "华": ("hua4",), "乐": ("yue4",),
    "员": ("yun4",), "缪": ("miao4",), "覃": ("qin2",), "翟": ("zhai2",), "召": ("shao4",),
    "宁": ("ning4",), "秘": ("bi4",), "繁": ("po2",), "阚": ("kan4",), "折": ("she2",),
    "薄": ("bo2",), "重": ("chong2",), "种": ("chong2",), "黑": ("he4",), "隗": ("wei3",),
    "那": ("na1",), "任": ("ren2",), "纪": ("ji3",), "燕": ("yan1",), "句": ("gou1",),
    "过": ("guo1",), "能": ("nai4",), "长": ("chang2",), "都": ("du1",), "於": ("yu1",),
    "郇": ("xun2",),
    "万俟": ("mo4", "qi2"), "尉迟": ("yu4", "chi2"), "长孙": ("zhang3", "sun1"), "单于": ("chan2", "yu2"),
    "澹台": ("tan2", "tai2"), "令狐": ("ling2", "hu2"), "乐正": ("yue4", "zheng4"),
}
# fmt: on
_COMPOUND_LENGTHS = sorted({len(s) for s in COMPOUND_SURNAMES}, reverse=True)
_SEPARATORS = frozenset(" \t\u3000·•・‧.．-")
_UNKNOWN = 1 << 30


@cache
def _strokes() -> tuple[dict[str, int], dict[str, int]]:
    """(character -> stroke count, character -> position in stroke collation order)."""
    counts: dict[str, int] = {}
    position: dict[str, int] = {}
    with open(DATA / "strokes.tsv", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            count, chars = line.rstrip("\n").split("\t")
            n = int(count)
            for ch in chars:
                counts[ch] = n
                position[ch] = len(position)
    return counts, position


@cache
def _readings() -> dict[str, tuple[str, int]]:
    """character -> (syllable letters with ü as v, tone 1-5)."""
    out: dict[str, tuple[str, int]] = {}
    with open(DATA / "pinyin.tsv", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            syllable, chars = line.rstrip("\n").split("\t")
            for ch in chars:
                out[ch] = (syllable[:-1], int(syllable[-1]))
    return out


def stroke_count(ch: str) -> int | None:
    """kTotalStrokes of a Han character (the mainland count); None for anything else."""
    return _strokes()[0].get(ch)


def split_surname(name: str) -> tuple[str, str]:
    """(surname, given name); a compound surname counts only when a given name follows it."""
    chars = "".join(ch for ch in name if ch not in _SEPARATORS)
    for n in _COMPOUND_LENGTHS:
        if len(chars) > n and chars[:n] in COMPOUND_SURNAMES:
            return chars[:n], chars[n:]
    return chars[:1], chars[1:]


def surname_stroke_key(name: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Sort key for 姓氏笔画 order: the surname's characters, then the given name's."""
    position = _strokes()[1]
    surname, given = split_surname(name)
    return (
        tuple(position.get(ch, _UNKNOWN + ord(ch)) for ch in surname),
        tuple(position.get(ch, _UNKNOWN + ord(ch)) for ch in given),
    )


def pinyin_key(name: str) -> tuple[tuple[tuple[str, int, int], ...], tuple[tuple[str, int, int], ...]]:
    """Sort key for pinyin order: each character by syllable, tone, then strokes; the surname read as a
    surname (曾 zēng, 单 shàn...)."""
    readings, position = _readings(), _strokes()[1]
    surname, given = split_surname(name)
    special = SURNAME_READINGS.get(surname, ())

    def key(ch: str, reading: str | None = None) -> tuple[str, int, int]:
        pos = position.get(ch, _UNKNOWN + ord(ch))
        if reading is not None:
            return reading[:-1], int(reading[-1]), pos
        letters, tone = readings.get(ch, ("~" + ch, 0))  # "~" sorts after every letter
        return letters, tone, pos

    head = tuple(key(ch, special[k] if k < len(special) else None) for k, ch in enumerate(surname))
    return head, tuple(key(ch) for ch in given)


def _as_str(item: object) -> str:
    if not isinstance(item, str):
        raise InvalidInput("名单项须为姓名字符串，或提供取姓名的函数", code="invalid_notice_names")
    return item


def notice_order(
    items: Sequence[T],
    order: NoticeOrder | str = "surname_strokes",
    *,
    name: Callable[[T], str] | None = None,
) -> list[T]:
    """`items` (names, or rows with `name` to read their name) in the public-notice order. "ranking"
    keeps the given order (pass the rows in ranking order); the sorts are stable."""
    get: Callable[[T], str] = name if name is not None else _as_str
    if order == "ranking":
        return list(items)
    if order == "surname_strokes":
        return sorted(items, key=lambda item: surname_stroke_key(get(item)))
    if order == "pinyin":
        return sorted(items, key=lambda item: pinyin_key(get(item)))
    raise InvalidInput(
        f"公示名单排序方式应为 {', '.join(NOTICE_ORDER_LABELS)} 之一，收到 {order!r}",
        code="invalid_notice_order",
    )
