"""`runwrap artifacts`: the artifact store's names and versions; `runwrap artifacts show NAME`."""
from __future__ import annotations

import json
from typing import Any, Dict, List, Optional

import click

from runwrap.cli.selection import dir_option, project_option


def listing(root: Any, project: Optional[str]) -> List[Dict[str, Any]]:
    """One entry per artifact name: type, versions, aliases, latest version's size."""
    # start-up: the layer below loads only when this command runs
    from runwrap.store.artifacts import collections

    out = []
    for coll in collections(root, project):
        versions = coll.versions()
        if not versions:
            continue
        latest = coll.manifest(f"v{versions[-1]}") or {}
        out.append({"project": coll.project, "name": coll.name, "type": latest.get("type"),
                    "versions": len(versions), "latest": latest.get("version"),
                    "aliases": coll.aliases(),
                    "size": sum(e.get("size", 0) for e in (latest.get("files") or {}).values()),
                    "created_at": latest.get("created_at")})
    return out


def details(root: Any, spec: str, project: Optional[str]) -> Dict[str, Any]:
    """One version (NAME, NAME:alias, NAME:vN, PROJECT/NAME:...): its manifest, the aliases
    naming it, the run that logged it and the runs that used it."""
    # start-up: the layer below loads only when this command runs
    from runwrap.sdk.artifacts import parse_spec
    from runwrap.store.artifacts import Collection

    chosen = parse_spec(spec, project or _only_project(root, spec))
    coll = Collection(root, chosen.project, chosen.name)
    version = coll.resolve(chosen.alias)
    if version is None:
        # start-up: the layer below loads only when this command runs
        from runwrap.errors import UsageError

        known = ", ".join(f"{a}->{v}" for a, v in sorted(coll.aliases().items())) or "no versions"
        raise UsageError(f"no artifact {chosen.name}:{chosen.alias} in project "
                         f"{chosen.project!r} ({known}); see `runwrap artifacts`")
    manifest = coll.manifest(version) or {}
    return {"project": chosen.project, **manifest,
            "aliases": sorted(a for a, v in coll.aliases().items() if v == version),
            "used_by": [u for u in coll.uses() if u.get("version") == version]}


def _only_project(root: Any, spec: str) -> Optional[str]:
    """The project of a bare NAME when exactly one project has that name."""
    # start-up: the layer below loads only when this command runs
    from runwrap.store.artifacts import collections

    name = spec.split(":", 1)[0]
    found = sorted({c.project for c in collections(root) if c.name == name})
    if len(found) > 1:
        # start-up: the layer below loads only when this command runs
        from runwrap.errors import UsageError

        raise UsageError(f"artifact {name!r} is in several projects ({', '.join(found)}); "
                         f"give --project or PROJECT/{spec}")
    return found[0] if found else None


@click.group(invoke_without_command=True)
@project_option
@click.option("--json", "as_json", is_flag=True, help="JSON for scripts.")
@dir_option
@click.pass_context
def artifacts(ctx: click.Context, project: Optional[str], as_json: bool,
              store_dir: Optional[str]) -> None:
    """List the artifacts logged with run.log_artifact(): name, type, versions, aliases."""
    if ctx.invoked_subcommand is not None:
        return
    # start-up: the layer below loads only when this command runs
    from runwrap.cli.table import human_size, human_time, render_table
    from runwrap.store.layout import store_root

    entries = listing(store_root(store_dir), project)
    if as_json:
        click.echo(json.dumps(entries, indent=2))
        return
    if not entries:
        click.echo("no artifacts (log one with run.log_artifact)", err=True)
        return
    rows = [[e["project"], e["name"], e["type"], e["versions"],
             ", ".join(f"{a}:{v}" for a, v in sorted(e["aliases"].items())),
             human_size(e["size"]), human_time(e["created_at"])] for e in entries]
    click.echo(render_table(["project", "name", "type", "versions", "aliases", "size", "latest"],
                            rows))


@artifacts.command("show")
@click.argument("spec", metavar="NAME[:ALIAS]")
@project_option
@click.option("--json", "as_json", is_flag=True, help="JSON for scripts.")
@dir_option
def show_artifact(spec: str, project: Optional[str], as_json: bool, store_dir: Optional[str]) -> None:
    """Show one version: files, references, metadata, aliases, which runs logged and used it."""
    # start-up: the layer below loads only when this command runs
    from runwrap.cli.table import human_size, human_time, render_table
    from runwrap.store.layout import store_root

    info = details(store_root(store_dir), spec, project)
    if as_json:
        click.echo(json.dumps(info, indent=2))
        return
    by = info.get("logged_by") or {}
    lines = [f"artifact  {info['project']}/{info['name']}:{info['version']}  ({info.get('type')})",
             f"aliases   {', '.join(info['aliases']) or '-'}",
             f"created   {human_time(info.get('created_at'))}  by run {by.get('project')}/{by.get('run_id')}",
             f"digest    {info.get('digest')}"]
    if info.get("description"):
        lines.append(f"about     {info['description']}")
    if info.get("metadata"):
        lines.append(f"metadata  {json.dumps(info['metadata'])}")
    used = sorted({f"{u.get('project')}/{u.get('run_id')}" for u in info["used_by"]})
    lines.append(f"used by   {', '.join(used) or '-'}")
    rows = [[path, human_size(e.get("size")), (e.get("digest") or "")[:12]]
            for path, e in sorted((info.get("files") or {}).items())]
    rows += [[path, "reference", r.get("uri")] for path, r in sorted((info.get("references") or {}).items())]
    if rows:
        lines.append("")
        lines.extend(render_table(["file", "size", "digest"], rows).splitlines())
    click.echo("\n".join(lines))
