"""Review corpus benchmark: `ygs review --staged --offline` against bandit and detect-secrets,
side by side in one run, on labelled code nobody here wrote (issue #17).

Run: python bench/review_corpus.py [--cache DIR] [--runs 3]   (needs `pip install bandit`)

The corpus is fetched at run time from PyPI sdists (pinned) with `pip download`, never
committed:
- linter suite: bandit's `examples/`, labelled by bandit's own functional tests (the count
  of issues each example must yield, from `tests/functional/test_functional.py`). A tool's
  findings in a file count as found up to that number; the rest are false positives.
- secrets: detect-secrets' sdist ships no test data, so this leg plants secrets with
  `tests/secret_corpus.py` (every provider format and named-secret setting ygs redacts, three
  random draws each), one per file; the line holding the secret is the label. It was written
  for ygs, so it favours ygs: read its figures with that in mind.
- clean: two popular libraries (requests, flask) with their tests and docs; every finding
  there is a false positive.
- vulnerable app: vulpy's deliberately insecure half (`bad/`), 30 vulnerabilities labelled by
  hand in `bench/vulnapp_labels.yaml` (pinned commit; the app itself is never committed). It
  is read from `--vulnapp DIR` (a checkout or a git directory holding that commit) or a local
  mirror; without it the leg is skipped with a note. Recall only: a finding there that is not
  labelled may still be true, so it does not count against precision.

Each leg is one staged change in a fresh git repository (what the pre-commit hook sees).
Prints recall per leg and on the union, precision, false positives per 1,000 clean lines,
and speed (median of --runs interleaved rounds); then the issue's targets, each PASS or MISS.
Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import ast
import json
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SDISTS = {"bandit": "1.7.10", "requests": "2.32.3", "flask": "3.0.3"}  # bandit: see versions()
TEXT = {".py", ".md", ".rst", ".txt", ".toml", ".cfg", ".ini", ".yaml", ".yml", ".json", ".html"}
DIFF_LEVEL = {"SIZE001", "SIZE002", "TST001"}  # about the change, not a line
TOOLS = ("ygs", "bandit", "detect-secrets")
# ygs's findings that compare with bandit's and detect-secrets': the security and SRE lenses
# (S113 missing timeouts) and ruff's try/except/pass (bandit's B110, B112). ygs's code-hygiene
# rules (debug prints, TODOs, swallowed errors, size) are left out.
COUNTED = ("security", "sre")


# ------------------------------------------------------------------ corpus


def versions() -> dict[str, str]:
    """The pinned sdists; bandit's examples and labels from the bandit that is installed, so
    its functional tests' counts are what that bandit finds."""
    from importlib import metadata

    try:
        return {**SDISTS, "bandit": metadata.version("bandit")}
    except metadata.PackageNotFoundError:
        return dict(SDISTS)


def fetch(cache: Path) -> dict[str, Path]:
    """Each pinned sdist, downloaded once and unpacked under `cache`."""
    cache.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, version in versions().items():
        folder = cache / f"{name}-{version}"
        if not folder.is_dir():
            spec = f"{name}=={version}"
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary",
                 ":all:", spec, "-d", str(cache)],
                check=True, capture_output=True,
            )  # fmt: skip
            archive = next(cache.glob(f"{name}-{version}.tar.gz"))
            with tarfile.open(archive) as tar:
                tar.extractall(cache, filter="data")
        out[name] = folder
    return out


def bandit_labels(sdist: Path) -> dict[str, int]:
    """Example file -> the number of issues bandit's functional tests expect in it with
    bandit's default settings: each `check_example` call takes the `expect` assigned last
    before it in source order; a file's first such call counts (later ones change settings,
    e.g. `ignore_nosec=True`)."""
    tree = ast.parse((sdist / "tests/functional/test_functional.py").read_text())
    labels: dict[str, int] = {}
    for func in ast.walk(tree):
        if not isinstance(func, ast.FunctionDef):
            continue
        expect = None
        for node in sorted(_assigns_and_calls(func), key=lambda n: (n.lineno, n.col_offset)):
            if isinstance(node, ast.Assign):
                try:
                    expect = ast.literal_eval(node.value)
                except ValueError:
                    expect = None
            elif (
                node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(expect, dict)
                and "SEVERITY" in expect
                and not any(k.arg == "ignore_nosec" for k in node.keywords)
            ):
                labels.setdefault(node.args[0].value, sum(expect["SEVERITY"].values()))
    return labels


def _assigns_and_calls(func: ast.FunctionDef) -> list:
    return [
        node
        for node in ast.walk(func)
        if (isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "expect")
        or (isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "check_example")
    ]


def linter_leg(sdist: Path, dest: Path) -> dict[str, int]:
    labels = bandit_labels(sdist)
    out = {}
    for name, count in labels.items():
        src = sdist / "examples" / name
        if src.is_file():
            target = dest / "examples" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, target)
            out[f"examples/{name}"] = count
    return out


def secrets_leg(dest: Path) -> dict[str, set[int]]:
    sys.path.insert(0, str(ROOT))
    from tests.secret_corpus import FORMATS

    rng = random.Random(17)
    labels: dict[str, set[int]] = {}
    for i, (kind, make) in enumerate(sorted(FORMATS.items())):
        for draw in range(3):
            text, secret = make(rng)
            name = f"secrets/s{i:03d}_{draw}.txt"
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            (dest / name).write_text(f"# {kind}\n{text}\n")
            probe = secret.splitlines()[0][:12]
            numbered = list(enumerate(text.splitlines(), start=2))
            lines = {n for n, line in numbered if probe in line}
            # a key block's first line is its `-----BEGIN … KEY-----` header: where scanners point
            lines |= {n for n, line in numbered if "-----BEGIN" in line and "KEY" in line}
            labels[name] = lines or {2}
    return labels


def clean_leg(sdists: list[Path], dest: Path) -> int:
    """Copies the libraries' text files; returns their number of lines."""
    total = 0
    for sdist in sdists:
        for src in sorted(sdist.rglob("*")):
            if src.is_file() and src.suffix in TEXT and ".egg-info" not in src.parts:
                rel = src.relative_to(sdist.parent)
                target = dest / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, target)
                total += len(src.read_bytes().splitlines())
    return total


VULNAPP = ROOT / "bench" / "vulnapp_labels.yaml"
VULNAPP_DIRS = (
    Path.home() / ".cache" / "ygs-bench" / "vulpy",
    Path("/work/.mirror/fportantier+vulpy/repo"),
)
VULNAPP_TEXT = {".py", ".html", ".txt", ".js"}


def vulnapp_leg(source: Path | None, dest: Path) -> tuple[dict[str, set[int]], str]:
    """The app's labelled folder at the pinned commit, copied into `dest`: (labels by file,
    "" or why the leg is skipped)."""
    import yaml

    spec = yaml.safe_load(VULNAPP.read_text(encoding="utf-8"))
    found = [source] if source else [d for d in VULNAPP_DIRS if d.exists()]
    if not found or not found[0].exists():
        where = source or " or ".join(str(d) for d in VULNAPP_DIRS)
        return {}, f"vulnerable app not found at {where}: clone {spec['repo']} and pass --vulnapp"
    git_dir = ["git", "-C", str(found[0])]
    listing = subprocess.run(
        [*git_dir, "ls-tree", "-r", "-z", "--name-only", spec["commit"], "--", "bad"],
        capture_output=True, check=False,
    )  # fmt: skip
    if listing.returncode != 0:
        return {}, f"{found[0]} does not hold {spec['repo']} at {spec['commit'][:12]}"
    for name in listing.stdout.decode().split("\0"):
        if Path(name).suffix in VULNAPP_TEXT:
            blob = subprocess.run(
                [*git_dir, "show", f"{spec['commit']}:{name}"], capture_output=True, check=True
            )
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            (dest / name).write_bytes(blob.stdout)
    labels: dict[str, set[int]] = {}
    for label in spec["labels"]:
        labels.setdefault(label["file"], set()).add(label["line"])
    return labels, ""


def score_recall(found, labels: dict[str, set[int]]) -> tuple[int, int]:
    """(labelled lines a finding points at, labelled lines)."""
    hits = {(p, n) for p, n, _ in found}
    wanted = {(p, n) for p, lines in labels.items() for n in lines}
    return len(hits & wanted), len(wanted)


def staged_repo(folder: Path) -> None:
    env = ["-c", "user.email=b@b", "-c", "user.name=b", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q", "-b", "main", str(folder)], check=True)
    (folder / ".keep").write_text("")
    subprocess.run(["git", *env, "add", ".keep"], cwd=folder, check=True)
    subprocess.run(["git", *env, "commit", "-q", "-m", "base"], cwd=folder, check=True)
    subprocess.run(["git", "add", "-A"], cwd=folder, check=True)


# ------------------------------------------------------------------- tools


def ygs_cmd() -> list[str]:
    exe = shutil.which("ygs", path=str(Path(sys.executable).parent)) or shutil.which("ygs")
    return [exe] if exe else [sys.executable, "-m", "ygs"]


def run_ygs(folder: Path) -> list[tuple[str, int, str]]:
    args = ["review", "--staged", "--offline", "--json", "--fail-on", "never", "--no-baseline"]
    proc = subprocess.run([*ygs_cmd(), *args], cwd=folder, capture_output=True, text=True)
    data = json.loads(proc.stdout)
    return [
        (f["file"], f["line"] or 1, f["rule"])
        for f in data["findings"]
        if f["rule"] not in DIFF_LEVEL and (f["lens"] in COUNTED or f["rule"] in ("S110", "S112"))
    ]


def run_bandit(folder: Path) -> list[tuple[str, int, str]]:
    exe = shutil.which("bandit", path=str(Path(sys.executable).parent)) or "bandit"
    proc = subprocess.run(
        [exe, "-r", ".", "-f", "json", "-q"], cwd=folder, capture_output=True, text=True
    )
    data = json.loads(proc.stdout or "{}")
    return [
        (r["filename"].removeprefix("./"), r["line_number"], r["test_id"])
        for r in data.get("results", [])
    ]


def run_detect_secrets(folder: Path) -> list[tuple[str, int, str]]:
    exe = shutil.which("detect-secrets", path=str(Path(sys.executable).parent)) or "detect-secrets"
    proc = subprocess.run([exe, "scan", "--all-files"], cwd=folder, capture_output=True, text=True)
    data = json.loads(proc.stdout)
    return [
        (path, s["line_number"], s["type"])
        for path, found in data.get("results", {}).items()
        for s in found
    ]


RUNNERS = {"ygs": run_ygs, "bandit": run_bandit, "detect-secrets": run_detect_secrets}


# ----------------------------------------------------------------- scoring


def score_counts(found, labels: dict[str, int]) -> tuple[int, int, int]:
    """(found, false positives, labelled) with per-file issue counts as labels."""
    per_file = Counter(path for path, _, _ in found)
    tp = sum(min(per_file[p], n) for p, n in labels.items())
    fp = sum(max(0, per_file[p] - labels.get(p, 0)) for p in per_file)
    return tp, fp, sum(labels.values())


def score_lines(found, labels: dict[str, set[int]]) -> tuple[int, int, int]:
    """(found, false positives, labelled) with labelled lines: one hit per line counts."""
    hits = {(p, n) for p, n, _ in found}
    wanted = {(p, n) for p, lines in labels.items() for n in lines}
    found_files = {p for p, n in hits & wanted}
    tp = len(found_files)
    fp = len({(p, n) for p, n in hits if (p, n) not in wanted and p not in found_files})
    return tp, fp, len(labels)


def timed(fn, folder: Path):
    """(wall seconds, CPU seconds of the tool's processes, result). CPU time is what a busy
    shared machine does not inflate; wall time is what a user waits."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = fn(folder)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "ygs-bench")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--vulnapp", type=Path, help="checkout or git dir of " + "fportantier/vulpy")
    args = ap.parse_args()
    for tool in ("bandit", "detect-secrets"):
        if not (shutil.which(tool, path=str(Path(sys.executable).parent)) or shutil.which(tool)):
            print(f"{tool} is not installed: pip install bandit detect-secrets", file=sys.stderr)
            return 2
    sdists = fetch(args.cache)
    # pip compiles an installed package's bytecode (bandit's and detect-secrets' have it); an
    # editable checkout run under PYTHONDONTWRITEBYTECODE=1 would recompile ygs on every run
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "ygs")], check=False)
    with tempfile.TemporaryDirectory(prefix="ygs-corpus-") as tmp:
        names = ("linter", "secrets", "clean", "vulnapp", "precommit")
        legs = {name: Path(tmp) / name for name in names}
        for folder in legs.values():
            folder.mkdir()
        app, skipped = vulnapp_leg(args.vulnapp, legs["vulnapp"])
        if skipped:
            print(f"note: vulnerable-app leg skipped: {skipped}", file=sys.stderr)
            del legs["vulnapp"]
        linter = linter_leg(sdists["bandit"], legs["linter"])
        secret = secrets_leg(legs["secrets"])
        clean_lines = clean_leg([sdists["requests"], sdists["flask"]], legs["clean"])
        libraries = [sdists["requests"] / "src" / "requests", sdists["flask"] / "src" / "flask"]
        twenty = [p for lib in libraries for p in sorted(lib.glob("*.py"))][:20]
        for p in twenty:
            shutil.copyfile(p, legs["precommit"] / f"{p.parent.name}_{p.name}")
        for folder in legs.values():
            staged_repo(folder)
        times: dict[tuple[str, str], list[float]] = {}
        found: dict[tuple[str, str], list] = {}
        for _ in range(args.runs):  # interleaved rounds: every tool sees the same machine state
            for leg, folder in legs.items():
                for tool in TOOLS if leg != "precommit" else ("ygs", "bandit"):
                    seconds, cpu, result = timed(RUNNERS[tool], folder)
                    times.setdefault((tool, leg), []).append(seconds)
                    times.setdefault((tool, leg, "cpu"), []).append(cpu)
                    found[(tool, leg)] = result
        return report(linter, secret, app, clean_lines, len(twenty), times, found)


def report(linter, secret, app, clean_lines, twenty, times, found) -> int:
    rows = {}
    for tool in TOOLS:
        lt = score_counts(found[(tool, "linter")], linter)
        st = score_lines(found[(tool, "secrets")], secret)
        ap = score_recall(found.get((tool, "vulnapp"), []), app)
        clean = found[(tool, "clean")]
        fp_clean = len(clean)
        no_assert = len([f for f in clean if f[2] != "B101"]) if tool == "bandit" else fp_clean
        tp = lt[0] + st[0]
        fp = lt[1] + st[1] + fp_clean
        rows[tool] = {
            "linter": lt,
            "secrets": st,
            "app": ap,
            "union": (tp + ap[0], lt[2] + st[2] + ap[1]),
            "precision": tp / (tp + fp) if tp + fp else 0.0,
            "fp_kloc": 1000 * fp_clean / clean_lines,
            "fp_kloc_no_assert": 1000 * no_assert / clean_lines,
        }
    app_total = rows["ygs"]["app"][1]
    print(
        f"corpus: {sum(linter.values())} labelled issues in {len(linter)} bandit examples; "
        f"{len(secret)} planted secrets; {app_total} hand-labelled vulnerabilities in vulpy; "
        f"{clean_lines:,} clean lines (requests, flask)"
    )
    head = f"{'':16}{'linter recall':>16}{'secret recall':>16}{'app recall':>13}"
    head += f"{'union recall':>15}"
    print(head + f"{'precision':>11}{'FP/kLOC':>9}{'py s':>7}{'py cpu':>8}{'all s':>7}")
    for tool, r in rows.items():
        lt, st, un, ap = r["linter"], r["secrets"], r["union"], r["app"]
        py_s = statistics.median(times[(tool, "linter")])
        py_cpu = statistics.median(times[(tool, "linter", "cpu")])
        all_s = sum(statistics.median(times[(tool, leg)]) for leg in ("linter", "secrets", "clean"))
        fpk = f"{r['fp_kloc']:.2f}"
        if tool == "bandit":
            fpk += f" ({r['fp_kloc_no_assert']:.2f} w/o B101)"
        print(
            f"{tool:16}{lt[0]:>5}/{lt[2]:<4}{lt[0] / lt[2]:>6.0%} {st[0]:>5}/{st[2]:<4}"
            f"{st[0] / st[2]:>6.0%} {ap[0]:>4}/{ap[1]:<3}{ap[0] / max(1, ap[1]):>5.0%}"
            f" {un[0]:>5}/{un[1]:<4}{un[0] / un[1]:>5.0%}"
            f"{r['precision']:>11.0%}{fpk:>9}{py_s:>7.2f}{py_cpu:>8.2f}{all_s:>7.2f}"
        )
    pre = statistics.median(times[("ygs", "precommit")])
    pre_cpu = statistics.median(times[("ygs", "precommit", "cpu")])
    bandit_py = statistics.median(times[("bandit", "linter", "cpu")])
    ygs_py = statistics.median(times[("ygs", "linter", "cpu")])
    y, b, d = rows["ygs"], rows["bandit"], rows["detect-secrets"]
    targets = [
        ("linter recall >= bandit's", y["linter"][0] >= b["linter"][0]),
        ("secret recall >= detect-secrets'", y["secrets"][0] >= d["secrets"][0]),
        ("union recall above both", y["union"][0] > max(b["union"][0], d["union"][0])),
        ("precision >= 94%", y["precision"] >= 0.94),
        ("FP <= 1.0 per 1,000 clean lines", y["fp_kloc"] <= 1.0),
        (
            f"as fast as bandit on Python (CPU {ygs_py:.2f} s vs {bandit_py:.2f} s)",
            ygs_py <= bandit_py,
        ),
        (
            f"pre-commit on a {twenty}-file change under 1 s "
            f"({pre:.2f} s wall, {pre_cpu:.2f} s CPU)",
            pre < 1.0,
        ),
    ]
    for name, ok in targets:
        print(f"{'PASS' if ok else 'MISS'}  {name}")
    return 0 if all(ok for _, ok in targets) else 1


if __name__ == "__main__":
    sys.exit(main())
