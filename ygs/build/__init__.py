"""The build loop: runs, the test runner, the guard (status and the Claude Code hook),
checkpoints, undo and deviations.

Pure policy lives in `policy` (counting, planned-file matching, size classes, the
checkpoint and stop decisions, deviation text), `results` (test runner output) and
`pathrules` (what the hook denies); everything else is the thin shell around git and
subprocesses. The guard's hot path (`guard`, `hook`, `fast`) imports only the standard
library, because Claude Code runs it on every tool call.
"""
