"""The shape of a profile as dotted paths: which paths are leaves (merged as one unit) and of what type.
Derived from the pydantic models, so the data files, the loader and explain() cannot drift apart."""

from __future__ import annotations

import types
from collections.abc import Iterator
from functools import cache
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel

from policies.base import Cited, Provenance
from policies.models import ProfileBody


def _unwrap_optional(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _walk(model: type[BaseModel], prefix: str, out: dict[str, type[Provenance]]) -> None:
    for name, field in model.model_fields.items():
        path = f"{prefix}{name}"
        target = _unwrap_optional(field.annotation)
        if isinstance(target, type) and issubclass(target, Provenance):
            out[path] = target
        elif isinstance(target, type) and issubclass(target, BaseModel):
            _walk(target, f"{path}.", out)
        else:  # pragma: no cover - a programming error in the models
            raise TypeError(f"profile field {path} must be a cited leaf or a section, not {target!r}")


@cache
def leaf_types() -> dict[str, type[Provenance]]:
    """Every leaf path of a profile body, in declaration order, with its model class."""
    out: dict[str, type[Provenance]] = {}
    _walk(ProfileBody, "", out)
    return out


@cache
def section_paths() -> frozenset[str]:
    """Dotted paths that are sections (tables that hold leaves), e.g. 'recruitment.exam'."""
    out: set[str] = set()
    for path in leaf_types():
        parts = path.split(".")
        out.update(".".join(parts[:i]) for i in range(1, len(parts)))
    return frozenset(out)


def get_path(root: BaseModel, path: str) -> Any:
    obj: Any = root
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def iter_cited(obj: Any, path: str) -> Iterator[tuple[str, Cited]]:
    """Every cited object inside `obj` (itself included), depth first, with its dotted path; list items
    as `path[i]`. Used by tests to check that nothing lacks an article."""
    if isinstance(obj, Cited):
        yield path, obj
    if isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            yield from iter_cited(getattr(obj, name), f"{path}.{name}")
    elif isinstance(obj, list | tuple):
        for i, item in enumerate(obj):
            yield from iter_cited(item, f"{path}[{i}]")
