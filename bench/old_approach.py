#!/usr/bin/env python3
"""The old approach, for the benchmark: what the `/session-status` slash command did on
every call (see ../shared/seed/000_5169aef0db5f3395.txt), as a plain script.

It opens messaging.db with python's sqlite3, runs the same queries as the bus library
the command called (sessions, claims, locks, open operator alerts, unread per recipient,
recent lifecycle events, the bus statistics counts), runs
`ps -p pid1,pid2,... -o pid,stat,etime,command` for the registered PIDs, and prints the
dashboard with the per-session detail blocks. It writes nothing (no delivery marking,
no session log), like the dashboard's `--once --no-log --read-only`.

Usage: python3 bench/old_approach.py --db PATH [--stale-timeout SECONDS]
"""
import argparse
import json
import os
import socket
import sqlite3
import subprocess
import sys
from datetime import datetime, timezone

PRIORITY = {0: "low", 1: "normal", 2: "high", 3: "critical"}


def parse_time(value):
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    try:
        return float(text)
    except ValueError:
        pass
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "T"))
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp()


def safe_payload(text):
    if text is None:
        return {}
    try:
        value = json.loads(text)
        return value if isinstance(value, dict) else {"raw": value}
    except (ValueError, TypeError):
        return {"raw": text}


def rows(db, sql, *args):
    return [dict(row) for row in db.execute(sql, args).fetchall()]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--stale-timeout", type=float, default=300)
    args = parser.parse_args()

    db = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True, timeout=3.0)
    db.row_factory = sqlite3.Row
    now = datetime.now(timezone.utc).timestamp()

    # get_cross_llm_status(): active sessions with a fresh heartbeat.
    sessions = [
        s for s in rows(db, "SELECT * FROM session_registry WHERE status = 'active' ORDER BY registered_at")
        if (parse_time(s["last_heartbeat"]) or 0) >= now - args.stale_timeout
    ]
    total_sessions = db.execute("SELECT count(*) FROM session_registry").fetchone()[0]
    claims = rows(db, "SELECT * FROM task_claims ORDER BY claimed_at")
    locks = rows(db, "SELECT * FROM file_locks ORDER BY locked_at")
    alerts = rows(
        db,
        "SELECT * FROM session_messages WHERE channel = 'operator_alerts' AND status IN ('pending','delivered') "
        "AND message_type IS NOT NULL ORDER BY priority DESC, id DESC LIMIT 20",
    )
    unread = rows(
        db,
        "SELECT recipient_id, channel, count(*) AS n, max(priority) AS p FROM session_messages "
        "WHERE recipient_id IS NOT NULL AND status IN ('pending','delivered') AND message_type IS NOT NULL "
        "GROUP BY recipient_id, channel",
    )
    lifecycle = rows(db, "SELECT * FROM session_messages WHERE channel = 'session_lifecycle' ORDER BY id DESC LIMIT 10")
    legacy = db.execute("SELECT count(*) FROM session_messages WHERE message_type IS NULL").fetchone()[0]
    v2 = {row["status"]: row["n"] for row in rows(db, "SELECT status, count(*) AS n FROM session_messages WHERE message_type IS NOT NULL GROUP BY status")}
    unread_alerts = db.execute(
        "SELECT count(*) FROM session_messages WHERE channel = 'operator_alerts' AND status IN ('pending','delivered') AND message_type IS NOT NULL"
    ).fetchone()[0]
    journal = db.execute("PRAGMA journal_mode").fetchone()[0]
    db.close()

    # Step 2: verify PIDs are alive.
    pids = sorted({int(s["pid"]) for s in sessions if isinstance(s["pid"], int) and s["pid"] > 0})
    alive = {}
    if pids:
        result = subprocess.run(
            ["ps", "-p", ",".join(str(p) for p in pids), "-o", "pid,stat,etime,command"],
            capture_output=True, text=True,
        )
        for line in result.stdout.splitlines()[1:]:
            parts = line.split(None, 3)
            if parts and parts[0].isdigit():
                alive[int(parts[0])] = parts[2] if len(parts) > 2 else "?"

    claims_by, locks_by, unread_by = {}, {}, {}
    for c in claims:
        claims_by.setdefault(c["session_id"], []).append(c)
    for l in locks:
        locks_by.setdefault(l["session_id"], []).append(l)
    for u in unread:
        unread_by[u["recipient_id"]] = unread_by.get(u["recipient_id"], 0) + u["n"]
    current = f"claude-{os.getppid()}"

    out = []
    w = out.append
    w("Cross-LLM Session Dashboard")
    w("=" * 50)
    w(f"{len(sessions)} active sessions | {len(locks)} file locks | {len(claims)} task claims | "
      f"{len(alerts)} alerts | {sum(unread_by.values())} unread")
    w("")
    for s in sessions:
        sid = s["session_id"]
        w(f"**Session: {sid}**{' (THIS SESSION)' if sid == current else ''}")
        w(f"- **Session UUID:** `{s['session_uuid']}`")
        w(f"- **Machine UUID:** `{s['machine_uuid']}`")
        w(f"- **Hostname:** `{s['hostname']}`")
        model = " (%s)" % s["llm_model"] if s["llm_model"] else ""
        w(f"- **Vendor:** {s['llm_vendor']}{model}")
        w(f"- **Project:** {s['project_id'] or '(not set)'}")
        if s["tty"]:
            w(f"- **TTY:** {s['tty']}")
        w(f"- **CWD:** `{s['cwd']}`")
        pid = s["pid"]
        w(f"- **PID:** {pid} ({'uptime ' + alive[pid] if pid in alive else 'not running'})")
        mine = claims_by.get(sid, [])
        claimed = ", ".join("%s (%s)" % (c["task_id"], c["claim_type"]) for c in mine)
        w(f"- **Claimed Task:** {claimed or '(none)'}")
        held = locks_by.get(sid, [])
        w(f"- **File Locks:** {', '.join(os.path.basename(l['file_path']) for l in held) or '(none)'}")
        w(f"- **Unread Messages:** {unread_by.get(sid, 0)}")
        w("")
    w("**Operator Alerts (ADR-173):**")
    for a in alerts:
        p = safe_payload(a["payload"])
        resource = p.get("project_id") or p.get("task_id") or p.get("cwd") or p.get("file_path") or "?"
        w(f"- {a['message_type']} (priority {a['priority']}/{PRIORITY.get(a['priority'], '?')}): "
          f"{' + '.join(p.get('sessions', []))} on {resource}")
    w("")
    w("**Session Lifecycle (ADR-173, last 10):**")
    for e in lifecycle:
        p = safe_payload(e["payload"])
        w(f"- {e['created_at']} {e['message_type']} {e['sender_id']} ({p.get('project_id') or '(not set)'})")
    w("")
    size = os.path.getsize(args.db)
    w("**Bus Statistics:**")
    w(f"- Active sessions: {len(sessions)} / {total_sessions} historical")
    w(f"- File locks: {len(locks)}")
    w(f"- Task claims: {len(claims)} ({', '.join(c['task_id'] for c in claims)})")
    w(f"- Legacy messages: {legacy}")
    w(f"- v2 messages: {sum(v2.values())} ({v2.get('pending', 0)} pending, {v2.get('delivered', 0)} delivered, {v2.get('read', 0)} read)")
    w(f"- Unread alerts: {unread_alerts}")
    w(f"- Database: `{args.db}` ({size // 1024} KB, {journal.upper()} mode)")
    w("")
    hosts = {}
    for s in sessions:
        hosts.setdefault(s["hostname"], []).append(s["session_id"])
    uuids = {}
    for s in sessions:
        uuids.setdefault(s["session_uuid"], []).append(s["session_id"])
    local = socket.gethostname()
    local_pids = [s["pid"] for s in sessions if s["hostname"] == local]
    w("**Observations:**")
    w(f"- {sum(1 for p in local_pids if p in alive)} of {len(local_pids)} local PIDs confirmed alive via `ps`")
    w(f"- Sessions on {len(hosts)} machines: " + ", ".join(f"{h} ({len(v)})" for h, v in sorted(hosts.items())))
    w(f"- {sum(1 for v in uuids.values() if len(v) > 1)} session UUIDs shared (/continue siblings)")
    w(f"- {len(alerts)} operator alerts open")
    w(f"- Session lifecycle: {len(lifecycle)} recent events")
    w("=" * 50)
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
