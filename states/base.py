"""What every procedure machine shares: binding to a row, the list of actions allowed now, the set-wise
transition table for bulk paths, and the Mermaid diagram with the current state highlighted.

A machine class is the single source for a procedure's states and transitions: the database CHECK of
status values, the API's allowed actions and the diagrams are all read from it."""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from typing import Any, ClassVar, NamedTuple

from statemachine import State, StateMachine
from statemachine.callbacks import CallbackGroup
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
    def bind(cls, model: Any, field: str = "status") -> Binding:
        """The machine bound to a row. A machine whose transitions carry no actions (only guards named
        by method, as all of ours) is applied from its own compiled transition table, ~40x cheaper
        than constructing the machine; any other machine (or a model with convention callbacks such as
        `on_enter_x`) gets the full python-statemachine instance. Both behave alike (tested state by
        state, event by event, guard by guard in tests/unit/test_machine_bindings.py)."""
        table = _light_table(cls, type(model))
        if table is None:
            return FullBinding(cls(model, state_field=field))
        return LightBinding(cls, table, model, field)

    @classmethod
    def full(cls, model: Any, field: str = "status") -> FullBinding:
        """Always the full python-statemachine instance (for the equivalence tests and callers that need
        the library's API)."""
        return FullBinding(cls(model, state_field=field))

    def allowed(self) -> list[str]:
        return [e.id for e in self.allowed_events]

    def fire(self, event: str, **kwargs: Any) -> None:
        """Send `event`; refuse with a clear error when it is not allowed in the current state."""
        try:
            self.send(event, **kwargs)
        except TransitionNotAllowed as exc:
            raise refusal(type(self), self.current_state_value, event, self.allowed()) from exc


def refusal(cls: type[Procedure], state: str, event: str, allowed: list[str]) -> TransitionRefused:
    label = cls.status_labels().get(state, state)
    return TransitionRefused(
        f"{cls.label}当前为「{label}」，不能执行「{cls.event_labels.get(event, event)}」",
        details={"state": state, "event": event, "allowed": allowed},
    )


class Binding(ABC):
    """A procedure machine bound to a row: fire an event (refused with TransitionRefused when the row's
    state does not allow it), the events allowed now, the current state value."""

    @abstractmethod
    def fire(self, event: str, **kwargs: Any) -> None: ...

    @abstractmethod
    def allowed(self) -> list[str]: ...

    @property
    @abstractmethod
    def state(self) -> str: ...


class FullBinding(Binding):
    def __init__(self, machine: Procedure) -> None:
        self.machine = machine

    def fire(self, event: str, **kwargs: Any) -> None:
        self.machine.fire(event, **kwargs)

    def allowed(self) -> list[str]:
        return self.machine.allowed()

    @property
    def state(self) -> str:
        return str(self.machine.current_state_value)


class _Guard(NamedTuple):
    method: Any  # the machine class's function, called with the binding as `self`
    expected: bool  # cond=True, unless=False
    params: tuple[str, ...]  # the names it takes besides self


class _Move(NamedTuple):
    target: State
    source: State
    guards: tuple[_Guard, ...]


class _Table(NamedTuple):
    moves: dict[tuple[str, str], list[_Move]]  # (source value, event) -> transitions in document order
    allowed: dict[str, list[str]]  # source value -> events, as the library lists them
    initial: str


# What python-statemachine injects into callbacks by parameter name. A guard may take `target`, `source`
# and `model` (the light binding passes those too); one that asks for any other of these needs the
# library's own machine.
_INJECTED = {"event", "event_data", "machine", "model", "source", "state", "target", "transition", "args"}
_LIGHT_INJECTED = {"target", "source", "model"}
_ACTION_GROUPS = ("before", "on", "after", "validators")
_tables: dict[tuple[type[Procedure], type], _Table | None] = {}


def _resolves(name: str, cls: type, model_type: type) -> bool:
    return hasattr(cls, name) or hasattr(model_type, name)


def _light_table(cls: type[Procedure], model_type: type) -> _Table | None:
    """The compiled transition table of `cls` for rows of `model_type`, or None when the machine (or the
    model) has anything a light binding would skip: actions, validators, enter/exit callbacks, guards
    that are expressions or ask for what the library injects, compound states, eventless moves."""
    key = (cls, model_type)
    if key not in _tables:
        _tables[key] = _compile(cls, model_type)
    return _tables[key]


def _compile(cls: type[Procedure], model_type: type) -> _Table | None:
    if _resolves("prepare_event", cls, model_type):
        return None
    moves: dict[tuple[str, str], list[_Move]] = {}
    allowed: dict[str, list[str]] = {}
    for state in cls.states:
        if state.is_compound or state.parallel or state.is_history:
            return None
        for spec in (*state.enter, *state.exit, *state.invoke):
            if not spec.is_convention or _resolves(spec.func, cls, model_type):
                return None
        for t in state.transitions:
            if t.is_eventless or len(t.targets) != 1:
                return None
            for group in _ACTION_GROUPS:
                for spec in getattr(t, group):
                    if not spec.is_convention or _resolves(spec.func, cls, model_type):
                        return None
            guards: list[_Guard] = []
            for spec in t.cond:
                if spec.group is not CallbackGroup.COND or spec.is_convention:
                    return None
                name = spec.func
                method = cls.__dict__.get(name) if isinstance(name, str) else None
                if method is None or not name.isidentifier() or not inspect.isfunction(method):
                    return None
                params = tuple(inspect.signature(method).parameters)[1:]
                if any(p in _INJECTED and p not in _LIGHT_INJECTED for p in params):
                    return None
                guards.append(_Guard(method, bool(spec.expected_value), params))
            for event in str(t.event).split():
                moves.setdefault((state.value, event), []).append(_Move(t.target, state, tuple(guards)))
                events = allowed.setdefault(state.value, [])
                if event not in events:
                    events.append(event)
    initial = next(s.value for s in cls.states if s.initial)
    return _Table(moves, allowed, initial)


class LightBinding(Binding):
    """The machine class's compiled transition table applied to one row: the first transition (in the
    class's order) from the row's state whose guards hold moves it; none refuses, as the machine would."""

    def __init__(self, cls: type[Procedure], table: _Table, model: Any, field: str) -> None:
        self.cls, self.table, self.model, self.field = cls, table, model, field
        if getattr(model, field) is None:  # as the library does: a new row enters the initial state
            setattr(model, field, table.initial)

    @property
    def state(self) -> str:
        return str(getattr(self.model, self.field))

    def allowed(self) -> list[str]:
        return list(self.table.allowed.get(self.state, []))

    def fire(self, event: str, **kwargs: Any) -> None:
        state = self.state
        for move in self.table.moves.get((state, event), ()):
            if all(self._holds(g, move, kwargs) for g in move.guards):
                setattr(self.model, self.field, move.target.value)
                return
        raise refusal(self.cls, state, event, self.allowed())

    def _holds(self, guard: _Guard, move: _Move, kwargs: dict[str, Any]) -> bool:
        known = {"target": move.target, "source": move.source, "model": self.model, **kwargs}
        args = {p: known[p] for p in guard.params if p in known}
        return bool(guard.method(self, **args)) is guard.expected
