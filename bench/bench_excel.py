"""Benchmark: the Excel files of a recruitment round at size.

    .venv/bin/python bench/bench_excel.py [--rows 20000]

Prints seconds to parse an N-row applicant import (every row checked through the registration form), to
write an N-row applicant export (streamed, IDs masked), and to parse an N-row score import, with file
sizes and peak memory. Target: a few seconds each for 20,000 rows. A printout, never a test."""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path

from openpyxl import Workbook

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from forms.applicant_context import ApplicantContext, PostChoice, choices  # noqa: E402
from forms.applicant_excel import parse_applicants  # noqa: E402
from forms.applicant_export import applicants_export  # noqa: E402
from forms.application_input import ALL_COLUMNS  # noqa: E402
from forms.score_excel import parse_scores, score_columns  # noqa: E402

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(i: int) -> str:
    """A distinct valid ID per i: birth date from i // 1000, sequence from i % 1000."""
    born = date(1985, 1, 1) + timedelta(days=i // 1000)
    body = f"150102{born:%Y%m%d}{i % 1000:03d}"
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, WEIGHTS, strict=True)) % 11]
    return body + check


def context(posts: int) -> ApplicantContext:
    return ApplicantContext(
        today=date(2025, 6, 1),
        posts=tuple(PostChoice(f"{i:03d}", "社区专职工作人员", f"第{i}社区") for i in range(1, posts + 1)),
        relaxation_groups=choices([("veteran", "退役军人"), ("resident_volunteer", "居民志愿者")]),
        priority_groups=choices([("social_work_certificate", "持有国家社会工作职业资格证书的人员")]),
        disqualifications=choices([("criminal_record", "因犯罪受过刑事处罚或者涉嫌犯罪尚未结案")]),
    )


def applicant_file(n: int, posts: int) -> bytes:
    """As Excel saves it: strings in the shared-string table (openpyxl's write-only mode would inline them,
    which its reader parses several times slower than any file Excel writes)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "报名信息"
    ws.append(list(ALL_COLUMNS))
    for i in range(n):
        row = {
            "姓名": "张" + "三四五六七八九十"[i % 8] + ("明" if i % 2 else ""),
            "公民身份号码": id_number(i),
            "手机号码": f"138{i:08d}",
            "学历": ("大学专科", "大学本科", "研究生")[i % 3],
            "专业": "社会工作",
            "毕业院校": "内蒙古大学",
            "户籍所在地代码": "150102",
            "户籍所在地": "呼和浩特市新城区",
            "报考岗位代码": f"{1 + i % posts:03d}",
            "是否街道推荐": "是" if i % 10 == 0 else "否",
            "推荐类别": "退役军人" if i % 10 == 0 else None,
            "优先条件": "持有国家社会工作职业资格证书的人员" if i % 7 == 0 else None,
            "已签署承诺": "是",
        }
        if i % 50 == 0:
            row.update({"亲属1姓名": "李四", "亲属1关系": "夫妻关系", "亲属1工作单位代码": "150102001"})
        ws.append([row.get(h) for h in ALL_COLUMNS])
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def score_file(n: int) -> tuple[bytes, dict[str, str]]:
    wb = Workbook()
    ws = wb.active
    ws.title = "成绩"
    ws.append(list(score_columns("written")))
    known = {}
    for i in range(n):
        ticket = f"2025{i:08d}"
        known[ticket] = "张三"
        ws.append([ticket, "张三", "001", "缺考" if i % 97 == 0 else round(60 + (i % 400) / 10, 1)])
    out = BytesIO()
    wb.save(out)
    return out.getvalue(), known


def timed(label: str, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    """Seconds of one run, then the peak Python memory of a second run (tracemalloc slows it down)."""
    t0 = time.perf_counter()
    result = fn(*args, **kwargs)
    seconds = time.perf_counter() - t0
    tracemalloc.start()
    fn(*args, **kwargs)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{label:<34} {seconds:6.2f} s   peak {peak / 2**20:6.1f} MiB")
    return result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=20_000)
    ap.add_argument("--posts", type=int, default=200)
    args = ap.parse_args()
    ctx = context(args.posts)
    data = applicant_file(args.rows, args.posts)
    print(f"applicant import file: {args.rows} rows, {len(data) / 2**20:.1f} MiB")
    result = timed(f"parse {args.rows}-row import", parse_applicants, data, ctx)
    print(f"  {len(result.rows)} rows, {len(result.errors)} errors")
    rows = [
        {
            "序号": r.row - 1,
            "姓名": r.registration.name,
            "公民身份号码": r.registration.id_number,
            "手机号码": r.registration.phone,
            "学历": r.registration.education,
            "专业": r.registration.major,
            "毕业院校": r.registration.school,
            "户籍所在地": r.registration.household_place,
            "报考岗位代码": r.post_code,
            "优先条件": r.registration.priority_groups,
            "状态": "资格审查中",
        }
        for r in result.rows
    ]
    columns = list(rows[0]) if rows else ["姓名"]
    out = timed(
        f"write {len(rows)}-row export", lambda: applicants_export(iter(rows), columns, mask_ids=True)
    )
    print(f"  export file {len(out) / 2**20:.1f} MiB")
    scores, known = score_file(args.rows)
    parsed = timed(f"parse {args.rows}-row score import", parse_scores, scores, "written", known, decimals=1)
    print(f"  {len(parsed.rows)} rows, {len(parsed.errors)} errors")


if __name__ == "__main__":
    main()
