"""`ygs review`: a change reviewed by deterministic rules, then by a model, verified alike.

diff (intake) → rules (offline, pure) → model (two passes, cached) → findings
(anchoring, suppression, baseline) → present (formats); `run` wires them, `source`
and `github` are the shells around git and `gh`, `ci` and `gate` are pure helpers.
`documents` reviews one PRD, TRD or architecture document (`ygs review-prd` …).
"""
