"""Install skill packs into coding agents, update them with a three-way merge, uninstall surgically.

- `pack`: read a pack into `SourceSkill` values (symlinks dereferenced, kept inside the pack).
- `targets/`: one module per agent; each renders a skill into that agent's files.
- `manifest`: what ygs wrote, per scope, with the installed base content for merging.
- `plan`: pure planner (create / update / merge / keep / conflict / remove).
- `engine`: the shell: reads the disk, applies a plan, writes the manifest last.
- `plugin`: `ygs plugin build`, a Claude Code plugin and marketplace.
"""
