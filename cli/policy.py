"""`shegong policy`: list the policy profiles, show a chain's effective values with the source of each."""

from __future__ import annotations

import json
import unicodedata
from datetime import date

import typer

from policies import PolicyError, load_catalog

app = typer.Typer(help="政策参数 / jurisdiction policy profiles", no_args_is_help=True)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _fit(text: str, width: int) -> str:
    """Cut `text` to `width` display columns (an ellipsis marks a cut) and pad it to exactly that width."""
    if _width(text) > width:
        out = ""
        for c in text:
            if _width(out + c) > width - 1:
                break
            out += c
        text = out + "…"
    return text + " " * (width - _width(text))


def _table(headers: list[str], rows: list[list[str]], widths: list[int]) -> str:
    lines = ["  ".join(_fit(h, w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(_fit(c, w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    return "\n".join(lines)


def _parse_date(value: str | None) -> date:
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"日期应为 YYYY-MM-DD 格式: {value}") from None


@app.command("list")
def list_profiles() -> None:
    """List the profiles: key, short name, name, parent, effective date, document."""
    catalog = load_catalog()
    rows = []
    ordered = catalog.keys()  # parents before children
    for key in ordered:
        m = catalog.meta(key)
        rows.append(
            [key, m.short_name, m.name, m.parent or "-", m.effective_from.isoformat(), m.document_title]
        )
    typer.echo(_table(["key", "简称", "名称", "上级", "生效日期", "文件"], rows, [16, 5, 18, 16, 10, 60]))


@app.command()
def show(
    key_or_chain: str = typer.Argument(..., help="profile key or chain root→leaf, e.g. inner_mongolia,ordos"),
    on: str | None = typer.Option(None, "--on", help="date YYYY-MM-DD (default: today)"),
    as_json: bool = typer.Option(False, "--json", help="print the pinned JSON form instead of the table"),
    full: bool = typer.Option(False, "--full", help="do not shorten values; add notes"),
) -> None:
    """Show the effective profile of a chain on a date, with the article, basis and source of every value."""
    keys = [k.strip() for k in key_or_chain.split(",") if k.strip()]
    try:
        profile = load_catalog().resolve(keys, _parse_date(on))
    except PolicyError as exc:
        typer.echo(f"{exc.message} [{exc.code}]", err=True)
        raise typer.Exit(1) from exc
    if as_json:
        typer.echo(json.dumps(profile.to_json(), ensure_ascii=False, indent=2))
        return
    typer.echo(
        f"配置链 {' → '.join(profile.chain)}，{profile.on.isoformat()} 生效的取值"
        f"（指纹 {profile.fingerprint[:12]}）"
    )
    rows = []
    for r in profile.explain():
        since = r.effective_from.isoformat() if r.effective_from else ""
        if r.effective_until:
            since += f"~{r.effective_until.isoformat()}"
        row = [r.path, r.display, r.article, r.basis, r.source_key or "", since]
        if full:
            row.append(r.note or "")
        rows.append(row)
    headers = ["路径", "取值", "出处", "依据", "来源配置", "生效"]
    widths = [52, 48, 34, 12, 14, 21]
    if full:
        headers.append("说明")
        widths = [52, max(_width(r[1]) for r in rows), 34, 12, 14, 21, max(_width(r[6]) for r in rows)]
    typer.echo(_table(headers, rows, widths))
