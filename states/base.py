"""What every procedure machine shares: binding to a row, the list of actions allowed now, the set-wise
transition table for bulk paths, and the Mermaid diagram with the current state highlighted.

A machine class is the single source for a procedure's states and transitions: the database CHECK of
status values, the API's allowed actions and the diagrams are all read from it."""

from __future__ import annotations

from typing import Any, ClassVar

from statemachine import StateMachine
from statemachine.exceptions import TransitionNotAllowed

from domain.errors import TransitionRefused


class Procedure(StateMachine):
    """Base of every procedure machine. Subclasses set `procedure` (the one name used everywhere),
    `label` (Chinese) and `event_labels` (Chinese label per event)."""

    procedure: ClassVar[str] = ""
    label: ClassVar[str] = ""
    event_labels: ClassVar[dict[str, str]] = {}
    # The article each event rests on when the profile does not name a more specific one.
    event_articles: ClassVar[dict[str, str]] = {}

    @classmethod
    def status_values(cls) -> list[str]:
        return [s.value for s in cls.states]

    @classmethod
    def status_labels(cls) -> dict[str, str]:
        return {s.value: s.name for s in cls.states}

    @classmethod
    def final_values(cls) -> set[str]:
        return {s.value for s in cls.states if s.final}

    @classmethod
    def transition_table(cls) -> dict[str, list[tuple[str, str]]]:
        """event -> [(source, target)], for bulk paths that move many rows with one UPDATE (and for
        listings that must not bind a machine per row). Built once per class."""
        cached = cls.__dict__.get("_transition_table")
        if cached is not None:
            return cached  # type: ignore[no-any-return]
        table: dict[str, list[tuple[str, str]]] = {}
        for state in cls.states:
            for t in state.transitions:
                for event in str(t.event).split():
                    table.setdefault(event, []).append((state.value, t.target.value))
        cls._transition_table = table  # type: ignore[attr-defined]
        return table

    @classmethod
    def sources_of(cls, event: str) -> set[str]:
        return {src for src, _ in cls.transition_table().get(event, [])}

    @classmethod
    def mermaid(cls, current: str | None = None) -> str:
        """The state diagram in Mermaid, labels in Chinese, the current state highlighted."""
        lines = ["stateDiagram-v2", "    direction LR"]
        for s in cls.states:
            lines.append(f'    state "{s.name}" as {s.value}')
        for s in cls.states:
            if s.initial:
                lines.append(f"    [*] --> {s.value}")
            if s.final:
                lines.append(f"    {s.value} --> [*]")
        seen: set[tuple[str, str, str]] = set()
        for s in cls.states:
            for t in s.transitions:
                for event in str(t.event).split():
                    key = (s.value, t.target.value, event)
                    if key in seen:
                        continue
                    seen.add(key)
                    lines.append(f"    {s.value} --> {t.target.value} : {cls.event_labels.get(event, event)}")
        if current:
            lines.append("    classDef current fill:#c0392b,color:#fff,stroke:#7b241c,stroke-width:2px")
            lines.append(f"    class {current} current")
        return "\n".join(lines)

    @classmethod
    def bind(cls, model: Any, field: str = "status") -> Procedure:
        return cls(model, state_field=field)

    def allowed(self) -> list[str]:
        return [e.id for e in self.allowed_events]

    def fire(self, event: str, **kwargs: Any) -> None:
        """Send `event`; refuse with a clear error when it is not allowed in the current state."""
        try:
            self.send(event, **kwargs)
        except TransitionNotAllowed as exc:
            state = self.current_state_value
            label = self.status_labels().get(state, state)
            raise TransitionRefused(
                f"{self.label}当前为「{label}」，不能执行「{self.event_labels.get(event, event)}」",
                details={"state": state, "event": event, "allowed": self.allowed()},
            ) from exc
