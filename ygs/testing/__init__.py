"""Test doubles for the outside world: a fake Anthropic Messages server and a fake `claude`.

They ship with ygs so teams can test their own customised skills offline.
"""
