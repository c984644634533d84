"""Planning: task files and their lifecycle, the work breakdown, estimates and spikes.

`tasks` is the task store every phase shares (read, move, execution log, checkpoint
records). Pure planning math lives in `ygs.core`; this package is the shell around it.
"""
