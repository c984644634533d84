"""Closing the loop: QA and UAT, drift (sync), the ship gates, version and changelog, and the
memory across sessions (learn, learnings search, retro, handoff, triage).

Pure logic lives in modules without I/O (semver, commits, keepachangelog, versions, hygiene,
gates, qa, fivewhys, drift, learnings); the shell modules read the repository and write."""
