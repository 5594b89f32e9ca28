"""A post of a recruitment round (招聘岗位). Before the written exam, a post whose qualified applicants are
fewer than posts × the opening ratio (开考比例) is cut (核减) or cancelled (取消) — only when an approval task
for that proposal is approved; a returned proposal leaves the post as it is."""

from __future__ import annotations

from typing import ClassVar

from statemachine import State

from states.base import Procedure


class RoundPostMachine(Procedure):
    procedure: ClassVar[str] = "round_post"
    label: ClassVar[str] = "招聘岗位"
    event_labels: ClassVar[dict[str, str]] = {
        "cut_posts": "核减招聘人数",
        "cancel": "取消岗位",
    }

    open = State("招聘中", value="open", initial=True)
    cut = State("已核减", value="cut")
    cancelled = State("已取消", value="cancelled", final=True)

    cut_posts = open.to(cut) | cut.to(cut)
    cancel = open.to(cancelled) | cut.to(cancelled)
