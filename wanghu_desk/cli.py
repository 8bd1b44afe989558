"""Command line (SPEC §9): the headless entry point, and the door to the window.

`python main.py` with no command opens the window; with a command it runs headless.
Exit codes for every command: 0 success, 1 rejected for bad data, 2 bad usage, an
unreadable file or a refused database. Messages are Chinese; no tracebacks reach the
clerk (they go to the log file).
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from wanghu_desk import __version__, database, errors, kinds, paths

log = logging.getLogger(__name__)

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2

#: The import kinds and the export names, from the registry (`wanghu_desk.kinds`).
IMPORT_KINDS = list(kinds.names())
EXPORT_KINDS = list(kinds.export_commands())
REPORT_KINDS = ["quarterly", "rating", "ledger"]


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
    parser.add_argument("--user", metavar="NAME",
                        help=f"以这个账号运行；密码在提示时输入，或放在环境变量 {PASSWORD_ENV} 中")
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

    p = add("import", "从 Excel（.xlsx/.xls）或 CSV 导入名册")
    p.add_argument("kind", metavar="KIND", choices=IMPORT_KINDS,
                   help=" | ".join(f"{k.name}（{k.help}）" for k in kinds.KINDS.values()))
    p.add_argument("file", type=Path, metavar="FILE", help="要导入的文件")
    p.add_argument("--sheet", metavar="NAME", help="只导入这个工作表（默认：所有含表头的工作表）")
    for option in kinds.all_options().values():
        p.add_argument(option.flag, dest=option.name, type=option.type, metavar=option.metavar, help=option.help,
                       choices=[v for v, _text in option.values] if option.values and option.strict else None)
    p.add_argument("--dry-run", action="store_true", help="只检查、不写入")
    p.add_argument("--skip-invalid", action="store_true", help="跳过有错误的行，只导入有效行")
    p.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    p = add("export", "导出名册到 Excel")
    p.add_argument("kind", metavar="KIND", choices=EXPORT_KINDS, help=" | ".join(
        f"{name}（{k.export.title}{'，需 --year' if k.export.arguments.get('year') else ''}）"
        for name, k in kinds.export_commands().items()))
    p.add_argument("--out", type=Path, metavar="FILE.xlsx", required=True, help="导出到这个文件")
    p.add_argument("--branch", metavar="NAME", help="只导出这个支部的党员（或这个支部的经费台账）")
    p.add_argument("--per-branch", action="store_true", help="党员花名册每个支部一张工作表")
    p.add_argument("--year", type=int, metavar="Y", help="年度（星级评定、经费台账用）")
    p.add_argument("--kind", dest="matter_kind", metavar="KIND",
                   help="居民事项台账只导出这一类：扫码报事、社情民意、议事协商、矛盾调解或微心愿（默认：每类一张工作表）")
    p.add_argument("--unmasked", action="store_true", help="导出完整身份证号（居民事项台账：完整电话号码；仅管理员）")

    p = add("report", "生成 PDF 报表")
    p.add_argument("kind", metavar="KIND", choices=REPORT_KINDS,
                   help="quarterly（季度报表）| rating（星级评定结果公示）| ledger（经费台账）")
    p.add_argument("--year", type=int, metavar="Y", required=True, help="年度")
    p.add_argument("--quarter", type=int, metavar="Q", choices=[1, 2, 3, 4], help="季度 1–4（季度报表用）")
    p.add_argument("--branch", metavar="NAME", help="只生成这个支部的经费台账")
    p.add_argument("--out", type=Path, metavar="FILE.pdf", required=True, help="保存到这个文件")
    return parser


def _db_path(args: argparse.Namespace) -> Path:
    return args.db or paths.default_db_path()


#: The password of `--user` for scripts (otherwise asked for at a prompt).
PASSWORD_ENV = "WANGHU_DESK_PASSWORD"


def _password(prompt: str) -> str | None:
    """The password from the environment, else from a prompt on a terminal, else None."""
    value = os.environ.get(PASSWORD_ENV)
    if value:
        return value
    if sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass(prompt)
    return None


def _sign_in(args: argparse.Namespace, permission: str | None = None) -> None:
    """Act as `--user` on the open database (its password checked, with the window's
    lock-out), or as the administrator on a database whose administrator is not set up
    yet or that runs in single-user mode. `permission` ("admin") is checked at once."""
    from wanghu_desk.services import accounts
    from wanghu_desk.services.base import SYSTEM_ADMIN, require, set_session_actor

    if accounts.needs_setup():
        actor = SYSTEM_ADMIN
    elif accounts.single_user_mode():
        actor = accounts.single_user_actor()
    else:
        if not args.user:
            raise errors.UsageError(
                f"这个数据库已设置账号。请用 --user 账号名 指定账号；密码在提示时输入，或放在环境变量 {PASSWORD_ENV} 中。"
            )
        password = _password(f"账号「{args.user}」的密码：")
        if password is None:
            raise errors.UsageError(f"请输入账号「{args.user}」的密码：在终端提示时输入，或设置环境变量 {PASSWORD_ENV}。")
        actor = accounts.authenticate(args.user, password)
    set_session_actor(actor)
    if permission:
        require(permission)


def _create_administrator(args: argparse.Namespace) -> None:
    """`init`/`demo` on a new file: the administrator's password from the environment or
    typed twice at a prompt; without either, the window asks for it at its first start."""
    from wanghu_desk.services import accounts

    if not accounts.needs_setup():
        return
    username = args.user or "admin"
    password = os.environ.get(PASSWORD_ENV)
    if not password and sys.stdin is not None and sys.stdin.isatty():
        password = getpass.getpass(f"请设置管理员「{username}」的密码：")
        if password != getpass.getpass("请再输入一次："):
            raise errors.UsageError("两次输入的密码不一致，管理员没有创建。请重新运行 init 设置密码。")
    if not password:
        print(f"还没有设置管理员密码：第一次打开窗口时设置，或设置环境变量 {PASSWORD_ENV} 后再运行 init。")
        return
    accounts.create_first_admin(password, username=username)
    print(f"已创建管理员账号「{username}」。")


def cmd_init(args) -> int:
    handle = database.open_database(_db_path(args))
    try:
        if handle.created:
            print(f"已创建数据库：{handle.path}")
        elif handle.migrated:
            print(f"已升级数据库到第 {handle.migrated[-1]} 版：{handle.path}")
        else:
            print(f"数据库已是最新版本：{handle.path}")
        _create_administrator(args)
    finally:
        database.close_database()
    return EXIT_OK


def cmd_demo(args) -> int:
    from wanghu_desk import demo

    database.open_database(_db_path(args))
    try:
        _sign_in(args, "admin")
        counts = demo.build_demo()
        _create_administrator(args)
    finally:
        database.close_database()
    figures = "，".join(f"{k} {v}" for k, v in counts.items()) if isinstance(counts, dict) else ""
    print(f"已加载演示数据：{figures}")
    return EXIT_OK


def cmd_stats(args) -> int:
    from wanghu_desk.services import stats

    database.open_database(_db_path(args), create=False, lock=False)
    try:
        _sign_in(args)
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
    mt = figures.get("matters")
    if mt:
        lines.append(
            f"  {mt['year']} 年居民事项：受理 {mt['received']} 件，办结 {mt['settled']} 件，"
            f"按时办结率 {mt['on_time_rate']}，满意率 {mt['satisfaction_rate']}，逾期未办结 {mt['overdue_open']} 件"
        )
    return "\n".join(lines)


def cmd_backup(args) -> int:
    database.open_database(_db_path(args), create=False, lock=False)
    try:
        _sign_in(args, "admin")  # a backup holds every full ID number
        target = database.backup_to(args.out) if args.out else database.auto_backup("manual")
    finally:
        database.close_database()
    print(f"已备份到：{target}")
    return EXIT_OK


def cmd_restore(args) -> int:
    database.verify_restorable(args.file)  # refuse before touching anything
    database.open_database(_db_path(args))
    try:
        _sign_in(args, "admin")
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


def _problem_line(p: dict) -> str:
    where = f"第 {p['row']} 行" if p.get("row") else ""
    if p.get("sheet") and p.get("multi"):
        where = f"工作表「{p['sheet']}」{where}"
    column = f"「{p['column']}」" if p.get("column") else ""
    value = f" {p['value']}" if p.get("value") not in (None, "") else ""
    head = f"{where}{column}{value}"
    return f"  {head}：{p['message']}" if head else f"  {p['message']}"


def _print_import(summary: dict, committed_text: str | None) -> None:
    sheets = "、".join(f"「{s}」" for s in summary["sheets"])
    header = f"，表头在第 {summary['header_row']} 行" if summary["header_row"] else ""
    print(f"文件：{Path(summary['file']).name}（工作表{sheets}{header}）")
    bad_rows = len({(e.get("sheet"), e["row"]) for e in summary["errors"] if e["row"]})
    print(f"共 {summary['rows']} 行；有错误的行 {bad_rows}，错误 {len(summary['errors'])} 条，提醒 {len(summary['warnings'])} 条。")
    multi = len(summary["sheets"]) > 1
    for title, items in (("错误", summary["errors"]), ("提醒", summary["warnings"])):
        if not items:
            continue
        print(f"{title}：")
        for item in items[:MAX_LISTED]:
            print(_problem_line({**item, "multi": multi}))
        if len(items) > MAX_LISTED:
            print(f"  …… 另有 {len(items) - MAX_LISTED} 条（加 --json 可看全部）")
    if committed_text:
        print(committed_text)


MAX_LISTED = 30


def cmd_import(args) -> int:
    from reports import importing

    spec = kinds.get(args.kind)
    options = {name: getattr(args, name) for name in kinds.all_options() if getattr(args, name) is not None}
    try:
        for option in spec.options:
            if option.required and options.get(option.name) is None:
                raise errors.UsageError(option.missing)
        database.open_database(_db_path(args))
        try:
            _sign_in(args)
            outcome = importing.run(args.file, args.kind, args.sheet, dry_run=args.dry_run,
                                    skip_invalid=args.skip_invalid, **options)
        finally:
            database.close_database()
    except errors.UserError as exc:
        if args.json:  # one JSON object whatever happens, for automation
            print(json.dumps(_failed_import_json(args, exc.message), ensure_ascii=False, indent=2))
        raise
    summary = importing.outcome_json(outcome, dry_run=args.dry_run)
    p = outcome.preview
    importable = not p.blocked and bool(p.valid_rows) and (p.clean or args.skip_invalid)
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
    elif outcome.committed:
        skipped = f"（跳过有错误的 {outcome.skipped} 行）" if outcome.skipped else ""
        backup = f"\n导入前的数据已备份到：{outcome.backup}" if outcome.backup else ""
        _print_import(summary, f"已导入{p.label}：新增 {outcome.inserted}，更新 {outcome.updated}，"
                               f"不变 {outcome.unchanged}{skipped}。{backup}")
    elif args.dry_run and importable:
        _print_import(summary, f"检查通过（未写入）：将新增 {outcome.inserted}，更新 {outcome.updated}，"
                               f"不变 {outcome.unchanged}。")
    else:
        _print_import(summary, None)
        hint = "请改正后重新导入，或加 --skip-invalid 只导入有效行。" if p.valid_rows else "请改正后重新导入。"
        print(f"没有导入任何内容。{hint}", file=sys.stderr)
    if outcome.committed or (args.dry_run and importable):
        return EXIT_OK
    return EXIT_REJECTED


def _failed_import_json(args, message: str) -> dict:
    return {
        "file": str(args.file), "kind": args.kind, "sheet": args.sheet, "sheets": [], "header_row": None,
        "rows": 0, "inserted": 0, "updated": 0, "unchanged": 0, "skipped": 0, "committed": False,
        "dry_run": args.dry_run,
        "errors": [{"row": None, "column": None, "value": None, "message": message, "sheet": args.sheet}],
        "warnings": [],
    }


def _with_read_only_database(args, make: Callable[[], Path]) -> Path:
    """Run `make` on the database opened without the lock (reading only); a name or year
    that does not exist is a usage error (exit 2)."""
    database.open_database(_db_path(args), create=False, lock=False)
    try:
        _sign_in(args)
        return make()
    except errors.NotFoundError as exc:
        raise errors.UsageError(exc.message) from exc
    finally:
        database.close_database()


def _require_year(args, example: int) -> int:
    if args.year is None:
        raise errors.UsageError(f"请用 --year 指定年度，例如 --year {example}。")
    return args.year


def cmd_export(args) -> int:
    spec = kinds.export_commands()[args.kind].export
    if spec.writer is not None:
        arguments = {}
        for name, example in spec.arguments.items():
            value = getattr(args, name)
            if name == "year" and example is not None:
                value = _require_year(args, example)
            arguments[name] = value
        writer = kinds.resolve(spec.writer)
        result = _with_read_only_database(args, lambda: writer(args.out, **arguments))
        path, rows = (result, None) if isinstance(result, Path) else (result.path, result.rows)
        print(spec.done.format(path=path, rows=rows, **arguments))
        return EXIT_OK
    from reports import exports

    database.open_database(_db_path(args), create=False, lock=False)
    try:
        _sign_in(args)
        result = exports.export(args.kind, args.out, branch=args.branch, per_branch=args.per_branch,
                                unmasked=args.unmasked)
    except errors.NotFoundError as exc:  # --branch names no branch: a usage error
        raise errors.UsageError(exc.message) from exc
    finally:
        database.close_database()
    masked = "（身份证号已部分隐藏；需要完整号码请加 --unmasked）" if result.masked else ""
    sheets = f"，{len(result.sheets)} 个工作表" if len(result.sheets) > 1 else ""
    print(f"已导出 {result.rows} 行{sheets}到：{result.path}{masked}")
    return EXIT_OK


def cmd_report(args) -> int:
    if args.kind == "quarterly":
        from reports.quarterly_report import write_quarterly_report

        if args.quarter is None:
            raise errors.UsageError("请用 --quarter 指定季度（1–4），例如 --quarter 3。")
        path = _with_read_only_database(args, lambda: write_quarterly_report(args.out, args.year, args.quarter))
        print(f"已生成 {args.year} 年第 {args.quarter} 季度报表：{path}")
    elif args.kind == "rating":
        from reports.rating_pdf import write_rating_pdf

        path = _with_read_only_database(args, lambda: write_rating_pdf(args.out, args.year))
        print(f"已生成 {args.year} 年度星级评定结果公示：{path}")
    else:
        from reports.ledger_pdf import write_ledger_pdf

        path = _with_read_only_database(args, lambda: write_ledger_pdf(args.out, args.year, args.branch))
        print(f"已生成 {args.year} 年经费台账：{path}")
    return EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "init": cmd_init,
    "demo": cmd_demo,
    "stats": cmd_stats,
    "backup": cmd_backup,
    "restore": cmd_restore,
    "check": cmd_check,
    "import": cmd_import,
    "export": cmd_export,
    "report": cmd_report,
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
    from wanghu_desk.services import base

    acting = base.session_actor()
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
    finally:
        base.set_session_actor(acting)  # one command's login ends with it


def _utf8_stdio() -> None:
    """Chinese output must not crash on a Windows console with a legacy code page."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure:
            try:
                reconfigure(errors="replace")
            except (ValueError, OSError):
                pass
