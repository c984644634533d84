"""CI and orchestration definitions that run ygs's phases: GitHub Actions workflows and
Formicary job definitions (pure text builders; the command is ygs.cli.cmd_ci)."""
