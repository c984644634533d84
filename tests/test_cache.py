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
