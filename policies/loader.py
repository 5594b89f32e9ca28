"""Load the profile files (`policies/data/<key>.toml`), check them, and resolve chains of profiles.

A leaf in a file is a table (`[staffing.workers_per_10k_urban]` with value, article, basis, note,
effective_from) or, to date several versions of one value, an array of such tables. Values default to
the file's `meta.effective_from`. Everything is checked on load, and every profile's chain is resolved
once on the date all its files are in force, so a missing required value fails at start-up, naming the
file and the key.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from policies.base import Provenance
from policies.effective import EffectiveProfile
from policies.errors import PolicyError, UnknownProfile
from policies.models import ROOT_KEY, ProfileBody, ProfileMeta
from policies.schema import leaf_types, section_paths

DATA_DIR = Path(__file__).parent / "data"
_LOADER_STAMPED = ("source_key",)


def _fmt(err: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or '(值)'}: {e['msg']}" for e in err.errors(include_url=False)
    )


@dataclass(frozen=True)
class ProfileFile:
    """One parsed data file: its metadata and, per leaf path, its versions sorted by effective_from."""

    meta: ProfileMeta
    path: Path
    leaves: Mapping[str, tuple[Provenance, ...]]

    def value_on(self, leaf_path: str, on: date) -> Provenance | None:
        chosen: Provenance | None = None
        for version in self.leaves.get(leaf_path, ()):  # sorted by effective_from
            if version.in_force_on(on):
                chosen = version
        return chosen


def parse_file(path: Path) -> ProfileFile:
    """Parse and check one file; raise PolicyError listing every problem, each with file and key."""
    name = path.name
    try:
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"政策文件 {name} 不是合法的 TOML: {exc}", details={"file": name}) from exc
    raw_meta = raw.pop("meta", None)
    if not isinstance(raw_meta, dict):
        raise PolicyError(f"政策文件 {name} 缺少 [meta] 表", details={"file": name})
    try:
        meta = ProfileMeta.model_validate(raw_meta)
    except ValidationError as exc:
        raise PolicyError(f"政策文件 {name} 的 meta 有误: {_fmt(exc)}", details={"file": name}) from exc
    if meta.key != path.stem:
        raise PolicyError(f"政策文件 {name} 的 meta.key “{meta.key}”须与文件名一致", details={"file": name})
    errors: list[str] = []
    leaves: dict[str, tuple[Provenance, ...]] = {}
    _collect(raw, "", meta, leaves, errors)
    if errors:
        raise PolicyError(
            f"政策文件 {name} 有 {len(errors)} 处错误: " + " | ".join(errors),
            details={"file": name, "errors": errors},
        )
    return ProfileFile(meta=meta, path=path, leaves=leaves)


def _collect(
    raw: dict[str, Any],
    prefix: str,
    meta: ProfileMeta,
    leaves: dict[str, tuple[Provenance, ...]],
    errors: list[str],
) -> None:
    types_ = leaf_types()
    for key, item in raw.items():
        path = f"{prefix}{key}"
        if path in types_:
            versions = item if isinstance(item, list) else [item]
            parsed: list[Provenance] = []
            for i, version in enumerate(versions):
                where = path if len(versions) == 1 else f"{path}[{i}]"
                if not isinstance(version, dict):
                    errors.append(f"{where}: 应为表(含 value/article/basis)")
                    continue
                stamped = [k for k in _LOADER_STAMPED if k in version]
                if stamped:
                    errors.append(f"{where}: {', '.join(stamped)} 由加载器填写，文件中不得出现")
                    continue
                data = {**version, "source_key": meta.key}
                data.setdefault("effective_from", meta.effective_from)
                try:
                    parsed.append(types_[path].model_validate(data))
                except ValidationError as exc:
                    errors.append(f"{where}: {_fmt(exc)}")
            dates = [p.effective_from for p in parsed]
            if len(set(dates)) != len(dates):
                errors.append(f"{path}: 同一取值的多个版本 effective_from 重复")
            leaves[path] = tuple(sorted(parsed, key=lambda p: p.effective_from or date.min))
        elif path in section_paths():
            if isinstance(item, dict):
                _collect(item, f"{path}.", meta, leaves, errors)
            else:
                errors.append(f"{path}: 应为表(节)")
        else:
            errors.append(f"{path}: 未知的键")


@dataclass
class Catalog:
    """All profiles of a data directory. Build with `load_catalog()`."""

    files: Mapping[str, ProfileFile]
    data_dir: Path
    _resolved: dict[tuple[tuple[str, ...], date], EffectiveProfile] = field(default_factory=dict, repr=False)

    def keys(self) -> list[str]:
        """Profile keys, each after its parent (national first)."""
        return sorted(self.files, key=lambda k: (len(self.chain_for(k)), self.chain_for(k)))

    def meta(self, key: str) -> ProfileMeta:
        return self._file(key).meta

    def _file(self, key: str) -> ProfileFile:
        try:
            return self.files[key]
        except KeyError:
            raise UnknownProfile(
                f"未知的政策配置 “{key}”；已有: {', '.join(sorted(self.files))}", details={"key": key}
            ) from None

    def chain_for(self, key: str) -> list[str]:
        """The key's ancestry, root first: chain_for('ordos') == ['national', 'inner_mongolia', 'ordos']."""
        chain: list[str] = []
        current: str | None = key
        while current is not None:
            if current in chain:
                raise PolicyError(f"政策配置的上级关系成环: {' → '.join([*chain, current])}")
            chain.append(current)
            meta = self._file(current).meta
            current = meta.parent if meta.parent is not None or current == ROOT_KEY else ROOT_KEY
        return chain[::-1]

    def expand(self, keys: Sequence[str]) -> list[str]:
        """The full chain for profile keys given root → leaf (ancestors may be left out). Every key must
        descend from the one before it."""
        if isinstance(keys, str):
            keys = [k.strip() for k in keys.split(",") if k.strip()]
        if not keys:
            return [ROOT_KEY]
        chain = self.chain_for(keys[-1])
        positions = []
        for k in keys:
            if k not in chain:
                raise PolicyError(
                    f"政策配置链不一致: “{keys[-1]}” 不是 “{k}” 的下级 (其上级链为 {' → '.join(chain)})",
                    code="policy_chain_inconsistent",
                )
            positions.append(chain.index(k))
        if positions != sorted(positions):
            raise PolicyError(
                f"政策配置链须按上级到下级排列: {', '.join(keys)}", code="policy_chain_inconsistent"
            )
        return chain

    def resolve(self, keys: Sequence[str], on: date) -> EffectiveProfile:
        """Merge the chain root → leaf as in force on `on`: a child's value replaces its parent's (a whole
        leaf at a time); values dated after `on` (or ended by `effective_until`) are ignored, falling back
        to the parent's. The result is cached and shared: treat it as read-only."""
        chain = self.expand(keys)
        cache_key = (tuple(chain), on)
        cached = self._resolved.get(cache_key)
        if cached is not None:
            return cached
        merged: dict[str, Provenance] = {}
        for key in chain:
            profile_file = self.files[key]
            for leaf_path in profile_file.leaves:
                value = profile_file.value_on(leaf_path, on)
                if value is not None:
                    merged[leaf_path] = value
        nested: dict[str, Any] = {}
        for leaf_path, value in merged.items():
            *parents, last = leaf_path.split(".")
            node = nested
            for part in parents:
                node = node.setdefault(part, {})
            node[last] = value
        try:
            body = ProfileBody.model_validate(nested)
        except ValidationError as exc:
            missing = [".".join(str(p) for p in e["loc"]) for e in exc.errors() if e["type"] == "missing"]
            detail = f"缺少取值: {', '.join(missing)}" if missing else _fmt(exc)
            raise PolicyError(
                f"政策配置链 {' → '.join(chain)} 在 {on.isoformat()} 无法合成: {detail}",
                details={"chain": chain, "on": on.isoformat(), "missing": missing},
            ) from exc
        profile = EffectiveProfile(
            **{name: getattr(body, name) for name in ProfileBody.model_fields},
            chain=chain,
            on=on,
            metas=[self.files[k].meta for k in chain],
        ).with_fingerprint()
        if len(self._resolved) >= 1024:  # one entry per chain per day: bound a long-running process
            self._resolved.clear()
        self._resolved[cache_key] = profile
        return profile

    def check(self) -> None:
        """Resolve every profile's chain on the date all of its files are in force."""
        for key in self.files:
            chain = self.chain_for(key)
            self.resolve(chain, max(self.files[k].meta.effective_from for k in chain))


def build_catalog(data_dir: Path) -> Catalog:
    paths = sorted(data_dir.glob("*.toml"))
    if not paths:
        raise PolicyError(f"政策配置目录 {data_dir} 中没有 *.toml 文件")
    files = {p.stem: parse_file(p) for p in paths}
    if ROOT_KEY not in files:
        raise PolicyError(f"政策配置目录 {data_dir} 缺少全国默认配置 {ROOT_KEY}.toml")
    if files[ROOT_KEY].meta.parent is not None:
        raise PolicyError(f"{ROOT_KEY}.toml 是根配置，不得设置 parent")
    for f in files.values():
        parent = f.meta.parent
        if parent is not None and parent not in files:
            raise PolicyError(
                f"政策文件 {f.path.name} 的 meta.parent “{parent}” 未定义", details={"file": f.path.name}
            )
    catalog = Catalog(files=files, data_dir=data_dir)
    catalog.check()
    return catalog


@lru_cache(maxsize=8)
def _cached(data_dir: Path) -> Catalog:
    return build_catalog(data_dir)


def load_catalog(data_dir: Path | str | None = None) -> Catalog:
    """The catalog of `data_dir` (default: the package's data files), loaded once and cached."""
    return _cached(Path(data_dir or DATA_DIR).resolve())


def clear_cache() -> None:
    """Forget loaded catalogs (after editing the files)."""
    _cached.cache_clear()
