"""Detect languages and the build/test/lint commands from a project's files.

Pure: the caller passes the contents of the marker files found at the root and
the set of file extensions seen. Exactly one test command is chosen, never a
chain of guesses.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field

MARKERS = (
    "pyproject.toml",
    "setup.cfg",
    "setup.py",
    "tox.ini",
    "pytest.ini",
    "conftest.py",
    "requirements.txt",
    "package.json",
    "tsconfig.json",
    "Cargo.toml",
    "go.mod",
    "Makefile",
    "pom.xml",
    "build.gradle",
    "Gemfile",
)

_NPM_PLACEHOLDER = "no test specified"


@dataclass(frozen=True)
class Detected:
    languages: list[str]
    build: str | None = None
    test: str | None = None
    lint: str | None = None
    notes: list[str] = field(default_factory=list)


def _languages(files: Mapping[str, str], extensions: set[str]) -> list[str]:
    found = []
    rules = (
        ("python", {"pyproject.toml", "setup.py", "setup.cfg", "requirements.txt"}, {".py"}),
        ("typescript", {"tsconfig.json"}, {".ts", ".tsx"}),
        ("javascript", {"package.json"}, {".js", ".jsx", ".mjs"}),
        ("rust", {"Cargo.toml"}, {".rs"}),
        ("go", {"go.mod"}, {".go"}),
        ("java", {"pom.xml", "build.gradle"}, {".java"}),
        ("ruby", {"Gemfile"}, {".rb"}),
    )
    for name, markers, exts in rules:
        if markers & files.keys() or exts & extensions:
            found.append(name)
    return found


def _make_targets(makefile: str) -> set[str]:
    return set(re.findall(r"^([A-Za-z0-9_.-]+)\s*:(?!=)", makefile, flags=re.M))


def _uses_pytest(files: Mapping[str, str], notes: list[str]) -> bool:
    if {"pytest.ini", "conftest.py"} & files.keys():
        return True
    if "[tool:pytest]" in files.get("setup.cfg", "") or "[pytest]" in files.get("tox.ini", ""):
        return True
    text = files.get("pyproject.toml")
    if text is None:
        return False
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        notes.append(f"pyproject.toml is not valid TOML ({err}); pytest not detected from it")
        return False
    if "pytest" in data.get("tool", {}):
        return True
    project = data.get("project", {})
    deps = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        deps.extend(extra)
    for group in data.get("dependency-groups", {}).values():
        deps.extend(d for d in group if isinstance(d, str))
    return any(re.match(r"pytest\b", str(d)) for d in deps)


def _npm_scripts(files: Mapping[str, str], notes: list[str]) -> dict[str, str]:
    text = files.get("package.json")
    if text is None:
        return {}
    try:
        scripts = json.loads(text).get("scripts", {})
    except (json.JSONDecodeError, AttributeError):
        notes.append("package.json is not valid JSON; npm scripts not detected")
        return {}
    return (
        {k: v for k, v in scripts.items() if isinstance(v, str)}
        if isinstance(scripts, dict)
        else {}
    )


def detect(files: Mapping[str, str], extensions: set[str]) -> Detected:
    notes: list[str] = []
    languages = _languages(files, extensions)
    scripts = _npm_scripts(files, notes)
    targets = _make_targets(files.get("Makefile", ""))
    npm_test = scripts.get("test")
    if npm_test and _NPM_PLACEHOLDER in npm_test:
        notes.append("package.json has only npm's placeholder test script; npm test not used")
        npm_test = None
    tests = [
        ("pytest", "python" in languages and _uses_pytest(files, notes)),
        ("npm test", bool(npm_test)),
        ("cargo test", "Cargo.toml" in files),
        ("go test ./...", "go.mod" in files),
        ("make test", "test" in targets),
    ]
    builds = [
        ("npm run build", "build" in scripts),
        ("cargo build", "Cargo.toml" in files),
        ("go build ./...", "go.mod" in files),
        ("make", bool({"all", "build"} & targets)),
    ]
    lints = [
        ("ruff check .", "[tool.ruff" in files.get("pyproject.toml", "")),
        ("npm run lint", "lint" in scripts),
        ("cargo clippy", "Cargo.toml" in files),
        ("make lint", "lint" in targets),
    ]
    test = next((cmd for cmd, ok in tests if ok), None)
    if "python" in languages and test is None:
        notes.append("Python project without pytest configuration: set commands.test yourself")
    return Detected(
        languages=languages,
        build=next((cmd for cmd, ok in builds if ok), None),
        test=test,
        lint=next((cmd for cmd, ok in lints if ok), None),
        notes=notes,
    )


# --- What kind of project this is (for interview recommendations) -------------------------

PROFILE_MARKERS = (
    "pyproject.toml",
    "setup.cfg",
    "setup.py",
    "requirements.txt",
    "package.json",
    "Cargo.toml",
    "go.mod",
    "Gemfile",
    "pom.xml",
    "build.gradle",
    "README.md",
    "README.rst",
    "README",
)
_HTTP = (
    "flask", "django", "fastapi", "starlette", "aiohttp", "tornado", "sanic", "falcon",
    "pyramid", "bottle", "express", "koa", "fastify", "@nestjs/core", "hapi",
    "gin-gonic/gin", "labstack/echo", "gofiber/fiber", "go-chi/chi", "gorilla/mux",
    "actix-web", "axum", "rocket", "warp", "rails", "sinatra", "spring-boot",
)  # fmt: skip
_FRONTEND = ("react", "vue", "svelte", "@angular/core", "next", "nuxt", "solid-js")
_DATASTORE = (
    "sqlalchemy", "psycopg", "psycopg2", "psycopg2-binary", "asyncpg", "pymongo", "motor",
    "redis", "mysqlclient", "pymysql", "peewee", "tortoise-orm", "alembic", "prisma",
    "@prisma/client", "typeorm", "sequelize", "mongoose", "pg", "mysql2", "knex", "diesel",
    "sqlx", "gorm.io/gorm", "lib/pq", "jackc/pgx", "activerecord", "spring-boot-starter-data-jpa",
)  # fmt: skip
_QUEUE = (
    "celery", "rq", "dramatiq", "kombu", "pika", "aio-pika", "confluent-kafka", "kafka-python",
    "aiokafka", "bull", "bullmq", "amqplib", "kafkajs", "sidekiq", "nats-py", "nats",
    "lapin", "rdkafka", "segmentio/kafka-go", "spring-kafka",
)  # fmt: skip
_DEPLOY = (
    "Dockerfile", "docker-compose.yml", "docker-compose.yaml", "compose.yaml", "Procfile",
    "fly.toml", "app.yaml", "serverless.yml", "render.yaml", "vercel.json", "Chart.yaml",
    "kustomization.yaml", "skaffold.yaml",
)  # fmt: skip
_CODE = (".py", ".js", ".ts", ".go", ".rs", ".rb", ".java", ".kt", ".c", ".cpp", ".cs")
_TOKEN = re.compile(r"[A-Za-z0-9@/._-]+")
_HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.M)


@dataclass(frozen=True)
class Profile:
    """What the repository is, as far as its files tell: drives which interview
    questions and recommendations fit (a library is never offered tenants or outboxes)."""

    kind: str  # library | service | cli | web app | unknown
    name: str | None = None  # the project's own name (package or README title), never a folder
    http: str | None = None
    datastore: str | None = None
    queue: str | None = None
    multi_tenant: bool = False
    deployment: str | None = None

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "name": self.name,
            "http": self.http,
            "datastore": self.datastore,
            "queue": self.queue,
            "multi_tenant": self.multi_tenant,
            "deployment": self.deployment,
            "service": self.kind in ("service", "web app"),
        }


def _dependency_names(files: Mapping[str, str]) -> set[str]:
    """Dependency names, lower case, from every manifest (a token scan: fast, no guessing
    at versions; a name counts only as a whole token)."""
    names: set[str] = set()
    for marker in ("pyproject.toml", "setup.cfg", "setup.py", "requirements.txt", "Gemfile",
                   "Cargo.toml", "go.mod", "pom.xml", "build.gradle"):  # fmt: skip
        for token in _TOKEN.findall(files.get(marker, "").lower()):
            names.add(token.strip("._-/"))
            names.add(re.split(r"[<>=~!\[]", token)[0].strip("._-/"))
    package = files.get("package.json")
    if package:
        try:
            data = json.loads(package)
        except json.JSONDecodeError:
            data = {}
        for key in ("dependencies", "devDependencies", "peerDependencies"):
            deps = data.get(key) if isinstance(data, dict) else None
            if isinstance(deps, dict):
                names.update(str(k).lower() for k in deps)
    return names


def _first(candidates: tuple[str, ...], names: set[str]) -> str | None:
    return next((c for c in candidates if c.lower() in names), None)


def _own_name(files: Mapping[str, str]) -> str | None:
    text = files.get("pyproject.toml", "")
    if text:
        try:
            name = tomllib.loads(text).get("project", {}).get("name")
        except tomllib.TOMLDecodeError:
            name = None
        if isinstance(name, str) and name.strip():
            return name.strip()
    package = files.get("package.json")
    if package:
        try:
            name = json.loads(package).get("name")
        except (json.JSONDecodeError, AttributeError):
            name = None
        if isinstance(name, str) and name.strip():
            return name.strip()
    for readme in ("README.md", "README.rst", "README"):
        match = _HEADING.search(files.get(readme, ""))
        if match:
            return match.group(1).strip()[:60]
    return None


def _is_cli(files: Mapping[str, str], paths: set[str]) -> bool:
    text = files.get("pyproject.toml", "")
    if "[project.scripts]" in text or "console_scripts" in files.get("setup.cfg", ""):
        return True
    if "console_scripts" in files.get("setup.py", ""):
        return True
    if '"bin"' in files.get("package.json", ""):
        return True
    return any(p == "src/main.rs" or p.startswith(("cmd/", "src/bin/")) for p in paths) or (
        "go.mod" in files and "main.go" in paths
    )


def profile(files: Mapping[str, str], paths: set[str]) -> Profile:
    """`files`: marker contents (PROFILE_MARKERS); `paths`: relative file paths (a few
    levels deep). Pure."""
    names = _dependency_names(files)
    http = _first(_HTTP, names)
    frontend = _first(_FRONTEND, names)
    datastore = _first(_DATASTORE, names)
    if datastore is None and any(p.split("/")[0] in ("migrations", "alembic") for p in paths):
        datastore = "migrations"
    base = {p.rsplit("/", 1)[-1] for p in paths}
    deployment = next((d for d in _DEPLOY if d in base), None)
    if deployment is None and any(p.endswith(".tf") for p in paths):
        deployment = "terraform"
    tenant = any("tenant" in p.lower() for p in paths) or any("tenant" in n for n in names)
    if frontend:
        kind = "web app"
    elif http or (deployment and datastore):
        kind = "service"
    elif _is_cli(files, paths):
        kind = "cli"
    elif names or any(p.endswith(_CODE) for p in paths):
        kind = "library"
    else:
        kind = "unknown"
    return Profile(
        kind, _own_name(files), http or frontend, datastore, _first(_QUEUE, names), tenant,
        deployment,
    )  # fmt: skip


def suggested_depth(kind: str, requirements: int) -> str:
    """The interview depth that fits (the seed's proportionality): many requirements call
    for a heavy design; a library or CLI change with few is light; the rest standard."""
    if requirements > 6:
        return "heavy"
    if kind in ("library", "cli") and requirements <= 3:
        return "light"
    return "standard"
