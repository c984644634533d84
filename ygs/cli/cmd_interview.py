"""Interview commands that write artifacts: refine-prd, refine-trd, refine-architecture, adr,
threat-model."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from ygs.cli.output import emit, log, opts
from ygs.errors import YgsError

Answers = Annotated[
    Path | None, typer.Option("--answers", help="YAML answers by question id (non-interactive).")
]
Resume = Annotated[bool, typer.Option("--resume", help="Continue the latest unfinished interview.")]
Replay = Annotated[
    str | None, typer.Option("--replay", help="Regenerate the artifact from a journal (SESSION).")
]
Force = Annotated[
    bool,
    typer.Option("--force", help="Overwrite an existing file, --replay too (a backup is kept)."),
]
Offline = Annotated[bool, typer.Option("--offline", help="No model: the question bank only.")]
Backend = Annotated[
    str | None,
    typer.Option(
        "--model-backend", help="auto, anthropic, claude-code or offline (overrides config)."
    ),
]
MaxCost = Annotated[float | None, typer.Option("--max-cost", help="Budget for this run in USD.")]
Follow = Annotated[
    bool,
    typer.Option(
        "--follow-symlinks",
        help="Write through symbolic links to folders (refused by default: a cloned "
        "repository could point them anywhere).",
    ),
]


@dataclass
class Run:
    answers: Path | None = None
    resume: bool = False
    replay: str | None = None
    force: bool = False
    offline: bool = False
    backend: str | None = None
    max_cost: float | None = None
    follow_symlinks: bool = False


def register(app: typer.Typer) -> None:
    app.command("refine-prd")(refine_prd)
    app.command("refine-trd")(refine_trd)
    app.command("refine-architecture")(refine_architecture)
    app.command("threat-model")(threat_model)
    app.command("adr")(adr)


def _project():
    from ygs.project import Project

    return Project.at(opts().cwd)


def _input(project, ref: str | None, kinds: tuple[str, ...], flag: str):
    """The artifact a design starts from: the one named, else the newest of the first kind."""
    if ref is None:
        for kind in kinds:
            found = sorted(project.catalog.of_kind(kind), key=lambda a: (a.date, a.path))
            if found:
                return found[-1]
        return None
    artifact = project.catalog.find(ref)
    if artifact is None or artifact.kind not in kinds:
        names = " or ".join(k.upper() for k in kinds)
        raise YgsError(
            f"no {names} '{ref}'",
            remedy=f"`ygs artifacts --type {kinds[0]}` lists them; pass an id or path to {flag}",
        )
    return artifact


def _designed_from(skill: str, kind: str, source, run: Run, **kwargs) -> int:
    from ygs.interview.engine import Spec

    links = {source.kind: source.id} if source else {}
    idea = source.title if source else ""
    return _interview(Spec(skill, kind, links), run, source=source, idea=idea, **kwargs)


def refine_prd(
    idea: Annotated[str | None, typer.Argument(help="The idea, in a few words.")] = None,
    source: Annotated[Path | None, typer.Option("--from", help="Refine this PRD in place.")] = None,
    answers: Answers = None,
    resume: Resume = False,
    replay: Replay = None,
    force: Force = False,
    offline: Offline = False,
    backend: Backend = None,
    max_cost: MaxCost = None,
    follow_symlinks: Follow = False,
) -> int:
    """Interview for a PRD, one question at a time, and write docs/prd/YYYY-MM-DD-slug.md."""
    from ygs.interview.engine import Spec

    run = Run(answers, resume, replay, force, offline, backend, max_cost, follow_symlinks)
    if source is not None:
        return _refine_existing(Spec("ygs-refine-prd", "prd"), source, run)
    return _interview(Spec("ygs-refine-prd", "prd"), run, idea=idea or "")


def refine_trd(
    prd: Annotated[
        str | None, typer.Option("--prd", help="The PRD (id or path); default: latest.")
    ] = None,
    answers: Answers = None,
    resume: Resume = False,
    replay: Replay = None,
    force: Force = False,
    offline: Offline = False,
    backend: Backend = None,
    max_cost: MaxCost = None,
    follow_symlinks: Follow = False,
) -> int:
    """Interview for a TRD traced to a PRD, and write docs/trd/YYYY-MM-DD-slug.md."""
    source = _input(_project(), prd, ("prd",), "--prd")
    if source is None and not replay:
        raise YgsError(
            "no PRD to design from", remedy="write one with `ygs refine-prd`, or pass --prd"
        )
    run = Run(answers, resume, replay, force, offline, backend, max_cost, follow_symlinks)
    return _designed_from("ygs-refine-trd", "trd", source, run)


def refine_architecture(
    design_doc: Annotated[
        bool, typer.Option("--design-doc", help="Write the nine-section design doc.")
    ] = False,
    source_ref: Annotated[
        str | None, typer.Option("--from-doc", help="PRD or TRD to design from.")
    ] = None,
    answers: Answers = None,
    resume: Resume = False,
    replay: Replay = None,
    force: Force = False,
    offline: Offline = False,
    backend: Backend = None,
    max_cost: MaxCost = None,
    follow_symlinks: Follow = False,
) -> int:
    """Interview about modules, seams and failure modes; write docs/architecture/slug.md
    (or, with --design-doc, docs/design/YYYY-MM-DD-slug.md)."""
    source = _input(_project(), source_ref, ("trd", "prd"), "--from-doc")
    kind = "design-doc" if design_doc else "architecture"
    run = Run(answers, resume, replay, force, offline, backend, max_cost, follow_symlinks)
    return _designed_from("ygs-refine-architecture", kind, source, run, design_doc=design_doc)


def threat_model(
    trd: Annotated[
        str | None, typer.Option("--trd", help="The TRD (id or path); default: latest.")
    ] = None,
    answers: Answers = None,
    resume: Resume = False,
    replay: Replay = None,
    force: Force = False,
    offline: Offline = False,
    backend: Backend = None,
    max_cost: MaxCost = None,
    follow_symlinks: Follow = False,
) -> int:
    """STRIDE threat-model interview; write docs/threat-models/YYYY-MM-DD-slug.md."""
    source = _input(_project(), trd, ("trd",), "--trd")
    run = Run(answers, resume, replay, force, offline, backend, max_cost, follow_symlinks)
    return _designed_from("ygs-threat-model", "threat-model", source, run)


def adr(
    words: Annotated[
        list[str] | None,
        typer.Argument(help='"title" for a new decision, or `supersede N ["title"]`.'),
    ] = None,
    answers: Answers = None,
    resume: Resume = False,
    replay: Replay = None,
    force: Force = False,
    offline: Offline = False,
    backend: Backend = None,
    max_cost: MaxCost = None,
    follow_symlinks: Follow = False,
) -> int:
    """Record a decision as docs/adr/NNNN-slug.md (the number is allocated for you).

    `ygs adr supersede N ["title"]` writes a new ADR that replaces ADR N and marks N
    superseded, with links both ways.
    """
    from ygs.interview.engine import Spec

    run = Run(answers, resume, replay, force, offline, backend, max_cost, follow_symlinks)
    words = list(words or [])
    if words[:1] != ["supersede"]:
        return _interview(Spec("ygs-adr", "adr"), run, idea=" ".join(words))
    if len(words) < 2 or not words[1].isdigit():
        raise YgsError(
            "`ygs adr supersede` needs the number of the ADR it replaces",
            remedy='ygs adr supersede 3 "New decision"',
        )
    from ygs.core.artifacts import format_id

    old = _project().catalog.find(format_id("ADR", int(words[1])))
    if old is None:
        raise YgsError(
            f"no ADR {format_id('ADR', int(words[1]))}", remedy="ygs artifacts --type adr"
        )
    title = " ".join(words[2:]) or f"Replace: {old.title}"
    return _interview(
        Spec("ygs-adr", "adr", {"supersedes": old.id}), run, idea=title, superseding=old
    )


def _interview(spec, run: Run, **kwargs) -> int:
    from ygs.interview.session import interview_and_write

    result = interview_and_write(_project(), spec, run, **kwargs)
    return _report(result)


def _refine_existing(spec, path: Path, run: Run) -> int:
    from ygs.interview.session import refine_in_place

    return _report(refine_in_place(_project(), spec, path, run))


def _report(result: dict) -> int:
    def human(console) -> None:
        for note in result.get("notes", []):
            log(f"note: {note}")
        if result.get("written"):
            console.print(f"Wrote {result['path']} ({result['id']}).", markup=False)
            if result.get("next"):
                console.print(f"Next: {result['next']}", markup=False)
        else:
            console.print(
                f"Not written. Answers are saved in {result['journal']}; continue with --resume.",
                markup=False,
            )

    return emit(result, human)
