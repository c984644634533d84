"""PyYAML configured for ygs (`ygs.core.yamltext` loads this only when it needs the full
parser): the C loader where present, dates kept as strings, only true/false as booleans;
a dumper that writes short lists inline and dates bare."""

from __future__ import annotations

import re

import yaml

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Loader(_Base):  # type: ignore[misc, valid-type]
    pass


Loader.yaml_implicit_resolvers = {
    first: [
        (tag, rx)
        for tag, rx in resolvers
        if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


OPEN = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
CLOSE = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


class Dumper(yaml.SafeDumper):
    pass


def _represent_list(dumper: yaml.SafeDumper, data: list) -> yaml.Node:
    scalars = all(isinstance(x, str | int | float | bool) for x in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=scalars)


Dumper.add_representer(list, _represent_list)
# Dates are written bare (our loader reads them back as strings); yes/no stay quoted.
Dumper.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeDumper.yaml_implicit_resolvers.items()
}
