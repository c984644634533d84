"""Writes and deletes stay inside the repository, parallel runs never collide, nothing is
lost: the repros of issue 18 (part A), each through the real CLI, races with real
processes."""

from __future__ import annotations

import hashlib
import json
import signal
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO, copy_pack, git, make_repo, ygs_executable
from ygs.errors import YgsError
from ygs.store import (
    Escape,
    allocate,
    backup_copy,
    clean_temps,
    create_new,
    inside,
    is_temp,
    lock,
)

FIXTURES = REPO / "tests" / "fixtures" / "templates"
MANIFEST = ".ygs/install-manifest.json"
AGENT_DIRS = {
    "claude": ".claude",
    "codex": ".agents",
    "copilot": ".github",
    "cursor": ".cursor",
    "gemini": ".gemini",
}


def answers_file(folder: Path, name: str) -> Path:
    data = yaml.safe_load((FIXTURES / f"{name}.yaml").read_text())["answers"]
    path = folder / f"{name}-answers.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() or p.is_symlink())


def temps_under(folder: Path) -> list[str]:
    return [str(p) for p in folder.rglob("*") if p.name.endswith((".tmp", ".ygs-link"))]


@pytest.fixture
def project(repo, ygs):
    assert ygs("init", cwd=repo).code == 0
    return repo


@pytest.fixture
def pack(tmp_path) -> Path:
    return copy_pack(tmp_path / "pack", ["ygs-adr", "ygs-implement"])


def plant(root: Path, rel: str, content: bytes) -> None:
    """Add a file entry to the project manifest, with its content as the merge base."""
    path = root / MANIFEST
    data = json.loads(path.read_text())
    sha = hashlib.sha256(content).hexdigest()
    data["installs"]["claude"]["ygs-adr"]["files"][rel] = {"sha256": sha}
    data["blobs"][sha] = {"text": content.decode()}
    path.write_text(json.dumps(data))


# ----------------------------------------------------------------------------- containment


def test_inside_refuses_escapes_and_links(tmp_path):
    root = tmp_path / "root"
    (root / "real").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    (root / "link").symlink_to(tmp_path / "elsewhere")
    assert inside(root, "real/x.md") == root / "real" / "x.md"
    for bad in ("../x", "real/../../x", "/etc/passwd", "", "a\0b", "C:\\x"):
        with pytest.raises(Escape):
            inside(root, bad)
    with pytest.raises(Escape) as err:
        inside(root, "link/x.md")
    assert "symbolic link" in err.value.message and "--follow-symlinks" in err.value.remedy
    assert inside(root, "link/x.md", follow_symlinks=True) == root / "link" / "x.md"
    (root / "real" / "last").symlink_to(tmp_path / "elsewhere" / "f")
    assert inside(root, "real/last")  # the last part is replaced or removed, never followed


@pytest.mark.parametrize("force", [False, True])
def test_a_manifest_entry_outside_the_project_is_never_deleted(ygs, repo, tmp_path, force):
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "precious.txt").write_bytes(b"precious\n")
    (victim / "abs.txt").write_bytes(b"precious\n")
    assert ygs("install", "--scope", "project", "--skills", "adr", cwd=repo).code == 0
    plant(repo, "../victim/precious.txt", b"precious\n")
    plant(repo, str(victim / "abs.txt"), b"precious\n")
    plant(repo, "README.md", b"# demo\n")  # inside the repository, but not an agent's file
    flags = ["--force"] if force else []
    result = ygs("uninstall", "--scope", "project", *flags, "--json", cwd=repo)
    assert result.code == 2, result.stderr
    refused = {s["path"] for s in result.json["steps"] if s["action"] == "refused"}
    assert refused == {"../victim/precious.txt", str(victim / "abs.txt"), "README.md"}
    assert (victim / "precious.txt").read_bytes() == b"precious\n"
    assert (victim / "abs.txt").read_bytes() == b"precious\n"
    assert (repo / "README.md").read_text() == "# demo\n"
    assert not files_under(repo / ".claude")  # ygs's own files are gone


@pytest.mark.parametrize("force", [False, True])
def test_manifest_entries_through_a_linked_folder_are_never_deleted(ygs, repo, tmp_path, force):
    assert ygs("install", "--scope", "project", "--skills", "adr", cwd=repo).code == 0
    skill = repo / ".claude" / "skills" / "ygs-adr"
    victim = tmp_path / "victim"
    skill.rename(victim)  # same files, same hashes: only the link is hostile
    skill.symlink_to(victim, target_is_directory=True)
    before = sorted(p.name for p in victim.rglob("*"))
    flags = ["--force"] if force else []
    for command in (["uninstall", *flags], ["update"]):
        result = ygs(*command, "--scope", "project", cwd=repo)
        assert result.code == 2 and "symbolic link" in result.stderr, result.stderr
    assert sorted(p.name for p in victim.rglob("*")) == before


def test_update_never_touches_a_manifest_entry_outside_the_project(ygs, repo, tmp_path, pack):
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious\n")
    assert ygs("install", "--scope", "project", "--from", str(pack), cwd=repo).code == 0
    plant(repo, "../victim.txt", b"precious\n")
    result = ygs("update", "--scope", "project", "--json", cwd=repo)
    assert result.code == 2 and "../victim.txt" in result.stdout
    assert victim.read_bytes() == b"precious\n"
    assert "../victim.txt" not in (repo / MANIFEST).read_text()  # dropped from it
    assert ygs("update", "--scope", "project", cwd=repo).code == 0
    installed = ygs("installed", "--scope", "project", "--json", cwd=repo)
    assert installed.code == 0 and installed.json["refused"] == []


def test_a_manifest_link_entry_outside_the_project_is_left_alone(ygs, repo, tmp_path):
    assert ygs("install", "--scope", "project", "--skills", "adr", cwd=repo).code == 0
    outside = tmp_path / "their-link"
    outside.symlink_to(tmp_path)
    data = json.loads((repo / MANIFEST).read_text())
    data["installs"]["claude"]["ygs-x"] = {
        "version": "0",
        "source": "packaged",
        "mode": "link",
        "files": {},
        "link": {"path": "../their-link", "target": str(tmp_path)},
    }
    (repo / MANIFEST).write_text(json.dumps(data))
    listed = ygs("installed", "--scope", "project", "--json", cwd=repo)
    assert listed.code == 2 and listed.json["refused"][0]["path"] == "../their-link"
    assert ygs("uninstall", "--scope", "project", cwd=repo).code == 2
    assert outside.is_symlink()


@pytest.mark.parametrize("agent", sorted(AGENT_DIRS))
def test_project_install_refuses_a_linked_agent_folder(ygs, tmp_path, agent):
    repo = make_repo(tmp_path / "a" / "repo")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (repo / AGENT_DIRS[agent]).symlink_to("../../elsewhere")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "a hostile link")
    result = ygs("install", "--scope", "project", "--agent", agent, "--skills", "adr", cwd=repo)
    assert result.code == 2
    assert "symbolic link" in result.stderr and "--follow-symlinks" in result.stderr
    assert not files_under(elsewhere) and not (repo / MANIFEST).exists()
    assert git(repo, "status", "--porcelain") == ""
    opted = ygs(
        "install",
        "--scope",
        "project",
        "--agent",
        agent,
        "--skills",
        "adr",
        "--follow-symlinks",
        cwd=repo,
    )
    assert opted.code == 0, opted.stderr
    assert files_under(elsewhere)
    assert ygs("uninstall", "--scope", "project", cwd=repo).code == 2  # still needs the flag
    assert ygs("uninstall", "--scope", "project", "--follow-symlinks", cwd=repo).code == 0
    assert not [p for p in files_under(elsewhere) if p.is_file()]


def test_user_scope_trusts_the_agent_folder_but_not_links_below_it(ygs, isolated_home, tmp_path):
    dotfiles = tmp_path / "dotfiles" / "skills"
    dotfiles.mkdir(parents=True)
    (isolated_home / ".claude").mkdir()
    (isolated_home / ".claude" / "skills").symlink_to(dotfiles)  # the user's own link
    assert ygs("install", "--skills", "adr", cwd=tmp_path).code == 0
    assert (dotfiles / "ygs-adr" / "SKILL.md").is_file()
    assert ygs("uninstall", cwd=tmp_path).code == 0
    (dotfiles / "ygs-adr").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (tmp_path / "elsewhere").mkdir()
    refused = ygs("install", "--skills", "adr", cwd=tmp_path)
    assert refused.code == 2 and "ygs-adr" in refused.stderr
    assert not files_under(tmp_path / "elsewhere")


def test_interviews_refuse_a_linked_docs_folder(ygs, project, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    prd = project / "docs" / "prd"
    for child in prd.iterdir():
        child.unlink()
    prd.rmdir()
    prd.symlink_to("../../elsewhere")
    answers = answers_file(tmp_path, "prd")
    result = ygs("refine-prd", "--answers", str(answers), cwd=project)
    assert result.code == 2 and "symbolic link" in result.stderr
    assert list(elsewhere.iterdir()) == []
    assert not list(project.glob(".ygs/sessions/*.jsonl"))  # refused before the first question
    opted = ygs("refine-prd", "--answers", str(answers), "--follow-symlinks", cwd=project)
    assert opted.code == 0, opted.stderr
    assert len(list(elsewhere.glob("*.md"))) == 1


def test_a_linked_state_folder_is_refused(ygs, repo, tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (repo / ".ygs").symlink_to(tmp_path / "elsewhere")
    result = ygs("install", "--scope", "project", "--skills", "adr", cwd=repo)
    assert result.code == 2 and "symbolic link" in result.stderr
    assert ygs("next-id", "REQ", cwd=repo).code == 2
    assert list((tmp_path / "elsewhere").iterdir()) == []


def test_a_deeply_nested_manifest_is_a_clear_error(ygs, repo):
    (repo / ".ygs").mkdir()
    (repo / MANIFEST).write_text("[" * 100_000 + "]" * 100_000)
    for command in ("install", "uninstall", "installed"):
        result = ygs(command, "--scope", "project", cwd=repo)
        assert result.code == 2, (command, result.stderr)
        assert "nested too deeply" in result.stderr and "Traceback" not in result.stderr


# ----------------------------------------------------------------------------- races

NEXT_ID_WORKER = """
import contextlib, io, json, sys, time
from pathlib import Path
from ygs.cli import run
root, me, go = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
while not go.exists():
    time.sleep(0.005)
for i in range(3):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert run(["-C", str(root), "next-id", "REQ", "--json"]) == 0
    ident = json.loads(out.getvalue())["id"]
    time.sleep(0.01)  # the file is written later, as an agent would
    (root / "docs" / "prd" / f"2026-01-01-w{me}-{i}.md").write_text(
        f"---\\nid: w{me}-{i}\\ntype: prd\\ntitle: t\\nstatus: draft\\ndate: 2026-01-01\\n---\\n"
        f"## Requirements\\n\\n### {ident}: one\\n"
    )
    print(ident)
"""


def start(args: list[str], cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(
        args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def finish(procs: list[subprocess.Popen]) -> list[tuple[int, str, str]]:
    return [(p.wait(timeout=300), p.stdout.read(), p.stderr.read()) for p in procs]


def test_parallel_next_id_and_write_loops_hand_out_distinct_ids(project, tmp_path):
    go = tmp_path / "go"
    procs = [
        start([sys.executable, "-c", NEXT_ID_WORKER, str(project), str(n), str(go)], project)
        for n in range(20)
    ]
    go.touch()
    results = finish(procs)
    assert all(code == 0 for code, _, _ in results), [err for _, _, err in results]
    ids = [line for _, out, _ in results for line in out.split()]
    assert len(ids) == 60 and len(set(ids)) == 60
    assert sorted(ids) == [f"REQ-{n:03d}" for n in range(1, 61)]
    from ygs.project import Project

    assert allocate(Project.at(project), "REQ") == ["REQ-061"]
    ledger = json.loads((project / ".ygs" / "reserved-ids.json").read_text())
    assert list(ledger["reserved"]) == ["REQ-061"]  # the written ones left it


def test_next_id_reserves_until_the_id_is_written(ygs, project):
    assert ygs("next-id", "REQ", cwd=project).stdout.split() == ["REQ-001"]
    assert ygs("next-id", "REQ", "--count", "2", cwd=project).stdout.split() == [
        "REQ-002",
        "REQ-003",
    ]
    ledger = project / ".ygs" / "reserved-ids.json"
    assert set(json.loads(ledger.read_text())["reserved"]) == {"REQ-001", "REQ-002", "REQ-003"}
    (project / "docs" / "prd" / "2026-01-01-x.md").write_text(
        "---\nid: x\ntype: prd\ntitle: x\nstatus: draft\ndate: 2026-01-01\n---\n### REQ-003: a\n"
    )
    assert ygs("next-id", "REQ", "--json", cwd=project).json["ids"] == ["REQ-004"]
    assert set(json.loads(ledger.read_text())["reserved"]) == {"REQ-001", "REQ-002", "REQ-004"}
    for name in ("reserved-ids.json", "lock", ".gitignore"):  # local: .ygs/.gitignore says so
        git(project, "check-ignore", "-q", f".ygs/{name}")
    ledger.write_text("{not json")
    damaged = ygs("next-id", "REQ", cwd=project)
    assert damaged.code == 2 and "reserved-ids.json" in damaged.stderr


def test_allocate_skips_ids_the_caller_holds(project):
    from ygs.project import Project

    proj = Project.at(project)
    assert allocate(proj, "thr", 2, avoid=["THR-004"]) == ["THR-005", "THR-006"]
    with pytest.raises(YgsError):
        allocate(proj, "FOO")


def test_parallel_adrs_get_distinct_numbers(project, tmp_path):
    answers = answers_file(tmp_path, "adr")
    args = [*ygs_executable(), "adr", "Use an outbox", "--answers", str(answers), "--json"]
    results = finish([start(args, project) for _ in range(10)])
    assert all(code == 0 for code, _, _ in results), [err for _, _, err in results]
    ids = sorted(json.loads(out)["id"] for _, out, _ in results)
    assert ids == [f"ADR-{n:04d}" for n in range(1, 11)]
    assert len(list((project / "docs" / "adr").glob("*.md"))) == 10


def test_parallel_interviews_with_one_title_never_share_a_file(project, tmp_path):
    answers = answers_file(tmp_path, "prd")
    args = [*ygs_executable(), "refine-prd", "--answers", str(answers)]
    results = finish([start(args, project) for _ in range(8)])
    wrote = [out for code, out, _ in results if code == 0]
    for code, out, err in results:
        assert code == 0 or ("Wrote" not in out and "error" in err), (code, out, err)
    paths = [line.split()[1] for out in wrote for line in out.splitlines() if "Wrote" in line]
    assert len(paths) == len(wrote) == len(set(paths)) >= 1
    on_disk = sorted(p.relative_to(project).as_posix() for p in (project / "docs/prd").glob("*.md"))
    assert on_disk == sorted(paths)
    ids = [yaml.safe_load((project / p).read_text().split("---")[1])["id"] for p in paths]
    assert len(set(ids)) == len(ids)
    reqs = [line for p in paths for line in (project / p).read_text().splitlines()]
    reqs = [line.split(":")[0] for line in reqs if line.startswith("### REQ-")]
    assert len(reqs) == len(set(reqs))  # no requirement id is shared between the PRDs


def test_parallel_installs_for_each_agent_all_reach_the_manifest(repo):
    args = [*ygs_executable(), "install", "--scope", "project", "--skills", "adr,implement"]
    results = finish([start([*args, "--agent", agent], repo) for agent in sorted(AGENT_DIRS)])
    assert all(code == 0 for code, _, _ in results), [err for _, _, err in results]
    manifest = json.loads((repo / MANIFEST).read_text())
    assert sorted(manifest["installs"]) == sorted(AGENT_DIRS)
    removed = subprocess.run(
        [*ygs_executable(), "uninstall", "--scope", "project"], cwd=repo, capture_output=True
    )
    assert removed.returncode == 0, removed.stderr
    for folder in AGENT_DIRS.values():
        assert not [p for p in files_under(repo / folder)], folder


def test_the_lock_is_exclusive_across_processes_and_reentrant(tmp_path):
    holder = (
        "import sys, time\nfrom pathlib import Path\nfrom ygs.store import lock\n"
        "with lock(Path(sys.argv[1])):\n    print('held', flush=True)\n    time.sleep(30)\n"
    )
    proc = start([sys.executable, "-c", holder, str(tmp_path)], tmp_path)
    try:
        assert proc.stdout.readline().strip() == "held"
        with pytest.raises(YgsError) as err, lock(tmp_path, wait=0.2):
            pass
        assert err.value.code == 5
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    with lock(tmp_path, wait=5), lock(tmp_path, wait=0):  # released by the kill; reentrant
        pass


# ----------------------------------------------------------------------------- overwrites


def test_backups_in_the_same_instant_never_share_a_name(tmp_path):
    source = tmp_path / "x.md"
    instant = datetime(2026, 1, 2, 3, 4, 5, 6)
    names = []
    for n in range(3):
        source.write_text(f"edit {n}\n")
        names.append(backup_copy(source, tmp_path / "bak", now=lambda: instant))
    assert len(set(names)) == 3
    assert [p.read_text() for p in names] == ["edit 0\n", "edit 1\n", "edit 2\n"]


def test_two_forced_replays_keep_both_hand_edits(ygs, project, tmp_path):
    answers = answers_file(tmp_path, "prd")
    first = ygs("refine-prd", "--answers", str(answers), "--json", cwd=project).json
    path, journal = project / first["path"], Path(first["journal"]).name
    for n in range(2):
        path.write_text(f"hand edit {n}\n")
        assert ygs("refine-prd", "--replay", journal, "--force", cwd=project).code == 0
    kept = sorted(p.read_text() for p in (project / ".ygs" / "backups").glob("*.bak"))
    assert kept == ["hand edit 0\n", "hand edit 1\n"]


def test_create_new_never_replaces_anything(tmp_path):
    path = tmp_path / "a.md"
    create_new(path, "first\n")
    with pytest.raises(FileExistsError):
        create_new(path, "second\n")
    dangling = tmp_path / "b.md"
    dangling.symlink_to(tmp_path / "nowhere")
    with pytest.raises(FileExistsError):
        create_new(dangling, "x\n")
    assert path.read_text() == "first\n" and not (tmp_path / "nowhere").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.md", "b.md"]


def test_check_output_refuses_to_replace_project_files(ygs, project):
    prd = project / "docs" / "prd" / "x.md"
    prd.write_text("my PRD\n")
    refused = ygs("check", "--output", "docs/prd/x.md", cwd=project)
    assert refused.code == 2 and "--force" in refused.stderr
    assert prd.read_text() == "my PRD\n"
    tracked = ygs("check", "--format", "sarif", "--output", "README.md", cwd=project)
    assert tracked.code == 2 and (project / "README.md").read_text() == "# demo\n"
    trace = ygs("trace", "--output", "README.md", cwd=project)
    assert trace.code == 2 and (project / "README.md").read_text() == "# demo\n"
    folder = ygs("check", "--output", "docs", cwd=project)
    assert folder.code == 2 and "folder" in folder.stderr
    never = ("--fail-on", "never")
    assert ygs("check", *never, "--output", "report.txt", cwd=project).code == 0
    again = ygs("check", *never, "--output", "report.txt", cwd=project)
    assert again.code == 0  # an untracked file that is not an artifact: replaced
    forced = ygs("check", *never, "--output", "docs/prd/x.md", "--force", cwd=project)
    assert forced.code == 0, forced.stderr
    assert [p.read_text() for p in (project / ".ygs" / "backups").glob("x.md.*.bak")] == [
        "my PRD\n"
    ]


def test_output_through_a_linked_folder_is_refused(ygs, project, tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (project / "out").symlink_to(tmp_path / "elsewhere")
    result = ygs("check", "--output", "out/report.txt", cwd=project)
    assert result.code == 2 and "symbolic link" in result.stderr
    assert list((tmp_path / "elsewhere").iterdir()) == []
    outside = ygs("check", "--output", str(tmp_path / "report.txt"), cwd=project)
    assert outside.code == 0 and (tmp_path / "report.txt").is_file()  # the user's choice


def test_review_output_is_checked_before_the_review(ygs, project):
    result = ygs("review", "--offline", "--output", "README.md", cwd=project)
    assert result.code == 2 and "not overwritten" in result.stderr
    assert (project / "README.md").read_text() == "# demo\n"


# ----------------------------------------------------------------------------- temp files


def test_temp_names_are_recognised_exactly():
    assert is_temp(".SKILL.md.ab_cd123.tmp") and is_temp(".ygs-adr.ygs-link")
    assert not is_temp(".abcdefgh.tmp") and not is_temp("notes.tmp")
    assert not is_temp(".SKILL.md.abc.tmp") and not is_temp("SKILL.md")


def test_clean_temps_removes_only_temp_files_and_never_follows_links(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / ".x.md.abcd1234.tmp").write_text("half")
    (tmp_path / "a" / "keep.tmp").write_text("mine")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / ".y.md.abcd1234.tmp").write_text("not ours")
    (tmp_path / "a" / "link").symlink_to(outside)
    assert clean_temps(tmp_path / "a", recursive=True) == 1
    assert (tmp_path / "a" / "keep.tmp").exists() and (outside / ".y.md.abcd1234.tmp").exists()


def test_after_a_kill_mid_install_rerun_and_uninstall_leave_no_temp_files(ygs_proc, repo, pack):
    crashed = ygs_proc(
        "install",
        "--scope",
        "project",
        "--from",
        str(pack),
        cwd=repo,
        env={"YGS_TEST_FAIL_AFTER_FILES": "3"},
    )
    assert crashed.code in (-signal.SIGKILL, 128 + signal.SIGKILL)
    skill = repo / ".claude" / "skills" / "ygs-adr"
    (skill / ".SKILL.md.k1ll3d00.tmp").write_text("half a file")  # what a kill mid-write leaves
    (repo / ".ygs").mkdir(exist_ok=True)
    (repo / ".ygs" / ".install-manifest.json.k1ll3d00.tmp").write_text("{")
    rerun = ygs_proc("install", "--scope", "project", "--from", str(pack), cwd=repo)
    assert rerun.code == 0, rerun.stderr
    assert temps_under(repo) == []
    (skill / ".SKILL.md.k1ll3d01.tmp").write_text("half a file")
    removed = ygs_proc("uninstall", "--scope", "project", cwd=repo)
    assert removed.code == 0, removed.stderr
    assert temps_under(repo) == [] and not (repo / ".claude" / "skills" / "ygs-adr").exists()


def test_an_interview_clears_stale_temp_files_beside_its_artifact(ygs, project, tmp_path):
    stale = project / "docs" / "prd" / ".2026-01-01-x.md.abcd1234.tmp"
    stale.write_text("half")
    context = project / ".CONTEXT.md.abcd1234.tmp"
    context.write_text("half")
    assert ygs("refine-prd", "--answers", str(answers_file(tmp_path, "prd")), cwd=project).code == 0
    assert not stale.exists() and not context.exists()
