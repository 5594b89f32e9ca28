"""Public-notice name order (domain/notice_order.py): 姓氏笔画 (stroke count, then the strokes 横竖撇点折 one
by one) with compound surnames, pinyin with surname readings, ranking order, and the data it reads (Unihan
counts, rime-stroke sequences). Stroke sequences below are written out by hand from the characters'
components: 1 横 2 竖 3 撇 4 点 5 折."""

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
    stroke_sequence,
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
    rows = [ln.split("\t") for ln in lines]
    assert len({ch for ch, _ in rows}) == len(rows) > 27_000
    assert all(set(seq) <= set("12345") or set(seq) == {"0"} for _, seq in rows)
    # the file is in collation order: count, then sequence (unknown ones last in their count)
    counts = [(len(seq), seq.replace("0", "6")) for _, seq in rows]
    assert counts == sorted(counts)
    assert all(stroke_count(chr(cp)) for cp in range(0x4E00, 0x9FA6))  # the whole original URO
    known = sum(stroke_sequence(chr(cp)) is not None for cp in range(0x4E00, 0x9FA6))
    assert known == 20_902 - 25  # the 25 others (纛 and rare ones): the sequence has another count
    assert stroke_count("A") is None and stroke_count("·") is None and stroke_sequence("A") is None


COMMON_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚"
    "卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)


def test_common_surnames_have_a_full_stroke_sequence() -> None:
    for ch in COMMON_SURNAMES:
        seq = stroke_sequence(ch)
        assert seq is not None and len(seq) == stroke_count(ch), ch


@pytest.mark.parametrize(
    ("ch", "strokes"),
    [
        ("一", "1"), ("乙", "5"),
        ("丁", "12"),  # 一 亅 (竖钩 counts as 竖)
        ("卜", "24"), ("刁", "51"),  # 丨 丶; 𠃌 ㇀ (提 counts as 横)
        ("于", "112"), ("马", "551"), ("习", "541"), ("弓", "515"), ("门", "425"),
        ("王", "1121"), ("开", "1132"), ("井", "1132"), ("毛", "3115"), ("方", "4153"),
        ("尹", "5113"), ("孔", "5215"),  # 子 as a left part: 乛 亅 ㇀
        ("司", "51251"), ("刘", "413422"),  # 文 丶一丿㇏ + 刂 丨亅
        ("张", "5153154"), ("陈", "5215234"), ("李", "1234521"),  # 弓 + 长 丿一𠄌㇏; 阝 + 东 一𠃋亅丿丶
        ("欧", "13453534"),  # 区 一丿丶𠃊 + 欠 丿𠃌丿㇏
        ("明", "25113511"), ("杰", "12344444"), ("赵", "121213434"), ("黄", "12212512134"),
        ("䶮", "135341134"),  # 龙 一丿乚丿丶 over 天 一一丿㇏
        ("字", "445521"),  # corrected in the generator: the source table has 425521
    ],
)  # fmt: skip
def test_stroke_sequences_checked_by_hand(ch: str, strokes: str) -> None:
    assert stroke_sequence(ch) == strokes
    assert stroke_count(ch) == len(strokes)


def test_count_disagreements_resolved_as_documented() -> None:
    # 䴕 (列 + 鸟): Unihan says 17 (the traditional count), 通用规范汉字表 files it with the 11-stroke
    # characters and the sequence has 11: the table wins
    assert stroke_count("䴕") == 11 and stroke_sequence("䴕") == "13542235451"
    # 坰: the mainland entry has 9 strokes, kTotalStrokes 8; the CNS entry 土 121 + 冋 25251 has 8
    assert stroke_count("坰") == 8 and stroke_sequence("坰") == "12125251"
    # 纛: kTotalStrokes 25 kept, both sequences have 24: no sequence; 𬩽 (Extension F): no data
    assert stroke_count("纛") == 25 and stroke_sequence("纛") is None
    assert stroke_count("𬩽") == 8 and stroke_sequence("𬩽") is None


def test_surname_strokes_order() -> None:
    names = ["张伟", "李娜", "王芳", "丁一", "陈静", "刘洋"]
    # 丁(2) 王(4) 刘(6) 李(7) 张(7) 陈(7): 李 starts with 横, 张 and 陈 with 折; 张 (折横) before 陈 (折竖)
    assert notice_order(names) == ["丁一", "王芳", "刘洋", "李娜", "张伟", "陈静"]


def test_equal_counts_by_strokes_one_by_one() -> None:
    # two strokes: 丁 一亅 before 卜 丨丶 (first stroke 横 before 竖), 刁 𠃌㇀ (折) last
    assert notice_order(["刁德一", "卜凡", "丁一"]) == ["丁一", "卜凡", "刁德一"]
    # three strokes: 于 112, 万 153, 上(官) 211, 山 252, 千 312, 门 425, 弓 515, 卫 521, 习 541, 马 551
    names = ["马超", "习凿齿", "卫青", "弓长", "门庆", "千里", "山涛", "上官婉儿", "万章", "于谦"]
    assert notice_order(names) == names[::-1]
    # four strokes: 王 1121 before 开 1132 (third stroke 竖 before 撇); 毛 3115, 方 4153; 尹 5113 before
    # 孔 5215 (second stroke 横 before 竖) although 孔 is in the table's level 1 and 尹 in level 2
    names = ["王五", "开元", "毛毛", "方文", "尹力", "孔明"]
    assert notice_order(names[::-1]) == names
    # 马 (3) before 王 (4): the count first, whatever the strokes
    assert notice_order(["王五", "马六"]) == ["马六", "王五"]


def test_same_strokes_throughout_follow_the_standard_table() -> None:
    # 开 and 井 are both 一一丿丨: 通用规范汉字表 order (开 76, 井 77), whatever the input order
    assert stroke_sequence("开") == stroke_sequence("井")
    assert notice_order(["井一", "开一"]) == notice_order(["开一", "井一"]) == ["开一", "井一"]


def test_characters_without_a_sequence_come_after_their_count() -> None:
    # 𬩽 (8 strokes, no sequence) after 经 (8 strokes, 55154121, the last first stroke 折), before 9 strokes
    assert notice_order(["赵一", "𬩽一", "经一"]) == ["经一", "𬩽一", "赵一"]


def test_surname_first_then_given_name() -> None:
    # same surname: the given name's first character decides (一 1 stroke, 大 3, 明 8)
    assert notice_order(["王明", "王大", "王一"]) == ["王一", "王大", "王明"]
    # a longer surname stroke count loses even against a short given name
    assert notice_order(["李一", "王明明"]) == ["王明明", "李一"]
    # same surname, given names of equal count: 杰 12344444 before 明 25113511 (横 before 竖)
    assert notice_order(["李明", "李杰"]) == ["李杰", "李明"]
    # the first two characters tie: the third decides (红 6 strokes before 明 8)
    assert notice_order(["王小明", "王小红"]) == ["王小红", "王小明"]


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
    # compound surnames sharing 司: the second character decides, 马 (3) 空 (8) 徒 (10)
    assert notice_order(["司徒雷", "司空图", "司马光", "司明"]) == ["司明", "司马光", "司空图", "司徒雷"]
    # 欧阳 (欧 8) before 钱 (10) even with a long given name: the surname's first character first
    assert notice_order(["钱一", "欧阳修"]) == ["欧阳修", "钱一"]


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
