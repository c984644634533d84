"""What every rule family reads: the parsed index and a way to ask whether a file exists."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple

from ygs.core.artifacts import ID_PREFIXES, Artifact, Catalog
from ygs.core.specs import Index


class Lazy:
    """A regular expression (or any matcher) built on first use, so importing the rules
    compiles nothing. `make` returns it, written as `re.compile(r"...")` so that
    tests/test_regex_linear.py finds the literal. After the first use each method asked
    for (`search`, `findall`, ...) is the compiled pattern's own, held here."""

    def __init__(self, make: Callable[[], Any]) -> None:
        self._make = make

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # copy, pickle and friends: not a pattern method
            raise AttributeError(name)
        attrs = self.__dict__
        pattern = attrs.get("compiled")
        if pattern is None:
            pattern = attrs["compiled"] = self._make()
            if name == "compiled":
                return pattern
        value = attrs[name] = getattr(pattern, name)
        return value


def _always(_path: str) -> bool:
    return True


def normal_id(value: str) -> str:
    """`ADR-7` and `ADR-0007` are the same id (`id_parts`, read in place: it is asked
    for every id of a large project)."""
    value = value.strip()
    prefix, dash, number = value.partition("-")
    if not dash or prefix not in ID_PREFIXES or not number.isdecimal():
        return value
    if number.isascii():  # what int() gives back, as text
        digits = number.lstrip("0") or "0"
        return value if digits == number else f"{prefix}-{digits}"
    return f"{prefix}-{int(number)}"


def normal_ids(values) -> set[str]:
    """`{normal_id(v) for v in values}`: most values are normal already (ASCII, no space
    around them, no "-0"), and kept as they are without the call."""
    return {v if v.isascii() and "-0" not in v and v == v.strip() else normal_id(v) for v in values}


class SpikeMerge(NamedTuple):
    """A merge commit on the base branch that brought in a spike/ or fafo/ branch."""

    commit: str
    branch: str


@dataclass
class Context:
    index: Index
    exists: Callable[[str], bool] = field(default=_always)  # repo-relative path exists
    targets: frozenset[str] | None = None  # lint only these paths (lookups still see all)
    today: str = ""  # ISO date, for time boxes
    spike_merges: tuple[SpikeMerge, ...] = ()  # read from git by the shell
    base_branch_ref: str = ".git"  # where a finding about the base branch points
    chunk: list[Artifact] | None = None  # set by `lint`: the few files being linted now

    @property
    def catalog(self) -> Catalog:
        return self.index.catalog

    def of_kind(self, kind: str) -> list[Artifact]:
        return self.catalog.of_kind(kind)

    def mine(self, kind: str | None = None) -> list[Artifact]:
        """The artifacts to lint (of `kind`): all of them, or the targets (within the
        current chunk, while `lint` works through one)."""
        if self.chunk is not None:
            return [a for a in self.chunk if kind is None or a.kind == kind]
        found = self.catalog.artifacts if kind is None else self.catalog.of_kind(kind)
        if self.targets is None:
            return found
        return [a for a in found if a.path in self.targets]

    @cached_property
    def known_ids(self) -> set[str]:
        """Defined ids, normalised (ADR-7 == ADR-0007)."""
        return normal_ids(self.index.defined)

    @cached_property
    def refs(self) -> set[str]:
        """What a link may name: any defined id, an artifact path, or its file name."""
        found = set(self.known_ids)
        for a in self.catalog.artifacts:
            path = a.path
            name = path[path.rfind("/") + 1 :]  # posixpath.basename
            found.update((path, name, name.removesuffix(".md")))
        return found

    def resolves(self, value: str) -> bool:
        return value in self.refs or normal_id(value) in self.refs

    @cached_property
    def _lookup(self) -> dict[str | None, dict[str, Artifact]]:
        """Per kind (and None for any): id, normalised id, path and file stem -> artifact."""
        tables: dict[str | None, dict[str, Artifact]] = {None: {}}
        every = tables[None]
        for a in reversed(self.catalog.artifacts):  # the first one wins
            path, ident = a.path, a.id
            stem = path[path.rfind("/") + 1 :].removesuffix(".md")
            entries = {stem: a, path: a, normal_id(ident): a, ident: a}
            every.update(entries)
            table = tables.get(a.kind)
            if table is None:
                table = tables[a.kind] = {}
            table.update(entries)
        return tables

    def artifact(self, ref: str, kind: str | None = None) -> Artifact | None:
        """An artifact by id, path or file name; of `kind` when given."""
        table = self._lookup.get(kind, {})
        found = table.get(ref)
        if found is None:
            found = table.get(normal_id(ref))
        if found is not None or "/" not in ref:
            return found
        return next((a for a in table.values() if a.path.endswith("/" + ref)), None)
