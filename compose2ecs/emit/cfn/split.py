"""CloudFormation limits, and nested stacks for projects that exceed them.

Limits: 500 resources, 200 outputs, 200 parameters, 1 MB template body (via S3). A project
that fits stays one template. Otherwise the scheme is:

* the **root** stack keeps everything shared (parameters, cluster, roles, namespace, network
  and EFS groups, load balancer and listeners, shared log groups, secrets);
* the services, in dependency order, are packed into **nested stacks**
  ``nested/services-NN.yaml`` (each well under the limits) holding each service's own
  resources (security group, task definition, service, target groups, scaling, outputs);
* whatever a nested stack uses from the root is passed as a parameter of the same name
  (``Ref X`` stays ``Ref X``; ``GetAtt X.Attr`` becomes ``Ref XAttr``); whatever the root or a
  later nested stack needs from a nested stack is exported as an output;
* the nested stacks' ``TemplateURL`` is the local file name: ``aws cloudformation package``
  uploads the files and rewrites the URLs (the bundle README gives the commands).
"""
from __future__ import annotations

import json
import re
from dataclasses import field

from .context import ref
from . import units
from .parameters import SUB_VARIABLE, json_references, used_references
from ...records import record

LIMITS = {"resources": 500, "outputs": 200, "parameters": 200, "bytes": 1_000_000}
CHUNK = {"resources": 350, "outputs": 150, "parameters": 150, "bytes": 350_000}
# written size / compact JSON size, with a margin: YAML block style measures ~1.2 on generated
# templates, JSON with indent 2 (``--json``, and the body `deploy` sends) ~1.85
FACTORS = {"yaml": 1.6, "json": 2.0}
YAML_FACTOR = FACTORS["yaml"]
NESTED_DIR = "nested"
# = json.dumps(x, separators=…), built once; templates are trees (at most shared, never
# cyclic), so the encoder's cycle bookkeeping is skipped (~15 % of its time)
_COMPACT = json.JSONEncoder(separators=(",", ":"), check_circular=False).encode
_NOT_ALNUM = re.compile(r"[^A-Za-z0-9]")
# in compact JSON: the condition of an Fn::If, a condition named in a condition, a mapping used
_IF_CONDITION = re.compile(r'"Fn::If":\["([^"\\]+)"')
_CONDITION = re.compile(r'"Condition":"([^"\\]+)"')
_FIND_IN_MAP = re.compile(r'"Fn::FindInMap":\["([^"\\]+)"')


@record(frozen=False, slots=False)
class TemplateSet:
    """A root template plus nested templates (file name relative to the root → template)."""

    root: dict
    nested: dict = field(default_factory=dict)

    def files(self, root_name: str = "cloudformation.yaml") -> dict:
        return {root_name: self.root, **self.nested}


def owner_table(b, template: dict) -> dict:
    """{logical id: unit} for resources and outputs present after the overlay: the owning ECS
    service, ``volume:<key>`` for a created EFS volume's shared resources (they move into a
    nested stack too: 9 resources each), "" for what stays in the root. An output no service
    owns goes with the volume whose resources are all it uses."""
    resources = template.get("Resources", {})
    owners = {rid: b.owners.get(rid, "") or _movable_group(body) for rid, body in resources.items()}
    for oid, body in template.get("Outputs", {}).items():
        owner = b.owners.get(("output", oid), "")
        if not owner:
            groups = {owners.get(name, "") for name in used_references(body)}
            owner = groups.pop() if len(groups) == 1 else ""
            owner = owner if owner.startswith(MOVABLE) else ""
        owners["output:" + oid] = owner
    return owners


VOLUME_TYPES = frozenset({"AWS::EFS::FileSystem", "AWS::EFS::MountTarget", "AWS::EFS::AccessPoint",
                          "AWS::EC2::SecurityGroup"})
MOVABLE = "volume:"  # the shared groups that may leave the root (secrets are named after the root stack)


def _movable_group(body: dict) -> str:
    meta = (body.get("Metadata") or {}).get("compose2ecs") or {}
    if "volume" in meta and "services" not in meta and body.get("Type") in VOLUME_TYPES:
        return MOVABLE + str(meta["volume"])
    return ""


def strip_owners(template: dict) -> dict:
    out = dict(template)
    meta = dict(out.get("Metadata", {}))
    info = {k: v for k, v in meta.get("compose2ecs", {}).items() if k != "owners"}
    meta["compose2ecs"] = info
    out["Metadata"] = meta
    return out


def size_estimate(template: dict, factor: float = YAML_FACTOR) -> int:
    return int(len(_COMPACT(template)) * factor)


def problems(template: dict, size_bound=None, factor: float = YAML_FACTOR) -> list:
    """Which CloudFormation limits ``template`` exceeds (empty = it fits).

    ``size_bound`` (optional) is a known upper bound of :func:`size_estimate`: when it is
    within the limit the template is not serialised again just to measure it."""
    size = size_bound if size_bound is not None and size_bound <= LIMITS["bytes"] else size_estimate(template, factor)
    counts = {"resources": len(template.get("Resources", {})), "outputs": len(template.get("Outputs", {})),
              "parameters": len(template.get("Parameters", {})), "bytes": size}
    return [f"{k}: {counts[k]} > {LIMITS[k]}" for k in LIMITS if counts[k] > LIMITS[k]]


def fit(template: dict, extension: str = "yaml"):
    """``template`` itself when it fits, else a :class:`TemplateSet` of nested stacks.

    Raises :class:`~compose2ecs.errors.UserError` (exit 2) naming the limit when even the
    split cannot fit: the root's shared part, or one unit (a service, or services whose
    resources reference each other in a cycle) too big for a nested template."""
    factor = FACTORS.get(extension, max(FACTORS.values()))  # the format the files are written in
    if len(template.get("Resources", {})) <= LIMITS["resources"] and \
            not _exactly(problems(strip_owners(template), factor=factor), strip_owners(template), extension):
        return template  # (too many resources already means a split: skip serialising it to measure)
    splitter = _Splitter(template, extension)
    result = splitter.run()
    too_big = _exactly(problems(result.root, factor=factor), result.root, extension)  # rewriting may lengthen it
    if too_big:
        from .size import TemplateTooLarge  # a ValueError; cloudformation.py makes it a user error

        raise TemplateTooLarge("root template", result.root, too_big)
    for name, part in result.nested.items():
        too_big = _exactly(problems(part, splitter.size_bound(part), factor), part, extension)
        if too_big:
            from .size import TemplateTooLarge  # a ValueError; cloudformation.py makes it a user error

            raise TemplateTooLarge(name, part, too_big)
    return result


def _exactly(too_big: list, template: dict, extension: str) -> list:
    """``too_big`` with an estimated byte count replaced by the size of the text written in
    ``extension`` (only measured when the estimate is over: the estimate has a margin)."""
    if not any(p.startswith("bytes:") for p in too_big):
        return too_big
    from .yaml_out import dump

    size = len(dump(template, extension if extension in FACTORS else "json").encode())
    rest = [p for p in too_big if not p.startswith("bytes:")]
    return rest + ([f"bytes: {size} > {LIMITS['bytes']}"] if size > LIMITS["bytes"] else [])


ROOT_WHY = ("the root keeps what every service shares (parameters, cluster, roles, network and log groups, "
            "load balancer and listeners, secrets, outputs no service owns) plus {stacks} nested stack(s)")
ROOT_HINT = ("divide the project: convert groups of services separately (`convert SERVICE…`, or one compose "
              "file per group) and deploy each as its own stack; or use existing shared pieces through x-ecs "
              "(cluster, load_balancer_arn, an EFS file_system_id) so the template makes fewer")
def _limit_error(where: str, too_big: list, why: str, hint: str):
    from ...errors import Location, UserError

    return UserError.at(Location(where), f"exceeds CloudFormation limits ({', '.join(too_big)}) even split "
                        f"into nested stacks: {why}", hint)


def _getatt_target(node):
    value = node["Fn::GetAtt"]
    return value if isinstance(value, list) else str(value).split(".", 1)


CONTAINERS = (dict, list)
INTRINSICS = frozenset({"Fn::If", "Ref", "Fn::GetAtt", "Fn::Sub"})  # what _rewrite_intrinsic handles
STRING_GETATT = '"Fn::GetAtt":"'  # compact JSON of ``Fn::GetAtt: X.Attr`` (quotes in strings are escaped)


class _Splitter:
    def __init__(self, template: dict, extension: str = "yaml"):
        self.extension = extension  # of the nested files, which the root's TemplateURLs name
        self.factor = FACTORS.get(extension, max(FACTORS.values()))
        self.template = strip_owners(template)
        self.owners = template["Metadata"]["compose2ecs"]["owners"]
        self.resources = self.template["Resources"]
        self.params = self.template.get("Parameters", {})
        self.conditions = self.template.get("Conditions", {})
        self.mappings = self.template.get("Mappings", {})
        self.uses: dict = {}  # rid → (condition names, mapping names) it uses

    # -- packing -------------------------------------------------------------
    def run(self) -> TemplateSet:
        chunks = self._pack()
        self.chunk_of = {rid: i for i, ids in enumerate(chunks) for rid in ids}
        self.chunk_of_owner = {self.owners.get(rid): i for i, ids in enumerate(chunks) for rid in ids}
        self._hoist_forward_references()
        nested, root_resources = {}, {rid: body for rid, body in self.resources.items() if rid not in self.chunk_of}
        self.exports = {i: {} for i in range(len(chunks))}
        self.stack_ids = [f"ServicesStack{i + 1:02d}" for i in range(len(chunks))]
        bodies = [self._chunk_template(i, sorted(r for r, c in self.chunk_of.items() if c == i))
                  for i in range(len(chunks))]
        root_resources = {rid: self._rewrite_root(body) for rid, body in root_resources.items()}
        for i, body in enumerate(bodies):
            body["Outputs"].update(self.exports[i])
            name = f"{NESTED_DIR}/services-{i + 1:02d}.{self.extension}"
            nested[name] = body
            root_resources[self.stack_ids[i]] = self._stack_resource(i, name, body)
        root = dict(self.template)
        root["Resources"] = root_resources
        root["Outputs"] = {oid: self._rewrite_root(o) for oid, o in self.template.get("Outputs", {}).items()
                           if not self.owners.get("output:" + oid)}
        root["Conditions"] = self._used_conditions(_COMPACT([root_resources, root["Outputs"]]))
        return TemplateSet(root, nested)

    def _used_conditions(self, text: str) -> dict:
        """The conditions the compact JSON ``text`` names (Fn::If, Condition), with the ones
        they name: a condition only nested stacks use (``HasSubnet2``) leaves the root."""
        todo = set(_IF_CONDITION.findall(text)) | set(_CONDITION.findall(text))
        used: set = set()
        while todo:
            name = todo.pop()
            if name in self.conditions and name not in used:
                used.add(name)
                todo |= set(_CONDITION.findall(_COMPACT(self.conditions[name])))
        return {name: body for name, body in self.conditions.items() if name in used}

    def _pack(self) -> list:
        """Resource IDs per nested stack: units (see :mod:`.units`) in dependency order,
        packed greedily under :data:`CHUNK`."""
        by_owner: dict = {}
        outputs_of: dict = {}
        for key, owner in self.owners.items():
            if key.startswith("output:") and owner:
                outputs_of[owner] = outputs_of.get(owner, 0) + 1
        for rid in self.resources:
            owner = self.owners.get(rid, "")
            if owner:
                by_owner.setdefault(owner, []).append(rid)
        self.property_refs = {}  # rid → names its Properties use (also needed by the hoisting)
        self.bounds = {}  # rid → upper bound of its compact JSON length once rewritten (size_bound)
        used, refs_of, sizes = {}, {}, {}  # names a resource uses (→ parameters); + DependsOn (→ order)
        for rid in self.resources:
            used[rid] = set()
            sizes[rid] = self._measure(rid, used[rid])
            depends = self.resources[rid].get("DependsOn", ())
            refs_of[rid] = used[rid] | ({depends} if isinstance(depends, str) else set(depends))
        referenced = set().union(*refs_of.values()) | used_references(self.template.get("Outputs", {}))
        chunks, current, stats = [], [], {"resources": 0, "bytes": 0, "outputs": 0, "refs": set()}
        for ids in units.order(by_owner, refs_of, referenced):
            refs = set().union(*(used[rid] for rid in ids))  # a DependsOn elsewhere is the stack's DependsOn
            size = sum(sizes[rid] for rid in ids) * self.factor
            outs = sum(outputs_of.get(owner, 0) for owner in {self.owners[rid] for rid in ids})
            grown = {"resources": stats["resources"] + len(ids), "bytes": stats["bytes"] + size,
                     "outputs": stats["outputs"] + outs, "refs": stats["refs"] | refs}
            if current and any(grown[k] > CHUNK[k] for k in ("resources", "bytes", "outputs")) \
                    or current and len(grown["refs"]) > CHUNK["parameters"]:
                chunks.append(current)
                current, grown = [], {"resources": len(ids), "bytes": size, "outputs": outs, "refs": refs}
            current += ids
            stats = grown
        if current:
            chunks.append(current)
        return chunks

    def _measure(self, rid: str, refs: set) -> int:
        """Compact JSON length of resource ``rid``; notes an upper bound of its rewritten length
        and the names its Properties use, and adds every name it uses to ``refs``."""
        body = self.resources[rid]
        text = _COMPACT(body)
        found = json_references(text)
        other = set() if found == set() else self._other_references(body, text)  # ⊆ found
        if found is None or other:
            self.property_refs[rid] = used_references(body.get("Properties", {}))
            found = self.property_refs[rid] | other
        else:
            self.property_refs[rid] = found
        refs |= found
        # Rewriting for a nested stack never lengthens a reference (Ref X stays, GetAtt [X, A]
        # → Ref XA, ${X.A} → ${XA}, Fn::If → Ref ClusterName) except a local string-form
        # GetAtt ("X.A" → ["X","A"]: +4) and a one-name DependsOn becoming a list (+2).
        self.bounds[rid] = len(text) + 4 * text.count(STRING_GETATT) + 2
        conditions = set(_IF_CONDITION.findall(text)) - {"CreateCluster"} if '"Fn::If":' in text else set()
        if isinstance(body.get("Condition"), str):
            conditions.add(body["Condition"])
        maps = set(_FIND_IN_MAP.findall(text)) if '"Fn::FindInMap":' in text else set()
        self.uses[rid] = (conditions, maps)
        return len(text)

    @staticmethod
    def _other_references(body: dict, text: str) -> set:
        """Names used outside a resource's Properties (Metadata, …: rarely any). When
        ``Properties`` is the last attribute and its key occurs once in ``text``, the rest is
        the text before it, and a reference there would show as one of the keys searched."""
        if next(reversed(body), None) == "Properties" and text.count('"Properties":') == 1:
            head = text[:text.find('"Properties":')]
            if '"Ref":' not in head and '"Fn::GetAtt":' not in head and '"Fn::Sub":' not in head:
                return set()
        return used_references([v for k, v in body.items() if k != "Properties"])

    def size_bound(self, part: dict) -> int:
        """An upper bound of :func:`size_estimate` of nested template ``part`` from the
        lengths measured while packing (its resources are not serialised a second time)."""
        resources = part["Resources"]
        rest = _COMPACT({k: v for k, v in part.items() if k != "Resources"})
        body = sum(self.bounds[rid] + len(_COMPACT(rid)) + 2 for rid in resources) + 2
        return int((len(rest) + len(',"Resources":') + body) * self.factor) + 1

    def _hoist_forward_references(self) -> None:
        """A nested resource that references a later nested stack moves to the root (it is a
        leaf: e.g. a peer security-group rule), so stacks only ever depend on earlier ones."""
        for rid in sorted(self.chunk_of):
            mine = self.chunk_of[rid]
            targets = self.property_refs[rid]
            if any(self.chunk_of.get(t, -1) > mine for t in targets):
                del self.chunk_of[rid]

    # -- nested templates -----------------------------------------------------
    def _chunk_template(self, i: int, ids: list) -> dict:
        self._inputs: dict = {}
        self._memo: dict = {}  # (intrinsic, *arguments) → rewritten (see _rewrite_intrinsic)
        resources = {}
        self._stack_deps = set()
        for rid in ids:
            body = dict(self.resources[rid])
            deps = body.pop("DependsOn", [])
            deps = [deps] if isinstance(deps, str) else deps
            local = [d for d in deps if self.chunk_of.get(d) == i]
            for d in deps:
                if d not in local:
                    self._note_dependency(i, d)
            if local:
                body["DependsOn"] = local
            resources[rid] = self._rewrite_nested(body, i)
        outputs = {oid: self._rewrite_nested(self.template["Outputs"][oid], i) for oid in self._outputs_of(i)}
        conditions, mappings = self._nested_conditions(ids, outputs, i)
        params, _ = self._nested_parameters()
        self._deps_of = getattr(self, "_deps_of", {})
        self._deps_of[i] = (dict(self._inputs), set(self._stack_deps))
        return {"AWSTemplateFormatVersion": "2010-09-09",
                "Description": f"{self.template.get('Description', '')[:900]} — services part {i + 1}",
                "Parameters": params, "Mappings": mappings, "Conditions": conditions, "Resources": resources,
                "Outputs": outputs}

    def _nested_conditions(self, ids: list, outputs: dict, i: int) -> tuple:
        """The Conditions (with the conditions they name) and Mappings nested stack ``i`` uses,
        copied from the template with their references turned into parameters (e.g. an EFS
        mount target's ``HasSubnet2`` and its ``SubnetCount``)."""
        names, maps = set(), set()
        for rid in ids:
            names |= self.uses[rid][0]
            maps |= self.uses[rid][1]
        if outputs:
            text = _COMPACT(outputs)
            names |= set(_IF_CONDITION.findall(text)) | set(_CONDITION.findall(text))
            maps |= set(_FIND_IN_MAP.findall(text))
        conditions, todo = {}, sorted(n for n in names if n in self.conditions)
        while todo:
            name = todo.pop()
            if name in conditions:
                continue
            conditions[name] = self._rewrite_nested(self.conditions[name], i)
            text = _COMPACT(self.conditions[name])
            todo += [n for n in _CONDITION.findall(text) if n in self.conditions and n not in conditions]
        mappings = {m: self.mappings[m] for m in sorted(maps) if m in self.mappings}
        return dict(sorted(conditions.items())), mappings

    def _output_chunk(self, oid: str) -> int:
        return self.chunk_of_owner.get(self.owners.get("output:" + oid), -1)

    def _outputs_of(self, i: int) -> list:
        """Output IDs that move to nested stack ``i`` (grouped once, in template order)."""
        if not hasattr(self, "_outputs_by_chunk"):
            self._outputs_by_chunk: dict = {}
            for oid in self.template.get("Outputs", {}):
                if self.owners.get("output:" + oid):
                    self._outputs_by_chunk.setdefault(self._output_chunk(oid), []).append(oid)
        return self._outputs_by_chunk.get(i, [])

    def _note_dependency(self, i: int, target: str) -> None:
        chunk = self.chunk_of.get(target)
        if chunk is None:  # a root resource (a shared port's listener): the stack waits for it
            self._stack_deps.add(target)
        elif chunk < i:
            self._stack_deps.add(self.stack_ids[chunk])

    def _rewrite_nested(self, node, i: int):
        """``node`` with references to the root or other stacks turned into parameters.

        Copy on write: a mapping or list without anything to rewrite is returned itself (not
        a copy), so only the paths down to a reference are rebuilt — copying every value of
        the services was most of the splitting time. The nested templates therefore share
        unchanged parts with the assembled template, which nothing modifies afterwards."""
        rewrite = self._rewrite_intrinsic

        def walk(node):
            if isinstance(node, dict):
                if len(node) == 1 and next(iter(node)) in INTRINSICS:
                    rewritten = rewrite(node, i)
                    if rewritten is not None:
                        return rewritten
                changed = None
                for key, value in node.items():
                    if isinstance(value, CONTAINERS):
                        new = walk(value)
                        if new is not value:
                            changed = changed or dict(node)
                            changed[key] = new
                return node if changed is None else changed
            changed = None
            for index, value in enumerate(node):
                if isinstance(value, CONTAINERS):
                    new = walk(value)
                    if new is not value:
                        changed = changed or list(node)
                        changed[index] = new
            return node if changed is None else changed

        return walk(node) if isinstance(node, CONTAINERS) else node

    def _rewrite_intrinsic(self, node: dict, i: int):
        """A one-key intrinsic rewritten for nested stack ``i``; None when ``node`` is not one.

        Memoised per nested stack for string and string-list arguments (a stack repeats the
        same few references thousands of times): a repeat returns the same result object
        and its side effects (inputs, exports) were already recorded on the first call."""
        key, value = next(iter(node.items()))
        if type(value) is str:
            memo = (key, value)
        elif type(value) is list and all(type(v) is str for v in value):
            memo = (key, *value)
        else:
            return self._rewrite_once(node, i)
        if memo not in self._memo:
            self._memo[memo] = self._rewrite_once(node, i)
        return self._memo[memo]

    def _rewrite_once(self, node: dict, i: int):
        if node.get("Fn::If", [None])[0] == "CreateCluster":
            return self._input("ClusterName", node, "String")
        if "Ref" in node:
            return self._reference(node["Ref"], None, i)
        if "Fn::GetAtt" in node:
            target, attr = _getatt_target(node)
            return self._reference(target, attr, i)
        if "Fn::Sub" in node and isinstance(node["Fn::Sub"], str):
            return {"Fn::Sub": SUB_VARIABLE.sub(lambda m: self._sub_var(m.group(1), i), node["Fn::Sub"])}
        return None

    def _sub_var(self, name: str, i: int) -> str:
        target, _, attr = name.partition(".")
        new = self._reference(target, attr or None, i)
        return "${" + new["Ref"] + "}" if "Ref" in new else "${" + name + "}"

    def _reference(self, target: str, attr, i: int) -> dict:
        if target.startswith("AWS::") or self.chunk_of.get(target) == i:
            return {"Fn::GetAtt": [target, attr]} if attr else ref(target)
        name = target + _NOT_ALNUM.sub("", attr or "")
        if target in self.params:
            return self._input(name, ref(target), self.params[target]["Type"])
        expr = {"Fn::GetAtt": [target, attr]} if attr else ref(target)
        chunk = self.chunk_of.get(target)
        if chunk is not None:  # an earlier nested stack exports it
            self.exports[chunk][name] = {"Value": expr}
            self._stack_deps.add(self.stack_ids[chunk])
            expr = {"Fn::GetAtt": [self.stack_ids[chunk], f"Outputs.{name}"]}
        return self._input(name, expr, "String")

    def _input(self, name: str, value, type_: str) -> dict:
        self._inputs[name] = (value, type_)
        return ref(name)

    def _nested_parameters(self) -> tuple:
        params = {}
        for name, (_, type_) in sorted(self._inputs.items()):
            params[name] = {"Type": type_}
            if name in self.params and "Description" in self.params[name]:
                params[name]["Description"] = self.params[name]["Description"]
        return params, {}

    def _stack_resource(self, i: int, name: str, body: dict) -> dict:
        inputs, deps = self._deps_of[i]
        values = {}
        for pname, (value, type_) in sorted(inputs.items()):
            values[pname] = {"Fn::Join": [",", value]} if type_.startswith("List<") else value
        resource = {"Type": "AWS::CloudFormation::Stack",
                    "Metadata": {"compose2ecs": {"description": f"services part {i + 1}: {name}"}},
                    "Properties": {"TemplateURL": name, "Parameters": values}}
        deps -= used_references(values)
        if deps:  # (a resource whose value is passed is waited for already: cfn-lint W3005)
            resource["DependsOn"] = sorted(deps)
        return resource

    # -- root ------------------------------------------------------------------
    def _rewrite_root(self, node):
        """Root resources/outputs that use a nested resource read the nested stack's export."""
        if isinstance(node, list):
            return [self._rewrite_root(v) for v in node]
        if not isinstance(node, dict):
            return node
        if "Ref" in node and len(node) == 1 and node["Ref"] in self.chunk_of:
            return self._export(node["Ref"], None)
        if "Fn::GetAtt" in node and len(node) == 1:
            target, attr = _getatt_target(node)
            if target in self.chunk_of:
                return self._export(target, attr)
        if "DependsOn" in node and isinstance(node.get("Type"), str):
            deps = node["DependsOn"] if isinstance(node["DependsOn"], list) else [node["DependsOn"]]
            node = dict(node, DependsOn=sorted({self.stack_ids[self.chunk_of[d]] if d in self.chunk_of else d
                                                for d in deps}))
        return {k: (v if k == "DependsOn" else self._rewrite_root(v)) for k, v in node.items()}

    def _export(self, target: str, attr) -> dict:
        chunk = self.chunk_of[target]
        name = target + _NOT_ALNUM.sub("", attr or "")
        self.exports[chunk][name] = {"Value": {"Fn::GetAtt": [target, attr]} if attr else ref(target)}
        return {"Fn::GetAtt": [self.stack_ids[chunk], f"Outputs.{name}"]}
