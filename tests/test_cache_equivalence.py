"""A warm cache changes how fast `ygs check` answers, never what it answers: cold, warm and
`--changed` runs agree on a project mutated in many ways, and linting a few files at a
time finds exactly what one pass over all of them finds."""

from __future__ import annotations

import os
import shutil
import time

import pytest
from conftest import REPO, edit, git

import ygs.core.lint as lint_mod
from ygs.cache import parallel
from ygs.cli.cmd_check import CROSS_RULES

PRD = "docs/prd/2026-01-10-alert-delivery.md"
TRD = "docs/trd/2026-01-12-alert-delivery.md"
SPEC = "openspec/specs/auth/spec.md"
FIXTURES = REPO / "tests" / "fixtures"


def findings(ygs, root, *args) -> list[tuple]:
    found = ygs("check", *args, "--json", "--fail-on", "never", cwd=root).json["findings"]
    return sorted((f["rule"], f["path"], f["line"] or 0, f["message"]) for f in found)


def backdate(root, seconds: float = 60) -> None:
    """Every file older than the cache's racy window, so size and mtime are trusted."""
    then = time.time() - seconds
    for folder, _dirs, names in os.walk(root):
        if "/.git" in folder or "/.ygs" in folder:
            continue
        for name in names:
            os.utime(os.path.join(folder, name), (then, then))


@pytest.fixture
def mutated(proj):
    """The clean project plus OpenSpec and spec-kit specs, committed, then edited: a dangling
    reference, a deleted ADR others cite, a new task for an unknown requirement, a spec
    that lost its scenarios, and a TRD row for a requirement that no longer exists."""
    for name in ("openspec-project", "speckit-project"):
        shutil.copytree(FIXTURES / name, proj, dirs_exist_ok=True)
    git(proj, "init", "-q", "-b", "main")
    git(proj, "add", "-A")
    git(proj, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "specs")
    edit(proj, PRD, "- None recorded.", "- See REQ-042 and ADR-0009.")
    edit(proj, PRD, "### REQ-002", "### REQ-012")
    (proj / "docs/adr/0002-use-an-outbox.md").unlink()
    task = proj / "tasks/backlog/TASK-009-orphan.md"
    task.write_text(
        "---\nid: TASK-009\ntitle: Orphan\nstatus: backlog\nsatisfies: [REQ-777]\n---\n"
        "# Orphan\n\nDepends on TASK-404.\n",
        encoding="utf-8",
    )
    spec = proj / SPEC
    spec.write_text(spec.read_text().replace("#### Scenario:", "#### Note:"), encoding="utf-8")
    backdate(proj)
    return proj


def test_cold_warm_and_changed_runs_agree(ygs, mutated, monkeypatch):
    monkeypatch.setenv("YGS_NO_CACHE", "1")
    cold = findings(ygs, mutated)
    cold_changed = findings(ygs, mutated, "--changed")
    monkeypatch.delenv("YGS_NO_CACHE")
    assert cold, "the mutations must produce findings"
    assert findings(ygs, mutated) == cold  # fills the cache
    assert (mutated / ".ygs/cache/catalog.cache").is_file()
    assert findings(ygs, mutated) == cold  # answered from the cache
    assert findings(ygs, mutated, "--changed") == cold_changed
    edited = git(mutated, "diff", "--name-only", "--diff-filter=ACMR", "HEAD").split()
    changed = {*edited, *git(mutated, "ls-files", "--others", "--exclude-standard").split()}
    assert PRD in changed
    assert "tasks/backlog/TASK-009-orphan.md" in changed
    assert [f for f in cold_changed if f[1] in changed] == [f for f in cold if f[1] in changed]
    elsewhere = [f for f in cold_changed if f[1] not in changed]
    assert elsewhere and set(elsewhere) <= set(cold)  # what the change does to other files
    assert {f[0] for f in elsewhere} <= CROSS_RULES


def test_an_edit_after_a_warm_run_is_seen_by_every_mode(ygs, mutated, monkeypatch):
    findings(ygs, mutated)
    findings(ygs, mutated, "--changed")
    edit(mutated, TRD, "| REQ-001 |", "| REQ-404 |")  # the same size
    # Old enough to be trusted by size and mtime, yet seconds apart from the first backdate:
    # git compares mtimes in whole seconds, so an edit of the same size backdated into the
    # same second would be invisible to `git diff` (and so to --changed) on a fast machine.
    backdate(mutated, 30)
    warm, warm_changed = findings(ygs, mutated), findings(ygs, mutated, "--changed")
    monkeypatch.setenv("YGS_NO_CACHE", "1")
    assert warm == findings(ygs, mutated)
    assert warm_changed == findings(ygs, mutated, "--changed")
    assert any(f[1] == TRD and "REQ-404" in f[3] for f in warm_changed)


def test_linting_in_chunks_finds_what_one_pass_finds(ygs, mutated, monkeypatch):
    monkeypatch.setenv("YGS_NO_CACHE", "1")
    whole = findings(ygs, mutated)
    monkeypatch.setattr(lint_mod, "CHUNK", 1)
    assert findings(ygs, mutated) == whole
    monkeypatch.setattr(lint_mod, "CHUNK", 3)
    assert findings(ygs, mutated) == whole


def test_worker_processes_find_what_one_process_finds(ygs, mutated, monkeypatch):
    """A cold run parses and lints over forked workers; the answer is the same, and so is
    what the cache then holds (a warm run agrees, as does trace)."""
    monkeypatch.setenv("YGS_NO_CACHE", "1")
    monkeypatch.setenv("YGS_WORKERS", "1")
    whole = findings(ygs, mutated)
    graph = ygs("trace", "--json", cwd=mutated).json
    monkeypatch.setattr(parallel, "MIN_ITEMS", 2)
    monkeypatch.setenv("YGS_WORKERS", "3")
    spawned, spawn = [], parallel._spawn_streaming
    monkeypatch.setattr(parallel, "_spawn_streaming", lambda *a: spawned.append(1) or spawn(*a))
    assert findings(ygs, mutated) == whole
    assert len(spawned) == 3  # three workers parse and lint, the parent takes in their work
    assert ygs("trace", "--json", cwd=mutated).json == graph
    monkeypatch.delenv("YGS_NO_CACHE")
    assert findings(ygs, mutated) == whole  # cold, filled by workers
    assert findings(ygs, mutated) == whole  # warm
    changed = _changed(mutated)
    found = findings(ygs, mutated, "--changed")
    assert [f for f in found if f[1] in changed] == [f for f in whole if f[1] in changed]
    assert set(found) <= set(whole)


def test_trace_reads_unchanged_requirements_from_the_cache_and_sees_an_edit(
    ygs, mutated, monkeypatch
):
    """Each PRD's requirements are cached by file: a warm trace equals a cold one, and an
    edit to one PRD (same size, backdated) shows in the next trace."""

    def graph() -> dict:
        return ygs("trace", "--json", cwd=mutated).json

    monkeypatch.setenv("YGS_NO_CACHE", "1")
    cold = graph()
    monkeypatch.delenv("YGS_NO_CACHE")
    assert graph() == cold
    assert (mutated / ".ygs/cache/trace-requirements.cache").is_file()
    assert graph() == cold
    edit(mutated, PRD, "Hourly digest", "Weekly digest")
    backdate(mutated, 30)
    titles = {r["id"]: r["title"] for r in graph()["requirements"]}
    assert titles["REQ-012"] == "Weekly digest"
    monkeypatch.setenv("YGS_NO_CACHE", "1")
    assert graph()["requirements"] == ygs("trace", "--json", cwd=mutated).json["requirements"]


def test_a_worker_that_dies_is_not_trusted(monkeypatch):
    """A child that fails has its share worked on again in the parent."""
    monkeypatch.setenv("YGS_WORKERS", "2")

    def work(part):
        if os.getpid() != parent:
            os._exit(3)
        return [x * 2 for x in part]

    parent = os.getpid()
    assert parallel.fan_out(list(range(10)), work, min_items=2) == [x * 2 for x in range(10)]


@pytest.mark.parametrize("count", ["1", "3"])
def test_each_slice_result_is_handed_on_in_the_parent_own_slice_first(monkeypatch, count):
    """`then` sees every slice's result in this process, its own slice's before any
    worker's (so it can work on it while they still do), in item order."""
    monkeypatch.setenv("YGS_WORKERS", count)
    seen = []

    def work(part):
        return [(os.getpid(), x) for x in part]

    def then(result):
        seen.append((os.getpid(), [x for _pid, x in result]))

    found = parallel.fan_out(list(range(9)), work, min_items=2, then=then)
    assert [x for _pid, x in found] == list(range(9))
    assert {pid for pid, _ in seen} == {os.getpid()}
    assert [xs for _, xs in seen] == (
        [list(range(9))] if count == "1" else [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    )
    assert found[0][0] == os.getpid() and (count == "1" or found[-1][0] != os.getpid())


def _dealt(items: int, most: int, work, then=None) -> list:
    return parallel.deal(list(range(items)), work, most=most, then=then)


@pytest.mark.parametrize("count", ["1", "2", "3"])
def test_dealt_chunks_each_go_to_one_process_in_order(monkeypatch, count):
    """Each process takes chunks as it is free: every item is worked on exactly once, a
    process's chunks in item order, none larger than `most`; `then` sees every result in
    this process, its own first."""
    monkeypatch.setattr(parallel, "MIN_ITEMS", 2)
    monkeypatch.setenv("YGS_WORKERS", count)
    seen = []

    def work(chunks):
        return os.getpid(), [list(c) for c in chunks]

    found = _dealt(50, 4, work, then=lambda result: seen.append((os.getpid(), result[0])))
    items = [x for _pid, chunks in found for c in chunks for x in c]
    assert sorted(items) == list(range(50))
    for _pid, chunks in found:
        flat = [x for c in chunks for x in c]
        assert flat == sorted(flat) and all(0 < len(c) <= 4 for c in chunks)
    assert found[0][0] == os.getpid() and {pid for pid, _ in seen} == {os.getpid()}
    assert [pid for _, pid in seen] == [pid for pid, _ in found]
    assert len({pid for pid, _ in found}) == len(found) == int(count)


def test_a_dealing_worker_that_dies_is_not_trusted(monkeypatch):
    """The chunks a failed child may have taken are worked on again in the parent."""
    monkeypatch.setattr(parallel, "MIN_ITEMS", 2)
    monkeypatch.setenv("YGS_WORKERS", "2")
    parent = os.getpid()
    took, tell = os.pipe()  # the child took a chunk: only then does the parent take any
    passes = []

    def work(chunks):
        if os.getpid() != parent:
            next(chunks)
            os.write(tell, b"x")
            os._exit(3)
        if not passes:  # the parent's first pass waits; the one redoing the child's, not
            assert os.read(took, 1) == b"x"
        passes.append(1)
        return [x for c in chunks for x in c]

    try:
        found = _dealt(40, 2, work)
    finally:
        os.close(took), os.close(tell)
    assert len(found) == 2 and found[1]  # the parent's own chunks, then the child's again
    assert sorted(x for part in found for x in part) == list(range(40))


def test_dealing_without_workers_is_one_pass_in_chunks(monkeypatch):
    monkeypatch.setenv("YGS_WORKERS", "1")
    assert _dealt(7, 3, lambda chunks: [list(c) for c in chunks]) == [[[0, 1, 2], [3, 4, 5], [6]]]


@pytest.mark.parametrize("total", [1, 50, 3000, 10000])
def test_chunks_shrink_towards_the_end_so_workers_end_together(total):
    """Chunks keep the items in order, none above `most`, none larger than the one
    before, and the last ones are small: the processes run out of work close together."""
    chunks = parallel._chunked(list(range(total)), 256, 2)
    assert [x for c in chunks for x in c] == list(range(total))
    sizes = [len(c) for c in chunks]
    assert max(sizes) <= 256 and sizes == sorted(sizes, reverse=True)
    assert sizes[-1] <= 16


def _streamed(items: int, most: int, work, then=None) -> tuple[list, list]:
    return parallel.stream(list(range(items)), work, most=most, then=then)


def _chunk_by_chunk(chunks):
    """A `stream` worker: each chunk's items with the process that did them, then how
    many chunks it took."""
    n = 0
    for chunk in chunks:
        n += 1
        yield os.getpid(), list(chunk)
    return os.getpid(), n


@pytest.mark.parametrize("count", ["1", "2", "3"])
def test_streamed_chunks_come_back_in_order_each_handed_on_here(monkeypatch, count):
    """Workers take chunks as they are free; every chunk's result comes back once, in
    chunk order, `then` sees each in this process, and every worker's closing result."""
    monkeypatch.setattr(parallel, "MIN_ITEMS", 2)
    monkeypatch.setenv("YGS_WORKERS", count)
    seen = []
    results, closing = _streamed(50, 4, _chunk_by_chunk, then=seen.append)
    assert [x for _pid, chunk in results for x in chunk] == list(range(50))
    assert all(0 < len(chunk) <= 4 for _pid, chunk in results)
    assert sorted(seen) == sorted(results)
    assert sum(n for _pid, n in closing) == len(results)
    pids = {pid for pid, _n in closing}
    assert len(pids) == len(closing) == int(count)
    assert (os.getpid() in pids) == (count == "1")  # with workers, this process only collects


def test_a_streaming_worker_that_dies_keeps_what_it_sent(monkeypatch):
    """A worker that dies after sending some chunks' results: those stand, the chunks it
    did not finish are worked on again here."""
    monkeypatch.setattr(parallel, "MIN_ITEMS", 2)
    monkeypatch.setenv("YGS_WORKERS", "2")
    parent = os.getpid()
    first = {}

    def work(chunks):
        for chunk in chunks:
            if os.getpid() != parent and first.setdefault("done", chunk[0]) != chunk[0]:
                os._exit(3)  # dies on its second chunk: its first was sent
            yield os.getpid(), list(chunk)
        return os.getpid()

    results, closing = _streamed(40, 2, work)
    assert [x for _pid, chunk in results for x in chunk] == list(range(40))
    assert closing == [parent]  # both workers died; this process did what they left
    assert {pid for pid, _chunk in results} - {parent}  # what they sent was kept


def _changed(root) -> set[str]:
    edited = git(root, "diff", "--name-only", "--diff-filter=ACMR", "HEAD").split()
    return {*edited, *git(root, "ls-files", "--others", "--exclude-standard").split()}


def _age_refs(root, seconds: float) -> None:
    then = time.time() - seconds
    for folder, _dirs, names in os.walk(root / ".git"):
        for name in names:
            os.utime(os.path.join(folder, name), (then, then))
        os.utime(folder, (then, then))


COMMIT = ("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm")


def _committed_and_aged(root) -> None:
    """The project in a new git repository, committed, its files and refs older than the
    caches' racy window."""
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, *COMMIT, "project")
    backdate(root)
    _age_refs(root, 120)


def test_a_spike_merged_after_a_warm_run_is_reported(ygs, proj):
    """The spike merges (SPK002) are cached against git's refs on disk: a merge moves a ref,
    so the next check asks git again."""
    _committed_and_aged(proj)
    assert not [f for f in findings(ygs, proj) if f[0] == "SPK002"]
    assert not [f for f in findings(ygs, proj) if f[0] == "SPK002"]  # from the cache
    git(proj, "switch", "-q", "-c", "spike/queue-rate-ab12")
    (proj / "bench.py").write_text("print('10k writes/s')\n")
    git(proj, "add", "bench.py")
    git(proj, *COMMIT, "experiment")
    git(proj, "switch", "-q", "main")
    git(proj, "merge", "-q", "--no-ff", "-m", "Merge branch 'spike/queue-rate-ab12'", "HEAD@{1}")
    _age_refs(proj, 60)  # still older than the racy window: only the refs' stamps differ
    assert [f for f in findings(ygs, proj) if f[0] == "SPK002"]


def _report(ygs, root, *args) -> dict:
    data = ygs("check", *args, "--json", "--fail-on", "never", cwd=root).json
    return {k: data[k] for k in ("findings", "inputs", "checked", "counts")}


def test_a_cold_check_in_one_pass_reports_what_the_catalogue_lint_does(ygs, mutated, monkeypatch):
    """A cold check whose workers parse and lint their slices in one pass (guessing at
    other files, checked by the parent) reports what linting the whole catalogue does:
    findings, the lines they fingerprint, and input totals, with any number of workers;
    its cache, written in parts, serves the next runs."""
    from ygs.cache import cold

    monkeypatch.setenv("YGS_NO_CACHE", "1")
    catalogue = cold.check
    monkeypatch.setattr(cold, "check", lambda *_a: None)
    whole = _report(ygs, mutated)
    whole_changed = _report(ygs, mutated, "--changed")
    monkeypatch.setattr(cold, "check", catalogue)
    monkeypatch.setattr(parallel, "MIN_ITEMS", 2)
    relinted, relint = [], cold._relint
    monkeypatch.setattr(cold, "_relint", lambda *a: relinted.append(a[2]) or relint(*a))
    for count in ("1", "2", "3"):
        monkeypatch.setenv("YGS_WORKERS", count)
        assert _report(ygs, mutated) == whole
    assert relinted and all(relinted)  # the dangling ids: linted again, with the truth
    monkeypatch.delenv("YGS_NO_CACHE")
    assert _report(ygs, mutated) == whole  # cold, the cache written by the workers
    parts = list((mutated / ".ygs/cache").glob("catalog.cache.*.part"))
    assert len(parts) == 3
    assert _report(ygs, mutated) == whole  # warm, from the state
    assert _report(ygs, mutated, "--changed") == whole_changed
    assert ygs("trace", "--json", cwd=mutated).json["requirements"]  # reads the parts


def test_a_cache_in_parts_is_whole_or_not_at_all(tmp_path):
    """Workers write a cache in parts; the cache file names them. A part that is gone or
    damaged empties the cache (it is rebuilt); a cache written whole removes its parts."""
    from ygs.cache import FileCache

    env = {"XDG_CACHE_HOME": str(tmp_path / "xdg")}
    (tmp_path / ".ygs").mkdir()
    cache = FileCache.open(tmp_path, "catalog", ("docs",), env)
    names = []
    for first in (0, 10):
        writer = cache.part_writer()
        writer.add({f"a{i}": (i, i, b"d", ("v", i)) for i in range(first, first + 5)})
        writer.add({f"a{i}": (i, i, b"d", ("v", i)) for i in range(first + 5, first + 10)})
        names.append(writer.close())
    cache.save_parts(names)
    again = FileCache.open(tmp_path, "catalog", ("docs",), env)
    assert again.entries == {f"a{i}": (i, i, b"d", ("v", i)) for i in range(20)}
    part = tmp_path / ".ygs/cache" / names[1]
    data = part.read_bytes()
    part.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    assert FileCache.open(tmp_path, "catalog", ("docs",), env).entries == {}
    part.unlink()
    assert FileCache.open(tmp_path, "catalog", ("docs",), env).entries == {}
    again.seen.update(again.entries)  # every file still there
    again.dirty, again.changed = True, len(again.entries)  # enough new to write it again
    again.save()  # whole: the parts it read are no longer named, so they go
    assert not list((tmp_path / ".ygs/cache").glob("*.part"))
    assert len(FileCache.open(tmp_path, "catalog", ("docs",), env).entries) == 20


def test_check_and_trace_keep_catalogues_of_their_own_and_read_not_the_other(
    ygs, mutated, monkeypatch
):
    """The check keeps full records (`catalog.cache`), the trace slim ones
    (`trace-catalog.cache`): neither reads the other's, a check with no state of its own
    reads none, nor one that must lint the whole catalogue (at scale its workers parse
    afresh), and each answers what it answers with no cache at all."""
    import ygs.cache as cache_mod

    monkeypatch.setenv("YGS_NO_CACHE", "1")
    whole = findings(ygs, mutated)
    graph = ygs("trace", "--json", cwd=mutated).json
    monkeypatch.delenv("YGS_NO_CACHE")
    monkeypatch.setattr(parallel, "MIN_ITEMS", 2)
    read, real = [], cache_mod.read_blob
    monkeypatch.setattr(
        cache_mod, "read_blob", lambda path, *a: read.append(path.name) or real(path, *a)
    )
    cache = mutated / ".ygs/cache"
    for first in ("trace", "check"):
        shutil.rmtree(cache, ignore_errors=True)
        if first == "check":
            assert findings(ygs, mutated) == whole
        else:
            assert ygs("trace", "--json", cwd=mutated).json == graph
        read.clear()
        if first == "trace":
            assert findings(ygs, mutated) == whole
            assert not {"catalog.cache", "trace-catalog.cache"} & set(read)
        else:
            assert ygs("trace", "--json", cwd=mutated).json == graph
            assert "catalog.cache" not in read
    assert {"catalog.cache", "trace-catalog.cache"} <= {p.name for p in cache.iterdir()}
    edit(mutated, PRD, "### REQ-003: ", "### REQ-001: ")  # an id twice: no state answers
    backdate(mutated, 30)
    read.clear()
    found = findings(ygs, mutated)
    assert "catalog.cache" not in read  # the whole catalogue is linted: parsed afresh
    monkeypatch.setenv("YGS_NO_CACHE", "1")
    assert found == findings(ygs, mutated) != whole


@pytest.mark.parametrize("workers", [False, True])
def test_a_trace_from_its_slim_cache_sees_edits_and_rows_it_lacks(
    ygs, mutated, monkeypatch, workers
):
    """The trace's cache holds no PRD's text, nor the statements and scenarios of OpenSpec
    and spec-kit requirements (their names, yes). An edited PRD is parsed again; a PRD whose
    rows are not cached is read from disk, not taken for one with no requirements."""
    from ygs.cache import traced
    from ygs.project import Project

    if workers:
        monkeypatch.setattr(parallel, "MIN_ITEMS", 2)

    def graph() -> dict:
        (mutated / ".ygs/cache/trace.result").unlink(missing_ok=True)  # built, not read back
        return ygs("trace", "--json", cwd=mutated).json

    def fresh() -> dict:
        monkeypatch.setenv("YGS_NO_CACHE", "1")
        try:
            return graph()
        finally:
            monkeypatch.delenv("YGS_NO_CACHE")

    assert graph() == fresh()
    proj = Project.at(mutated)
    slim = traced.open_cache(proj, traced.RECORDS).entries
    prds = [value for *_, value in slim.values() if value[1] == "prd"]
    assert prds and all(value[9] == "" for value in prds)
    parses = [value[12] for *_, value in slim.values() if value[12] is not None]
    reqs = [r for parse in parses for r in parse[5]]  # OpenSpec and spec-kit requirements
    assert reqs and all(r[1] for r in reqs)  # named, as the graph shows them
    assert all(r[3] == "" and all(s[1:] == ("", "") for s in r[6]) for r in reqs)
    edit(mutated, PRD, "Hourly digest", "Weekly digest")
    backdate(mutated, 30)
    edited = graph()
    assert "Weekly digest" in {r["title"] for r in edited["requirements"]}
    assert edited == fresh()
    rows = traced.open_cache(proj, traced.ROWS)
    del rows.entries[PRD]
    rows.save_parts([])  # the file is there, without this PRD's rows
    assert graph() == edited


def test_a_trace_with_no_input_changed_is_read_back_and_any_change_is_seen(ygs, proj):
    """`trace.result` keeps the graph against every input of the trace: the artifact
    files, the test files, the settings it reads and git's refs. Unchanged, the graph is
    read back (the result is not written again); an edit to a test, a new commit, an
    edited PRD or a changed setting shows in the next trace."""
    _committed_and_aged(proj)

    def trace() -> dict:
        return ygs("trace", "--json", cwd=proj).json

    def of(data: dict, field: str) -> dict:
        return {r["id"]: r[field] for r in data["requirements"]}

    first = trace()
    result = proj / ".ygs/cache/trace.result"
    written = result.stat().st_mtime_ns
    assert trace() == first
    assert result.stat().st_mtime_ns == written  # read back, not built again
    test = next(p for p in sorted((proj / "tests").rglob("*.py")))
    test.write_text(test.read_text() + "\n# covers: REQ-003\n")
    backdate(proj)
    second = trace()
    assert len(of(second, "tests")["REQ-003"]) == len(of(first, "tests")["REQ-003"]) + 1
    git(proj, "add", "-A")
    git(proj, *COMMIT, "Deliver REQ-001 retries")
    _age_refs(proj, 60)  # older than the racy window: only the refs' stamps differ
    third = trace()
    assert len(of(third, "commits")["REQ-001"]) == len(of(second, "commits")["REQ-001"]) + 1
    edit(proj, PRD, "### REQ-003: ", "### REQ-003: renamed, ")
    backdate(proj)
    fourth = trace()
    assert of(fourth, "title")["REQ-003"].startswith("renamed,")
    assert all(of(fourth, "gated").values())
    config = proj / ".ygs/config.yaml"  # no file the trace reads changes: a setting does
    config.write_text(config.read_text() + "trace:\n  skip_statuses: [approved]\n")
    assert not any(of(trace(), "gated").values())
