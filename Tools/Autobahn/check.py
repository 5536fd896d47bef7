#!/usr/bin/env python3
"""Gate an Autobahn|Testsuite report against the committed expectations.

Reads the report that wstest wrote (reports/clients/index.json for the client
role, reports/clients-tls/index.json for the client role over wss://,
reports/servers/index.json for the server role) and
Tools/Autobahn/expected-results.json, and fails (exit 1) when, for the agent
under test, any case of the selected set

  * is missing from the report,
  * has a `behavior` other than expected, or
  * has a `behaviorClose` other than expected,

or when the report has a case for which no expectation is recorded.

The selected set is what the matching wstest spec selects (config/
fuzzingserver[-quick].json for clients, config/fuzzingserver-tls[-quick].json
for clients-tls, config/fuzzingclient[-quick].json for servers), resolved with
wstest 0.8.2's own pattern rules over the case ids listed in the expectations
file. The clients-tls role is checked against the "clients" expectations: TLS
must not change the outcome of any case.

expected-results.json looks like

  {"clients": {"1.1.1": {"behavior": "OK", "behaviorClose": "OK"}, ...},
   "servers": {...}}

A value may also be a list of accepted values, e.g. "behavior": ["OK", "NON-STRICT"].

Exit codes: 0 all as expected, 1 mismatches, 2 usage or input error.
"""

import argparse
import collections
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DEFAULT_EXPECTED = os.path.join(HERE, "expected-results.json")

# role -> (report dir under reports/, spec file stem, expectations section)
ROLES = {
    "clients": ("clients", "fuzzingserver", "clients"),  # we are the client, wstest the server
    "clients-tls": ("clients-tls", "fuzzingserver-tls", "clients"),  # the same over wss://
    "servers": ("servers", "fuzzingclient", "servers"),  # we are the server, wstest the client
}
BEHAVIORS = ["OK", "NON-STRICT", "INFORMATIONAL", "UNIMPLEMENTED", "FAILED"]
MISSING = "missing from the report"
CLOSE_BEHAVIORS = ["OK", "INFORMATIONAL", "WRONG CODE", "UNCLEAN", "FAILED BY CLIENT", "FAILED"]


def case_key(case_id):
    """'1.2.10' -> (1, 2, 10), so that ids sort as wstest sorts them."""
    return tuple(int(p) for p in case_id.split("."))


def resolve_patterns(patterns, universe):
    """wstest 0.8.2 CaseSet.resolveCasePatternList: a pattern with '*' is a
    regex ('.' literal, '*' any run of characters) matched at the *start* of
    the id (re.match, not anchored at the end); a pattern without '*' is an
    exact id."""
    out = []
    for pat in patterns:
        if "*" in pat:
            rx = re.compile(pat.replace(".", r"\.").replace("*", ".*"))
            out.extend(c for c in universe if rx.match(c))
        else:
            out.append(pat)
    return out


def agent_excluded(spec, agent, case_id):
    """wstest 0.8.2 CaseSet.checkAgentCaseExclude ('exclude-agent-cases')."""
    for agent_pat, case_pats in spec.get("exclude-agent-cases", {}).items():
        if re.match("^" + agent_pat.replace(".", r"\.").replace("*", ".*") + "$", agent):
            for cp in case_pats:
                if re.match("^" + cp.replace(".", r"\.").replace("*", ".*") + "$", case_id):
                    return True
    return False


def selected_cases(spec, universe, agent):
    cases = set(resolve_patterns(spec["cases"], universe))
    cases -= set(resolve_patterns(spec.get("exclude-cases", []), universe))
    unknown = sorted(c for c in cases if c not in universe)
    if unknown:
        raise SystemExit("error: spec names cases that the expectations file does not list: %s" % unknown)
    return sorted((c for c in cases if not agent_excluded(spec, agent, c)), key=case_key)


def as_list(v):
    return v if isinstance(v, list) else [v]


def load_json(path, what):
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        raise SystemExit("error: %s not found: %s" % (what, path))
    except ValueError as e:
        raise SystemExit("error: %s is not valid JSON (%s): %s" % (what, e, path))


def write_expected(path, expected, role, results, selection):
    """Record the report's results for the selected cases; other entries stay."""
    table = expected.setdefault(role, {})
    for c in selection:
        if c in results:
            table[c] = {"behavior": results[c]["behavior"], "behaviorClose": results[c]["behaviorClose"]}
    expected[role] = {c: table[c] for c in sorted(table, key=case_key)}
    with open(path, "w") as f:
        f.write(dump_expected(expected))


def dump_expected(expected):
    """JSON with one case per line, so that diffs of the file stay readable."""
    sections = []
    for role in sorted(expected):
        if isinstance(expected[role], dict):
            rows = ["    %s: %s" % (json.dumps(c), json.dumps(v, sort_keys=True))
                    for c, v in sorted(expected[role].items(), key=lambda kv: case_key(kv[0]))]
            sections.append("  %s: {\n%s\n  }" % (json.dumps(role), ",\n".join(rows)))
        else:
            sections.append("  %s: %s" % (json.dumps(role), json.dumps(expected[role])))
    return "{\n" + ",\n".join(sections) + "\n}\n"


def main():
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="--write-expected is for maintainers: after a change that really moves a "
               "case (say permessage-deflate lands and 12.x/13.x turn OK), run the suite, "
               "then `check.py --role clients --cases all --write-expected` and review the "
               "diff of expected-results.json before committing it.")
    ap.add_argument("--role", choices=sorted(ROLES), default="clients",
                    help="clients: our client against `wstest -m fuzzingserver`; "
                         "clients-tls: the same over wss://; "
                         "servers: our server against `wstest -m fuzzingclient` (default: clients)")
    ap.add_argument("--cases", choices=["quick", "all"], default="all",
                    help="which case set the run used: the one selected by config/*-quick.json or by config/*.json")
    ap.add_argument("--agent", default="SwiftWebSocket",
                    help="agent name in the report (default: SwiftWebSocket)")
    ap.add_argument("--report", help="index.json to read (default: $REPO/reports/<role>/index.json)")
    ap.add_argument("--expected", default=DEFAULT_EXPECTED, help="expectations file (default: %(default)s)")
    ap.add_argument("--spec", help="wstest spec that selects the cases (default: from --role and --cases)")
    ap.add_argument("--wall-seconds", type=float, help="wall time of the run, printed in the summary")
    ap.add_argument("--write-expected", action="store_true",
                    help="MAINTAINERS ONLY: instead of checking, write the report's behavior/behaviorClose "
                         "for the selected cases into the expectations file (other cases are kept)")
    args = ap.parse_args()

    report_dir, spec_stem, section = ROLES[args.role]
    if args.write_expected and section != args.role:
        raise SystemExit("error: %s shares the %r expectations; record them from a %s run"
                         % (args.role, section, section))
    report_path = args.report or os.path.join(REPO, "reports", report_dir, "index.json")
    spec_path = args.spec or os.path.join(
        HERE, "config", spec_stem + ("-quick" if args.cases == "quick" else "") + ".json")

    expected_all = load_json(args.expected, "expectations file")
    expected = expected_all.get(section) or {}
    if not expected:
        raise SystemExit("error: %s has no %r section" % (args.expected, section))
    spec = load_json(spec_path, "wstest spec")
    report = load_json(report_path, "wstest report (did the run call /updateReports?)")

    if args.agent not in report:
        print("error: agent %r is not in %s; agents there: %s"
              % (args.agent, report_path, ", ".join(sorted(report)) or "none"), file=sys.stderr)
        return 1 if not args.write_expected else 2
    results = report[args.agent]
    selection = selected_cases(spec, expected, args.agent)

    if args.write_expected:
        write_expected(args.expected, expected_all, args.role, results, selection)
        print("wrote %d %s results of agent %s to %s"
              % (sum(c in results for c in selection), args.role, args.agent, args.expected))
        return 0

    # --- compare --------------------------------------------------------------
    mismatches = []  # (case id, text)
    for c in selection:
        exp = expected[c]
        got = results.get(c)
        if got is None:
            mismatches.append((c, MISSING))
            continue
        for field in ("behavior", "behaviorClose"):
            if got.get(field) not in as_list(exp[field]):
                mismatches.append((c, "%s %s, expected %s" % (
                    field, got.get(field), " or ".join(as_list(exp[field])))))
    for c in sorted(set(results) - set(expected), key=case_key):
        mismatches.append((c, "in the report but has no expectation"))

    # --- summary ----------------------------------------------------------------
    in_sel = [c for c in selection if c in results]
    beh = collections.Counter(results[c]["behavior"] for c in in_sel)
    close = collections.Counter(results[c]["behaviorClose"] for c in in_sel)

    def counts(counter, order):
        keys = order + sorted(k for k in counter if k not in order)
        return ", ".join("%s %d" % (k, counter.get(k, 0)) for k in keys)

    print("Autobahn %s report for agent %s: %s" % (args.role, args.agent, os.path.relpath(report_path)))
    print("  case set:       %s (%s), %d cases selected, %d reported"
          % (args.cases, os.path.relpath(spec_path), len(selection), len(in_sel)))
    print("  behavior:       %s" % counts(beh, BEHAVIORS))
    print("  behaviorClose:  %s" % counts(close, CLOSE_BEHAVIORS))
    durations = sorted(((results[c].get("duration") or 0, c) for c in in_sel), reverse=True)
    if durations:
        print("  case time:      %.1f s in all; slowest: %s" % (
            sum(d for d, _ in durations) / 1000.0,
            ", ".join("%s %d ms" % (c, d) for d, c in durations[:5])))
    if args.wall_seconds is not None:
        print("  wall time:      %.1f s" % args.wall_seconds)
    if mismatches:
        missing = [c for c, text in mismatches if text == MISSING]
        print("  mismatches (%d):" % len(mismatches))
        if missing:
            shown = ", ".join(missing[:40]) + (", ... and %d more" % (len(missing) - 40) if len(missing) > 40 else "")
            print("    %d missing from the report: %s" % (len(missing), shown))
        for c, text in mismatches:
            if text != MISSING:
                print("    %-9s %s" % (c, text))
    else:
        print("  mismatches:     none")
    bad = {c for c, _ in mismatches}
    passed = sum(1 for c in selection if c not in bad)
    # Plain closing line, counted by CI log readers.
    print("autobahn: %d passed, %d failed" % (passed, len(bad)))
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
