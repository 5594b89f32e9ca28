"""The light binding (a machine class's compiled transition table applied to one row) behaves exactly as
the full python-statemachine instance: for every machine, every state, every event and every value of
the arguments its guards take, both move the row to the same state or both refuse with the same error."""

from __future__ import annotations

import importlib
import inspect
import itertools
import pkgutil
from dataclasses import dataclass
from typing import Any

import pytest

import states
from domain.errors import TransitionRefused
from states.base import FullBinding, LightBinding, Procedure


def _machines() -> list[type[Procedure]]:
    for mod in pkgutil.iter_modules(states.__path__):
        importlib.import_module(f"states.{mod.name}")
    found: list[type[Procedure]] = []
    todo = list(Procedure.__subclasses__())
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if cls.states:
            found.append(cls)
    return sorted(found, key=lambda c: c.__name__)


MACHINES = _machines()


@dataclass
class Row:
    status: str | None


def _values(cls: type[Procedure], name: str, default: Any) -> list[Any]:
    """Values worth trying for a guard's argument: absent (its default), and what it distinguishes."""
    if isinstance(default, bool):
        return [True, False]
    if isinstance(default, int):
        return [0, 1, 2]
    return [None, *cls.status_values(), "no_such_state"]


def _kwargs_cases(cls: type[Procedure]) -> list[dict[str, Any]]:
    params: dict[str, Any] = {}
    for state in cls.states:
        for t in state.transitions:
            for spec in t.cond:
                fn = getattr(cls, spec.func)
                for p in list(inspect.signature(fn).parameters.values())[1:]:
                    if p.name not in ("target", "source", "model"):
                        params[p.name] = p.default
    names = sorted(params)
    cases: list[dict[str, Any]] = [{}]
    choices = [[..., *_values(cls, n, params[n])] for n in names]  # ... = argument not passed
    for combo in itertools.product(*choices):
        cases.append({n: v for n, v in zip(names, combo, strict=True) if v is not ...})
    return cases


def _outcome(binding: Any, row: Row, event: str, kwargs: dict[str, Any]) -> tuple[str, Any]:
    try:
        binding.fire(event, **kwargs)
    except TransitionRefused as exc:
        return "refused", (str(exc), exc.details)
    return "moved", row.status


def test_every_machine_of_ours_takes_the_light_path() -> None:
    """A machine given an action or an expression guard falls back to the full machine (correct, but
    ~40x slower per request): this says so when it happens."""
    assert MACHINES, "no machine classes found"
    for cls in MACHINES:
        assert isinstance(cls.bind(Row(cls.status_values()[0])), LightBinding), cls.__name__


@pytest.mark.parametrize("cls", MACHINES, ids=lambda c: c.__name__)
def test_light_and_full_bindings_agree(cls: type[Procedure]) -> None:
    events = sorted({e for e in cls.transition_table()} | {"no_such_event"})
    checked = 0
    for state in cls.status_values():
        assert cls.bind(Row(state)).allowed() == cls.full(Row(state)).allowed(), state
        for event in events:
            for kwargs in _kwargs_cases(cls):
                light_row, full_row = Row(state), Row(state)
                light = _outcome(cls.bind(light_row), light_row, event, kwargs)
                full = _outcome(cls.full(full_row), full_row, event, kwargs)
                assert light == full, (state, event, kwargs)
                checked += 1
    assert checked > len(cls.status_values())


@pytest.mark.parametrize("cls", MACHINES, ids=lambda c: c.__name__)
def test_a_new_row_enters_the_initial_state_either_way(cls: type[Procedure]) -> None:
    light_row, full_row = Row(None), Row(None)
    assert cls.bind(light_row).state == cls.full(full_row).state == full_row.status == light_row.status


def test_a_model_callback_makes_the_binding_full() -> None:
    """A row class with a convention callback (on_enter_<state>) gets the library's machine, which runs it."""
    from states.task import TaskMachine

    seen: list[str] = []

    @dataclass
    class Noisy:
        status: str

        def on_enter_claimed(self) -> None:
            seen.append("claimed")

    binding = TaskMachine.bind(Noisy("open"))
    assert isinstance(binding, FullBinding)
    binding.fire("claim")
    assert seen == ["claimed"]
