"""Command line (SPEC §9): the headless entry point, and the door to the window.

`python main.py` with no command opens the window; with a command it runs headless.
Exit codes for every command: 0 success, 1 rejected for bad data, 2 bad usage, an
unreadable file or a refused database. Messages are Chinese; no tracebacks reach the
clerk (they go to the log file).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from wanghu_desk import __version__, database, errors, paths

log = logging.getLogger(__name__)

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2


class ChineseArgumentParser(argparse.ArgumentParser):
    """argparse with Chinese usage errors and exit code 2 (never English text)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._positionals.title = "命令"
        self._optionals.title = "选项"

    def format_usage(self) -> str:
        return super().format_usage().replace("usage: ", "用法：", 1)

    def format_help(self) -> str:
        return super().format_help().replace("usage: ", "用法：", 1)

    def error(self, message: str):  # noqa: D401 - argparse API
        translated = (
            message.replace("the following arguments are required", "缺少参数")
            .replace("unrecognized arguments", "无法识别的参数")
            .replace("invalid choice", "未知的命令或选项")
            .replace("choose from", "可选")
            .replace("expected one argument", "需要一个值")
            .replace("argument ", "参数 ")
            .replace("invalid int value", "不是整数")
        )
        self.print_usage(sys.stderr)
        print(f"用法错误：{translated}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def build_parser() -> ChineseArgumentParser:
    parser = ChineseArgumentParser(
        prog="python main.py",
        description="党建引领社区治理台账（wanghu-desk）。不带命令时打开窗口；带命令时在命令行运行。",
        add_help=False,
    )
    parser.add_argument("-h", "--help", action="help", help="显示帮助")
    parser.add_argument("--version", action="version", version=f"wanghu-desk {__version__}", help="显示版本")
    parser.add_argument("--db", type=Path, metavar="PATH", help=f"数据库文件（默认：{paths.default_db_path()}）")
    sub = parser.add_subparsers(dest="command", metavar="命令", parser_class=ChineseArgumentParser)

    def add(name: str, help_text: str) -> ChineseArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text, add_help=False)
        p.add_argument("-h", "--help", action="help", help="显示帮助")
        return p

    add("init", "创建（或升级）数据库")
    add("demo", "在空数据库中加载「望湖街道」演示数据")
    p = add("stats", "显示主要统计数字")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p = add("backup", "备份数据库（默认放在数据库旁的 backups 文件夹）")
    p.add_argument("--out", type=Path, metavar="FILE", help="备份到指定文件，例如 U 盘上的路径")
    p = add("restore", "从备份文件恢复（先校验备份，并自动备份当前数据）")
    p.add_argument("file", type=Path, metavar="FILE", help="备份文件")
    add("check", "检查数据库文件是否完好")
    return parser


def _db_path(args: argparse.Namespace) -> Path:
    return args.db or paths.default_db_path()


def cmd_init(args) -> int:
    handle = database.open_database(_db_path(args))
    try:
        if handle.created:
            print(f"已创建数据库：{handle.path}")
        elif handle.migrated:
            print(f"已升级数据库到第 {handle.migrated[-1]} 版：{handle.path}")
        else:
            print(f"数据库已是最新版本：{handle.path}")
    finally:
        database.close_database()
    return EXIT_OK


def cmd_demo(args) -> int:
    from wanghu_desk import demo

    database.open_database(_db_path(args))
    try:
        counts = demo.build_demo()
    finally:
        database.close_database()
    figures = "，".join(f"{k} {v}" for k, v in counts.items()) if isinstance(counts, dict) else ""
    print(f"已加载演示数据：{figures}")
    return EXIT_OK


def cmd_stats(args) -> int:
    from wanghu_desk.services import stats

    database.open_database(_db_path(args), create=False, lock=False)
    try:
        figures = stats.collect()
    finally:
        database.close_database()
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
    else:
        print(format_stats(figures))
    return EXIT_OK


def _yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}¥{fen // 100:,}.{fen % 100:02d}"


def format_stats(figures: dict) -> str:
    from wanghu_desk import vocab

    b, m = figures["branches"], figures["members"]
    lines = [
        f"{figures['organization']}",
        f"  社区 {figures['communities']} 个，小区 {figures['estates']} 个",
        f"  党支部 {b['total']} 个"
        + "".join(
            f"{'（' if i == 0 else '，'}{vocab.label(vocab.BRANCH_CATEGORIES, k)} {v}"
            for i, (k, v) in enumerate((k, v) for k, v in b["by_category"].items() if v)
        )
        + ("）" if b["total"] else ""),
        f"  楼栋党小组 {figures['building_groups']} 个",
        f"  党员 {m['total']} 人（正式 {m['by_category']['full']}，预备 {m['by_category']['probationary']}）",
        f"  志愿服务队 {figures['volunteer_teams']} 支，志愿者 {figures['volunteers']} 人",
    ]
    for year, r in figures["ratings"].items():
        state = "已定级" if r["finalized"] else "评定中"
        lines.append(
            f"  {year} 年度星级评定（{state}）：{r['rated']} 个支部中一星以上 {r['at_least_one_star']} 个，"
            f"五星 {r['by_stars']['5']} 个"
        )
    for year, f in figures["ledger"].items():
        lines.append(
            f"  {year} 年经费：拨付 {_yuan(f['allocated_fen'])}，支出 {_yuan(f['spent_fen'])}，"
            f"结余 {_yuan(f['balance_fen'])}"
        )
    return "\n".join(lines)


def cmd_backup(args) -> int:
    database.open_database(_db_path(args), create=False, lock=False)
    try:
        target = database.backup_to(args.out) if args.out else database.auto_backup("manual")
    finally:
        database.close_database()
    print(f"已备份到：{target}")
    return EXIT_OK


def cmd_restore(args) -> int:
    database.verify_restorable(args.file)  # refuse before touching anything
    database.open_database(_db_path(args))
    try:
        safety = database.restore_from(args.file)
    finally:
        database.close_database()
    print(f"已从「{args.file}」恢复。恢复前的数据已备份到：{safety}")
    return EXIT_OK


def cmd_check(args) -> int:
    path = _db_path(args)
    info = database.inspect_file(path, full_check=True)
    if not info.exists:
        raise errors.UsageError(f"找不到数据库文件「{path}」。")
    if info.is_sqlite and info.quick_check and info.quick_check != "ok":
        print(f"数据库文件已损坏：{path}\n请用 restore 命令从最近的备份恢复。", file=sys.stderr)
        return EXIT_REJECTED
    database.refuse_unusable(info)
    database.open_database(path, create=False, lock=False)
    try:
        problems = database.integrity_problems()
        version = database.schema_version()
    finally:
        database.close_database()
    if problems:
        print("数据库有问题：\n  " + "\n  ".join(problems), file=sys.stderr)
        return EXIT_REJECTED
    print(f"数据库完好：{path}（数据版本 {version}）")
    return EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "init": cmd_init,
    "demo": cmd_demo,
    "stats": cmd_stats,
    "backup": cmd_backup,
    "restore": cmd_restore,
    "check": cmd_check,
}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    _utf8_stdio()
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    if args.command is None:
        from wanghu_desk import gui

        return gui.main(args.db)
    from wanghu_desk.logs import setup_logging

    setup_logging()
    try:
        return COMMANDS[args.command](args)
    except errors.UserError as exc:
        print(exc.message, file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return EXIT_USAGE
    except Exception:  # the clerk gets a sentence, the log gets the traceback
        log.exception("command %s failed", args.command)
        print("程序出错，操作没有完成。详细信息已写入日志文件夹："
              f"{paths.log_dir()}", file=sys.stderr)
        return EXIT_USAGE


def _utf8_stdio() -> None:
    """Chinese output must not crash on a Windows console with a legacy code page."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure:
            try:
                reconfigure(errors="replace")
            except (ValueError, OSError):
                pass
