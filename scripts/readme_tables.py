"""Print the README's quality and speed tables from `vigie eval` and `vigie bench`.

Every figure in the README comes from here, so anyone can rerun it:

    .venv/bin/python scripts/readme_tables.py            # quality + speed (a few minutes)
    .venv/bin/python scripts/readme_tables.py --quality  # quality only

It calls the CLI exactly as a user would (`vigie eval FILE --json [--lang fr|en]`,
`vigie bench --json`), then formats the JSON as Markdown.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

DEV = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "dev" / "comments.jsonl"


def vigie(*args: str) -> dict:
    run = subprocess.run([sys.executable, "-m", "vigie", *args], capture_output=True, text=True,
                         check=True)
    return json.loads(run.stdout)


def quality() -> str:
    views = {"all": vigie("eval", str(DEV), "--json"),
             "fr": vigie("eval", str(DEV), "--json", "--lang", "fr"),
             "en": vigie("eval", str(DEV), "--json", "--lang", "en")}
    lines = ["| category | P | R | F1 | support | F1 fr (support) | F1 en (support) |",
             "|---|---|---|---|---|---|---|"]
    for slug, s in views["all"]["per_category"].items():
        fr, en = views["fr"]["per_category"][slug], views["en"]["per_category"][slug]

        def cell(x: dict) -> str:
            return f"{x['f1']:.2f} ({x['support']})" if x["support"] else "—"

        lines.append(f"| `{slug}` | {s['precision']:.2f} | {s['recall']:.2f} | {s['f1']:.2f} | "
                     f"{s['support']} | {cell(fr)} | {cell(en)} |")
    for key, label in (("macro_f1", "macro F1"), ("micro_f1", "micro F1"),
                       ("false_removal_rate", "false-removal rate")):
        a, f, e = (views[v][key] for v in ("all", "fr", "en"))
        fmt = (lambda x: f"{x:.2%}") if key == "false_removal_rate" else (lambda x: f"{x:.3f}")
        lines.append(f"| **{label}** | | | {fmt(a)} | {views['all']['n']} | {fmt(f)} "
                     f"({views['fr']['n']}) | {fmt(e)} ({views['en']['n']}) |")
    return "\n".join(lines)


def speed(saved: Path | None = None) -> str:
    b = json.loads(saved.read_text(encoding="utf-8")) if saved else vigie("bench", "--json")
    lines = ["| corpus | comments/s, 1 core | comments/s, all cores | p50 ms | p99 ms "
             "| peak RSS MB |", "|---|---|---|---|---|---|"]
    for name in ("public", "synthetic", "dev_repeated"):
        if name in b:
            r = b[name]
            lines.append(f"| {name} (n={r['n']}, {r['mean_chars']} chars) | "
                         f"{r['comments_per_s_1core']:,.0f} | {r['comments_per_s_all']:,.0f} "
                         f"({r['workers']} workers) | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | "
                         f"{r['peak_rss_mb']:.0f} |")
    lines.append(f"\nCold start (import, load every model, first decision): "
                 f"{b['cold_start_s']:.2f} s on a {b['cpu']}-core machine.")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quality", action="store_true", help="quality table only")
    parser.add_argument("--speed-from", type=Path,
                        help="format a saved `vigie bench --json` output instead of running it")
    args = parser.parse_args()
    print(quality())
    if not args.quality:
        print()
        print(speed(args.speed_from))


if __name__ == "__main__":
    main()
