"""Interviews that write artifacts.

The pure half: `bank` (question banks), `machine` (the state machine over a bank),
`answers` (what a typed answer means). The shell: `engine` (one interview loop),
`prompts` (terminal and answers-file prompters), `journal` (append-only answers),
`advisor` (the model's judgment), `author` (rendering and writing the artifact) and
`session` (the command-level flow that ties them together).
"""
