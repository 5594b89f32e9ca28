"""Public-notice name order (domain/notice_order.py): 姓氏笔画 with compound surnames, pinyin with surname
readings, ranking order, and the Unihan-derived data it reads."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from domain.errors import InvalidInput
from domain.notice_order import (
    DATA,
    notice_order,
    pinyin_key,
    split_surname,
    stroke_count,
    surname_stroke_key,
)


@pytest.mark.parametrize(
    ("ch", "strokes"),
    [
        ("丁", 2), ("马", 3), ("王", 4), ("司", 5), ("刘", 6), ("李", 7), ("张", 7), ("陈", 7), ("周", 8),
        ("欧", 8), ("赵", 9), ("诸", 10), ("黄", 11), ("葛", 12), ("曾", 12), ("魏", 17), ("戴", 17),
        ("張", 11), ("䶮", 9),  # 䶮: Extension A (刘䶮), 龙 over 天
    ],
)  # fmt: skip
def test_stroke_counts_from_unihan(ch: str, strokes: int) -> None:
    assert stroke_count(ch) == strokes


def test_data_covers_the_common_blocks() -> None:
    lines = [ln for ln in (DATA / "strokes.tsv").read_text(encoding="utf-8").splitlines() if ln[:1] != "#"]
    chars = "".join(ln.split("\t")[1] for ln in lines)
    assert len(chars) == len(set(chars)) > 27_000
    assert all(stroke_count(chr(cp)) for cp in range(0x4E00, 0x9FA6))  # the whole original URO
    assert stroke_count("A") is None and stroke_count("·") is None


def test_surname_strokes_order() -> None:
    names = ["张伟", "李娜", "王芳", "丁一", "陈静", "刘洋"]
    # 丁(2) 王(4) 刘(6) 李(7) 张(7) 陈(7): 李 starts with 横, 张 and 陈 with 折; 张 (折横) before 陈 (折竖)
    assert notice_order(names) == ["丁一", "王芳", "刘洋", "李娜", "张伟", "陈静"]


def test_equal_strokes_follow_the_standard_table_order() -> None:
    # four strokes, 通用规范汉字表 level 1: 王 (横) 毛 (撇) 方 (点) 孔 尹 (折)
    assert notice_order(["尹力", "孔明", "方文", "毛毛", "王五"]) == ["王五", "毛毛", "方文", "孔明", "尹力"]


def test_surname_first_then_given_name() -> None:
    # same surname: the given name's first character decides (一 1 stroke, 大 3, 明 8)
    assert notice_order(["王明", "王大", "王一"]) == ["王一", "王大", "王明"]
    # a longer surname stroke count loses even against a short given name
    assert notice_order(["李一", "王明明"]) == ["王明明", "李一"]


def test_compound_surnames_count_as_the_surname() -> None:
    assert split_surname("欧阳娜娜") == ("欧阳", "娜娜")
    assert split_surname("司马光") == ("司马", "光")
    assert split_surname("诸葛亮") == ("诸葛", "亮")
    assert split_surname("欧阳") == ("欧", "阳")  # nothing after it: 欧 is the surname
    assert split_surname("王五") == ("王", "五")
    # 欧 (8 strokes) before 欧阳: the single surname's group first, whatever the given names
    assert notice_order(["欧阳一", "欧明", "欧阳娜娜"]) == ["欧明", "欧阳一", "欧阳娜娜"]
    # 司马 (司 5 strokes) sorts among the 5-stroke surnames, after 司 alone; 诸葛 (诸 10) later
    assert notice_order(["诸葛亮", "司马光", "司明", "刘备"]) == ["司明", "司马光", "刘备", "诸葛亮"]
    assert surname_stroke_key("司马光")[0] > surname_stroke_key("司明")[0]


def test_minority_names_and_unknown_characters() -> None:
    # separators are ignored; Latin letters come after every Han character
    assert split_surname("阿依古丽·买买提") == ("阿", "依古丽买买提")
    assert notice_order(["Tom", "巴特尔", "丁一"]) == ["丁一", "巴特尔", "Tom"]


def test_equal_names_keep_their_input_order() -> None:
    @dataclass
    class Row:
        name: str
        app: int

    rows = [Row("王芳", 1), Row("丁一", 2), Row("王芳", 3)]
    assert [r.app for r in notice_order(rows, name=lambda r: r.name)] == [2, 1, 3]


def test_pinyin_order_with_surname_readings() -> None:
    names = ["张三", "曾国藩", "单田芳", "李四", "阿依古丽", "吕布", "卢植", "欧明", "欧阳修"]
    # 曾 read zēng (after zang... before zhang), 单 shàn; 卢 lu before 吕 lü
    assert notice_order(names, "pinyin") == [
        "阿依古丽",
        "李四",
        "卢植",
        "吕布",
        "欧明",
        "欧阳修",
        "单田芳",
        "曾国藩",
        "张三",
    ]
    assert pinyin_key("曾国藩")[0] == (("zeng", 1, pinyin_key("曾国藩")[0][0][2]),)


def test_ranking_keeps_the_given_order_and_bad_order_refused() -> None:
    assert notice_order(["张三", "丁一"], "ranking") == ["张三", "丁一"]
    with pytest.raises(InvalidInput) as e:
        notice_order(["张三"], "by_height")
    assert e.value.code == "invalid_notice_order"
    with pytest.raises(InvalidInput):
        notice_order([1, 2])  # rows without a name function
