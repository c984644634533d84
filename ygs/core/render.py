"""The one place artifact templates are rendered (jinja2, imported lazily).

A project overrides any packaged template with a file of the same name in
`.ygs/templates/`. Filters: `yaml` (inline flow value), `bullets` (a list as
`- ` lines, `- TBD` when empty), `gwt` (a scenario dict as one Given/when/then
line) and `tbd` (the value, or `TBD` when empty or undefined).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from ygs.errors import YgsError

TBD = "TBD"


def _empty(value: Any) -> bool:
    from jinja2 import Undefined

    if value is None or isinstance(value, Undefined):
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple, dict, set)):
        return not value
    return False


def tbd(value: Any) -> Any:
    return TBD if _empty(value) else value


def yaml_flow(value: Any) -> str:
    from jinja2 import Undefined

    if isinstance(value, Undefined):
        value = None
    return json.dumps(value, ensure_ascii=False, default=str)


def bullets(value: Any) -> str:
    if _empty(value):
        return f"- {TBD}"
    items = [value] if isinstance(value, str) else list(value)
    lines = [f"- {str(item).strip()}" for item in items if not _empty(item)]
    return "\n".join(lines) or f"- {TBD}"


def gwt(value: Any) -> str:
    if isinstance(value, Mapping):
        parts = [tbd(value.get(k)) for k in ("given", "when", "then")]
        return f"Given {parts[0]}, when {parts[1]}, then {parts[2]}"
    return str(tbd(value))


@lru_cache(maxsize=8)
def _environment(search: tuple[str, ...]):
    from jinja2 import ChainableUndefined, Environment, FileSystemLoader

    env = Environment(
        loader=FileSystemLoader(list(search)),
        undefined=ChainableUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters.update({"yaml": yaml_flow, "bullets": bullets, "gwt": gwt, "tbd": tbd})
    return env


def template_dirs(overrides_dir: Path | None = None) -> tuple[str, ...]:
    from ygs.resources import pack_dir

    dirs = [str(overrides_dir)] if overrides_dir and overrides_dir.is_dir() else []
    return (*dirs, str(pack_dir("templates")))


def render_template(
    name: str,
    meta: Mapping[str, Any],
    answers: Mapping[str, Any],
    context: Mapping[str, Any],
    overrides_dir: Path | None = None,
) -> str:
    """Render `<name>.md.j2` (or `name` when it already ends in .j2).

    `overrides_dir` is a project's `.ygs/templates/`; a template there wins.
    Raises YgsError (exit 2) naming the template and line on a template error.
    """
    from jinja2 import TemplateError, TemplateNotFound, TemplateSyntaxError

    file = name if name.endswith(".j2") else f"{name}.md.j2"
    search = template_dirs(overrides_dir)
    answers = _derived(file, answers, context)
    try:
        template = _environment(search).get_template(file)
        return template.render(meta=dict(meta), answers=dict(answers), context=dict(context))
    except TemplateNotFound:
        raise YgsError(
            f"no template named {file}",
            remedy=f"templates live in {', '.join(search)}",
        ) from None
    except TemplateSyntaxError as err:
        raise YgsError(
            f"template error: {err.message}", path=err.filename or file, line=err.lineno
        ) from None
    except TemplateError as err:
        raise YgsError(f"template {file} failed to render: {err}", path=file) from None


def _derived(
    file: str, answers: Mapping[str, Any], context: Mapping[str, Any]
) -> Mapping[str, Any]:
    """Numbers a template shows but must not compute: an estimate's arithmetic, a QA
    report's health and result, a UAT report's verdict."""
    if file in ("qa.md.j2", "uat.md.j2"):
        from ygs.ship import derive

        compute = derive.qa_answers if file == "qa.md.j2" else derive.uat_answers
        return compute(dict(answers), dict(context))
    if file != "estimate.md.j2" or "calc" in answers:
        return answers
    from ygs.core.estimate import EstimateError, report

    try:
        return {**answers, "calc": report(answers)}
    except EstimateError as err:
        raise YgsError(
            f"estimate: {err.message}", remedy=err.remedy or "fix the numbers in the answers"
        ) from None
