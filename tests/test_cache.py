"""The incremental cache (`ygs.cache`): warm runs reuse parsed files and results, and a
stale, racy, corrupt, tampered or concurrently written cache never gives a wrong answer."""

from __future__ import annotations

import os
import shutil
import threading

from conftest import edit

PRD = "docs/prd/2026-01-10-alert-delivery.md"


def findings(ygs, root, *args) -> list[tuple[str, str, int]]:
    found = ygs("check", *args, "--json", "--fail-on", "never", cwd=root).json["findings"]
    return [(f["rule"], f["path"], f["line"]) for f in found]


def initialise(root) -> None:
    (root / ".ygs").mkdir(exist_ok=True)


def test_cache_lives_in_ygs_cache_and_warm_runs_agree(ygs, proj):
    initialise(proj)
    cold = findings(ygs, proj)
    assert (proj / ".ygs/cache/catalog.cache").is_file()
    assert (proj / ".ygs/cache/.gitignore").read_text() == "*\n"
    assert findings(ygs, proj) == cold
    edit(proj, PRD, "- None recorded.", "- See REQ-042.")
    assert ("ART005", PRD, 69) in findings(ygs, proj)


def test_nothing_is_written_into_a_project_without_ygs(ygs, proj, isolated_home):
    shutil.rmtree(proj / ".ygs")
    findings(ygs, proj)
    assert not (proj / ".ygs").exists()
    assert list((isolated_home / ".cache/ygs/projects").iterdir())


def test_a_racy_edit_with_the_same_size_and_mtime_is_seen(ygs, proj):
    initialise(proj)
    path = proj / PRD
    text = path.read_text()
    path.write_text(text)  # modified just now: within the mtime's racy window of the cache
    st = path.stat()
    assert findings(ygs, proj) == []
    path.write_text(text.replace("- None recorded.", "- See REQ-042."[:16].ljust(16)))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size
    assert [r for r, _, _ in findings(ygs, proj)] == ["ART005"]


def test_corrupt_or_tampered_cache_is_rebuilt(ygs, proj):
    initialise(proj)
    edit(proj, PRD, "- None recorded.", "- See REQ-042.")
    expected = findings(ygs, proj)
    cache = proj / ".ygs/cache/catalog.cache"
    result = proj / ".ygs/cache/check.result"
    good = cache.read_bytes()
    cache.write_bytes(good[: len(good) // 2])  # truncated
    result.write_bytes(b"garbage")
    assert findings(ygs, proj) == expected
    data = bytearray(cache.read_bytes())
    data[-10] ^= 0xFF  # one flipped byte: the MAC no longer matches, so it is not unpickled
    cache.write_bytes(bytes(data))
    result.unlink()
    assert findings(ygs, proj) == expected


def test_a_result_is_not_reused_when_a_link_target_appears(ygs, proj):
    initialise(proj)
    edit(proj, PRD, "- None recorded.", "- See [the runbook](../runbook.md).")
    assert ("ART006", PRD, 69) in findings(ygs, proj)
    (proj / "docs/runbook.md").write_text("# Runbook\n")
    assert ("ART006", PRD, 69) not in findings(ygs, proj)


def test_no_cache_when_turned_off(ygs, proj, monkeypatch):
    initialise(proj)
    monkeypatch.setenv("YGS_NO_CACHE", "1")
    findings(ygs, proj)
    assert not (proj / ".ygs/cache").exists()


def test_concurrent_runs_leave_a_valid_cache(ygs_proc, proj):
    initialise(proj)
    edit(proj, PRD, "- None recorded.", "- See REQ-042.")
    results = []

    def run() -> None:
        results.append(ygs_proc("check", "--json", "--fail-on", "never", cwd=proj))

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.code for r in results] == [0, 0, 0]
    assert len({r.stdout for r in results}) == 1
    assert not [p for p in (proj / ".ygs/cache").iterdir() if p.name.endswith(".tmp")]
    again = ygs_proc("check", "--json", "--fail-on", "never", cwd=proj)
    assert again.stdout == results[0].stdout


def test_trace_reuses_scanned_tests(ygs, proj):
    initialise(proj)
    first = ygs("trace", "--json", cwd=proj).json
    assert (proj / ".ygs/cache/tests.cache").is_file()
    test = next(p for p in (proj / "tests").rglob("*.py"))
    test.write_text(test.read_text() + "\n# covers: REQ-003\n")
    second = ygs("trace", "--json", cwd=proj).json
    before = {r["id"]: len(r["tests"]) for r in first["requirements"]}
    after = {r["id"]: len(r["tests"]) for r in second["requirements"]}
    assert after["REQ-003"] == before["REQ-003"] + 1


def _old_file(path, text: str):
    path.write_text(text, encoding="utf-8")
    then = path.stat().st_mtime - 60  # out of the racy window
    os.utime(path, (then, then))
    return path.stat()


def test_a_few_edits_in_a_large_cache_are_parsed_again_not_rewritten(tmp_path):
    """Rewriting a cache of thousands of entries for one edit costs more than parsing that
    file again next time: the file keeps its old size and mtime, so the next run misses,
    reads it and parses it afresh. Past FEW of the entries, the cache is rewritten."""
    from ygs.cache import MISS, FileCache

    root = tmp_path
    (root / ".ygs").mkdir()
    files = {f"f{i}.md": _old_file(root / f"f{i}.md", f"v1 {i}") for i in range(300)}
    cache = FileCache.open(root, "t")
    for rel, st in files.items():
        cache.fetch(rel, st, root / rel, lambda data: data.decode())
    cache.save()
    stored = cache.path.read_bytes()

    st = _old_file(root / "f0.md", "v2 0")
    cache = FileCache.open(root, "t")
    for rel in files:
        current = (root / rel).stat()
        value = cache.fetch(rel, current, root / rel, lambda data: data.decode())
        assert value == (root / rel).read_text()
    cache.save()
    assert cache.path.read_bytes() == stored  # one edit in 300: not rewritten
    again = FileCache.open(root, "t")
    assert again.get("f0.md", st) is MISS  # so the edit is parsed again next time
    assert again.fetch("f0.md", st, root / "f0.md", lambda data: data.decode()) == "v2 0"

    for i in range(1, 10):  # ten edits in 300: more than FEW, so the cache is rewritten
        _old_file(root / f"f{i}.md", f"v2 {i}")
    for rel in files:
        again.fetch(rel, (root / rel).stat(), root / rel, lambda data: data.decode())
    again.save()
    assert again.path.read_bytes() != stored
    assert FileCache.open(root, "t").get("f0.md", (root / "f0.md").stat()) == "v2 0"


def test_workers_follow_ygs_workers_and_never_go_below_one():
    from ygs.cache.parallel import workers

    assert workers({"YGS_WORKERS": "3"}) == 3
    assert workers({"YGS_WORKERS": "1"}) == 1
    assert workers({"YGS_WORKERS": "0"}) >= 1
    assert workers({}) >= 1


def test_idle_cores_give_at_most_max_workers():
    from ygs.cache.parallel import MAX_WORKERS, idle_workers

    assert idle_workers(64, 0.0) == MAX_WORKERS
    assert idle_workers(64, 62.0) == 2


def _fake_proc(root, runnable: int, tasks: dict[int, tuple]):
    """A /proc with a loadavg and tasks {pid: (name, state, flags[, parent pid])}, one
    thread each."""
    root.mkdir(exist_ok=True)
    (root / "loadavg").write_text(f"0.50 0.40 0.30 {runnable}/120 999\n")
    for pid, (name, state, flags, *ppid) in tasks.items():
        task = root / str(pid) / "task" / str(pid)
        task.mkdir(parents=True)
        parent = str(ppid[0] if ppid else 1)
        fields = [state, parent, str(pid), str(pid), "0", "-1", str(flags)] + ["0"] * 20
        (task / "stat").write_text(f"{pid} ({name}) {' '.join(fields)}\n")
    return str(root)


def test_kernel_threads_and_this_process_are_not_competitors(tmp_path):
    """The runnable count of /proc/loadavg counts kernel threads (a memory monitor
    waking for a moment) and this process: only other user tasks in state R keep a core
    busy. A name may hold spaces and parentheses."""
    import os

    from ygs.cache.parallel import PF_KTHREAD, _busy

    proc = _fake_proc(
        tmp_path,
        runnable=4,
        tasks={
            2: ("kthreadd", "S", PF_KTHREAD),
            71: ("kdamond.0", "R", PF_KTHREAD),
            400: ("odd) R (name", "S", 0x400000),
            401: ("pytest worker", "R", 0x400000),
            os.getpid(): ("ygs", "R", 0x400000),
        },
    )
    assert _busy(proc) == 1


def test_this_process_children_are_not_competitors(tmp_path):
    """The check starts `git status` before it walks; that git, still running when the
    workers are counted, is this run's own work, not a busy core (it made a 10,000-file
    cold check run in one process)."""
    import os

    from ygs.cache.parallel import _busy

    me = os.getpid()
    proc = _fake_proc(
        tmp_path,
        runnable=3,
        tasks={500: ("git", "R", 0x400000, me), me: ("ygs", "R", 0x400000)},
    )
    assert _busy(proc) == 0
    other = {500: ("git", "R", 0x400000, me + 1), me: ("ygs", "R", 0x400000)}
    assert _busy(_fake_proc(tmp_path / "b", runnable=3, tasks=other)) == 1


def test_a_quiet_loadavg_needs_no_scan(tmp_path):
    """Only this process runnable: nothing else is busy, whatever the task files say."""
    from ygs.cache.parallel import _busy

    proc = _fake_proc(tmp_path, runnable=1, tasks={401: ("busy", "R", 0)})
    assert _busy(proc) == 0
    assert _busy(_fake_proc(tmp_path / "b", runnable=3, tasks={401: ("busy", "R", 0)})) == 1


def test_a_cyclic_value_is_cached_whole(tmp_path):
    """Per-file caches are pickled without a memo (their values are trees); a value that
    refers to itself falls back to the memo and reads back whole, never a torn cache."""
    from ygs.cache import FileCache

    (tmp_path / ".ygs").mkdir()
    st = _old_file(tmp_path / "a.md", "text")
    loop: list = ["a"]
    loop.append(loop)
    shared = ["same"]
    cache = FileCache.open(tmp_path, "t")
    cache.fetch("a.md", st, tmp_path / "a.md", lambda data: (loop, shared, shared))
    cache.save()
    value = FileCache.open(tmp_path, "t").get("a.md", st)
    assert value[0][0] == "a" and value[0][1] is value[0]
    assert value[1] == value[2] == ["same"]


def test_trace_reads_requirements_once_cold_warm_and_after_an_edit(ygs, proj):
    """Cold, trace takes each PRD's requirements from the catalogue's parse of the file;
    warm, from `trace-requirements.cache`; after an edit, the edited file is parsed again. The
    graph is the same each way, and so is `status`, which reads the same index."""
    initialise(proj)
    cold = ygs("trace", "--json", cwd=proj).json
    assert (proj / ".ygs/cache/trace-requirements.cache").is_file()
    warm = ygs("trace", "--json", cwd=proj).json
    assert warm["requirements"] == cold["requirements"] and cold["requirements"]
    edit(proj, PRD, "### REQ-003: ", "### REQ-003: renamed, ")
    edited = ygs("trace", "--json", cwd=proj).json
    titles = {r["id"]: r["title"] for r in edited["requirements"]}
    assert titles["REQ-003"].startswith("renamed,")
    shutil.rmtree(proj / ".ygs/cache")
    assert ygs("trace", "--json", cwd=proj).json["requirements"] == edited["requirements"]
