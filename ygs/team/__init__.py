"""Team intelligence: the tracker port (GitHub through `gh`, Jira REST), signals, reports, Slack.

`model` is the neutral data both trackers are parsed into; `signals` and `reports` are pure
(the clock is passed in); `github`, `jira` and `slack` are the only modules that talk to the
outside; `run` is the shell that joins them for the five commands.
"""
